import { describe, expect, it } from 'vitest';
import { resolveActor } from '../../../usage/cloudtrail/principal.js';

// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
describe('the identity behind an event', () => {
  it('IAMUser → the user', () => {
    expect(
      resolveActor({
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/alice',
        accountId: '111122223333',
        userName: 'alice',
      }),
    ).toMatchObject({ principal: 'arn:aws:iam::111122223333:user/alice' });
  });

  it('AssumedRole → the role from sessionIssuer (path kept), with the session name', () => {
    const actor = resolveActor({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc',
      accountId: '111122223333',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/service/app' },
        sourceIdentity: 'build-42',
      },
    });
    expect(actor).toEqual({
      type: 'AssumedRole',
      principal: 'arn:aws:iam::111122223333:role/service/app',
      account: '111122223333',
      sessionName: 'i-0abc',
      sourceIdentity: 'build-42',
      person: 'build-42',
    });
  });

  it('IAM Identity Center roles: the session name is the person', () => {
    // https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-using-cloudtrail.html
    const actor = resolveActor({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com',
      sessionContext: {
        sessionIssuer: {
          arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef',
        },
      },
    });
    expect(actor.person).toBe('jane@example.com');
  });

  it('an AssumedRole without sessionIssuer falls back to the role in the session ARN', () => {
    expect(
      resolveActor({ type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/s' })
        .principal,
    ).toBe('arn:aws:iam::111122223333:role/app');
  });

  it('Root, FederatedUser (its IAM user), AWSAccount (the calling account)', () => {
    expect(resolveActor({ type: 'Root', arn: 'arn:aws:iam::111122223333:root' }).principal).toBe(
      'arn:aws:iam::111122223333:root',
    );
    expect(
      resolveActor({
        type: 'FederatedUser',
        arn: 'arn:aws:sts::111122223333:federated-user/bob',
        sessionContext: {
          sessionIssuer: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/broker' },
        },
      }),
    ).toMatchObject({ principal: 'arn:aws:iam::111122223333:user/broker', sessionName: 'bob' });
    expect(
      resolveActor({ type: 'AWSAccount', accountId: '444455556666', principalId: 'AIDAEXAMPLE' })
        .principal,
    ).toBe('arn:aws:iam::444455556666:root');
  });

  it('AWSService and federation calls are never attributed to a customer identity', () => {
    expect(resolveActor({ type: 'AWSService', invokedBy: 'lambda.amazonaws.com' })).toMatchObject({
      principal: undefined,
      unattributed: 'aws-service',
    });
    expect(
      resolveActor({ type: 'SAMLUser', userName: 'jane', principalId: 'x:jane' }),
    ).toMatchObject({ principal: undefined, unattributed: 'federation-call', person: 'jane' });
    expect(resolveActor({ type: 'WebIdentityUser', userName: 'repo:org/app' })).toMatchObject({
      principal: undefined,
      unattributed: 'federation-call',
    });
    expect(resolveActor(undefined)).toMatchObject({
      principal: undefined,
      unattributed: 'unknown-identity',
    });
  });
});
