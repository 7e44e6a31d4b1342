/**
 * Human or machine: a principal is human when people use it (console password, IAM Identity
 * Center, SAML or consumer web-identity federation), machine when services or code do (service
 * trust, service-linked roles, access-key-only users, workload OIDC such as GitHub Actions).
 * The rule that decided is kept with the answer.
 */
import type { CredentialReportRow, KindReason } from './account.js';

/** A classification and its reason. */
export interface Classification {
  readonly kind: 'human' | 'machine';
  readonly reason: KindReason;
}

const human = (code: KindReason['code'], message: string): Classification => ({
  kind: 'human',
  reason: { code, message },
});
const machine = (code: KindReason['code'], message: string): Classification => ({
  kind: 'machine',
  reason: { code, message },
});

/** OIDC providers that issue tokens to workloads (CI systems, Kubernetes), not to people. */
const WORKLOAD_OIDC = [
  /token\.actions\.githubusercontent\.com/,
  /^oidc\.eks\./,
  /oidc-provider\/oidc\.eks\./,
  /gitlab/,
  /app\.terraform\.io/,
  /circleci/,
  /bitbucket/,
  /buildkite/,
];

/** Users: console password → human; active access keys only → machine. */
export function classifyUser(row: CredentialReportRow | undefined): Classification {
  if (row?.passwordEnabled) return human('console-password', 'has a console password');
  if (row?.accessKeys.some((k) => k.active))
    return machine('access-key-only', 'has active access keys and no console password');
  return human(
    'no-credentials',
    row
      ? 'has no console password and no active access key'
      : 'no credential report row: assumed to be a person',
  );
}

type Json = Record<string, unknown>;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Roles: by IAM Identity Center naming, service-linked path, then the trust policy. */
export function classifyRole(role: {
  name: string;
  path: string;
  serviceLinked: boolean;
  trust: unknown;
}): Classification {
  if (
    role.name.startsWith('AWSReservedSSO_') ||
    role.path.startsWith('/aws-reserved/sso.amazonaws.com/')
  ) {
    return human('sso-role', 'an IAM Identity Center permission-set role: people sign in to it');
  }
  if (role.serviceLinked)
    return machine('service-linked-role', 'a service-linked role, used only by its AWS service');
  const statements = asList((role.trust as Json | undefined)?.['Statement']).filter(
    (s): s is Json => typeof s === 'object' && s !== null && (s as Json)['Effect'] === 'Allow',
  );
  const principals = statements
    .map((s) => s['Principal'])
    .filter((p): p is Json => typeof p === 'object' && p !== null);
  const federated = principals.flatMap((p) => asList(p['Federated']).map(String));
  const actions = statements.flatMap((s) =>
    asList(s['Action']).map((a) => String(a).toLowerCase()),
  );
  if (
    federated.some((f) => f.includes(':saml-provider/')) ||
    actions.includes('sts:assumerolewithsaml')
  ) {
    return human('saml-trust', 'trusts a SAML identity provider: people sign in through it');
  }
  if (federated.length > 0) {
    if (federated.every((f) => WORKLOAD_OIDC.some((re) => re.test(f))))
      return machine(
        'web-identity-trust',
        `trusts workload identities from ${federated.join(', ')}`,
      );
    return human(
      'web-identity-trust',
      `trusts web identities of people from ${federated.join(', ')}`,
    );
  }
  const aws = principals.flatMap((p) => asList(p['AWS']).map(String));
  if (aws.length > 0) {
    const people = aws.filter(
      (a) =>
        /:user\//.test(a) || /AWSReservedSSO_/.test(a) || /:root$/.test(a) || /^\d{12}$/.test(a),
    );
    return people.length > 0
      ? human('cross-account-trust', `assumed by people: trusts ${people.join(', ')}`)
      : machine('cross-account-trust', `assumed by other roles: trusts ${aws.join(', ')}`);
  }
  const services = principals.flatMap((p) => asList(p['Service']).map(String));
  if (services.length > 0) return machine('service-trust', `assumed by ${services.join(', ')}`);
  return machine('no-credentials', 'trusts nobody that could assume it');
}
