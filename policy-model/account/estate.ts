/**
 * Effective permissions for a whole snapshot: every principal with its account's SCP levels, and
 * the public JSON shapes of `leastpriv permissions`.
 */
import { addTo, emptySet, intersect, members, type ActionSet } from '../catalog/action-set.js';
import type { Catalog } from '../catalog/catalog.js';
import { compileGlob } from '../aws/wildcard.js';
import type { Principal, Snapshot } from './account.js';
import {
  actionAccess,
  effectivePermissions,
  possibleActions,
  type ActionAccess,
  type EffectivePermissions,
} from './effective.js';
import { policyLevels } from './organization.js';

/** Which principals to compute. */
export interface EstateFilter {
  readonly principal?: string;
}

/** Every matching principal of the snapshot. */
export function principalsOf(
  snapshot: Snapshot,
  filter: EstateFilter = {},
): { principal: Principal; account: string }[] {
  return snapshot.accounts.flatMap((a) =>
    a.principals
      .filter((p) => filter.principal === undefined || p.arn === filter.principal)
      .map((principal) => ({ principal, account: a.id })),
  );
}

/** Computes effective permissions for each matching principal, one at a time (bounded memory). */
export function* estatePermissions(
  snapshot: Snapshot,
  catalog: Catalog,
  filter: EstateFilter = {},
): Generator<EffectivePermissions> {
  const levels = new Map<string, ReturnType<typeof policyLevels>>();
  for (const { principal, account } of principalsOf(snapshot, filter)) {
    if (!levels.has(account))
      levels.set(account, policyLevels(snapshot.organization, account, 'SERVICE_CONTROL_POLICY'));
    yield effectivePermissions({
      catalog,
      principal,
      scpLevels: levels.get(account),
      organizationId: snapshot.organization?.id,
    });
  }
}

/** The catalog actions an action pattern (`s3:Get*`, `*`) covers. */
export function actionFilter(catalog: Catalog, pattern: string): ActionSet {
  const test = compileGlob(pattern.toLowerCase(), true);
  const set = emptySet(catalog.actions.length);
  for (const action of catalog.actions)
    if (test(action.fullName.toLowerCase())) addTo(set, action.id);
  return set;
}

/** One principal in `leastpriv permissions --format json` (a public JSON contract). */
export interface PrincipalPermissions {
  readonly arn: string;
  readonly kind: 'human' | 'machine';
  readonly kindReason: string;
  readonly actions: readonly ActionAccess[];
}

/** The actions a principal is not denied, optionally only those in `only`. */
export function principalPermissions(
  catalog: Catalog,
  permissions: EffectivePermissions,
  only?: ActionSet,
): PrincipalPermissions {
  let possible = possibleActions(permissions);
  if (only) possible = intersect(possible, only);
  const actions = members(possible).flatMap((id) => actionAccess(catalog, permissions, id) ?? []);
  const { principal } = permissions;
  return {
    arn: principal.arn,
    kind: principal.kind,
    kindReason: principal.kindReason.message,
    actions,
  };
}
