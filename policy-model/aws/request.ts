/**
 * The authorization request and its context. Context keys are case-insensitive; values are
 * strings or lists of strings (multivalued keys).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { parseArn } from './arn.js';
import { isServiceLinkedRole, parseRequestPrincipal, type RequestPrincipal } from './principal.js';
import type { Issue } from '../result.js';

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
    typeof request.principal === 'string' ? parseRequestPrincipal(request.principal) : undefined;
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
  const resourceArn = typeof resource === 'string' ? parseArn(resource) : undefined;
  if (typeof resource !== 'string' || (resource !== '*' && !resourceArn)) {
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
    for (const [key, value] of Object.entries(given)) {
      if (typeof value === 'string')
        entries.set(key.toLowerCase(), { values: [value], multi: false });
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        entries.set(key.toLowerCase(), { values: value, multi: true });
      else
        errors.push({
          code: 'invalid_request',
          message: `context key \`${key}\` must be a string or a list of strings`,
          path: `${path}/context/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        });
    }
  }
  if (errors.length > 0 || !principal) return { ok: false, errors };

  const principalAccount = principal.type === 'service' ? undefined : principal.account;
  const arnAccount = resourceArn?.account || undefined;
  const resourceAccount = request.resourceAccount ?? arnAccount ?? principalAccount;
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
  derive('aws:currenttime', now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  derive('aws:epochtime', String(Math.floor(now.getTime() / 1000)));

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
