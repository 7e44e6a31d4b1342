/**
 * What the service's middleware attaches to each request: its id, its child logger and, once
 * authenticated, the caller's token.
 */
import type { Logger } from 'pino';
import type { TokenRecord } from './tokens.js';

declare global {
  // Express declares its Request in this namespace; augmenting it is the documented way.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request id, echoed as `x-request-id`. */
      id: string;
      /** The logger of this request (carries the request id). */
      log: Logger;
      /** The authenticated caller, set by the bearer middleware. */
      token?: TokenRecord;
    }
  }
}

export {};
