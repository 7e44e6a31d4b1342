/**
 * The service's configuration file (`leastpriv serve --config FILE`): JSON, every field optional,
 * checked against a schema before the server starts. Command-line flags win over the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DEFAULT_CRON, isValidCron, isValidTimezone } from './scheduler.js';
import { detailsOf } from './validate.js';

/** When the monthly job runs, and how often a failed estate is tried. */
export interface ScheduleConfig {
  /** A node-cron expression (default `0 6 1 * *`: 06:00 on the 1st). */
  readonly cron?: string;
  /** An IANA time zone (default `UTC`). */
  readonly timezone?: string;
  /** Default true (with at least one estate). */
  readonly enabled?: boolean;
  /** Tries per estate and run (default 3). */
  readonly attempts?: number;
  /** The wait before the second try, doubled for each next one (default 60). */
  readonly retryDelaySeconds?: number;
}

/** A live collection (docs/collect.md), as `leastpriv collect` takes it. */
export interface CollectSourceConfig {
  readonly org?: boolean;
  readonly roleArn?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly days?: number;
  readonly trailBucket?: string;
  readonly trailPrefix?: string;
}

/** One estate the monthly job reports on. */
export interface EstateConfig {
  /** Names its snapshots (`<name>-<YYYY-MM>`), usage store and deliveries. */
  readonly name: string;
  readonly source:
    | { readonly directory: string; readonly collect?: never }
    | { readonly collect: CollectSourceConfig; readonly directory?: never };
  /** Default 90. */
  readonly windowDays?: number;
  readonly deliver?: {
    readonly directory?: string;
    readonly webhook?: {
      readonly url: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** Retries after the first try (default 3). */
      readonly retries?: number;
    };
  };
}

/** The configuration file, as written. */
export interface ServiceConfig {
  readonly port?: number;
  readonly host?: string;
  readonly bodyLimit?: number;
  readonly uploadLimit?: number;
  readonly requestTimeoutMs?: number;
  readonly uploadTimeoutMs?: number;
  readonly shutdownGraceMs?: number;
  readonly rateLimit?: { readonly burst: number; readonly perSecond: number };
  readonly schedule?: ScheduleConfig;
  readonly estates?: readonly EstateConfig[];
}

/** An estate's name: it names files, so letters, digits, `.`, `_` and `-`. */
export const ESTATE_NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** The schema of the configuration file. */
export const SERVICE_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    bodyLimit: { type: 'integer', minimum: 1, description: 'bytes' },
    uploadLimit: { type: 'integer', minimum: 1, description: 'bytes of a snapshot upload' },
    requestTimeoutMs: { type: 'integer', minimum: 1 },
    uploadTimeoutMs: { type: 'integer', minimum: 1 },
    shutdownGraceMs: { type: 'integer', minimum: 0 },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['burst', 'perSecond'],
      properties: {
        burst: { type: 'integer', minimum: 1 },
        perSecond: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    schedule: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cron: { type: 'string', minLength: 1 },
        timezone: { type: 'string', minLength: 1 },
        enabled: { type: 'boolean' },
        attempts: { type: 'integer', minimum: 1, maximum: 10 },
        retryDelaySeconds: { type: 'number', minimum: 0, maximum: 86400 },
      },
    },
    estates: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'source'],
        properties: {
          name: { type: 'string', pattern: ESTATE_NAME },
          source: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            maxProperties: 1,
            properties: {
              directory: { type: 'string', minLength: 1 },
              collect: {
                type: 'object',
                additionalProperties: false,
                dependentRequired: { trailPrefix: ['trailBucket'] },
                properties: {
                  org: { type: 'boolean' },
                  roleArn: { type: 'string', pattern: '\\{account\\}' },
                  region: { type: 'string', minLength: 1 },
                  endpoint: { type: 'string', pattern: '^https?://' },
                  days: { type: 'integer', minimum: 0, maximum: 400 },
                  trailBucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
                  trailPrefix: { type: 'string' },
                },
              },
            },
          },
          windowDays: { type: 'integer', minimum: 1, maximum: 400 },
          deliver: {
            type: 'object',
            additionalProperties: false,
            properties: {
              directory: { type: 'string', minLength: 1 },
              webhook: {
                type: 'object',
                additionalProperties: false,
                required: ['url'],
                properties: {
                  url: { type: 'string', pattern: '^https?://' },
                  headers: { type: 'object', additionalProperties: { type: 'string' } },
                  retries: { type: 'integer', minimum: 0, maximum: 10 },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(SERVICE_CONFIG_SCHEMA);

/** Reads and checks a configuration file; the errors name each bad field. */
export function readServiceConfig(
  file: string,
): { ok: true; value: ServiceConfig } | { ok: false; errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, errors: [`cannot read \`${file}\`: ${(e as Error).message}`] };
  }
  if (!validate(value))
    return {
      ok: false,
      errors: detailsOf(validate.errors ?? []).map(
        (d) => `${file}: \`${d.path || '/'}\` ${d.message}`,
      ),
    };
  const config = value as ServiceConfig;
  const errors = checkMonthly(config).map((d) => `${file}: \`${d.path}\` ${d.message}`);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: withResolvedPaths(config, dirname(resolve(file))) };
}

/** What the schema cannot say: a cron node-cron accepts, a known time zone, unique names. */
export function checkMonthly(config: ServiceConfig): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const cron = config.schedule?.cron;
  if (cron !== undefined && !isValidCron(cron))
    problems.push({ path: '/schedule/cron', message: `\`${cron}\` is not a cron expression` });
  const timezone = config.schedule?.timezone;
  if (timezone !== undefined && !isValidTimezone(timezone))
    problems.push({
      path: '/schedule/timezone',
      message: `\`${timezone}\` is not an IANA time zone`,
    });
  const seen = new Set<string>();
  for (const [i, estate] of (config.estates ?? []).entries()) {
    if (seen.has(estate.name))
      problems.push({ path: `/estates/${i}/name`, message: `\`${estate.name}\` is used twice` });
    seen.add(estate.name);
    const url = estate.deliver?.webhook?.url;
    if (url !== undefined && !URL.canParse(url))
      problems.push({ path: `/estates/${i}/deliver/webhook/url`, message: 'is not a URL' });
    const days = estate.source.collect?.days;
    if (days !== undefined && days > 90 && estate.source.collect?.trailBucket === undefined)
      problems.push({
        path: `/estates/${i}/source/collect/days`,
        message: 'must be 0 to 90 without trailBucket (LookupEvents keeps 90 days)',
      });
  }
  return problems;
}

/** Directories of the monthly job relative to the configuration file's directory. */
function withResolvedPaths(config: ServiceConfig, base: string): ServiceConfig {
  if (!config.estates) return config;
  return {
    ...config,
    estates: config.estates.map((e) => ({
      ...e,
      source:
        e.source.directory !== undefined
          ? { directory: resolve(base, e.source.directory) }
          : e.source,
      ...(e.deliver
        ? {
            deliver: {
              ...e.deliver,
              ...(e.deliver.directory !== undefined
                ? { directory: resolve(base, e.deliver.directory) }
                : {}),
            },
          }
        : {}),
    })),
  };
}

/** The schedule with its defaults. */
export function scheduleOf(config: ServiceConfig): Required<ScheduleConfig> {
  return {
    cron: config.schedule?.cron ?? DEFAULT_CRON,
    timezone: config.schedule?.timezone ?? 'UTC',
    enabled: config.schedule?.enabled ?? true,
    attempts: config.schedule?.attempts ?? 3,
    retryDelaySeconds: config.schedule?.retryDelaySeconds ?? 60,
  };
}
