/**
 * The authorization request and its context. Context keys are case-insensitive; values are
 * strings or lists of strings (multivalued keys).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { parseArn } from './arn.js';
import { isServiceLinkedRole, parseRequestPrincipal, type RequestPrincipal } from './principal.js';
import { pointer, type Issue } from '../result.js';

/** A request as callers give it. */
export interface AuthorizationRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount?: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** Read access to the request context by lower-cased key. */
export interface RequestContext {
  /** The values of a key, or `undefined` when the key is missing. */
  get(lowerKey: string): readonly string[] | undefined;
  /** True when the key was given as a list. */
  isMultiValued(lowerKey: string): boolean;
}

/** A request checked and ready for evaluation. */
export interface PreparedRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly lowerAction: string;
  readonly service: string;
  readonly resource: string;
  readonly resourceAccount: string | undefined;
  readonly principalAccount: string | undefined;
  readonly crossAccount: boolean;
  readonly serviceLinkedRole: boolean;
  readonly context: RequestContext;
}

const PRINCIPAL_TYPE: Readonly<Record<RequestPrincipal['type'], string | undefined>> = {
  user: 'User',
  role: 'AssumedRole',
  'assumed-role': 'AssumedRole',
  'federated-user': 'FederatedUser',
  root: 'Account',
  service: undefined,
};

/**
 * Parsed principals, memoized: a batch names the same few principals again and again
 * (bench/evaluate.bench.ts: parsing was a tenth of a decision). Bounded so memory stays flat.
 */
const principalCache = new Map<string, RequestPrincipal | undefined>();
function cachedPrincipal(text: string): RequestPrincipal | undefined {
  if (principalCache.has(text)) return principalCache.get(text);
  const parsed = parseRequestPrincipal(text);
  if (principalCache.size >= 10_000) principalCache.clear();
  principalCache.set(text, parsed);
  return parsed;
}

/** `aws:CurrentTime` and `aws:EpochTime` of the last clock reading (formatting a date is slow). */
let lastClock: { ms: number; currentTime: string; epochTime: string } | undefined;
function clockKeys(now: Date): { currentTime: string; epochTime: string } {
  const ms = now.getTime();
  if (lastClock?.ms !== ms) {
    lastClock = {
      ms,
      currentTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      epochTime: String(Math.floor(ms / 1000)),
    };
  }
  return lastClock;
}

/** The account segment of an ARN ('' when empty, as for S3), or `undefined` when the text is not an ARN. */
function arnAccountOf(text: string): string | undefined {
  return parseArn(text)?.account;
}

/** Lower-cased context key names, memoized: the same few keys recur in every request. */
const lowerKeys = new Map<string, string>();
function lowerKey(key: string): string {
  let lower = lowerKeys.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (lowerKeys.size >= 10_000) lowerKeys.clear();
    lowerKeys.set(key, lower);
  }
  return lower;
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A request context over plain values (keys are lower-cased here). */
export function contextOf(
  values: Readonly<Record<string, string | readonly string[]>>,
): RequestContext {
  const entries = new Map<string, { values: readonly string[]; multi: boolean }>();
  for (const [key, value] of Object.entries(values)) {
    entries.set(
      key.toLowerCase(),
      typeof value === 'string'
        ? { values: [value], multi: false }
        : { values: value, multi: true },
    );
  }
  return {
    get: (k) => entries.get(k)?.values,
    isMultiValued: (k) => entries.get(k)?.multi ?? false,
  };
}

/** Options for preparing a request: the clock is injectable so tests are deterministic. */
export interface PrepareOptions {
  readonly now?: Date;
}

/** Checks a request and derives the principal keys AWS always sets. `path` points at the request. */
export function prepareRequest(
  request: AuthorizationRequest,
  path = '/request',
  options: PrepareOptions = {},
): { ok: true; value: PreparedRequest } | { ok: false; errors: Issue[] } {
  const errors: Issue[] = [];
  const principal =
    typeof request.principal === 'string' ? cachedPrincipal(request.principal) : undefined;
  if (!principal) {
    errors.push({
      code: 'invalid_request',
      message: `\`${String(request.principal)}\` is not a user, role, assumed-role session, federated user, account root or service principal`,
      path: `${path}/principal`,
    });
  }
  const action = request.action;
  if (typeof action !== 'string' || !/^[A-Za-z0-9-]+:[A-Za-z0-9_.-]+$/.test(action)) {
    errors.push({
      code: 'invalid_request',
      message: `\`${String(action)}\` is not an action of the form \`service:Action\``,
      path: `${path}/action`,
    });
  }
  const resource = request.resource;
  const arnAccount =
    typeof resource === 'string' && resource !== '*' ? arnAccountOf(resource) : undefined;
  if (typeof resource !== 'string' || (resource !== '*' && arnAccount === undefined)) {
    errors.push({
      code: 'invalid_request',
      message: `\`${String(resource)}\` is not an ARN or \`*\``,
      path: `${path}/resource`,
    });
  }
  if (
    request.resourceAccount !== undefined &&
    (typeof request.resourceAccount !== 'string' || !/^\d{12}$/.test(request.resourceAccount))
  ) {
    errors.push({
      code: 'invalid_request',
      message: `\`${String(request.resourceAccount)}\` is not a 12-digit account id`,
      path: `${path}/resourceAccount`,
    });
  }
  const entries = new Map<string, { values: readonly string[]; multi: boolean }>();
  const given = request.context ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    errors.push({
      code: 'invalid_request',
      message: 'context must be an object of strings or lists of strings',
      path: `${path}/context`,
    });
  } else {
    for (const key in given) {
      const value: unknown = given[key];
      // Strings are the contract; numbers and booleans are read as their JSON text.
      if (typeof value === 'string') entries.set(lowerKey(key), { values: [value], multi: false });
      else if (isScalar(value))
        entries.set(lowerKey(key), { values: [String(value)], multi: false });
      else if (Array.isArray(value) && value.every(isScalar))
        entries.set(lowerKey(key), { values: value.map(String), multi: true });
      else
        errors.push({
          code: 'invalid_request',
          message: `context key \`${key}\` must be a string or a list of strings`,
          path: pointer(`${path}/context`, key),
        });
    }
  }
  if (errors.length > 0 || !principal) return { ok: false, errors };

  const principalAccount = principal.type === 'service' ? undefined : principal.account;
  const resourceAccount = request.resourceAccount ?? (arnAccount || undefined) ?? principalAccount;
  const derive = (key: string, value: string | undefined): void => {
    if (value !== undefined && !entries.has(key))
      entries.set(key, { values: [value], multi: false });
  };
  if (principal.type !== 'service') {
    derive(
      'aws:principalarn',
      principal.type === 'assumed-role' ? principal.roleArn : principal.arn,
    );
    derive('aws:principalaccount', principal.account);
    derive('aws:principaltype', PRINCIPAL_TYPE[principal.type]);
    derive('aws:principalisawsservice', 'false');
    if (principal.type === 'user') derive('aws:username', principal.name);
  } else {
    derive('aws:principalisawsservice', 'true');
    derive('aws:principalservicename', principal.service);
  }
  derive('aws:resourceaccount', resourceAccount);
  const now = options.now ?? new Date();
  const clock = clockKeys(now);
  derive('aws:currenttime', clock.currentTime);
  derive('aws:epochtime', clock.epochTime);

  const context: RequestContext = {
    get: (k) => entries.get(k)?.values,
    isMultiValued: (k) => entries.get(k)?.multi ?? false,
  };
  const lowerAction = (action as string).toLowerCase();
  return {
    ok: true,
    value: {
      principal,
      action: action as string,
      lowerAction,
      service: lowerAction.slice(0, lowerAction.indexOf(':')),
      resource: resource as string,
      resourceAccount,
      principalAccount,
      crossAccount:
        principalAccount !== undefined &&
        resourceAccount !== undefined &&
        principalAccount !== resourceAccount,
      serviceLinkedRole: isServiceLinkedRole(principal),
      context,
    },
  };
}
