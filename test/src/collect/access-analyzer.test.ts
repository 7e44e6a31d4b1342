/**
 * IAM Access Analyzer unused-access findings with the real SDK client against the replay server
 * (REST-JSON, as the API reference documents each call):
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListAnalyzers.html
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListFindingsV2.html
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_GetFindingV2.html
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_FindingDetails.html
 * The recorded findings are about account 333333333333 of fixtures/sample-org, and what is
 * written is the sample's `access-analyzer-findings.json`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  unusedAccessFindings,
  writeAccessAnalyzerFindings,
} from '../../../src/collect/access-analyzer.js';
import { awsClients, CollectError, type AwsClients } from '../../../src/collect/aws.js';
import { loadAccessAnalyzerFindings } from '../../../src/snapshot.js';
import {
  restJsonBody,
  restJsonError,
  startReplayServer,
  type ReplayServer,
} from './replay-server.js';
import { collectTestHooks } from './hooks.js';
import { accessAnalyzerRoutes, noAnalyzerRoutes } from './routes.js';

const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };
const ACCOUNT = '333333333333';
const JENKINS = '6c8e0a2b-4d6f-4a8c-b0e2-4a6c8e0b2d4f';
const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sample-org');

let server: ReplayServer | undefined;
let clients: AwsClients | undefined;
const hooks = collectTestHooks('leastpriv-aa-');
const tempDir = hooks.tempDir;

describe('unusedAccessFindings', () => {
  it('lists both analyzer types, pages through the findings and their details, and writes the sample file', async () => {
    server = hooks.server(await startReplayServer(accessAnalyzerRoutes()));
    clients = hooks.clients(awsClients({ region: 'eu-west-1', endpoint: server.url, credentials }));
    const result = await unusedAccessFindings({ clients, accountId: ACCOUNT });
    expect(result.warnings).toEqual([]);
    expect(result.analyzers.map((a) => a.type)).toEqual(['ACCOUNT_UNUSED_ACCESS']);
    expect(result.findings.map((f) => [f.findingType, f.resource.split('/').at(-1)])).toEqual([
      ['UnusedIAMRole', 'BreakGlass'],
      ['UnusedIAMUserAccessKey', 'integration-tests-bot'],
      ['UnusedIAMUserPassword', 'bob.nguyen'],
      ['UnusedIAMRole', 'OrganizationAccountAccessRole'],
      ['UnusedPermission', 'github-actions-ci'],
      ['UnusedPermission', 'jenkins-ec2'],
    ]);
    // Both pages of jenkins-ec2's details, merged; no nextToken kept.
    const jenkins = result.findings.find((f) => f.id === JENKINS)!;
    expect(jenkins.findingDetails).toEqual([
      {
        unusedPermissionDetails: {
          serviceNamespace: 'ssm',
          lastAccessed: '2026-10-02T10:05:00+00:00',
          actions: [
            { action: 'GetParameters', lastAccessed: '2026-10-02T10:05:00+00:00' },
            { action: 'PutParameter' },
          ],
        },
      },
      { unusedPermissionDetails: { serviceNamespace: 'sqs' } },
    ]);
    expect(jenkins).not.toHaveProperty('nextToken');

    const ops = server.requests.map((r) => r.operation);
    expect(
      server.requests
        .filter((r) => r.operation === 'access-analyzer:ListAnalyzers')
        .map((r) => r.params['type']),
    ).toEqual(['ACCOUNT_UNUSED_ACCESS', 'ORGANIZATION_UNUSED_ACCESS']);
    expect(ops.filter((o) => o === 'access-analyzer:ListFindingsV2')).toHaveLength(2);
    expect(ops.filter((o) => o === 'access-analyzer:GetFindingV2')).toHaveLength(7);
    const list = server.requests.find((r) => r.operation === 'access-analyzer:ListFindingsV2')!;
    expect(list.params['filter']).toEqual({ status: { eq: ['ACTIVE'] } });
    expect(list.params['analyzerArn']).toBe(result.analyzers[0]!.arn);

    const out = tempDir();
    const written = writeAccessAnalyzerFindings(out, ACCOUNT, result.analyzers, result.findings);
    expect(written).toEqual({
      file: join(out, 'accounts', ACCOUNT, 'access-analyzer-findings.json'),
      findings: 6,
    });
    // The bundled sample's file is exactly what collect writes.
    expect(readFileSync(written.file, 'utf8')).toBe(
      readFileSync(join(SAMPLE, 'accounts', ACCOUNT, 'access-analyzer-findings.json'), 'utf8'),
    );
    const loaded = loadAccessAnalyzerFindings(out);
    expect(loaded.issues).toEqual([]);
    expect(loaded.findings).toHaveLength(6);
  });

  it('warns, writing nothing, when the account has no unused-access analyzer', async () => {
    server = hooks.server(await startReplayServer(noAnalyzerRoutes()));
    clients = hooks.clients(awsClients({ region: 'eu-west-1', endpoint: server.url, credentials }));
    const result = await unusedAccessFindings({ clients, accountId: ACCOUNT });
    expect(result).toMatchObject({ analyzers: [], findings: [] });
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'access_analyzer_unavailable',
        message: expect.stringMatching(/no active unused-access analyzer/),
        path: `account ${ACCOUNT}`,
      }),
    ]);
  });

  it('warns when access is denied', async () => {
    server = hooks.server(
      await startReplayServer([
        {
          operation: 'access-analyzer:ListAnalyzers',
          responses: [
            restJsonError(
              'AccessDeniedException',
              'User: arn:aws:iam::333333333333:user/collector is not authorized to perform: access-analyzer:ListAnalyzers',
              403,
            ),
          ],
        },
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'eu-west-1', endpoint: server.url, credentials }));
    const result = await unusedAccessFindings({ clients, accountId: ACCOUNT });
    expect(result.findings).toEqual([]);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'access_analyzer_unavailable',
        message: expect.stringMatching(
          /access-analyzer:ListAnalyzers.*denied.*AccessDeniedException/,
        ),
      }),
    ]);
  });

  it('names a malformed answer and keeps the findings read before it', async () => {
    const BROKEN = '9a7b5c3d-1e2f-4a6b-8c0d-e2f4a6b8c0d1';
    const NOT_JSON = '3b5d7f9a-2c4e-4f6a-9b1d-3f5a7c9e1b3d';
    server = hooks.server(
      await startReplayServer([
        {
          operation: 'access-analyzer:GetFindingV2',
          match: (r) => r.params['id'] === BROKEN,
          // A finding without its resource ARN and with a type unused-access analyzers never send.
          responses: [
            restJsonBody({ id: BROKEN, findingType: 'ExternalAccess', findingDetails: [] }),
          ],
        },
        {
          operation: 'access-analyzer:GetFindingV2',
          match: (r) => r.params['id'] === NOT_JSON,
          responses: [
            { body: '{"id": "3b5d7f9a", "findingDetails": [', contentType: 'application/json' },
          ],
        },
        ...accessAnalyzerRoutes(),
      ]),
    );
    clients = hooks.clients(
      awsClients({
        region: 'eu-west-1',
        endpoint: server.url,
        credentials,
        maxAttempts: 1,
      }),
    );
    const result = await unusedAccessFindings({ clients, accountId: ACCOUNT, concurrency: 1 });
    expect(result.findings.map((f) => f.id)).not.toContain(BROKEN);
    expect(result.findings).toHaveLength(4);
    expect(result.warnings.map((w) => w.path).sort()).toEqual(
      [BROKEN, NOT_JSON].map((id) => `${result.analyzers[0]!.arn}#finding/${id}`).sort(),
    );
    expect(result.warnings.find((w) => w.path.endsWith(BROKEN))?.message).toMatch(
      /GetFindingV2.*malformed answer: no `resource` ARN/,
    );
  });

  it('stops on expired credentials', async () => {
    server = hooks.server(
      await startReplayServer([
        {
          operation: 'access-analyzer:ListAnalyzers',
          responses: [
            restJsonError(
              'ExpiredTokenException',
              'The security token included in the request is expired',
              403,
            ),
          ],
        },
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'eu-west-1', endpoint: server.url, credentials }));
    const error = await unusedAccessFindings({ clients, accountId: ACCOUNT }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CollectError);
    expect((error as CollectError).code).toBe('expired_credentials');
  });
});
