/**
 * Effective permissions: for one principal, every catalog action is denied, allowed on all
 * resources, allowed on some resources (patterns), or allowed only under conditions. Computed with
 * bitsets over the catalog: each statement is summarized once (shared by every principal that
 * attaches its policy), then combined per principal. The request evaluator is the reference:
 * test/policy-model/account/effective.property.test.ts checks that both agree.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { evaluateCondition, type CompiledCondition } from '../aws/conditions/condition.js';
import type { Policy, Statement } from '../aws/policy.js';
import { contextOf, type RequestContext } from '../aws/request.js';
import { resolveTemplate } from '../aws/variables.js';
import {
  difference,
  emptySet,
  has,
  intersect,
  union,
  unionInto,
  type ActionSet,
} from '../catalog/action-set.js';
import type { Catalog } from '../catalog/catalog.js';
import { actionSetOf } from '../catalog/expand.js';
import type { Principal } from './account.js';

/** Condition keys whose value is known from the principal alone, so they can be decided now. */
const PRINCIPAL_KEYS =
  /^aws:(principalarn|principalaccount|username|principaltype|principalisawsservice|principalorgid|principaltag\/.+)$/;
/** For users `aws:userid` is their unique id too; for roles it also holds the session name. */
const USER_KEYS = /^aws:userid$/;

/** How one statement applies to one principal, reduced as far as the principal allows. */
export interface StatementSummary {
  readonly policy: string;
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionSet;
  /** `all`: every resource; `some`: resources matching `patterns`; `not`: all but `patterns`. */
  readonly resources:
    | { readonly kind: 'all' }
    | { readonly kind: 'some' | 'not'; readonly patterns: readonly string[] };
  /** Conditions that depend on the request (the principal-only ones are already decided). */
  readonly conditions: readonly CompiledCondition[];
}

/** The request context that a principal alone determines. */
export function principalFacts(
  principal: Principal,
  organizationId: string | undefined,
): RequestContext {
  const values: Record<string, string> = {
    'aws:PrincipalArn': principal.arn,
    'aws:PrincipalAccount': principal.account,
    'aws:PrincipalType': principal.type === 'user' ? 'User' : 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
  };
  if (principal.type === 'user') {
    values['aws:username'] = principal.name;
    values['aws:userid'] = principal.id;
  }
  if (organizationId) values['aws:PrincipalOrgID'] = organizationId;
  for (const [k, v] of Object.entries(principal.tags)) values[`aws:PrincipalTag/${k}`] = v;
  return contextOf(values);
}

/** Summarizes one statement for a principal; `undefined` when the principal's facts rule it out. */
export function summarizeStatement(
  catalog: Catalog,
  policy: Policy,
  statement: Statement,
  facts: RequestContext,
  isUser: boolean,
): StatementSummary | undefined {
  const decidable = (key: string) => PRINCIPAL_KEYS.test(key) || (isUser && USER_KEYS.test(key));
  const remaining: CompiledCondition[] = [];
  for (const condition of statement.conditions) {
    if (decidable(condition.key)) {
      if (!evaluateCondition(condition, facts)) return undefined;
    } else remaining.push(condition);
  }
  let resources: StatementSummary['resources'];
  const element = statement.resources;
  if (element.kind === 'implied') resources = { kind: 'all' };
  else {
    const patterns: string[] = [];
    for (const pattern of element.patterns) {
      if (!pattern.template.hasVariables) patterns.push(pattern.template.text);
      else {
        const parts = resolveTemplate(pattern.template, facts);
        if (parts) patterns.push(parts.map((p) => p.text).join(''));
        // A principal variable the principal lacks matches nothing; a request-dependent one
        // (`${aws:SourceIp}`) keeps its text.
        else if (!pattern.template.parts.every((p) => p.kind !== 'variable' || decidable(p.key)))
          patterns.push(pattern.template.text);
      }
    }
    if (element.kind === 'resource') {
      if (patterns.length === 0) return undefined; // matches no resource
      resources = patterns.includes('*') ? { kind: 'all' } : { kind: 'some', patterns };
    } else {
      if (patterns.includes('*')) return undefined; // NotResource "*" matches no resource
      resources = patterns.length === 0 ? { kind: 'all' } : { kind: 'not', patterns };
    }
  }
  return {
    policy: policy.id,
    index: statement.index,
    sid: statement.sid,
    effect: statement.effect,
    actions: actionSetOf(catalog, statement.actions),
    resources,
    conditions: remaining,
  };
}

/** A policy type's statements split into the bitsets the combination needs. */
interface Layer {
  /** Unconditional, every resource. */
  readonly all: ActionSet;
  /** Unconditional, some resources. */
  readonly some: ActionSet;
  /** Conditional. */
  readonly conditional: ActionSet;
  readonly statements: readonly StatementSummary[];
}

function layer(size: number, summaries: readonly StatementSummary[]): Layer {
  // In-place ORs into fresh sets: allocating a set per statement doubled the time in GC
  // (bench/effective.bench.ts).
  const all = emptySet(size);
  const some = emptySet(size);
  const conditional = emptySet(size);
  for (const s of summaries) {
    if (s.conditions.length > 0) unionInto(conditional, s.actions);
    else if (s.resources.kind === 'all') unionInto(all, s.actions);
    else unionInto(some, s.actions);
  }
  return { all, some, conditional, statements: summaries };
}

/** Every action a layer allows in some way. */
function anyAllow(l: Layer): ActionSet {
  return union(union(l.all, l.some), l.conditional);
}

/** The effective permissions of one principal, as bitsets plus the statements behind them. */
export interface EffectivePermissions {
  readonly principal: Principal;
  /** Allowed on every resource, unconditionally. */
  readonly allowed: ActionSet;
  /** Allowed unconditionally, but only on some resources. */
  readonly someResources: ActionSet;
  /** Allowed only when request conditions hold. */
  readonly conditional: ActionSet;
  readonly identity: readonly StatementSummary[];
  readonly boundary: readonly StatementSummary[] | undefined;
  readonly scpLevels: readonly (readonly StatementSummary[])[] | undefined;
  readonly denies: readonly StatementSummary[];
}

/** What one principal's computation needs. */
export interface EffectiveInput {
  readonly catalog: Catalog;
  readonly principal: Principal;
  /** SCP levels of the principal's account (undefined: no organization, management account). */
  readonly scpLevels: readonly (readonly Policy[])[] | undefined;
  readonly organizationId: string | undefined;
}

/** Computes one principal's effective permissions over the whole catalog. */
export function effectivePermissions(input: EffectiveInput): EffectivePermissions {
  const { catalog, principal } = input;
  const size = catalog.actions.length;
  const facts = principalFacts(principal, input.organizationId);
  const summarize = (policies: readonly Policy[]): StatementSummary[] =>
    policies.flatMap((p) =>
      p.statements.flatMap(
        (s) => summarizeStatement(catalog, p, s, facts, principal.type === 'user') ?? [],
      ),
    );
  const policiesOf = (sources: readonly { policy: Policy | undefined }[]) =>
    sources.flatMap((s) => (s.policy ? [s.policy] : []));

  const identity = summarize(policiesOf(principal.policies));
  const boundary = principal.boundary?.policy ? summarize([principal.boundary.policy]) : undefined;
  // Service-linked roles are not affected by SCPs.
  const scpLevels =
    input.scpLevels && !principal.serviceLinked
      ? input.scpLevels.map((level) => summarize(level))
      : undefined;

  const allStatements = [...identity, ...(boundary ?? []), ...(scpLevels ?? []).flat()];
  const denies = allStatements.filter((s) => s.effect === 'Deny');
  const denyLayer = layer(size, denies);
  const allowLayer = layer(
    size,
    identity.filter((s) => s.effect === 'Allow'),
  );
  const limits = [...(boundary ? [boundary] : []), ...(scpLevels ?? [])].map((level) =>
    layer(
      size,
      level.filter((s) => s.effect === 'Allow'),
    ),
  );

  // Denied outright: an unconditional Deny on every resource, or no Allow in some layer.
  let possible = difference(anyAllow(allowLayer), denyLayer.all);
  for (const limit of limits) possible = intersect(possible, anyAllow(limit));

  // Conditional: in some layer the action is allowed only under conditions, or on some resources
  // unconditionally and elsewhere under conditions; or a conditional Deny may apply.
  const dependsOnRequest = (l: Layer): ActionSet =>
    union(
      difference(possible, union(l.all, l.some)),
      difference(intersect(l.some, l.conditional), l.all),
    );
  let conditional = intersect(possible, dependsOnRequest(allowLayer));
  for (const limit of limits)
    conditional = union(conditional, intersect(possible, dependsOnRequest(limit)));
  conditional = union(conditional, intersect(possible, denyLayer.conditional));

  // Everywhere: every layer allows on all resources, and no partial Deny touches it.
  let allowed = difference(intersect(possible, allowLayer.all), conditional);
  for (const limit of limits) allowed = intersect(allowed, limit.all);
  allowed = difference(allowed, denyLayer.some);

  const someResources = difference(difference(possible, conditional), allowed);
  return { principal, allowed, someResources, conditional, identity, boundary, scpLevels, denies };
}

/** The access an action gets, with the resources and conditions behind it. */
export interface ActionAccess {
  readonly action: string;
  readonly access: 'allowed' | 'allowed-on-some-resources' | 'conditional';
  /** Resources it is allowed on (`["*"]` when all). */
  readonly resources: readonly string[];
  /** Resources excluded by a `Deny` or a `NotResource` (when every pattern shares them). */
  readonly excludedResources?: readonly string[];
  /** When exclusions differ by pattern: allowed on a resource matching some term's `resource` and none of its `except`. */
  readonly resourceTerms?: readonly ResourceTerm[];
  /** Set when two overlapping patterns could not be intersected exactly (the list may be short). */
  readonly approximate?: boolean;
  /** For `conditional`: the condition blocks that gate it. */
  readonly conditions?: {
    readonly anyOf?: readonly Record<string, Record<string, readonly string[]>>[];
    readonly denyIf?: readonly Record<string, Record<string, readonly string[]>>[];
    readonly requires?: readonly Record<string, Record<string, readonly string[]>>[];
  };
}

function conditionBlock(
  conditions: readonly CompiledCondition[],
): Record<string, Record<string, readonly string[]>> {
  const block: Record<string, Record<string, readonly string[]>> = {};
  for (const c of conditions) (block[c.operator] ??= {})[c.keyText] = c.values;
  return block;
}

/**
 * True when every resource the `narrow` glob matches, the `wide` one matches too (sound, not
 * complete). Resource globs: a `*` that ends a segment may match colons, any other `*` or `?` not.
 */
export function globCovers(wide: string, narrow: string): boolean {
  const crosses = (glob: string, i: number) =>
    glob[i] === '*' && (i + 1 === glob.length || glob[i + 1] === ':');
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (narrow.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === wide.length) result = j === narrow.length;
    else if (wide[i] === '*') {
      // Absorb the next piece of `narrow`: anything for a crossing `*`; no colon and no crossing `*` otherwise.
      const absorbable =
        j < narrow.length && (crosses(wide, i) || (narrow[j] !== ':' && !crosses(narrow, j)));
      result = go(i + 1, j) || (absorbable && go(i, j + 1));
    } else if (j === narrow.length || narrow[j] === '*') result = false;
    else if (wide[i] === '?') result = narrow[j] !== ':' && go(i + 1, j + 1);
    else result = narrow[j] !== '?' && wide[i] === narrow[j] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** A set of resources: those matching `resource` and none of `except`. */
export interface ResourceTerm {
  readonly resource: string;
  readonly except: readonly string[];
}

/** The narrower of two patterns when one covers the other; `undefined` when they only overlap. */
function narrower(a: string, b: string): string | undefined {
  if (globCovers(a, b)) return b;
  if (globCovers(b, a)) return a;
  return undefined;
}

/**
 * The intersection of two unions of terms. Overlapping patterns that do not nest cannot be
 * written as one glob: that pair is dropped and the result flagged approximate.
 */
function intersectTerms(
  a: readonly ResourceTerm[],
  b: readonly ResourceTerm[],
): { terms: ResourceTerm[]; approximate: boolean } {
  const terms: ResourceTerm[] = [];
  let approximate = false;
  for (const x of a) {
    for (const y of b) {
      const resource = narrower(x.resource, y.resource);
      if (resource === undefined) {
        // Disjoint literal prefixes cannot overlap; anything else might.
        if (mayOverlap(x.resource, y.resource)) approximate = true;
        continue;
      }
      terms.push({ resource, except: [...new Set([...x.except, ...y.except])] });
    }
  }
  return { terms, approximate };
}

/** False only when two globs' literal prefixes differ, so no string can match both. */
function mayOverlap(a: string, b: string): boolean {
  const prefix = (g: string) => g.slice(0, g.search(/[*?]/) === -1 ? g.length : g.search(/[*?]/));
  const pa = prefix(a);
  const pb = prefix(b);
  const n = Math.min(pa.length, pb.length);
  return pa.slice(0, n) === pb.slice(0, n);
}

/** The resources a layer's unconditional Allow statements grant the action on, as terms. */
function allowedTerms(statements: readonly StatementSummary[], id: number): ResourceTerm[] {
  const terms: ResourceTerm[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow' || s.conditions.length > 0 || !has(s.actions, id)) continue;
    if (s.resources.kind === 'all') terms.push({ resource: '*', except: [] });
    else if (s.resources.kind === 'some')
      for (const p of s.resources.patterns) terms.push({ resource: p, except: [] });
    else terms.push({ resource: '*', except: s.resources.patterns });
  }
  return terms;
}

/** The resource terms of an action allowed on some resources, and whether they are exact. */
export function resourceTerms(
  permissions: EffectivePermissions,
  id: number,
): { terms: ResourceTerm[]; approximate: boolean } {
  let terms = allowedTerms(permissions.identity, id);
  let approximate = false;
  for (const level of [
    ...(permissions.boundary ? [permissions.boundary] : []),
    ...(permissions.scpLevels ?? []),
  ]) {
    const next = intersectTerms(terms, allowedTerms(level, id));
    terms = next.terms;
    approximate ||= next.approximate;
  }
  for (const d of permissions.denies) {
    if (d.conditions.length > 0 || !has(d.actions, id)) continue;
    if (d.resources.kind === 'some') {
      const denied = d.resources.patterns;
      terms = terms.map((t) => ({
        resource: t.resource,
        except: [...new Set([...t.except, ...denied])],
      }));
    } else if (d.resources.kind === 'not') {
      // Deny with NotResource: only the listed resources stay allowed.
      const next = intersectTerms(
        terms,
        d.resources.patterns.map((p) => ({ resource: p, except: [] })),
      );
      terms = next.terms;
      approximate ||= next.approximate;
    }
  }
  // A term whose pattern is wholly excluded allows nothing.
  terms = terms.filter((t) => !t.except.some((e) => globCovers(e, t.resource)));
  return { terms, approximate };
}

/** Explains one action of a principal's effective permissions (undefined when denied). */
export function actionAccess(
  catalog: Catalog,
  permissions: EffectivePermissions,
  id: number,
): ActionAccess | undefined {
  const action = catalog.actions[id]!.fullName;
  if (has(permissions.allowed, id)) return { action, access: 'allowed', resources: ['*'] };
  if (has(permissions.someResources, id)) {
    const { terms, approximate } = resourceTerms(permissions, id);
    const resources = [...new Set(terms.map((t) => t.resource))];
    const excepts = new Set(terms.map((t) => JSON.stringify([...t.except].sort())));
    const shared = terms[0]?.except ?? [];
    return {
      action,
      access: 'allowed-on-some-resources',
      resources,
      ...(shared.length > 0 && excepts.size === 1 ? { excludedResources: shared } : {}),
      ...(excepts.size > 1 ? { resourceTerms: terms } : {}),
      ...(approximate ? { approximate: true } : {}),
    };
  }
  if (has(permissions.conditional, id)) {
    const blocks = (statements: readonly StatementSummary[], effect: 'Allow' | 'Deny') =>
      statements
        .filter((s) => s.effect === effect && s.conditions.length > 0 && has(s.actions, id))
        .map((s) => conditionBlock(s.conditions));
    const anyOf = blocks(permissions.identity, 'Allow');
    const denyIf = blocks(permissions.denies, 'Deny');
    const requires = [...(permissions.boundary ?? []), ...(permissions.scpLevels ?? []).flat()]
      .filter((s) => s.effect === 'Allow' && s.conditions.length > 0 && has(s.actions, id))
      .map((s) => conditionBlock(s.conditions));
    const resources = [
      ...new Set(
        allowedTerms(
          permissions.identity.map((s) => ({ ...s, conditions: [] })),
          id,
        ).map((t) => t.resource),
      ),
    ];
    return {
      action,
      access: 'conditional',
      resources,
      conditions: {
        ...(anyOf.length > 0 ? { anyOf } : {}),
        ...(denyIf.length > 0 ? { denyIf } : {}),
        ...(requires.length > 0 ? { requires } : {}),
      },
    };
  }
  return undefined;
}

/** The actions a principal may perform at all: everywhere, on some resources, or under conditions. */
export function possibleActions(permissions: EffectivePermissions): ActionSet {
  return union(union(permissions.allowed, permissions.someResources), permissions.conditional);
}
