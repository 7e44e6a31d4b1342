/**
 * Matching gathers facts: does a statement apply to the request, and if not, which element did
 * not match. Order: Action, Resource, Principal, Condition (all must match).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { evaluateCondition, type CompiledCondition } from './conditions/condition.js';
import type { ActionElement, ResourceElement, Statement } from './policy.js';
import { isExcludedByNotPrincipal, matchPrincipals, type PrincipalMatch } from './principal.js';
import type { PreparedRequest } from './request.js';
import { resolveTemplate } from './variables.js';
import { compileResourceGlob } from './wildcard.js';

/**
 * The outcome of one statement: it applies (with how its `Principal` named the caller, `direct`
 * when it has none), or the element that did not match, or the first condition that failed.
 * Plain strings and a reference keep the hot path free of allocations.
 */
export type StatementOutcome =
  PrincipalMatch | 'action' | 'resource' | 'principal' | CompiledCondition;

/**
 * Keys that describe the caller itself (its ARN, account, name, organization, tags): the caller
 * either has them or not, so a favourable reading never assumes an absent one.
 */
const PRINCIPAL_FACT =
  /^aws:(principalarn|principalaccount|username|principalorgid|principaltype|principalisawsservice|principaltag\/.+)$/;

/** What matching needs beyond the request. */
export interface MatchEnvironment {
  readonly request: PreparedRequest;
  /** The caller has a permissions boundary (it changes how Deny + NotPrincipal applies). */
  readonly hasBoundary: boolean;
  /**
   * "Could any request allow this?": a condition on a request key the context lacks is taken as
   * holding for an Allow and as failing for a Deny (keys describing the caller never are). Used by
   * who-can to find conditional access, and by the rewrite proofs.
   */
  readonly favourable?: boolean;
}

/** True when the element covers the request's action. */
export function matchesAction(element: ActionElement, lowerAction: string): boolean {
  let any = false;
  for (const pattern of element.patterns) {
    if (pattern.test(lowerAction)) {
      any = true;
      break;
    }
  }
  return element.kind === 'action' ? any : !any;
}

/** True when the element covers the request's resource (variables resolved against the request). */
export function matchesResource(element: ResourceElement, request: PreparedRequest): boolean {
  if (element.kind === 'implied') return true;
  let any = false;
  for (const pattern of element.patterns) {
    if (pattern.test) {
      if (pattern.test(request.resource)) {
        any = true;
        break;
      }
      continue;
    }
    const parts = resolveTemplate(pattern.template, request.context);
    // A variable without a value and without a default matches nothing.
    if (parts !== undefined && compileResourceGlob(parts)(request.resource)) {
      any = true;
      break;
    }
  }
  return element.kind === 'resource' ? any : !any;
}

/** Decides whether one statement applies to the request. */
export function matchStatement(statement: Statement, env: MatchEnvironment): StatementOutcome {
  const { request } = env;
  if (!matchesAction(statement.actions, request.lowerAction)) return 'action';
  if (!matchesResource(statement.resources, request)) return 'resource';
  let principal: PrincipalMatch = 'direct';
  const element = statement.principals;
  if (element.kind === 'principal') {
    const m = matchPrincipals(element.patterns, request.principal);
    if (m === undefined) return 'principal';
    principal = m;
  } else if (element.kind === 'not-principal') {
    // A Deny with NotPrincipal always applies to a caller that has a permissions boundary.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    const boundaryPitfall = statement.effect === 'Deny' && env.hasBoundary;
    if (!boundaryPitfall && isExcludedByNotPrincipal(element.patterns, request.principal))
      return 'principal';
  }
  for (const condition of statement.conditions) {
    if (
      env.favourable &&
      !PRINCIPAL_FACT.test(condition.key) &&
      request.context.get(condition.key) === undefined
    ) {
      if (statement.effect === 'Deny') return condition;
      continue;
    }
    if (!evaluateCondition(condition, request.context)) return condition;
  }
  return principal;
}

/** True when the outcome says the statement applies. */
export function applies(outcome: StatementOutcome): outcome is PrincipalMatch {
  return outcome === 'direct' || outcome === 'role' || outcome === 'account';
}
