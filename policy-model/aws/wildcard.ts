/**
 * `*` (any run of characters, possibly empty) and `?` (exactly one character) globs, as used by
 * Action, Resource and StringLike. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */

/** True when the text has a `*` or `?`. */
export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

const REGEX_SPECIALS = /[.+^${}()|[\]\\]/g;

/** Compiles a glob into a predicate; `ignoreCase` lower-cases the glob, callers pass lower-cased input. */
export function compileGlob(glob: string, ignoreCase = false): (input: string) => boolean {
  const pattern = ignoreCase ? glob.toLowerCase() : glob;
  // Fast paths cover nearly every real policy (bench/evaluate.bench.ts: about 2x decisions/s
  // over a RegExp for every pattern).
  if (pattern === '*') return () => true;
  if (!hasWildcard(pattern)) return (input) => input === pattern;
  const star = pattern.indexOf('*');
  if (star === pattern.length - 1 && !pattern.includes('?')) {
    const prefix = pattern.slice(0, -1);
    return (input) => input.startsWith(prefix);
  }
  const source = pattern.replace(REGEX_SPECIALS, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 's');
  return (input) => regex.test(input);
}

/**
 * Compiles a glob made of parts, some literal (from policy variables, `${*}`, `${?}`), some glob.
 * Literal parts never act as wildcards.
 */
export function compileGlobParts(
  parts: readonly { readonly text: string; readonly literal: boolean }[],
  ignoreCase = false,
): (input: string) => boolean {
  if (parts.every((p) => !p.literal))
    return compileGlob(parts.map((p) => p.text).join(''), ignoreCase);
  const source = parts
    .map((p) => {
      const text = ignoreCase ? p.text.toLowerCase() : p.text;
      const escaped = text.replace(REGEX_SPECIALS, '\\$&');
      return p.literal
        ? escaped.replace(/[*?]/g, '\\$&')
        : escaped.replace(/\*/g, '.*').replace(/\?/g, '.');
    })
    .join('');
  const regex = new RegExp(`^${source}$`, 's');
  return (input) => regex.test(input);
}

/**
 * Compiles a `Resource` glob. Wildcards work within the colon-separated segments of an ARN: `?`
 * and a `*` inside a segment never match a colon, while a `*` that ends a segment may expand
 * across the colons that follow. Literal parts (substituted variables, `${*}`) match themselves.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export function compileResourceGlob(
  parts: readonly { readonly text: string; readonly literal: boolean }[],
): (input: string) => boolean {
  const chars: { ch: string; literal: boolean }[] = [];
  for (const part of parts) for (const ch of part.text) chars.push({ ch, literal: part.literal });
  if (chars.length === 1 && chars[0]!.ch === '*' && !chars[0]!.literal) return () => true;
  const wildcards = chars.filter((c) => !c.literal && (c.ch === '*' || c.ch === '?')).length;
  if (wildcards === 0) {
    const exact = chars.map((c) => c.ch).join('');
    return (input) => input === exact;
  }
  // One final `*` (`arn:aws:s3:::bucket/*`) is a prefix test: it may cross colons. The most
  // common shape by far (bench/evaluate.bench.ts: regexes here halved decisions/s).
  const last = chars[chars.length - 1]!;
  if (wildcards === 1 && last.ch === '*' && !last.literal) {
    const prefix = chars
      .slice(0, -1)
      .map((c) => c.ch)
      .join('');
    return (input) => input.startsWith(prefix);
  }
  let source = '';
  chars.forEach((c, i) => {
    if (!c.literal && c.ch === '*') {
      const next = chars[i + 1];
      source += next === undefined || next.ch === ':' ? '.*' : '[^:]*';
    } else if (!c.literal && c.ch === '?') source += '[^:]';
    else source += c.ch.replace(REGEX_SPECIALS, '\\$&').replace(/[*?]/g, '\\$&');
  });
  const regex = new RegExp(`^${source}$`, 's');
  return (input) => regex.test(input);
}
