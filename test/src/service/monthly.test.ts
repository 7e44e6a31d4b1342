/**
 * The monthly job's run of one fire time, with a fake job queue (the real worker runs in the
 * end-to-end test): the month's snapshot is copied once, a failed estate is retried with backoff
 * and every attempt recorded, a retry redoes only what is not done yet, one estate's failure
 * does not stop the others, the previous month's report and usage store are the baseline, and
 * an interrupted run is continued. Also: the configuration fields of the monthly job.
 */
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceConfig, scheduleOf, type EstateConfig } from '../../../src/service/config.js';
import type { Job, JobRequest } from '../../../src/service/jobs.js';
import { createLogger } from '../../../src/service/log.js';
import { MonthlyJob, type AnalysisQueue } from '../../../src/service/monthly.js';
import { readRuns, RunsFile } from '../../../src/service/runs.js';
import { MonthlyScheduler } from '../../../src/service/scheduler.js';
import { fakeClock } from './fake-clock.js';

const logger = createLogger({ level: 'silent' });

/** A job queue that finishes jobs as the test scripts them, writing a small report. */
class FakeJobs implements AnalysisQueue {
  readonly jobs = new Map<string, Job>();
  readonly requests: JobRequest[] = [];
  /** The outcome of each next job (default: succeeded). */
  readonly outcomes: ('succeeded' | 'failed' | 'hold')[] = [];
  private held: (() => void) | undefined;

  constructor(private readonly dataDir: string) {}

  submit(request: JobRequest): Job {
    const job: Job = {
      ...request,
      id: randomUUID(),
      status: 'queued',
      createdAt: new Date().toISOString(),
    };
    this.jobs.set(job.id, job);
    this.requests.push(request);
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  whenDone(id: string): Promise<Job> {
    const job = this.jobs.get(id)!;
    if (job.status === 'succeeded' || job.status === 'failed') return Promise.resolve(job);
    const outcome = this.outcomes.shift() ?? 'succeeded';
    if (outcome === 'hold')
      return new Promise<Job>(
        (resolve) => (this.held = () => resolve(this.finish(id, 'succeeded'))),
      );
    return Promise.resolve(this.finish(id, outcome));
  }

  /** Lets a held job succeed. */
  release(): void {
    this.held?.();
  }

  private finish(id: string, status: 'succeeded' | 'failed'): Job {
    const job = this.jobs.get(id)!;
    const done: Job = { ...job, status, ...(status === 'failed' ? { error: 'boom' } : {}) };
    this.jobs.set(id, done);
    if (status === 'succeeded') {
      const dir = join(this.dataDir, 'reports', id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'report.json'),
        JSON.stringify({ schemaVersion: '1.0', asOf: job.asOf, principals: [] }),
      );
      writeFileSync(join(dir, 'report.html'), '<html></html>');
      // As the worker does: the estate's usage store now holds the month.
      mkdirSync(join(this.dataDir, 'usage'), { recursive: true });
      writeFileSync(join(this.dataDir, job.db!), `store after ${job.month}`);
    }
    return done;
  }
}

/** A snapshot directory (just `accounts/`) with a CLI usage store inside that is not copied. */
function sourceSnapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leastpriv-source-'));
  mkdirSync(join(dir, 'accounts', '111122223333'), { recursive: true });
  writeFileSync(join(dir, 'accounts', '111122223333', 'authorization-details.json'), '{}');
  mkdirSync(join(dir, '.leastpriv'));
  writeFileSync(join(dir, '.leastpriv', 'usage.db'), 'not part of the snapshot');
  return dir;
}

function setUp(estates: readonly EstateConfig[], options: { attempts?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'leastpriv-monthly-'));
  const jobs = new FakeJobs(dataDir);
  const runs = new RunsFile(dataDir);
  const time = fakeClock('2026-11-01T06:00:00Z');
  const job = new MonthlyJob({
    dataDir,
    estates,
    jobs,
    runs,
    logger,
    timezone: 'UTC',
    attempts: options.attempts ?? 3,
    retryDelayMs: 1000,
    webhookBackoffMs: 10,
    clock: time.clock,
  });
  return { dataDir, jobs, runs, time, job, signal: new AbortController().signal };
}

/** A webhook on loopback answering each POST with the next status of `statuses` (then 200). */
async function webhook(statuses: number[]): Promise<{
  url: string;
  received: { body: string; headers: Record<string, unknown> }[];
  server: Server;
}> {
  const received: { body: string; headers: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

const FIRE = new Date('2026-11-01T06:00:00Z');

describe('MonthlyJob', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('copies the snapshot of the month, analyses it as of its last day, and delivers', async () => {
    const source = sourceSnapshot();
    const out = mkdtempSync(join(tmpdir(), 'leastpriv-out-'));
    const { dataDir, jobs, runs, job, signal } = setUp([
      { name: 'acme', source: { directory: source }, windowDays: 30, deliver: { directory: out } },
    ]);
    expect(await job.run(FIRE, 'schedule', signal)).toBe('succeeded');
    const snapshot = join(dataDir, 'snapshots', 'acme-2026-10');
    expect(existsSync(join(snapshot, 'accounts', '111122223333'))).toBe(true);
    expect(existsSync(join(snapshot, '.leastpriv'))).toBe(false);
    expect(jobs.requests).toEqual([
      {
        snapshot: 'acme-2026-10',
        asOf: '2026-10-31',
        windowDays: 30,
        kind: 'monthly',
        estate: 'acme',
        month: '2026-10',
        db: join('usage', 'acme.db'),
      },
    ]);
    const [run] = runs.runs();
    expect(run).toMatchObject({ month: '2026-10', status: 'succeeded', trigger: 'schedule' });
    expect(run!.estates[0]).toMatchObject({
      name: 'acme',
      status: 'succeeded',
      snapshot: 'acme-2026-10',
      asOf: '2026-10-31',
      jobId: [...jobs.jobs.keys()][0],
      delivered: { directory: join(out, 'acme-2026-10') },
      attempts: [{ attempt: 1, status: 'succeeded' }],
    });
    expect(readdirSync(join(out, 'acme-2026-10')).sort()).toEqual(['report.html', 'report.json']);
    // Recorded on disk, where `leastpriv report` finds it.
    expect(readRuns(dataDir).runs[0]!.estates[0]!.status).toBe('succeeded');
  });

  it('retries a failed estate with backoff, recording every attempt', async () => {
    const { jobs, runs, job, time, signal, dataDir } = setUp([
      { name: 'acme', source: { directory: sourceSnapshot() } },
    ]);
    jobs.outcomes.push('failed', 'failed', 'succeeded');
    expect(await job.run(FIRE, 'schedule', signal)).toBe('succeeded');
    const estate = runs.runs()[0]!.estates[0]!;
    expect(estate.status).toBe('succeeded');
    expect(estate.attempts.map((a) => [a.attempt, a.status, a.step, a.error])).toEqual([
      [1, 'failed', 'analysis', 'boom'],
      [2, 'failed', 'analysis', 'boom'],
      [3, 'succeeded', undefined, undefined],
    ]);
    expect(estate.attempts.every((a) => a.finishedAt !== undefined)).toBe(true);
    expect(time.sleeps).toEqual([1000, 2000]);
    expect(jobs.requests).toHaveLength(3);
    expect(readdirSync(join(dataDir, 'snapshots'))).toEqual(['acme-2026-10']);
  });

  it('gives up after the last attempt, and still runs the other estates', async () => {
    const { jobs, runs, job, time, signal } = setUp(
      [
        { name: 'bad', source: { directory: '/nowhere/at/all' } },
        { name: 'good', source: { directory: sourceSnapshot() } },
      ],
      { attempts: 2 },
    );
    expect(await job.run(FIRE, 'schedule', signal)).toBe('failed');
    const [bad, good] = runs.runs()[0]!.estates;
    expect(bad).toMatchObject({ name: 'bad', status: 'failed' });
    expect(bad!.attempts.map((a) => [a.status, a.step])).toEqual([
      ['failed', 'snapshot'],
      ['failed', 'snapshot'],
    ]);
    expect(bad!.attempts[0]!.error).toMatch(/is not a snapshot directory/);
    expect(good).toMatchObject({ name: 'good', status: 'succeeded' });
    expect(runs.runs()[0]!.status).toBe('failed');
    expect(time.sleeps).toEqual([1000]);
    expect(jobs.requests.map((r) => r.estate)).toEqual(['good']);
  });

  it('a retry after a failed delivery delivers again without analysing again', async () => {
    const hook = await webhook([400]);
    servers.push(hook.server);
    const { jobs, runs, job, signal } = setUp([
      {
        name: 'acme',
        source: { directory: sourceSnapshot() },
        deliver: { webhook: { url: hook.url, headers: { authorization: 'Bearer x' } } },
      },
    ]);
    expect(await job.run(FIRE, 'schedule', signal)).toBe('succeeded');
    const estate = runs.runs()[0]!.estates[0]!;
    expect(estate.attempts.map((a) => [a.status, a.step])).toEqual([
      ['failed', 'deliver'],
      ['succeeded', undefined],
    ]);
    expect(estate.attempts[0]!.error).toMatch(/answered 400: not retried/);
    expect(estate.delivered).toEqual({ webhook: { status: 200, tries: 1 } });
    expect(jobs.requests).toHaveLength(1);
    expect(hook.received).toHaveLength(2);
    expect(JSON.parse(hook.received[1]!.body)).toMatchObject({ asOf: '2026-10-31' });
    expect(hook.received[1]!.headers).toMatchObject({
      authorization: 'Bearer x',
      'content-type': 'application/json',
      'x-leastpriv-estate': 'acme',
      'x-leastpriv-month': '2026-10',
    });
  });

  it("uses the previous month's report and usage store as the baseline", async () => {
    const { dataDir, jobs, runs, job, signal } = setUp([
      { name: 'acme', source: { directory: sourceSnapshot() } },
    ]);
    expect(await job.run(FIRE, 'schedule', signal)).toBe('succeeded');
    const october = [...jobs.jobs.keys()][0]!;
    expect(await job.run(new Date('2026-12-01T06:00:00Z'), 'schedule', signal)).toBe('succeeded');
    expect(jobs.requests[1]).toEqual({
      snapshot: 'acme-2026-11',
      asOf: '2026-11-30',
      windowDays: 90,
      kind: 'monthly',
      estate: 'acme',
      month: '2026-11',
      db: join('usage', 'acme.db'),
      usageBase: join('usage', 'history', 'acme', 'before-2026-11.db'),
      previous: join('reports', october, 'report.json'),
    });
    // The store as it was before November: October's.
    expect(
      readFileSync(join(dataDir, 'usage', 'history', 'acme', 'before-2026-11.db'), 'utf8'),
    ).toBe('store after 2026-10');
    expect(runs.runs().map((r) => [r.month, r.status])).toEqual([
      ['2026-10', 'succeeded'],
      ['2026-11', 'succeeded'],
    ]);
  });

  it('an interrupted run is continued: same run, the queued job kept', async () => {
    const { jobs, runs, job } = setUp([{ name: 'acme', source: { directory: sourceSnapshot() } }]);
    jobs.outcomes.push('hold');
    const stop = new AbortController();
    const first = job.run(FIRE, 'schedule', stop.signal);
    await new Promise((r) => setTimeout(r, 0));
    while (jobs.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort(new Error('stopping'));
    expect(await first).toBe('interrupted');
    const interrupted = runs.runs()[0]!;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.estates[0]!.attempts.map((a) => a.status)).toEqual(['interrupted']);

    const again = job.run(FIRE, 'catch-up', new AbortController().signal);
    jobs.release();
    expect(await again).toBe('succeeded');
    expect(runs.runs()).toHaveLength(1);
    expect(runs.runs()[0]!.id).toBe(interrupted.id);
    expect(runs.runs()[0]!.estates[0]!.attempts.map((a) => a.status)).toEqual([
      'interrupted',
      'succeeded',
    ]);
    expect(jobs.requests).toHaveLength(1);
  });

  it('driven by the scheduler, a failure is retried within the run', async () => {
    const { jobs, runs, job, time } = setUp([
      { name: 'acme', source: { directory: sourceSnapshot() } },
    ]);
    runs.setCursor('2026-10-20T00:00:00.000Z');
    jobs.outcomes.push('failed');
    const scheduler = new MonthlyScheduler({
      cron: '0 6 1 * *',
      timezone: 'UTC',
      runs,
      run: job.run,
      logger,
      clock: time.clock,
      trigger: () => ({ stop: () => undefined }),
    });
    expect(await scheduler.start()).toMatchObject({ status: 'ran', outcome: 'succeeded' });
    expect(runs.runs()[0]!.estates[0]!.attempts.map((a) => a.status)).toEqual([
      'failed',
      'succeeded',
    ]);
    expect(runs.cursor()).toBe('2026-11-01T06:00:00.000Z');
    await scheduler.stop();
  });
});

describe('the configuration of the monthly job', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'leastpriv-config-'));
  });
  const write = (name: string, value: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('reads schedule and estates, resolving directories against the file', () => {
    const file = write('ok.json', {
      port: 8080,
      schedule: { cron: '0 6 1 * *', timezone: 'Europe/Berlin', attempts: 2 },
      estates: [
        {
          name: 'prod',
          source: { directory: 'snapshots/prod' },
          deliver: { directory: '/srv/reports', webhook: { url: 'https://hooks.example/x' } },
        },
        {
          name: 'org',
          source: { collect: { org: true, days: 400, trailBucket: 'my-trail', trailPrefix: 'p' } },
          windowDays: 180,
        },
      ],
    });
    const read = readServiceConfig(file);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.estates![0]!.source).toEqual({ directory: join(dir, 'snapshots/prod') });
    expect(read.value.estates![0]!.deliver!.directory).toBe('/srv/reports');
    expect(scheduleOf(read.value)).toEqual({
      cron: '0 6 1 * *',
      timezone: 'Europe/Berlin',
      enabled: true,
      attempts: 2,
      retryDelaySeconds: 60,
    });
    expect(scheduleOf({})).toMatchObject({ cron: '0 6 1 * *', timezone: 'UTC', enabled: true });
  });

  it('names each bad field', () => {
    const bad = readServiceConfig(
      write('bad.json', {
        schedule: { cron: '0 6 32 * *', timezone: 'Mars/Olympus' },
        estates: [
          { name: 'a', source: { directory: 'x' } },
          { name: 'a', source: { collect: { days: 200 } } },
        ],
      }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => e.replace(/^.*?: /, ''))).toEqual([
      '`/schedule/cron` `0 6 32 * *` is not a cron expression',
      '`/schedule/timezone` `Mars/Olympus` is not an IANA time zone',
      '`/estates/1/name` `a` is used twice',
      '`/estates/1/source/collect/days` must be 0 to 90 without trailBucket (LookupEvents keeps 90 days)',
    ]);
    const shape = readServiceConfig(
      write('shape.json', {
        estates: [
          { name: '../etc', source: { directory: 'x', collect: {} } },
          { name: 'b', source: { collect: { trailPrefix: 'p' } }, deliver: { webhook: {} } },
        ],
      }),
    );
    expect(shape.ok).toBe(false);
    if (shape.ok) return;
    const paths = shape.errors.map((e) => /`([^`]*)`/.exec(e.replace(/^.*?\.json: /, ''))![1]);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/estates/0/name',
        '/estates/0/source',
        '/estates/1/source/collect',
        '/estates/1/deliver/webhook/url',
      ]),
    );
  });
});
