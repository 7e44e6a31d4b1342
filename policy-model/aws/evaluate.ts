/**
 * The request evaluator: matches every applicable statement, hands the facts to `decide()`, and
 * explains the answer (the decisive statements, and why each other statement did not apply).
 */
import type { Catalog } from '../catalog/catalog.js';
import {
  decide,
  type Decision,
  type DecisionFacts,
  type DecisionReason,
  type ResourceAllow,
  type StatementRef,
} from './decide.js';
import { applies, matchStatement, type MatchEnvironment, type StatementOutcome } from './match.js';
import type { Policy } from './policy.js';
import type { PreparedRequest } from './request.js';

/** Every policy that takes part in one request. Absent members are absent from the request. */
export interface PolicySet {
  readonly identity: readonly Policy[];
  readonly boundary?: Policy;
  readonly session?: Policy;
  /** SCPs of the principal's organization, per level: root first, account last. */
  readonly scpLevels?: readonly (readonly Policy[])[];
  /** RCPs of the resource's organization, per level: root first, account last. */
  readonly rcpLevels?: readonly (readonly Policy[])[];
  readonly resource?: Policy;
}

/** Why one statement did or did not apply. */
export interface StatementExplanation extends StatementRef {
  readonly applies: boolean;
  /** The element that did not match. */
  readonly notMatched?: 'action' | 'resource' | 'principal' | 'condition';
  /** The first condition that failed. */
  readonly condition?: {
    readonly operator: string;
    readonly key: string;
    readonly values: readonly string[];
  };
  /** How a resource policy's Principal named the caller. */
  readonly principalMatch?: 'direct' | 'role' | 'account';
}

/** The explanation of a decision. */
export interface Explanation {
  readonly reason: DecisionReason;
  readonly decisive: readonly StatementRef[];
  /** Every statement considered (absent when `explain: false`). */
  readonly statements?: readonly StatementExplanation[];
  /** Policy types that were present but not evaluated for this request, and why. */
  readonly notApplicable?: readonly { readonly policyType: 'scp' | 'rcp'; readonly why: string }[];
}

/** The evaluator's answer. */
export interface EvaluationResult {
  readonly decision: Decision;
  readonly explanation: Explanation;
}

/** Options: a catalog (which services RCPs apply to) and whether to list every statement. */
export interface EvaluateOptions {
  readonly catalog?: Catalog;
  readonly explain?: boolean;
  /** Take conditions on keys the request lacks in the caller's favour (see `MatchEnvironment`). */
  readonly favourable?: boolean;
}

const KMS_KEY = /^arn:[^:]+:kms:[^:]*:[^:]*:key\//;
const ROLE = /^arn:[^:]+:iam::[^:]*:role\//;
const TRUST_ACTIONS =
  /^sts:(assumerole|assumerolewithsaml|assumerolewithwebidentity|tagsession|setsourceidentity|setcontext)$/;

/**
 * Requests decided by a KMS key policy or a role trust policy: these must allow the caller (or
 * its account) themselves, even in the same account; every key and role has one, so an absent
 * one allows nobody. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 */
function isKeyOrTrustRequest(request: PreparedRequest): boolean {
  if (request.service === 'kms') return KMS_KEY.test(request.resource);
  return TRUST_ACTIONS.test(request.lowerAction) && ROLE.test(request.resource);
}

/** Evaluates one prepared request against a policy set. */
export function evaluate(
  request: PreparedRequest,
  set: PolicySet,
  options: EvaluateOptions = {},
): EvaluationResult {
  // One object shape for every call keeps the matcher monomorphic (bench/evaluate.bench.ts).
  const env: MatchEnvironment = {
    request,
    hasBoundary: set.boundary !== undefined,
    favourable: options.favourable === true,
  };
  const explain = options.explain !== false;
  const statements: StatementExplanation[] = [];
  const notApplicable: { policyType: 'scp' | 'rcp'; why: string }[] = [];
  const denies: StatementRef[] = [];

  /**
   * Matches every statement of a policy, pushing applicable Denies to `denies` and applicable
   * Allows to `allows` (with how a resource policy named the caller to `resourceAllows`).
   * Plain loops and pushes: flatMap/spreads here cost a quarter of the throughput (bench/evaluate.bench.ts).
   */
  const visit = (
    policy: Policy,
    policyType: StatementRef['policyType'],
    allows: StatementRef[] | undefined,
    resourceAllows?: ResourceAllow[],
  ): void => {
    for (const statement of policy.statements) {
      const outcome = matchStatement(statement, env);
      const ok = applies(outcome);
      if (!ok && !explain) continue;
      const ref: StatementRef = {
        policy: policy.id,
        policyType,
        statement: statement.index,
        sid: statement.sid,
        effect: statement.effect,
      };
      if (ok) {
        if (statement.effect === 'Deny') denies.push(ref);
        else {
          allows?.push(ref);
          resourceAllows?.push({ ref, principal: outcome });
        }
      }
      if (explain) statements.push(explainOutcome(ref, outcome, policyType));
    }
  };

  const principal = request.principal;
  const caller =
    principal.type === 'root' ? 'root' : principal.type === 'service' ? 'service' : 'iam';

  let scpLevels: StatementRef[][] | undefined;
  if (set.scpLevels) {
    // SCPs govern the principals of member accounts, except service-linked roles and service principals.
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    if (request.serviceLinkedRole)
      notApplicable.push({
        policyType: 'scp',
        why: 'service-linked roles are not affected by SCPs',
      });
    else if (caller === 'service')
      notApplicable.push({ policyType: 'scp', why: 'SCPs do not apply to service principals' });
    else {
      scpLevels = [];
      for (const level of set.scpLevels) {
        const levelAllows: StatementRef[] = [];
        for (const p of level) visit(p, 'scp', levelAllows);
        scpLevels.push(levelAllows);
      }
    }
  }
  if (set.rcpLevels) {
    // RCPs apply to the resources of the services that support them; RCPFullAWSAccess is implied
    // on every level, so only their Deny statements matter.
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    if (options.catalog && !options.catalog.rcpServices.has(request.service)) {
      notApplicable.push({
        policyType: 'rcp',
        why: `\`${request.service}\` does not support resource control policies`,
      });
    } else if (request.serviceLinkedRole) {
      notApplicable.push({
        policyType: 'rcp',
        why: 'service-linked roles are not affected by RCPs',
      });
    } else {
      for (const level of set.rcpLevels) for (const p of level) visit(p, 'rcp', undefined);
    }
  }
  const identityAllows: StatementRef[] = [];
  for (const p of set.identity) visit(p, 'identity', identityAllows);
  let boundaryAllows: StatementRef[] | undefined;
  if (set.boundary) visit(set.boundary, 'boundary', (boundaryAllows = []));
  let sessionAllows: StatementRef[] | undefined;
  if (set.session) visit(set.session, 'session', (sessionAllows = []));
  const resourceAllows: ResourceAllow[] = [];
  if (set.resource) visit(set.resource, 'resource', undefined, resourceAllows);

  const facts: DecisionFacts = {
    caller,
    crossAccount: request.crossAccount,
    resourcePolicyMustAllow: isKeyOrTrustRequest(request),
    denies,
    scpLevels,
    identityAllows,
    boundaryAllows,
    sessionAllows,
    resourcePolicyPresent: set.resource !== undefined,
    resourceAllows,
  };
  const result = decide(facts);
  const explanation: Explanation = {
    reason: result.reason,
    decisive: result.decisive,
    ...(explain ? { statements } : {}),
    ...(notApplicable.length > 0 ? { notApplicable } : {}),
  };
  return { decision: result.decision, explanation };
}

function explainOutcome(
  ref: StatementRef,
  outcome: StatementOutcome,
  policyType: StatementRef['policyType'],
): StatementExplanation {
  // Plain literals, not spreads: this runs for every statement of every explained decision
  // (bench/evaluate.bench.ts: spreads made explanations 5x slower).
  const { policy, statement, sid, effect } = ref;
  if (applies(outcome)) {
    return policyType === 'resource'
      ? { policy, policyType, statement, sid, effect, applies: true, principalMatch: outcome }
      : { policy, policyType, statement, sid, effect, applies: true };
  }
  if (typeof outcome === 'string')
    return { policy, policyType, statement, sid, effect, applies: false, notMatched: outcome };
  return {
    policy,
    policyType,
    statement,
    sid,
    effect,
    applies: false,
    notMatched: 'condition',
    condition: { operator: outcome.operator, key: outcome.keyText, values: outcome.values },
  };
}
