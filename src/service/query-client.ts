/**
 * The service's side of the query worker: posts a question, resolves with the answer, rebuilds
 * the worker's errors as `ServiceError`s. A worker that dies fails the questions in flight with a
 * 500 and is started again for the next one.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import {
  ServiceError,
  SERVICE_ERROR_STATUS,
  type ErrorDetail,
  type ServiceErrorCode,
} from './errors.js';
import type { QueryMessage, QueryReply, QueryRequest } from './query-worker.js';
import { workerFile } from './worker-file.js';

/** Asks the query worker. */
export class QueryClient {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (json: string) => void; reject: (e: Error) => void }
  >();

  constructor(private readonly logger: Logger) {}

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerFile('query-worker'));
    // Idle, the worker must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: QueryReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.json);
      else if (reply.error.code === 'internal') {
        this.logger.error({ err: reply.error.message }, 'query failed');
        waiting.reject(new Error(reply.error.message));
      } else {
        const code = (
          reply.error.code in SERVICE_ERROR_STATUS ? reply.error.code : 'internal'
        ) as ServiceErrorCode;
        waiting.reject(
          new ServiceError(
            code,
            reply.error.message,
            reply.error.details as readonly ErrorDetail[],
          ),
        );
      }
    });
    const fail = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e) => {
      this.logger.error({ err: e }, 'the query worker failed');
      fail(e);
    });
    worker.on('exit', (code) => fail(new Error(`the query worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** Asks one question; the answer as parsed JSON. */
  async ask<T>(request: QueryRequest): Promise<T> {
    return JSON.parse(await this.askJson(request)) as T;
  }

  /** Asks one question; the answer as JSON text, ready to send. */
  askJson(request: QueryRequest): Promise<string> {
    const worker = this.started();
    const id = this.next++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      const message: QueryMessage = { ...request, id };
      worker.postMessage(message);
    }).finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    });
  }

  /** Stops the worker (shutdown). */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
