/**
 * The IAM credential report (CSV, decoded from `aws iam get-credential-report`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 */
import type { Issue } from '../result.js';
import type { CredentialReportRow } from './account.js';

const REQUIRED = [
  'user',
  'arn',
  'password_enabled',
  'mfa_active',
  'access_key_1_active',
  'access_key_2_active',
] as const;

/** Splits one CSV line (the report quotes nothing in practice, but quoted fields are honoured). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** `N/A`, `not_supported`, `no_information` and empty mean "no date". */
function date(value: string | undefined): string | undefined {
  if (
    value === undefined ||
    value === '' ||
    value === 'N/A' ||
    value === 'not_supported' ||
    value === 'no_information'
  )
    return undefined;
  return value;
}

/** Parses a credential report; problems are reported as `file:line`, and bad rows are skipped. */
export function parseCredentialReport(
  text: string,
  file: string,
): { rows: CredentialReportRow[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '');
  const missing = REQUIRED.filter((h) => !header.includes(h));
  if (missing.length > 0) {
    return {
      rows: [],
      issues: [
        {
          code: 'invalid_credential_report',
          message: `the header lacks ${missing.map((m) => `\`${m}\``).join(', ')}`,
          path: `${file}:1`,
        },
      ],
    };
  }
  const column = (name: string) => header.indexOf(name);
  const rows: CredentialReportRow[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) {
      issues.push({
        code: 'invalid_credential_report',
        message: `the row has ${cells.length} fields, the header ${header.length}`,
        path: `${file}:${i + 2}`,
      });
      return;
    }
    const get = (name: string): string | undefined =>
      column(name) === -1 ? undefined : cells[column(name)];
    const key = (slot: 1 | 2) => ({
      slot,
      active: get(`access_key_${slot}_active`) === 'true',
      lastRotated: date(get(`access_key_${slot}_last_rotated`)),
      lastUsedDate: date(get(`access_key_${slot}_last_used_date`)),
      lastUsedService: date(get(`access_key_${slot}_last_used_service`)),
    });
    rows.push({
      user: get('user') ?? '',
      arn: get('arn') ?? '',
      userCreationTime: date(get('user_creation_time')),
      passwordEnabled: get('password_enabled') === 'true',
      passwordLastUsed: date(get('password_last_used')),
      passwordLastChanged: date(get('password_last_changed')),
      mfaActive: get('mfa_active') === 'true',
      accessKeys: [key(1), key(2)],
    });
  });
  return { rows, issues };
}
