/**
 * The findings CSV: RFC 4180 (checked by round-tripping through a strict parser written here from
 * the RFC's grammar) and defused against spreadsheet formulas.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../recommender/model.js';
import { CSV_COLUMNS, csvField, renderCsv } from '../../src/report/csv.js';
import { EMPTY_REPORT, SAMPLE_REPORT, TRICKY } from './sample-report.js';

/**
 * RFC 4180 §2, strictly: records end in CRLF; a field is either plain (no `"`, `,`, CR or LF) or
 * quoted (any text, `""` for a quote); a bare CR or LF outside quotes is an error.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && !',\r\n'.includes(text[i] as string)) {
        if (text[i] === '"') throw new Error(`quote in an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
      if (i === text.length) return records;
      continue;
    }
    throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text.slice(i, i + 5))}`);
  }
}

/** What a cell should read back as: the value, with `'` before a formula-like start. */
const defused = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const expectedRow = (f: Finding): string[] =>
  [
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
  ].map(defused);

describe('renderCsv', () => {
  const csv = renderCsv(SAMPLE_REPORT);
  const rows = parseCsv(csv);

  it('has the header, then one row per finding in report order', () => {
    expect(rows[0]).toEqual([
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
    ]);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1)).toEqual(SAMPLE_REPORT.findings.map(expectedRow));
  });

  it('ends every record with CRLF and never has a bare line break outside quotes', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    // Outside quoted fields every LF is preceded by CR (parseCsv also rejects bare ones).
    const outside = csv.replace(/"(?:[^"]|"")*"/g, '""');
    expect(outside.match(/\r\n/g)).toHaveLength(SAMPLE_REPORT.findings.length + 1);
    expect(outside.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(TRICKY.multiline)).toBe(`"${TRICKY.multiline}"`);
    expect(csvField('')).toBe('');
    expect(csv).toContain('"Create a second key, switch clients to it');
    const etl = rows.find((r) => r[3]?.includes('svc+etl'));
    expect(etl?.[3]).toBe(
      'arn:aws:iam::111111111111:role/service-role/svc+etl=nightly,v2@team_a-1',
    );
    expect(etl?.[6]).toContain('note=first line\nsecond line, with a comma');
  });

  it('defuses cells that a spreadsheet would run as formulas', () => {
    for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvField(bad).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvField(TRICKY.formula)).toBe(`"'${TRICKY.formula.replaceAll('"', '""')}"`);
    const remediations = rows.slice(1).map((r) => r[7] ?? '');
    expect(remediations).toContain(`'${TRICKY.formula}`);
    expect(remediations).toContain(
      `'@team: enable S3 data events on the organisation trail (${TRICKY.unicode}).`,
    );
    expect(remediations.some((r) => r.startsWith("'-1 action group"))).toBe(true);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('keeps unicode as is', () => {
    expect(csv).toContain(TRICKY.unicode);
  });

  it('is just the header for a report without findings', () => {
    expect(renderCsv(EMPTY_REPORT)).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
});
