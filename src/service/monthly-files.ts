/**
 * Files of the monthly job shared by the service, its analysis worker and `leastpriv report`:
 * copies of a usage store (a DuckDB database and its write-ahead log) and stored reports.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Report } from '../../recommender/model.js';

/**
 * A DuckDB database's write-ahead log and the database. Copies go in this order, so that the
 * database file appearing (renamed into place) means its log was copied before.
 */
const DB_FILES = (db: string): readonly string[] => [`${db}.wal`, db];

/** Makes `db` a copy of `from` (or removes it, for an empty store), with its write-ahead log. */
export function resetUsageStore(db: string, from: string | null): void {
  for (const f of [...DB_FILES(db)].reverse()) rmSync(f, { force: true });
  if (from === null) return;
  if (!existsSync(from)) throw new Error(`the usage store \`${from}\` is missing`);
  mkdirSync(dirname(db), { recursive: true });
  for (const [source, target] of DB_FILES(from).map((f, i) => [f, DB_FILES(db)[i]!] as const)) {
    if (!existsSync(source)) continue;
    const temp = `${target}.tmp-${process.pid}`;
    copyFileSync(source, temp);
    renameSync(temp, target);
  }
}

/** Reads a stored report JSON (a baseline). */
export function readReport(path: string): Report {
  const report = JSON.parse(readFileSync(path, 'utf8')) as Partial<Report>;
  if (typeof report !== 'object' || report === null || !Array.isArray(report.principals))
    throw new Error(`\`${path}\` is not a leastpriv report.json`);
  return report as Report;
}
