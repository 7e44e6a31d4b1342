import { describe, expect, it } from 'vitest';
import {
  isExcludedByNotPrincipal,
  isServiceLinkedRole,
  matchPrincipals,
  parseAwsPrincipal,
  parseRequestPrincipal,
  type PrincipalPattern,
} from '../../../policy-model/aws/principal.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
const caller = (arn: string) => {
  const p = parseRequestPrincipal(arn);
  if (!p) throw new Error(`not a principal: ${arn}`);
  return p;
};
const patterns = (...texts: string[]): PrincipalPattern[] =>
  texts.map((t) => parseAwsPrincipal(t)!);

describe('principals', () => {
  it('parses every request principal form', () => {
    expect(caller('arn:aws:iam::111122223333:user/dev/alice')).toMatchObject({
      type: 'user',
      name: 'alice',
    });
    expect(caller('arn:aws:iam::111122223333:role/service-role/app')).toMatchObject({
      type: 'role',
      roleName: 'app',
      rolePath: '/service-role/',
    });
    expect(caller('arn:aws:sts::111122223333:assumed-role/app/s1')).toMatchObject({
      type: 'assumed-role',
      roleArn: 'arn:aws:iam::111122223333:role/app',
    });
    expect(caller('arn:aws:sts::111122223333:federated-user/carol')).toMatchObject({
      type: 'federated-user',
    });
    expect(caller('arn:aws:iam::111122223333:root')).toMatchObject({ type: 'root' });
    expect(caller('lambda.amazonaws.com')).toMatchObject({ type: 'service' });
    expect(parseRequestPrincipal('arn:aws:s3:::bucket')).toBeUndefined();
    expect(parseRequestPrincipal('arn:aws:iam::12345:user/x')).toBeUndefined();
  });

  it('says how a Principal element names the caller', () => {
    const session = caller('arn:aws:sts::111122223333:assumed-role/app/s1');
    expect(matchPrincipals(patterns('111122223333'), session)).toBe('account');
    expect(matchPrincipals(patterns('arn:aws:iam::111122223333:role/some/path/app'), session)).toBe(
      'role',
    );
    expect(
      matchPrincipals(patterns('arn:aws:sts::111122223333:assumed-role/app/s1'), session),
    ).toBe('direct');
    expect(
      matchPrincipals(patterns('arn:aws:sts::111122223333:assumed-role/app/s2'), session),
    ).toBeUndefined();
    expect(matchPrincipals(patterns('*'), session)).toBe('direct');
    expect(matchPrincipals(patterns('444455556666'), session)).toBeUndefined();
  });

  it('rejects partial wildcards in principal ARNs', () => {
    expect(parseAwsPrincipal('arn:aws:iam::111122223333:user/*')).toBeUndefined();
  });

  it('NotPrincipal excludes the caller only when its whole chain is listed', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    const session = caller('arn:aws:sts::111122223333:assumed-role/app/s1');
    const chain = [
      'arn:aws:iam::111122223333:root',
      'arn:aws:iam::111122223333:role/app',
      'arn:aws:sts::111122223333:assumed-role/app/s1',
    ];
    expect(isExcludedByNotPrincipal(patterns(...chain), session)).toBe(true);
    expect(isExcludedByNotPrincipal(patterns(...chain.slice(1)), session)).toBe(false);
    expect(isExcludedByNotPrincipal(patterns(chain[0]!, chain[2]!), session)).toBe(false);
  });

  it('recognises service-linked roles by path and name', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
    expect(
      isServiceLinkedRole(
        caller(
          'arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport',
        ),
      ),
    ).toBe(true);
    expect(
      isServiceLinkedRole(
        caller('arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForSupport/x'),
      ),
    ).toBe(true);
    expect(isServiceLinkedRole(caller('arn:aws:iam::111122223333:role/service-role/app'))).toBe(
      false,
    );
  });
});
