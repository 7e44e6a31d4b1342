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
 * that differ only in them group together. `requestParameters` is read only for the two keys
 * the resource needs: a struct is several times cheaper than materialising it as JSON text.
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
 * The scan query for `files`. It returns one row with `file` NULL whose `text` is the JSON array
 * of distinct identity texts, then one row per file whose `text` is the JSON array of that file's
 * tuples, each `[eventSource, eventName, eventType, errorCode, day, identity index, resource,
 * count, firstSeen, lastSeen]`. Handing JavaScript one string per file instead of one per value
 * (each a native call), and each identity once, makes reading the tuples cheap next to the scan.
 */
export function scanQuery(files: readonly string[]): string {
  const list = files.map(quote).join(', ');
  return `
WITH records AS (
  SELECT filename AS file, unnest(coalesce(Records, [NULL])) AS r
  FROM read_json([${list}], format = 'unstructured', filename = true, compression = 'auto_detect',
                 columns = {Records: '${RECORD_TYPE}[]'})
), timed AS (
  SELECT file, r, ${TIME} AS t FROM records
), tuples AS MATERIALIZED (
  SELECT file, r.eventSource AS event_source, r.eventName AS event_name, r.eventType AS event_type,
         r.errorCode AS error_code, substr(t, 1, 10) AS day, r.userIdentity AS identity,
         ${RESOURCE} AS resource, count(*) AS n, min(t) AS first_seen, max(t) AS last_seen
  FROM timed GROUP BY ALL
), identities AS MATERIALIZED (
  SELECT identity, (row_number() OVER () - 1) AS id FROM (SELECT DISTINCT identity FROM tuples)
)
SELECT NULL AS file, to_json(list(to_json(struct_pack(
         type := identity.type, arn := identity.arn, accountId := identity.accountId,
         userName := identity.userName, invokedBy := identity.invokedBy,
         sourceIdentity := identity.sourceIdentity,
         sessionContext := struct_pack(
           sessionIssuer := struct_pack(arn := identity.sessionContext.sessionIssuer.arn),
           sourceIdentity := identity.sessionContext.sourceIdentity)))::VARCHAR ORDER BY id))::VARCHAR AS text
FROM identities
UNION ALL
SELECT t.file, to_json(list([t.event_source, t.event_name, t.event_type, t.error_code, t.day, i.id::VARCHAR,
                             t.resource, t.n::VARCHAR, t.first_seen, t.last_seen]))::VARCHAR
FROM tuples t JOIN identities i ON t.identity IS NOT DISTINCT FROM i.identity
GROUP BY t.file`;
}

type Row = [
  eventSource: string | null,
  eventName: string | null,
  eventType: string | null,
  errorCode: string | null,
  day: string | null,
  identity: string,
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
  const [fileColumn = [], textColumn = []] = columns;
  const textOf = (i: number) => textColumn[i] as string;
  const dictionary = fileColumn.indexOf(null);
  const identities = dictionary === -1 ? [] : (JSON.parse(textOf(dictionary)) as string[]);
  // Paths come back as DuckDB read them; hand back the caller's own strings.
  const given = new Map(files.map((f) => [f, f]));
  const tuples: RawTuple[] = [];
  const bad = new Set<string>();
  fileColumn.forEach((name, i) => {
    if (typeof name !== 'string') return;
    const file = given.get(name) ?? name;
    for (const row of JSON.parse(textOf(i)) as Row[]) {
      const [eventSource, eventName, eventType, errorCode, day, id] = row;
      const [, , , , , , resource, count, firstSeen, lastSeen] = row;
      const identity = identities[Number(id)];
      if (
        eventSource === null ||
        eventName === null ||
        day === null ||
        identity === undefined ||
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
