/**
 * AWS's size limits for IAM policies, and fitting a draft into them: explicit action lists first;
 * when too large, action lists compressed with wildcards (`s3:Get*`) that expand, through the
 * catalog, to exactly actions the statement keeps; then split across managed policies.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import type { Catalog } from '../policy-model/index.js';
import { policyDocument, writeStatements, type Draft } from './draft.js';
import type { PolicyJson, ProposedPolicy } from './model.js';

/** Characters, whitespace not counted (as IAM counts them). */
export const LIMITS = {
  roleInline: 10_240,
  userInline: 2_048,
  managed: 6_144,
  /** Managed policies attached to one role or user (the default quota). */
  managedPerPrincipal: 10,
} as const;

/** A policy's size as IAM counts it: its JSON without whitespace outside strings. */
export function policySize(document: unknown): number {
  return JSON.stringify(document).length;
}

/** The sorted action names of a set of catalog numbers. */
export function actionNames(catalog: Catalog, ids: Iterable<number>): string[] {
  return [...ids].map((id) => catalog.actions[id]!.fullName).sort();
}

/**
 * Compresses an action list with wildcards: `service:*` when every action of the service is in
 * the list, else `service:Verb*` (Get, List, Describe, …) when every action starting with that
 * verb is. A wildcard is used only when it expands to actions of the list, so it grants nothing
 * more today (AWS may add actions to a service later: the reason explicit lists come first).
 */
export function compressActions(catalog: Catalog, ids: ReadonlySet<number>): string[] {
  const byService = new Map<string, number[]>();
  for (const id of ids) {
    const action = catalog.actions[id]!;
    byService.set(action.service, [...(byService.get(action.service) ?? []), id]);
  }
  const out: string[] = [];
  for (const [prefix, list] of byService) {
    const service = catalog.services.get(prefix)!;
    const all = [...service.actions.values()];
    if (all.every((a) => ids.has(a.id))) {
      out.push(`${prefix}:*`);
      continue;
    }
    const verbOf = (name: string) => /^[A-Z][a-z]+/.exec(name)?.[0];
    const verbs = new Set(list.map((id) => verbOf(catalog.actions[id]!.name)));
    const covered = new Set<number>();
    for (const verb of verbs) {
      if (!verb) continue;
      const withVerb = all.filter((a) => a.name.startsWith(verb));
      if (withVerb.length > 1 && withVerb.every((a) => ids.has(a.id))) {
        out.push(`${prefix}:${verb}*`);
        for (const a of withVerb) covered.add(a.id);
      }
    }
    for (const id of list) if (!covered.has(id)) out.push(catalog.actions[id]!.fullName);
  }
  return out.sort();
}

/** How a draft was fitted, or why it could not be. */
export type Fitted =
  | {
      readonly ok: true;
      readonly policies: readonly ProposedPolicy[];
      readonly compressed: boolean;
    }
  | { readonly ok: false; readonly reason: string };

/** Places a draft for a role or user: one inline policy if it fits, else managed policies. */
export function fitDraft(
  catalog: Catalog,
  draft: Draft,
  principal: { readonly type: 'user' | 'role'; readonly name: string },
): Fitted {
  // Nothing kept: the rewrite is to detach every identity policy.
  if (draft.allows.length === 0) return { ok: true, compressed: false, policies: [] };
  const inlineLimit = principal.type === 'role' ? LIMITS.roleInline : LIMITS.userInline;
  const inlineKind = principal.type === 'role' ? 'role-inline' : 'user-inline';
  const name = `${principal.name}-least-privilege`.slice(0, 128);
  const explicit = draft.allows.map((a) => actionNames(catalog, a.actions));
  const compressed = draft.allows.map((a) => compressActions(catalog, a.actions));
  for (const [lists, isCompressed] of [
    [explicit, false],
    [compressed, true],
  ] as const) {
    const statements = writeStatements(draft, lists);
    const document = policyDocument(statements);
    const size = policySize(document);
    if (size <= inlineLimit)
      return {
        ok: true,
        compressed: isCompressed,
        policies: [{ name, kind: inlineKind, document, size, limit: inlineLimit }],
      };
    if (isCompressed) {
      const split = splitManaged(statements, name);
      if (split) return { ok: true, compressed: true, policies: split };
    }
  }
  return {
    ok: false,
    reason: `the kept permissions do not fit AWS's limits (${LIMITS.managedPerPrincipal} managed policies of ${LIMITS.managed.toLocaleString('en-US')} characters, or one inline policy of ${inlineLimit.toLocaleString('en-US')})`,
  };
}

/** Packs statements into managed policies (first fit), or undefined when they do not fit. */
function splitManaged(
  statements: readonly Record<string, unknown>[],
  name: string,
): ProposedPolicy[] | undefined {
  const empty = policySize(policyDocument([]));
  const bins: Record<string, unknown>[][] = [];
  const sizes: number[] = [];
  for (const s of statements) {
    const size = policySize(s) + 1;
    if (empty + size > LIMITS.managed) return undefined;
    const i = sizes.findIndex((used) => used + size <= LIMITS.managed);
    if (i >= 0) {
      bins[i]!.push(s);
      sizes[i]! += size;
    } else {
      bins.push([s]);
      sizes.push(empty + size);
    }
  }
  if (bins.length > LIMITS.managedPerPrincipal) return undefined;
  return bins.map((bin, i) => {
    const document: PolicyJson = policyDocument(bin);
    return {
      name: bins.length === 1 ? name : `${name}-${i + 1}`,
      kind: 'managed',
      document,
      size: policySize(document),
      limit: LIMITS.managed,
    };
  });
}
