/**
 * The two proof obligations of a rewrite, checked against the current policies rather than
 * trusted from how the rewrite was drafted:
 * - `noNewAccess`: over the whole catalog, the principal's effective permissions with the new
 *   policies grant no action the current ones do not, and nothing everywhere that was granted on
 *   some resources only; each action of every new Allow statement is granted by a current
 *   statement on those resources under the same Condition, and every current Deny that could
 *   matter is kept.
 * - `usageCovered`: every (action, resource) seen used and allowed by the current identity
 *   policies is still allowed, asked of the request evaluator.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import {
  actionSetOf,
  count,
  difference,
  effectivePermissions,
  evaluate,
  has,
  intersect,
  members,
  parsePolicy,
  possibleActions,
  prepareRequest,
  requestContext,
  type Catalog,
  type EffectivePermissions,
  type Policy,
  type PolicySet,
  type PolicySource,
  type Principal,
} from '../policy-model/index.js';
import {
  identityStatements,
  resourceTexts,
  statementCovers,
  type StatementOrigin,
} from './draft.js';
import type { PolicyJson, ProofResult } from './model.js';

/** What both proofs need. */
export interface ProofInput {
  readonly catalog: Catalog;
  readonly principal: Principal;
  readonly scpLevels: readonly (readonly Policy[])[] | undefined;
  readonly organizationId: string | undefined;
  readonly current: EffectivePermissions;
  readonly proposed: readonly PolicyJson[];
}

type Counterexample = NonNullable<ProofResult['counterexamples']>[number];
const MAX_COUNTEREXAMPLES = 5;

/** The principal as it would be with the proposed policies instead of its identity policies. */
export function withProposed(
  principal: Principal,
  proposed: readonly PolicyJson[],
): { principal: Principal; errors: string[] } {
  const errors: string[] = [];
  const policies: PolicySource[] = proposed.map((document, i) => {
    const id = `${principal.arn}#proposed/${i + 1}`;
    const parsed = parsePolicy(document, { kind: 'identity', id, path: id });
    if (!parsed.ok) errors.push(...parsed.errors.map((e) => `${e.path}: ${e.message}`));
    return {
      id,
      name: `proposed-${i + 1}`,
      kind: 'inline',
      document,
      policy: parsed.ok ? parsed.value : undefined,
    };
  });
  return { principal: { ...principal, policies, groups: [] }, errors };
}

/**
 * The proposed principal of a proof input, parsed once for both proofs (keyed by the proposed
 * documents' array).
 */
const parsedProposals = new WeakMap<readonly PolicyJson[], ReturnType<typeof withProposed>>();
function proposedOf(input: ProofInput): ReturnType<typeof withProposed> {
  let next = parsedProposals.get(input.proposed);
  if (!next) {
    next = withProposed(input.principal, input.proposed);
    parsedProposals.set(input.proposed, next);
  }
  return next;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Whether a current statement grants action `id` everywhere a proposed statement does: the action
 * in its actions, the proposed resources covered, and the same Condition.
 */
function grantsWithin(
  catalog: Catalog,
  n: StatementOrigin,
  s: StatementOrigin,
  id: number,
): boolean {
  if (s.statement.effect !== 'Allow' || !has(actionSetOf(catalog, s.statement.actions), id))
    return false;
  if (!same(n.json['Condition'], s.json['Condition'])) return false;
  const nr = n.statement.resources;
  const sr = s.statement.resources;
  const written = new Set(resourceTexts(s.statement));
  if (nr.kind === 'resource')
    return (
      sr.kind === 'resource' &&
      resourceTexts(n.statement).every((r) => written.has(r) || statementCovers(s.statement, r))
    );
  if (nr.kind === 'not-resource')
    return (
      sr.kind === 'not-resource' && same([...written].sort(), resourceTexts(n.statement).sort())
    );
  return false;
}

/** Checks that the proposed policies grant nothing the current ones do not. */
export function proveNoNewAccess(input: ProofInput): ProofResult {
  const { catalog } = input;
  const next = proposedOf(input);
  if (next.errors.length > 0)
    return {
      holds: false,
      checked: 'the proposed policies parse',
      counterexamples: next.errors
        .slice(0, MAX_COUNTEREXAMPLES)
        .map((why) => ({ action: '*', resource: '*', why })),
    };
  const after = effectivePermissions({
    catalog,
    principal: next.principal,
    scpLevels: input.scpLevels,
    organizationId: input.organizationId,
  });
  const found: Counterexample[] = [];
  const before = possibleActions(input.current);
  const now = possibleActions(after);
  for (const id of members(difference(now, before)))
    found.push({
      action: catalog.actions[id]!.fullName,
      resource: '*',
      why: 'granted by the proposed policies, not by the current ones',
    });
  for (const id of members(difference(after.allowed, input.current.allowed)))
    found.push({
      action: catalog.actions[id]!.fullName,
      resource: '*',
      why: 'allowed on every resource by the proposed policies, only on some (or under conditions) today',
    });

  const current = identityStatements(input.principal);
  const proposed = identityStatements(next.principal);
  // Each action of each proposed Allow statement must be granted, on those resources and under
  // that Condition, by some current statement.
  for (const n of proposed.filter((o) => o.statement.effect === 'Allow'))
    for (const id of members(actionSetOf(catalog, n.statement.actions)))
      if (!current.some((s) => grantsWithin(catalog, n, s, id))) {
        found.push({
          action: catalog.actions[id]!.fullName,
          resource: resourceTexts(n.statement)[0] ?? '*',
          why: `proposed statement ${n.statement.sid ?? n.statement.index} grants it where no current statement does (resources or Condition)`,
        });
        break;
      }
  for (const d of current.filter((o) => o.statement.effect === 'Deny')) {
    const touches = count(intersect(actionSetOf(catalog, d.statement.actions), now)) > 0;
    if (touches && !proposed.some((p) => p.statement.effect === 'Deny' && same(p.json, d.json)))
      found.push({
        action: members(intersect(actionSetOf(catalog, d.statement.actions), now))
          .slice(0, 1)
          .map((id) => catalog.actions[id]!.fullName)[0]!,
        resource: resourceTexts(d.statement)[0] ?? '*',
        why: `current Deny statement ${d.statement.sid ?? d.statement.index} of ${d.source.name} is not kept`,
      });
  }
  return {
    holds: found.length === 0,
    checked: `${catalog.actions.length.toLocaleString('en-US')} catalog actions through the effective permissions; ${proposed.length} proposed statements against ${current.length} current ones`,
    ...(found.length > 0 ? { counterexamples: found.slice(0, MAX_COUNTEREXAMPLES) } : {}),
  };
}

/** A concrete resource inside a pattern: wildcards filled in; undefined for variables. */
export function instanceOf(pattern: string): string | undefined {
  if (pattern.includes('${')) return undefined;
  return pattern === '*' ? '*' : pattern.replace(/[*?]/g, 'x');
}

/** The policy set of a principal for the evaluator (identity, boundary, SCPs). */
export function policySetOf(
  principal: Principal,
  scpLevels: readonly (readonly Policy[])[] | undefined,
): PolicySet {
  return {
    identity: principal.policies.flatMap((s) => (s.policy ? [s.policy] : [])),
    ...(principal.boundary?.policy ? { boundary: principal.boundary.policy } : {}),
    ...(scpLevels && !principal.serviceLinked ? { scpLevels } : {}),
  };
}

/**
 * Checks that every observed use the current policies allow is still allowed. A use that named
 * no resource is tried on an instance of each current resource pattern that grants the action.
 */
export function proveUsageCovered(
  input: ProofInput,
  uses: readonly { readonly action: string; readonly resource: string }[],
): ProofResult {
  const { catalog, principal } = input;
  const next = proposedOf(input);
  const before = policySetOf(principal, input.scpLevels);
  const after = policySetOf(next.principal, input.scpLevels);
  const current = identityStatements(principal);
  const context = requestContext(principal, input.organizationId);
  const found: Counterexample[] = [];
  // Conditions on the principal's own keys (its tags, its ARN) are facts, not request details:
  // an action they rule out today is not granted today, whatever the evaluator's favourable
  // reading of an absent tag would say.
  const grantedNow = possibleActions(input.current);
  let tried = 0;
  for (const use of uses) {
    const [service, name] = use.action.toLowerCase().split(':') as [string, string];
    const action = catalog.services.get(service)?.actions.get(name);
    if (!action || !has(grantedNow, action.id)) continue;
    const resources =
      use.resource !== ''
        ? [use.resource]
        : [
            ...new Set(
              current
                .filter(
                  (o) =>
                    o.statement.effect === 'Allow' && o.statement.resources.kind === 'resource',
                )
                .filter((o) => has(actionSetOf(catalog, o.statement.actions), action.id))
                .flatMap((o) => resourceTexts(o.statement).flatMap((p) => instanceOf(p) ?? [])),
            ),
          ];
    for (const resource of resources) {
      const request = prepareRequest(
        {
          principal: principal.arn,
          action: use.action,
          resource,
          resourceAccount: principal.account,
          context,
        },
        '/use',
      );
      if (!request.ok) continue;
      tried += 1;
      const options = { catalog, explain: false, favourable: true } as const;
      if (evaluate(request.value, before, options).decision !== 'allow') continue;
      if (evaluate(request.value, after, options).decision !== 'allow')
        found.push({
          action: use.action,
          resource,
          why: 'used and allowed today, not allowed by the proposed policies',
        });
    }
  }
  return {
    holds: found.length === 0,
    checked: `${uses.length.toLocaleString('en-US')} observed (action, resource) pairs, ${tried.toLocaleString('en-US')} requests to the evaluator`,
    ...(found.length > 0 ? { counterexamples: found.slice(0, MAX_COUNTEREXAMPLES) } : {}),
  };
}
