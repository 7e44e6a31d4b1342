/**
 * Rewrites on crafted principals: what is kept and why, resource scoping, AWS's limits, the
 * outputs. Sizes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * PassRole: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
import { describe, expect, it } from 'vitest';
import { effectivePermissions, type Principal } from '../../policy-model/index.js';
import { compressActions, LIMITS, policySize } from '../../recommender/limits.js';
import { generaliseObjects } from '../../recommender/evidence.js';
import { recommend } from '../../recommender/recommend.js';
import type { ResourceUse } from '../../usage/facts.js';
import { loadCatalog } from '../../src/catalog.js';
import { buildPrincipal } from '../policy-model/account/random-principal.js';

const catalog = loadCatalog();

function principalWith(
  statements: Record<string, unknown>[],
  over: Partial<Principal> = {},
  type: 'user' | 'role' = 'role',
): Principal {
  const { principal } = buildPrincipal({
    type,
    name: 'app',
    team: undefined,
    policies: [{ Version: '2012-10-17', Statement: statements as never }],
    boundary: undefined,
    scps: undefined,
  });
  return { ...principal, ...over };
}

const use = (action: string, resource = '', count = 1): ResourceUse => ({
  principal: 'arn:aws:iam::111122223333:role/app',
  action,
  resource,
  source: 'cloudtrail',
  count,
  firstSeen: '2026-11-20T10:00:00Z',
  lastSeen: '2026-11-21T10:00:00Z',
});

function run(principal: Principal, uses: ResourceUse[], recorded: string[] = ['s3']) {
  const permissions = effectivePermissions({
    catalog,
    principal,
    scpLevels: undefined,
    organizationId: undefined,
  });
  return recommend({
    catalog,
    permissions,
    scpLevels: undefined,
    organizationId: undefined,
    activity: { uses, people: ['jane@example.com'] },
    recordedDataEvents: new Set(recorded),
  }).recommendation;
}

describe('rewrites', () => {
  it('keeps the used actions scoped to the resources seen, never wider than the grant, and drops the rest', () => {
    const r = run(
      principalWith([
        { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*'], Resource: '*' },
        { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
        { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/secret/*' },
      ]),
      [
        use('s3:GetObject', 'arn:aws:s3:::data/a.csv', 3),
        use('s3:GetObject', 'arn:aws:s3:::data/b.csv'),
        use('s3:PutObject', 'arn:aws:s3:::out/report.csv'),
        use('s3:ListBucket', 'arn:aws:s3:::data'),
      ],
    );
    expect(r.status).toBe('proposed');
    expect(r.proof.noNewAccess.holds).toBe(true);
    expect(r.proof.usageCovered.holds).toBe(true);
    const statements = r.proposed.flatMap((p) => p.document.Statement);
    const grant = (action: string) => statements.find((s) => [s['Action']].flat().includes(action));
    // Several objects of a bucket: the bucket's objects; one object: that object.
    expect(grant('s3:GetObject')?.['Resource']).toBe('arn:aws:s3:::data/*');
    expect(grant('s3:PutObject')?.['Resource']).toBe('arn:aws:s3:::out/report.csv');
    expect(grant('s3:ListBucket')?.['Resource']).toBe('arn:aws:s3:::data');
    // SSE-KMS: kms:Decrypt is not granted today, so it is not added.
    expect(grant('kms:Decrypt')).toBeUndefined();
    // A Deny on a kept action stays, one on removed actions only goes; unused DynamoDB goes,
    // reported as one entry (its data-plane actions stay: DynamoDB data events are not recorded).
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::data/secret/*',
    });
    expect(statements.filter((s) => s['Effect'] === 'Deny')).toHaveLength(1);
    expect(grant('dynamodb:GetItem')?.['Resource']).toBe('*');
    expect(r.removed.find((e) => e.action === 'dynamodb:*')).toMatchObject({
      confidence: 'unused',
      actionCount: expect.any(Number),
    });
    expect(r.kept.find((e) => e.action === 's3:GetObject')).toMatchObject({
      confidence: 'used',
      count: 4,
      lastUsed: '2026-11-21T10:00:00Z',
      people: ['jane@example.com'],
    });
    expect(r.terraform).toContain('data "aws_iam_policy_document"');
    expect(r.terraform).toContain('resource "aws_iam_role_policy"');
    expect(r.current).toHaveLength(1);
  });

  it('keeps the resources as granted when a use named none, and copies conditions verbatim', () => {
    const condition = { Bool: { 'aws:SecureTransport': 'true' } };
    const r = run(
      principalWith([
        {
          Effect: 'Allow',
          Action: ['sqs:SendMessage', 'sqs:DeleteQueue'],
          Resource: 'arn:aws:sqs:*:111122223333:*',
          Condition: condition,
        },
      ]),
      [use('sqs:SendMessage')],
    );
    expect(r.status).toBe('proposed');
    expect(r.proposed[0]!.document.Statement).toEqual([
      {
        Sid: 'Keep1',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:*:111122223333:*',
        Condition: condition,
      },
    ]);
  });

  it('keeps what kept actions need and CloudTrail does not log: iam:PassRole, kms:Decrypt', () => {
    const r = run(
      principalWith([
        {
          Effect: 'Allow',
          Action: ['lambda:CreateFunction', 'iam:PassRole', 'kms:Decrypt', 's3:GetObject'],
          Resource: '*',
        },
      ]),
      [use('lambda:CreateFunction'), use('s3:GetObject', 'arn:aws:s3:::b/k')],
    );
    expect(r.kept.find((e) => e.action === 'iam:PassRole')?.reason).toMatch(
      /lambda:CreateFunction needs it/,
    );
    expect(r.kept.find((e) => e.action === 'kms:Decrypt')?.reason).toMatch(/s3:GetObject needs it/);
  });

  it('calls data-plane actions unknown, not unused, where data events are not recorded', () => {
    const principal = principalWith([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:CreateBucket'], Resource: '*' },
    ]);
    const off = run(principal, [], []);
    expect(off.kept.map((e) => [e.action, e.confidence])).toEqual([['s3:GetObject', 'unknown']]);
    expect(off.removed.map((e) => e.action)).toEqual(['s3:CreateBucket']);
    const on = run(principal, [], ['s3']);
    expect(on.kept).toEqual([]);
    // Nothing kept: the rewrite detaches every identity policy.
    expect(on.status).toBe('proposed');
    expect(on.proposed).toEqual([]);
  });

  it('keeps the services Access Advisor saw used, marked as coarser evidence', () => {
    const r = run(principalWith([{ Effect: 'Allow', Action: ['ec2:*', 'rds:*'], Resource: '*' }]), [
      { ...use('ec2:*'), source: 'access-advisor' },
    ]);
    expect(r.kept.every((e) => e.confidence === 'used-per-access-advisor')).toBe(true);
    expect(r.kept.every((e) => e.action.startsWith('ec2:'))).toBe(true);
    expect(r.removed).toEqual([expect.objectContaining({ action: 'rds:*' })]);
  });

  it('leaves service-linked roles alone, says when nothing is unused, and applies SSO rewrites to the permission set', () => {
    const statements = [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }];
    expect(run(principalWith(statements, { serviceLinked: true }), []).status).toBe('keep');
    expect(run(principalWith(statements), [use('sqs:SendMessage')]).status).toBe('keep');
    const sso = run(
      principalWith(
        [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:DeleteQueue'], Resource: '*' }],
        { name: 'AWSReservedSSO_DataScientist_c04b043c17b19210' },
      ),
      [use('sqs:SendMessage')],
    );
    expect(sso.applyVia).toMatch(/permission set "DataScientist"/);
  });

  it('fits AWS limits: a user inline policy of 2,048 characters, else managed policies, compressing lists only then', () => {
    const many = [...catalog.services.get('ec2')!.actions.values()].map((a) => a.fullName);
    const uses = many.slice(0, 400).map((a) => use(a));
    const user = run(
      principalWith([{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }], {}, 'user'),
      uses,
    );
    expect(user.status).toBe('proposed');
    for (const p of user.proposed) expect(p.size).toBeLessThanOrEqual(p.limit);
    expect(user.proposed.every((p) => p.kind === 'managed' || p.kind === 'user-inline')).toBe(true);
    expect(policySize({ a: ' b ' })).toBe(JSON.stringify({ a: ' b ' }).length);
    expect(LIMITS).toMatchObject({ roleInline: 10_240, userInline: 2_048, managed: 6_144 });
  });

  it('compresses action lists only with wildcards that expand to listed actions', () => {
    const s3 = catalog.services.get('s3')!;
    const gets = [...s3.actions.values()].filter((a) => a.name.startsWith('Get'));
    const ids = new Set([...gets.map((a) => a.id), s3.actions.get('putobject')!.id]);
    expect(compressActions(catalog, ids)).toEqual(['s3:Get*', 's3:PutObject']);
    const partial = new Set(gets.slice(1).map((a) => a.id));
    expect(compressActions(catalog, partial)).not.toContain('s3:Get*');
  });

  it('generalises S3 objects to bucket/* only when several objects were used', () => {
    expect(
      generaliseObjects([
        'arn:aws:s3:::a/x',
        'arn:aws:s3:::b/x',
        'arn:aws:s3:::b/y',
        'arn:aws:s3:::c/*',
        'arn:aws:s3:::d',
      ]),
    ).toEqual(['arn:aws:s3:::a/x', 'arn:aws:s3:::b/*', 'arn:aws:s3:::c/*', 'arn:aws:s3:::d']);
  });
});
