/**
 * What the monthly job does for one fire time: for each configured estate, in order,
 *
 * 1. **snapshot**: collect it live, or copy the configured directory, into
 *    `DATA/snapshots/<estate>-<YYYY-MM>/` (kept: the snapshot as it was that month);
 * 2. **usage**: keep the estate's usage store as it was before the month
 *    (`DATA/usage/history/<estate>/before-<YYYY-MM>.db`);
 * 3. **analysis**: a job of the JobRunner (its worker thread; one analysis at a time) that resets
 *    `DATA/usage/<estate>.db` to that copy, ingests the month's snapshot incrementally and
 *    analyses it as of the month's last day with the previous month's report as baseline;
 * 4. **deliver**: the report files into a directory, its JSON to a webhook.
 *
 * A failed estate is tried again (`attempts`, exponential backoff from `retryDelayMs`); a retry
 * redoes only what is not done yet. Every attempt is recorded in the service catalog
 * (`DATA/service.db`, runs.ts). Because each
 * month starts from the stored store and snapshot, a retry, a catch-up or `leastpriv report`
 * gives the same report.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import type { CollectSourceConfig, EstateConfig } from './config.js';
import { deliverToDirectory, postWebhook } from './deliver.js';
import type { Job, JobRequest } from './jobs.js';
import { resetUsageStore } from './monthly-files.js';
import {
  succeededEstateRun,
  type EstateRun,
  type MonthlyRun,
  type RunAttempt,
  type RunsFile,
} from './runs.js';
import {
  previousMonth,
  reportMonth,
  systemClock,
  type Clock,
  type RunFn,
  type RunOutcome,
} from './scheduler.js';

/** The part of the JobRunner the monthly job uses. */
export interface AnalysisQueue {
  /** Queues a job; the job once it is stored. */
  submit(request: JobRequest): Job | Promise<Job>;
  get(id: string): Job | undefined;
  whenDone(id: string): Promise<Job>;
}

/** Collects a live snapshot into `out`. */
export type Collector = (
  source: CollectSourceConfig,
  out: string,
  signal: AbortSignal,
) => Promise<void>;

/** What the monthly job is built from. */
export interface MonthlyJobOptions {
  readonly dataDir: string;
  readonly estates: readonly EstateConfig[];
  readonly jobs: AnalysisQueue;
  readonly runs: RunsFile;
  readonly logger: Logger;
  /** The schedule's time zone: it decides which month a fire time reports on. */
  readonly timezone: string;
  /** Tries per estate and run (default 3). */
  readonly attempts?: number;
  /** The wait before the second try, doubled for each next one (default 60 s). */
  readonly retryDelayMs?: number;
  /** The wait before a webhook's first retry (default 1 s). */
  readonly webhookBackoffMs?: number;
  readonly clock?: Clock;
  /** Live collection (default: `collectEstate`, docs/collect.md). */
  readonly collect?: Collector;
}

/** The steps of an estate, in order; an attempt that fails names the step. */
type Step = NonNullable<RunAttempt['step']>;

/** A failure in a step. */
class StepError extends Error {
  constructor(
    readonly step: Step,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Rejects when `signal` aborts, else settles as `promise` does. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/** Where an estate's files live in the data directory (paths relative to it). */
export const estatePaths = {
  snapshot: (estate: string, month: string): string => `${estate}-${month}`,
  usage: (estate: string): string => join('usage', `${estate}.db`),
  usageBase: (estate: string, month: string): string =>
    join('usage', 'history', estate, `before-${month}.db`),
  report: (jobId: string): string => join('reports', jobId, 'report.json'),
} as const;

/** The default collector: `collectEstate`, loaded only when an estate is collected live. */
export const collectLive: Collector = async (source, out) => {
  const { collectEstate, DEFAULT_ROLE_ARN } = await import('../collect/index.js');
  const region =
    source.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  const result = await collectEstate({
    config: { region, ...(source.endpoint ? { endpoint: source.endpoint } : {}) },
    out,
    organization: source.org ?? false,
    roleArn: source.roleArn ?? DEFAULT_ROLE_ARN,
    days: source.days ?? 90,
    ...(source.trailBucket !== undefined
      ? {
          trail: {
            bucket: source.trailBucket,
            ...(source.trailPrefix !== undefined ? { prefix: source.trailPrefix } : {}),
          },
        }
      : {}),
  });
  if (result.accounts.length === 0) throw new Error('no account could be collected');
};

/** The monthly job: `run` is what the scheduler calls for each fire time. */
export class MonthlyJob {
  private readonly clock: Clock;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: MonthlyJobOptions) {
    this.clock = options.clock ?? systemClock;
    this.attempts = options.attempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 60_000;
  }

  /**
   * Runs (or, after an interruption, continues) the run of one fire time: every estate, each
   * tried up to `attempts` times. `interrupted` when `signal` aborted it.
   */
  readonly run: RunFn = async (fire, trigger, signal) => {
    const { runs, logger } = this.options;
    const fireTime = fire.toISOString();
    const { month, asOf } = reportMonth(fire, this.options.timezone);
    const earlier = [...runs.runs()]
      .reverse()
      .find((r) => r.fireTime === fireTime && r.status !== 'skipped');
    let run: MonthlyRun = earlier
      ? {
          ...earlier,
          status: 'running',
          // Attempts cut short by a crash are no longer running.
          estates: earlier.estates.map((e) => ({
            ...e,
            attempts: e.attempts.map((a) =>
              a.status === 'running'
                ? { ...a, status: 'interrupted' as const, finishedAt: new Date().toISOString() }
                : a,
            ),
          })),
        }
      : {
          id: randomUUID(),
          fireTime,
          month,
          trigger,
          status: 'running',
          startedAt: new Date().toISOString(),
          estates: [],
        };
    const { finishedAt: _f, ...open } = run;
    run = open;
    runs.put(run);
    logger.info({ run: run.id, fireTime, month }, 'monthly run started');

    const update = (estate: EstateRun): void => {
      const estates = run.estates.some((e) => e.name === estate.name)
        ? run.estates.map((e) => (e.name === estate.name ? estate : e))
        : [...run.estates, estate];
      run = { ...run, estates };
      runs.put(run);
    };
    const finish = (status: MonthlyRun['status']): RunOutcome => {
      run = { ...run, status, finishedAt: new Date().toISOString() };
      runs.put(run);
      logger.info({ run: run.id, month, status }, 'monthly run finished');
      return status === 'interrupted'
        ? 'interrupted'
        : status === 'succeeded'
          ? 'succeeded'
          : 'failed';
    };

    for (const estate of this.options.estates) {
      let record =
        run.estates.find((e) => e.name === estate.name) ??
        this.newEstateRun(estate, month, asOf, runs.runs());
      if (record.status === 'succeeded') continue;
      for (let i = 0; ; i += 1) {
        if (signal.aborted) {
          update({ ...record, status: 'interrupted' });
          return finish('interrupted');
        }
        if (i > 0) {
          try {
            await this.clock.sleep(this.retryDelayMs * 2 ** (i - 1), signal);
          } catch {
            update({ ...record, status: 'interrupted' });
            return finish('interrupted');
          }
        }
        const attempt: RunAttempt = {
          attempt: record.attempts.length + 1,
          startedAt: new Date().toISOString(),
          status: 'running',
        };
        record = { ...record, status: 'running', attempts: [...record.attempts, attempt] };
        update(record);
        const closeAttempt = (last: Partial<RunAttempt>, status: EstateRun['status']): void => {
          const attempts = [...record.attempts];
          attempts[attempts.length - 1] = {
            ...attempt,
            ...last,
            finishedAt: new Date().toISOString(),
          } as RunAttempt;
          record = { ...record, status, attempts };
          update(record);
        };
        try {
          await this.runEstate(
            estate,
            () => record,
            (r) => update((record = r)),
            signal,
          );
          closeAttempt({ status: 'succeeded' }, 'succeeded');
          logger.info({ estate: estate.name, month, job: record.jobId }, 'estate reported');
          break;
        } catch (e) {
          if (signal.aborted) {
            closeAttempt({ status: 'interrupted' }, 'interrupted');
            return finish('interrupted');
          }
          const step = e instanceof StepError ? e.step : undefined;
          const error = e instanceof Error ? e.message : String(e);
          const last = i + 1 >= this.attempts;
          closeAttempt(
            { status: 'failed', ...(step ? { step } : {}), error },
            last ? 'failed' : 'running',
          );
          logger.warn(
            { estate: estate.name, month, attempt: attempt.attempt, step, error, last },
            last ? 'estate failed: no tries left' : 'estate attempt failed: retrying',
          );
          if (last) break;
        }
      }
    }
    return finish(run.estates.every((e) => e.status === 'succeeded') ? 'succeeded' : 'failed');
  };

  /** A new estate record: the baseline and the usage store are decided here, once. */
  private newEstateRun(
    estate: EstateConfig,
    month: string,
    asOf: string,
    runs: readonly MonthlyRun[],
  ): EstateRun {
    const dataDir = this.options.dataDir;
    const before = succeededEstateRun(runs, estate.name, previousMonth(month));
    const previous =
      before?.estate.jobId !== undefined ? estatePaths.report(before.estate.jobId) : undefined;
    const hasStore = existsSync(join(dataDir, estatePaths.usage(estate.name)));
    return {
      name: estate.name,
      status: 'pending',
      snapshot: estatePaths.snapshot(estate.name, month),
      asOf,
      windowDays: estate.windowDays ?? 90,
      ...(hasStore ? { usageBase: estatePaths.usageBase(estate.name, month) } : {}),
      ...(previous !== undefined && existsSync(join(dataDir, previous)) ? { previous } : {}),
      attempts: [],
    };
  }

  /** One attempt at one estate: each step is skipped when an earlier attempt did it. */
  private async runEstate(
    estate: EstateConfig,
    current: () => EstateRun,
    save: (record: EstateRun) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const dataDir = this.options.dataDir;
    const step = async <T>(name: Step, work: () => Promise<T> | T): Promise<T> => {
      try {
        return await work();
      } catch (e) {
        if (signal.aborted) throw e;
        throw new StepError(name, e);
      }
    };
    const record = current();

    await step('snapshot', () => this.snapshot(estate, record.snapshot, signal));

    await step('usage', () => {
      if (record.usageBase === undefined) return;
      const base = join(dataDir, record.usageBase);
      // The base exists once its database file is renamed into place.
      if (!existsSync(base)) resetUsageStore(base, join(dataDir, estatePaths.usage(estate.name)));
    });

    const job = await step('analysis', async () => {
      const known = record.jobId !== undefined ? this.options.jobs.get(record.jobId) : undefined;
      // A job of an earlier attempt that succeeded, or that a restart queued again, is kept.
      const reuse = known && known.status !== 'failed';
      const job =
        reuse && known
          ? known
          : await this.options.jobs.submit({
              snapshot: record.snapshot,
              asOf: record.asOf,
              windowDays: record.windowDays,
              kind: 'monthly',
              estate: estate.name,
              month: record.asOf.slice(0, 7),
              db: estatePaths.usage(estate.name),
              ...(record.usageBase !== undefined ? { usageBase: record.usageBase } : {}),
              ...(record.previous !== undefined ? { previous: record.previous } : {}),
            });
      if (job.id !== record.jobId) save({ ...current(), jobId: job.id });
      const done = await abortable(this.options.jobs.whenDone(job.id), signal);
      if (done.status !== 'succeeded') throw new Error(done.error ?? `job ${done.id} failed`);
      return done;
    });

    await step('deliver', async () => {
      const deliver = estate.deliver;
      if (!deliver) return;
      const reportDir = join(dataDir, 'reports', job.id);
      const month = record.asOf.slice(0, 7);
      let delivered: NonNullable<EstateRun['delivered']> = current().delivered ?? {};
      if (deliver.directory !== undefined) {
        const target = deliverToDirectory(reportDir, deliver.directory, `${estate.name}-${month}`);
        delivered = { ...delivered, directory: target };
        save({ ...current(), delivered });
      }
      if (deliver.webhook !== undefined) {
        const body = readFileSync(join(reportDir, 'report.json'), 'utf8');
        const answer = await postWebhook(deliver.webhook, body, {
          sleep: (ms, s) => this.clock.sleep(ms, s),
          signal,
          ...(this.options.webhookBackoffMs !== undefined
            ? { backoffMs: this.options.webhookBackoffMs }
            : {}),
          headers: { 'x-leastpriv-estate': estate.name, 'x-leastpriv-month': month },
        });
        delivered = { ...delivered, webhook: answer };
        save({ ...current(), delivered });
      }
    });
  }

  /** The month's snapshot under `DATA/snapshots/`, made once (whole or not at all). */
  private async snapshot(estate: EstateConfig, name: string, signal: AbortSignal): Promise<void> {
    const target = join(this.options.dataDir, 'snapshots', name);
    if (existsSync(target)) return;
    const temp = join(this.options.dataDir, 'tmp', `${name}-${process.pid}`);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(join(this.options.dataDir, 'tmp'), { recursive: true });
    const source = estate.source;
    if (source.directory !== undefined) {
      const dir = source.directory;
      if (!existsSync(join(dir, 'accounts')) || !statSync(dir).isDirectory())
        throw new Error(`\`${dir}\` is not a snapshot directory (no accounts/)`);
      // The CLI's default usage store inside a snapshot is not part of it.
      cpSync(dir, temp, {
        recursive: true,
        filter: (src) => !(basename(src) === '.leastpriv' && src === join(dir, '.leastpriv')),
      });
    } else {
      await abortable((this.options.collect ?? collectLive)(source.collect, temp, signal), signal);
    }
    mkdirSync(join(this.options.dataDir, 'snapshots'), { recursive: true });
    renameSync(temp, target);
  }
}
