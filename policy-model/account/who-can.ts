/**
 * Who can perform an action on a resource: every principal of the snapshot, evaluated with the
 * request evaluator against its identity policies, boundary, SCPs, the resource account's RCPs and
 * the resource's own policy (bucket, key, queue, topic, secret, role trust policy), across accounts.
 */
import { parseArn } from '../aws/arn.js';
import type { StatementRef } from '../aws/decide.js';
import { evaluate, type PolicySet } from '../aws/evaluate.js';
import type { Policy } from '../aws/policy.js';
import { prepareRequest } from '../aws/request.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Principal, PolicySource, Snapshot } from './account.js';
import { policyLevels } from './organization.js';

/** A condition block as written: `{ operator: { key: values } }`. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/**
 * When a conditional access holds: one of `anyOf` (the granting statements' conditions), all of
 * `requires` (conditions of boundary, session or SCP allows), and none of `denyIf` (Deny conditions).
 */
export interface ConditionSummary {
  readonly anyOf?: readonly ConditionBlock[];
  readonly requires?: readonly ConditionBlock[];
  readonly denyIf?: readonly ConditionBlock[];
}

/** One principal that can (or under conditions can) perform the action. */
export interface WhoCanPrincipal {
  readonly arn: string;
  readonly access: 'allowed' | 'conditional';
  /** For `conditional`: what must hold (see `ConditionSummary`); `{}` when allowed outright. */
  readonly conditions: ConditionSummary;
  readonly via: readonly {
    readonly policy: string;
    readonly statement: number;
    readonly sid?: string;
  }[];
  /** Named by the resource policy but outside the snapshot: its own account's policies also apply. */
  readonly external?: boolean;
}

/** The who-can answer (a public JSON contract). */
export interface WhoCanResult {
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource, or undefined when the snapshot does not say. */
  readonly resourceAccount?: string;
  readonly principals: readonly WhoCanPrincipal[];
}

/** Where the resource lives and which policy it carries. */
function locateResource(
  snapshot: Snapshot,
  resource: string,
): { account: string | undefined; policy: PolicySource | undefined } {
  const arn = parseArn(resource);
  const candidates = [resource];
  // An S3 object is governed by its bucket's policy.
  if (arn?.service === 's3' && arn.resource.includes('/'))
    candidates.push(`arn:${arn.partition}:s3:::${arn.resource.split('/')[0]}`);
  for (const account of snapshot.accounts) {
    for (const candidate of candidates) {
      const policy = account.resourcePolicies.get(candidate);
      if (policy) return { account: account.id, policy };
    }
    // A role's trust policy is its resource policy.
    const role = account.principals.find((p) => p.type === 'role' && p.arn === resource);
    if (role) return { account: account.id, policy: role.trustPolicy };
  }
  return { account: arn?.account || undefined, policy: undefined };
}

/** The request context a principal alone gives: its tags, its organization. */
export function requestContext(
  principal: Principal,
  organizationId: string | undefined,
): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(principal.tags)) context[`aws:PrincipalTag/${k}`] = v;
  if (organizationId) context['aws:PrincipalOrgID'] = organizationId;
  return context;
}

/** Lists who can perform `action` on `resource`. */
export function whoCan(
  snapshot: Snapshot,
  catalog: Catalog,
  action: string,
  resource: string,
  now = new Date(),
): WhoCanResult {
  const { account: resourceAccount, policy: resourcePolicy } = locateResource(snapshot, resource);
  const organizationId = snapshot.organization?.id;
  const rcpLevels = resourceAccount
    ? policyLevels(snapshot.organization, resourceAccount, 'RESOURCE_CONTROL_POLICY')
    : undefined;
  const principals: WhoCanPrincipal[] = [];
  for (const account of snapshot.accounts) {
    const scpLevels = policyLevels(snapshot.organization, account.id, 'SERVICE_CONTROL_POLICY');
    for (const principal of account.principals) {
      const set: PolicySet = {
        identity: principal.policies.flatMap((s) => (s.policy ? [s.policy] : [])),
        ...(principal.boundary?.policy ? { boundary: principal.boundary.policy } : {}),
        ...(scpLevels && !principal.serviceLinked ? { scpLevels } : {}),
        ...(rcpLevels ? { rcpLevels } : {}),
        ...(resourcePolicy?.policy ? { resource: resourcePolicy.policy } : {}),
      };
      const request = prepareRequest(
        {
          principal: principal.arn,
          action,
          resource,
          resourceAccount: resourceAccount ?? account.id,
          context: requestContext(principal, organizationId),
        },
        '/request',
        { now },
      );
      if (!request.ok) continue;
      const strict = evaluate(request.value, set, { catalog, explain: false });
      if (strict.decision === 'allow') {
        principals.push({
          arn: principal.arn,
          access: 'allowed',
          conditions: {},
          via: via(strict.explanation.decisive),
        });
        continue;
      }
      // A deny may hinge on a key the request would carry (aws:RequestedRegion): ask whether some request is allowed.
      const favourable = evaluate(request.value, set, {
        catalog,
        explain: false,
        favourable: true,
      });
      if (favourable.decision !== 'allow') continue;
      const denied = strict.decision === 'explicit-deny' ? strict.explanation.decisive : [];
      principals.push({
        arn: principal.arn,
        access: 'conditional',
        conditions: conditionsOf(favourable.explanation.decisive, denied, set),
        via: via(favourable.explanation.decisive),
      });
    }
  }
  principals.push(...externalPrincipals(snapshot, resourcePolicy?.policy, action, resource));
  return { action, resource, ...(resourceAccount ? { resourceAccount } : {}), principals };
}

function via(refs: readonly StatementRef[]): WhoCanPrincipal['via'] {
  // The statements that grant: identity, boundary, session and resource policies (SCPs only permit).
  return refs
    .filter((r) => r.effect === 'Allow' && r.policyType !== 'scp' && r.policyType !== 'rcp')
    .map((r) => ({ policy: r.policy, statement: r.statement, ...(r.sid ? { sid: r.sid } : {}) }));
}

/**
 * The conditions of a conditional grant: `anyOf` the granting statements' blocks, the blocks a
 * boundary, session policy or SCP `requires`, and the Deny blocks that must not hold (`denyIf`).
 */
function conditionsOf(
  granted: readonly StatementRef[],
  denied: readonly StatementRef[],
  set: PolicySet,
): ConditionSummary {
  const policies = new Map<string, Policy>();
  for (const p of [
    ...set.identity,
    set.boundary,
    set.session,
    set.resource,
    ...(set.scpLevels ?? []).flat(),
    ...(set.rcpLevels ?? []).flat(),
  ])
    if (p) policies.set(p.id, p);
  const blocks = (refs: readonly StatementRef[]) =>
    refs.flatMap((ref) => {
      const conditions = policies.get(ref.policy)?.statements[ref.statement]?.conditions ?? [];
      if (conditions.length === 0) return [];
      const block: Record<string, Record<string, readonly string[]>> = {};
      for (const c of conditions) (block[c.operator] ??= {})[c.keyText] = c.values;
      return [block];
    });
  const anyOf = blocks(
    granted.filter((r) => r.policyType === 'identity' || r.policyType === 'resource'),
  );
  const requires = blocks(
    granted.filter((r) => r.policyType !== 'identity' && r.policyType !== 'resource'),
  );
  const denyIf = blocks(denied);
  return {
    ...(anyOf.length > 0 ? { anyOf } : {}),
    ...(requires.length > 0 ? { requires } : {}),
    ...(denyIf.length > 0 ? { denyIf } : {}),
  };
}

/** Principals outside the snapshot that the resource policy allows by account or ARN. */
function externalPrincipals(
  snapshot: Snapshot,
  policy: Policy | undefined,
  action: string,
  resource: string,
): WhoCanPrincipal[] {
  if (!policy) return [];
  const known = new Set(snapshot.accounts.map((a) => a.id));
  const lower = action.toLowerCase();
  const out: WhoCanPrincipal[] = [];
  for (const statement of policy.statements) {
    if (statement.effect !== 'Allow' || statement.principals.kind !== 'principal') continue;
    const actionOk =
      statement.actions.patterns.some((p) => p.test(lower)) ===
      (statement.actions.kind === 'action');
    const resourceOk =
      statement.resources.kind === 'implied' ||
      statement.resources.patterns.some((p) => p.test?.(resource) ?? false) ===
        (statement.resources.kind === 'resource');
    if (!actionOk || !resourceOk) continue;
    for (const pattern of statement.principals.patterns) {
      if (!('account' in pattern) || known.has(pattern.account)) continue;
      const block: Record<string, Record<string, readonly string[]>> = {};
      for (const c of statement.conditions) (block[c.operator] ??= {})[c.keyText] = c.values;
      const conditions: ConditionSummary =
        statement.conditions.length > 0 ? { anyOf: [block] } : {};
      out.push({
        arn: pattern.kind === 'account' ? `arn:aws:iam::${pattern.account}:root` : pattern.text,
        access: statement.conditions.length > 0 ? 'conditional' : 'allowed',
        conditions,
        via: [
          {
            policy: policy.id,
            statement: statement.index,
            ...(statement.sid ? { sid: statement.sid } : {}),
          },
        ],
        external: true,
      });
    }
  }
  return out;
}
