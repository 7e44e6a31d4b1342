/**
 * Bearer authentication, scope checks and the per-token rate limit, as express middleware.
 */
import type { RequestHandler } from 'express';
import { ServiceError } from './errors.js';
import type { RateLimiter } from './rate-limit.js';
import './request-context.js';
import { hasScope, type Scope, type TokenStore } from './tokens.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="leastpriv"' };

/** Rejects a request without a known bearer token (401); sets `req.token` otherwise. */
export function bearerAuth(store: TokenStore): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) {
      next(
        new ServiceError('unauthorized', 'a bearer token is required', [], {
          ...CHALLENGE,
        }),
      );
      return;
    }
    const record = store.verify(match[1]!);
    if (!record) {
      next(
        new ServiceError('unauthorized', 'the bearer token is not known (or was revoked)', [], {
          'WWW-Authenticate': 'Bearer realm="leastpriv", error="invalid_token"',
        }),
      );
      return;
    }
    // The request's logger (made when first used) carries the token's name from now on.
    req.token = record;
    next();
  };
}

/** Rejects a caller whose token lacks `scope` (403). */
export function requireScope(scope: Scope): RequestHandler {
  return (req, _res, next) => {
    if (!req.token || !hasScope(req.token.scopes, scope)) {
      next(
        new ServiceError('forbidden', `this route needs the \`${scope}\` scope`, [
          { path: '', message: `token scopes: ${req.token?.scopes.join(', ') ?? 'none'}` },
        ]),
      );
      return;
    }
    next();
  };
}

/** Limits each token's request rate; a caller over its limit gets 429 with `Retry-After`. */
export function rateLimit(limiter: RateLimiter): RequestHandler {
  return (req, res, next) => {
    const taken = limiter.take(req.token?.name ?? `ip:${req.ip ?? ''}`);
    if (!taken.ok) {
      next(
        new ServiceError(
          'rate_limited',
          `too many requests: retry in ${taken.retryAfterSeconds} s`,
          [],
          { 'Retry-After': String(taken.retryAfterSeconds) },
        ),
      );
      return;
    }
    res.set('RateLimit-Remaining', String(taken.remaining));
    next();
  };
}
