/**
 * The findings as CSV (RFC 4180: CRLF line endings, fields with a comma, quote or line break
 * quoted, quotes doubled), one row per finding in report order, for spreadsheets and ticketing
 * imports. https://www.rfc-editor.org/rfc/rfc4180
 */
import type { Finding, Report } from '../../recommender/model.js';

/** The header row, in column order. */
export const CSV_COLUMNS = [
  'ruleId',
  'severity',
  'account',
  'principal',
  'key',
  'title',
  'evidence',
  'remediation',
  'cis',
  'prowler',
] as const;

/**
 * Characters that make a spreadsheet read a cell as a formula (CSV injection): such a cell gets a
 * leading `'`, which spreadsheets show as text. Tab and carriage return are included because some
 * spreadsheets strip them before the check. https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: defused against formulas, then quoted when RFC 4180 requires it. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const row = (f: Finding): readonly string[] => [
  f.ruleId,
  f.severity,
  f.account,
  f.principal,
  f.key ?? '',
  f.title,
  Object.entries(f.evidence)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('; '),
  f.remediation,
  (f.references.cis ?? []).join(' '),
  (f.references.prowler ?? []).join(' '),
];

/** The findings as RFC 4180 CSV with a header row, every line ending in CRLF. */
export function renderCsv(report: Report): string {
  return [CSV_COLUMNS, ...report.findings.map(row)]
    .map((cells) => `${cells.map(csvField).join(',')}\r\n`)
    .join('');
}
