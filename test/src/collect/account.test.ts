/**
 * `collectAccount` with the real SDK clients against the replay server: IAM pagination, a
 * throttled call retried by the SDK, the credential report polled from STARTED to COMPLETE,
 * S3 and KMS policies, expired credentials. The recorded IAM data is account 333333333333 of
 * fixtures/sample-org, so the collected snapshot must read back as that account does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsClients, CollectError, type AwsClients } from '../../../src/collect/aws.js';
import { collectAccount } from '../../../src/collect/account.js';
import { loadSnapshot } from '../../../src/snapshot.js';
import { recorded, startReplayServer, type ReplayServer } from './replay-server.js';
import { collectTestHooks } from './hooks.js';
import { accountRoutes } from './routes.js';

const FAST_POLL = { initialMs: 5, maxMs: 20, attempts: 5 };
const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };

let server: ReplayServer | undefined;
let clients: AwsClients | undefined;
const hooks = collectTestHooks('leastpriv-collect-');
const tempDir = hooks.tempDir;

describe('collectAccount', () => {
  it('collects the account as the snapshot reader reads it', async () => {
    server = hooks.server(await startReplayServer(accountRoutes()));
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const result = await collectAccount({
      clients,
      accountId: '333333333333',
      out,
      poll: FAST_POLL,
    });

    expect(result.counts).toMatchObject({
      users: 6,
      groups: 3,
      roles: 18,
      authorizationDetailsPages: 2,
      resourcePolicies: 2,
    });
    expect(result.warnings).toEqual([]);
    expect(readdirSync(join(out, 'accounts', '333333333333')).sort()).toEqual([
      'authorization-details.json',
      'credential-report.csv',
      'resource-policies.json',
    ]);
    // Pagination, the throttled call retried, the report polled until COMPLETE.
    const ops = server.requests.map((r) => r.operation);
    expect(ops.filter((o) => o === 'iam:GetAccountAuthorizationDetails')).toHaveLength(3);
    expect(ops.filter((o) => o === 'iam:GenerateCredentialReport')).toHaveLength(2);
    expect(server.requests[0]?.authorization).toContain('Credential=AKIAEXAMPLE/');

    const collected = loadSnapshot(out);
    expect(collected.issues).toEqual([]);
    const sample = loadSnapshot('fixtures/sample-org').accounts.find(
      (a) => a.id === '333333333333',
    )!;
    const account = collected.accounts[0]!;
    const summary = (p: (typeof account.principals)[number]) => ({
      arn: p.arn,
      kind: p.kind,
      // The documents as read (the same URL-encoded JSON in both), and whether each parsed.
      policies: p.policies.map((s) => [s.id, s.kind, s.document, s.policy !== undefined]),
      boundary: p.boundary?.document,
      trust: p.trustPolicy?.document,
      groups: p.groups,
      createDate: p.createDate,
      roleLastUsed: p.roleLastUsed,
      credentials: p.credentials,
    });
    expect(account.principals.map(summary)).toEqual(sample.principals.map(summary));
    expect(account.credentialReport).toEqual(sample.credentialReport);
    expect([...account.resourcePolicies.keys()].sort()).toEqual([
      'arn:aws:kms:eu-west-1:333333333333:key/9c2a7e41-3d5b-4f08-b6e1-8a0c4d2f7b93',
      'arn:aws:s3:::example-corp-dev-uploads',
    ]);
    for (const [arn, source] of account.resourcePolicies)
      expect(source.document).toEqual(sample.resourcePolicies.get(arn)?.document);
    // The CLI's form: dates with an offset, no SDK metadata.
    const details = readFileSync(
      join(out, 'accounts', '333333333333', 'authorization-details.json'),
      'utf8',
    );
    expect(details).toContain('"CreateDate": "2022-03-14T10:12:00+00:00"');
    expect(details).not.toContain('$metadata');
  });

  it('says to refresh the credentials when they have expired', async () => {
    server = hooks.server(
      await startReplayServer([
        {
          operation: 'iam:GetAccountAuthorizationDetails',
          responses: [recorded('iam/ExpiredToken.xml', 403)],
        },
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const error = await collectAccount({
      clients,
      accountId: '333333333333',
      out: tempDir(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectError);
    expect((error as CollectError).code).toBe('expired_credentials');
    expect((error as CollectError).message).toMatch(
      /expired.*iam:GetAccountAuthorizationDetails.*refresh your credentials/,
    );
    // Not retried: an expired token does not get better by waiting.
    expect(server.requests).toHaveLength(1);
  });

  it('gives up polling the credential report after the last try', async () => {
    server = hooks.server(
      await startReplayServer([
        ...accountRoutes().filter((r) => r.operation !== 'iam:GenerateCredentialReport'),
        {
          operation: 'iam:GenerateCredentialReport',
          responses: [recorded('iam/GenerateCredentialReport-STARTED.xml')],
        },
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const error = await collectAccount({
      clients,
      accountId: '333333333333',
      out: tempDir(),
      poll: { initialMs: 1, maxMs: 2, attempts: 3 },
    }).catch((e: unknown) => e);
    expect((error as CollectError).code).toBe('timeout');
    expect(
      server.requests.filter((r) => r.operation === 'iam:GenerateCredentialReport'),
    ).toHaveLength(3);
  });
});
