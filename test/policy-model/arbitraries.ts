/**
 * fast-check generators of simulation cases: small pools of realistic principals, actions,
 * resources and conditions, combined at random so that every policy type and rule gets exercised.
 */
import fc from 'fast-check';

const A = '111122223333';
const B = '444455556666';

export const principals = [
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:iam::${A}:user/bob`,
  `arn:aws:sts::${A}:assumed-role/app/session-1`,
  `arn:aws:sts::${B}:assumed-role/partner/session-2`,
  `arn:aws:iam::${A}:root`,
  `arn:aws:sts::${A}:federated-user/carol`,
  `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForSupport/support`,
];

export const actions = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  'iam:CreateUser',
  'ec2:RunInstances',
  'kms:Decrypt',
  'sqs:SendMessage',
  'logs:PutLogEvents',
];
const actionPatterns = [
  ...actions,
  's3:*',
  's3:Get*',
  '*',
  'iam:*User',
  'ec2:Run?nstances',
  'S3:getobject',
  'sqs:*',
];

export const resources = [
  'arn:aws:s3:::bucket/key',
  'arn:aws:s3:::bucket',
  '*',
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:sqs:us-east-1:${B}:queue`,
  `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  `arn:aws:logs:us-east-1:${A}:log-group:app:log-stream:s1`,
];
const resourcePatterns = [
  '*',
  'arn:aws:s3:::bucket/*',
  'arn:aws:s3:::*',
  `arn:aws:iam::${A}:user/\${aws:username}`,
  'arn:aws:s3:::bucket',
  `arn:aws:sqs:*:${B}:*`,
  'arn:aws:kms:*',
  `arn:aws:logs:*:${A}:log-group:app*`,
  `arn:aws:logs:us-east-1:${A}:log-group:a*s1`,
];

const conditions: Record<string, Record<string, string | string[]>>[] = [
  { StringEquals: { 'aws:PrincipalTag/team': 'dev' } },
  { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } },
  { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['e*'] } },
  { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
  { Null: { 'aws:MultiFactorAuthPresent': 'false' } },
  { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
  { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'ops' } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/*` } },
  { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
];

const contextEntries: [string, string | string[]][] = [
  ['aws:PrincipalTag/team', 'dev'],
  ['aws:SourceIp', '10.1.2.3'],
  ['aws:SourceIp', '2001:db8::1'],
  ['aws:SecureTransport', 'true'],
  ['aws:SecureTransport', 'false'],
  ['aws:TagKeys', ['env']],
  ['aws:TagKeys', ['env', 'owner']],
  ['aws:RequestedRegion', 'eu-west-1'],
  ['aws:MultiFactorAuthPresent', 'true'],
  ['aws:MultiFactorAuthAge', '100'],
  ['aws:CurrentTime', '2026-11-24T12:00:00Z'],
];

const oneOrMany = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

/** A statement for a policy attached to an identity (no Principal). */
export const identityStatement = fc
  .record(
    {
      Effect: fc.constantFrom('Allow', 'Deny'),
      actions: fc.tuple(
        fc.constantFrom('Action', 'NotAction'),
        oneOrMany(fc.constantFrom(...actionPatterns)),
      ),
      resources: fc.tuple(
        fc.constantFrom('Resource', 'Resource', 'NotResource'),
        oneOrMany(fc.constantFrom(...resourcePatterns)),
      ),
      Condition: fc.option(fc.constantFrom(...conditions), { nil: undefined }),
    },
    { requiredKeys: ['Effect', 'actions', 'resources'] },
  )
  .map(
    ({ Effect, actions: [actionKey, action], resources: [resourceKey, resource], Condition }) => ({
      Effect,
      [actionKey]: action,
      [resourceKey]: resource,
      ...(Condition ? { Condition } : {}),
    }),
  );

const principalElements: unknown[] = [
  '*',
  { AWS: '*' },
  { AWS: A },
  { AWS: `arn:aws:iam::${B}:root` },
  { AWS: `arn:aws:iam::${A}:role/app` },
  { AWS: `arn:aws:sts::${A}:assumed-role/app/session-1` },
  { AWS: [`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${B}:role/partner`] },
];

/** A statement for a resource-based policy (with Principal or NotPrincipal). */
export const resourceStatement = fc
  .tuple(
    identityStatement,
    fc.constantFrom('Principal', 'Principal', 'NotPrincipal'),
    fc.constantFrom(...principalElements),
  )
  .map(([statement, key, principal]) => ({ ...statement, [key]: principal }));

/** A policy of identity-side statements. */
export const identityPolicy = fc
  .array(identityStatement, { minLength: 0, maxLength: 4 })
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

/** A resource-based policy. */
export const resourcePolicy = fc
  .array(resourceStatement, { minLength: 1, maxLength: 3 })
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

const fullAccess = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** A whole case: a request and every policy type, each optional one present at random. */
export const simulationCase = fc
  .record({
    principal: fc.constantFrom(...principals),
    action: fc.constantFrom(...actions),
    resource: fc.constantFrom(...resources),
    resourceAccount: fc.option(fc.constantFrom(A, B), { nil: undefined }),
    context: fc.uniqueArray(fc.constantFrom(...contextEntries), {
      selector: ([k]) => k,
      maxLength: 6,
    }),
    identityPolicies: fc.array(identityPolicy, { minLength: 0, maxLength: 3 }),
    permissionBoundary: fc.option(identityPolicy, { nil: undefined }),
    sessionPolicy: fc.option(identityPolicy, { nil: undefined }),
    serviceControlPolicies: fc.option(
      fc.array(
        fc.array(fc.oneof(fc.constant(fullAccess), identityPolicy), { minLength: 1, maxLength: 2 }),
        { minLength: 1, maxLength: 3 },
      ),
      { nil: undefined },
    ),
    resourceControlPolicies: fc.option(
      fc.array(
        fc.array(
          resourcePolicy.map((p) => ({
            ...p,
            // RCP statements name every principal: `Principal: "*"`, never NotPrincipal.
            Statement: p.Statement.map((statement) => {
              const { NotPrincipal: _dropped, ...rest } = statement as Record<string, unknown>;
              return { ...rest, Principal: '*' };
            }),
          })),
          { maxLength: 2 },
        ),
        { minLength: 1, maxLength: 2 },
      ),
      { nil: undefined },
    ),
    resourcePolicy: fc.option(resourcePolicy, { nil: undefined }),
  })
  .map(({ principal, action, resource, resourceAccount, context, ...policies }) => ({
    request: {
      principal,
      action,
      resource,
      ...(resourceAccount ? { resourceAccount } : {}),
      context: Object.fromEntries(context),
    },
    ...Object.fromEntries(Object.entries(policies).filter(([, v]) => v !== undefined)),
  })) as fc.Arbitrary<SimulationCaseShape>;

/** The generated case shape (the simulate contract). */
export interface SimulationCaseShape {
  request: {
    principal: string;
    action: string;
    resource: string;
    resourceAccount?: string;
    context: Record<string, string | string[]>;
  };
  identityPolicies: { Version: string; Statement: Record<string, unknown>[] }[];
  permissionBoundary?: { Version: string; Statement: Record<string, unknown>[] };
  sessionPolicy?: { Version: string; Statement: Record<string, unknown>[] };
  serviceControlPolicies?: { Version: string; Statement: Record<string, unknown>[] }[][];
  resourceControlPolicies?: { Version: string; Statement: Record<string, unknown>[] }[][];
  resourcePolicy?: { Version: string; Statement: Record<string, unknown>[] };
}
