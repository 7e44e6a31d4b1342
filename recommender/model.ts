/**
 * The recommender's plain data: findings, rewrites with their proofs and evidence, scores, and the
 * report that carries them. Every renderer (HTML, Markdown, JSON, CSV, SARIF) reads only these
 * types; `docs/report-schema.json` describes the JSON form, which is a versioned contract.
 */

export const REPORT_SCHEMA_VERSION = '1.0';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Where a rule comes from: CIS AWS Foundations Benchmark controls, Prowler checks, AWS docs. */
export interface References {
  readonly cis?: readonly string[];
  readonly prowler?: readonly string[];
  readonly docs?: readonly string[];
}

/** One problem with one principal (or one of its access keys). */
export interface Finding {
  /** Stable rule id, e.g. `credentials.access-key-not-rotated`. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** The IAM user or role ARN (the account root: `arn:aws:iam::<id>:root`). */
  readonly principal: string;
  readonly account: string;
  /** For key findings: `access_key_1` or `access_key_2` (the credential report's slots). */
  readonly key?: string;
  readonly title: string;
  /** The facts the finding rests on (dates, counts, days). */
  readonly evidence: Readonly<Record<string, string | number | boolean | null>>;
  readonly remediation: string;
  readonly references: References;
  /**
   * The snapshot file the finding rests on, relative to the snapshot directory (e.g.
   * `accounts/<id>/credential-report.csv`): where code-scanning tools point (SARIF).
   */
  readonly source?: string;
}

/** How sure we are that a permission was used or not. */
export type Confidence =
  /** Seen in CloudTrail in the window. */
  | 'used'
  /** Seen only by IAM Access Advisor (service or action level): coarser evidence. */
  | 'used-per-access-advisor'
  /** Not seen, and its events would have been recorded. */
  | 'unused'
  /** Not seen, but its events are not recorded in this account (e.g. S3 data events off). */
  | 'unknown';

/** The evidence for one action granted to a principal. */
export interface PermissionEvidence {
  /** `service:Action` as the Service Authorization Reference spells it. */
  readonly action: string;
  readonly confidence: Confidence;
  /** Last use (ISO 8601), in the window or before it, when known. */
  readonly lastUsed?: string;
  /** Calls in the window. */
  readonly count: number;
  /** Resources seen in the window (ARNs; `bucket/*` for several objects). */
  readonly resources?: readonly string[];
  /** People behind the sessions that used it (IAM Identity Center, source identity). */
  readonly people?: readonly string[];
  /** Why it is kept or removed, in a sentence. */
  readonly reason: string;
  /**
   * When the entry stands for several unused actions of one service (`action` is then
   * `service:*`): how many. Removed actions are grouped so a report stays readable.
   */
  readonly actionCount?: number;
  /**
   * When the entry stands for every granted action of several services none of which was used
   * (`action` is then `*`): those services' prefixes.
   */
  readonly services?: readonly string[];
}

/** An IAM policy document as JSON. */
export interface PolicyJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Record<string, unknown>[];
}

/** One policy of a proposed set. */
export interface ProposedPolicy {
  readonly name: string;
  /** Where it goes: an inline policy of the role or user, or a customer managed policy. */
  readonly kind: 'role-inline' | 'user-inline' | 'managed';
  readonly document: PolicyJson;
  /** Characters as AWS counts them (whitespace excluded), and AWS's limit for this kind. */
  readonly size: number;
  readonly limit: number;
}

/** A policy the principal has today (what the rollback restores). */
export interface CurrentPolicy {
  readonly id: string;
  readonly name: string;
  readonly kind: 'aws-managed' | 'customer-managed' | 'inline';
  /** Attached through a group (users): the group's name. */
  readonly viaGroup?: string;
  /**
   * The document, for inline and customer managed policies; AWS managed policies are restored
   * by attaching their ARN (`id`) again, so their (long) documents are not repeated.
   */
  readonly document?: unknown;
}

/** The outcome of one proof obligation. */
export interface ProofResult {
  readonly holds: boolean;
  /** What was checked, e.g. "22,091 actions × 14 resource patterns". */
  readonly checked: string;
  /** When it fails: the counterexamples (at most a few). */
  readonly counterexamples?: readonly {
    readonly action: string;
    readonly resource: string;
    readonly why: string;
  }[];
}

/** A least-privilege rewrite for one principal. */
export interface Recommendation {
  readonly principal: string;
  readonly account: string;
  /**
   * `proposed`: a rewrite that passed both proofs; `not-proposed`: one was built but failed a
   * proof or AWS's limits (`reason` says which); `keep`: nothing to remove.
   */
  readonly status: 'proposed' | 'not-proposed' | 'keep';
  readonly reason?: string;
  readonly kept: readonly PermissionEvidence[];
  readonly removed: readonly PermissionEvidence[];
  /** The new identity policies (replacing every current identity policy of the principal). */
  readonly proposed: readonly ProposedPolicy[];
  /** How to apply it, when not directly (e.g. through an IAM Identity Center permission set). */
  readonly applyVia?: string;
  /** The current identity policies: the rollback document. */
  readonly current: readonly CurrentPolicy[];
  readonly proof: { readonly noNewAccess: ProofResult; readonly usageCovered: ProofResult };
  /** Terraform for the proposed policies (`aws_iam_policy_document` + attachment resources). */
  readonly terraform: string;
}

/** Granted vs used, and the permission-creep score (see docs/analyze.md for the formula). */
export interface Score {
  /** Actions the principal can perform (allowed, on some resources, or under conditions). */
  readonly granted: number;
  /** Of those, actions used in the window (CloudTrail or Access Advisor). */
  readonly used: number;
  /** Of the unused, those that are high-risk (admin, privilege escalation, exfiltration, credentials). */
  readonly highRiskUnused: number;
  /** 0 (uses all it has) to 100 (uses nothing of much). */
  readonly creep: number;
  /** The change since the previous report, when one was given. */
  readonly change?: number;
}

/**
 * One IAM Access Analyzer unused-access finding about a principal, next to our evidence.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-view.html
 */
export interface AccessAnalyzerComparison {
  /** The finding's id in Access Analyzer. */
  readonly findingId: string;
  readonly findingType:
    'UnusedIAMRole' | 'UnusedIAMUserAccessKey' | 'UnusedIAMUserPassword' | 'UnusedPermission';
  /** Last use of the role, password or key as Access Analyzer saw it (absent: never). */
  readonly lastAccessed?: string;
  /** `UnusedIAMUserAccessKey`: the key. */
  readonly accessKeyId?: string;
  /** `UnusedPermission`: the actions it calls unused (`service:*` for a whole service). */
  readonly unusedActions?: readonly string[];
  /** Of what it calls unused, what we saw used in the window (the disagreement). */
  readonly usedPerUs?: readonly string[];
  /** `agree`: we say unused too; `partly`: some of it we saw used; `disagree`: we saw it used. */
  readonly agreement: 'agree' | 'partly' | 'disagree';
  /** Why, in a sentence. */
  readonly note: string;
}

/** One principal in the report. */
export interface PrincipalReport {
  readonly arn: string;
  readonly account: string;
  readonly type: 'user' | 'role';
  readonly kind: 'human' | 'machine';
  /** Last activity seen (CloudTrail, Access Advisor, RoleLastUsed, credential report). */
  readonly lastActivity?: string;
  readonly score: Score;
  /** High-risk capability labels of the unused permissions (admin-equivalent, …). */
  readonly unusedRisks: readonly string[];
  readonly recommendation?: Recommendation;
  /** IAM Access Analyzer's unused-access findings about it, when the snapshot has them. */
  readonly accessAnalyzer?: readonly AccessAnalyzerComparison[];
}

/** One account in the report. */
export interface AccountReport {
  readonly id: string;
  readonly principals: number;
  readonly score: Score;
}

/** The whole report. */
export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'leastpriv'; readonly version: string };
  readonly generatedAt: string;
  /** The last day of the window (YYYY-MM-DD) and its length in days. */
  readonly asOf: string;
  readonly windowDays: number;
  readonly catalogVersion: string;
  /** What the usage evidence is: CloudTrail files read, Access Advisor, or none. */
  readonly evidence: {
    readonly cloudTrailRecords: number;
    readonly accessAdvisor: boolean;
    /** Accounts whose S3/Lambda/DynamoDB data events were seen (else data-plane use is unknown). */
    readonly dataEventAccounts: readonly string[];
    /** IAM Access Analyzer unused-access findings read (absent: no findings file). */
    readonly accessAnalyzerFindings?: number;
  };
  readonly summary: {
    readonly accounts: number;
    readonly principals: number;
    readonly findings: Readonly<Record<Severity, number>>;
    readonly recommendations: number;
    readonly score: Score;
  };
  readonly accounts: readonly AccountReport[];
  readonly principals: readonly PrincipalReport[];
  readonly findings: readonly Finding[];
  /** Problems reading the snapshot or the trail, with where. */
  readonly inputIssues: readonly { readonly where: string; readonly message: string }[];
}
