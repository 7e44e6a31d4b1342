/**
 * `collectLookupEvents` and `collectAccessAdvisor` with the real SDK clients against the replay
 * server; what they write is read back by the usage layer's own readers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAccessAdvisor } from '../../../usage/access-advisor.js';
import { parseRecords } from '../../../usage/cloudtrail/record.js';
import { collectAccessAdvisor, collectLookupEvents } from '../../../src/collect/activity.js';
import { awsClients, type AwsClients } from '../../../src/collect/aws.js';
import { jsonError, recorded, startReplayServer, type ReplayServer } from './replay-server.js';
import { collectTestHooks } from './hooks.js';

const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };
const ALICE = 'arn:aws:iam::333333333333:user/engineering/alice.martin';
const GONE = 'arn:aws:iam::333333333333:role/deleted-in-the-meantime';

let server: ReplayServer | undefined;
let clients: AwsClients | undefined;
const hooks = collectTestHooks('leastpriv-collect-');
const tempDir = hooks.tempDir;

describe('collectLookupEvents', () => {
  it('pages through the window after a throttled call and writes what usage ingest reads', async () => {
    server = hooks.server(
      await startReplayServer([
        {
          operation: 'cloudtrail:LookupEvents',
          match: (r) => r.params['NextToken'] === undefined,
          responses: [
            jsonError('ThrottlingException', 'Rate exceeded'),
            recorded('cloudtrail/LookupEvents-1.json'),
          ],
        },
        {
          operation: 'cloudtrail:LookupEvents',
          match: (r) => typeof r.params['NextToken'] === 'string',
          responses: [recorded('cloudtrail/LookupEvents-2.json')],
        },
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const now = new Date('2026-11-24T12:00:00Z');
    const result = await collectLookupEvents({
      clients,
      accountId: '333333333333',
      out,
      days: 90,
      now,
    });
    expect(result).toMatchObject({ events: 3, pages: 2 });
    expect(result.file).toBe(join(out, 'cloudtrail', 'lookup-events-333333333333.json'));
    // JSON 1.1 sends timestamps as epoch seconds.
    const first = server.requests[0]!;
    expect(first.params['StartTime']).toBe(now.getTime() / 1000 - 90 * 86_400);
    expect(first.params['EndTime']).toBe(now.getTime() / 1000);
    expect(server.requests[2]?.params['NextToken']).toMatch(/^kbOt5/);

    const parsed = parseRecords(readFileSync(result.file, 'utf8'), result.file);
    expect(parsed.issues).toEqual([]);
    expect(parsed.records.map((r) => [r.eventName, r.userIdentity?.arn])).toEqual([
      ['ListFunctions20150331', ALICE],
      ['DescribeTable', ALICE],
      ['GetCallerIdentity', 'arn:aws:sts::333333333333:assumed-role/github-actions-ci/gha-run-1'],
    ]);
    const written = JSON.parse(readFileSync(result.file, 'utf8')) as {
      Events: { EventTime: string }[];
    };
    expect(written.Events[0]?.EventTime).toBe('2026-11-21T09:00:00+00:00');
  });
});

describe('collectAccessAdvisor', () => {
  it('polls each job until it completes, merges its pages, and warns for a principal it cannot read', async () => {
    server = hooks.server(
      await startReplayServer([
        {
          operation: 'iam:GenerateServiceLastAccessedDetails',
          match: (r) => r.params['Arn'] === ALICE && r.params['Granularity'] === 'ACTION_LEVEL',
          responses: [recorded('iam/GenerateServiceLastAccessedDetails.xml')],
        },
        {
          operation: 'iam:GenerateServiceLastAccessedDetails',
          responses: [
            {
              status: 404,
              contentType: 'text/xml',
              body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name deleted-in-the-meantime cannot be found.</Message></Error><RequestId>5b6d4a7f-8e9c-4d0b-9a2f-3e4d5f6aEXAMPLE</RequestId></ErrorResponse>`,
            },
          ],
        },
        {
          operation: 'iam:GetServiceLastAccessedDetails',
          match: (r) => r.params['Marker'] === undefined,
          responses: [
            recorded('iam/GetServiceLastAccessedDetails-IN_PROGRESS.xml'),
            recorded('iam/GetServiceLastAccessedDetails-COMPLETED-1.xml'),
          ],
        },
        {
          operation: 'iam:GetServiceLastAccessedDetails',
          match: (r) => r.params['Marker'] === 'EXAMPLEaccessadvisorPAGE2',
          responses: [recorded('iam/GetServiceLastAccessedDetails-COMPLETED-2.xml')],
        },
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const result = await collectAccessAdvisor({
      clients,
      accountId: '333333333333',
      out,
      principals: [ALICE, GONE],
      poll: { initialMs: 5, maxMs: 10, attempts: 5 },
    });
    expect(result.principals).toBe(1);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'access_advisor_unavailable', path: GONE }),
    ]);
    expect(result.file).toBe(join(out, 'accounts', '333333333333', 'access-advisor.json'));
    const json: unknown = JSON.parse(readFileSync(result.file, 'utf8'));
    const { facts, issues } = readAccessAdvisor(json, 'access-advisor.json');
    expect(issues).toEqual([]);
    expect(facts.map((f) => [f.principal, f.action, f.day])).toEqual([
      [ALICE, 'lambda:UpdateFunctionCode', '2026-11-21'],
      [ALICE, 'dynamodb:*', '2026-11-20'],
    ]);
    expect(JSON.stringify(json)).not.toMatch(/IsTruncated|Marker/);
  });
});
