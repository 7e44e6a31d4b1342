/**
 * The rewrite for one principal: grade every granted action by its evidence, keep what was used
 * (scoped to the resources seen), what cannot be observed and what kept actions need, draft the
 * policy from the current statements, fit it to AWS's limits, and prove it. A rewrite that fails
 * a proof or the limits is reported with why, never proposed.
 */
import {
  difference,
  has,
  members,
  possibleActions,
  principalFacts,
  summarizeStatement,
  type ActionSet,
  type Catalog,
  type EffectivePermissions,
  type Policy,
} from '../policy-model/index.js';
import { draftStatements, identityStatements, type StatementOrigin } from './draft.js';
import {
  describeEvidence,
  gradePrincipal,
  type Grading,
  type PrincipalActivity,
} from './evidence.js';
import { fitDraft } from './limits.js';
import type { CurrentPolicy, PermissionEvidence, ProofResult, Recommendation } from './model.js';
import { proveNoNewAccess, proveUsageCovered } from './proof.js';
import { terraformFor } from './terraform.js';

/** What a principal's rewrite needs. */
export interface RecommendInput {
  readonly catalog: Catalog;
  readonly permissions: EffectivePermissions;
  readonly scpLevels: readonly (readonly Policy[])[] | undefined;
  readonly organizationId: string | undefined;
  readonly activity: PrincipalActivity;
  /** Data-event classes (`s3`, `lambda`, …) the principal's account records. */
  readonly recordedDataEvents: ReadonlySet<string>;
}

/** A rewrite and the grading behind it. */
export interface RecommendOutput {
  readonly recommendation: Recommendation;
  readonly grading: Grading;
}

const NOT_CHECKED: ProofResult = { holds: true, checked: 'nothing to remove: no rewrite' };

/** The current identity policies, as the rollback restores them. */
function currentPolicies(input: RecommendInput): CurrentPolicy[] {
  const { principal } = input.permissions;
  return principal.policies.map((p) => {
    const group = /^arn:[^:]+:iam::\d+:group\/(?:.*\/)?([^/#]+)#inline\//.exec(p.id)?.[1];
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      ...(group ? { viaGroup: group } : {}),
      ...(p.kind === 'aws-managed' ? {} : { document: p.document }),
    };
  });
}

/**
 * IAM Identity Center owns its `AWSReservedSSO_<set>_<id>` roles: a rewrite is applied to the
 * permission set. https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
 */
function applyVia(roleName: string): { applyVia?: string } {
  const set = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(roleName)?.[1];
  return set
    ? {
        applyVia: `the IAM Identity Center permission set "${set}" (its inline policy and managed policies), not the role`,
      }
    : {};
}

/**
 * Removed actions for the report: the services none of whose granted actions was kept as one
 * entry (`*`, with their prefixes), and, for the services partly kept, one entry per removed
 * action or one per service when several. An admin's 400 unused services stay one line.
 */
function groupRemoved(
  catalog: Catalog,
  granted: ActionSet,
  removed: ActionSet,
  people: readonly string[],
): PermissionEvidence[] {
  const out: PermissionEvidence[] = [];
  const unused: { prefix: string; ids: number[] }[] = [];
  for (const service of catalog.services.values()) {
    const ids: number[] = [];
    let grantedHere = 0;
    for (let id = service.first; id < service.first + service.actions.size; id += 1) {
      if (has(granted, id)) grantedHere += 1;
      if (has(removed, id)) ids.push(id);
    }
    if (ids.length === 0) continue;
    if (ids.length === grantedHere) unused.push({ prefix: service.prefix, ids });
    else out.push(serviceEntry(catalog, service.prefix, ids, people));
  }
  if (unused.length === 1)
    out.unshift(serviceEntry(catalog, unused[0]!.prefix, unused[0]!.ids, people));
  else if (unused.length > 1) {
    const total = unused.reduce((n, u) => n + u.ids.length, 0);
    const names = unused.map((u) => u.prefix);
    out.unshift({
      action: '*',
      confidence: 'unused',
      count: 0,
      actionCount: total,
      services: names,
      reason: `removed: ${total.toLocaleString('en-US')} actions of ${names.length} services none of which was used in the window (${names.slice(0, 8).join(', ')}${names.length > 8 ? `, and ${names.length - 8} more` : ''})`,
    });
  }
  return out;
}

/** One removed action, or several of one service as `service:*`. */
function serviceEntry(
  catalog: Catalog,
  prefix: string,
  ids: readonly number[],
  people: readonly string[],
): PermissionEvidence {
  if (ids.length === 1)
    return describeEvidence(
      {
        action: catalog.actions[ids[0]!]!,
        confidence: 'unused',
        count: 0,
        lastUsed: undefined,
        resources: undefined,
      },
      false,
      undefined,
      people,
    );
  return {
    action: `${prefix}:*`,
    confidence: 'unused',
    count: 0,
    actionCount: ids.length,
    reason: `removed: ${ids.length} actions of ${prefix}, none used in the window, and their use would have been recorded`,
  };
}

/** Builds, fits and proves the rewrite of one principal. */
export function recommend(input: RecommendInput): RecommendOutput {
  const { catalog, permissions } = input;
  const { principal } = permissions;
  const granted = possibleActions(permissions);
  const grading = gradePrincipal(catalog, granted, input.activity, input.recordedDataEvents);
  const { kept, impliedBy, evidence } = grading;
  const people = input.activity.people;
  const keptEvidence = members(kept).map((id) =>
    describeEvidence(evidence.get(id)!, true, impliedBy.get(id), people),
  );
  const removedSet = difference(granted, kept);
  const removed = groupRemoved(catalog, granted, removedSet, people);
  const base = {
    principal: principal.arn,
    account: principal.account,
    kept: keptEvidence,
    removed,
    current: currentPolicies(input),
  };
  /** The outcome when no rewrite is proposed, with why. */
  const unproposed = (status: 'keep' | 'not-proposed', reason: string): RecommendOutput => ({
    grading,
    recommendation: {
      ...base,
      status,
      reason,
      proposed: [],
      proof: { noNewAccess: NOT_CHECKED, usageCovered: NOT_CHECKED },
      terraform: '',
    },
  });
  // AWS owns the policies of service-linked roles: they cannot be edited.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
  if (principal.serviceLinked)
    return unproposed(
      'keep',
      'a service-linked role: AWS defines its permissions and they cannot be edited',
    );
  if (removed.length === 0)
    return unproposed('keep', 'every granted action was used, or its use cannot be observed');

  const facts = principalFacts(principal, input.organizationId);
  const applies = (o: StatementOrigin) =>
    o.source.policy !== undefined &&
    summarizeStatement(catalog, o.source.policy, o.statement, facts, principal.type === 'user') !==
      undefined;
  const draft = draftStatements(
    catalog,
    identityStatements(principal),
    new Set(members(kept)),
    evidence,
    applies,
  );
  const fitted = fitDraft(catalog, draft, principal);
  if (!fitted.ok) return unproposed('not-proposed', fitted.reason);
  const proofInput = {
    catalog,
    principal,
    scpLevels: input.scpLevels,
    organizationId: input.organizationId,
    current: permissions,
    proposed: fitted.policies.map((p) => p.document),
  };
  const uses = input.activity.uses
    .filter((u) => u.source === 'cloudtrail')
    .map((u) => ({ action: u.action, resource: u.resource }));
  const proof = {
    noNewAccess: proveNoNewAccess(proofInput),
    usageCovered: proveUsageCovered(proofInput, uses),
  };
  const failed = [
    ...(proof.noNewAccess.holds ? [] : ['noNewAccess']),
    ...(proof.usageCovered.holds ? [] : ['usageCovered']),
  ];
  return {
    grading,
    recommendation: {
      ...base,
      status: failed.length === 0 ? 'proposed' : 'not-proposed',
      ...(failed.length > 0
        ? { reason: `the rewrite failed its proof: ${failed.join(' and ')}` }
        : fitted.compressed
          ? { reason: 'action lists compressed with wildcards to fit the size limit' }
          : {}),
      proposed: fitted.policies,
      ...applyVia(principal.name),
      proof,
      terraform: failed.length === 0 ? terraformFor(principal, fitted.policies) : '',
    },
  };
}
