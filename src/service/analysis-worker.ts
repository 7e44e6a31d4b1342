/**
 * The child process of one analysis job: runs `analyzeSnapshot` off the service's event loop,
 * renders the report in every format into a temporary directory and renames it into place, so
 * that a half-written report never appears. Reports progress and the outcome to its parent, which
 * stores the files in its catalog in the transaction that marks the job succeeded.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { analyzeSnapshot } from '../analyze.js';
import { REPORT_FORMATS, renderReport } from '../report/index.js';
import { readReport, resetUsageStore } from './monthly-files.js';

/** What the parent gives the worker. */
export interface AnalysisWork {
  readonly snapshotDir: string;
  readonly reportDir: string;
  readonly db: string;
  readonly asOf?: string;
  readonly windowDays?: number;
  /** A previous report JSON: scores then carry their change. */
  readonly previous?: string;
  /**
   * Reset the usage store first: to a copy of this store, or (`null`) to an empty one. The
   * monthly job starts each month from the store as it was before it, so a retry or a
   * reproduction ingests the same files and gives the same report.
   */
  readonly resetUsageFrom?: string | null;
  readonly version: string;
}

/** What the worker tells the parent. */
export type AnalysisMessage =
  | { readonly type: 'phase'; readonly phase: string }
  | { readonly type: 'error'; readonly message: string }
  | {
      readonly type: 'done';
      readonly summary: unknown;
      readonly asOf: string;
      readonly windowDays: number;
      readonly phases: readonly { readonly phase: string; readonly seconds: number }[];
    };

/** Runs one analysis and writes its report files under `reportDir`. */
export async function runAnalysis(
  work: AnalysisWork,
  post: (message: AnalysisMessage) => void,
): Promise<void> {
  mkdirSync(dirname(work.db), { recursive: true });
  if (work.resetUsageFrom !== undefined) resetUsageStore(work.db, work.resetUsageFrom);
  const { report, phases } = await analyzeSnapshot(work.snapshotDir, {
    db: work.db,
    ...(work.previous !== undefined ? { previous: readReport(work.previous) } : {}),
    ...(work.asOf !== undefined ? { asOf: work.asOf } : {}),
    ...(work.windowDays !== undefined ? { windowDays: work.windowDays } : {}),
    version: work.version,
    onPhase: (phase) => post({ type: 'phase', phase }),
  });
  const temp = `${work.reportDir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  for (const format of REPORT_FORMATS)
    writeFileSync(join(temp, `report.${format}`), renderReport(report, format));
  rmSync(work.reportDir, { recursive: true, force: true });
  renameSync(temp, work.reportDir);
  post({
    type: 'done',
    summary: report.summary,
    asOf: report.asOf,
    windowDays: report.windowDays,
    phases,
  });
}

/**
 * An analysis is batch work next to an interactive service: every thread of this process goes to
 * nice 19. On Linux a nice value belongs to a thread, and new threads inherit their creator's, so
 * the threads Node started already (V8's garbage-collector helpers) are lowered one by one, and
 * those started later (libuv's pool, the database's workers) inherit it.
 */
function lowerPriority(): void {
  let threads: number[] = [0];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    // No /proc (not Linux): the process's own priority is all there is to set.
  }
  for (const thread of threads)
    try {
      setPriority(thread, 19);
    } catch {
      // Not permitted, or gone: that thread keeps its priority.
    }
}

// Run as the service's analysis child process (jobs.ts): jobs one after another, until `quit`.
if (process.env['LEASTPRIV_ANALYSIS_CHILD'] === '1' && process.send) {
  lowerPriority();
  const send = (message: AnalysisMessage & { id: string }): Promise<void> =>
    new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
  // The service is gone (killed): stop at once rather than hold the usage store's lock against
  // the service that restarts.
  process.on('disconnect', () => process.exit(1));
  // Jobs come one at a time (the service waits for each answer); `quit` when none is left.
  process.on(
    'message',
    (message: { type: 'work'; id: string; work: AnalysisWork } | { type: 'quit' }) => {
      if (message.type === 'quit') process.exit(0);
      const { id } = message;
      runAnalysis(message.work, (m) => void send({ ...m, id })).catch(async (e: unknown) => {
        await send({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
      });
    },
  );
}
