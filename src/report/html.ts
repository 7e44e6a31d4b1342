/**
 * The report as one self-contained HTML page: inline CSS and a small inline script, charts drawn
 * here as inline SVG, no fonts, images or scripts from anywhere. A Content-Security-Policy with
 * `default-src 'none'` and hashes of the one style and one script makes the browser hold the page
 * to that: nothing is fetched, and markup that slipped through escaping could not run.
 */
import { createHash } from 'node:crypto';
import {
  SEVERITIES,
  type AccessAnalyzerComparison,
  type CurrentPolicy,
  type Finding,
  type PermissionEvidence,
  type PrincipalReport,
  type ProofResult,
  type ProposedPolicy,
  type Recommendation,
  type Report,
  type Score,
  type Severity,
} from '../../recommender/model.js';
import { byCreep, DETAILED_IDENTITIES } from './markdown.js';

/** Colours of the charts' marks (the screenshot test looks for them). */
export const CHART_COLORS = {
  granted: '#6366f1',
  used: '#10b981',
  creep: '#e11d48',
} as const;

/** Severity colours: badges, the findings bar, the severity column. */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  critical: '#991b1b',
  high: '#ea580c',
  medium: '#eab308',
  low: '#2563eb',
  info: '#64748b',
};

/** How many identities the creep chart shows. */
const TOP = 10;

/** Text for HTML: the five characters that matter in content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const h = escapeHtml;
const nf = new Intl.NumberFormat('en-US');
const num = (n: number) => nf.format(n);
const pct = (part: number, whole: number) =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(part * 1000 < whole ? 2 : 1)}%`;
const day = (iso: string | undefined) => (iso === undefined ? '–' : h(iso.slice(0, 10)));
const code = (s: string) => `<code>${h(s)}</code>`;

/** The last segment of an ARN: the user or role name, or `root`. */
const shortName = (arn: string) => arn.split(/[:/]/).pop() || arn;

const truncate = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

// ───────────────────────────── line diff ─────────────────────────────

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
}

/**
 * Above this many LCS table cells (4 bytes each) the changed middle is shown as all removed then
 * all added: a policy set that large is rewritten wholesale anyway, and 16 MB is enough memory.
 */
const MAX_LCS_CELLS = 4_000_000;

/**
 * A line diff of `a` → `b` with a longest common subsequence: the common prefix and suffix are
 * trimmed first, then an LCS table over the rest; removals come before additions at each change.
 */
export function lineDiff(a: readonly string[], b: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (text: string): DiffLine => ({ op: ' ', text });
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  const middle =
    (x.length + 1) * (y.length + 1) > MAX_LCS_CELLS
      ? [
          ...x.map((text): DiffLine => ({ op: '-', text })),
          ...y.map((text): DiffLine => ({ op: '+', text })),
        ]
      : lcsDiff(x, y);
  return [...a.slice(0, start).map(same), ...middle, ...a.slice(endA).map(same)];
}

function lcsDiff(x: readonly string[], y: readonly string[]): DiffLine[] {
  const n = x.length;
  const m = y.length;
  const w = m + 1;
  // t[i*w + j]: the LCS length of x[i..] and y[j..].
  const t = new Uint32Array((n + 1) * w);
  const at = (i: number, j: number) => t[i * w + j] ?? 0;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i * w + j] = x[i] === y[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const xi = x[i];
    const yj = y[j];
    if (xi !== undefined && yj !== undefined && xi === yj) {
      out.push({ op: ' ', text: xi });
      i++;
      j++;
    } else if (xi !== undefined && (yj === undefined || at(i + 1, j) >= at(i, j + 1))) {
      out.push({ op: '-', text: xi });
      i++;
    } else if (yj !== undefined) {
      out.push({ op: '+', text: yj });
      j++;
    }
  }
  return out;
}

/** Unchanged lines kept around each change; longer unchanged runs are folded. */
const CONTEXT = 3;

function diffHtml(lines: readonly DiffLine[]): string {
  const out: string[] = [];
  const row = (l: DiffLine) => {
    const cls = l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx';
    return `<span class="${cls}"><span class="op">${l.op}</span>${h(l.text)}</span>`;
  };
  let k = 0;
  while (k < lines.length) {
    let end = k;
    while (end < lines.length && lines[end]?.op === ' ') end++;
    const run = lines.slice(k, end);
    const head = k === 0 ? 0 : CONTEXT;
    const tail = end === lines.length ? 0 : CONTEXT;
    if (run.length > head + tail + 1) {
      out.push(...run.slice(0, head).map(row));
      out.push(`<span class="fold">⋯ ${num(run.length - head - tail)} unchanged lines</span>`);
      out.push(...run.slice(run.length - tail).map(row));
    } else out.push(...run.map(row));
    for (k = end; k < lines.length; k++) {
      const line = lines[k];
      if (line === undefined || line.op === ' ') break;
      out.push(row(line));
    }
  }
  return `<pre class="diff">${out.join('')}</pre>`;
}

const policyLines = (label: string, document: unknown): string[] => [
  `// ${label}`,
  ...(document === undefined
    ? ['// (an AWS managed policy: restored by attaching its ARN again)']
    : JSON.stringify(document, null, 2).split('\n')),
];

const currentLabel = (c: CurrentPolicy) =>
  `${c.name} (${c.kind}${c.viaGroup === undefined ? '' : `, via group ${c.viaGroup}`})`;

// ───────────────────────────── charts (SVG) ─────────────────────────────

/** Granted vs used actions per account: two bars per account on one linear scale. */
function accountsChart(r: Report): string {
  const width = 560;
  const left = 118;
  const right = 150;
  const rowH = 54;
  const top = 34;
  const height = top + Math.max(1, r.accounts.length) * rowH + 6;
  const max = Math.max(1, ...r.accounts.map((a) => a.score.granted));
  const scale = (n: number) => (n === 0 ? 0 : Math.max(3, ((width - left - right) * n) / max));
  const bars = r.accounts.map((a, i) => {
    const y = top + i * rowH;
    const g = scale(a.score.granted);
    const u = scale(a.score.used);
    return [
      `<g><title>${h(a.id)}: ${num(a.score.granted)} granted, ${num(a.score.used)} used (${pct(a.score.used, a.score.granted)})</title>`,
      `<text class="lbl mono" x="${left - 10}" y="${y + 24}" text-anchor="end">${h(a.id)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${g.toFixed(1)}" height="18" rx="3" fill="${CHART_COLORS.granted}"/>`,
      `<text class="val" x="${(left + g + 6).toFixed(1)}" y="${y + 17}">${num(a.score.granted)} granted</text>`,
      `<rect x="${left}" y="${y + 26}" width="${u.toFixed(1)}" height="18" rx="3" fill="${CHART_COLORS.used}"/>`,
      `<text class="val" x="${(left + u + 6).toFixed(1)}" y="${y + 39}">${num(a.score.used)} used · ${pct(a.score.used, a.score.granted)}</text>`,
      '</g>',
    ].join('');
  });
  const legend =
    `<rect x="${left}" y="6" width="14" height="14" rx="3" fill="${CHART_COLORS.granted}"/>` +
    `<text class="lbl" x="${left + 20}" y="18">granted</text>` +
    `<rect x="${left + 96}" y="6" width="14" height="14" rx="3" fill="${CHART_COLORS.used}"/>` +
    `<text class="lbl" x="${left + 116}" y="18">used in the window</text>`;
  const empty =
    r.accounts.length === 0
      ? `<text class="lbl" x="${left}" y="${top + 24}">No accounts.</text>`
      : '';
  return svg(width, height, 'Granted vs used actions per account', legend + bars.join('') + empty);
}

/** The identities with the highest permission-creep scores, on a 0–100 scale. */
function creepChart(r: Report): string {
  const worst = byCreep(r.principals)
    .filter((p) => p.score.creep > 0)
    .slice(0, TOP);
  const width = 560;
  const left = 210;
  const right = 110;
  const rowH = 28;
  const top = 26;
  const height = top + Math.max(1, worst.length) * rowH + 8;
  const span = width - left - right;
  const grid = [0, 25, 50, 75, 100].map((v) => {
    const x = left + (span * v) / 100;
    return (
      `<line class="grid" x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 4}"/>` +
      `<text class="tick" x="${x}" y="${top - 10}" text-anchor="middle">${v}</text>`
    );
  });
  const bars = worst.map((p, i) => {
    const y = top + i * rowH;
    const w = Math.max(3, (span * Math.min(100, p.score.creep)) / 100);
    return [
      `<a href="#${principalId(r, p)}"><g><title>${h(p.arn)}: creep ${num(p.score.creep)}, ${num(p.score.highRiskUnused)} high-risk unused</title>`,
      `<text class="lbl" x="${left - 10}" y="${y + 17}" text-anchor="end">${h(truncate(shortName(p.arn), 28))}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="18" rx="3" fill="${CHART_COLORS.creep}"/>`,
      `<text class="val" x="${(left + w + 6).toFixed(1)}" y="${y + 17}">${num(p.score.creep)} · ${num(p.score.highRiskUnused)} risky</text>`,
      '</g></a>',
    ].join('');
  });
  const empty =
    worst.length === 0
      ? `<text class="lbl" x="${left}" y="${top + 18}">No over-privileged identity.</text>`
      : '';
  return svg(
    width,
    height,
    'Top over-privileged identities by creep score',
    grid.join('') + bars.join('') + empty,
  );
}

const svg = (width: number, height: number, label: string, body: string) =>
  `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${h(label)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;

/** The findings per severity as one stacked bar. */
function severityBar(counts: Readonly<Record<Severity, number>>): string {
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
  if (total === 0) return '';
  let x = 0;
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => {
    const w = (200 * counts[s]) / total;
    const rect = `<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="8" fill="${SEVERITY_COLORS[s]}"><title>${s}: ${num(counts[s])}</title></rect>`;
    x += w;
    return rect;
  });
  return `<svg class="sevbar" viewBox="0 0 200 8" preserveAspectRatio="none" role="img" aria-label="findings by severity" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

// ───────────────────────────── sections ─────────────────────────────

/** A stable element id per principal: its position in the report. */
const principalId = (r: Report, p: PrincipalReport) => `p-${r.principals.indexOf(p)}`;

const badge = (cls: string, text: string, title?: string) =>
  `<span class="badge ${cls}"${title === undefined ? '' : ` title="${h(title)}"`}>${h(text)}</span>`;

const sevBadge = (s: Severity) => badge(`sev sev-${s}`, s);

const change = (s: Score) =>
  s.change === undefined
    ? ''
    : ` <span class="chg ${s.change > 0 ? 'worse' : s.change < 0 ? 'better' : ''}">${s.change > 0 ? '▲ +' : s.change < 0 ? '▼ ' : ''}${num(s.change)}</span>`;

function header(r: Report): string {
  const ev = r.evidence;
  return `<header class="top"><div class="wrap">
<div class="brand">leastpriv</div>
<h1>Least-privilege report</h1>
<p class="sub">As of <strong>${h(r.asOf)}</strong> · ${num(r.windowDays)}-day window · ${num(r.summary.accounts)} accounts · ${num(r.summary.principals)} identities</p>
<p class="meta">Generated ${h(r.generatedAt)} by leastpriv ${h(r.tool.version)} · catalog ${h(r.catalogVersion)} · evidence: ${num(ev.cloudTrailRecords)} CloudTrail records, Access Advisor ${ev.accessAdvisor ? 'on' : 'off'}, data events in ${ev.dataEventAccounts.length > 0 ? ev.dataEventAccounts.map(h).join(', ') : 'no account'}</p>
</div></header>`;
}

function cards(r: Report): string {
  const s = r.summary;
  const total = SEVERITIES.reduce((n, sev) => n + s.findings[sev], 0);
  const sevList = SEVERITIES.map(
    (sev) => `<li><span class="dot dot-${sev}"></span>${sev} <b>${num(s.findings[sev])}</b></li>`,
  ).join('');
  const card = (label: string, value: string, extra = '', cls = '') =>
    `<div class="card ${cls}"><div class="label">${label}</div><div class="value">${value}</div>${extra}</div>`;
  return `<section class="cards" aria-label="Summary">
${card('Findings', num(total), `${severityBar(s.findings)}<ul class="sevlist">${sevList}</ul>`, 'wide')}
${card('Permission creep', `${num(s.score.creep)}<small>/100</small>${change(s.score)}`, '<div class="hint">0: uses all it has · 100: uses nothing of much</div>')}
${card('Used of granted', pct(s.score.used, s.score.granted), `<div class="hint">${num(s.score.used)} of ${num(s.score.granted)} actions</div>`)}
${card('High-risk unused', num(s.score.highRiskUnused), '<div class="hint">admin, escalation, exfiltration, credentials</div>')}
${card('Rewrites proposed', num(s.recommendations), `<div class="hint">for ${num(s.principals)} identities in ${num(s.accounts)} accounts</div>`)}
</section>`;
}

function charts(r: Report): string {
  return `<section class="charts">
<figure class="panel"><figcaption>Granted vs used actions per account</figcaption>${accountsChart(r)}</figure>
<figure class="panel"><figcaption>Top over-privileged identities <span class="muted">(creep score)</span></figcaption>${creepChart(r)}</figure>
</section>`;
}

const evidenceList = (e: Finding['evidence']) =>
  Object.entries(e)
    .map(([k, v]) => `<div><span class="k">${h(k)}</span> ${h(String(v))}</div>`)
    .join('');

/** A documentation link; only http(s) URLs become links. */
const docLink = (url: string, i: number) =>
  /^https?:\/\//.test(url)
    ? `<a href="${h(url)}" rel="noopener noreferrer">docs${i > 0 ? ` ${i + 1}` : ''}</a>`
    : code(url);

function findingsTable(r: Report): string {
  if (r.findings.length === 0)
    return '<section id="findings" class="panel"><h2>Findings</h2><p class="muted">No findings.</p></section>';
  const rows = [...r.findings]
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) => SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.i - b.i,
    )
    .map(({ f }) => {
      const p = r.principals.find((x) => x.arn === f.principal);
      const who = p
        ? `<a href="#${principalId(r, p)}">${h(shortName(f.principal))}</a>`
        : h(shortName(f.principal));
      const refs = [
        ...(f.references.cis ?? []).map((c) => badge('ref', c)),
        ...(f.references.prowler ?? []).map((c) => badge('ref prowler', c)),
        ...(f.references.docs ?? []).map(docLink),
      ].join(' ');
      return `<tr>
<td data-v="${SEVERITIES.indexOf(f.severity)}">${sevBadge(f.severity)}</td>
<td><code>${h(f.ruleId)}</code></td>
<td data-v="${h(f.principal)}" title="${h(f.principal)}">${who}${f.key === undefined ? '' : `<div class="muted">${h(f.key)}</div>`}</td>
<td class="mono">${h(f.account)}</td>
<td><div class="title">${h(f.title)}</div><div class="fix">${h(f.remediation)}</div><div class="refs">${refs}</div></td>
<td class="ev">${evidenceList(f.evidence)}</td>
</tr>`;
    });
  const th = (label: string, type: 'num' | 'text') =>
    `<th data-type="${type}"><button type="button">${label}</button></th>`;
  return `<section id="findings" class="panel">
<div class="panel-head"><h2>Findings <span class="muted">(${num(r.findings.length)})</span></h2><input id="filter" type="search" placeholder="Filter findings…" aria-label="Filter findings"></div>
<table class="sortable findings"><thead><tr>${th('Severity', 'num')}${th('Rule', 'text')}${th('Identity', 'text')}${th('Account', 'text')}${th('Finding', 'text')}<th>Evidence</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

const CONFIDENCE_LABEL: Readonly<Record<PermissionEvidence['confidence'], string>> = {
  used: 'used',
  'used-per-access-advisor': 'Access Advisor',
  unused: 'unused',
  unknown: 'unknown',
};

function evidenceTable(title: string, cls: string, items: readonly PermissionEvidence[]): string {
  const body =
    items.length === 0
      ? '<p class="muted">Nothing.</p>'
      : `<table class="evidence"><thead><tr><th>Action</th><th>Evidence</th><th class="n">Calls</th><th>Last used</th><th>Why</th></tr></thead><tbody>${items
          .map(
            (e) => `<tr><td>${code(e.action)}${
              e.resources && e.resources.length > 0
                ? `<div class="res">${e.resources.map(code).join(' ')}</div>`
                : ''
            }${e.people && e.people.length > 0 ? `<div class="people">by ${e.people.map(h).join(', ')}</div>` : ''}</td>
<td>${badge(`conf conf-${e.confidence}`, CONFIDENCE_LABEL[e.confidence])}</td><td class="n">${num(e.count)}</td><td>${day(e.lastUsed)}</td><td>${h(e.reason)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<div class="${cls}"><h4>${title} <span class="muted">(${num(items.length)})</span></h4>${body}</div>`;
}

function proofBadge(name: string, p: ProofResult): string {
  const rows = (p.counterexamples ?? [])
    .map((c) => `<li>${code(c.action)} on ${code(c.resource)}: ${h(c.why)}</li>`)
    .join('');
  return `<div class="proof ${p.holds ? 'holds' : 'fails'}"><span class="mark">${p.holds ? '✓' : '✗'}</span><b>${name}</b> ${p.holds ? 'holds' : 'fails'}<span class="muted"> · checked ${h(p.checked)}</span>${rows === '' ? '' : `<ul class="cex">${rows}</ul>`}</div>`;
}

const sizeMeter = (p: ProposedPolicy) =>
  `<span class="meter" title="${num(p.size)} of ${num(p.limit)} characters"><svg viewBox="0 0 100 6" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><rect width="100" height="6" class="track"/><rect width="${Math.min(100, (100 * p.size) / Math.max(1, p.limit)).toFixed(1)}" height="6" class="fill${p.size > p.limit ? ' over' : ''}"/></svg></span>`;

const STATUS: Readonly<Record<Recommendation['status'], [string, string]>> = {
  proposed: ['st-proposed', 'rewrite proposed'],
  'not-proposed': ['st-not-proposed', 'not proposed'],
  keep: ['st-keep', 'keep as is'],
};

function recommendationHtml(rec: Recommendation): string {
  const plural = (n: number, one: string, many: string) => `${num(n)} ${n === 1 ? one : many}`;
  const what =
    rec.reason ??
    (rec.status === 'proposed'
      ? `Replace ${plural(rec.current.length, 'current policy', 'current policies')} with ${plural(rec.proposed.length, 'proposed policy', 'proposed policies')}, removing ${plural(
          rec.removed.reduce((n, e) => n + (e.actionCount ?? 1), 0),
          'action',
          'actions',
        )}.`
      : '');
  const parts = [
    `<p class="rec-head"><b>Recommendation:</b> ${STATUS[rec.status][1]}${what === '' ? '' : ` — ${h(what)}`}</p>`,
    ...(rec.applyVia === undefined
      ? []
      : [`<p class="rec-via">Apply through ${h(rec.applyVia)}.</p>`]),
    `<div class="proofs">${proofBadge('No new access', rec.proof.noNewAccess)}${proofBadge('Usage covered', rec.proof.usageCovered)}</div>`,
    `<div class="cols">${evidenceTable('Kept', 'kept', rec.kept)}${evidenceTable('Removed', 'removed', rec.removed)}</div>`,
  ];
  if (rec.proposed.length > 0) {
    const before = rec.current.flatMap((c) => policyLines(currentLabel(c), c.document));
    const after = rec.proposed.flatMap((p) => policyLines(`${p.name} (${p.kind})`, p.document));
    const sizes = rec.proposed
      .map(
        (p) =>
          `<li>${code(p.name)} <span class="muted">${h(p.kind)}</span> ${sizeMeter(p)} <span class="muted">${num(p.size)} / ${num(p.limit)} chars</span></li>`,
      )
      .join('');
    parts.push(
      `<h4>Current → proposed policy${rec.status === 'proposed' ? '' : ' <span class="muted">(not applied)</span>'}</h4><ul class="sizes">${sizes}</ul>${diffHtml(lineDiff(before, after))}`,
      `<details class="more"><summary>Proposed policy JSON</summary>${rec.proposed.map((p) => `<pre class="code">${h(JSON.stringify(p.document, null, 2))}</pre>`).join('')}</details>`,
    );
  }
  if (rec.terraform.trim() !== '')
    parts.push(
      `<details class="more"><summary>Terraform</summary><pre class="code">${h(rec.terraform)}</pre></details>`,
    );
  parts.push(
    rec.current.length === 0
      ? '<p class="muted">Rollback: the identity has no identity policies today.</p>'
      : `<details class="more"><summary>Rollback: restore ${num(rec.current.length)} current ${rec.current.length === 1 ? 'policy' : 'policies'}</summary>${rec.current
          .map(
            (c) =>
              `<div class="rb"><b>${h(c.name)}</b> <span class="muted">${h(c.kind)}${c.viaGroup === undefined ? '' : ` · via group ${h(c.viaGroup)}`} · ${h(c.id)}</span>${c.document === undefined ? '<p class="muted">AWS managed: attach this ARN again.</p>' : `<pre class="code">${h(JSON.stringify(c.document, null, 2))}</pre>`}</div>`,
          )
          .join('')}</details>`,
  );
  return parts.join('\n');
}

function identity(r: Report, p: PrincipalReport, open: boolean): string {
  const s = p.score;
  const status = p.recommendation ? badge(...STATUS[p.recommendation.status]) : '';
  const risks = p.unusedRisks.map((x) => badge('risk', x)).join(' ');
  return `<details class="identity" id="${principalId(r, p)}"${open ? ' open' : ''}>
<summary><span class="creep" title="permission creep">${num(s.creep)}</span><span class="who"><b>${h(shortName(p.arn))}</b> <span class="muted mono">${h(p.arn)}</span></span>${badge('kind', `${p.type} · ${p.kind}`)}${status}</summary>
<div class="body">
<div class="stats"><span>account <b class="mono">${h(p.account)}</b></span><span>last activity <b>${day(p.lastActivity)}</b></span><span>granted <b>${num(s.granted)}</b></span><span>used <b>${num(s.used)}</b> (${pct(s.used, s.granted)})</span><span>high-risk unused <b>${num(s.highRiskUnused)}</b></span><span>creep <b>${num(s.creep)}</b>${change(s)}</span></div>
${risks === '' ? '' : `<div class="risks">${risks}</div>`}
${p.accessAnalyzer && p.accessAnalyzer.length > 0 ? `<div class="aa"><h4>IAM Access Analyzer</h4><table class="compact"><thead><tr>${ANALYZER_HEAD}</tr></thead><tbody>${p.accessAnalyzer.map((c) => `<tr>${analyzerCells(c)}</tr>`).join('')}</tbody></table></div>` : ''}
${p.recommendation ? recommendationHtml(p.recommendation) : '<p class="muted">No recommendation.</p>'}
</div>
</details>`;
}

function identities(r: Report): string {
  const ordered = byCreep(r.principals);
  const detailed = ordered.slice(0, DETAILED_IDENTITIES);
  const rest = ordered.slice(DETAILED_IDENTITIES);
  const first = detailed.find((p) => p.recommendation?.status === 'proposed');
  const more =
    rest.length === 0
      ? ''
      : `<h3>${num(rest.length)} more identities <span class="muted">(in detail in report.json)</span></h3>
<table class="compact"><thead><tr><th>Identity</th><th>Granted</th><th>Used</th><th>Creep</th><th>Rewrite</th></tr></thead><tbody>${rest
          .map(
            (p) =>
              `<tr><td>${code(p.arn)}</td><td class="n">${num(p.score.granted)}</td><td class="n">${num(p.score.used)}</td><td class="n">${num(p.score.creep)}</td><td>${h(p.recommendation?.status ?? '–')}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<section id="identities"><h2>Identities <span class="muted">(${num(ordered.length)}, worst first)</span></h2>
${ordered.length === 0 ? '<p class="muted">No identities.</p>' : detailed.map((p) => identity(r, p, p === first)).join('\n')}
${more}
</section>`;
}

const AGREEMENT: Readonly<Record<AccessAnalyzerComparison['agreement'], string>> = {
  agree: 'agree',
  partly: 'partly',
  disagree: 'disagree',
};

/** What Access Analyzer calls unused. */
function analyzerSays(c: AccessAnalyzerComparison): string {
  if (c.findingType === 'UnusedPermission')
    return (c.unusedActions ?? []).map(code).join(' ') || '–';
  const key =
    c.findingType === 'UnusedIAMUserAccessKey'
      ? `access key${c.accessKeyId === undefined ? '' : ` ${code(c.accessKeyId)}`}, `
      : '';
  return `${key}last used ${day(c.lastAccessed)}`;
}

const agreementBadge = (c: AccessAnalyzerComparison) =>
  badge(`aa aa-${c.agreement}`, AGREEMENT[c.agreement], c.note);

/** One Access Analyzer finding next to our evidence: the table cells. */
const analyzerCells = (c: AccessAnalyzerComparison): string =>
  `<td>${code(c.findingType)}</td><td>${analyzerSays(c)}</td><td>${(c.usedPerUs ?? []).map(code).join(' ') || '–'}</td><td>${agreementBadge(c)}</td><td>${h(c.note)}</td>`;

const ANALYZER_HEAD =
  '<th>Access Analyzer finding</th><th>Unused per Access Analyzer</th><th>Used per us</th><th>Agreement</th><th>Why</th>';

/** IAM Access Analyzer's unused-access findings, side by side with ours (when present). */
function accessAnalyzer(r: Report): string {
  const rows = r.principals.flatMap((p) => (p.accessAnalyzer ?? []).map((c) => ({ p, c })));
  if (rows.length === 0) return '';
  const count = (a: AccessAnalyzerComparison['agreement']) =>
    rows.filter((x) => x.c.agreement === a).length;
  return `<section id="access-analyzer" class="panel"><h2>IAM Access Analyzer, side by side <span class="muted">(${num(rows.length)} findings: ${num(count('agree'))} agree, ${num(count('partly'))} partly, ${num(count('disagree'))} disagree)</span></h2>
<table class="compact aa-table"><thead><tr><th>Identity</th>${ANALYZER_HEAD}</tr></thead><tbody>${rows
    .map(
      ({ p, c }) =>
        `<tr><td><a href="#${principalId(r, p)}">${h(shortName(p.arn))}</a></td>${analyzerCells(c)}</tr>`,
    )
    .join('')}</tbody></table></section>`;
}

function inputIssues(r: Report): string {
  if (r.inputIssues.length === 0) return '';
  return `<section id="input-issues" class="panel"><h2>Input issues <span class="muted">(${num(r.inputIssues.length)})</span></h2><ul>${r.inputIssues
    .map((i) => `<li>${code(i.where)}: ${h(i.message)}</li>`)
    .join('')}</ul></section>`;
}

// ───────────────────────────── page ─────────────────────────────

const CSS = `
:root{--bg:#f1f5f9;--fg:#0f172a;--muted:#64748b;--card:#fff;--line:#e2e8f0;--code:#f8fafc;--accent:#4f46e5;--ok:#15803d;--ok-bg:#dcfce7;--bad:#b91c1c;--bad-bg:#fee2e2;--add:#dcfce7;--add-fg:#14532d;--del:#fee2e2;--del-fg:#7f1d1d;--warn-bg:#fef3c7;--warn:#92400e}
@media (prefers-color-scheme:dark){:root{--bg:#0b1120;--fg:#e2e8f0;--accent:#a5b4fc;--muted:#94a3b8;--card:#111827;--line:#1f2937;--code:#0f172a;--ok:#4ade80;--ok-bg:#052e16;--bad:#f87171;--bad-bg:#450a0a;--add:#052e16;--add-fg:#bbf7d0;--del:#450a0a;--del-fg:#fecaca;--warn-bg:#451a03;--warn:#fcd34d}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
a{color:var(--accent)}
.wrap,main{max-width:1200px;margin:0 auto;padding:0 28px}
header.top{background:#0f172a;color:#f8fafc;padding:26px 0 22px;border-bottom:4px solid ${CHART_COLORS.granted}}
.brand{font-weight:700;letter-spacing:.12em;text-transform:uppercase;font-size:12px;color:#a5b4fc}
h1{margin:4px 0 6px;font-size:28px;line-height:1.2}
.sub{margin:0;font-size:16px;color:#e2e8f0}.meta{margin:6px 0 0;font-size:12px;color:#94a3b8}
h2{font-size:19px;margin:0 0 12px}h4{margin:16px 0 8px;font-size:14px}
.muted{color:var(--muted);font-weight:400}
main{padding-top:22px;padding-bottom:40px}
.cards{display:grid;grid-template-columns:1.5fr repeat(4,1fr);gap:14px;margin-bottom:18px}
.card,.panel{background:var(--card);border:1px solid var(--line);border-radius:12px;box-shadow:0 1px 2px rgba(15,23,42,.06)}
.card{padding:14px 16px}
.card .label{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.card .value{font-size:30px;font-weight:700;line-height:1.2;margin:4px 0}
.card .value small{font-size:14px;color:var(--muted);font-weight:500}
.hint{font-size:12px;color:var(--muted)}
.chg{font-size:13px;font-weight:600}.chg.worse{color:var(--bad)}.chg.better{color:var(--ok)}
.sevbar{display:block;width:100%;height:8px;border-radius:4px;margin:6px 0 8px}
.sevlist{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 12px;font-size:12px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px}
${SEVERITIES.map((s) => `.dot-${s},.badge.sev-${s}{background:${SEVERITY_COLORS[s]}}`).join('\n')}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin-bottom:18px}
figure.panel{margin:0;padding:14px 16px}
figcaption{font-weight:600;margin-bottom:8px}
svg.chart{display:block;width:100%;height:auto}
svg .lbl{font-size:12px;fill:currentColor}svg .val{font-size:11.5px;fill:var(--muted)}svg .tick{font-size:10px;fill:var(--muted)}svg .grid{stroke:var(--line);stroke-width:1}
svg .mono{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}
svg a:hover rect{opacity:.8}
.panel{padding:16px 18px;margin-bottom:18px;overflow-x:auto}
.panel-head{display:flex;justify-content:space-between;align-items:center;gap:12px}
#filter{font:inherit;padding:5px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);min-width:240px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:7px 8px;border-bottom:1px solid var(--line)}
table.findings{table-layout:fixed}table.findings td{overflow-wrap:break-word}
table.findings th:nth-child(1){width:96px}table.findings th:nth-child(2){width:175px}table.findings th:nth-child(3){width:190px}table.findings th:nth-child(4){width:122px}table.findings th:nth-child(6){width:220px}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);white-space:nowrap}
th button{all:unset;cursor:pointer}th button::after{content:" ↕";opacity:.35}
th[aria-sort=ascending] button::after{content:" ▲";opacity:1}th[aria-sort=descending] button::after{content:" ▼";opacity:1}
table.findings td{font-size:13px}
td .title{font-weight:600}td .fix{color:var(--muted);white-space:pre-line;margin-top:2px}td .refs{margin-top:4px}
td.ev{font-size:12px;min-width:170px}td.ev .k{color:var(--muted)}td.ev div{white-space:pre-line}
td.n,th.n{text-align:right}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;font-weight:600;line-height:18px;white-space:nowrap;background:var(--code);border:1px solid var(--line);color:var(--fg)}
.badge.sev{color:#fff;border:0;text-transform:uppercase;letter-spacing:.03em;font-size:10.5px}.badge.sev-medium{color:#422006}
.badge.ref{font-weight:500}
.badge.risk{background:var(--bad-bg);color:var(--bad);border-color:transparent}
.badge.st-proposed{background:var(--ok-bg);color:var(--ok);border-color:transparent}
.badge.st-not-proposed{background:var(--warn-bg);color:var(--warn);border-color:transparent}
.badge.aa-agree{background:var(--ok-bg);color:var(--ok);border-color:transparent}.badge.aa-partly{background:var(--warn-bg);color:var(--warn);border-color:transparent}.badge.aa-disagree{background:var(--bad-bg);color:var(--bad);border-color:transparent}
.badge.conf-used{color:var(--ok)}.badge.conf-unused{color:var(--bad)}.badge.conf-unknown{color:var(--warn)}
#identities h2{margin-top:6px}
details.identity{background:var(--card);border:1px solid var(--line);border-radius:12px;margin-bottom:10px;overflow:hidden}
details.identity>summary{cursor:pointer;padding:11px 16px;display:flex;align-items:center;gap:10px;list-style:none}
details.identity>summary::-webkit-details-marker{display:none}
details.identity>summary::before{content:"▸";color:var(--muted)}details.identity[open]>summary::before{content:"▾"}
details.identity[open]>summary{border-bottom:1px solid var(--line)}
.creep{display:inline-block;min-width:38px;text-align:center;font-weight:700;color:#fff;background:${CHART_COLORS.creep};border-radius:8px;padding:2px 6px}
.who{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.body{padding:12px 16px 16px}
.stats{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13px;color:var(--muted)}.stats b{color:var(--fg)}
.risks{margin-top:8px}
.rec-head{margin:12px 0 0}
.proofs{display:flex;flex-wrap:wrap;gap:10px;margin-top:10px}
.proof{padding:6px 12px;border-radius:8px;font-size:13px}
.proof.holds{background:var(--ok-bg);color:var(--ok)}.proof.fails{background:var(--bad-bg);color:var(--bad)}
.proof .mark{font-weight:700;margin-right:6px}.proof .muted{color:inherit;opacity:.8}
.cex{margin:6px 0 0;padding-left:18px;color:var(--fg)}
.cols{display:grid;grid-template-columns:1fr;gap:4px}
table.evidence{table-layout:fixed}table.evidence td,table.evidence th{font-size:12.5px;padding:5px 6px}table.evidence th:nth-child(1){width:34%}table.evidence th:nth-child(2){width:130px}table.evidence th:nth-child(3){width:80px}table.evidence th:nth-child(4){width:100px}table.evidence code{overflow-wrap:anywhere}
.res,.people{font-size:11.5px;color:var(--muted);margin-top:2px;word-break:break-all}
.kept h4{color:var(--ok)}.removed h4{color:var(--bad)}
.sizes{list-style:none;padding:0;margin:0 0 8px;font-size:13px}
.meter svg{width:90px;height:6px;vertical-align:middle;border-radius:3px}.meter .track{fill:var(--line)}.meter .fill{fill:var(--ok)}.meter .fill.over{fill:var(--bad)}
pre{margin:0;overflow:auto;background:var(--code);border:1px solid var(--line);border-radius:8px;padding:10px 12px;line-height:1.45}
pre.diff span.add{display:block;background:var(--add);color:var(--add-fg)}pre.diff span.del{display:block;background:var(--del);color:var(--del-fg)}
pre.diff span.ctx{display:block}pre.diff .op{display:inline-block;width:1.5em;opacity:.7;user-select:none}
pre.diff .fold{display:block;color:var(--muted);font-style:italic;text-align:center}
details.more{margin-top:10px}details.more>summary{cursor:pointer;font-weight:600}details.more>pre,details.more .rb{margin-top:6px}
footer{max-width:1200px;margin:0 auto;padding:0 28px 30px;color:var(--muted);font-size:12px}
@media (max-width:900px){.cards{grid-template-columns:1fr 1fr}.charts{grid-template-columns:1fr}}
@media print{
:root{--bg:#fff;--card:#fff;--code:#fff}
body{font-size:11px}
header.top{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 10px}
.brand,.sub,.meta{color:#000}
.card,.panel,details.identity,figure{box-shadow:none;break-inside:avoid}
#filter,th button::after,details>summary::before{display:none}
details.identity{break-inside:auto}
a{color:inherit;text-decoration:none}
pre{white-space:pre-wrap;word-break:break-all}
}
`;

/** Sorting, filtering, print and error reporting: a few lines, no dependencies. */
const SCRIPT = `
(function () {
  var root = document.documentElement;
  window.addEventListener('error', function (e) { root.setAttribute('data-page-error', String(e.message)); });
  document.addEventListener('securitypolicyviolation', function (e) {
    root.setAttribute('data-csp-violation', e.violatedDirective + ' ' + e.blockedURI);
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  function openTarget() {
    var t = location.hash && document.getElementById(location.hash.slice(1));
    if (t && t.tagName === 'DETAILS') t.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('table.sortable').forEach(function (table) {
      var heads = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(heads, function (th, col) {
        var button = th.querySelector('button');
        if (!button) return;
        button.addEventListener('click', function () {
          var asc = th.getAttribute('aria-sort') !== 'ascending';
          Array.prototype.forEach.call(heads, function (x) { x.removeAttribute('aria-sort'); });
          th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
          var numeric = th.getAttribute('data-type') === 'num';
          var body = table.tBodies[0];
          var rows = Array.prototype.map.call(body.rows, function (row, i) {
            var cell = row.cells[col];
            var v = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent.trim();
            return { row: row, v: numeric ? Number(v) : v, i: i };
          });
          rows.sort(function (a, b) {
            var d = numeric ? a.v - b.v : a.v.localeCompare(b.v);
            return (asc ? d : -d) || a.i - b.i;
          });
          rows.forEach(function (r) { body.appendChild(r.row); });
        });
      });
    });
    var filter = document.getElementById('filter');
    if (filter) filter.addEventListener('input', function () {
      var q = filter.value.toLowerCase();
      document.querySelectorAll('table.findings tbody tr').forEach(function (tr) {
        tr.hidden = q !== '' && tr.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    openTarget();
    document.body.setAttribute('data-ready', 'true');
  });
})();
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/**
 * The page's Content-Security-Policy: nothing from anywhere (`default-src 'none'`), only our
 * style and script by hash, links only by navigation.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(CSS)}`,
  `script-src ${sha256(SCRIPT)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The report as one self-contained HTML page. */
export function renderHtml(report: Report): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="leastpriv ${h(report.tool.version)}">
<title>leastpriv report — as of ${h(report.asOf)}</title>
<style>${CSS}</style>
<script>${SCRIPT}</script>
</head>
<body>
${header(report)}
<main>
${cards(report)}
${charts(report)}
${findingsTable(report)}
${accessAnalyzer(report)}
${identities(report)}
${inputIssues(report)}
</main>
<footer>leastpriv ${h(report.tool.version)} · report schema ${h(report.schemaVersion)} · every proposed policy is proven to grant nothing new and to keep everything used in the window.</footer>
</body>
</html>
`;
}
