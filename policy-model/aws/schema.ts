/**
 * Stage 1, shape: the JSON Schema of a policy document and of a statement, checked with ajv. It
 * decides types and known elements only; `validate.ts` owns the semantics.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import { Ajv, type ErrorObject } from 'ajv';
import { pointer, type Issue } from '../result.js';
import type { PolicyErrorCode } from './issue-codes.js';

const stringOrList = { type: ['string', 'array'], items: { type: 'string' } } as const;
const principal = {
  type: ['string', 'object'],
  properties: {
    AWS: stringOrList,
    Service: stringOrList,
    Federated: stringOrList,
    CanonicalUser: stringOrList,
  },
  additionalProperties: false,
} as const;
const scalar = ['string', 'number', 'boolean'] as const;

/** JSON Schema of the document level (statements are checked one by one with `statementSchema`). */
export const documentSchema = {
  type: 'object',
  properties: {
    Version: { type: 'string' },
    Id: { type: 'string' },
    Statement: { type: ['object', 'array'] },
  },
  required: ['Statement'],
  additionalProperties: false,
} as const;

/** JSON Schema of one statement. */
export const statementSchema = {
  type: 'object',
  properties: {
    Sid: { type: 'string' },
    Effect: { type: 'string' },
    Principal: principal,
    NotPrincipal: principal,
    Action: stringOrList,
    NotAction: stringOrList,
    Resource: stringOrList,
    NotResource: stringOrList,
    Condition: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: { type: [...scalar, 'array'], items: { type: [...scalar] } },
      },
    },
  },
  required: ['Effect'],
  additionalProperties: false,
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateDocumentShape = ajv.compile(documentSchema);
const validateStatementShape = ajv.compile(statementSchema);

const REQUIRED_CODES: Readonly<Record<string, PolicyErrorCode>> = {
  Statement: 'missing_statement',
  Effect: 'missing_effect',
};

/** Turns ajv's errors into our issues, with JSON pointers under `base`. */
function toIssues(
  errors: readonly ErrorObject[] | null | undefined,
  base: string,
): Issue<PolicyErrorCode>[] {
  return (errors ?? []).map((e) => {
    const at = `${base}${e.instancePath}`;
    if (e.keyword === 'required') {
      const missing = String(e.params['missingProperty']);
      return {
        code: REQUIRED_CODES[missing] ?? 'invalid_type',
        message: `\`${missing}\` is required`,
        path: at,
      };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = String(e.params['additionalProperty']);
      const inPrincipal = /\/(Not)?Principal$/.test(e.instancePath);
      return {
        code: inPrincipal ? 'invalid_principal' : 'unknown_element',
        message: inPrincipal
          ? `\`${extra}\` is not a principal type (AWS, Service, Federated, CanonicalUser)`
          : `\`${extra}\` is not a policy element`,
        path: pointer(at, extra),
      };
    }
    if (/\/Condition(\/|$)/.test(e.instancePath)) {
      return {
        code: 'invalid_condition',
        message: `condition block ${e.message ?? 'has the wrong shape'}: \`{ "Operator": { "key": value | [values] } }\``,
        path: at,
      };
    }
    return {
      code: 'invalid_type',
      message: `${e.instancePath.split('/').pop() || 'the value'} ${e.message ?? 'has the wrong type'}`,
      path: at,
    };
  });
}

/** Checks the document level. */
export function checkDocumentShape(input: unknown, base: string): Issue<PolicyErrorCode>[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ code: 'invalid_policy', message: 'a policy must be a JSON object', path: base }];
  }
  return validateDocumentShape(input) ? [] : toIssues(validateDocumentShape.errors, base);
}

/** Checks one statement. */
export function checkStatementShape(input: unknown, base: string): Issue<PolicyErrorCode>[] {
  return validateStatementShape(input) ? [] : toIssues(validateStatementShape.errors, base);
}
