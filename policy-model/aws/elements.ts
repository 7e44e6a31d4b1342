/**
 * Helpers shared by validation and normalization: the statement list, string-or-list elements,
 * action syntax and principal parsing.
 */
import type { ConditionScalar, PrincipalElement, StatementDocument } from './document.js';
import { parseAwsPrincipal, type PrincipalPattern } from './principal.js';

/** `Statement` may be one object or a list. */
export function statementList(statement: unknown): readonly unknown[] {
  return Array.isArray(statement) ? statement : [statement];
}

/** A string-or-list element as a list. */
export function asList(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** A condition value (scalar or list of scalars) as a list of strings. */
export function conditionValues(value: ConditionScalar | readonly ConditionScalar[]): string[] {
  return (Array.isArray(value) ? value : [value]).map((v: ConditionScalar) => String(v));
}

/** `*`, or `service:action` where both parts may hold `*` and `?`. */
export function isValidActionSyntax(action: string): boolean {
  return action === '*' || /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_.-]+$/.test(action);
}

const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$|^[a-z0-9.-]+\.amazon\.com$/;

/** The values of a `Principal` element with their JSON-pointer suffixes, parsed. */
export function principalPatterns(
  element: PrincipalElement,
): { pattern: PrincipalPattern | undefined; text: string; suffix: string }[] {
  if (typeof element === 'string') {
    return [
      {
        pattern: element === '*' ? { kind: 'everyone', text: '*' } : undefined,
        text: element,
        suffix: '',
      },
    ];
  }
  const out: { pattern: PrincipalPattern | undefined; text: string; suffix: string }[] = [];
  const each = (
    key: 'AWS' | 'Service' | 'Federated' | 'CanonicalUser',
    parse: (text: string) => PrincipalPattern | undefined,
  ): void => {
    const value = element[key];
    if (value === undefined) return;
    const list = asList(value);
    list.forEach((text, i) =>
      out.push({
        pattern: parse(text),
        text,
        suffix: typeof value === 'string' ? `/${key}` : `/${key}/${i}`,
      }),
    );
  };
  each('AWS', parseAwsPrincipal);
  each('Service', (text) =>
    text === '*'
      ? { kind: 'everyone', text }
      : SERVICE_PRINCIPAL.test(text)
        ? { kind: 'service', text, service: text }
        : undefined,
  );
  each('Federated', (text) => (text.length > 0 ? { kind: 'federated', text } : undefined));
  each('CanonicalUser', (text) =>
    /^[0-9a-fA-F]{64}$/.test(text) ? { kind: 'canonical-user', text } : undefined,
  );
  return out;
}

/** The statement's principal element and its name, if any. */
export function principalElementOf(
  s: StatementDocument,
): { name: 'Principal' | 'NotPrincipal'; element: PrincipalElement } | undefined {
  if (s.Principal !== undefined) return { name: 'Principal', element: s.Principal };
  if (s.NotPrincipal !== undefined) return { name: 'NotPrincipal', element: s.NotPrincipal };
  return undefined;
}
