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

/** The pattern of a snapshot name (a directory under DATA/snapshots/). */
export const SNAPSHOT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

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
        pattern: SNAPSHOT_NAME_PATTERN,
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
      kind: {
        enum: ['monthly'],
        description: 'a job of the monthly run (absent: queued over HTTP)',
      },
      estate: { type: 'string', description: 'the estate a monthly job reports on' },
      month: { type: 'string', description: 'the month (YYYY-MM) a monthly job reports on' },
      previous: {
        type: 'string',
        description: 'the previous report (relative to DATA) its scores are compared with',
      },
      db: { type: 'string', description: 'its usage store, relative to DATA' },
      usageBase: {
        type: 'string',
        description: 'the copy of the usage store a monthly job starts from, relative to DATA',
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
  SnapshotParts: {
    type: 'object',
    description:
      'a snapshot as JSON parts: `files` maps each path of the snapshot directory (docs/snapshot.md) to its content — a string (written as text, e.g. credential-report.csv), `{ "base64": … }` (bytes, e.g. a .json.gz CloudTrail file) or any other JSON value (written as JSON)',
    required: ['files'],
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        pattern: SNAPSHOT_NAME_PATTERN,
        description: 'default: a fresh name',
      },
      files: {
        type: 'object',
        minProperties: 1,
        propertyNames: { maxLength: 1024 },
        additionalProperties: true,
      },
    },
  },
  SnapshotUploadQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        pattern: SNAPSHOT_NAME_PATTERN,
        description: 'the name of an uploaded tar.gz (default: a fresh name)',
      },
    },
  },
  Snapshot: {
    type: 'object',
    required: ['id', 'createdAt', 'accounts', 'hasOrganization', 'hasCloudTrail', 'source'],
    properties: {
      id: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      collectedAt: { type: 'string' },
      accounts: { type: 'array', items: { type: 'string' } },
      hasOrganization: { type: 'boolean' },
      hasCloudTrail: { type: 'boolean' },
      source: {
        enum: ['upload', 'directory'],
        description: '`directory`: placed under DATA/snapshots/ by hand or by the monthly job',
      },
      latestAnalysis: {
        type: 'object',
        description: 'the latest succeeded analysis of the snapshot',
        properties: { id: { type: 'string' }, asOf: { type: 'string' } },
      },
    },
  },
  SnapshotList: {
    type: 'object',
    required: ['snapshots'],
    properties: { snapshots: { type: 'array', items: ref('Snapshot') } },
  },
  SnapshotUpload: {
    type: 'object',
    required: ['snapshot', 'files', 'bytes', 'principals', 'issues'],
    properties: {
      snapshot: ref('Snapshot'),
      files: { type: 'integer' },
      bytes: { type: 'integer' },
      principals: { type: 'integer' },
      skipped: {
        type: 'array',
        description: 'hidden files of the archive left out (.DS_Store, .leastpriv/…)',
        items: { type: 'string' },
      },
      issues: {
        type: 'array',
        description: 'problems reading the snapshot (the analysis goes on without those parts)',
        items: ref('Issue'),
      },
    },
  },
  PrincipalsQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kind: { enum: ['human', 'machine'] },
      unusedFor: {
        type: 'string',
        pattern: '^\\d{1,4}d?$',
        description:
          'e.g. `90d`: no activity in the 90 days up to as-of (the latest analysis, else the snapshot), and created before them',
      },
      service: {
        type: 'string',
        pattern: '^[a-z0-9-]+(,[a-z0-9-]+)*$',
        description: 'service prefixes (`s3,kms`): principals that may use any of them',
      },
      account: { type: 'string', pattern: '^\\d{12}$' },
      limit: { type: 'string', pattern: '^\\d{1,4}$', description: '1 to 1000 (default 100)' },
      cursor: {
        type: 'string',
        maxLength: 2048,
        description: 'the nextCursor of the previous page',
      },
    },
  },
  PrincipalPage: {
    type: 'object',
    required: ['asOf', 'activitySource', 'total', 'principals'],
    properties: {
      asOf: { type: 'string' },
      activitySource: {
        enum: ['analysis', 'snapshot'],
        description:
          '`analysis`: last activity from the latest analysis (CloudTrail, Access Advisor, RoleLastUsed, credential report); `snapshot`: RoleLastUsed and the credential report only',
      },
      analysis: { type: 'string' },
      total: { type: 'integer', description: 'principals matching the filters, over all pages' },
      nextCursor: { type: 'string' },
      principals: {
        type: 'array',
        items: {
          type: 'object',
          required: ['arn', 'name', 'account', 'type', 'kind', 'services', 'allowedActions'],
          properties: {
            arn: { type: 'string' },
            name: { type: 'string' },
            account: { type: 'string' },
            type: { enum: ['user', 'role'] },
            kind: { enum: ['human', 'machine'] },
            kindReason: { type: 'string' },
            createDate: { type: 'string' },
            lastActivity: { type: 'string' },
            daysSinceActivity: { type: 'integer' },
            services: { type: 'integer', description: 'services it may use' },
            allowedActions: { type: 'integer', description: 'catalog actions it may be allowed' },
            adminEquivalent: { type: 'boolean' },
            serviceLinked: { type: 'boolean' },
            score: { type: 'object', description: 'from the latest analysis' },
            hasRecommendation: { type: 'boolean' },
          },
        },
      },
    },
  },
  EffectivePermissionsQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      action: {
        type: 'string',
        pattern: '^[A-Za-z0-9*?-]+(:[A-Za-z0-9_.*?-]+)?$',
        description: 'only the actions this pattern covers (`s3:Get*`)',
      },
    },
  },
  EffectivePermissions: {
    type: 'object',
    description:
      'the `leastpriv permissions --format json` entry of the principal, and its summary',
    required: ['arn', 'kind', 'actions', 'summary'],
    properties: {
      arn: { type: 'string' },
      account: { type: 'string' },
      type: { enum: ['user', 'role'] },
      kind: { enum: ['human', 'machine'] },
      kindReason: { type: 'string' },
      catalogVersion: { type: 'string' },
      summary: { type: 'object' },
      actions: { type: 'array', items: { type: 'object' } },
    },
  },
  RecommendationQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      analysis: {
        type: 'string',
        format: 'uuid',
        description: 'an analysis of this snapshot (default: the latest that succeeded)',
      },
    },
  },
  RecommendationAnswer: {
    type: 'object',
    required: ['analysis', 'asOf', 'windowDays', 'arn', 'score', 'recommendation', 'findings'],
    properties: {
      analysis: { type: 'string' },
      asOf: { type: 'string' },
      windowDays: { type: 'integer' },
      arn: { type: 'string' },
      account: { type: 'string' },
      kind: { enum: ['human', 'machine'] },
      lastActivity: { type: 'string' },
      score: { type: 'object' },
      unusedRisks: { type: 'array', items: { type: 'string' } },
      recommendation: {
        type: ['object', 'null'],
        description:
          'the proven rewrite (docs/report-schema.json `Recommendation`), null when nothing is to be removed',
      },
      findings: { type: 'array', items: { type: 'object' } },
    },
  },
  WhoCanQuery: {
    type: 'object',
    required: ['action', 'resource'],
    additionalProperties: false,
    properties: {
      action: { type: 'string', pattern: '^[A-Za-z0-9-]+:[A-Za-z0-9_.-]+$' },
      resource: { type: 'string', minLength: 1, maxLength: 2048 },
    },
  },
  WhoCan: {
    type: 'object',
    description: 'the `leastpriv who-can --format json` answer',
    required: ['action', 'resource', 'principals'],
    properties: {
      action: { type: 'string' },
      resource: { type: 'string' },
      resourceAccount: { type: 'string' },
      principals: { type: 'array', items: { type: 'object' } },
    },
  },
  ReportsQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'as-of on or after' },
      to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'as-of on or before' },
      snapshot: { type: 'string', pattern: SNAPSHOT_NAME_PATTERN },
      estate: { type: 'string', pattern: SNAPSHOT_NAME_PATTERN },
    },
  },
  ReportList: {
    type: 'object',
    required: ['reports'],
    properties: {
      reports: {
        type: 'array',
        description: 'the reports of succeeded analyses, by as-of then finish time',
        items: {
          type: 'object',
          required: ['id', 'snapshot', 'asOf', 'windowDays', 'finishedAt', 'links'],
          properties: {
            id: { type: 'string' },
            snapshot: { type: 'string' },
            estate: { type: 'string' },
            month: { type: 'string' },
            asOf: { type: 'string' },
            windowDays: { type: 'integer' },
            finishedAt: { type: 'string' },
            summary: { type: 'object' },
            links: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
  },
} as const satisfies Record<string, JsonSchema>;

/** The name of a schema. */
export type SchemaName = keyof typeof SCHEMAS;
