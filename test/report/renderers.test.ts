/**
 * The conformance suite every report renderer runs: pure (same input, same bytes; the input is not
 * touched), total (an empty report renders), complete (every finding's rule and principal shows).
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../recommender/model.js';
import {
  REPORT_FILE_NAMES,
  REPORT_FORMATS,
  renderReport,
  type ReportFormat,
} from '../../src/report/index.js';
import { EMPTY_REPORT, SAMPLE_REPORT } from './sample-report.js';

/** Freezes `value` and everything in it, so a renderer that mutates its input throws. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const frozen: Report = deepFreeze(structuredClone(SAMPLE_REPORT));

describe.each(REPORT_FORMATS.map((f) => [f] as [ReportFormat]))(
  'renderer conformance: %s',
  (format) => {
    it('is deterministic and leaves its input alone', () => {
      const before = JSON.stringify(frozen);
      const a = renderReport(frozen, format);
      expect(renderReport(structuredClone(SAMPLE_REPORT), format)).toBe(a);
      expect(JSON.stringify(frozen)).toBe(before);
    });

    it('renders an empty report, ending in a line break', () => {
      const out = renderReport(EMPTY_REPORT, format);
      expect(out.length).toBeGreaterThan(0);
      expect(out.endsWith('\n')).toBe(true);
      expect(renderReport(SAMPLE_REPORT, format).endsWith('\n')).toBe(true);
    });

    it("names every finding's rule and principal", () => {
      const out = renderReport(SAMPLE_REPORT, format);
      for (const f of SAMPLE_REPORT.findings) {
        expect(out).toContain(f.ruleId);
        // HTML shows principals escaped; `&` never occurs in an ARN, `,` and `=` may.
        expect(out).toContain(f.principal.split(/[:/]/).pop());
      }
    });
  },
);

describe('renderReport', () => {
  it('has one file name per format', () => {
    expect(Object.keys(REPORT_FILE_NAMES).sort()).toEqual([...REPORT_FORMATS].sort());
    expect(REPORT_FILE_NAMES).toEqual({
      html: 'report.html',
      md: 'report.md',
      json: 'report.json',
      csv: 'findings.csv',
      sarif: 'report.sarif',
    });
  });
});
