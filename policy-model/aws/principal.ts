/**
 * Principals: who makes a request, and the `Principal` / `NotPrincipal` elements that name them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
import { isAccountId, parseArn } from './arn.js';

/** The identity behind a request. */
export type RequestPrincipal =
  | {
      readonly type: 'user';
      readonly arn: string;
      readonly partition: string;
      readonly account: string;
      readonly name: string;
    }
  | {
      readonly type: 'role';
      readonly arn: string;
      readonly partition: string;
      readonly account: string;
      readonly roleName: string;
      readonly rolePath: string;
    }
  | {
      readonly type: 'assumed-role';
      readonly arn: string;
      readonly partition: string;
      readonly account: string;
      readonly roleName: string;
      readonly sessionName: string;
      readonly roleArn: string;
    }
  | {
      readonly type: 'federated-user';
      readonly arn: string;
      readonly partition: string;
      readonly account: string;
      readonly name: string;
    }
  | {
      readonly type: 'root';
      readonly arn: string;
      readonly partition: string;
      readonly account: string;
    }
  | { readonly type: 'service'; readonly arn: string; readonly service: string };

/** Parses the request's principal ARN (or a service principal name such as `lambda.amazonaws.com`). */
export function parseRequestPrincipal(text: string): RequestPrincipal | undefined {
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(text))
    return { type: 'service', arn: text, service: text };
  const arn = parseArn(text);
  if (!arn || !isAccountId(arn.account) || arn.region !== '') return undefined;
  const { partition, account, resource } = arn;
  if (arn.service === 'iam') {
    if (resource === 'root') return { type: 'root', arn: text, partition, account };
    const user = /^user\/(?:(.*)\/)?([^/]+)$/.exec(resource);
    if (user) return { type: 'user', arn: text, partition, account, name: user[2]! };
    const role = /^role\/(?:(.*)\/)?([^/]+)$/.exec(resource);
    if (role) {
      const rolePath = role[1] === undefined ? '/' : `/${role[1]}/`;
      return { type: 'role', arn: text, partition, account, roleName: role[2]!, rolePath };
    }
    return undefined;
  }
  if (arn.service === 'sts') {
    const session = /^assumed-role\/([^/]+)\/([^/]+)$/.exec(resource);
    if (session) {
      const roleName = session[1]!;
      const roleArn = `arn:${partition}:iam::${account}:role/${roleName}`;
      return {
        type: 'assumed-role',
        arn: text,
        partition,
        account,
        roleName,
        sessionName: session[2]!,
        roleArn,
      };
    }
    const federated = /^federated-user\/([^/]+)$/.exec(resource);
    if (federated)
      return { type: 'federated-user', arn: text, partition, account, name: federated[1]! };
  }
  return undefined;
}

/**
 * Service-linked roles are exempt from SCPs: their path is `/aws-service-role/` and their names
 * start with `AWSServiceRoleFor`.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export function isServiceLinkedRole(p: RequestPrincipal): boolean {
  if (p.type === 'role')
    return (
      p.rolePath.startsWith('/aws-service-role/') || p.roleName.startsWith('AWSServiceRoleFor')
    );
  if (p.type === 'assumed-role') return p.roleName.startsWith('AWSServiceRoleFor');
  return false;
}

/** One value of a `Principal` element, normalized. */
export type PrincipalPattern =
  | { readonly kind: 'everyone'; readonly text: string }
  | { readonly kind: 'account'; readonly text: string; readonly account: string }
  | {
      readonly kind: 'user';
      readonly text: string;
      readonly account: string;
      readonly name: string;
    }
  | {
      readonly kind: 'role';
      readonly text: string;
      readonly account: string;
      readonly roleName: string;
    }
  | {
      readonly kind: 'session';
      readonly text: string;
      readonly account: string;
      readonly roleName: string;
      readonly sessionName: string;
    }
  | {
      readonly kind: 'federated-user';
      readonly text: string;
      readonly account: string;
      readonly name: string;
    }
  | { readonly kind: 'service'; readonly text: string; readonly service: string }
  | { readonly kind: 'federated'; readonly text: string }
  | { readonly kind: 'canonical-user'; readonly text: string }
  | { readonly kind: 'unique-id'; readonly text: string };

/** Parses one `AWS` principal value (account id, `:root`, user, role, session or federated user ARN, `*`). */
export function parseAwsPrincipal(text: string): PrincipalPattern | undefined {
  if (text === '*') return { kind: 'everyone', text };
  if (isAccountId(text)) return { kind: 'account', text, account: text };
  // AWS replaces a deleted principal by its unique id (AIDA… user, AROA… role) in stored policies.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  if (/^A(IDA|ROA|GPA|IPA|NPA|NVA|SIA)[A-Z0-9]{12,}$/.test(text))
    return { kind: 'unique-id', text };
  // Wildcards are not allowed in principal ARNs (only the bare `*`).
  if (text.includes('*') || text.includes('?')) return undefined;
  const p = parseRequestPrincipal(text);
  if (!p || p.type === 'service') return undefined;
  switch (p.type) {
    case 'root':
      return { kind: 'account', text, account: p.account };
    case 'user':
      return { kind: 'user', text, account: p.account, name: p.name };
    case 'role':
      return { kind: 'role', text, account: p.account, roleName: p.roleName };
    case 'assumed-role':
      return {
        kind: 'session',
        text,
        account: p.account,
        roleName: p.roleName,
        sessionName: p.sessionName,
      };
    case 'federated-user':
      return { kind: 'federated-user', text, account: p.account, name: p.name };
  }
}

/**
 * How a `Principal` value names the caller: `direct` names the caller itself (user, session,
 * federated user, service, `*`), `role` names the role behind an assumed-role session, `account`
 * names the caller's account (which delegates the decision to the account's identity policies).
 */
export type PrincipalMatch = 'direct' | 'role' | 'account';

/** Matches one pattern against the caller. */
export function matchPrincipalPattern(
  pattern: PrincipalPattern,
  caller: RequestPrincipal,
): PrincipalMatch | undefined {
  switch (pattern.kind) {
    case 'everyone':
      return 'direct';
    case 'service':
      return caller.type === 'service' && caller.service === pattern.service ? 'direct' : undefined;
    case 'federated':
    case 'canonical-user':
    case 'unique-id':
      // Web-identity / SAML providers, canonical users and the unique ids AWS shows for deleted
      // principals never name a caller given by ARN.
      return undefined;
    default:
      break;
  }
  if (caller.type === 'service') return undefined;
  if (pattern.account !== caller.account) return undefined;
  switch (pattern.kind) {
    case 'account':
      return caller.type === 'root' ? 'direct' : 'account';
    case 'user':
      // A user is named by its full ARN, path included.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
      return caller.type === 'user' && caller.arn === pattern.text ? 'direct' : undefined;
    case 'role':
      // A request made "as the role" is made by a session of it: the role-ARN rule applies.
      // A session's ARN carries no path, so a session matches its role by name.
      if (caller.type === 'role') return caller.arn === pattern.text ? 'role' : undefined;
      return caller.type === 'assumed-role' && caller.roleName === pattern.roleName
        ? 'role'
        : undefined;
    case 'session':
      return caller.type === 'assumed-role' &&
        caller.roleName === pattern.roleName &&
        caller.sessionName === pattern.sessionName
        ? 'direct'
        : undefined;
    case 'federated-user':
      return caller.type === 'federated-user' && caller.name === pattern.name
        ? 'direct'
        : undefined;
  }
}

/** The strongest way any pattern names the caller (`direct` > `role` > `account`). */
export function matchPrincipals(
  patterns: readonly PrincipalPattern[],
  caller: RequestPrincipal,
): PrincipalMatch | undefined {
  let best: PrincipalMatch | undefined;
  for (const pattern of patterns) {
    const m = matchPrincipalPattern(pattern, caller);
    if (m === 'direct') return m;
    if (m === 'role' || (m === 'account' && best === undefined)) best = m;
  }
  return best;
}

/**
 * `NotPrincipal` excludes the caller only when every identity in its chain is listed: the account,
 * and the user, or the role and the session. Otherwise the statement applies to the caller.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
export function isExcludedByNotPrincipal(
  patterns: readonly PrincipalPattern[],
  caller: RequestPrincipal,
): boolean {
  if (patterns.some((p) => p.kind === 'everyone')) return true;
  const listed = (want: PrincipalMatch | 'session-only'): boolean =>
    patterns.some((p) => {
      const m = matchPrincipalPattern(p, caller);
      if (want === 'session-only') return m === 'direct' && p.kind === 'session';
      return m === want;
    });
  switch (caller.type) {
    case 'service':
    case 'root':
      return listed('direct');
    case 'user':
    case 'federated-user':
      return listed('direct') && listed('account');
    case 'role':
      return listed('role') && listed('account');
    case 'assumed-role':
      return listed('session-only') && listed('role') && listed('account');
  }
}
