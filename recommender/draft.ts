/**
 * Drafting a least-privilege policy from a principal's current identity policies: every new Allow
 * statement is cut from an old one (its actions a subset of the old statement's, its resources
 * covered by the old statement's, its Condition copied verbatim), and every old Deny that touches
 * a kept action is copied verbatim. So, by construction, nothing new is granted; `proof.ts`
 * checks it independently rather than trusting this.
 */
import {
  actionSetOf,
  globCovers,
  has,
  type Catalog,
  type Principal,
  type PolicySource,
  type Statement,
} from '../policy-model/index.js';
import type { ActionEvidence } from './evidence.js';
import type { PolicyJson } from './model.js';

/** An identity-policy statement with the policy it is in and its JSON as written. */
export interface StatementOrigin {
  readonly source: PolicySource;
  readonly statement: Statement;
  readonly json: Readonly<Record<string, unknown>>;
}

/** Every statement of a principal's identity policies (those that parsed). */
export function identityStatements(principal: Principal): StatementOrigin[] {
  return principal.policies.flatMap((source) => {
    if (!source.policy) return [];
    const doc = source.document as { Statement?: unknown };
    const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    return source.policy.statements.map((statement) => ({
      source,
      statement,
      json: (list[statement.index] ?? {}) as Record<string, unknown>,
    }));
  });
}

/** The written resource patterns of a statement (`Resource` or `NotResource`). */
export function resourceTexts(statement: Statement): string[] {
  return statement.resources.kind === 'implied'
    ? []
    : statement.resources.patterns.map((p) => p.template.text);
}

/**
 * Whether a `Resource` statement certainly covers `resource` (an ARN or an ARN glob such as
 * `bucket/*`). Patterns holding policy variables and `NotResource` statements never certainly
 * cover anything: their resources are kept as written instead.
 */
export function statementCovers(statement: Statement, resource: string): boolean {
  if (statement.resources.kind !== 'resource') return false;
  const glob = /[*?]/.test(resource);
  return statement.resources.patterns.some((p) => {
    if (p.template.hasVariables) return false;
    return glob || !p.test ? globCovers(p.template.text, resource) : p.test(resource);
  });
}

/** A drafted Allow statement: actions by catalog number. */
export interface DraftAllow {
  readonly resourceKey: 'Resource' | 'NotResource';
  readonly resources: readonly string[];
  readonly condition: unknown;
  readonly actions: Set<number>;
}

/** The draft: Allow statements to write and Deny statements copied as they were. */
export interface Draft {
  readonly allows: readonly DraftAllow[];
  readonly denies: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Drafts the statements that keep `kept` and nothing else. `applies` tells whether a statement can
 * apply to the principal at all (its conditions on the principal's own keys hold): one that cannot
 * grants it nothing, so it neither scopes a kept action nor is copied.
 */
export function draftStatements(
  catalog: Catalog,
  origins: readonly StatementOrigin[],
  kept: ReadonlySet<number>,
  evidence: ReadonlyMap<number, ActionEvidence>,
  applies: (origin: StatementOrigin) => boolean,
): Draft {
  const allows = origins.filter((o) => o.statement.effect === 'Allow' && applies(o));
  const groups = new Map<string, DraftAllow>();
  const add = (
    resourceKey: DraftAllow['resourceKey'],
    resources: readonly string[],
    condition: unknown,
    action: number,
  ) => {
    const sorted = [...new Set(resources)].sort();
    const key = JSON.stringify([resourceKey, sorted, condition ?? null]);
    let group = groups.get(key);
    if (!group) {
      group = { resourceKey, resources: sorted, condition, actions: new Set() };
      groups.set(key, group);
    }
    group.actions.add(action);
  };
  for (const id of [...kept].sort((a, b) => a - b)) {
    const holders = allows.filter((o) => has(actionSetOf(catalog, o.statement.actions), id));
    const seen = evidence.get(id)?.resources;
    // Scope to the resources seen only when each holder's resources are plain patterns (a
    // `NotResource` or a policy variable may grant a seen resource in a way we cannot cut down)
    // and every seen resource is certainly covered by a holder.
    const plain = holders.every(
      (o) =>
        o.statement.resources.kind === 'resource' &&
        o.statement.resources.patterns.every((p) => !p.template.hasVariables),
    );
    const scoped =
      seen !== undefined &&
      plain &&
      seen.every((r) => holders.some((o) => statementCovers(o.statement, r)));
    for (const o of holders) {
      const condition = o.json['Condition'];
      if (scoped) {
        const covered = seen.filter((r) => statementCovers(o.statement, r));
        if (covered.length > 0) add('Resource', covered, condition, id);
      } else {
        const key = o.statement.resources.kind === 'not-resource' ? 'NotResource' : 'Resource';
        add(key, resourceTexts(o.statement), condition, id);
      }
    }
  }
  const denies = origins
    .filter((o) => o.statement.effect === 'Deny')
    .filter((o) => {
      const set = actionSetOf(catalog, o.statement.actions);
      return [...kept].some((id) => has(set, id));
    })
    .map((o) => o.json);
  return { allows: [...groups.values()], denies };
}

/** Writes a draft's statements as IAM JSON, with the given action lists per Allow statement. */
export function writeStatements(
  draft: Draft,
  actionLists: readonly (readonly string[])[],
): Record<string, unknown>[] {
  const allows = draft.allows.map((a, i) => ({
    Sid: `Keep${i + 1}`,
    Effect: 'Allow',
    Action: actionLists[i]!.length === 1 ? actionLists[i]![0] : actionLists[i],
    [a.resourceKey]: a.resources.length === 1 ? a.resources[0] : a.resources,
    ...(a.condition !== undefined ? { Condition: a.condition } : {}),
  }));
  return [...allows, ...draft.denies.map((d) => ({ ...d }))];
}

/** Wraps statements in a policy document. */
export function policyDocument(statements: readonly Record<string, unknown>[]): PolicyJson {
  return { Version: '2012-10-17', Statement: statements };
}
