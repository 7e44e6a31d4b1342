import { describe, expect, it } from 'vitest';
import { decide, type DecisionFacts, type StatementRef } from '../../../policy-model/aws/decide.js';

// The evaluation table, fact by fact.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
const ref = (
  policyType: StatementRef['policyType'],
  effect: 'Allow' | 'Deny' = 'Allow',
): StatementRef => ({ policy: `/${policyType}`, policyType, statement: 0, sid: undefined, effect });
const base: DecisionFacts = {
  caller: 'iam',
  crossAccount: false,
  resourcePolicyMustAllow: false,
  denies: [],
  scpLevels: undefined,
  identityAllows: [],
  boundaryAllows: undefined,
  sessionAllows: undefined,
  resourcePolicyPresent: false,
  resourceAllows: [],
};
const facts = (over: Partial<DecisionFacts>): DecisionFacts => ({ ...base, ...over });

describe('decide', () => {
  it('denies implicitly when nothing applies', () => {
    expect(decide(base).decision).toBe('implicit-deny');
  });

  it('an explicit deny beats every allow and names the denying statements', () => {
    const result = decide(
      facts({
        denies: [ref('scp', 'Deny')],
        identityAllows: [ref('identity')],
        resourceAllows: [{ ref: ref('resource'), principal: 'direct' }],
      }),
    );
    expect(result.decision).toBe('explicit-deny');
    expect(result.decisive).toEqual([ref('scp', 'Deny')]);
  });

  it('every SCP level must allow; SCPs never grant on their own', () => {
    expect(
      decide(facts({ scpLevels: [[ref('scp')], []], identityAllows: [ref('identity')] })).reason
        .code,
    ).toBe('scp_no_allow');
    expect(decide(facts({ scpLevels: [[ref('scp')], [ref('scp')]] })).decision).toBe(
      'implicit-deny',
    );
    expect(
      decide(facts({ scpLevels: [[ref('scp')], [ref('scp')]], identityAllows: [ref('identity')] }))
        .decision,
    ).toBe('allow');
  });

  it('identity ∩ boundary ∩ session policy', () => {
    const identityAllows = [ref('identity')];
    expect(decide(facts({ identityAllows, boundaryAllows: [] })).reason.code).toBe(
      'boundary_no_allow',
    );
    expect(decide(facts({ identityAllows, sessionAllows: [] })).reason.code).toBe(
      'session_no_allow',
    );
    expect(
      decide(facts({ boundaryAllows: [ref('boundary')], sessionAllows: [ref('session')] }))
        .decision,
    ).toBe('implicit-deny');
    expect(
      decide(
        facts({
          identityAllows,
          boundaryAllows: [ref('boundary')],
          sessionAllows: [ref('session')],
        }),
      ).decision,
    ).toBe('allow');
  });

  it('same account: a resource policy naming the caller grants past boundary and session policy; naming the role does not', () => {
    const limits = { boundaryAllows: [], sessionAllows: [] };
    expect(
      decide(facts({ ...limits, resourceAllows: [{ ref: ref('resource'), principal: 'direct' }] }))
        .decision,
    ).toBe('allow');
    expect(
      decide(facts({ ...limits, resourceAllows: [{ ref: ref('resource'), principal: 'role' }] }))
        .decision,
    ).toBe('implicit-deny');
    expect(
      decide(facts({ resourceAllows: [{ ref: ref('resource'), principal: 'role' }] })).decision,
    ).toBe('allow');
    expect(
      decide(facts({ resourceAllows: [{ ref: ref('resource'), principal: 'account' }] })).decision,
    ).toBe('implicit-deny');
  });

  it('cross account: both sides must allow', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    const resourceAllows = [{ ref: ref('resource'), principal: 'direct' as const }];
    expect(decide(facts({ crossAccount: true, resourceAllows })).reason.code).toBe(
      'cross_account_no_identity_allow',
    );
    expect(
      decide(facts({ crossAccount: true, identityAllows: [ref('identity')] })).reason.code,
    ).toBe('cross_account_no_resource_allow');
    expect(
      decide(facts({ crossAccount: true, identityAllows: [ref('identity')], resourceAllows }))
        .decision,
    ).toBe('allow');
  });

  it('the root user needs no identity policy in its own account, but trust and key policies must still allow it', () => {
    expect(decide(facts({ caller: 'root' })).decision).toBe('allow');
    expect(
      decide(facts({ caller: 'root', resourcePolicyMustAllow: true, resourcePolicyPresent: true }))
        .decision,
    ).toBe('implicit-deny');
  });

  it('key and trust policies: delegation to the account needs an identity allow', () => {
    const delegated = {
      resourcePolicyMustAllow: true,
      resourcePolicyPresent: true,
      resourceAllows: [{ ref: ref('resource'), principal: 'account' as const }],
    };
    expect(decide(facts(delegated)).decision).toBe('implicit-deny');
    expect(decide(facts({ ...delegated, identityAllows: [ref('identity')] })).decision).toBe(
      'allow',
    );
    expect(
      decide(
        facts({
          resourcePolicyMustAllow: true,
          resourcePolicyPresent: true,
          identityAllows: [ref('identity')],
        }),
      ).decision,
    ).toBe('implicit-deny');
  });
});
