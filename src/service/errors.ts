/**
 * The service's one error shape and its one mapper: every failure answers
 * `{ "error": { "code", "message", "details" } }`, the status derived from the code. Anything
 * unknown is logged and becomes a 500 that leaks nothing.
 */
import type { ErrorRequestHandler } from 'express';
import './request-context.js';

/** Every error code the service answers with, and its HTTP status. */
export const SERVICE_ERROR_STATUS = {
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  not_ready: 503,
  timeout: 503,
} as const;

/** A code of the registry above. */
export type ServiceErrorCode = keyof typeof SERVICE_ERROR_STATUS;

/** One problem in a request, named by a JSON pointer into the body (or `query/…`). */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** An error meant for the client: its code, a lower-case message, details. */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly details: readonly ErrorDetail[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ServiceErrorCode,
    message: string,
    details: readonly ErrorDetail[] = [],
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return SERVICE_ERROR_STATUS[this.code];
  }
}

/** The body of an error answer. */
export function errorBody(error: ServiceError): {
  error: { code: ServiceErrorCode; message: string; details: readonly ErrorDetail[] };
} {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

/** Errors raised by express's body parser (http-errors) carry a `type` and a `status`. */
interface ParserError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly limit?: unknown;
  readonly message?: unknown;
}

/** Turns whatever was thrown into a ServiceError; undefined for an unknown (internal) error. */
export function toServiceError(thrown: unknown): ServiceError | undefined {
  if (thrown instanceof ServiceError) return thrown;
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const e = thrown as ParserError;
  switch (e.type) {
    case 'entity.too.large':
      return new ServiceError(
        'payload_too_large',
        `the request body is larger than the limit of ${String(e.limit)} bytes`,
        [{ path: '', message: `limit ${String(e.limit)} bytes` }],
      );
    case 'entity.parse.failed':
      return new ServiceError('invalid_json', 'the request body is not valid JSON', [
        { path: '', message: typeof e.message === 'string' ? e.message : 'invalid JSON' },
      ]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ServiceError(
        'unsupported_media_type',
        'the request body encoding is not supported',
      );
    case 'request.aborted':
      return new ServiceError('invalid_json', 'the request body was cut short');
    default:
      return undefined;
  }
}

/** The express error handler: the one place an error becomes an HTTP answer. */
export function errorHandler(): ErrorRequestHandler {
  return (thrown, req, res, next) => {
    if (res.headersSent) {
      next(thrown);
      return;
    }
    const known = toServiceError(thrown);
    const error = known ?? new ServiceError('internal', 'internal error');
    if (!known) req.log.error({ err: thrown }, 'unhandled error');
    else if (error.status >= 500) req.log.warn({ code: error.code }, error.message);
    res.status(error.status).set(error.headers).json(errorBody(error));
  };
}
