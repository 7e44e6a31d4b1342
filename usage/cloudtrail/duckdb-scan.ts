/**
 * The DuckDB half of ingest: DuckDB reads CloudTrail log files (`{"Records":[…]}`, gzip or plain),
 * unnests the records and groups them by the fields ingest needs, so the TypeScript mapping
 * (`resolveActor`, `mapEvent`, …) runs once per distinct tuple instead of once per record.
 *
 * Anything DuckDB cannot read as a CloudTrail file (corrupt or truncated gzip, not JSON, no
 * `Records`, a record without `eventTime`/`eventSource`/`eventName`) makes the scan throw, so the
 * caller can fall back to the per-file Node path, which salvages and reports per file.
 * https://duckdb.org/docs/stable/data/json/loading_json
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** One distinct call of a scan (see `readTrailScan`), for tests and inspection. */
export interface RawTuple {
  /** JSON text of the `userIdentity` fields `resolveActor()` reads (see `RECORD_TYPE`). */
  readonly identity: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventType: string | null;
  readonly errorCode: string | null;
  /** YYYY-MM-DD (UTC) of `eventTime`. */
  readonly day: string;
  /**
   * The S3 object of an S3 event when it named one object (`arn:aws:s3:::b/k`), `b/*` when it
   * named several, the bucket when none; else the first `resources[].ARN`; else null.
   */
  readonly resource: string | null;
  readonly count: number;
  /** min(eventTime), `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly firstSeen: string;
  /** max(eventTime), `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly lastSeen: string;
}

/** Why a batch could not be scanned by DuckDB: the caller reads these files the slow way. */
export class TrailScanError extends Error {
  constructor(
    message: string,
    /** The files at fault when known (empty when DuckDB failed on the batch as a whole). */
    readonly files: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TrailScanError';
  }
}

/**
 * The part of a record read. Fields not named here (`accessKeyId`, `principalId`,
 * `sessionContext.attributes`, `responseElements`, …) are never materialised, and identities
 * that differ only in them group together. Of `requestParameters` only S3's bucket and key are
 * read (a record whose parameters are not an object fails the batch, which is then read by Node).
 */
const RECORD_TYPE =
  'STRUCT(eventTime TIMESTAMPTZ, eventSource VARCHAR, eventName VARCHAR, eventType VARCHAR, errorCode VARCHAR, ' +
  'userIdentity STRUCT(type VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR, invokedBy VARCHAR, sourceIdentity VARCHAR, ' +
  'sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR), sourceIdentity VARCHAR)), ' +
  'resources STRUCT(ARN VARCHAR)[], requestParameters STRUCT(bucketName VARCHAR, "key" VARCHAR))';

/**
 * eventTime as a UTC TIMESTAMP. `read_json` parses it as a TIMESTAMPTZ (CloudTrail writes
 * `YYYY-MM-DDTHH:MM:SSZ`; an offset is honoured, fractions are kept and dropped when printed) and
 * its microseconds since the epoch make the plain timestamp without any time zone arithmetic.
 * Grouping and taking the least and greatest of timestamps rather than of their text made the
 * scan 15-25% faster on 2 threads; parsing while reading rather than casting text after, a few
 * percent more. A time that is not one fails the batch, which the Node engine then reads and
 * reports file by file.
 */
const TIME = 'make_timestamp(epoch_us(r.eventTime))';

/** SQL formatting a TIMESTAMP as CloudTrail writes times (`YYYY-MM-DDTHH:MM:SSZ`). */
export function isoTime(column: string): string {
  return `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;
}

/**
 * What a call is, for `hash()`: its fields, and whether the nested structs are NULL (`hash()`
 * gives a NULL struct and a struct of NULLs the same value, where GROUP BY keeps them apart).
 */
const CALL_FIELDS = `identity, identity.sessionContext IS NULL, identity.sessionContext.sessionIssuer IS NULL,
  event_source, event_name, event_type, error_code`;

const S3 = `r.eventSource = 's3.amazonaws.com' AND r.requestParameters.bucketName IS NOT NULL`;

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The order of `files` in a scan (gzip files first): a file row's `file` is an index into it. */
export function scanOrder(files: readonly string[]): string[] {
  return [...files.filter((f) => f.endsWith('.gz')), ...files.filter((f) => !f.endsWith('.gz'))];
}

/**
 * The query that fills a scan table from `files`, grouped three ways in one read (GROUPING SETS),
 * told apart by `row_kind`:
 * - `call`: one row per distinct (identity, eventSource, eventName, eventType, errorCode), the
 *   unit TypeScript judges; `call` hashes these five (`CALL_FIELDS`), so verdicts join back on
 *   one number;
 * - `use`: one row per distinct (call, day, resource, whether an S3 object was named), with the
 *   count, first and last time (TIMESTAMP), and as `resource` the object when one S3 object was
 *   used, `bucket/*` when several, else the bucket or other resource (`objectOrBucket`).
 *   Grouping by the call's hash rather than by the wide identity struct makes this, the largest
 *   of the three, cheaper than a plain GROUP BY of the same records;
 * - `file`: one row per file (`file`: its index in `scanOrder(files)`), with its record count
 *   and how many records lack eventTime, eventSource or eventName (`bad`).
 */
export function scanQuery(files: readonly string[], table: string): string {
  const ordered = scanOrder(files);
  const gzip = ordered.filter((f) => f.endsWith('.gz'));
  const plain = ordered.slice(gzip.length);
  // A record's file is its index in `scanOrder(files)`: `read_json`'s `file_index` (the file's
  // place in the list it was given) offset by the files of the reads before. Grouping by the
  // number rather than by the path (`filename = true`, a long string on every record) made the
  // scan about 8% faster on 2 threads (bench/usage.bench.ts).
  const read = (list: readonly string[], format: string, before: number) =>
    `SELECT file_index + ${before} AS file, unnest(coalesce(Records, [NULL])) AS r
  FROM read_json([${list.map(quote).join(', ')}], format = '${format}',
                 compression = 'auto_detect', maximum_sample_files = 1,
                 columns = {Records: '${RECORD_TYPE}[]'})`;
  // CloudTrail writes each file as one line, so `newline_delimited` reads gzip files (1.4x
  // faster than `unstructured`); a plain `.json` may have been pretty-printed, so it is read
  // `unstructured`. maximum_sample_files = 1: even with the columns given, read_json otherwise
  // samples up to 32 files per query, which cost as much as the scan in batches of 64 files.
  const parts = [
    ...(gzip.length > 0 ? [read(gzip, 'newline_delimited', 0)] : []),
    ...(plain.length > 0 ? [read(plain, 'unstructured', gzip.length)] : []),
  ];
  return `
CREATE OR REPLACE TEMP TABLE ${table} AS
WITH records AS (
  ${parts.join('\n  UNION ALL\n  ')}
), calls AS (
  SELECT file, r.userIdentity AS identity, r.eventSource AS event_source, r.eventName AS event_name,
         r.eventType AS event_type, r.errorCode AS error_code, ${TIME} AS t,
         CASE WHEN ${S3} THEN 'arn:aws:s3:::' || r.requestParameters.bucketName
              ELSE r.resources[1].ARN END AS resource,
         CASE WHEN ${S3} THEN r.requestParameters."key" END AS object_key
  FROM records
), dated AS (
  SELECT *, t::DATE AS day, object_key IS NOT NULL AS has_key, hash(${CALL_FIELDS}) AS call
  FROM calls
)
SELECT CASE WHEN GROUPING(file) = 0 THEN 'file' WHEN GROUPING(day) = 1 THEN 'call' ELSE 'use' END AS row_kind,
       file,
       -- A call row hashes its fields after grouping: the hash is no group key of its set, which
       -- made the scan about 4% faster on 2 threads (bench/usage.bench.ts).
       CASE WHEN GROUPING(day) = 0 THEN call WHEN GROUPING(file) = 1 THEN hash(${CALL_FIELDS}) END AS call,
       -- A second hash of the call, with a salt: calls judged in an earlier batch are matched on
       -- \`call\` and checked on this, so a 64-bit collision is caught, not silently merged.
       hash(${CALL_FIELDS}, 'leastpriv-check') AS call_check,
       identity, event_source, event_name, event_type,
       error_code, day, ${objectOrBucket('resource', 'has_key', 'object_key')} AS resource,
       count(*) AS n, min(t) AS first_seen, max(t) AS last_seen,
       count(*) FILTER (WHERE event_source IS NULL OR event_name IS NULL OR t IS NULL) AS bad
FROM dated
GROUP BY GROUPING SETS ((file), (identity, event_source, event_name, event_type, error_code),
  (call, day, resource, has_key))`;
}

/**
 * Reads `files` (`.json.gz` or `.json`, each `{"Records":[…]}`) with DuckDB into the temporary
 * table `table` (see `scanQuery`) and returns each file's record count. Uses the connection's
 * thread setting. Throws `TrailScanError` when DuckDB cannot read the batch or a file is not
 * CloudTrail; the connection stays usable.
 */
export async function scanTrailFilesInto(
  connection: DuckDBConnection,
  files: readonly string[],
  table: string,
): Promise<Map<string, number>> {
  // read_json expands glob patterns, so a path holding one would read other files.
  const globbed = files.filter((f) => /[*?[\]{}]/.test(f));
  if (globbed.length > 0)
    throw new TrailScanError('a path holds glob characters DuckDB would expand', globbed);
  const records = new Map(files.map((f) => [f, 0]));
  if (files.length === 0) return records;
  let rows: unknown[][];
  try {
    await connection.run(scanQuery(files, table));
    const result = await connection.runAndReadAll(
      `SELECT file, n, bad FROM ${table} WHERE row_kind = 'file'`,
    );
    rows = result.getRows() as unknown[][];
  } catch (e) {
    throw new TrailScanError(
      `DuckDB could not read the batch: ${(e as Error).message}`,
      guilty(files, (e as Error).message),
      { cause: e },
    );
  }
  const ordered = scanOrder(files);
  const bad: string[] = [];
  for (const [file, n, wrong] of rows) {
    const name = ordered[Number(file)];
    if (name === undefined) throw new Error(`a scan named file ${String(file)} of ${files.length}`);
    if (Number(wrong) > 0) bad.push(name);
    records.set(name, Number(n));
  }
  if (bad.length > 0)
    throw new TrailScanError(
      'not CloudTrail `{"Records":[…]}`, or a record without a readable eventTime, eventSource or eventName',
      bad.sort(),
    );
  return records;
}

/** The call rows of a scan table as plain objects (tests, inspection). */
export async function readTrailScan(
  connection: DuckDBConnection,
  table: string,
): Promise<RawTuple[]> {
  const result = await connection.runAndReadAll(`
    SELECT to_json(c.identity)::VARCHAR AS identity, c.event_source AS "eventSource",
           c.event_name AS "eventName", c.event_type AS "eventType", c.error_code AS "errorCode", u.day::VARCHAR AS day,
           u.resource,
           u.n::DOUBLE AS count, ${isoTime('u.first_seen')} AS "firstSeen", ${isoTime('u.last_seen')} AS "lastSeen"
    FROM ${table} u JOIN ${table} c ON c.call = u.call AND c.row_kind = 'call'
    WHERE u.row_kind = 'use'`);
  return result.getRowObjectsJS() as unknown as RawTuple[];
}

/**
 * SQL for the resource of S3 calls grouped together: the object when they named one object,
 * `bucket/*` when several, the bucket (or the non-S3 resource) when no object was named.
 *
 * One object is told from several by the least and greatest hash of the keys, and named by any
 * of them: the aggregates of a grouping set run in all three sets, and the least and greatest
 * key text cost 0.3 s of a 1.9 s scan on 2 threads, these 0.15 s (bench/usage.bench.ts). Two
 * keys of one group sharing a 64-bit hash (odds of about n²/2^65 for n distinct keys) would name
 * one object where `bucket/*` was due.
 */
export function objectOrBucket(resource: string, hasKey: string, key: string): string {
  return `CASE WHEN NOT ${hasKey} THEN ${resource}
    WHEN min(hash(${key})) = max(hash(${key})) THEN ${resource} || '/' || any_value(${key})
    ELSE ${resource} || '/*' END`;
}

/** The files a DuckDB error message names, if any. */
function guilty(files: readonly string[], message: string): string[] {
  return files.filter((f) => message.includes(f));
}
