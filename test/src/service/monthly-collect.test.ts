/**
 * The monthly job's live source (`collectLive`): the real AWS SDK clients against the local
 * replay server, collecting one account into the snapshot directory the month's analysis reads;
 * and a collection that yields no account fails the step (so the run is retried and recorded).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectLive } from '../../../src/service/monthly.js';
import { loadSnapshot } from '../../../src/snapshot.js';
import { recorded, startReplayServer, type ReplayServer } from '../collect/replay-server.js';
import { accountRoutes, noAnalyzerRoutes } from '../collect/routes.js';

let server: ReplayServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

const credentials = () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
};

describe('collectLive', () => {
  it('collects the account the credentials belong to into the directory', async () => {
    credentials();
    server = await startReplayServer([
      { operation: 'sts:GetCallerIdentity', responses: [recorded('sts/GetCallerIdentity.xml')] },
      ...accountRoutes(),
      ...noAnalyzerRoutes(),
    ]);
    const out = join(mkdtempSync(join(tmpdir(), 'leastpriv-monthly-collect-')), 'snapshot');
    await collectLive(
      { endpoint: server.url, region: 'us-east-1', days: 0 },
      out,
      new AbortController().signal,
    );
    const snapshot = loadSnapshot(out);
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.accounts.map((a) => a.id)).toEqual(['333333333333']);
    expect(snapshot.accounts[0]!.principals.length).toBeGreaterThan(0);
    expect(existsSync(join(out, 'accounts', '333333333333', 'credential-report.csv'))).toBe(true);
    // --days 0: no LookupEvents asked.
    expect(server.requests.some((r) => r.operation === 'cloudtrail:LookupEvents')).toBe(false);
  });

  it('fails the step when no account could be collected', async () => {
    credentials();
    server = await startReplayServer([
      {
        operation: 'sts:GetCallerIdentity',
        responses: [recorded('sts/AssumeRole-AccessDenied.xml', 403)],
      },
    ]);
    const out = join(mkdtempSync(join(tmpdir(), 'leastpriv-monthly-collect-')), 'snapshot');
    await expect(
      collectLive(
        { endpoint: server.url, region: 'us-east-1', days: 0 },
        out,
        new AbortController().signal,
      ),
    ).rejects.toThrow(/sts:GetCallerIdentity.*AccessDenied/);
  });
});
