/**
 * The service catalog (`DATA/service.db`): its schema and migrations, the round trip of jobs,
 * the monthly record and reports, the one-time import of a data directory of the previous
 * layout, a second process reading while this one holds the catalog, and a crash in the middle
 * of storing a report. The catalog thread and the child processes run the build (`npm test`
 * builds first).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  catalogPath,
  MIGRATIONS,
  openCatalog,
  putJob,
  readJobs,
} from '../../../src/service/catalog.js';
import { catalogCall, catalogCallSync } from '../../../src/service/catalog-client.js';
import { JobRunner, type Job } from '../../../src/service/jobs.js';
import { createLogger } from '../../../src/service/log.js';
import { readRuns, RunsFile, type MonthlyRun, type RunsState } from '../../../src/service/runs.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DIST = (module: string): string =>
  pathToFileURL(join(ROOT, 'dist', 'src', 'service', `${module}.js`)).href;
const logger = createLogger({ level: 'silent' });
const FORMATS = ['html', 'md', 'json', 'csv', 'sarif'] as const;
const FILE = (f: string): string => (f === 'csv' ? 'report.csv' : `report.${f}`);

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'leastpriv-catalog-'));

const job = (n: number, status: Job['status'], more: Partial<Job> = {}): Job => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  status,
  snapshot: 'sample-org',
  createdAt: `2026-11-0${n}T00:00:00.000Z`,
  ...more,
});

const run = (month: string, more: Partial<MonthlyRun> = {}): MonthlyRun => ({
  id: `run-${month}`,
  fireTime: `${month}-01T05:00:00.000Z`,
  month,
  trigger: 'schedule',
  status: 'succeeded',
  startedAt: `${month}-01T05:00:00.000Z`,
  estates: [
    {
      name: 'acme',
      status: 'succeeded',
      snapshot: `acme-${month}`,
      asOf: `${month}-28`,
      windowDays: 90,
      jobId: job(1, 'succeeded').id,
      attempts: [{ attempt: 1, startedAt: `${month}-01T05:00:00.000Z`, status: 'succeeded' }],
    },
  ],
  ...more,
});

/** Writes the five report files of a job as the analysis process does. */
function writeReports(dir: string, id: string, tag: string): void {
  mkdirSync(join(dir, 'reports', id), { recursive: true });
  for (const f of FORMATS)
    writeFileSync(
      join(dir, 'reports', id, FILE(f)),
      f === 'json' ? JSON.stringify({ tag }) : `${f} ${tag}`,
    );
}

/** Runs an ES module script in another node process; resolves with its exit and output. */
function node(
  script: string,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A file, not `-e`: the catalog thread would inherit `--input-type` and fail to start.
    const file = join(mkdtempSync(join(tmpdir(), 'leastpriv-catalog-script-')), 'script.mjs');
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the schema', () => {
  it('is created on the first open for writing and migrated to the latest version once', async () => {
    const dir = dataDir();
    expect(await openCatalog(dir, { readOnly: true })).toBeUndefined();
    expect(existsSync(catalogPath(dir))).toBe(false);
    for (let i = 0; i < 2; i += 1) {
      const open = (await openCatalog(dir, { readOnly: false }))!;
      try {
        const meta = await open.connection.runAndReadAll(
          `SELECT value FROM meta WHERE key = 'schema_version'`,
        );
        expect(meta.getRowObjects()).toEqual([{ value: String(MIGRATIONS.length) }]);
        const tables = await open.connection.runAndReadAll(
          'SELECT table_name FROM information_schema.tables ORDER BY table_name',
        );
        expect(tables.getRowObjects().map((r) => r['table_name'])).toEqual([
          'jobs',
          'meta',
          'monthly_cursor',
          'monthly_runs',
          'reports',
        ]);
        expect(open.imported).toBeUndefined();
      } finally {
        open.close();
      }
    }
    // Closed: one file, its log checkpointed into it.
    expect(readdirSync(dir)).toEqual(['service.db']);
  });

  it('refuses a catalog made by a newer leastpriv', async () => {
    const dir = dataDir();
    const open = (await openCatalog(dir, { readOnly: false }))!;
    await open.connection.run(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`);
    open.close();
    await expect(openCatalog(dir, { readOnly: false })).rejects.toThrow(/newer leastpriv/);
    await expect(openCatalog(dir, { readOnly: true })).rejects.toThrow(/newer leastpriv/);
  });
});

describe('the round trip', () => {
  it('stores jobs whole, in the order posted, and each report with its job', async () => {
    const dir = dataDir();
    expect(catalogCallSync({ op: 'load-jobs', dataDir: dir })).toEqual({ jobs: [], reported: [] });
    const queued = job(1, 'queued', { kind: 'monthly', estate: 'acme', month: '2026-10' });
    const running = { ...queued, status: 'running' as const, startedAt: '2026-11-01T00:00:01Z' };
    const done: Job = {
      ...running,
      status: 'succeeded',
      finishedAt: '2026-11-01T00:01:00Z',
      result: { asOf: '2026-10-31', windowDays: 90, summary: { accounts: 3 }, phases: [] },
    };
    writeReports(dir, done.id, 'one');
    // Posted without waiting: stored in this order, and a read posted after sees the last.
    const writes = [
      catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [queued] }),
      catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [running] }),
      catalogCall({
        op: 'put-jobs',
        dataDir: dir,
        jobs: [done],
        reportsFrom: join(dir, 'reports', done.id),
      }),
      catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [job(2, 'failed', { error: 'x' })] }),
    ];
    expect(catalogCallSync({ op: 'read-jobs', dataDir: dir })).toEqual({
      jobs: [done, job(2, 'failed', { error: 'x' })],
      reported: [done.id],
    });
    await Promise.all(writes);
    for (const f of FORMATS)
      expect(
        await catalogCall({ op: 'read-report', dataDir: dir, jobId: done.id, format: f }),
      ).toBe(readFileSync(join(dir, 'reports', done.id, FILE(f)), 'utf8'));
    expect(
      await catalogCall({
        op: 'read-report',
        dataDir: dir,
        jobId: job(2, 'failed').id,
        format: 'json',
      }),
    ).toBeUndefined();
  });

  it('serves a recorded report file only while it has the recorded SHA-256', async () => {
    const dir = dataDir();
    const done: Job = { ...job(1, 'succeeded'), finishedAt: '2026-11-01T00:01:00Z' };
    writeReports(dir, done.id, 'one');
    await catalogCall({
      op: 'put-jobs',
      dataDir: dir,
      jobs: [done],
      reportsFrom: join(dir, 'reports', done.id),
    });
    const read = (format: 'json' | 'html') =>
      catalogCall({ op: 'read-report', dataDir: dir, jobId: done.id, format });
    expect(await read('json')).toBe(
      readFileSync(join(dir, 'reports', done.id, FILE('json')), 'utf8'),
    );
    // Changed or removed after the job succeeded: not what was stored, so not served.
    writeFileSync(join(dir, 'reports', done.id, FILE('json')), '{"changed":true}');
    expect(await read('json')).toBeUndefined();
    rmSync(join(dir, 'reports', done.id, FILE('html')));
    expect(await read('html')).toBeUndefined();
  });

  it('stores nothing of a succeeded job whose report files are missing', async () => {
    const dir = dataDir();
    const running = job(1, 'running');
    await catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [running] });
    mkdirSync(join(dir, 'reports', running.id), { recursive: true });
    writeFileSync(join(dir, 'reports', running.id, 'report.json'), '{}');
    await expect(
      catalogCall({
        op: 'put-jobs',
        dataDir: dir,
        jobs: [{ ...running, status: 'succeeded' }],
        reportsFrom: join(dir, 'reports', running.id),
      }),
    ).rejects.toThrow(/ENOENT/);
    expect(await catalogCall({ op: 'read-jobs', dataDir: dir })).toEqual({
      jobs: [running],
      reported: [],
    });
  });

  it('keeps the monthly record: cursor and runs, for the service and for readers', async () => {
    const dir = dataDir();
    const runs = new RunsFile(dir);
    expect(runs.cursor()).toBeUndefined();
    runs.setCursor('2026-11-01T05:00:00.000Z');
    runs.put(run('2026-11', { status: 'running' }));
    runs.put(run('2026-10'));
    runs.put(run('2026-11'));
    runs.recordSkipped('2026-09-01T05:00:00.000Z', '2026-08', 'missed');
    // A reader in this process is answered after the writes posted before it.
    const expected: RunsState = {
      version: 1,
      cursor: '2026-11-01T05:00:00.000Z',
      runs: runs.runs(),
    };
    expect(readRuns(dir)).toEqual(expected);
    await runs.flushed();
    expect(new RunsFile(dir).runs()).toEqual(expected.runs);
    expect(runs.runs().map((r) => r.month)).toEqual(['2026-08', '2026-10', '2026-11']);
    // Another process (`leastpriv report`) reads the same.
    const other = await node(
      `import { readRuns } from '${DIST('runs')}';
       process.stdout.write(JSON.stringify(readRuns(${JSON.stringify(dir)})));`,
    );
    expect(other.stderr).toBe('');
    expect(JSON.parse(other.stdout)).toEqual(expected);
  });
});

describe('a data directory of the previous layout', () => {
  /** `jobs/*.json`, `runs.json` and `reports/<id>/` as the previous version left them. */
  function legacyDir(): { dir: string; jobs: Job[]; runs: RunsState } {
    const dir = dataDir();
    const jobs = [
      job(1, 'succeeded', {
        finishedAt: '2026-11-01T00:01:00.000Z',
        result: { asOf: '2026-10-31', windowDays: 90, summary: { accounts: 3 }, phases: [] },
      }),
      job(2, 'running', { startedAt: '2026-11-02T00:00:01.000Z', phase: 'usage' }),
      job(3, 'queued', { asOf: '2026-11-01', windowDays: 30 }),
      // Succeeded, but its report directory is gone: no report (as before).
      job(4, 'succeeded', { finishedAt: '2026-11-04T00:01:00.000Z' }),
    ];
    mkdirSync(join(dir, 'jobs'));
    for (const j of jobs)
      writeFileSync(join(dir, 'jobs', `${j.id}.json`), `${JSON.stringify(j, null, 2)}\n`);
    writeFileSync(join(dir, 'jobs', '00000000-0000-4000-8000-000000000009.json'), '{ torn');
    writeReports(dir, jobs[0]!.id, 'legacy');
    const runs: RunsState = {
      version: 1,
      cursor: '2026-11-01T05:00:00.000Z',
      runs: [run('2026-10')],
    };
    writeFileSync(join(dir, 'runs.json'), `${JSON.stringify(runs, null, 2)}\n`);
    return { dir, jobs, runs };
  }

  it('is read as it is until the service opens it (`leastpriv report` before an upgrade)', () => {
    const { dir, runs } = legacyDir();
    expect(readRuns(dir)).toEqual(runs);
    expect(existsSync(catalogPath(dir))).toBe(false);
  });

  it('is imported on the first open, once; the old files move to legacy/', async () => {
    const { dir, jobs, runs } = legacyDir();
    const runner = new JobRunner(dir, logger, 'test');
    expect(runner.list()).toEqual(jobs);
    expect(runner.hasReport(jobs[0]!.id)).toBe(true);
    expect(runner.hasReport(jobs[3]!.id)).toBe(false);
    expect(await runner.report(jobs[0]!.id, 'md')).toBe('md legacy');
    expect(JSON.parse((await runner.report(jobs[0]!.id, 'json'))!)).toEqual({ tag: 'legacy' });
    expect(readRuns(dir)).toEqual(runs);
    expect(new RunsFile(dir).cursor()).toBe(runs.cursor);
    // The old files are kept aside, the report files (read by deliveries) stay where they were.
    expect(readdirSync(dir).sort()).toEqual(['legacy', 'reports', 'service.db']);
    expect(readdirSync(join(dir, 'legacy')).sort()).toEqual(['jobs', 'runs.json']);
    expect(readdirSync(join(dir, 'legacy', 'jobs'))).toHaveLength(5);
    expect(readdirSync(join(dir, 'reports'))).toEqual([jobs[0]!.id]);

    // Once: files of the old layout that appear later are not imported.
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(
      join(dir, 'jobs', `${job(5, 'queued').id}.json`),
      JSON.stringify(job(5, 'queued')),
    );
    expect(new JobRunner(dir, logger, 'test').list()).toEqual(jobs);
  });

  it('keeps the restart rules: running fails, queued runs again', async () => {
    const { dir, jobs } = legacyDir();
    const runner = new JobRunner(dir, logger, 'test');
    runner.start();
    // Marked failed before start returns, and stored.
    expect(runner.get(jobs[1]!.id)).toMatchObject({
      status: 'failed',
      error: 'interrupted by a restart',
    });
    // The queued one runs again: its snapshot is not there, so it fails with that reason.
    expect(await runner.whenDone(jobs[2]!.id)).toMatchObject({
      status: 'failed',
      error: 'no snapshot `sample-org`',
    });
    await runner.stop();
    const stored = await catalogCall({ op: 'read-jobs', dataDir: dir });
    expect(stored?.jobs.map((j) => j.status)).toEqual([
      'succeeded',
      'failed',
      'failed',
      'succeeded',
    ]);
  });
});

describe('two processes', () => {
  it('a reader waits while the service holds the catalog, then reads', async () => {
    const dir = dataDir();
    const open = (await openCatalog(dir, { readOnly: false }))!;
    await putJob(open.connection, job(1, 'queued'));
    await open.connection.run(`INSERT INTO monthly_cursor VALUES (1, '2026-11-01T05:00:00.000Z')`);
    const started = Date.now();
    const reader = node(
      `import { readRuns } from '${DIST('runs')}';
       const t = Date.now();
       const state = readRuns(${JSON.stringify(dir)});
       process.stdout.write(JSON.stringify({ cursor: state.cursor, waited: Date.now() - t }));`,
    );
    // Held for a while (a long write): the reader retries until it is let go.
    await new Promise((r) => setTimeout(r, 1500));
    open.close();
    const { code, stdout, stderr } = await reader;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as { cursor: string; waited: number };
    expect(answer.cursor).toBe('2026-11-01T05:00:00.000Z');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(answer.waited).toBeGreaterThan(500);
  });

  it('a reader that cannot wait long enough says the catalog is locked', async () => {
    const dir = dataDir();
    const open = (await openCatalog(dir, { readOnly: false }))!;
    try {
      const { code, stderr } = await node(
        `import { readRuns } from '${DIST('runs')}';
         readRuns(${JSON.stringify(dir)}, { lockTimeoutMs: 200 });`,
      );
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/stayed locked by another process for 200 ms/);
    } finally {
      open.close();
    }
  });

  it('the service writes while another process reads, in turns', async () => {
    const dir = dataDir();
    catalogCallSync({ op: 'load-jobs', dataDir: dir });
    // A reader in a loop (leastpriv report, over and over) against writes of this process.
    const reader = node(
      `import { catalogCall } from '${DIST('catalog-client')}';
       let reads = 0;
       for (const until = Date.now() + 2000; Date.now() < until; reads += 1)
         await catalogCall({ op: 'read-jobs', dataDir: ${JSON.stringify(dir)} });
       process.stdout.write(String(reads));`,
    );
    const written: Promise<unknown>[] = [];
    for (let n = 1; n <= 9; n += 1) {
      written.push(catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [job(n, 'queued')] }));
      await new Promise((r) => setTimeout(r, 150));
    }
    await Promise.all(written);
    const { code, stdout, stderr } = await reader;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(Number(stdout)).toBeGreaterThan(0);
    expect((await catalogCall({ op: 'read-jobs', dataDir: dir }))?.jobs).toHaveLength(9);
  });
});

describe('a crash while a job is marked succeeded', () => {
  /** Stores the job's success with its report in another process, killed before or after commit. */
  async function crash(dir: string, succeeded: Job, when: 'before' | 'after'): Promise<void> {
    const { signal } = await node(
      `import { openCatalog, putJob, putReports } from '${DIST('catalog')}';
       const open = await openCatalog(${JSON.stringify(dir)}, { readOnly: false });
       const c = open.connection;
       await c.run('BEGIN TRANSACTION');
       await putJob(c, ${JSON.stringify(succeeded)});
       await putReports(c, ${JSON.stringify(succeeded.id)}, ${JSON.stringify(join(dir, 'reports', succeeded.id))});
       ${when === 'after' ? "await c.run('COMMIT');" : ''}
       process.kill(process.pid, 'SIGKILL');`,
    );
    expect(signal).toBe('SIGKILL');
  }

  it('before the commit: the job keeps its old state and no report appears', async () => {
    const dir = dataDir();
    const running = job(1, 'running');
    await catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [running] });
    writeReports(dir, running.id, 'x');
    await crash(dir, { ...running, status: 'succeeded' }, 'before');
    expect(await catalogCall({ op: 'read-jobs', dataDir: dir })).toEqual({
      jobs: [running],
      reported: [],
    });
    // And the restart fails it, with no report to serve.
    const runner = new JobRunner(dir, logger, 'test');
    runner.start();
    expect(runner.get(running.id)?.status).toBe('failed');
    expect(await runner.report(running.id, 'json')).toBeUndefined();
    await runner.stop();
  });

  it('after the commit: the job is succeeded with its whole report', async () => {
    const dir = dataDir();
    const running = job(1, 'running');
    await catalogCall({ op: 'put-jobs', dataDir: dir, jobs: [running] });
    writeReports(dir, running.id, 'y');
    await crash(dir, { ...running, status: 'succeeded' }, 'after');
    // The write-ahead log of the killed process is replayed by the next open.
    const open = (await openCatalog(dir, { readOnly: true }))!;
    try {
      expect(await readJobs(open.connection)).toEqual({
        jobs: [{ ...running, status: 'succeeded' }],
        reported: [running.id],
      });
    } finally {
      open.close();
    }
  });
});
