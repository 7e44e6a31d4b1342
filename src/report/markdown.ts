/**
 * The report as Markdown (GitHub-flavoured), for a security lead reading it in a pull request, a
 * wiki or a ticket: the summary and the worst first, then one section per identity with its
 * recommendation, evidence, proofs, Terraform and rollback. Every piece of data is escaped, so a
 * policy or a title cannot inject markup or raw HTML.
 */
import {
  SEVERITIES,
  type AccessAnalyzerComparison,
  type CurrentPolicy,
  type Finding,
  type PermissionEvidence,
  type PrincipalReport,
  type ProofResult,
  type Recommendation,
  type Report,
  type Score,
} from '../../recommender/model.js';

/** How many identities the "top over-privileged" table lists. */
const TOP = 10;

/**
 * Inline text: the punctuation that can open inline markup backslash-escaped (CommonMark lets any
 * ASCII punctuation be escaped), which also keeps `<`, `>` and `&` from starting HTML or entities.
 * Line breaks become `<br>`, so a value never starts a line (where `#`, `-` or `+` would open a
 * block) nor ends a table row.
 */
export function mdText(value: string): string {
  return value.replace(/[\\`*_[\]<>|~&]/g, '\\$&').replace(/\r?\n/g, '<br>');
}

/** An inline code span, fenced with more backticks than the value holds; `|` escaped for tables. */
export function mdCode(value: string): string {
  const flat = value.replace(/\r?\n/g, ' ').replaceAll('|', '\\|');
  const run = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(run + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in the content. */
export function mdFence(content: string, lang: string): string {
  const run = Math.max(2, ...(content.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(run + 1);
  return `${fence}${lang}\n${content.replace(/\n$/, '')}\n${fence}`;
}

const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const nf = new Intl.NumberFormat('en-US');
const num = (n: number) => nf.format(n);
const pct = (part: number, whole: number) =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
const change = (s: Score) =>
  s.change === undefined ? '' : ` (${s.change > 0 ? '+' : ''}${num(s.change)})`;
const evidenceText = (e: Finding['evidence']) =>
  Object.entries(e)
    .map(([k, v]) => `${mdText(k)}: ${mdText(String(v))}`)
    .join('<br>');
const day = (iso: string | undefined) => (iso === undefined ? '–' : mdText(iso.slice(0, 10)));
const anchor = (arn: string) => `identity-${arn.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`;

const ICON = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' } as const;

function header(r: Report): string {
  const ev = r.evidence;
  const data =
    ev.dataEventAccounts.length > 0 ? ev.dataEventAccounts.map(mdCode).join(', ') : 'none';
  return [
    `# leastpriv report — as of ${mdText(r.asOf)} (${num(r.windowDays)}-day window)`,
    '',
    `Generated ${mdText(r.generatedAt)} by leastpriv ${mdText(r.tool.version)} · catalog ${mdCode(r.catalogVersion)} · schema ${mdText(r.schemaVersion)}`,
    '',
    `Evidence: ${num(ev.cloudTrailRecords)} CloudTrail records · IAM Access Advisor ${ev.accessAdvisor ? 'used' : 'not used'} · data events recorded in: ${data}` +
      (ev.accessAnalyzerFindings === undefined
        ? ''
        : ` · IAM Access Analyzer findings: ${num(ev.accessAnalyzerFindings)}`),
  ].join('\n');
}

function summary(r: Report): string {
  const s = r.summary;
  const total = SEVERITIES.reduce((n, sev) => n + s.findings[sev], 0);
  const bySeverity = SEVERITIES.map((sev) => `${ICON[sev]} ${sev} **${num(s.findings[sev])}**`);
  return [
    '## Summary',
    '',
    table(
      ['', ''],
      [
        ['Accounts', num(s.accounts)],
        ['Principals', num(s.principals)],
        ['Findings', `${num(total)}: ${bySeverity.join(' · ')}`],
        ['Recommendations', num(s.recommendations)],
        ['Granted actions', num(s.score.granted)],
        ['Used in the window', `${num(s.score.used)} (${pct(s.score.used, s.score.granted)})`],
        ['High-risk unused', num(s.score.highRiskUnused)],
        ['Permission creep', `**${num(s.score.creep)}** / 100${change(s.score)}`],
      ],
    ),
  ].join('\n');
}

function accounts(r: Report): string {
  if (r.accounts.length === 0) return '## Accounts\n\nNo accounts.';
  return [
    '## Accounts',
    '',
    table(
      ['Account', 'Principals', 'Granted', 'Used', 'Used %', 'High-risk unused', 'Creep'],
      r.accounts.map((a) => [
        mdCode(a.id),
        num(a.principals),
        num(a.score.granted),
        num(a.score.used),
        pct(a.score.used, a.score.granted),
        num(a.score.highRiskUnused),
        `${num(a.score.creep)}${change(a.score)}`,
      ]),
    ),
  ].join('\n');
}

/** Principals by creep score, then high-risk unused, then ARN: the worst first. */
/**
 * Identities shown in detail (worst first); the others get one table row each, and the JSON
 * report has them all. Keeps the page readable, and within what a browser (and a JavaScript
 * string) holds for a 10,000-identity estate.
 */
export const DETAILED_IDENTITIES = 200;

export function byCreep(principals: readonly PrincipalReport[]): PrincipalReport[] {
  return [...principals].sort(
    (a, b) =>
      b.score.creep - a.score.creep ||
      b.score.highRiskUnused - a.score.highRiskUnused ||
      a.arn.localeCompare(b.arn),
  );
}

function top(r: Report): string {
  const worst = byCreep(r.principals)
    .filter((p) => p.score.creep > 0)
    .slice(0, TOP);
  if (worst.length === 0) return '## Top over-privileged identities\n\nNone.';
  return [
    '## Top over-privileged identities',
    '',
    table(
      ['#', 'Identity', 'Type', 'Granted', 'Used', 'High-risk unused', 'Creep', 'Unused risks'],
      worst.map((p, i) => [
        String(i + 1),
        `[${mdCode(p.arn)}](#${anchor(p.arn)})`,
        `${p.type}, ${p.kind}`,
        num(p.score.granted),
        num(p.score.used),
        num(p.score.highRiskUnused),
        `**${num(p.score.creep)}**${change(p.score)}`,
        p.unusedRisks.map(mdText).join(', ') || '–',
      ]),
    ),
  ].join('\n');
}

/** A documentation link; only http(s) URLs become links (no `javascript:` from data). */
const docLink = (url: string, i: number): string =>
  /^https?:\/\//.test(url)
    ? `[docs${i > 0 ? ` ${i + 1}` : ''}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)`
    : mdCode(url);

const references = (f: Finding): string =>
  [
    ...(f.references.cis ?? []).map(mdText),
    ...(f.references.prowler ?? []).map(mdCode),
    ...(f.references.docs ?? []).map(docLink),
  ].join('<br>') || '–';

function findings(r: Report): string {
  const parts = ['## Findings'];
  if (r.findings.length === 0) parts.push('', 'No findings.');
  for (const sev of SEVERITIES) {
    const mine = r.findings.filter((f) => f.severity === sev);
    if (mine.length === 0) continue;
    parts.push(
      '',
      `### ${ICON[sev]} ${sev[0]?.toUpperCase()}${sev.slice(1)} (${num(mine.length)})`,
      '',
      table(
        ['Rule', 'Identity', 'Key', 'Finding', 'Evidence', 'Remediation', 'References'],
        mine.map((f) => [
          mdCode(f.ruleId),
          mdCode(f.principal),
          f.key === undefined ? '–' : mdCode(f.key),
          mdText(f.title),
          evidenceText(f.evidence),
          mdText(f.remediation),
          references(f),
        ]),
      ),
    );
  }
  return parts.join('\n');
}

const evidenceTable = (items: readonly PermissionEvidence[]): string =>
  table(
    ['Action', 'Evidence', 'Calls', 'Last used', 'Resources', 'People', 'Why'],
    items.map((e) => [
      mdCode(e.action),
      mdText(e.confidence),
      num(e.count),
      day(e.lastUsed),
      (e.resources ?? []).map(mdCode).join('<br>') || '–',
      (e.people ?? []).map(mdText).join(', ') || '–',
      mdText(e.reason),
    ]),
  );

function proofLine(name: string, p: ProofResult): string {
  const lines = [
    `- ${p.holds ? '✅' : '❌'} **${name}** ${p.holds ? 'holds' : 'fails'} — checked ${mdText(p.checked)}`,
  ];
  for (const c of p.counterexamples ?? [])
    lines.push(`  - ${mdCode(c.action)} on ${mdCode(c.resource)}: ${mdText(c.why)}`);
  return lines.join('\n');
}

const currentPolicy = (c: CurrentPolicy): string =>
  [
    `- ${mdCode(c.name)} (${mdText(c.kind)}${c.viaGroup === undefined ? '' : `, via group ${mdCode(c.viaGroup)}`}) — ${mdCode(c.id)}`,
    ...(c.document === undefined
      ? []
      : [
          '',
          mdFence(JSON.stringify(c.document, null, 2), 'json')
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n'),
        ]),
  ].join('\n');

const STATUS: Readonly<Record<Recommendation['status'], string>> = {
  proposed: '✅ proposed',
  'not-proposed': '⛔ not proposed',
  keep: '➖ keep as is',
};

function recommendation(rec: Recommendation): string {
  const parts = [
    `**Recommendation: ${STATUS[rec.status]}**${rec.reason === undefined ? '' : ` — ${mdText(rec.reason)}`}`,
    ...(rec.applyVia === undefined ? [] : ['', `Apply through ${mdText(rec.applyVia)}.`]),
  ];
  parts.push('', `#### Kept (${num(rec.kept.length)})`, '');
  parts.push(rec.kept.length > 0 ? evidenceTable(rec.kept) : 'Nothing.');
  parts.push('', `#### Removed (${num(rec.removed.length)})`, '');
  parts.push(rec.removed.length > 0 ? evidenceTable(rec.removed) : 'Nothing.');
  if (rec.proposed.length > 0) {
    parts.push('', '#### Proposed policies');
    for (const p of rec.proposed)
      parts.push(
        '',
        `${mdCode(p.name)} (${mdText(p.kind)}, ${num(p.size)} of ${num(p.limit)} characters)`,
        '',
        mdFence(JSON.stringify(p.document, null, 2), 'json'),
      );
  }
  parts.push(
    '',
    '#### Proofs',
    '',
    proofLine('No new access', rec.proof.noNewAccess),
    proofLine('Usage covered', rec.proof.usageCovered),
  );
  if (rec.terraform.trim() !== '')
    parts.push('', '#### Terraform', '', mdFence(rec.terraform, 'hcl'));
  parts.push('', '#### Rollback', '');
  parts.push(
    rec.current.length > 0
      ? `Restore these identity policies:\n\n${rec.current.map(currentPolicy).join('\n\n')}`
      : 'The identity has no identity policies today.',
  );
  return parts.join('\n');
}

function identity(p: PrincipalReport): string {
  const s = p.score;
  return [
    `<a id="${anchor(p.arn)}"></a>`,
    '',
    `### ${mdCode(p.arn)}`,
    '',
    `${p.type === 'user' ? 'User' : 'Role'}, ${p.kind} · account ${mdCode(p.account)} · last activity ${day(p.lastActivity)} · ` +
      `granted ${num(s.granted)}, used ${num(s.used)} (${pct(s.used, s.granted)}), high-risk unused ${num(s.highRiskUnused)} · creep **${num(s.creep)}**${change(s)}`,
    ...(p.unusedRisks.length > 0
      ? ['', `Unused risks: ${p.unusedRisks.map(mdText).join(', ')}`]
      : []),
    ...(p.accessAnalyzer ?? []).map(
      (c) =>
        `\nIAM Access Analyzer ${mdCode(c.findingType)}: ${analyzerSays(c)} — ${AGREEMENT[c.agreement]}: ${mdText(c.note)}`,
    ),
    '',
    p.recommendation === undefined ? '_No recommendation._' : recommendation(p.recommendation),
  ].join('\n');
}

function identities(r: Report): string {
  if (r.principals.length === 0) return '## Identities\n\nNo identities.';
  const ordered = byCreep(r.principals);
  const rest = ordered.slice(DETAILED_IDENTITIES);
  return [
    '## Identities',
    ...ordered.slice(0, DETAILED_IDENTITIES).map((p) => `\n${identity(p)}`),
    ...(rest.length === 0
      ? []
      : [
          '',
          `### ${num(rest.length)} more identities`,
          '',
          'Shown in detail in `report.json`.',
          '',
          table(
            ['Identity', 'Granted', 'Used', 'Creep', 'Rewrite'],
            rest.map((p) => [
              mdCode(p.arn),
              num(p.score.granted),
              num(p.score.used),
              String(p.score.creep),
              p.recommendation?.status ?? '–',
            ]),
          ),
        ]),
  ].join('\n');
}

const AGREEMENT: Readonly<Record<AccessAnalyzerComparison['agreement'], string>> = {
  agree: '✅ agree',
  partly: '🟨 partly',
  disagree: '❌ disagree',
};

/** What Access Analyzer calls unused, in a table cell. */
const analyzerSays = (c: AccessAnalyzerComparison): string =>
  c.findingType === 'UnusedPermission'
    ? (c.unusedActions ?? []).map(mdCode).join(', ') || '–'
    : c.findingType === 'UnusedIAMUserAccessKey'
      ? `access key${c.accessKeyId === undefined ? '' : ` ${mdCode(c.accessKeyId)}`}, last used ${day(c.lastAccessed)}`
      : `last used ${day(c.lastAccessed)}`;

/** IAM Access Analyzer's unused-access findings next to ours (only when the snapshot has them). */
function accessAnalyzer(r: Report): string {
  const rows = r.principals.flatMap((p) => (p.accessAnalyzer ?? []).map((c) => ({ p, c })));
  if (rows.length === 0) return '';
  const count = (a: AccessAnalyzerComparison['agreement']) =>
    rows.filter((x) => x.c.agreement === a).length;
  return [
    '## IAM Access Analyzer, side by side',
    '',
    `${num(rows.length)} unused-access findings: ${num(count('agree'))} we agree with, ${num(count('partly'))} partly, ${num(count('disagree'))} not (we saw it used in the window).`,
    '',
    table(
      [
        'Identity',
        'Access Analyzer finding',
        'Unused per Access Analyzer',
        'Used per us',
        'Agreement',
        'Why',
      ],
      rows.map(({ p, c }) => [
        `[${mdCode(p.arn)}](#${anchor(p.arn)})`,
        mdCode(c.findingType),
        analyzerSays(c),
        (c.usedPerUs ?? []).map(mdCode).join(', ') || '–',
        AGREEMENT[c.agreement],
        mdText(c.note),
      ]),
    ),
  ].join('\n');
}

function inputIssues(r: Report): string {
  if (r.inputIssues.length === 0) return '';
  return [
    '## Input issues',
    '',
    table(
      ['Where', 'Problem'],
      r.inputIssues.map((i) => [mdCode(i.where), mdText(i.message)]),
    ),
  ].join('\n');
}

/** The report as one GitHub-flavoured Markdown document (trailing newline). */
export function renderMarkdown(report: Report): string {
  return `${[
    header(report),
    summary(report),
    accounts(report),
    top(report),
    findings(report),
    accessAnalyzer(report),
    identities(report),
    inputIssues(report),
  ]
    .filter((s) => s !== '')
    .join('\n\n')}\n`;
}
