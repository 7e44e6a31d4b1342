/**
 * Per-principal summaries of effective permissions: counts by access class and access level,
 * services touched, admin-equivalence and sensitive capabilities. Small enough to print one JSON
 * line per principal for 10,000 principals.
 */
import { addTo, count, emptySet, intersect, type ActionSet } from '../catalog/action-set.js';
import type { Catalog } from '../catalog/catalog.js';
import {
  sensitiveCapabilities,
  type Capability,
  type SensitiveActionTags,
} from './capabilities.js';
import { possibleActions, type EffectivePermissions } from './effective.js';

/** The five access levels of the Service Authorization Reference. */
export const ACCESS_LEVELS = [
  'List',
  'Read',
  'Write',
  'Permissions management',
  'Tagging',
] as const;
/** One access level. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** The `--format summary` line for one principal (a public JSON contract). */
export interface PrincipalSummary {
  readonly arn: string;
  readonly account: string;
  readonly kind: 'human' | 'machine';
  readonly kindReason: string;
  readonly allowed: number;
  readonly allowedOnSomeResources: number;
  readonly conditional: number;
  readonly byAccessLevel: Readonly<Record<AccessLevel, number>>;
  readonly services: number;
  readonly adminEquivalent: boolean;
  readonly sensitive: readonly Capability[];
}

const levelCache = new WeakMap<Catalog, ReadonlyMap<AccessLevel, ActionSet>>();

/**
 * The catalog's actions by access level. iam-data writes "Permissions management, Write" and
 * "Tagging, Write"; the first level named is the one the Service Authorization Reference lists.
 */
export function accessLevelSets(catalog: Catalog): ReadonlyMap<AccessLevel, ActionSet> {
  let sets = levelCache.get(catalog);
  if (!sets) {
    const built = new Map<AccessLevel, ActionSet>(
      ACCESS_LEVELS.map((l) => [l, emptySet(catalog.actions.length)]),
    );
    for (const action of catalog.actions) {
      const level = action.accessLevel.split(',')[0]!.trim() as AccessLevel;
      const set = built.get(level);
      if (set) addTo(set, action.id);
    }
    sets = built;
    levelCache.set(catalog, sets);
  }
  return sets;
}

/** True when any action numbered `first` to `first + n - 1` is in the set. */
function anyInRange(set: ActionSet, first: number, n: number): boolean {
  for (let id = first; id < first + n; id += 1) {
    const word = set[id >>> 5]!;
    if (word === 0) {
      id = id | 31;
      continue;
    }
    if ((word & (1 << (id & 31))) !== 0) return true;
  }
  return false;
}

/** Summarizes one principal's effective permissions. */
export function summarize(
  catalog: Catalog,
  permissions: EffectivePermissions,
  tags: SensitiveActionTags | undefined,
): PrincipalSummary {
  const possible = possibleActions(permissions);
  const levels = accessLevelSets(catalog);
  const byAccessLevel = Object.fromEntries(
    ACCESS_LEVELS.map((l) => [l, count(intersect(possible, levels.get(l)!))]),
  ) as Record<AccessLevel, number>;
  let services = 0;
  for (const service of catalog.services.values())
    if (anyInRange(possible, service.first, service.actions.size)) services += 1;
  const sensitive = sensitiveCapabilities(catalog, permissions, tags);
  const { principal } = permissions;
  return {
    arn: principal.arn,
    account: principal.account,
    kind: principal.kind,
    kindReason: principal.kindReason.message,
    allowed: count(permissions.allowed),
    allowedOnSomeResources: count(permissions.someResources),
    conditional: count(permissions.conditional),
    byAccessLevel,
    services,
    adminEquivalent: sensitive.some((c) => c.capability === 'admin-equivalent'),
    sensitive,
  };
}
