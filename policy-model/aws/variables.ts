/**
 * Policy variables in Resource and Condition values: `${aws:username}`, `${aws:PrincipalTag/team}`,
 * default values `${aws:PrincipalTag/team, 'none'}`, and the literal characters `${*}`, `${?}`, `${$}`.
 * Substituted only under Version 2012-10-17.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
import type { RequestContext } from './request.js';

/** A piece of a value: text as written (wildcards active), a literal character, or a variable. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: string }
  | {
      readonly kind: 'variable';
      readonly key: string;
      readonly keyText: string;
      readonly fallback: string | undefined;
    };

/** A value that may hold policy variables. */
export interface ValueTemplate {
  readonly text: string;
  readonly parts: readonly TemplatePart[];
  readonly hasVariables: boolean;
}

/** A resolved piece: `literal` pieces never act as wildcards. */
export interface ResolvedPart {
  readonly text: string;
  readonly literal: boolean;
}

const SPECIALS: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };
const DEFAULT_SYNTAX = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

/** Parses a value; `substitute: false` (Version 2008-10-17 or none) keeps `${…}` as plain text. */
export function parseTemplate(
  text: string,
  substitute: boolean,
): { ok: true; value: ValueTemplate } | { ok: false; message: string } {
  if (!substitute || !text.includes('${')) {
    return { ok: true, value: { text, parts: [{ kind: 'text', text }], hasVariables: false } };
  }
  const parts: TemplatePart[] = [];
  let rest = text;
  while (rest.length > 0) {
    const open = rest.indexOf('${');
    if (open === -1) {
      parts.push({ kind: 'text', text: rest });
      break;
    }
    if (open > 0) parts.push({ kind: 'text', text: rest.slice(0, open) });
    const close = rest.indexOf('}', open + 2);
    if (close === -1) return { ok: false, message: `unterminated policy variable in \`${text}\`` };
    const inner = rest.slice(open + 2, close);
    const special = SPECIALS[inner];
    if (special !== undefined) {
      parts.push({ kind: 'literal', text: special });
    } else {
      const withDefault = DEFAULT_SYNTAX.exec(inner);
      const keyText = withDefault ? withDefault[1]! : inner.trim();
      if (keyText.length === 0 || /\s/.test(keyText) || keyText.includes('${')) {
        return { ok: false, message: `malformed policy variable \`\${${inner}}\` in \`${text}\`` };
      }
      parts.push({
        kind: 'variable',
        key: keyText.toLowerCase(),
        keyText,
        fallback: withDefault?.[2],
      });
    }
    rest = rest.slice(close + 1);
  }
  return { ok: true, value: { text, parts, hasVariables: true } };
}

/**
 * Parses a `Resource` / `NotResource` value: variables are substituted only in the resource part
 * of the ARN, after the fifth colon; before it, `${…}` is plain text.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export function parseResourceTemplate(
  text: string,
  substitute: boolean,
): { ok: true; value: ValueTemplate } | { ok: false; message: string } {
  let colons = 0;
  let depth = 0;
  let split = -1;
  for (let i = 0; i < text.length && split === -1; i += 1) {
    if (text.startsWith('${', i)) depth += 1;
    else if (text[i] === '}' && depth > 0) depth -= 1;
    else if (text[i] === ':' && depth === 0 && ++colons === 5) split = i + 1;
  }
  if (split === -1) return parseTemplate(text, substitute);
  const tail = parseTemplate(text.slice(split), substitute);
  if (!tail.ok || !tail.value.hasVariables)
    return tail.ok
      ? { ok: true, value: { text, parts: [{ kind: 'text', text }], hasVariables: false } }
      : tail;
  return {
    ok: true,
    value: {
      text,
      parts: [{ kind: 'text', text: text.slice(0, split) }, ...tail.value.parts],
      hasVariables: true,
    },
  };
}

/**
 * Resolves a template against the request. `undefined` when a variable has no value and no
 * default: the value then matches nothing. A multivalued key cannot be a variable.
 */
export function resolveTemplate(
  template: ValueTemplate,
  context: RequestContext,
): ResolvedPart[] | undefined {
  const resolved: ResolvedPart[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') resolved.push({ text: part.text, literal: false });
    else if (part.kind === 'literal') resolved.push({ text: part.text, literal: true });
    else {
      const values = context.get(part.key);
      if (values !== undefined && values.length === 1 && !context.isMultiValued(part.key)) {
        resolved.push({ text: values[0]!, literal: true });
      } else if (part.fallback !== undefined) {
        resolved.push({ text: part.fallback, literal: true });
      } else {
        return undefined;
      }
    }
  }
  return resolved;
}

/** Resolves to a plain string (for equality operators), or `undefined` when a variable is missing. */
export function resolveToString(
  template: ValueTemplate,
  context: RequestContext,
): string | undefined {
  if (!template.hasVariables) return template.text;
  const parts = resolveTemplate(template, context);
  return parts?.map((p) => p.text).join('');
}
