/**
 * The simulation case: the public JSON contract of `leastpriv simulate` and `POST /v1/simulate`.
 * A case holds one request and the policies that take part; the answer is the decision and its
 * explanation, or the first error with its JSON pointer.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { Issue } from '../result.js';
import { evaluate, type Explanation, type PolicySet } from './evaluate.js';
import type { Decision } from './decide.js';
import { parsePolicy } from './parse.js';
import type { Policy, PolicyKind } from './policy.js';
import { prepareRequest, type AuthorizationRequest, type PrepareOptions } from './request.js';

/** A simulation case as written. */
export interface SimulationCase {
  readonly id?: string;
  readonly request: AuthorizationRequest;
  readonly identityPolicies: readonly unknown[];
  readonly permissionBoundary?: unknown;
  readonly sessionPolicy?: unknown;
  readonly serviceControlPolicies?: readonly (readonly unknown[])[];
  readonly resourceControlPolicies?: readonly (readonly unknown[])[];
  readonly resourcePolicy?: unknown;
}

/** The answer to one case. Extended only by adding fields. */
export type SimulationAnswer =
  | {
      readonly id?: string;
      readonly decision: Decision;
      readonly explanation: Explanation;
      readonly warnings?: readonly Issue[];
    }
  | {
      readonly id?: string;
      readonly error: Issue;
      readonly errors: readonly Issue[];
      readonly warnings?: readonly Issue[];
    };

/** Options for simulation: the catalog (for warnings and RCP scope), the clock, explanation detail. */
export interface SimulateOptions extends PrepareOptions {
  readonly catalog?: Catalog;
  readonly explain?: boolean;
}

const KNOWN_FIELDS = new Set([
  'id',
  'request',
  'identityPolicies',
  'permissionBoundary',
  'sessionPolicy',
  'serviceControlPolicies',
  'resourceControlPolicies',
  'resourcePolicy',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a case into a prepared request and a compiled policy set. */
export function parseSimulationCase(
  input: unknown,
  options: SimulateOptions = {},
):
  | {
      ok: true;
      id: string | undefined;
      request: ReturnType<typeof prepareRequest> & { ok: true };
      set: PolicySet;
      warnings: Issue[];
    }
  | { ok: false; id: string | undefined; errors: Issue[]; warnings: Issue[] } {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  if (!isObject(input))
    return {
      ok: false,
      id: undefined,
      errors: [{ code: 'invalid_case', message: 'a case must be a JSON object', path: '' }],
      warnings,
    };
  const id = typeof input['id'] === 'string' ? input['id'] : undefined;
  const invalid = (path: string, message: string): void => {
    errors.push({ code: 'invalid_case', message, path });
  };
  if (input['id'] !== undefined && typeof input['id'] !== 'string')
    invalid('/id', '`id` must be a string');
  // Unknown fields are tolerated (callers may carry their own metadata) but flagged, so that a
  // misspelt `permissionsBoundary` does not pass unnoticed.
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key))
      warnings.push({
        code: 'unknown_case_field',
        message: `\`${key}\` is not a field of a simulation case and was ignored`,
        path: `/${key}`,
      });
  }

  const compile = (doc: unknown, kind: PolicyKind, path: string): Policy | undefined => {
    const parsed = parsePolicy(doc, {
      kind,
      path,
      ...(options.catalog ? { catalog: options.catalog } : {}),
    });
    warnings.push(...parsed.warnings);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      return undefined;
    }
    return parsed.value;
  };
  const compileLevels = (
    value: unknown,
    kind: 'scp' | 'rcp',
    path: string,
  ): Policy[][] | undefined => {
    if (!Array.isArray(value)) {
      invalid(path, 'policy levels must be a list of levels (root first), each a list of policies');
      return undefined;
    }
    return value.map((level: unknown, i) => {
      const docs = Array.isArray(level) ? level : [level];
      return docs.flatMap(
        (doc: unknown, j) =>
          compile(doc, kind, Array.isArray(level) ? `${path}/${i}/${j}` : `${path}/${i}`) ?? [],
      );
    });
  };

  let request: ReturnType<typeof prepareRequest> | undefined;
  if (input['request'] === undefined) invalid('', '`request` is required');
  else if (!isObject(input['request'])) invalid('/request', '`request` must be an object');
  else
    request = prepareRequest(
      input['request'] as unknown as AuthorizationRequest,
      '/request',
      options,
    );
  if (request && !request.ok) errors.push(...request.errors);

  const identity: Policy[] = [];
  if (input['identityPolicies'] === undefined)
    invalid('', '`identityPolicies` is required (it may be an empty list)');
  else if (!Array.isArray(input['identityPolicies']))
    invalid('/identityPolicies', '`identityPolicies` must be a list of policies');
  else
    input['identityPolicies'].forEach((doc: unknown, i) => {
      const p = compile(doc, 'identity', `/identityPolicies/${i}`);
      if (p) identity.push(p);
    });
  const boundary =
    input['permissionBoundary'] === undefined
      ? undefined
      : compile(input['permissionBoundary'], 'boundary', '/permissionBoundary');
  const session =
    input['sessionPolicy'] === undefined
      ? undefined
      : compile(input['sessionPolicy'], 'session', '/sessionPolicy');
  const resource =
    input['resourcePolicy'] === undefined
      ? undefined
      : compile(input['resourcePolicy'], 'resource', '/resourcePolicy');
  const scpLevels =
    input['serviceControlPolicies'] === undefined
      ? undefined
      : compileLevels(input['serviceControlPolicies'], 'scp', '/serviceControlPolicies');
  const rcpLevels =
    input['resourceControlPolicies'] === undefined
      ? undefined
      : compileLevels(input['resourceControlPolicies'], 'rcp', '/resourceControlPolicies');

  if (errors.length > 0 || !request || !request.ok) return { ok: false, id, errors, warnings };
  const set: PolicySet = {
    identity,
    ...(boundary ? { boundary } : {}),
    ...(session ? { session } : {}),
    ...(resource ? { resource } : {}),
    ...(scpLevels ? { scpLevels } : {}),
    ...(rcpLevels ? { rcpLevels } : {}),
  };
  return { ok: true, id, request, set, warnings };
}

/** Answers one case. Never throws for bad input: the answer carries the error instead. */
export function simulate(input: unknown, options: SimulateOptions = {}): SimulationAnswer {
  const parsed = parseSimulationCase(input, options);
  const idPart = parsed.id !== undefined ? { id: parsed.id } : {};
  const warningsPart = parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {};
  if (!parsed.ok)
    return { ...idPart, error: parsed.errors[0]!, errors: parsed.errors, ...warningsPart };
  const result = evaluate(parsed.request.value, parsed.set, {
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.explain !== undefined ? { explain: options.explain } : {}),
  });
  return { ...idPart, decision: result.decision, explanation: result.explanation, ...warningsPart };
}
