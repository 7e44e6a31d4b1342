/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 uses) of every request body, query and answer. The
 * validator (validate.ts) and the OpenAPI document (openapi.ts) both read them from here, so
 * the documentation cannot drift from what is enforced.
 *
 * The simulation case schema checks the structure only; the policy parser owns the policy
 * language and answers its own errors with JSON pointers, exactly as `leastpriv simulate` does.
 */

/** A JSON Schema, as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A `$ref` to a named schema of this module (resolved through `components/schemas`). */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The largest batch `POST /v1/simulate` takes. */
export const MAX_BATCH = 1000;

const scalar = { type: ['string', 'number', 'boolean'] };

const policyDocument: JsonSchema = {
  description:
    'an IAM policy document as written; the policy parser reports its errors with JSON pointers',
  type: ['object', 'string'],
};

const policyLevels: JsonSchema = {
  description: 'levels from the organization root down, each a list of policies',
  type: 'array',
  items: { anyOf: [{ type: 'array', items: policyDocument }, policyDocument] },
};

/** Every named schema. */
export const SCHEMAS = {
  AuthorizationRequest: {
    type: 'object',
    required: ['principal', 'action', 'resource'],
    properties: {
      principal: { type: 'string', minLength: 1, description: 'the ARN of the caller' },
      action: { type: 'string', minLength: 1, description: 'service:Action' },
      resource: { type: 'string', minLength: 1, description: 'a resource ARN, or *' },
      resourceAccount: { type: 'string', pattern: '^\\d{12}$' },
      context: {
        type: 'object',
        additionalProperties: { anyOf: [scalar, { type: 'array', items: scalar }] },
      },
    },
  },
  SimulationCase: {
    type: 'object',
    description: 'one case of `leastpriv simulate` (see docs/simulate.md)',
    required: ['request', 'identityPolicies'],
    properties: {
      id: { type: 'string' },
      request: ref('AuthorizationRequest'),
      identityPolicies: { type: 'array', items: policyDocument },
      permissionBoundary: policyDocument,
      sessionPolicy: policyDocument,
      serviceControlPolicies: policyLevels,
      resourceControlPolicies: policyLevels,
      resourcePolicy: policyDocument,
    },
  },
  SimulationBatch: {
    type: 'object',
    required: ['cases'],
    additionalProperties: false,
    properties: {
      cases: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: ref('SimulationCase') },
    },
  },
  SimulateBody: {
    description: 'one case, or `{ "cases": [...] }` (a batch of up to 1,000)',
    if: { type: 'object', required: ['cases'], properties: { cases: true } },
    then: ref('SimulationBatch'),
    else: ref('SimulationCase'),
  },
  SimulateQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      brief: {
        enum: ['true', 'false'],
        description: 'omit the per-statement explanation (decisive statements are kept)',
      },
    },
  },
  SimulationAnswer: {
    type: 'object',
    description:
      'the decision and its explanation, or the error (code, message, JSON pointer) of a case that cannot be evaluated',
    properties: {
      id: { type: 'string' },
      decision: { enum: ['allow', 'explicit-deny', 'implicit-deny'] },
      explanation: { type: 'object' },
      error: ref('Issue'),
      errors: { type: 'array', items: ref('Issue') },
      warnings: { type: 'array', items: ref('Issue') },
    },
  },
  SimulationBatchAnswer: {
    type: 'object',
    required: ['answers'],
    properties: { answers: { type: 'array', items: ref('SimulationAnswer') } },
  },
  AnalysisRequest: {
    type: 'object',
    required: ['snapshot'],
    additionalProperties: false,
    properties: {
      snapshot: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
        description: 'the name of a snapshot directory under DATA/snapshots/',
      },
      asOf: {
        type: 'string',
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: "the window's last day (default: the snapshot's collectedAt, else today)",
      },
      windowDays: { type: 'integer', minimum: 1, maximum: 400, description: 'default 90' },
    },
  },
  Job: {
    type: 'object',
    required: ['id', 'status', 'snapshot', 'createdAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { enum: ['queued', 'running', 'succeeded', 'failed'] },
      snapshot: { type: 'string' },
      asOf: { type: 'string' },
      windowDays: { type: 'integer' },
      createdAt: { type: 'string', format: 'date-time' },
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      phase: { type: 'string', description: 'the phase a running analysis is in' },
      error: { type: 'string', description: 'why a failed job failed' },
      result: {
        type: 'object',
        description: "the report's summary and the time each phase took",
        properties: {
          asOf: { type: 'string' },
          windowDays: { type: 'integer' },
          summary: { type: 'object' },
          phases: { type: 'array', items: { type: 'object' } },
        },
      },
      reports: {
        type: 'object',
        description: 'the URL of the report in each format, once the job succeeded',
        additionalProperties: { type: 'string' },
      },
    },
  },
  Issue: {
    type: 'object',
    required: ['code', 'message', 'path'],
    properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          details: {
            type: 'array',
            items: {
              type: 'object',
              required: ['path', 'message'],
              properties: { path: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { enum: ['ok', 'starting', 'stopping'] } },
  },
} as const satisfies Record<string, JsonSchema>;

/** The name of a schema. */
export type SchemaName = keyof typeof SCHEMAS;
