/**
 * Analysis jobs: queued, run one at a time in a child process (at low priority), persisted as one JSON file per job
 * under `DATA/jobs/` (written atomically). At start, a job found `running` was cut short by a
 * crash and is marked failed; `queued` jobs are run again. A graceful stop puts the running job
 * back in the queue, so no job is ever lost.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { AnalysisMessage, AnalysisWork } from './analysis-worker.js';
import { writeFileAtomic } from '../atomic-write.js';
import { workerFile } from './worker-file.js';

/** Where a job is in its life. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One analysis job, as stored and as answered. */
export interface Job {
  readonly id: string;
  readonly status: JobStatus;
  readonly snapshot: string;
  readonly asOf?: string;
  readonly windowDays?: number;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The phase the running analysis is in. */
  readonly phase?: string;
  /** Why a failed job failed. */
  readonly error?: string;
  readonly result?: {
    readonly asOf: string;
    readonly windowDays: number;
    readonly summary: unknown;
    readonly phases: readonly { readonly phase: string; readonly seconds: number }[];
  };
  /** `monthly`: a job of the monthly run (absent: a job queued over HTTP). */
  readonly kind?: 'monthly';
  /** The estate and month (`YYYY-MM`) a monthly job reports on. */
  readonly estate?: string;
  readonly month?: string;
  /** The previous report JSON (relative to DATA) that scores are compared with. */
  readonly previous?: string;
  /** The usage store (relative to DATA; default `usage/<snapshot>.db`). */
  readonly db?: string;
  /**
   * A monthly job first resets its usage store to a copy of this one (relative to DATA; absent:
   * to an empty store), so that running it again gives the same report.
   */
  readonly usageBase?: string;
}

/** The optional fields a request carries into its job, as given. */
const OPTIONAL_FIELDS = [
  'asOf',
  'windowDays',
  'kind',
  'estate',
  'month',
  'previous',
  'db',
  'usageBase',
] as const;

/** What `submit` takes: the snapshot, and any of the optional fields. */
export type JobRequest = Pick<Job, 'snapshot'> &
  Partial<Pick<Job, (typeof OPTIONAL_FIELDS)[number]>>;

/** A job id: a UUID. */
export const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** util-linux's `chrt`, which starts a program under another scheduling policy (Linux). */
const CHRT = ['/usr/bin/chrt', '/bin/chrt'].find((path) => existsSync(path));

/**
 * Starts the analysis child process. On Linux it runs under SCHED_IDLE (`chrt --idle 0`): it gets
 * the processors only when the service's threads do not want them, and every thread it starts
 * inherits that. Measured on 2 cores (bench/service.bench.ts), a busy nice-19 thread alone still
 * doubled the p99 latency of `POST /v1/simulate`; a SCHED_IDLE one barely moved it. Without
 * `chrt` the child lowers its own threads to nice 19.
 */
function startAnalysisProcess(): ChildProcess {
  const script = workerFile('analysis-worker');
  const options = {
    // Standard output is the service's (its address, for scripts): the child writes none.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'] as const,
    serialization: 'advanced' as const,
    env: { ...process.env, LEASTPRIV_ANALYSIS_CHILD: '1' },
  };
  return CHRT && process.platform === 'linux'
    ? spawn(CHRT, ['--idle', '0', process.execPath, ...process.execArgv, script], {
        ...options,
        stdio: [...options.stdio],
      })
    : fork(script, [], { ...options, stdio: [...options.stdio] });
}

/** The jobs of a data directory and the one worker that runs them. */
export class JobRunner {
  private readonly jobsDir: string;
  private readonly jobs = new Map<string, Job>();
  private readonly queue: string[] = [];
  private current: { id: string; worker: ChildProcess } | undefined;
  private stopping = false;
  private started = false;
  private idle: Promise<void> = Promise.resolve();
  private readonly waiters = new Map<string, ((job: Job) => void)[]>();

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly version: string,
  ) {
    this.jobsDir = join(dataDir, 'jobs');
    mkdirSync(this.jobsDir, { recursive: true });
    const found = readdirSync(this.jobsDir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        try {
          return [JSON.parse(readFileSync(join(this.jobsDir, f), 'utf8')) as Job];
        } catch (e) {
          // Files are renamed into place, so this is damage from outside: keep it, skip it.
          this.logger.error({ file: f, err: e }, 'unreadable job file skipped');
          return [];
        }
      })
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const job of found) this.jobs.set(job.id, job);
  }

  /** The directory of a snapshot name. */
  snapshotDir(name: string): string {
    return join(this.dataDir, 'snapshots', name);
  }

  /** The directory of a job's report files. */
  reportDir(id: string): string {
    return join(this.dataDir, 'reports', id);
  }

  private save(job: Job): void {
    this.jobs.set(job.id, job);
    writeFileAtomic(join(this.jobsDir, `${job.id}.json`), `${JSON.stringify(job, null, 2)}\n`);
  }

  /** A job by id. */
  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Every job, oldest first. */
  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Queues an analysis of a snapshot under `DATA/snapshots/`. */
  submit(request: JobRequest): Job {
    const job: Job = {
      id: randomUUID(),
      status: 'queued',
      snapshot: request.snapshot,
      ...Object.fromEntries(
        OPTIONAL_FIELDS.filter((k) => request[k] !== undefined).map((k) => [k, request[k]]),
      ),
      createdAt: new Date().toISOString(),
    };
    this.save(job);
    this.queue.push(job.id);
    this.next();
    return job;
  }

  /**
   * Recovers the jobs found on disk and starts the queue: a job left `running` was cut short by a
   * crash and is marked failed; `queued` jobs run in the order they were created.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of [...this.jobs.values()]) {
      if (job.status === 'running') {
        this.save({
          ...job,
          status: 'failed',
          finishedAt: new Date().toISOString(),
          error: 'interrupted by a restart',
        });
        this.logger.warn({ job: job.id }, 'job interrupted by a restart: marked failed');
      } else if (job.status === 'queued' && !this.queue.includes(job.id)) this.queue.push(job.id);
    }
    this.next();
  }

  /** Runs the next queued job when none runs. */
  private next(): void {
    if (this.current || this.stopping || !this.started) return;
    const id = this.queue.shift();
    if (id === undefined) return;
    const queued = this.jobs.get(id);
    if (!queued) return;
    const snapshotDir = this.snapshotDir(queued.snapshot);
    if (!existsSync(snapshotDir)) {
      this.finish(id, { status: 'failed', error: `no snapshot \`${queued.snapshot}\`` });
      this.next();
      return;
    }
    const job: Job = { ...queued, status: 'running', startedAt: new Date().toISOString() };
    this.save(job);
    const work: AnalysisWork = {
      snapshotDir,
      reportDir: this.reportDir(id),
      db: join(this.dataDir, queued.db ?? join('usage', `${queued.snapshot}.db`)),
      ...(queued.asOf !== undefined ? { asOf: queued.asOf } : {}),
      ...(queued.windowDays !== undefined ? { windowDays: queued.windowDays } : {}),
      ...(queued.previous !== undefined ? { previous: join(this.dataDir, queued.previous) } : {}),
      ...(queued.kind === 'monthly'
        ? {
            resetUsageFrom:
              queued.usageBase !== undefined ? join(this.dataDir, queued.usageBase) : null,
          }
        : {}),
      version: this.version,
    };
    // A child process, not a worker thread: stopping it mid-way (a graceful shutdown) cannot
    // crash the service from inside the database's native threads, and its low priority covers
    // every thread it runs (the database's too), so the HTTP thread keeps its latency.
    const worker = startAnalysisProcess();
    worker.send({ type: 'work', work });
    this.current = { id, worker };
    this.logger.info({ job: id, snapshot: queued.snapshot }, 'job started');
    let outcome: Partial<Job> | undefined;
    let resolveIdle!: () => void;
    this.idle = new Promise((resolve) => (resolveIdle = resolve));
    worker.on('message', (message: AnalysisMessage) => {
      if (message.type === 'phase') {
        const running = this.jobs.get(id);
        // Progress is answered from memory, not written: a file write (and its fsync) on the
        // event loop at every phase cost the HTTP answers their latency while jobs ran.
        if (running?.status === 'running') this.jobs.set(id, { ...running, phase: message.phase });
      } else if (message.type === 'error') {
        outcome ??= { status: 'failed', error: message.message };
      } else {
        const { type: _type, ...result } = message;
        outcome = { status: 'succeeded', result };
      }
    });
    worker.on('error', (error) => {
      outcome ??= { status: 'failed', error: error.message };
    });
    worker.on('exit', (code, signal) => {
      this.current = undefined;
      if (this.stopping && !outcome) {
        // A graceful stop: back in the queue, resumed at the next start.
        const running = this.jobs.get(id)!;
        const { startedAt: _s, phase: _p, ...rest } = running;
        this.save({ ...rest, status: 'queued' });
        this.logger.info({ job: id }, 'job stopped by shutdown: queued again');
      } else {
        this.finish(
          id,
          outcome ?? {
            status: 'failed',
            error: `the analysis process exited with ${code === null ? `signal ${signal}` : `code ${code}`}`,
          },
        );
      }
      resolveIdle();
      this.next();
    });
  }

  private finish(id: string, outcome: Partial<Job>): void {
    const job = this.jobs.get(id)!;
    const { phase: _phase, ...rest } = job;
    const finished = { ...rest, ...outcome, finishedAt: new Date().toISOString() } as Job;
    this.save(finished);
    this.logger.info({ job: id, status: outcome.status, error: outcome.error }, 'job finished');
    const waiting = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const resolve of waiting) resolve(finished);
  }

  /**
   * Resolves with the job once it has succeeded or failed (at once when it has). A job stopped
   * by a shutdown is not finished: its waiters are left waiting (callers race their own stop).
   */
  whenDone(id: string): Promise<Job> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new Error(`no job \`${id}\``));
    if (job.status === 'succeeded' || job.status === 'failed') return Promise.resolve(job);
    return new Promise((resolve) => {
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
    });
  }

  /** Stops the running job (it is queued again) and starts no other. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.current) {
      const done = this.idle;
      this.current.worker.kill('SIGKILL');
      await done;
    }
  }
}
