/**
 * Delivering a monthly report: its files copied into a directory (whole or not at all), and its
 * JSON posted to a webhook, retried with exponential backoff on network errors and 5xx answers
 * (never on 4xx: the receiver refused it, and sending it again would not change its mind).
 */
import { cpSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the webhook is and how hard to try. */
export interface WebhookTarget {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Retries after the first try (default 3). */
  readonly retries?: number;
}

/** How delivery waits and how long a try may take. */
export interface WebhookOptions {
  /** Waits between tries (the scheduler's clock in production; instant in tests). */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** The wait before the first retry, doubled for each next one (default 1 s). */
  readonly backoffMs?: number;
  /** How long one try may take (default 30 s). */
  readonly timeoutMs?: number;
  /** Extra headers for this delivery (the estate and month). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The default number of webhook retries. */
export const DEFAULT_WEBHOOK_RETRIES = 3;

/** A delivery that did not go through; `tries` says how often it was tried. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly tries: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * POSTs `body` (JSON) to the webhook; resolves with the answer's status and the number of tries
 * once it is answered 2xx. Network errors, timeouts and 5xx are retried; anything else throws.
 */
export async function postWebhook(
  target: WebhookTarget,
  body: string,
  options: WebhookOptions,
): Promise<{ status: number; tries: number }> {
  const retries = target.retries ?? DEFAULT_WEBHOOK_RETRIES;
  const backoff = options.backoffMs ?? 1000;
  let last = '';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt > 0) await options.sleep(backoff * 2 ** (attempt - 1), options.signal);
    options.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        headers: {
          ...target.headers,
          ...options.headers,
          'content-type': 'application/json',
        },
        body,
        redirect: 'manual',
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (e) {
      options.signal?.throwIfAborted();
      last = `network error: ${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)}`;
      continue;
    }
    // The answer's body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { status: res.status, tries: attempt + 1 };
    last = `answered ${res.status}`;
    if (res.status < 500)
      throw new DeliveryError(`webhook \`${target.url}\` ${last}: not retried`, attempt + 1);
  }
  throw new DeliveryError(
    `webhook \`${target.url}\` failed ${retries + 1} time(s); last: ${last}`,
    retries + 1,
  );
}

/**
 * Copies a report directory to `directory/name/`, replacing what was there; the target appears
 * only once every file is copied. Returns the target.
 */
export function deliverToDirectory(reportDir: string, directory: string, name: string): string {
  const target = join(directory, name);
  const temp = `${target}.tmp-${process.pid}`;
  mkdirSync(dirname(target), { recursive: true });
  rmSync(temp, { recursive: true, force: true });
  cpSync(reportDir, temp, { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(temp, target);
  return target;
}
