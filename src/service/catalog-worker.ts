/**
 * The catalog thread: every access of this process to a service catalog (`catalog.ts`) runs
 * here, one request at a time, in the order posted. Off the event loop, the service keeps
 * answering while a state is committed; and one thread per process is also what keeps two
 * DuckDB instances of one file out of one process (DuckDB's file lock does not see them).
 *
 * A catalog is opened for the work queued and closed as soon as none is left (or after
 * `MAX_HOLD_MS` of continuous work), so another process (`leastpriv report`) waits at most
 * that long for it.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { ReportFormat } from '../report/index.js';
import type { Job } from './jobs.js';
import type { MonthlyRun, RunsState } from './runs.js';
import {
  catalogPath,
  openCatalog,
  putCursor,
  putJob,
  putReports,
  putRun,
  readJobs,
  readReportBody,
  readRunsState,
  transaction,
  type LegacyImport,
  type OpenCatalog,
} from './catalog.js';

/** One request to the catalog thread, and what it answers. */
export type CatalogRequest =
  | {
      /** The jobs (opens for writing: creates, migrates, imports the previous layout). */
      readonly op: 'load-jobs';
      readonly dataDir: string;
    }
  | {
      /** The jobs for a reader (another process): `null` when the directory has no catalog. */
      readonly op: 'read-jobs';
      readonly dataDir: string;
    }
  | { readonly op: 'load-runs'; readonly dataDir: string }
  | {
      /** The monthly record for a reader: `null` when the data directory has no catalog. */
      readonly op: 'read-runs';
      readonly dataDir: string;
    }
  | {
      /**
       * Stores jobs in one transaction; with `reportsFrom`, also the report files of the (one)
       * job from that directory, so the job is succeeded and has its report, or neither.
       */
      readonly op: 'put-jobs';
      readonly dataDir: string;
      readonly jobs: readonly Job[];
      readonly reportsFrom?: string;
    }
  | { readonly op: 'put-run'; readonly dataDir: string; readonly run: MonthlyRun }
  | { readonly op: 'put-cursor'; readonly dataDir: string; readonly cursor: string }
  | {
      /** A stored report: `undefined` when none, `null` when the directory has no catalog. */
      readonly op: 'read-report';
      readonly dataDir: string;
      readonly jobId: string;
      readonly format: ReportFormat;
    };

/** What each request answers. */
export interface CatalogAnswers {
  'load-jobs': { jobs: Job[]; reported: string[]; imported?: LegacyImport };
  'read-jobs': { jobs: Job[]; reported: string[] } | null;
  'load-runs': RunsState;
  'read-runs': RunsState | null;
  'put-jobs': null;
  'put-run': null;
  'put-cursor': null;
  'read-report': string | undefined | null;
}

/** A request as posted: with its id, and whether the poster waits for it synchronously. */
export type CatalogMessage = CatalogRequest & {
  readonly id: number;
  readonly sync: boolean;
  readonly lockTimeoutMs?: number;
};

/** The thread's answer. */
export type CatalogReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly name: string };

/** What the client gives the thread: the flag it waits on, and the port of synchronous answers. */
export interface CatalogWorkerData {
  readonly flag: Int32Array;
  readonly syncPort: MessagePort;
}

/** The longest the thread keeps a catalog open while work keeps coming (others may wait). */
const MAX_HOLD_MS = 250;

const READS = new Set<CatalogRequest['op']>(['read-jobs', 'read-runs', 'read-report']);

/** Answers one request on an open catalog. */
async function answer(open: OpenCatalog, request: CatalogRequest): Promise<unknown> {
  const c = open.connection;
  switch (request.op) {
    case 'load-jobs':
    case 'read-jobs':
      return readJobs(c);
    case 'load-runs':
    case 'read-runs':
      return readRunsState(c);
    case 'put-jobs':
      return transaction(c, async () => {
        for (const job of request.jobs) await putJob(c, job);
        if (request.reportsFrom !== undefined)
          await putReports(c, request.jobs[0]!.id, request.reportsFrom);
        return null;
      });
    case 'put-run':
      return transaction(c, async () => {
        await putRun(c, request.run);
        return null;
      });
    case 'put-cursor':
      return transaction(c, async () => {
        await putCursor(c, request.cursor);
        return null;
      });
    case 'read-report':
      return readReportBody(c, request.dataDir, request.jobId, request.format);
  }
}

/** The catalog open now, if any. */
let current: { open: OpenCatalog; since: number } | undefined;

function closeCurrent(): void {
  current?.open.close();
  current = undefined;
}

/** Runs one request: opens its catalog as it needs it (reusing the open one when it can). */
async function run(message: CatalogMessage): Promise<unknown> {
  const readOnly = READS.has(message.op);
  const path = catalogPath(message.dataDir);
  if (current && (current.open.path !== path || (current.open.readOnly && !readOnly)))
    closeCurrent();
  let imported: LegacyImport | undefined;
  if (!current) {
    const open = await openCatalog(message.dataDir, {
      readOnly,
      ...(message.lockTimeoutMs !== undefined ? { lockTimeoutMs: message.lockTimeoutMs } : {}),
    });
    if (!open) return null;
    imported = open.imported;
    current = { open, since: Date.now() };
  }
  const value = await answer(current.open, message);
  return message.op === 'load-jobs' && imported ? { ...(value as object), imported } : value;
}

if (parentPort) {
  const port = parentPort;
  // Storing a state can wait; the service's answers cannot: this thread (and DuckDB's threads,
  // which inherit it) yields the processors to the event loop (Linux's nice is per thread;
  // measured with bench/service.bench.ts while analyses ran back to back).
  try {
    setPriority(19);
  } catch {
    // Not permitted: the thread keeps its priority.
  }
  const { flag, syncPort } = workerData as CatalogWorkerData;
  const queue: CatalogMessage[] = [];
  let busy = false;

  const reply = (message: CatalogMessage, result: CatalogReply): void => {
    if (!message.sync) return port.postMessage(result);
    syncPort.postMessage(result);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const message = queue.shift()!;
      try {
        reply(message, { id: message.id, ok: true, value: await run(message) });
      } catch (e) {
        // A failed request leaves no open catalog behind: the next one starts afresh.
        try {
          closeCurrent();
        } catch {
          // Already unusable: dropped.
        }
        const error = e instanceof Error ? e : new Error(String(e));
        reply(message, { id: message.id, ok: false, error: error.message, name: error.name });
      }
      // Messages posted meanwhile arrive before the next turn: then the catalog stays open.
      await new Promise((resolve) => setImmediate(resolve));
      if (current && (queue.length === 0 || Date.now() - current.since > MAX_HOLD_MS))
        closeCurrent();
    }
    busy = false;
  };

  port.on('message', (message: CatalogMessage) => {
    queue.push(message);
    void pump();
  });
}
