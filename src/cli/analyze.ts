/**
 * `leastpriv analyze SNAPSHOT [--as-of DATE] [--window 90d] [--out DIR] [--format html,md,json,csv,sarif]
 * [--fail-on SEVERITY] [--previous report.json] [--db FILE]`: the main job. Writes the report files,
 * prints a summary, and exits 0 (done), 1 (findings at or above --fail-on) or 2 (bad input).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SEVERITIES, type Report, type Severity } from '../../recommender/model.js';
import { analyzeSnapshot, type AnalyzeResult } from '../analyze.js';
import {
  REPORT_FILE_NAMES,
  REPORT_FORMATS,
  renderReport,
  type ReportFormat,
} from '../report/index.js';

type Out = NodeJS.WritableStream;

/** What the command line gave. */
export interface AnalyzeCommandOptions {
  readonly asOf?: string;
  readonly windowDays: number;
  readonly out: string;
  readonly formats: readonly ReportFormat[];
  readonly failOn?: Severity;
  readonly previous?: string;
  readonly db?: string;
  readonly engine?: 'node' | 'duckdb';
  readonly gracePeriodDays?: number;
  readonly passwordUnusedDays?: number;
  readonly accessKeyUnusedDays?: number;
  readonly keyRotationDays?: number;
  readonly tty: boolean;
  readonly version: string;
}

/** Parses `--format html,md` into formats, or undefined when one is unknown. */
export function parseFormats(text: string): ReportFormat[] | undefined {
  const list = text
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== '');
  const known = new Set<string>(REPORT_FORMATS);
  if (list.length === 0 || !list.every((f) => known.has(f))) return undefined;
  return [...new Set(list)] as ReportFormat[];
}

/** Parses a severity name, or undefined. */
export function parseSeverity(text: string): Severity | undefined {
  const s = text.toLowerCase();
  return (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : undefined;
}

/** Reads a previous report (for trends), or says why it cannot. */
function readPrevious(path: string): { ok: true; report: Report } | { ok: false; why: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { ok: false, why: `cannot read \`${path}\`: ${(e as Error).message}` };
  }
  const report = json as Partial<Report>;
  if (typeof report !== 'object' || report === null || report.schemaVersion === undefined)
    return { ok: false, why: `\`${path}\` is not a leastpriv report.json (no schemaVersion)` };
  if (!Array.isArray(report.principals) || !Array.isArray(report.accounts) || !report.summary)
    return { ok: false, why: `\`${path}\` is not a leastpriv report.json (no principals)` };
  return { ok: true, report: report as Report };
}

/** Runs `analyze`; resolves to the exit code. */
export async function analyzeCommand(
  dir: string,
  options: AnalyzeCommandOptions,
  out: Out,
  err: Out,
): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(join(dir, 'accounts'))) {
    err.write(
      `leastpriv analyze: \`${dir}\` is not a snapshot directory (no accounts/; see docs/snapshot.md)\n`,
    );
    return 2;
  }
  let previous: Report | undefined;
  if (options.previous) {
    const read = readPrevious(options.previous);
    if (!read.ok) {
      err.write(`leastpriv analyze: --previous: ${read.why}\n`);
      return 2;
    }
    previous = read.report;
  }
  const progress = options.tty
    ? (phase: string, detail?: string) => err.write(`\r\x1b[K${phase}: ${detail ?? ''}`)
    : undefined;
  let result: AnalyzeResult;
  try {
    result = await analyzeSnapshot(dir, {
      ...(options.asOf ? { asOf: options.asOf } : {}),
      windowDays: options.windowDays,
      ...(options.db ? { db: options.db } : {}),
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.gracePeriodDays !== undefined
        ? { gracePeriodDays: options.gracePeriodDays }
        : {}),
      ...(options.passwordUnusedDays !== undefined
        ? { passwordUnusedDays: options.passwordUnusedDays }
        : {}),
      ...(options.accessKeyUnusedDays !== undefined
        ? { accessKeyUnusedDays: options.accessKeyUnusedDays }
        : {}),
      ...(options.keyRotationDays !== undefined
        ? { keyRotationDays: options.keyRotationDays }
        : {}),
      ...(previous ? { previous } : {}),
      ...(progress ? { onPhase: progress } : {}),
      ...(options.tty
        ? {
            onIngestProgress: (p) =>
              err.write(
                `\r\x1b[Kingest: ${p.filesDone}/${p.filesTotal} files, ${p.records.toLocaleString('en-US')} records`,
              ),
          }
        : {}),
      version: options.version,
    });
  } catch (e) {
    err.write(`${options.tty ? '\n' : ''}leastpriv analyze: ${(e as Error).message}\n`);
    return 2;
  }
  if (options.tty) err.write('\r\x1b[K');
  const { report } = result;
  mkdirSync(options.out, { recursive: true });
  const files = options.formats.map((format) => {
    const path = join(options.out, REPORT_FILE_NAMES[format]);
    writeFileSync(path, renderReport(report, format));
    return resolve(path);
  });
  const s = report.summary;
  const failing = options.failOn
    ? report.findings.filter(
        (f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(options.failOn!),
      ).length
    : 0;
  if (options.tty) {
    out.write(
      `${s.principals} principals in ${s.accounts} accounts, as of ${report.asOf} (${report.windowDays} days): ` +
        `${s.recommendations} rewrites proposed, permission creep ${s.score.creep}/100 ` +
        `(${s.score.used.toLocaleString('en-US')} of ${s.score.granted.toLocaleString('en-US')} granted actions used)\n` +
        `findings: ${SEVERITIES.map((v) => `${s.findings[v]} ${v}`).join(', ')}\n` +
        files.map((f) => `  ${f}\n`).join('') +
        (report.inputIssues.length > 0
          ? `${report.inputIssues.length} input problem(s): see the report\n`
          : ''),
    );
  } else
    out.write(
      `${JSON.stringify({ files, asOf: report.asOf, windowDays: report.windowDays, summary: s, inputIssues: report.inputIssues.length, phases: result.phases, failOn: options.failOn ?? null, failing }, null, 2)}\n`,
    );
  if (failing > 0) {
    err.write(
      `leastpriv analyze: ${failing} finding(s) at or above ${options.failOn} (--fail-on)\n`,
    );
    return 1;
  }
  return 0;
}
