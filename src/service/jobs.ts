/**
 * Analysis jobs: queued, run one at a time in a child process (at low priority), persisted in
 * the service catalog (`DATA/service.db`, catalog.ts) with the report of each succeeded job. At
 * start, a job found `running` was cut short by a
 * crash and is marked failed; `queued` jobs are run again. A graceful stop puts the running job
 * back in the queue, so no job is ever lost.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { AnalysisMessage, AnalysisWork } from './analysis-worker.js';
import type { ReportFormat } from '../report/index.js';
import { reportFile } from './catalog.js';
import { catalogCall, catalogCallSync } from './catalog-client.js';
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

let idlePolicy: boolean | undefined;

/**
 * Whether `chrt --idle 0` works here: tried once (a container may forbid the policy change, and
 * then every analysis would fail to start).
 */
function idlePolicyWorks(): boolean {
  idlePolicy ??=
    process.platform === 'linux' &&
    CHRT !== undefined &&
    spawnSync(CHRT, ['--idle', '0', process.execPath, '-e', ''], { stdio: 'ignore' }).status === 0;
  return idlePolicy;
}

/**
 * Starts the analysis child process. On Linux it runs under SCHED_IDLE (`chrt --idle 0`): it gets
 * the processors only when the service's threads do not want them, and every thread it starts
 * inherits that. Measured on 2 cores (bench/service.bench.ts), a busy nice-19 thread alone still
 * doubled the p99 latency of `POST /v1/simulate`; a SCHED_IDLE one barely moved it. Without a
 * working `chrt` the child lowers its own threads to nice 19.
 */
function startAnalysisProcess(): ChildProcess {
  const script = workerFile('analysis-worker');
  const options = {
    // Standard output is the service's (its address, for scripts): the child writes none.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'] as const,
    serialization: 'advanced' as const,
    env: { ...process.env, LEASTPRIV_ANALYSIS_CHILD: '1' },
  };
  return idlePolicyWorks()
    ? spawn(CHRT!, ['--idle', '0', process.execPath, ...process.execArgv, script], {
        ...options,
        stdio: [...options.stdio],
      })
    : fork(script, [], { ...options, stdio: [...options.stdio] });
}

/** The jobs of a data directory and the one worker that runs them. */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  /** The jobs whose report is stored in the catalog. */
  private readonly reported = new Set<string>();
  private readonly queue: string[] = [];
  /** The analysis process: started for the first queued job, kept while jobs follow. */
  private process: ChildProcess | undefined;
  /** The job it runs, and what it said of it so far. */
  private current: { id: string; process?: ChildProcess; outcome?: Partial<Job> } | undefined;
  private stopping = false;
  private started = false;
  private idle: Promise<void> = Promise.resolve();
  private resolveIdle: () => void = () => {};
  /** Job states stored in order, off the event loop (see `persist`). */
  private writes: Promise<void> = Promise.resolve();
  private readonly waiters = new Map<string, ((job: Job) => void)[]>();

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly version: string,
  ) {
    // Read once, before anything is answered; from then on the jobs are answered from memory.
    // The first open of a data directory of the previous layout imports its files.
    const { jobs, reported, imported } = catalogCallSync({ op: 'load-jobs', dataDir });
    if (imported) {
      this.logger.info(imported, 'jobs, runs and reports imported into the service catalog');
      for (const file of imported.skipped)
        this.logger.error({ file }, 'unreadable job file skipped (left in legacy/)');
    }
    for (const job of jobs) this.jobs.set(job.id, job);
    for (const id of reported) this.reported.add(id);
  }

  /** The directory of a snapshot name. */
  snapshotDir(name: string): string {
    return join(this.dataDir, 'snapshots', name);
  }

  /** The directory of a job's report files. */
  reportDir(id: string): string {
    return join(this.dataDir, 'reports', id);
  }

  /**
   * Stores a job's new state off the event loop (a synchronous fsync cost the HTTP answers their
   * latency while jobs ran), in order, then shows it: what the API answers is always what is
   * stored, so a crash can never have shown a state the restart does not find. With `withReport`
   * the report files the analysis wrote are stored in the same transaction: a job is succeeded
   * with its whole report, or not at all.
   */
  private persist(job: Job, withReport = false): Promise<Job> {
    // Posted at once: the catalog thread stores requests in the order posted.
    const stored = catalogCall({
      op: 'put-jobs',
      dataDir: this.dataDir,
      jobs: [job],
      ...(withReport ? { reportsFrom: this.reportDir(job.id) } : {}),
    });
    this.writes = this.writes.then(() =>
      stored.then(
        () => undefined,
        (e: unknown) => this.logger.error({ job: job.id, err: e }, 'job state not stored'),
      ),
    );
    return stored.then(() => {
      this.jobs.set(job.id, job);
      if (withReport) this.reported.add(job.id);
      return job;
    });
  }

  /** Whether a job's report is stored (it is served in every format). */
  hasReport(id: string): boolean {
    return this.reported.has(id);
  }

  /**
   * A job's stored report in one format (undefined: none). From the catalog, its source of
   * truth; should the catalog stay locked (another process reading it for long), from the
   * report file the analysis wrote, which holds the same bytes.
   */
  async report(id: string, format: ReportFormat): Promise<string | undefined> {
    if (!this.reported.has(id)) return undefined;
    try {
      const body = await catalogCall(
        { op: 'read-report', dataDir: this.dataDir, jobId: id, format },
        { lockTimeoutMs: 5000 },
      );
      return body ?? undefined;
    } catch (e) {
      this.logger.warn({ job: id, err: e }, 'report read from its file: the catalog is busy');
      return readFile(join(this.reportDir(id), reportFile(format)), 'utf8').catch(() => undefined);
    }
  }

  /** A job by id. */
  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Every job, oldest first. */
  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Queues an analysis of a snapshot under `DATA/snapshots/`; resolves once it is stored. */
  async submit(request: JobRequest): Promise<Job> {
    const job: Job = {
      id: randomUUID(),
      status: 'queued',
      snapshot: request.snapshot,
      ...Object.fromEntries(
        OPTIONAL_FIELDS.filter((k) => request[k] !== undefined).map((k) => [k, request[k]]),
      ),
      createdAt: new Date().toISOString(),
    };
    await this.persist(job);
    this.queue.push(job.id);
    this.next();
    return job;
  }

  /**
   * Recovers the stored jobs and starts the queue: a job left `running` was cut short by a
   * crash and is marked failed (stored before this returns, so before any request is answered);
   * `queued` jobs run in the order they were created.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const interrupted = [...this.jobs.values()]
      .filter((job) => job.status === 'running')
      .map((job): Job => ({
        ...job,
        status: 'failed',
        finishedAt: new Date().toISOString(),
        error: 'interrupted by a restart',
      }));
    if (interrupted.length > 0) {
      catalogCallSync({ op: 'put-jobs', dataDir: this.dataDir, jobs: interrupted });
      for (const job of interrupted) {
        this.jobs.set(job.id, job);
        this.logger.warn({ job: job.id }, 'job interrupted by a restart: marked failed');
      }
    }
    for (const job of this.list())
      if (job.status === 'queued' && !this.queue.includes(job.id)) this.queue.push(job.id);
    this.next();
  }

  /** Runs the next queued job when none runs; lets the process go when none is left. */
  private next(): void {
    if (this.current || this.stopping || !this.started) return;
    const id = this.queue.shift();
    if (id === undefined) {
      // Nothing queued: the process exits, and its memory (a large estate's analysis) with it.
      this.process?.send({ type: 'quit' });
      this.process = undefined;
      return;
    }
    const queued = this.jobs.get(id);
    if (!queued) return this.next();
    const snapshotDir = this.snapshotDir(queued.snapshot);
    if (!existsSync(snapshotDir)) {
      this.current = { id };
      void this.finish(id, { status: 'failed', error: `no snapshot \`${queued.snapshot}\`` });
      return;
    }
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
    this.current = { id };
    this.idle = new Promise((resolve) => (this.resolveIdle = resolve));
    void this.persist({ ...queued, status: 'running', startedAt: new Date().toISOString() }).then(
      () => {
        // Stopped while the state was being written: the job goes back to the queue.
        if (this.stopping) {
          void this.persist(queued).then(() => this.settle(id));
          return;
        }
        const child = this.analysisProcess();
        if (this.current?.id === id) this.current.process = child;
        child.send({ type: 'work', id, work });
        this.logger.info({ job: id, snapshot: queued.snapshot }, 'job started');
      },
    );
  }

  /**
   * The analysis process, started when needed. A child process, not a worker thread: stopping it
   * mid-way (a graceful shutdown) cannot crash the service from inside the database's native
   * threads, and its low priority covers every thread it runs. It is kept while jobs follow one
   * another, so starting a process (a synchronous spawn) is paid once per burst, not per job.
   */
  private analysisProcess(): ChildProcess {
    if (this.process) return this.process;
    const child = startAnalysisProcess();
    this.process = child;
    child.on('message', (message: AnalysisMessage & { id: string }) => {
      const current = this.current;
      if (!current || message.id !== current.id) return;
      if (message.type === 'phase') {
        const running = this.jobs.get(current.id);
        // Progress is answered from memory, not written.
        if (running?.status === 'running')
          this.jobs.set(current.id, { ...running, phase: message.phase });
      } else if (message.type === 'error') {
        current.outcome ??= { status: 'failed', error: message.message };
        void this.finish(current.id, current.outcome);
      } else {
        const { type: _type, id: _id, ...result } = message;
        current.outcome = { status: 'succeeded', result };
        void this.finish(current.id, current.outcome);
      }
    });
    child.on('error', (error) => {
      // It could not be started (or signalled): the job it was given fails with the reason.
      const current = this.current;
      if (this.process === child) this.process = undefined;
      if (!current || current.process !== child || current.outcome) return;
      current.outcome = { status: 'failed', error: error.message };
      void this.finish(current.id, current.outcome);
    });
    child.on('exit', (code, signal) => {
      if (this.process === child) this.process = undefined;
      const current = this.current;
      // This process went while running a job, before it answered: a crash, or a stop. (A
      // process told to quit exits with no job; a new one may already run the next.)
      if (!current || current.process !== child || current.outcome) return;
      if (this.stopping) {
        const running = this.jobs.get(current.id)!;
        const { startedAt: _s, phase: _p, ...rest } = running;
        void this.persist({ ...rest, status: 'queued' }).then(() => {
          this.logger.info({ job: current.id }, 'job stopped by shutdown: queued again');
          this.settle(current.id);
        });
      } else
        void this.finish(current.id, {
          status: 'failed',
          error: `the analysis process exited with ${code === null ? `signal ${signal}` : `code ${code}`}`,
        });
    });
    return child;
  }

  /** The current job is over (finished or put back): the next may start. */
  private settle(id: string): void {
    if (this.current?.id !== id) return;
    this.current = undefined;
    this.resolveIdle();
    this.next();
  }

  private async finish(id: string, outcome: Partial<Job>): Promise<void> {
    const job = this.jobs.get(id)!;
    const { phase: _phase, ...rest } = job;
    const done = (o: Partial<Job>): Job =>
      ({ ...rest, ...o, finishedAt: new Date().toISOString() }) as Job;
    let finished: Job;
    try {
      finished = await this.persist(done(outcome), outcome.status === 'succeeded').catch(
        (e: unknown) => {
          // The report could not be stored (its files are gone): the job fails, with nothing.
          if (outcome.status !== 'succeeded') throw e;
          const error = `the report could not be stored: ${e instanceof Error ? e.message : String(e)}`;
          return this.persist(done({ status: 'failed', error }));
        },
      );
    } catch {
      // Not stored (logged by persist): the job stays as stored, and the queue goes on.
      this.settle(id);
      return;
    }
    this.logger.info({ job: id, status: finished.status, error: finished.error }, 'job finished');
    const waiting = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const resolve of waiting) resolve(finished);
    this.settle(id);
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
    const done = this.current ? this.idle : Promise.resolve();
    this.process?.kill('SIGKILL');
    await done;
    await this.writes;
  }
}
