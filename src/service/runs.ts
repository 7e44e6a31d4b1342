/**
 * The record of the monthly job, kept in the service catalog (`DATA/service.db`, catalog.ts): the
 * scheduler's cursor (the last fire time handled) and every run with, per estate, each attempt,
 * the snapshot, the usage store and the baseline it used and the job that analysed it, so that
 * `leastpriv report --month` can reproduce any month from stored data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { catalogPath } from './catalog.js';
import { catalogCall, catalogCallSync } from './catalog-client.js';

/** One try at one estate. */
export interface RunAttempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  /** The step it failed in. */
  readonly step?: 'snapshot' | 'usage' | 'analysis' | 'deliver';
  readonly error?: string;
}

/** One estate within a run: what it used and what became of it. */
export interface EstateRun {
  readonly name: string;
  readonly status: 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  /** The snapshot as it was that month: a directory name under `DATA/snapshots/`. */
  readonly snapshot: string;
  readonly asOf: string;
  readonly windowDays: number;
  /**
   * The estate's usage store as it was before this month (relative to DATA), copied into
   * `usage/<estate>.db` before the analysis; absent: the month started from an empty store.
   */
  readonly usageBase?: string;
  /** The previous month's report JSON (relative to DATA) used as the baseline, if any. */
  readonly previous?: string;
  /** The analysis job (its report is under `DATA/reports/<jobId>/`). */
  readonly jobId?: string;
  readonly delivered?: {
    readonly directory?: string;
    readonly webhook?: { readonly status: number; readonly tries: number };
  };
  readonly attempts: readonly RunAttempt[];
}

/** One run of the monthly job, for one fire time. */
export interface MonthlyRun {
  readonly id: string;
  /** The cron fire time it ran for (ISO, UTC). */
  readonly fireTime: string;
  /** The month it reports on, `YYYY-MM`. */
  readonly month: string;
  readonly trigger: 'schedule' | 'catch-up';
  readonly status: 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped';
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Why it was skipped. */
  readonly reason?: string;
  readonly estates: readonly EstateRun[];
}

/** The monthly record (as `runs.json` held it before the catalog). */
export interface RunsState {
  readonly version: 1;
  /** The last fire time the scheduler handled (ISO). */
  readonly cursor?: string;
  readonly runs: readonly MonthlyRun[];
}

/** Where the record is: the data directory's service catalog. */
export const runsPath = (dataDir: string): string => catalogPath(dataDir);

/** The record of a data directory of the previous layout, before the service made its catalog. */
const legacyRunsPath = (dataDir: string): string => join(dataDir, 'runs.json');

const EMPTY: RunsState = { version: 1, runs: [] };

/**
 * Reads the monthly record of a data directory (empty when there is none), from another process
 * too: it waits (up to `lockTimeoutMs`, default 30 s) while the service writes to the catalog.
 * A data directory the service has not opened since the upgrade is read from its `runs.json`.
 */
export function readRuns(dataDir: string, options: { lockTimeoutMs?: number } = {}): RunsState {
  const read = (): RunsState | null => catalogCallSync({ op: 'read-runs', dataDir }, options);
  const stored = read();
  if (stored) return stored;
  const legacy = legacyRunsPath(dataDir);
  try {
    return JSON.parse(readFileSync(legacy, 'utf8')) as RunsState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // The service may have made its catalog (and moved runs.json away) meanwhile.
  return existsSync(catalogPath(dataDir)) ? (read() ?? EMPTY) : EMPTY;
}

/**
 * The monthly record of a data directory; one writer (the service). Reads are answered from
 * memory; each change is stored off the event loop, in order (`flushed` waits for them).
 */
export class RunsFile {
  private state: RunsState;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly dataDir: string,
    private readonly logger?: Logger,
  ) {
    this.state = catalogCallSync({ op: 'load-runs', dataDir });
  }

  /**
   * Posts the change at once: the catalog thread stores requests in the order posted, so a later
   * reader (even `readRuns` in this process) sees it. A failed write is logged and healed by the
   * next (each stores a whole run, or the cursor).
   */
  private store(state: RunsState, written: Promise<unknown>): void {
    this.state = state;
    const done = written.then(
      () => undefined,
      (e: unknown) => {
        this.failure ??= e;
        this.logger?.error({ err: e }, 'monthly record not stored');
      },
    );
    this.writes = this.writes.then(() => done);
  }

  /** Resolves once every change so far is stored; rejects if one could not be. */
  async flushed(): Promise<void> {
    await this.writes;
    if (this.failure !== undefined) throw this.failure as Error;
  }

  /** The last fire time handled. */
  cursor(): string | undefined {
    return this.state.cursor;
  }

  /** Moves the cursor. */
  setCursor(fireTime: string): void {
    this.store(
      { ...this.state, cursor: fireTime },
      catalogCall({ op: 'put-cursor', dataDir: this.dataDir, cursor: fireTime }),
    );
  }

  /** Every run, oldest first. */
  runs(): readonly MonthlyRun[] {
    return this.state.runs;
  }

  /** A run by id. */
  get(id: string): MonthlyRun | undefined {
    return this.state.runs.find((r) => r.id === id);
  }

  /** Adds or replaces a run (by id). */
  put(run: MonthlyRun): void {
    const others = this.state.runs.filter((r) => r.id !== run.id);
    const runs = [...others, run].sort(
      (a, b) => a.fireTime.localeCompare(b.fireTime) || a.startedAt.localeCompare(b.startedAt),
    );
    this.store({ ...this.state, runs }, catalogCall({ op: 'put-run', dataDir: this.dataDir, run }));
  }

  /** Records a fire time that was not run (the service was down over several). */
  recordSkipped(fireTime: string, month: string, reason: string): void {
    if (this.state.runs.some((r) => r.fireTime === fireTime)) return;
    const now = new Date().toISOString();
    this.put({
      id: `skipped-${fireTime}`,
      fireTime,
      month,
      trigger: 'catch-up',
      status: 'skipped',
      startedAt: now,
      finishedAt: now,
      reason,
      estates: [],
    });
  }
}

/** The latest succeeded estate run of a month, if any. */
export function succeededEstateRun(
  runs: readonly MonthlyRun[],
  estate: string,
  month: string,
): { run: MonthlyRun; estate: EstateRun } | undefined {
  for (const run of [...runs].reverse()) {
    if (run.month !== month) continue;
    const found = run.estates.find((e) => e.name === estate && e.status === 'succeeded');
    if (found) return { run, estate: found };
  }
  return undefined;
}
