/**
 * The findings as SARIF 2.1.0, for code-scanning dashboards and security tooling: one run, one
 * rule per rule id, one result per finding located at its principal's ARN (a logical location:
 * IAM principals are not files). https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { createHash } from 'node:crypto';
import { SEVERITIES, type Finding, type Report, type Severity } from '../../recommender/model.js';

/** SARIF's result levels. */
export type SarifLevel = 'error' | 'warning' | 'note';

/** Our severity as a SARIF level: critical and high are errors, medium a warning, the rest notes. */
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning ranks security alerts by `security-severity` (≥ 9 critical, ≥ 7 high, ≥ 4
 * medium, else low). https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** The key under `partialFingerprints`; bump its version if the hashed fields change. */
export const FINGERPRINT_KEY = 'leastprivFinding/v1';

/** A stable identity for a finding across runs: the rule, the principal and the key slot. */
export function fingerprint(f: Finding): string {
  return createHash('sha256')
    .update(`${f.ruleId}\u0000${f.principal}\u0000${f.key ?? ''}`)
    .digest('hex');
}

/** `credentials.access-key-not-rotated` → `Access key not rotated`. */
const ruleName = (ruleId: string): string => {
  const words = (ruleId.split('.').pop() ?? ruleId).replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** One rule per rule id, in order of first appearance, from the findings that carry it. */
function rules(findings: readonly Finding[]) {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  return [...byRule].map(([id, fs]) => {
    // The report carries no rule registry: the rule's level is its worst finding's.
    const worst = fs.reduce((a, b) => (rank(b.severity) < rank(a.severity) ? b : a)).severity;
    const cis = [...new Set(fs.flatMap((f) => f.references.cis ?? []))];
    const prowler = [...new Set(fs.flatMap((f) => f.references.prowler ?? []))];
    const helpUri = fs.find((f) => f.references.docs?.[0])?.references.docs?.[0];
    return {
      id,
      name: id,
      shortDescription: { text: ruleName(id) },
      ...(helpUri !== undefined && { helpUri }),
      defaultConfiguration: { level: SARIF_LEVEL[worst] },
      properties: {
        tags: ['security', 'iam', id.split('.')[0] ?? id, ...cis],
        'security-severity': SECURITY_SEVERITY[worst],
        ...(prowler.length > 0 && { prowler }),
      },
    };
  });
}

const result = (f: Finding, ruleIndex: number) => ({
  ruleId: f.ruleId,
  ruleIndex,
  level: SARIF_LEVEL[f.severity],
  message: {
    text: `${f.title} (${f.principal}${f.key ? `, ${f.key}` : ''}). Remediation: ${f.remediation}`,
  },
  locations: [
    {
      // Code-scanning dashboards (GitHub) need a file: the snapshot file the finding rests on.
      ...(f.source !== undefined && {
        physicalLocation: {
          artifactLocation: { uri: f.source, uriBaseId: 'SNAPSHOT' },
          region: { startLine: 1 },
        },
      }),
      logicalLocations: [
        {
          name: f.principal.split(/[:/]/).pop() ?? f.principal,
          fullyQualifiedName: f.principal,
          kind: 'resource',
        },
      ],
    },
  ],
  partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
  properties: {
    severity: f.severity,
    account: f.account,
    ...(f.key !== undefined && { key: f.key }),
    evidence: f.evidence,
  },
});

/** The findings as a SARIF 2.1.0 log (JSON, two-space indent, trailing newline). */
export function renderSarif(report: Report): string {
  const driverRules = rules(report.findings);
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: driverRules,
          },
        },
        results: report.findings.map((f) => result(f, index.get(f.ruleId) ?? -1)),
        properties: {
          asOf: report.asOf,
          windowDays: report.windowDays,
          generatedAt: report.generatedAt,
          catalogVersion: report.catalogVersion,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
