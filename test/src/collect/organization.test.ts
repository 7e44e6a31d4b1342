/**
 * `collectOrganization` and `leastpriv collect` with the real SDK clients against the replay
 * server. The recorded Organizations responses describe fixtures/sample-org's organization, so
 * the collected `organization.json` must equal it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { collectCommand } from '../../../src/cli/collect.js';
import { awsClients, type AwsClients } from '../../../src/collect/aws.js';
import { collectOrganization } from '../../../src/collect/organization.js';
import { loadSnapshot } from '../../../src/snapshot.js';
import { accessAnalyzerRoutes, accountRoutes, activityRoutes, noAnalyzerRoutes } from './routes.js';
import { bucketRoutes, objectsFrom } from './s3-bucket.js';
import {
  jsonError,
  recorded,
  startReplayServer,
  type ReplayServer,
  type Route,
} from './replay-server.js';
import { collectTestHooks } from './hooks.js';

const ORG = 'organizations';
const ROOT = join(import.meta.dirname, '..', '..', '..');
const byParam = (operation: string, param: string, prefix: string): Route[] =>
  [
    'r-ab12',
    'ou-ab12-11111111',
    'ou-ab12-22222222',
    'ou-ab12-33333333',
    'p-FullAWSAccess',
    'p-RCPFullAWSAccess',
    'p-9zq4rm2x',
    'p-4g7tk1wd',
    'p-83hx0c5n',
  ]
    .filter((id) => existsSync(join(import.meta.dirname, 'recorded', ORG, `${prefix}-${id}.json`)))
    .map((id) => ({
      operation: `${ORG}:${operation}`,
      match: (r) => r.params[param] === id,
      responses: [recorded(`${ORG}/${prefix}-${id}.json`)],
    }));

const organizationRoutes = (): Route[] => [
  {
    operation: `${ORG}:DescribeOrganization`,
    // Throttled once first: the SDK retries with backoff.
    responses: [
      jsonError(
        'TooManyRequestsException',
        "AWS Organizations can't complete your request because another request is already in progress.",
      ),
      recorded(`${ORG}/DescribeOrganization.json`),
    ],
  },
  { operation: `${ORG}:ListRoots`, responses: [recorded(`${ORG}/ListRoots.json`)] },
  {
    operation: `${ORG}:ListPolicies`,
    match: (r) => r.params['Filter'] === 'SERVICE_CONTROL_POLICY' && !r.params['NextToken'],
    responses: [recorded(`${ORG}/ListPolicies-SERVICE_CONTROL_POLICY-1.json`)],
  },
  {
    operation: `${ORG}:ListPolicies`,
    match: (r) => r.params['NextToken'] === 'AAQA-EXAMPLE-NEXT-TOKEN-2',
    responses: [recorded(`${ORG}/ListPolicies-SERVICE_CONTROL_POLICY-2.json`)],
  },
  {
    operation: `${ORG}:ListPolicies`,
    match: (r) => r.params['Filter'] === 'RESOURCE_CONTROL_POLICY',
    responses: [recorded(`${ORG}/ListPolicies-RESOURCE_CONTROL_POLICY.json`)],
  },
  ...byParam('DescribePolicy', 'PolicyId', 'DescribePolicy'),
  ...byParam('ListTargetsForPolicy', 'PolicyId', 'ListTargetsForPolicy'),
  ...byParam('ListAccountsForParent', 'ParentId', 'ListAccountsForParent'),
  ...byParam('ListOrganizationalUnitsForParent', 'ParentId', 'ListOrganizationalUnitsForParent'),
];

let server: ReplayServer | undefined;
let clients: AwsClients | undefined;
const hooks = collectTestHooks('leastpriv-collect-');
const tempDir = hooks.tempDir;
const sorted = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v].sort() : v,
  );

describe('collectOrganization', () => {
  it('writes the organization.json the sample organisation has', async () => {
    server = hooks.server(await startReplayServer(organizationRoutes()));
    clients = hooks.clients(
      awsClients({
        region: 'us-east-1',
        endpoint: server.url,
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
      }),
    );
    const out = tempDir();
    const result = await collectOrganization({ clients, out });
    expect(result.accounts.map((a) => a.id)).toEqual([
      '111111111111',
      '222222222222',
      '333333333333',
    ]);
    const written: unknown = JSON.parse(readFileSync(join(out, 'organization.json'), 'utf8'));
    const sample: unknown = JSON.parse(
      readFileSync('fixtures/sample-org/organization.json', 'utf8'),
    );
    expect(sorted(written)).toEqual(sorted(sample));
    // NextToken followed; the throttled call retried.
    const ops = server.requests.map((r) => r.operation);
    expect(ops.filter((o) => o === `${ORG}:ListPolicies`)).toHaveLength(3);
    expect(ops.filter((o) => o === `${ORG}:DescribeOrganization`)).toHaveLength(2);
    expect(loadSnapshot(out).issues).toEqual([]);
  });
});

describe('leastpriv collect', () => {
  const run = async (args: string[]) => {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c: Buffer) => (stdout += c.toString()));
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await collectCommand(args, out, err);
    return { code, stdout, stderr };
  };

  it('walks the organization, assuming the role into the other accounts', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    server = hooks.server(
      await startReplayServer([
        { operation: 'sts:GetCallerIdentity', responses: [recorded('sts/GetCallerIdentity.xml')] },
        { operation: 'sts:AssumeRole', responses: [recorded('sts/AssumeRole.xml')] },
        ...organizationRoutes(),
        ...accountRoutes(),
        ...activityRoutes(),
        ...noAnalyzerRoutes(),
      ]),
    );
    const dir = tempDir();
    const result = await run([
      '--out',
      dir,
      '--org',
      '--endpoint',
      server.url,
      '--region',
      'us-east-1',
      '--role-arn',
      'arn:aws:iam::{account}:role/Audit',
    ]);
    expect(result.stderr).toContain('collected 333333333333');
    expect(result.code).toBe(0);
    const assumed = server.requests.filter((r) => r.operation === 'sts:AssumeRole');
    expect(assumed.map((r) => r.params['RoleArn'])).toEqual([
      'arn:aws:iam::111111111111:role/Audit',
      'arn:aws:iam::222222222222:role/Audit',
    ]);
    // The member accounts are read with the assumed role's credentials.
    expect(
      server.requests.some((r) => r.authorization?.includes('Credential=ASIAEXAMPLEMEMBER333/')),
    ).toBe(true);
    for (const id of ['111111111111', '222222222222', '333333333333']) {
      for (const file of [
        'authorization-details.json',
        'credential-report.csv',
        'access-advisor.json',
      ])
        expect(existsSync(join(dir, 'accounts', id, file))).toBe(true);
      expect(existsSync(join(dir, 'cloudtrail', `lookup-events-${id}.json`))).toBe(true);
    }
    expect(loadSnapshot(dir).issues).toEqual([]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      organization: { id: 'o-exampleorgid', policies: 5 },
      skipped: [],
    });
  });

  it('skips a member that refuses AssumeRole, goes on, and reads the trail bucket instead of LookupEvents', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    const objects = objectsFrom(join(ROOT, 'fixtures', 'sample-org', 'cloudtrail'));
    server = hooks.server(
      await startReplayServer([
        { operation: 'sts:GetCallerIdentity', responses: [recorded('sts/GetCallerIdentity.xml')] },
        {
          operation: 'sts:AssumeRole',
          match: (r) => r.params['RoleArn'] === 'arn:aws:iam::222222222222:role/Audit',
          responses: [recorded('sts/AssumeRole-AccessDenied.xml', 403)],
        },
        { operation: 'sts:AssumeRole', responses: [recorded('sts/AssumeRole.xml')] },
        ...organizationRoutes(),
        ...accountRoutes(),
        ...activityRoutes(),
        ...accessAnalyzerRoutes(),
        ...bucketRoutes('example-corp-org-trail', objects),
      ]),
    );
    const dir = tempDir();
    // A LookupEvents export of an earlier run: it would count the trail's events twice.
    mkdirSync(join(dir, 'cloudtrail'), { recursive: true });
    writeFileSync(join(dir, 'cloudtrail', 'lookup-events-333333333333.json'), '{"Events":[]}\n');
    const result = await run([
      '--out',
      dir,
      '--org',
      '--endpoint',
      server.url,
      '--role-arn',
      'arn:aws:iam::{account}:role/Audit',
      '--days',
      '120',
      '--trail-bucket',
      'example-corp-org-trail',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/skipped 222222222222: .*sts:AssumeRole.*AccessDenied/);
    const summary = JSON.parse(result.stdout);
    expect(summary.skipped).toEqual([
      {
        account: '222222222222',
        reason: expect.stringMatching(/AccessDenied.*222222222222:role\/Audit/),
      },
    ]);
    expect(summary.accounts.map((a: { id: string }) => a.id)).toEqual([
      '111111111111',
      '333333333333',
    ]);
    expect(existsSync(join(dir, 'accounts', '222222222222'))).toBe(false);
    // No LookupEvents at all, the stale export removed; the trail's files of the two accounts.
    expect(server.requests.some((r) => r.operation === 'cloudtrail:LookupEvents')).toBe(false);
    expect(readdirSync(join(dir, 'cloudtrail'))).toEqual(['AWSLogs']);
    expect(readdirSync(join(dir, 'cloudtrail', 'AWSLogs', 'o-exampleorgid')).sort()).toEqual([
      '111111111111',
      '333333333333',
    ]);
    expect(summary.trail).toMatchObject({
      bucket: 'example-corp-org-trail',
      accounts: ['111111111111', '333333333333'],
    });
    expect(summary.trail.downloaded).toBeGreaterThan(10);
    // Access Analyzer: the recorded analyzer answers for every account here; its findings are
    // about 333333333333, so only that account's file lists them.
    const findings = JSON.parse(
      readFileSync(join(dir, 'accounts', '333333333333', 'access-analyzer-findings.json'), 'utf8'),
    );
    expect(findings.findings).toHaveLength(6);
    expect(loadSnapshot(dir).issues).toEqual([]);
  });

  it('exits 1 when no account could be collected', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
    server = hooks.server(
      await startReplayServer([
        { operation: 'sts:GetCallerIdentity', responses: [recorded('sts/GetCallerIdentity.xml')] },
        {
          operation: 'sts:AssumeRole',
          responses: [recorded('sts/AssumeRole-AccessDenied.xml', 403)],
        },
        ...organizationRoutes(),
        {
          operation: 'iam:GetAccountAuthorizationDetails',
          responses: [
            {
              status: 403,
              body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::333333333333:user/collector is not authorized to perform: iam:GetAccountAuthorizationDetails</Message></Error><RequestId>1a2b3c4d-EXAMPLE</RequestId></ErrorResponse>`,
            },
          ],
        },
      ]),
    );
    const result = await run([
      '--out',
      tempDir(),
      '--org',
      '--endpoint',
      server.url,
      '--days',
      '0',
    ]);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.accounts).toEqual([]);
    expect(summary.skipped.map((s: { account: string }) => s.account)).toEqual([
      '111111111111',
      '222222222222',
      '333333333333',
    ]);
    expect(summary.skipped[2].reason).toMatch(/iam:GetAccountAuthorizationDetails.*denied/);
  });

  it('exits 1 with the refresh message when the credentials have expired', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
    server = hooks.server(
      await startReplayServer([
        { operation: 'sts:GetCallerIdentity', responses: [recorded('sts/GetCallerIdentity.xml')] },
        {
          operation: 'iam:GetAccountAuthorizationDetails',
          responses: [recorded('iam/ExpiredToken.xml', 403)],
        },
      ]),
    );
    const result = await run(['--out', tempDir(), '--endpoint', server.url, '--days', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/credentials have expired.*refresh your credentials/);
  });

  it('rejects missing --out and a role template without {account}', async () => {
    expect((await run([])).code).toBe(2);
    const bad = await run(['--out', 'x', '--role-arn', 'arn:aws:iam::1:role/R']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('{account}');
    expect((await run(['--out', 'x', '--days', '400'])).code).toBe(2);
    expect((await run(['--out', 'x', '--days', '91'])).stderr).toContain('--trail-bucket');
    expect((await run(['--out', 'x', '--trail-prefix', 'p'])).code).toBe(2);
    expect((await run(['--out', 'x', '--trail-bucket', 'Bad_Bucket'])).code).toBe(2);
    expect(
      (await run(['--out', 'x', '--trail-bucket', 'example-corp-org-trail', '--days', '401'])).code,
    ).toBe(2);
  });
});
