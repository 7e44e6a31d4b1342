/**
 * This process's side of the catalog thread (`catalog-worker.ts`): one thread per process,
 * started when first needed, answering requests in the order they are posted. `call` resolves
 * with the answer; `callSync` blocks until it (for the state read once at start, before any
 * request is answered, and for the CLI). Because both go through one queue, a read posted after
 * a write sees it.
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import type {
  CatalogAnswers,
  CatalogMessage,
  CatalogReply,
  CatalogRequest,
  CatalogWorkerData,
} from './catalog-worker.js';
import { WorkerCalls } from './worker-calls.js';
import { workerFile } from './worker-file.js';

/** How long a synchronous call waits for the thread at most (beyond any lock wait). */
const SYNC_TIMEOUT_MS = 120_000;

interface Thread {
  readonly worker: Worker;
  readonly calls: WorkerCalls<unknown>;
  readonly flag: Int32Array;
  readonly syncPort: MessagePort;
}

let thread: Thread | undefined;

const failure = (reply: Extract<CatalogReply, { ok: false }>): Error => {
  const error = new Error(reply.error);
  error.name = reply.name;
  return error;
};

function started(): Thread {
  if (thread) return thread;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const data: CatalogWorkerData = { flag, syncPort: port2 };
  const worker = new Worker(workerFile('catalog-worker'), {
    workerData: data,
    transferList: [port2],
  });
  const calls = new WorkerCalls<unknown>(worker, 'the catalog thread', () => {
    if (thread?.worker === worker) thread = undefined;
  });
  worker.on('message', (reply: CatalogReply) =>
    calls.settle(reply.id, reply.ok ? { value: reply.value } : { error: failure(reply) }),
  );
  // The 'message' listener refs the worker: idle, it must not keep the process alive.
  worker.unref();
  port1.unref();
  thread = { worker, calls, flag, syncPort: port1 };
  return thread;
}

/** Options of a call. */
export interface CallOptions {
  /** How long to wait for another process's lock on the catalog (default 30 s). */
  readonly lockTimeoutMs?: number;
}

/** Posts a request to the catalog thread; resolves with its answer. */
export function catalogCall<R extends CatalogRequest>(
  request: R,
  options: CallOptions = {},
): Promise<CatalogAnswers[R['op']]> {
  const message: Omit<CatalogMessage, 'id'> = { ...request, sync: false, ...options };
  return started().calls.call(message) as Promise<CatalogAnswers[R['op']]>;
}

/**
 * Posts a request and blocks this thread until it is answered (after every request posted
 * before it). Only for work that must be done before anything else goes on.
 */
export function catalogCallSync<R extends CatalogRequest>(
  request: R,
  options: CallOptions = {},
): CatalogAnswers[R['op']] {
  const { worker, calls, flag, syncPort } = started();
  const id = calls.id();
  Atomics.store(flag, 0, 0);
  const message: CatalogMessage = { ...request, id, sync: true, ...options };
  worker.postMessage(message);
  const until = Date.now() + SYNC_TIMEOUT_MS + (options.lockTimeoutMs ?? 30_000);
  for (;;) {
    const got = receiveMessageOnPort(syncPort);
    if (got) {
      const reply = got.message as CatalogReply;
      if (reply.id !== id) continue;
      if (reply.ok) return reply.value as CatalogAnswers[R['op']];
      throw failure(reply);
    }
    // A thread that died (it could not start) answers nothing; its 'exit' event cannot come
    // while this thread waits, but its id turns -1.
    if (worker.threadId === -1 || Date.now() > until) {
      if (thread?.worker === worker) thread = undefined;
      throw new Error('the catalog thread did not answer');
    }
    // Woken by the thread's answer; the timeout only guards against a thread that died.
    Atomics.wait(flag, 0, 0, 1000);
    Atomics.store(flag, 0, 0);
  }
}
