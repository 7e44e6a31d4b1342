/**
 * A token bucket per caller: `burst` requests at once, refilled at `perSecond`. The clock is a
 * parameter so tests need no waiting.
 */

/** How fast a caller may go. */
export interface RateLimitOptions {
  /** Requests a caller may make at once. */
  readonly burst: number;
  /** Requests per second a caller regains, up to `burst`. */
  readonly perSecond: number;
}

/** The answer of one attempt. */
export type Take =
  | { readonly ok: true; readonly remaining: number }
  | { readonly ok: false; readonly retryAfterSeconds: number };

/** The buckets of every caller seen (keyed by token name, so bounded by the token file). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.burst >= 1) || !(options.perSecond > 0))
      throw new RangeError('a rate limit needs burst >= 1 and perSecond > 0');
  }

  /** Takes one request from `key`'s bucket, or says how many seconds until one is back. */
  take(key: string): Take {
    const now = this.now();
    const { burst, perSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)),
    };
  }
}
