/**
 * What one call (or several identical calls) means for usage: the rules that decide what counts as
 * using a permission (not sign-ins, not AWS acting alone, not unmapped pairs), what is a denied
 * attempt, and who the person was. Both ingest engines apply these same rules: the Node engine per
 * record, the DuckDB engine once per distinct call.
 */
import type { Actor } from './cloudtrail/principal.js';
import type { EventMapping } from './cloudtrail/to-action.js';

/** Error codes that mean the call was refused by authorization: a denied attempt, not usage. */
const DENIED =
  /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|Client\.UnauthorizedOperation|UnauthorizedAccess|NotAuthorized|AuthorizationError|Forbidden)$/;

/** A call as the rules see it. */
export interface Call {
  readonly eventType: string | null | undefined;
  readonly errorCode: string | null | undefined;
  readonly actor: Actor;
  readonly mapping: EventMapping;
  /** The request parameters; undefined when unknown (then parameter-bound actions count). */
  readonly parameters: unknown;
}

/** The meaning of a call. */
export type Verdict =
  /** Not a use of any permission of ours (`reason` is the ingest summary's skip reason). */
  | { readonly kind: 'skip'; readonly reason: string }
  /** The (eventSource, eventName) maps to no catalog action. */
  | { readonly kind: 'unmapped'; readonly reason: string }
  /** Refused by authorization: the principal tried these actions. */
  | {
      readonly kind: 'denied';
      readonly principal: string;
      readonly actions: readonly string[];
      readonly errorCode: string;
    }
  /** The principal used these actions; `person` is who was behind the session, when known. */
  | {
      readonly kind: 'usage';
      readonly principal: string;
      readonly actions: readonly string[];
      /** Of `actions`, those the call needs only because of a parameter (`iam:PassRole`). */
      readonly parameterBound?: readonly string[];
      readonly person?: string;
    };

/**
 * The version of the rules below and of `resolveActor`: raise it when a change gives a call
 * another verdict, so stores that keep calls judge them again.
 */
export const RULES_VERSION = 1;

/** Decides what a call means. */
export function judgeCall(call: Call): Verdict {
  // Sign-ins and events AWS emits on its own are not uses of a permission.
  if (call.eventType === 'AwsConsoleSignIn') return { kind: 'skip', reason: 'console_sign_in' };
  if (call.eventType === 'AwsServiceEvent') return { kind: 'skip', reason: 'aws_service_event' };
  const principal = call.actor.principal;
  if (!principal) return { kind: 'skip', reason: call.actor.unattributed ?? 'unknown_identity' };
  const mapping = call.mapping;
  if (!mapping.ok) return { kind: 'unmapped', reason: mapping.reason };
  if (call.errorCode && DENIED.test(call.errorCode))
    return { kind: 'denied', principal, actions: mapping.actions, errorCode: call.errorCode };
  // Actions a call needs only with some parameter (iam:PassRole when a role is passed) count
  // when the parameter is there, or when the record does not say (better kept than lost).
  const conditional = (mapping.conditional ?? [])
    .filter((c) => hasParameter(call.parameters, c.when) !== false)
    .map((c) => c.action);
  return {
    kind: 'usage',
    principal,
    actions: [...mapping.actions, ...conditional],
    ...(conditional.length > 0 ? { parameterBound: conditional } : {}),
    ...(call.actor.person ? { person: call.actor.person } : {}),
  };
}

/**
 * Whether the request parameters hold a dotted path (`iamInstanceProfile`, `a.b.roleArn`), with
 * names compared case-insensitively (CloudTrail camel-cases what the API spells in Pascal case);
 * undefined when the record carries no parameters at all. A parameter that is a list counts
 * when any element holds the rest of the path.
 */
export function hasParameter(parameters: unknown, when: string): boolean | undefined {
  if (parameters === null || parameters === undefined || typeof parameters !== 'object')
    return undefined;
  // `when` may list alternatives: `IamInstanceProfile.Arn or LaunchTemplate.LaunchTemplateId`.
  return when.split(' or ').some((path) => hasPath(parameters, path.trim()));
}

function hasPath(parameters: object, path: string): boolean {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return false;
  const key = Object.keys(parameters).find((k) => k.toLowerCase() === head.toLowerCase());
  if (key === undefined) return false;
  const value = (parameters as Record<string, unknown>)[key];
  if (value === null || value === undefined) return false;
  if (rest.length === 0) return true;
  const children = Array.isArray(value) ? value : [value];
  return children.some(
    (c) => c !== null && typeof c === 'object' && hasPath(c as object, rest.join('.')),
  );
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * The IAM role ARNs a call's request parameters name (the role `iam:PassRole` passes: Lambda's
 * `role`, ECS's `taskRoleArn`, …), at any depth, at most 8.
 */
export function roleArnsIn(parameters: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, depth: number): void => {
    if (found.size >= 8 || depth > 6) return;
    if (typeof value === 'string') {
      if (ROLE_ARN.test(value)) found.add(value);
    } else if (Array.isArray(value)) for (const v of value) walk(v, depth + 1);
    else if (value !== null && typeof value === 'object')
      for (const v of Object.values(value)) walk(v, depth + 1);
  };
  walk(parameters, 0);
  return [...found].sort();
}
