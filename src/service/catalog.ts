/**
 * The service catalog: the service's own state in one embedded DuckDB file, `DATA/service.db`:
 * the analysis jobs, the monthly job's record (cursor and runs) and the report files of every
 * succeeded job (their size and SHA-256: the bodies stay in `DATA/reports/<job>/`, where the
 * analysis wrote them; a few MB per job made a catalog of report bodies run out of its 64 MB
 * after about ten jobs). The schema is versioned (`meta.schema_version`) and migrated when opened for writing.
 *
 * DuckDB lets one process open a file for writing, or several for reading, never both. The
 * service opens the catalog for the few writes it makes and closes it after (about 20 ms to open
 * and 45 ms to open, commit one job and close on the 2-core test machine, measured with
 * `@duckdb/node-api` 1.5), so `leastpriv report` can read it while the service runs: whoever
 * meets the other's lock retries with backoff, for a bounded time (`openCatalog`).
 *
 * This module is plain functions over a connection; `catalog-worker.ts` runs them off the
 * service's event loop, one at a time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import type { Job } from './jobs.js';
import type { MonthlyRun, RunsState } from './runs.js';

/** The catalog's file name in a data directory. */
export const CATALOG_FILE = 'service.db';

/** The catalog of a data directory. */
export const catalogPath = (dataDir: string): string => join(dataDir, CATALOG_FILE);

/** A report file in a job's report directory, as the analysis process names it. */
export const reportFile = (format: ReportFormat): string => `report.${format}`;

/** Schema migrations, in order; each runs once. Never edit one that has shipped: add another. */
export const MIGRATIONS: readonly string[] = [
  // Each row keeps its whole record as JSON (`body`), so no field is ever lost; the columns
  // beside it are copies to filter and sort on.
  `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
   CREATE TABLE jobs (id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, snapshot VARCHAR NOT NULL,
                      kind VARCHAR, estate VARCHAR, month VARCHAR, created_at VARCHAR NOT NULL,
                      finished_at VARCHAR, body VARCHAR NOT NULL);
   CREATE TABLE monthly_cursor (id INTEGER PRIMARY KEY, cursor VARCHAR NOT NULL);
   CREATE TABLE monthly_runs (id VARCHAR PRIMARY KEY, fire_time VARCHAR NOT NULL, month VARCHAR NOT NULL,
                              status VARCHAR NOT NULL, started_at VARCHAR NOT NULL, body VARCHAR NOT NULL);
   CREATE TABLE reports (job_id VARCHAR NOT NULL, format VARCHAR NOT NULL, bytes BIGINT NOT NULL,
                         sha256 VARCHAR NOT NULL, stored_at VARCHAR NOT NULL, PRIMARY KEY (job_id, format));`,
];

/**
 * DuckDB settings for the catalog. It lives inside the latency-sensitive service process and
 * holds a few small tables: one thread and a small memory budget are plenty.
 */
const SETTINGS = { threads: '1', memory_limit: '64MB' } as const;

/** How long an open waits for another process's lock by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** The catalog stayed locked by another process for longer than the caller would wait. */
export class CatalogLockedError extends Error {
  constructor(path: string, ms: number, cause: string) {
    super(`\`${path}\` stayed locked by another process for ${ms} ms: ${cause}`);
    this.name = 'CatalogLockedError';
  }
}

/** The catalog was made by a newer leastpriv (a schema this one does not know). */
export class CatalogVersionError extends Error {}

/** An open catalog: one DuckDB instance and its connection. */
export interface OpenCatalog {
  readonly path: string;
  readonly readOnly: boolean;
  readonly connection: DuckDBConnection;
  close(): void;
}

const LOCKED = /could not set lock/i;

/** Opens a DuckDB file, retrying with backoff while another process holds a conflicting lock. */
async function openFile(path: string, readOnly: boolean, lockTimeoutMs: number) {
  const until = Date.now() + lockTimeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      const instance = await DuckDBInstance.create(path, {
        ...SETTINGS,
        ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
      });
      try {
        const connection = await instance.connect();
        return {
          path,
          readOnly,
          connection,
          close: (): void => {
            connection.closeSync();
            instance.closeSync();
          },
        };
      } catch (e) {
        instance.closeSync();
        throw e;
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!LOCKED.test(message)) throw e;
      if (Date.now() + wait > until) throw new CatalogLockedError(path, lockTimeoutMs, message);
      await sleep(wait);
    }
  }
}

/** The schema version of an open catalog (0: empty file). */
async function schemaVersion(connection: DuckDBConnection): Promise<number> {
  const tables = await connection.runAndReadAll(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'meta'`,
  );
  if (Number(tables.getRowObjects()[0]?.['n'] ?? 0) === 0) return 0;
  const row = await connection.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`);
  return Number(row.getRowObjects()[0]?.['value'] ?? 0);
}

async function migrate(connection: DuckDBConnection, path: string): Promise<void> {
  const version = await schemaVersion(connection);
  if (version > MIGRATIONS.length)
    throw new CatalogVersionError(
      `\`${path}\` has schema version ${version}: made by a newer leastpriv (this one knows ${MIGRATIONS.length})`,
    );
  for (let i = version; i < MIGRATIONS.length; i += 1) {
    await connection.run('BEGIN TRANSACTION');
    await connection.run(MIGRATIONS[i]!);
    await connection.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', '${i + 1}')`);
    await connection.run('COMMIT');
  }
}

/** What the import of a data directory of the previous layout found. */
export interface LegacyImport {
  readonly jobs: number;
  readonly runs: number;
  readonly reports: number;
  /** Job files that could not be read (left in `legacy/jobs/`). */
  readonly skipped: readonly string[];
}

/** What opening a catalog for writing did besides opening it. */
export interface OpenNotes {
  /** Set when the catalog was created now from a data directory of the previous layout. */
  readonly imported?: LegacyImport;
}

/**
 * Creates the catalog of a data directory: made under a temporary name, migrated, filled with
 * the data directory's state of the previous layout (`jobs/*.json`, `runs.json`, the report
 * files), closed and renamed into place. A reader thus finds no catalog (and reads the old
 * files) or a whole one, and the import happens once: the catalog's existence records it. The
 * old files then move to `DATA/legacy/` (the report files stay: deliveries and `leastpriv
 * report` read them).
 */
async function createCatalog(dataDir: string): Promise<LegacyImport | undefined> {
  mkdirSync(dataDir, { recursive: true });
  const path = catalogPath(dataDir);
  // A creation cut short by a crash left its temporary files: they are redone.
  for (const f of readdirSync(dataDir))
    if (f.startsWith(`${CATALOG_FILE}.new-`)) rmSync(join(dataDir, f), { force: true });
  const temp = `${path}.new-${process.pid}`;
  const open = await openFile(temp, false, 0);
  let imported: LegacyImport | undefined;
  try {
    await migrate(open.connection, temp);
    imported = await importLegacy(open.connection, dataDir);
  } finally {
    // Closing checkpoints the write-ahead log into the file: one file to rename.
    open.close();
  }
  if (existsSync(`${temp}.wal`)) renameSync(`${temp}.wal`, `${path}.wal`);
  renameSync(temp, path);
  if (imported) moveLegacyFiles(dataDir);
  return imported;
}

/** The files of the previous layout that the catalog replaces. */
const LEGACY_FILES = ['jobs', 'runs.json'] as const;

function moveLegacyFiles(dataDir: string): void {
  const legacy = join(dataDir, 'legacy');
  mkdirSync(legacy, { recursive: true });
  for (const name of LEGACY_FILES) {
    if (!existsSync(join(dataDir, name))) continue;
    const target = existsSync(join(legacy, name))
      ? join(legacy, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`)
      : join(legacy, name);
    renameSync(join(dataDir, name), target);
  }
}

const JOB_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/;

/** Reads the previous layout's state into the catalog, in one transaction; undefined if none. */
async function importLegacy(
  connection: DuckDBConnection,
  dataDir: string,
): Promise<LegacyImport | undefined> {
  const jobsDir = join(dataDir, 'jobs');
  const runsFile = join(dataDir, 'runs.json');
  if (!existsSync(jobsDir) && !existsSync(runsFile)) return undefined;
  const skipped: string[] = [];
  const jobs = (existsSync(jobsDir) ? readdirSync(jobsDir) : [])
    .filter((f) => JOB_FILE.test(f))
    .sort()
    .flatMap((f) => {
      try {
        const job = JSON.parse(readFileSync(join(jobsDir, f), 'utf8')) as Job;
        if (typeof job.id !== 'string' || typeof job.createdAt !== 'string') throw new Error();
        return [job];
      } catch {
        // Files were renamed into place, so this is damage from outside: kept, skipped.
        skipped.push(join('jobs', f));
        return [];
      }
    });
  const runs = existsSync(runsFile)
    ? (JSON.parse(readFileSync(runsFile, 'utf8')) as RunsState)
    : undefined;
  let reports = 0;
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const job of jobs) await putJob(connection, job);
    for (const job of jobs) {
      if (job.status !== 'succeeded') continue;
      const dir = join(dataDir, 'reports', job.id);
      // The old service served each format whose file was there.
      const formats = REPORT_FORMATS.filter((f) => existsSync(join(dir, reportFile(f))));
      if (formats.length === 0) continue;
      await putReports(connection, job.id, dir, formats);
      reports += 1;
    }
    if (runs?.cursor !== undefined) await putCursor(connection, runs.cursor);
    for (const run of runs?.runs ?? []) await putRun(connection, run);
    await connection.run(`INSERT OR REPLACE INTO meta VALUES ('legacy_import', $1)`, [
      JSON.stringify({ at: new Date().toISOString(), jobs: jobs.length, reports, skipped }),
    ]);
    await connection.run('COMMIT');
  } catch (e) {
    await connection.run('ROLLBACK');
    throw e;
  }
  return { jobs: jobs.length, runs: runs?.runs.length ?? 0, reports, skipped };
}

/**
 * Opens the catalog of a data directory. For writing (`readOnly` false) it is created (with the
 * import of the previous layout) or migrated as needed; for reading, `undefined` when there is
 * none yet. Waits up to `lockTimeoutMs` while another process holds it.
 */
export async function openCatalog(
  dataDir: string,
  options: { readonly readOnly: boolean; readonly lockTimeoutMs?: number },
): Promise<(OpenCatalog & OpenNotes) | undefined> {
  const path = catalogPath(dataDir);
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  let imported: LegacyImport | undefined;
  if (!existsSync(path)) {
    if (options.readOnly) return undefined;
    imported = await createCatalog(dataDir);
  }
  const open = await openFile(path, options.readOnly, lockTimeoutMs);
  try {
    if (options.readOnly) {
      const version = await schemaVersion(open.connection);
      if (version > MIGRATIONS.length)
        throw new CatalogVersionError(
          `\`${path}\` has schema version ${version}: made by a newer leastpriv`,
        );
    } else await migrate(open.connection, path);
  } catch (e) {
    open.close();
    throw e;
  }
  return { ...open, ...(imported ? { imported } : {}) };
}

/** Runs `work` in one transaction: all of it is stored, or none. */
export async function transaction<T>(
  connection: DuckDBConnection,
  work: () => Promise<T>,
): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (e) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

const orNull = (value: string | undefined): string | null => value ?? null;

/** Stores a job (replacing its earlier state). */
export async function putJob(connection: DuckDBConnection, job: Job): Promise<void> {
  await connection.run('INSERT OR REPLACE INTO jobs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    job.id,
    job.status,
    job.snapshot,
    orNull(job.kind),
    orNull(job.estate),
    orNull(job.month),
    job.createdAt,
    orNull(job.finishedAt),
    JSON.stringify(job),
  ]);
}

/**
 * Records the report files of a job (size and SHA-256) from its report directory. A missing file
 * throws, so the transaction around it (the one that marks the job succeeded) stores nothing.
 */
export async function putReports(
  connection: DuckDBConnection,
  jobId: string,
  dir: string,
  formats: readonly ReportFormat[] = REPORT_FORMATS,
): Promise<void> {
  const now = new Date().toISOString();
  for (const format of formats) {
    const body = readFileSync(join(dir, reportFile(format)));
    await connection.run('INSERT OR REPLACE INTO reports VALUES ($1, $2, $3, $4, $5)', [
      jobId,
      format,
      body.length,
      createHash('sha256').update(body).digest('hex'),
      now,
    ]);
  }
}

/** Stores a monthly run (replacing its earlier state). */
export async function putRun(connection: DuckDBConnection, run: MonthlyRun): Promise<void> {
  await connection.run('INSERT OR REPLACE INTO monthly_runs VALUES ($1, $2, $3, $4, $5, $6)', [
    run.id,
    run.fireTime,
    run.month,
    run.status,
    run.startedAt,
    JSON.stringify(run),
  ]);
}

/** Moves the monthly job's cursor. */
export async function putCursor(connection: DuckDBConnection, cursor: string): Promise<void> {
  await connection.run('INSERT OR REPLACE INTO monthly_cursor VALUES (1, $1)', [cursor]);
}

/** The jobs (oldest first) and the ids of those with a stored report JSON. */
export async function readJobs(
  connection: DuckDBConnection,
): Promise<{ jobs: Job[]; reported: string[] }> {
  const jobs = await connection.runAndReadAll('SELECT body FROM jobs ORDER BY created_at, id');
  const reported = await connection.runAndReadAll(
    `SELECT job_id FROM reports WHERE format = 'json' ORDER BY job_id`,
  );
  return {
    jobs: jobs.getRowObjects().map((r) => JSON.parse(String(r['body'])) as Job),
    reported: reported.getRowObjects().map((r) => String(r['job_id'])),
  };
}

/** The monthly job's record, as `runs.json` held it. */
export async function readRunsState(connection: DuckDBConnection): Promise<RunsState> {
  const cursor = await connection.runAndReadAll('SELECT cursor FROM monthly_cursor WHERE id = 1');
  const runs = await connection.runAndReadAll(
    'SELECT body FROM monthly_runs ORDER BY fire_time, started_at, id',
  );
  const at = cursor.getRowObjects()[0]?.['cursor'];
  return {
    version: 1,
    ...(at !== undefined && at !== null ? { cursor: String(at) } : {}),
    runs: runs.getRowObjects().map((r) => JSON.parse(String(r['body'])) as MonthlyRun),
  };
}

/**
 * A stored report in one format: the file recorded with the job's success, read only if it still
 * has the recorded SHA-256; undefined when none was recorded or the file is gone or changed.
 */
export async function readReportBody(
  connection: DuckDBConnection,
  dataDir: string,
  jobId: string,
  format: ReportFormat,
): Promise<string | undefined> {
  const row = await connection.runAndReadAll(
    'SELECT sha256 FROM reports WHERE job_id = $1 AND format = $2',
    [jobId, format],
  );
  const sha256 = row.getRowObjects()[0]?.['sha256'];
  if (sha256 === undefined || sha256 === null) return undefined;
  let body: Buffer;
  try {
    body = readFileSync(join(dataDir, 'reports', jobId, reportFile(format)));
  } catch {
    return undefined;
  }
  return createHash('sha256').update(body).digest('hex') === String(sha256)
    ? body.toString('utf8')
    : undefined;
}
