/**
 * Findings from usage: identities with no activity in the window, and principals holding
 * permissions they did not use (high-risk unused permissions first, with a higher severity).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#remove-credentials
 */
import type { Principal } from '../../policy-model/index.js';
import type { Finding, Recommendation, Score, Severity } from '../model.js';

/** What the usage rules know of one principal. */
export interface PrincipalFacts {
  readonly principal: Principal;
  /** Last activity ever seen in CloudTrail or Access Advisor (ISO), if any. */
  readonly lastSeenInTrail: string | undefined;
  readonly recommendation: Recommendation;
  readonly score: Score;
  /** Capabilities (admin-equivalent, privilege-escalation, …) that only unused actions give. */
  readonly unusedRisks: readonly string[];
}

export interface UsageRuleOptions {
  /** YYYY-MM-DD, the last day of the window. */
  readonly asOf: string;
  readonly windowDays: number;
  /** Identities created this many days before `asOf` or later are not reported unused. */
  readonly gracePeriodDays: number;
}

const DAY = 86_400_000;
const endOf = (asOf: string) => Date.parse(`${asOf}T23:59:59Z`);
const daysBetween = (from: string, asOf: string) =>
  Math.floor((endOf(asOf) - Date.parse(from)) / DAY);

/** The latest of several ISO instants, ignoring missing ones. */
export function latest(...dates: (string | undefined)[]): string | undefined {
  return dates
    .filter((d): d is string => d !== undefined && !Number.isNaN(Date.parse(d)))
    .reduce<string | undefined>(
      (a, b) => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a),
      undefined,
    );
}

/** The last sign of life the snapshot itself records: RoleLastUsed and the credential report. */
export function snapshotLastActivity(principal: Principal): string | undefined {
  const c = principal.credentials;
  return latest(
    principal.roleLastUsed,
    c?.passwordLastUsed,
    ...(c?.accessKeys ?? []).map((k) => k.lastUsedDate),
  );
}

/** The last sign of life of a principal from every source: trail, RoleLastUsed, credential report. */
export function lastActivity(facts: PrincipalFacts): string | undefined {
  return latest(facts.lastSeenInTrail, snapshotLastActivity(facts.principal));
}

const RISK_SEVERITY: Readonly<Record<string, Severity>> = {
  'admin-equivalent': 'high',
  'privilege-escalation': 'high',
  'data-exfiltration': 'medium',
  'credentials-exposure': 'medium',
};

/** The highest severity the unused risks call for, or `fallback`. */
function riskSeverity(risks: readonly string[], fallback: Severity): Severity {
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return risks
    .map((r) => RISK_SEVERITY[r] ?? fallback)
    .reduce((a, b) => (order.indexOf(b) < order.indexOf(a) ? b : a), fallback);
}

/** `usage.unused-identity`: no activity of any kind in the window. */
function unusedIdentity(facts: PrincipalFacts, options: UsageRuleOptions): Finding | undefined {
  const p = facts.principal;
  if (p.serviceLinked) return undefined;
  const last = lastActivity(facts);
  const windowStart = endOf(options.asOf) - options.windowDays * DAY;
  if (last !== undefined && Date.parse(last) > windowStart) return undefined;
  if (p.createDate && daysBetween(p.createDate, options.asOf) < options.gracePeriodDays)
    return undefined;
  const what = p.type === 'role' ? 'role' : 'user';
  return {
    ruleId: 'usage.unused-identity',
    severity: riskSeverity(facts.unusedRisks, 'medium'),
    principal: p.arn,
    account: p.account,
    title: `The ${what} ${p.name} was not used in the last ${options.windowDays} days`,
    evidence: {
      lastActivity: last ?? null,
      daysSinceLastActivity: last ? daysBetween(last, options.asOf) : null,
      created: p.createDate ?? null,
      windowDays: options.windowDays,
      grantedActions: facts.score.granted,
      highRiskCapabilities: facts.unusedRisks.join(' ') || null,
    },
    remediation: /^AWSReservedSSO_/.test(p.name)
      ? `IAM Identity Center owns this role: remove the account assignment of its permission set (or the permission set) in IAM Identity Center; the role goes with it.`
      : p.type === 'role'
        ? `Confirm nothing assumes it (trust policy, RoleLastUsed), then remove its policies and delete it: aws iam delete-role --role-name ${p.name}. Keep the rollback documents in the report.`
        : `Deactivate its access keys and console password, then delete the user: aws iam delete-user --user-name ${p.name} (after removing keys, password, MFA devices, group memberships and policies).`,
    references: {
      prowler:
        p.type === 'user' ? ['iam_user_accesskey_unused', 'iam_user_console_access_unused'] : [],
      docs: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html',
      ],
    },
  };
}

/** `usage.unused-permissions`: granted actions not used in the window. */
function unusedPermissions(facts: PrincipalFacts): Finding | undefined {
  const r = facts.recommendation;
  const s = facts.score;
  if (r.removed.length === 0 || facts.principal.serviceLinked) return undefined;
  const unused = s.granted - s.used;
  // Services none of whose granted actions was used (grouped under `*` by the rewrite).
  const services = r.removed.flatMap((e) => e.services ?? []);
  const p = facts.principal;
  return {
    ruleId: 'usage.unused-permissions',
    severity: riskSeverity(facts.unusedRisks, 'low'),
    principal: p.arn,
    account: p.account,
    title: `${p.name} used ${s.used.toLocaleString('en-US')} of ${s.granted.toLocaleString('en-US')} granted actions; ${unused.toLocaleString('en-US')} can be removed`,
    evidence: {
      granted: s.granted,
      used: s.used,
      unused,
      usedShare: s.granted === 0 ? 0 : Math.round((1000 * s.used) / s.granted) / 10,
      creepScore: s.creep,
      highRiskUnused: s.highRiskUnused,
      highRiskCapabilities: facts.unusedRisks.join(' ') || null,
      unusedServices: services.length,
      rewrite: r.status,
    },
    remediation:
      r.status === 'proposed'
        ? `Replace its identity policies with the proposed policy (proven to grant nothing new and to keep every use seen)${r.applyVia ? ` through ${r.applyVia}` : ''}; the rollback restores the current ones.`
        : `Remove the unused permissions by hand: ${r.reason ?? 'no rewrite could be proposed'}.`,
    references: {
      docs: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html',
      ],
    },
  };
}

/** Every usage finding of one principal. */
export function usageFindings(facts: PrincipalFacts, options: UsageRuleOptions): Finding[] {
  const unused = unusedIdentity(facts, options);
  // An unused identity is one finding: its permissions are all unused by definition.
  if (unused) return [unused];
  const permissions = unusedPermissions(facts);
  return permissions ? [permissions] : [];
}
