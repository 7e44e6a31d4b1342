/**
 * Calls to a worker thread answered by id, the bookkeeping the query and catalog clients share:
 * each call gets an id and waits for the reply carrying it; the worker holds the process alive
 * only while a call is pending; a worker that fails or exits fails every call in flight.
 */
import type { Worker } from 'node:worker_threads';

/** The calls in flight to one worker. */
export class WorkerCalls<T> {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: T) => void; reject: (e: Error) => void }
  >();

  /** Listens to `worker` (called `name` in errors) for errors and exit; `onFailure` hears of either first. */
  constructor(
    private readonly worker: Worker,
    name: string,
    onFailure: (error: Error) => void = () => {},
  ) {
    const fail = (error: Error): void => {
      onFailure(error);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${name} exited with code ${code}`)));
    // Idle, the worker must not keep the process alive. (After the listeners above; a
    // 'message' listener added later refs it again: call `worker.unref()` after adding one.)
    worker.unref();
  }

  /** Posts `message` with a new id; resolves or rejects as `settle` is told for that id. */
  call(message: object): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id });
    });
  }

  /** A new id, for a call answered elsewhere (a synchronous one). */
  id(): number {
    return this.next++;
  }

  /** Ends the call `id` with its value or error (a reply for no pending call is ignored). */
  settle(id: number, outcome: { value: T } | { error: Error }): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in outcome) waiting.reject(outcome.error);
    else waiting.resolve(outcome.value);
  }
}
