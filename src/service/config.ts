/**
 * The service's configuration file (`leastpriv serve --config FILE`): JSON, every field optional,
 * checked against a schema before the server starts. Command-line flags win over the file.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { detailsOf } from './validate.js';

/** The configuration file, as written. */
export interface ServiceConfig {
  readonly port?: number;
  readonly host?: string;
  readonly bodyLimit?: number;
  readonly requestTimeoutMs?: number;
  readonly shutdownGraceMs?: number;
  readonly rateLimit?: { readonly burst: number; readonly perSecond: number };
}

/** The schema of the configuration file. */
export const SERVICE_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    bodyLimit: { type: 'integer', minimum: 1, description: 'bytes' },
    requestTimeoutMs: { type: 'integer', minimum: 1 },
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
  if (validate(value)) return { ok: true, value: value as ServiceConfig };
  return {
    ok: false,
    errors: detailsOf(validate.errors ?? []).map(
      (d) => `${file}: \`${d.path || '/'}\` ${d.message}`,
    ),
  };
}
