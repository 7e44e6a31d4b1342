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
import { WorkerCalls } from './worker-calls.js';
import { workerFile } from './worker-file.js';

/** Asks the query worker. */
export class QueryClient {
  private worker: { readonly thread: Worker; readonly calls: WorkerCalls<string> } | undefined;

  constructor(private readonly logger: Logger) {}

  private started(): WorkerCalls<string> {
    if (this.worker) return this.worker.calls;
    const thread = new Worker(workerFile('query-worker'));
    // A worker that died is started again for the next question.
    const calls = new WorkerCalls<string>(thread, 'the query worker', () => {
      if (this.worker?.thread === thread) this.worker = undefined;
    });
    thread.on('error', (e) => this.logger.error({ err: e }, 'the query worker failed'));
    thread.on('message', (reply: QueryReply) => {
      if (reply.ok) return calls.settle(reply.id, { value: reply.json });
      if (reply.error.code === 'internal') {
        this.logger.error({ err: reply.error.message }, 'query failed');
        return calls.settle(reply.id, { error: new Error(reply.error.message) });
      }
      const code = (
        reply.error.code in SERVICE_ERROR_STATUS ? reply.error.code : 'internal'
      ) as ServiceErrorCode;
      calls.settle(reply.id, {
        error: new ServiceError(
          code,
          reply.error.message,
          reply.error.details as readonly ErrorDetail[],
        ),
      });
    });
    // The 'message' listener refs the worker: idle, it must not keep the process alive.
    thread.unref();
    this.worker = { thread, calls };
    return calls;
  }

  /** Asks one question; the answer as parsed JSON. */
  async ask<T>(request: QueryRequest): Promise<T> {
    return JSON.parse(await this.askJson(request)) as T;
  }

  /** Asks one question; the answer as JSON text, ready to send. */
  askJson(request: QueryRequest): Promise<string> {
    return this.started().call(request satisfies Omit<QueryMessage, 'id'>);
  }

  /** Stops the worker (shutdown). */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.thread.terminate();
  }
}
