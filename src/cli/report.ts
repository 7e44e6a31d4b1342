/**
 * `leastpriv report --month YYYY-MM --data DIR --estate NAME [--out DIR] [--format LIST]`:
 * reproduces a month of the service's monthly job from what it stored: the month's snapshot
 * (`DATA/snapshots/<estate>-<month>/`), a copy of the estate's usage store as it was before the
 * month, and the previous month's report as baseline. Writes the report files and says whether
 * the reproduced JSON equals the stored one (apart from `generatedAt`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { Report } from '../../recommender/model.js';
import { analyzeSnapshot } from '../analyze.js';
import { REPORT_FILE_NAMES, renderReport } from '../report/index.js';
import { readReport, resetUsageStore } from '../service/monthly-files.js';
import { catalogCallSync } from '../service/catalog-client.js';
import { readRuns, runsPath, succeededEstateRun, type RunsState } from '../service/runs.js';
import { monthOf } from '../service/scheduler.js';
import { parseFormats } from './analyze.js';

type Out = NodeJS.WritableStream;

const USAGE =
  'usage: leastpriv report --month YYYY-MM --data DIR --estate NAME [--out DIR] [--format html,md,json,csv,sarif]\n';

/** Fields that say when a report was made, not what it says. */
const WHEN_MADE = ['generatedAt'] as const;

/** A report's JSON without the fields that say when it was made. */
export function comparable(report: unknown): unknown {
  const copy = { ...(report as Record<string, unknown>) };
  for (const key of WHEN_MADE) delete copy[key];
  return copy;
}

/**
 * The report JSON the service stored for a job: from its catalog (which the running service
 * lets go of between writes), else from the report file (a data directory of the previous
 * layout, or a report the catalog does not have).
 */
function storedReport(data: string, jobId: string, file: string): string | undefined {
  const stored = catalogCallSync({ op: 'read-report', dataDir: data, jobId, format: 'json' });
  if (typeof stored === 'string') return stored;
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Runs `leastpriv report`; resolves to the exit code (0 written, 2 bad input or no such month). */
export async function reportCommand(
  args: readonly string[],
  out: Out,
  err: Out,
  version: string,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        month: { type: 'string' },
        data: { type: 'string' },
        estate: { type: 'string' },
        out: { type: 'string', default: 'leastpriv-report' },
        format: { type: 'string', default: 'html,md,json,csv,sarif' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    err.write(`leastpriv report: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const fail = (message: string): number => {
    err.write(`leastpriv report: ${message}\n`);
    return 2;
  };
  const month = values.month === undefined ? undefined : monthOf(values.month);
  const formats = parseFormats(values.format);
  const problems = [
    ...(values.month === undefined ? ['give --month YYYY-MM'] : []),
    ...(values.month !== undefined && month === undefined
      ? [`--month takes a month (YYYY-MM, 01 to 12), not \`${values.month}\``]
      : []),
    ...(values.data === undefined ? ['give --data DIR (the service data directory)'] : []),
    ...(values.estate === undefined ? ['give --estate NAME'] : []),
    ...(formats === undefined
      ? ['--format takes a comma-separated list of html, md, json, csv, sarif']
      : []),
  ];
  if (problems.length > 0) {
    err.write(`leastpriv report: ${problems.join('; ')}\n${USAGE}`);
    return 2;
  }
  const data = values.data!;
  const estate = values.estate!;
  let state: RunsState;
  try {
    state = readRuns(data);
  } catch (e) {
    return fail(`cannot read \`${runsPath(data)}\`: ${(e as Error).message}`);
  }
  const months = [
    ...new Set(
      state.runs.flatMap((r) =>
        r.estates.some((e) => e.name === estate && e.status === 'succeeded') ? [r.month] : [],
      ),
    ),
  ].sort();
  if (!state.runs.some((r) => r.estates.some((e) => e.name === estate)))
    return fail(`no monthly run of estate \`${estate}\` in \`${runsPath(data)}\``);
  const found = succeededEstateRun(state.runs, estate, month!.month);
  if (!found || found.estate.jobId === undefined)
    return fail(
      `estate \`${estate}\` has no report for ${month!.month} (months with one: ${months.join(', ') || 'none'})`,
    );
  const record = found.estate;
  const snapshot = join(data, 'snapshots', record.snapshot);
  if (!existsSync(join(snapshot, 'accounts')))
    return fail(`the snapshot of ${month!.month} (\`${snapshot}\`) is gone`);
  let previous: Report | undefined;
  if (record.previous !== undefined) {
    try {
      previous = readReport(join(data, record.previous));
    } catch (e) {
      return fail(`the baseline of ${month!.month} is gone: ${(e as Error).message}`);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
  try {
    const db = join(work, 'usage.db');
    try {
      resetUsageStore(db, record.usageBase !== undefined ? join(data, record.usageBase) : null);
    } catch (e) {
      return fail(`the usage store before ${month!.month} is gone: ${(e as Error).message}`);
    }
    let report: Report;
    try {
      ({ report } = await analyzeSnapshot(snapshot, {
        db,
        asOf: record.asOf,
        windowDays: record.windowDays,
        ...(previous ? { previous } : {}),
        version,
      }));
    } catch (e) {
      return fail((e as Error).message);
    }
    mkdirSync(values.out, { recursive: true });
    const files = formats!.map((format) => {
      const path = join(values.out, REPORT_FILE_NAMES[format]);
      writeFileSync(path, renderReport(report, format));
      return resolve(path);
    });
    const storedPath = join(data, 'reports', record.jobId!, 'report.json');
    let storedText: string | undefined;
    try {
      storedText = storedReport(data, record.jobId!, storedPath);
    } catch (e) {
      return fail(`cannot read \`${runsPath(data)}\`: ${(e as Error).message}`);
    }
    let matchesStored: boolean | null = null;
    if (storedText !== undefined) {
      const stored: unknown = JSON.parse(storedText);
      const again: unknown = JSON.parse(renderReport(report, 'json'));
      matchesStored = isDeepStrictEqual(comparable(stored), comparable(again));
    }
    out.write(
      `${JSON.stringify(
        {
          estate,
          month: month!.month,
          asOf: report.asOf,
          windowDays: report.windowDays,
          job: record.jobId,
          files,
          matchesStored,
        },
        null,
        2,
      )}\n`,
    );
    if (matchesStored === false)
      err.write(
        `leastpriv report: the reproduced report differs from the stored one (\`${storedPath}\`)\n`,
      );
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
