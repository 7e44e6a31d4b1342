/**
 * What every collector shares: the AWS SDK v3 clients (one configuration: region, endpoint,
 * credentials, retries), the one error the user sees when AWS refuses, atomic file writes, the
 * CLI's JSON form of SDK output, and bounded polling.
 * Retries: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export { writeFileAtomic } from '../atomic-write.js';
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

/** Static credentials, as STS returns them or a test passes them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach AWS. Without `credentials`, the SDK's standard provider chain is used. */
export interface ClientConfig {
  readonly region: string;
  /** Every client is pointed at this URL (LocalStack, a replay server in tests). */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  /** Attempts per call, the first included (default 8): throttling is retried by the SDK. */
  readonly maxAttempts?: number;
}

/** The SDK clients the collectors call. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly organizations: OrganizationsClient;
  readonly cloudtrail: CloudTrailClient;
  readonly sts: STSClient;
  readonly accessAnalyzer: AccessAnalyzerClient;
}

/** Builds every client from one configuration. */
export function awsClients(config: ClientConfig): AwsClients {
  const common = {
    region: config.region,
    // The SDK's standard retry strategy: exponential backoff with full jitter (base 100 ms, at
    // most 20 s), throttling errors (`Throttling`, `ThrottlingException`, …) and 5xx retried.
    retryMode: 'standard',
    maxAttempts: config.maxAttempts ?? 8,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
  return {
    iam: new IAMClient(common),
    // Path-style so a single endpoint serves every bucket; region redirects are followed because
    // a bucket's policy is served from the bucket's own region.
    s3: new S3Client({
      ...common,
      forcePathStyle: config.endpoint !== undefined,
      followRegionRedirects: true,
    }),
    kms: new KMSClient(common),
    organizations: new OrganizationsClient(common),
    cloudtrail: new CloudTrailClient(common),
    sts: new STSClient(common),
    accessAnalyzer: new AccessAnalyzerClient(common),
  };
}

/** Releases the clients' sockets. */
export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** The one error collection throws: a stable `code`, the AWS call, and a message for the user. */
export class CollectError extends Error {
  override readonly name = 'CollectError';
  constructor(
    readonly code: 'expired_credentials' | 'access_denied' | 'aws_error' | 'timeout',
    message: string,
    readonly call: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The AWS error code of an SDK error (`Throttling`, `ExpiredToken`, …), if it is one. */
export function awsErrorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as { name?: unknown; Code?: unknown };
  return typeof err.Code === 'string'
    ? err.Code
    : typeof err.name === 'string'
      ? err.name
      : undefined;
}

/** Turns an SDK error into a `CollectError` that says what to do. */
export function collectError(call: string, e: unknown): CollectError {
  if (e instanceof CollectError) return e;
  const code = awsErrorCode(e) ?? 'Error';
  const detail = e instanceof Error ? e.message : String(e);
  if (EXPIRED.has(code))
    return new CollectError(
      'expired_credentials',
      `the AWS credentials have expired (\`${code}\` from \`${call}\`): refresh your credentials ` +
        '(`aws sso login`, new session credentials or a new `AWS_SESSION_TOKEN`) and run again',
      call,
      { cause: e },
    );
  if (DENIED.has(code))
    return new CollectError(
      'access_denied',
      `\`${call}\` was denied (\`${code}\`): the credentials need \`${call}\` (${detail})`,
      call,
      { cause: e },
    );
  return new CollectError('aws_error', `\`${call}\` failed: \`${code}\`: ${detail}`, call, {
    cause: e,
  });
}

/** Calls AWS and turns a failure into a `CollectError` naming the call. */
export async function call<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw collectError(name, e);
  }
}

/** `2026-03-09T10:41:45+00:00`: the timestamp form the AWS CLI prints. */
export function cliTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * SDK output in the form `aws … --output json` prints: dates as CLI timestamps, no `$metadata`,
 * no undefined members.
 */
export function cliJson(value: unknown): unknown {
  if (value instanceof Date) return cliTimestamp(value);
  if (Array.isArray(value)) return value.map(cliJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (k !== '$metadata' && v !== undefined) out[k] = cliJson(v);
    return out;
  }
  return value;
}

/** Bounded polling: the delay doubles from `initialMs` up to `maxMs`, at most `attempts` tries. */
export interface PollOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly attempts: number;
}

/** The default: 1 s, 2 s, 4 s … 15 s, 40 tries (about 8 minutes). */
export const DEFAULT_POLL: PollOptions = { initialMs: 1000, maxMs: 15_000, attempts: 40 };

/** Calls `check` until it returns a value, waiting between tries; a `timeout` error after the last. */
export async function poll<T>(
  what: string,
  options: PollOptions,
  check: () => Promise<T | undefined>,
): Promise<T> {
  let delay = options.initialMs;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const result = await check();
    if (result !== undefined) return result;
    if (attempt < options.attempts) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxMs);
    }
  }
  throw new CollectError('timeout', `${what} was not ready after ${options.attempts} tries`, what);
}
