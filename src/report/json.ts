/**
 * The JSON report: the versioned contract that `docs/report-schema.json` describes. Stable: every
 * object of the model is written with its keys in the order the schema lists them, whatever order
 * the object was built in, so two runs over the same data produce the same bytes and diff cleanly.
 * Policy documents and finding evidence are written as they are (their order is the data's).
 */
import {
  SEVERITIES,
  type AccessAnalyzerComparison,
  type AccountReport,
  type CurrentPolicy,
  type Finding,
  type PermissionEvidence,
  type PrincipalReport,
  type ProofResult,
  type ProposedPolicy,
  type Recommendation,
  type Report,
  type Score,
} from '../../recommender/model.js';

/** Copies `value` with only `keys`, in that order, dropping absent optional keys. */
function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out as Pick<T, K>;
}

const score = (s: Score) => pick(s, ['granted', 'used', 'highRiskUnused', 'creep', 'change']);

const evidence = (e: PermissionEvidence) =>
  pick(e, [
    'action',
    'confidence',
    'lastUsed',
    'count',
    'resources',
    'people',
    'reason',
    'actionCount',
    'services',
  ]);

const proposed = (p: ProposedPolicy) => pick(p, ['name', 'kind', 'document', 'size', 'limit']);

const current = (p: CurrentPolicy) => pick(p, ['id', 'name', 'kind', 'viaGroup', 'document']);

const proof = (p: ProofResult) => ({
  ...pick(p, ['holds', 'checked']),
  ...(p.counterexamples && {
    counterexamples: p.counterexamples.map((c) => pick(c, ['action', 'resource', 'why'])),
  }),
});

const recommendation = (r: Recommendation) => ({
  ...pick(r, ['principal', 'account', 'status', 'reason', 'applyVia']),
  kept: r.kept.map(evidence),
  removed: r.removed.map(evidence),
  proposed: r.proposed.map(proposed),
  current: r.current.map(current),
  proof: { noNewAccess: proof(r.proof.noNewAccess), usageCovered: proof(r.proof.usageCovered) },
  terraform: r.terraform,
});

const comparison = (c: AccessAnalyzerComparison) =>
  pick(c, [
    'findingId',
    'findingType',
    'lastAccessed',
    'accessKeyId',
    'unusedActions',
    'usedPerUs',
    'agreement',
    'note',
  ]);

const principal = (p: PrincipalReport) => ({
  ...pick(p, ['arn', 'account', 'type', 'kind', 'lastActivity']),
  score: score(p.score),
  unusedRisks: p.unusedRisks,
  ...(p.recommendation && { recommendation: recommendation(p.recommendation) }),
  ...(p.accessAnalyzer && { accessAnalyzer: p.accessAnalyzer.map(comparison) }),
});

const account = (a: AccountReport) => ({
  id: a.id,
  principals: a.principals,
  score: score(a.score),
});

const finding = (f: Finding) => ({
  ...pick(f, ['ruleId', 'severity', 'principal', 'account', 'key', 'title', 'evidence']),
  remediation: f.remediation,
  references: pick(f.references, ['cis', 'prowler', 'docs']),
  ...(f.source !== undefined && { source: f.source }),
});

/** The report with every model object's keys in schema order (see the module comment). */
export function canonicalReport(report: Report): Report {
  return {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    generatedAt: report.generatedAt,
    asOf: report.asOf,
    windowDays: report.windowDays,
    catalogVersion: report.catalogVersion,
    evidence: pick(report.evidence, [
      'cloudTrailRecords',
      'accessAdvisor',
      'dataEventAccounts',
      'accessAnalyzerFindings',
    ]),
    summary: {
      accounts: report.summary.accounts,
      principals: report.summary.principals,
      findings: pick(report.summary.findings, SEVERITIES),
      recommendations: report.summary.recommendations,
      score: score(report.summary.score),
    },
    accounts: report.accounts.map(account),
    principals: report.principals.map(principal),
    findings: report.findings.map(finding),
    inputIssues: report.inputIssues.map((i) => pick(i, ['where', 'message'])),
  };
}

/** The report as JSON: schema key order, two-space indent, a trailing newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(canonicalReport(report), null, 2)}\n`;
}
