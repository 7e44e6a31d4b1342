/**
 * The whole AWS evaluation table as one small, total function of the facts gathered by matching.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
import type { PrincipalMatch } from './principal.js';

/** The three answers AWS can give. */
export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** A statement that applied, named by its policy and index. */
export interface StatementRef {
  readonly policy: string;
  readonly policyType: 'identity' | 'boundary' | 'session' | 'scp' | 'rcp' | 'resource';
  readonly statement: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
}

/** A resource-policy Allow that applied, with how its Principal named the caller. */
export interface ResourceAllow {
  readonly ref: StatementRef;
  readonly principal: PrincipalMatch;
}

/** Everything `decide` needs; `undefined` policy types are absent from the request. */
export interface DecisionFacts {
  readonly caller: 'iam' | 'root' | 'service';
  readonly crossAccount: boolean;
  /** Role trust policies and KMS key policies must allow the caller themselves. */
  readonly resourcePolicyMustAllow: boolean;
  readonly denies: readonly StatementRef[];
  /** Per SCP level (root first), its applicable Allow statements; `undefined` when SCPs do not apply. */
  readonly scpLevels: readonly (readonly StatementRef[])[] | undefined;
  readonly identityAllows: readonly StatementRef[];
  readonly boundaryAllows: readonly StatementRef[] | undefined;
  readonly sessionAllows: readonly StatementRef[] | undefined;
  readonly resourcePolicyPresent: boolean;
  readonly resourceAllows: readonly ResourceAllow[];
}

/** Why the decision fell as it did: a stable code and a sentence. */
export interface DecisionReason {
  readonly code:
    | 'explicit_deny'
    | 'scp_no_allow'
    | 'root_user'
    | 'resource_policy_grants_caller'
    | 'resource_policy_grants_role'
    | 'identity_policy_allows'
    | 'cross_account_both_allow'
    | 'service_principal_allowed'
    | 'no_allow'
    | 'identity_no_allow'
    | 'boundary_no_allow'
    | 'session_no_allow'
    | 'resource_policy_no_allow'
    | 'cross_account_no_resource_allow'
    | 'cross_account_no_identity_allow';
  readonly message: string;
}

/** The decision, the statements that decided it, and why. */
export interface DecisionResult {
  readonly decision: Decision;
  readonly decisive: readonly StatementRef[];
  readonly reason: DecisionReason;
}

const allow = (
  decisive: readonly StatementRef[],
  code: DecisionReason['code'],
  message: string,
): DecisionResult => ({
  decision: 'allow',
  decisive,
  reason: { code, message },
});
const implicitDeny = (
  code: DecisionReason['code'],
  message: string,
  decisive: readonly StatementRef[] = [],
): DecisionResult => ({
  decision: 'implicit-deny',
  decisive,
  reason: { code, message },
});

/** Applies the AWS evaluation logic to the gathered facts. */
export function decide(facts: DecisionFacts): DecisionResult {
  // 1. An explicit Deny in any applicable policy ends evaluation.
  if (facts.denies.length > 0) {
    return {
      decision: 'explicit-deny',
      decisive: facts.denies,
      reason: { code: 'explicit_deny', message: 'an applicable statement denies the request' },
    };
  }
  // 2. RCPs restrict only by Deny (RCPFullAWSAccess sits on every level). 3. Every SCP level must allow.
  if (facts.scpLevels) {
    const missing = facts.scpLevels.findIndex((level) => level.length === 0);
    if (missing !== -1)
      return implicitDeny(
        'scp_no_allow',
        `no service control policy at level ${missing} (0 = root) allows the action`,
      );
  }
  const scpAllows = facts.scpLevels?.flat() ?? [];
  const boundaryOk = facts.boundaryAllows === undefined || facts.boundaryAllows.length > 0;
  const sessionOk = facts.sessionAllows === undefined || facts.sessionAllows.length > 0;
  const limits = [...(facts.boundaryAllows ?? []), ...(facts.sessionAllows ?? []), ...scpAllows];

  if (facts.caller === 'service') {
    const grants = facts.resourceAllows.map((r) => r.ref);
    return grants.length > 0
      ? allow(
          grants,
          'service_principal_allowed',
          'the resource-based policy allows the service principal',
        )
      : implicitDeny(
          'resource_policy_no_allow',
          'no resource-based policy allows the service principal',
        );
  }

  const identityOk =
    facts.caller === 'root' || (facts.identityAllows.length > 0 && boundaryOk && sessionOk);
  const identityDecisive = [...facts.identityAllows, ...limits];

  if (facts.crossAccount) {
    // Cross-account: the principal's account and the resource's account must both allow.
    const resourceGrants = facts.resourceAllows.map((r) => r.ref);
    if (identityOk && resourceGrants.length > 0) {
      return allow(
        [...identityDecisive, ...resourceGrants],
        'cross_account_both_allow',
        'identity-based and resource-based policies both allow this cross-account request',
      );
    }
    if (resourceGrants.length === 0)
      return implicitDeny(
        'cross_account_no_resource_allow',
        'cross-account access needs a resource-based policy that allows the caller or its account',
      );
    return identityMissing(facts, boundaryOk, sessionOk, 'cross_account_no_identity_allow');
  }

  // Role trust policies and KMS key policies must themselves allow the caller (or its account),
  // even for the root user. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
  if (facts.resourcePolicyMustAllow && facts.resourceAllows.length === 0) {
    return implicitDeny(
      'resource_policy_no_allow',
      facts.resourcePolicyPresent
        ? 'the role trust policy or key policy does not allow the caller'
        : 'no key policy or trust policy was given: every KMS key and role has one, and it must allow the caller',
    );
  }
  if (facts.caller === 'root')
    return allow(
      [...facts.resourceAllows.map((r) => r.ref), ...scpAllows],
      'root_user',
      'the account root user has full access to its own account',
    );
  // Same account: a resource-based policy naming the user, the session or the federated user
  // grants on its own; naming the role grants within the boundary and session policy.
  const direct = facts.resourceAllows.filter((r) => r.principal === 'direct').map((r) => r.ref);
  if (direct.length > 0)
    return allow(
      [...direct, ...scpAllows],
      'resource_policy_grants_caller',
      'a resource-based policy in the same account allows the caller directly',
    );
  const viaRole = facts.resourceAllows.filter((r) => r.principal === 'role').map((r) => r.ref);
  if (viaRole.length > 0 && boundaryOk && sessionOk) {
    return allow(
      [...viaRole, ...limits],
      'resource_policy_grants_role',
      'a resource-based policy in the same account allows the role of this session',
    );
  }
  if (identityOk) {
    if (facts.resourcePolicyMustAllow) {
      const delegated = facts.resourceAllows.map((r) => r.ref);
      return allow(
        [...identityDecisive, ...delegated],
        'identity_policy_allows',
        'the resource policy delegates to the account and an identity-based policy allows',
      );
    }
    return allow(
      identityDecisive,
      'identity_policy_allows',
      'an identity-based policy allows and no boundary or session policy limits it',
    );
  }
  return identityMissing(facts, boundaryOk, sessionOk, 'identity_no_allow');
}

function identityMissing(
  facts: DecisionFacts,
  boundaryOk: boolean,
  sessionOk: boolean,
  fallback: 'identity_no_allow' | 'cross_account_no_identity_allow',
): DecisionResult {
  if (facts.identityAllows.length > 0 && !boundaryOk)
    return implicitDeny(
      'boundary_no_allow',
      'the permissions boundary does not allow the action',
      facts.identityAllows,
    );
  if (facts.identityAllows.length > 0 && !sessionOk)
    return implicitDeny(
      'session_no_allow',
      'the session policy does not allow the action',
      facts.identityAllows,
    );
  return implicitDeny(
    fallback,
    fallback === 'identity_no_allow'
      ? 'no identity-based or resource-based policy allows the action'
      : 'no identity-based policy of the caller allows the action',
  );
}
