import { describe, expect, it } from 'vitest';
import { simulate } from '../../../../policy-model/index.js';

// The choices docs/evaluation.md lists under "Where the documentation is silent", one test each,
// plus the documented missing-key table.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
const decision = (
  condition: unknown,
  context: Record<string, string | string[]>,
  principal = 'arn:aws:iam::111122223333:user/alice',
) => {
  const answer = simulate({
    request: { principal, action: 's3:GetObject', resource: '*', context },
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }],
      },
    ],
  });
  return 'decision' in answer ? answer.decision : answer.error.code;
};

describe('conditions', () => {
  it('missing keys: positive false, negated true, IfExists true, ForAllValues true, ForAnyValue false', () => {
    expect(decision({ StringEquals: { 'aws:PrincipalTag/x': 'a' } }, {})).toBe('implicit-deny');
    expect(decision({ StringNotEquals: { 'aws:PrincipalTag/x': 'a' } }, {})).toBe('allow');
    expect(decision({ StringEqualsIfExists: { 'aws:PrincipalTag/x': 'a' } }, {})).toBe('allow');
    expect(decision({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }, {})).toBe('allow');
    expect(decision({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, {})).toBe(
      'implicit-deny',
    );
    expect(decision({ Null: { 'aws:TagKeys': 'true' } }, {})).toBe('allow');
  });

  it('an empty list behaves like a missing key', () => {
    expect(decision({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe('allow');
    expect(
      decision({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] }),
    ).toBe('allow');
    expect(
      decision({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] }),
    ).toBe('implicit-deny');
  });

  it('a plain operator over several request values: positive needs one match, negated needs none', () => {
    expect(decision({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(
      'allow',
    );
    expect(
      decision({ StringNotEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] }),
    ).toBe('implicit-deny');
    expect(
      decision({ StringNotEquals: { 'aws:TagKeys': 'c' } }, { 'aws:TagKeys': ['a', 'b'] }),
    ).toBe('allow');
  });

  it('negated operators with several policy values are a NOR', () => {
    expect(
      decision(
        { StringNotEquals: { 'aws:PrincipalTag/x': ['a', 'b'] } },
        { 'aws:PrincipalTag/x': 'b' },
      ),
    ).toBe('implicit-deny');
    expect(
      decision(
        { StringNotEquals: { 'aws:PrincipalTag/x': ['a', 'b'] } },
        { 'aws:PrincipalTag/x': 'c' },
      ),
    ).toBe('allow');
  });

  it('Bool takes true/false in any case and rejects anything else', () => {
    expect(
      decision({ Bool: { 'aws:SecureTransport': 'TRUE' } }, { 'aws:SecureTransport': 'true' }),
    ).toBe('allow');
    expect(
      decision({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' }),
    ).toBe('allow');
    expect(decision({ Bool: { 'aws:SecureTransport': 'yes' } }, {})).toBe('invalid_boolean');
  });

  it('operator names are case-sensitive', () => {
    expect(decision({ stringequals: { 'aws:PrincipalTag/x': 'a' } }, {})).toBe(
      'unknown_condition_operator',
    );
    expect(decision({ 'forallvalues:StringEquals': { 'aws:TagKeys': 'a' } }, {})).toBe(
      'unknown_condition_operator',
    );
  });

  it('key names are case-insensitive, values are not (except IgnoreCase)', () => {
    expect(
      decision(
        { StringEquals: { 'AWS:PRINCIPALTAG/Team': 'Data' } },
        { 'aws:principaltag/team': 'Data' },
      ),
    ).toBe('allow');
    expect(
      decision(
        { StringEquals: { 'aws:PrincipalTag/team': 'data' } },
        { 'aws:PrincipalTag/team': 'Data' },
      ),
    ).toBe('implicit-deny');
    expect(
      decision(
        { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'data' } },
        { 'aws:PrincipalTag/team': 'Data' },
      ),
    ).toBe('allow');
  });

  it('numbers and booleans in the context are read as their text', () => {
    const answer = simulate({
      request: {
        principal: 'arn:aws:iam::111122223333:user/alice',
        action: 's3:GetObject',
        resource: '*',
        context: { 'aws:MultiFactorAuthAge': 30, 'aws:SecureTransport': true },
      },
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: '*',
              Resource: '*',
              Condition: {
                NumericLessThan: { 'aws:MultiFactorAuthAge': 60 },
                Bool: { 'aws:SecureTransport': 'true' },
              },
            },
          ],
        },
      ],
    });
    expect('decision' in answer && answer.decision).toBe('allow');
  });
});
