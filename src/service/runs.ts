/**
 * The record of the monthly job: `DATA/runs.json`, written atomically after every change. It
 * holds the scheduler's cursor (the last fire time handled) and every run with, per estate, each
 * attempt, the snapshot, the usage store and the baseline it used and the job that analysed it,
 * so that `leastpriv report --month` can reproduce any month from stored data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

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

/** The runs file's content. */
export interface RunsState {
  readonly version: 1;
  /** The last fire time the scheduler handled (ISO). */
  readonly cursor?: string;
  readonly runs: readonly MonthlyRun[];
}

/** The path of the runs file of a data directory. */
export const runsPath = (dataDir: string): string => join(dataDir, 'runs.json');

/** Reads the runs file of a data directory (empty when there is none). */
export function readRuns(dataDir: string): RunsState {
  const path = runsPath(dataDir);
  if (!existsSync(path)) return { version: 1, runs: [] };
  return JSON.parse(readFileSync(path, 'utf8')) as RunsState;
}

/** The runs file of a data directory; one writer (the service). */
export class RunsFile {
  private state: RunsState;

  constructor(private readonly dataDir: string) {
    this.state = readRuns(dataDir);
  }

  private save(state: RunsState): void {
    this.state = state;
    writeFileAtomic(runsPath(this.dataDir), `${JSON.stringify(state, null, 2)}\n`);
  }

  /** The last fire time handled. */
  cursor(): string | undefined {
    return this.state.cursor;
  }

  /** Moves the cursor. */
  setCursor(fireTime: string): void {
    this.save({ ...this.state, cursor: fireTime });
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
    this.save({ ...this.state, runs });
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
