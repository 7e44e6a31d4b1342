/**
 * The evidence for each action granted to a principal: used in the window (CloudTrail), used per
 * IAM Access Advisor (coarser), not observable (a data-plane action in an account whose trail
 * records no such data events), or unused. What a rewrite keeps follows from it.
 */
import {
  has,
  members,
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

/** Grades every granted action of a principal. */
export function gradeActions(
  catalog: Catalog,
  granted: ActionSet,
  activity: PrincipalActivity,
  /** Data-event classes (`s3`, `lambda`, …) the principal's account records. */
  recordedDataEvents: ReadonlySet<string>,
): ActionEvidence[] {
  const byAction = new Map<string, ResourceUse[]>();
  const advisorServices = new Set<string>();
  for (const use of activity.uses) {
    const key = use.action.toLowerCase();
    // Access Advisor's service-level evidence is stored as `service:*`.
    if (key.endsWith(':*')) advisorServices.add(key.slice(0, -2));
    else byAction.set(key, [...(byAction.get(key) ?? []), use]);
  }
  return members(granted).map((id) => {
    const action = catalog.actions[id]!;
    const uses = byAction.get(action.fullName.toLowerCase()) ?? [];
    const count = uses.reduce((n, u) => n + u.count, 0);
    const lastUsed = uses.reduce<string | undefined>(
      (last, u) => (last === undefined || u.lastSeen > last ? u.lastSeen : last),
      undefined,
    );
    const trail = uses.filter((u) => u.source === 'cloudtrail');
    let confidence: Confidence;
    if (trail.length > 0) confidence = 'used';
    else if (uses.length > 0 || advisorServices.has(action.service))
      confidence = 'used-per-access-advisor';
    else {
      const dataClass = dataEventClass(action);
      confidence = dataClass && !recordedDataEvents.has(dataClass) ? 'unknown' : 'unused';
    }
    const named = trail.map((u) => u.resource);
    const scoped =
      confidence === 'used' &&
      action.resourceTypes.length > 0 &&
      trail.length === uses.length &&
      named.every((r) => r !== '' && arnService(r) === action.service);
    return {
      action,
      confidence,
      count,
      lastUsed,
      resources: scoped ? generaliseObjects(named) : undefined,
    };
  });
}

/** The actions to keep: used (either source), not observable, and what kept actions imply. */
export function keptActions(
  catalog: Catalog,
  granted: ActionSet,
  graded: readonly ActionEvidence[],
): { kept: Set<number>; impliedBy: Map<number, string> } {
  const kept = new Set<number>();
  for (const g of graded) if (g.confidence !== 'unused') kept.add(g.action.id);
  const impliedBy = new Map<number, string>();
  for (const g of graded) {
    if (g.confidence !== 'used' && g.confidence !== 'used-per-access-advisor') continue;
    for (const name of IMPLIED_ACTIONS[g.action.fullName.toLowerCase()] ?? []) {
      const [service, action] = name.toLowerCase().split(':') as [string, string];
      const implied = catalog.services.get(service)?.actions.get(action);
      if (!implied || !has(granted, implied.id) || kept.has(implied.id)) continue;
      kept.add(implied.id);
      impliedBy.set(implied.id, g.action.fullName);
    }
  }
  return { kept, impliedBy };
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
