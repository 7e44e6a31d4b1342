/**
 * Validation of bodies and queries against the schemas of schemas.ts, with ajv. A failure is a
 * 400 `validation_failed` whose details name each field by JSON pointer (`/request/action`).
 */
import type { RequestHandler } from 'express';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ServiceError, type ErrorDetail } from './errors.js';
import { SCHEMAS, type SchemaName } from './schemas.js';

const ROOT = 'leastpriv:schemas';

// Formats appear only in answer schemas (documentation); ajv-formats is not a dependency, so they
// are declared as known and not checked.
const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  strictTypes: false,
  formats: { uuid: true, 'date-time': true },
});
// `components` is where OpenAPI keeps schemas; registering it lets `$ref`s resolve the same way
// in the validator as in the published document.
ajv.addKeyword({ keyword: 'components' });
ajv.addSchema({ $id: ROOT, components: { schemas: SCHEMAS } });

const compiled = new Map<SchemaName, ValidateFunction>();

/** The compiled validator of a named schema (compiled once). */
export function validatorOf(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `${ROOT}#/components/schemas/${name}` });
    compiled.set(name, validate);
  }
  return validate;
}

/** Compiles every schema now, so that a broken schema stops the start, not a request. */
export function compileAll(): void {
  for (const name of Object.keys(SCHEMAS) as SchemaName[]) validatorOf(name);
}

/** ajv's errors as details: the field's pointer, and what is wrong with it. */
export function detailsOf(errors: readonly ErrorObject[], prefix = ''): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const e of errors) {
    // `if`/`anyOf` report a summary besides the real cause; the cause is enough.
    if (e.keyword === 'if' || e.keyword === 'anyOf') continue;
    const field =
      e.keyword === 'required'
        ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`
        : e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`
          : e.instancePath;
    const message =
      e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'additionalProperties'
          ? 'is not a known field'
          : (e.message ?? 'is invalid');
    const path = `${prefix}${field}`;
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push({ path, message });
  }
  return details;
}

/** Checks a value against a schema; throws the 400 naming each bad field. */
export function check(name: SchemaName, value: unknown, what: 'body' | 'query'): void {
  const validate = validatorOf(name);
  if (validate(value)) return;
  const details = detailsOf(validate.errors ?? [], what === 'query' ? 'query:' : '');
  const first = details[0];
  throw new ServiceError(
    'validation_failed',
    first
      ? `the request ${what} is invalid: \`${first.path || '/'}\` ${first.message}`
      : `the request ${what} is invalid`,
    details,
  );
}

/** Middleware validating the body and/or the query of a route. */
export function validate(schemas: { body?: SchemaName; query?: SchemaName }): RequestHandler {
  return (req, _res, next) => {
    if (schemas.query) check(schemas.query, { ...req.query }, 'query');
    if (schemas.body) check(schemas.body, req.body, 'body');
    next();
  };
}
