/**
 * The service's one logger: pino, JSON lines to standard error. Authorization headers, tokens
 * and AWS access key ids never reach the log: headers and token fields are redacted by path,
 * and any string that looks like a key id or a leastpriv token is masked wherever it appears.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

const SECRET_PATTERNS: readonly RegExp[] = [
  // AWS access key ids: long-term (AKIA) and temporary (ASIA).
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // leastpriv API tokens (see tokens.ts).
  /\blp_[A-Za-z0-9_-]{16,}/g,
  // Any bearer credential that slipped into a message.
  /\b(Bearer\s+)\S+/gi,
];

/** Masks key ids and tokens in a string. */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS)
    out = out.replace(pattern, (match, bearer?: unknown) =>
      typeof bearer === 'string' ? `${bearer}[REDACTED]` : '[REDACTED]',
    );
  return out;
}

/** Masks key ids and tokens in every string of a plain value (depth-bounded). */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error)
    return {
      type: value.name,
      message: scrubText(value.message),
      stack: scrubText(value.stack ?? ''),
    };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

/** Paths pino blanks whatever their value. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
];

/** Creates the service logger; `destination` defaults to standard error. */
export function createLogger(
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { service: 'leastpriv' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(2),
  );
}
