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

/** One distinct combination of the fields ingest needs, with how often and when. */
export interface RawTuple {
  /** The source file path, as given to `scanTrailFiles`. */
  readonly file: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventType: string | null;
  readonly errorCode: string | null;
  /** YYYY-MM-DD (UTC) of `eventTime`. */
  readonly day: string;
  /**
   * JSON text of the `userIdentity` fields `resolveActor()` reads: `{ type, arn, accountId,
   * userName, invokedBy, sourceIdentity, sessionContext: { sessionIssuer: { arn }, sourceIdentity } }`
   * (missing fields are `null`), always with the same key order, so equal identities group.
   */
  readonly identity: string;
  /** The S3 object or bucket ARN of an S3 event, else the first `resources[].ARN`, else null. */
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
 * that differ only in them group together. `requestParameters` differs per service, so it is
 * read as JSON and the resource's keys extracted (a `STRUCT(bucketName, key)` was not measurably
 * faster, and would fail on a service whose parameters are not an object).
 */
const RECORD_TYPE =
  'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, eventType VARCHAR, errorCode VARCHAR, ' +
  'userIdentity STRUCT(type VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR, invokedBy VARCHAR, sourceIdentity VARCHAR, ' +
  'sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR), sourceIdentity VARCHAR)), ' +
  'resources STRUCT(ARN VARCHAR)[], requestParameters JSON)';

/** eventTime as CloudTrail writes it is already `YYYY-MM-DDTHH:MM:SSZ`; anything else is converted. */
const TIME = `CASE WHEN length(r.eventTime) = 20 AND suffix(r.eventTime, 'Z') THEN r.eventTime
  ELSE strftime(timezone('UTC', try_cast(r.eventTime AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%SZ') END`;

const RESOURCE = `CASE
  WHEN r.eventSource = 's3.amazonaws.com' AND json_extract_string(r.requestParameters, '$.bucketName') IS NOT NULL
    THEN 'arn:aws:s3:::' || json_extract_string(r.requestParameters, '$.bucketName')
         || coalesce('/' || json_extract_string(r.requestParameters, '$.key'), '')
  ELSE r.resources[1].ARN END`;

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The scan query for `files`: one row per (file, identity), with the identity's JSON text and
 * the JSON array of its tuples in that file, each `[eventSource, eventName, eventType, errorCode,
 * day, resource, count, firstSeen, lastSeen]`. Handing JavaScript a few strings per file instead
 * of one per value (each a native call), and each identity text once per file, keeps reading the
 * tuples cheap next to the scan (bench: 3x cheaper than reading the columns).
 */
export function scanQuery(files: readonly string[]): string {
  const gzip = files.filter((f) => f.endsWith('.gz'));
  const plain = files.filter((f) => !f.endsWith('.gz'));
  const read = (list: readonly string[], format: string) =>
    `SELECT filename AS file, unnest(coalesce(Records, [NULL])) AS r
  FROM read_json([${list.map(quote).join(', ')}], format = '${format}', filename = true,
                 compression = 'auto_detect', maximum_sample_files = 1,
                 columns = {Records: '${RECORD_TYPE}[]'})`;
  // CloudTrail writes each file as one line, so `newline_delimited` reads gzip files (1.4x
  // faster than `unstructured`); a plain `.json` may have been pretty-printed, so it is read
  // `unstructured`. maximum_sample_files = 1: even with the columns given, read_json otherwise
  // samples up to 32 files per query, which cost as much as the scan in batches of 64 files.
  const parts = [
    ...(gzip.length > 0 ? [read(gzip, 'newline_delimited')] : []),
    ...(plain.length > 0 ? [read(plain, 'unstructured')] : []),
  ];
  return `
WITH records AS (
  ${parts.join('\n  UNION ALL\n  ')}
), timed AS (
  SELECT file, r, ${TIME} AS t FROM records
), tuples AS (
  SELECT file, r.eventSource AS event_source, r.eventName AS event_name, r.eventType AS event_type,
         r.errorCode AS error_code, substr(t, 1, 10) AS day, r.userIdentity AS identity,
         ${RESOURCE} AS resource, count(*) AS n, min(t) AS first_seen, max(t) AS last_seen
  FROM timed GROUP BY ALL
)
SELECT file, to_json(struct_pack(
         type := identity.type, arn := identity.arn, accountId := identity.accountId,
         userName := identity.userName, invokedBy := identity.invokedBy,
         sourceIdentity := identity.sourceIdentity,
         sessionContext := struct_pack(
           sessionIssuer := struct_pack(arn := identity.sessionContext.sessionIssuer.arn),
           sourceIdentity := identity.sessionContext.sourceIdentity)))::VARCHAR AS identity,
       to_json(list([event_source, event_name, event_type, error_code, day, resource,
                     n::VARCHAR, first_seen, last_seen]))::VARCHAR AS tuples
FROM tuples GROUP BY file, tuples.identity`;
}

type Row = [
  eventSource: string | null,
  eventName: string | null,
  eventType: string | null,
  errorCode: string | null,
  day: string | null,
  resource: string | null,
  count: string,
  firstSeen: string | null,
  lastSeen: string | null,
];

/**
 * Reads `files` (`.json.gz` or `.json`, each `{"Records":[…]}`) with DuckDB and returns one tuple
 * per distinct (file, eventSource, eventName, eventType, errorCode, day, identity, resource).
 * Uses the connection's thread setting. Throws `TrailScanError` when DuckDB cannot read the batch
 * or a file is not CloudTrail; the connection stays usable.
 */
export async function scanTrailFiles(
  connection: DuckDBConnection,
  files: readonly string[],
): Promise<RawTuple[]> {
  if (files.length === 0) return [];
  // read_json expands glob patterns, so a path holding one would read other files.
  const globbed = files.filter((f) => /[*?[\]{}]/.test(f));
  if (globbed.length > 0)
    throw new TrailScanError('a path holds glob characters DuckDB would expand', globbed);
  let columns: unknown[][];
  try {
    const result = await connection.runAndReadAll(scanQuery(files));
    columns = await result.getColumnsJS();
  } catch (e) {
    throw new TrailScanError(
      `DuckDB could not read the batch: ${(e as Error).message}`,
      guilty(files, (e as Error).message),
      { cause: e },
    );
  }
  const [fileColumn = [], identityColumn = [], tupleColumn = []] = columns;
  // Paths come back as DuckDB read them; hand back the caller's own strings.
  const given = new Map(files.map((f) => [f, f]));
  const tuples: RawTuple[] = [];
  const bad = new Set<string>();
  fileColumn.forEach((name, i) => {
    const file = given.get(String(name)) ?? String(name);
    const identity = identityColumn[i] as string;
    for (const row of JSON.parse(tupleColumn[i] as string) as Row[]) {
      const [eventSource, eventName, eventType, errorCode, day] = row;
      const [, , , , , resource, count, firstSeen, lastSeen] = row;
      if (
        eventSource === null ||
        eventName === null ||
        day === null ||
        firstSeen === null ||
        lastSeen === null
      ) {
        bad.add(file);
        continue;
      }
      tuples.push({
        file,
        eventSource,
        eventName,
        eventType,
        errorCode,
        day,
        identity,
        resource,
        count: Number(count),
        firstSeen,
        lastSeen,
      });
    }
  });
  if (bad.size > 0)
    throw new TrailScanError(
      'not CloudTrail `{"Records":[…]}`, or a record without a readable eventTime, eventSource or eventName',
      [...bad].sort(),
    );
  return tuples;
}

/** The files a DuckDB error message names, if any. */
function guilty(files: readonly string[], message: string): string[] {
  return files.filter((f) => message.includes(f));
}
