/**
 * The evidence for each action granted to a principal: used in the window (CloudTrail), used per
 * IAM Access Advisor (coarser), not observable (a data-plane action in an account whose trail
 * records no such data events), or unused. What a rewrite keeps follows from it.
 */
import {
  addTo,
  difference,
  emptySet,
  has,
  intersect,
  members,
  union,
  unionInto,
  type ActionSet,
  type Catalog,
  type CatalogAction,
} from '../policy-model/index.js';
import type { ResourceUse } from '../usage/facts.js';
import { dataEventClass } from '../usage/cloudtrail/data-events.js';
import type { Confidence, PermissionEvidence } from './model.js';

/** A principal's activity in the window. */
export interface PrincipalActivity {
  /** Uses per action, resource and source in the window (`usage.resourceUses`). */
  readonly uses: readonly ResourceUse[];
  /** People seen behind the principal's sessions in the window. */
  readonly people: readonly string[];
}

/** One granted action with its evidence and the resources it was seen on. */
export interface ActionEvidence {
  readonly action: CatalogAction;
  readonly confidence: Confidence;
  readonly count: number;
  readonly lastUsed: string | undefined;
  /**
   * The resources CloudTrail named for it (generalised: several objects of a bucket become
   * `bucket/*`), or undefined when some use named none, Access Advisor is the only source, or the
   * action has no resource-level permissions: then a rewrite keeps the original resources.
   */
  readonly resources: readonly string[] | undefined;
}

/**
 * Actions CloudTrail does not log as calls of their own but that kept actions need: the role
 * passed to a service (`iam:PassRole`) and the KMS key behind SSE-KMS objects. Kept only when
 * already granted. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
 */
export const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'lambda:createfunction': ['iam:PassRole'],
  'lambda:updatefunctionconfiguration': ['iam:PassRole'],
  'ec2:runinstances': ['iam:PassRole'],
  'ec2:associateiaminstanceprofile': ['iam:PassRole'],
  'ecs:runtask': ['iam:PassRole'],
  'ecs:registertaskdefinition': ['iam:PassRole'],
  'cloudformation:createstack': ['iam:PassRole'],
  'cloudformation:updatestack': ['iam:PassRole'],
  'glue:createjob': ['iam:PassRole'],
  'states:createstatemachine': ['iam:PassRole'],
  's3:getobject': ['kms:Decrypt'],
  's3:putobject': ['kms:GenerateDataKey', 'kms:Decrypt'],
};

/** `arn:partition:service:…`: the service segment, or undefined. */
function arnService(arn: string): string | undefined {
  return /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];
}

/** Several objects of a bucket, or a use already widened to `bucket/*`, become `bucket/*`. */
export function generaliseObjects(resources: readonly string[]): string[] {
  const objects = new Map<string, Set<string>>();
  const out = new Set<string>();
  for (const r of resources) {
    const m = /^(arn:[^:]+:s3:::[^/]+)\/(.+)$/.exec(r);
    if (!m) out.add(r);
    else {
      const keys = objects.get(m[1]!) ?? new Set();
      keys.add(m[2]!);
      objects.set(m[1]!, keys);
    }
  }
  for (const [bucket, keys] of objects) {
    if (keys.size === 1 && !keys.has('*')) out.add(`${bucket}/${[...keys][0]}`);
    else out.add(`${bucket}/*`);
  }
  return [...out].sort();
}

/** Per catalog: the actions of each data-event class, as bitsets (computed once). */
const dataClassSets = new WeakMap<Catalog, ReadonlyMap<string, ActionSet>>();

function classSets(catalog: Catalog): ReadonlyMap<string, ActionSet> {
  let sets = dataClassSets.get(catalog);
  if (!sets) {
    const built = new Map<string, ActionSet>();
    for (const action of catalog.actions) {
      const kind = dataEventClass(action);
      if (!kind) continue;
      let set = built.get(kind);
      if (!set) {
        set = emptySet(catalog.actions.length);
        built.set(kind, set);
      }
      addTo(set, action.id);
    }
    sets = built;
    dataClassSets.set(catalog, sets);
  }
  return sets;
}

/** A principal's granted actions graded: what is kept, with evidence, and what was used. */
export interface Grading {
  readonly granted: ActionSet;
  /** Granted actions to keep: used, not observable, or needed by kept ones. */
  readonly kept: ActionSet;
  /** Granted actions seen used (CloudTrail or Access Advisor). */
  readonly used: ActionSet;
  /** Evidence of every kept action (the unused ones have none to tell). */
  readonly evidence: ReadonlyMap<number, ActionEvidence>;
  /** Kept actions that are there because a kept action needs them: by whom. */
  readonly impliedBy: ReadonlyMap<number, string>;
}

/**
 * Grades every granted action of a principal with bitsets (an admin holds all 22,000 actions:
 * only the used and the unobservable ones get an evidence record).
 */
export function gradePrincipal(
  catalog: Catalog,
  granted: ActionSet,
  activity: PrincipalActivity,
  /** Data-event classes (`s3`, `lambda`, …) the principal's account records. */
  recordedDataEvents: ReadonlySet<string>,
): Grading {
  const size = catalog.actions.length;
  const byAction = new Map<number, ResourceUse[]>();
  const advisor = emptySet(size);
  for (const use of activity.uses) {
    const [service, name] = use.action.toLowerCase().split(':') as [string, string];
    const entry = catalog.services.get(service);
    if (!entry) continue;
    // Access Advisor's service-level evidence is stored as `service:*`.
    if (name === '*') {
      for (let id = entry.first; id < entry.first + entry.actions.size; id += 1) addTo(advisor, id);
      continue;
    }
    const action = entry.actions.get(name);
    if (!action) continue;
    const list = byAction.get(action.id);
    if (list) list.push(use);
    else byAction.set(action.id, [use]);
  }
  const used = emptySet(size);
  for (const id of byAction.keys()) addTo(used, id);
  unionInto(used, advisor);
  const seen = intersect(granted, used);
  let unobservable = emptySet(size);
  for (const [kind, set] of classSets(catalog))
    if (!recordedDataEvents.has(kind)) unobservable = union(unobservable, set);
  const kept = union(seen, intersect(granted, difference(unobservable, used)));

  const evidence = new Map<number, ActionEvidence>();
  for (const id of members(kept)) {
    const action = catalog.actions[id]!;
    const uses = byAction.get(id) ?? [];
    const trail = uses.filter((u) => u.source === 'cloudtrail');
    const confidence: Confidence =
      trail.length > 0 ? 'used' : has(used, id) ? 'used-per-access-advisor' : 'unknown';
    const named = trail.map((u) => u.resource);
    const scoped =
      confidence === 'used' &&
      action.resourceTypes.length > 0 &&
      trail.length === uses.length &&
      named.every((r) => r !== '' && arnService(r) === action.service);
    evidence.set(id, {
      action,
      confidence,
      count: uses.reduce((n, u) => n + u.count, 0),
      lastUsed: uses.reduce<string | undefined>(
        (last, u) => (last === undefined || u.lastSeen > last ? u.lastSeen : last),
        undefined,
      ),
      resources: scoped ? generaliseObjects(named) : undefined,
    });
  }

  // What kept actions need and CloudTrail does not show, when already granted.
  const impliedBy = new Map<number, string>();
  for (const id of members(seen)) {
    const action = catalog.actions[id]!;
    for (const name of IMPLIED_ACTIONS[action.fullName.toLowerCase()] ?? []) {
      const [service, implied] = name.toLowerCase().split(':') as [string, string];
      const needed = catalog.services.get(service)?.actions.get(implied);
      if (!needed || !has(granted, needed.id) || has(kept, needed.id)) continue;
      addTo(kept, needed.id);
      impliedBy.set(needed.id, action.fullName);
      evidence.set(needed.id, {
        action: needed,
        confidence: 'unused',
        count: 0,
        lastUsed: undefined,
        resources: undefined,
      });
    }
  }
  return { granted, kept, used: seen, evidence, impliedBy };
}

/** The report's view of one action's evidence. */
export function describeEvidence(
  g: ActionEvidence,
  kept: boolean,
  impliedBy: string | undefined,
  people: readonly string[],
): PermissionEvidence {
  const reason = impliedBy
    ? `kept: ${impliedBy} needs it, and CloudTrail does not record it as a call of its own`
    : g.confidence === 'used'
      ? `kept: used ${g.count} time(s) in the window`
      : g.confidence === 'used-per-access-advisor'
        ? 'kept: IAM Access Advisor saw its service (or it) used; action-level use is unknown'
        : g.confidence === 'unknown'
          ? "kept: a data-plane action, and this account's trail records no such data events, so its use is unknown"
          : kept
            ? 'kept'
            : 'removed: not used in the window, and its use would have been recorded';
  return {
    action: g.action.fullName,
    confidence: g.confidence,
    count: g.count,
    ...(g.lastUsed ? { lastUsed: g.lastUsed } : {}),
    ...(g.resources ? { resources: g.resources } : {}),
    ...(g.confidence === 'used' && people.length > 0 ? { people } : {}),
    reason,
  };
}
