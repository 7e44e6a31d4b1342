/**
 * Report renderers: one `Report`, one pure function per format, each returning the file's text.
 */
import type { Report } from '../../recommender/model.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';

/** The formats a report is rendered in. */
export const REPORT_FORMATS = ['html', 'md', 'json', 'csv', 'sarif'] as const;

/** One of `REPORT_FORMATS`. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The file each format is written to. */
export const REPORT_FILE_NAMES: Readonly<Record<ReportFormat, string>> = {
  html: 'report.html',
  md: 'report.md',
  json: 'report.json',
  csv: 'findings.csv',
  sarif: 'report.sarif',
};

const RENDERERS: Readonly<Record<ReportFormat, (report: Report) => string>> = {
  html: renderHtml,
  md: renderMarkdown,
  json: renderJson,
  csv: renderCsv,
  sarif: renderSarif,
};

/** The report in one format. */
export function renderReport(report: Report, format: ReportFormat): string {
  return RENDERERS[format](report);
}

export { renderCsv, renderHtml, renderJson, renderMarkdown, renderSarif };
