/**
 * End-to-end: the monthly job on the sample organisation, with the real server, job runner and
 * analysis worker (the build: `npm test` builds first) and a fake clock. Two months run (the
 * second with the first's report as baseline and the usage store recognising the copied trail
 * files), the reports are delivered to a directory and a loopback webhook, and then the real CLI
 * (`leastpriv report --month`) reproduces each month from stored data: the JSON equals the stored
 * one except `generatedAt`. Bad months and unknown estates exit 2.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/service/app.js';
import { createLogger } from '../../src/service/log.js';
import { MonthlyJob } from '../../src/service/monthly.js';
import { readRuns, RunsFile } from '../../src/service/runs.js';
import { MonthlyScheduler } from '../../src/service/scheduler.js';
import { loadCatalog } from '../../src/catalog.js';
import { fakeClock } from '../src/service/fake-clock.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const SAMPLE = join(ROOT, 'fixtures', 'sample-org');

// Reports are compared by value: a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by test assertions
type Json = any;

const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
const withoutGeneratedAt = (report: Json): Json => {
  const { generatedAt: _g, ...rest } = report;
  return rest;
};

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the monthly job, then `leastpriv report --month`', () => {
  const data = mkdtempSync(join(tmpdir(), 'leastpriv-monthly-data-'));
  const source = join(mkdtempSync(join(tmpdir(), 'leastpriv-monthly-src-')), 'sample-org');
  const delivered = mkdtempSync(join(tmpdir(), 'leastpriv-monthly-out-'));
  const posts: { month: unknown; body: string }[] = [];
  let failuresLeft = 2;
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push({ month: req.headers['x-leastpriv-month'], body });
      // The receiver fails twice, then accepts.
      res.statusCode = failuresLeft-- > 0 ? 503 : 204;
      res.end();
    });
  });
  let server: RunningServer;
  let hookUrl: string;

  beforeAll(async () => {
    cpSync(SAMPLE, source, { recursive: true });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/reports`;
    server = await startServer({
      dataDir: data,
      port: 0,
      catalog: loadCatalog(),
      logger: createLogger({ level: 'warn' }),
    });
  });
  afterAll(async () => {
    await server?.close();
    hook.close();
  });

  it('runs two months, delivering each, with the first as the second one’s baseline', async () => {
    const time = fakeClock('2026-11-20T00:00:00Z');
    const runs = new RunsFile(data);
    const logger = createLogger({ level: 'warn' });
    const job = new MonthlyJob({
      dataDir: data,
      estates: [
        {
          name: 'acme',
          source: { directory: source },
          deliver: { directory: delivered, webhook: { url: hookUrl } },
        },
      ],
      jobs: server.jobs,
      runs,
      logger,
      timezone: 'Europe/Berlin',
      clock: time.clock,
      webhookBackoffMs: 1,
    });
    const scheduler = new MonthlyScheduler({
      cron: '0 6 1 * *',
      timezone: 'Europe/Berlin',
      runs,
      run: job.run,
      logger,
      clock: time.clock,
      trigger: () => ({ stop: () => undefined }),
    });
    expect(await scheduler.start()).toEqual({ status: 'idle' });
    time.set('2026-12-01T05:00:00Z'); // 06:00 in Berlin
    expect(await scheduler.tick()).toMatchObject({ status: 'ran', outcome: 'succeeded' });
    time.set('2027-01-01T05:00:00Z');
    expect(await scheduler.tick()).toMatchObject({ status: 'ran', outcome: 'succeeded' });
    await scheduler.stop();

    const state = readRuns(data);
    expect(state.runs.map((r) => [r.month, r.status])).toEqual([
      ['2026-11', 'succeeded'],
      ['2026-12', 'succeeded'],
    ]);
    const [nov, dec] = state.runs.map((r) => r.estates[0]!);
    expect(nov).toMatchObject({ snapshot: 'acme-2026-11', asOf: '2026-11-30' });
    expect(nov!.usageBase).toBeUndefined();
    expect(nov!.previous).toBeUndefined();
    expect(nov!.delivered!.webhook).toEqual({ status: 204, tries: 3 });
    expect(dec).toMatchObject({
      snapshot: 'acme-2026-12',
      asOf: '2026-12-31',
      usageBase: join('usage', 'history', 'acme', 'before-2026-12.db'),
      previous: join('reports', nov!.jobId!, 'report.json'),
      delivered: { webhook: { status: 204, tries: 1 } },
    });
    expect(readdirSync(join(data, 'snapshots')).sort()).toEqual(['acme-2026-11', 'acme-2026-12']);

    const novReport = readJson(join(data, 'reports', nov!.jobId!, 'report.json'));
    const decReport = readJson(join(data, 'reports', dec!.jobId!, 'report.json'));
    expect(novReport).toMatchObject({ asOf: '2026-11-30', windowDays: 90 });
    expect(decReport.asOf).toBe('2026-12-31');
    // Incremental: December's copy of the same trail files is recognised, nothing read twice.
    expect(novReport.evidence.cloudTrailRecords).toBeGreaterThan(0);
    expect(decReport.evidence.cloudTrailRecords).toBe(0);
    // The baseline: December's scores carry their change since November.
    expect(novReport.summary.score.change).toBeUndefined();
    expect(typeof decReport.summary.score.change).toBe('number');

    // Delivered: the files in the directory, the JSON to the webhook (after two 503s).
    expect(readdirSync(join(delivered, 'acme-2026-11')).sort()).toEqual([
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
      'report.sarif',
    ]);
    expect(readJson(join(delivered, 'acme-2026-12', 'report.json'))).toEqual(decReport);
    expect(posts.map((p) => p.month)).toEqual(['2026-11', '2026-11', '2026-11', '2026-12']);
    expect(JSON.parse(posts[3]!.body)).toEqual(decReport);
  }, 240_000);

  it('reproduces each month from stored data', () => {
    const state = readRuns(data);
    for (const [i, month] of ['2026-11', '2026-12'].entries()) {
      const out = mkdtempSync(join(tmpdir(), 'leastpriv-reproduced-'));
      const run = cli([
        'report',
        '--month',
        month,
        '--data',
        data,
        '--estate',
        'acme',
        '--out',
        out,
      ]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const summary = JSON.parse(run.stdout) as Json;
      expect(summary).toMatchObject({ estate: 'acme', month, matchesStored: true });
      const stored = readJson(
        join(data, 'reports', state.runs[i]!.estates[0]!.jobId!, 'report.json'),
      );
      const again = readJson(join(out, 'report.json'));
      expect(again.generatedAt).not.toBe(stored.generatedAt);
      expect(withoutGeneratedAt(again)).toEqual(withoutGeneratedAt(stored));
      expect(readdirSync(out).sort()).toEqual([
        'findings.csv',
        'report.html',
        'report.json',
        'report.md',
        'report.sarif',
      ]);
    }
    // Reproducing does not touch the estate's live usage store or its history.
    expect(existsSync(join(data, 'usage', 'acme.db'))).toBe(true);
  }, 240_000);

  it('exits 2 with a clear message for a bad month, an unknown month or estate', () => {
    const bad = cli(['report', '--month', '2026-13', '--data', data, '--estate', 'acme']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--month takes a month \(YYYY-MM, 01 to 12\), not `2026-13`/);
    const none = cli(['report', '--month', '2026-10', '--data', data, '--estate', 'acme']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(
      /estate `acme` has no report for 2026-10 \(months with one: 2026-11, 2026-12\)/,
    );
    const unknown = cli(['report', '--month', '2026-11', '--data', data, '--estate', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no monthly run of estate `nope`/);
    const missing = cli(['report', '--data', data]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/give --month YYYY-MM; give --estate NAME/);
  });
});
