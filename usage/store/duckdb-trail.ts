/**
 * The DuckDB store reading trail files itself: DuckDB reads and groups the raw records into a
 * temporary table (usage/cloudtrail/duckdb-scan.ts), TypeScript judges each distinct call once
 * (`judgeCall`: identity, action mapping, denied or used), and SQL joins the verdicts back and
 * appends the facts, so no per-record value ever crosses into JavaScript. One transaction per
 * batch: a crash leaves the store as it was before the batch.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { objectOrBucket, scanTrailFilesInto, TrailScanError } from '../cloudtrail/duckdb-scan.js';
import type { FileKey, UnmappedPair } from '../facts.js';
import type { Verdict } from '../verdict.js';
import type { TrailBatchResult, TrailCall } from './store.js';

/** One row of `trail_verdicts` (less the call): what a call means, one row per action or person. */
type VerdictRow = [
  kind: string,
  principal: string | null,
  action: string | null,
  person: string | null,
  reason: string | null,
];

function verdictRows(verdict: Verdict): VerdictRow[] {
  switch (verdict.kind) {
    case 'skip':
    case 'unmapped':
      return [[verdict.kind, null, null, null, verdict.reason]];
    case 'denied':
      return verdict.actions.map((a): VerdictRow => ['denied', verdict.principal, a, null, null]);
    case 'usage':
      return [
        ...verdict.actions.map((a): VerdictRow => ['usage', verdict.principal, a, null, null]),
        ...(verdict.person
          ? [['person', verdict.principal, null, verdict.person, null] as VerdictRow]
          : []),
      ];
  }
}

/**
 * Reads, judges and stores one batch of trail files inside a transaction the caller opened.
 * Throws `TrailScanError` (from the scan) when DuckDB cannot read a file.
 */
export async function ingestTrailBatch(
  c: DuckDBConnection,
  batch: readonly { readonly path: string; readonly file: FileKey }[],
  judge: (call: TrailCall) => Verdict,
): Promise<TrailBatchResult> {
  const records = await scanTrailFilesInto(
    c,
    batch.map((b) => b.path),
    'trail_scan',
  );

  // The distinct calls; TypeScript judges each once. Verdicts join back on the call's hash, so
  // two calls sharing a hash would be confused: then the batch goes the Node way instead.
  const calls = (
    await c.runAndReadAll(
      `SELECT DISTINCT call, to_json(identity)::VARCHAR, event_source, event_name, event_type, error_code
       FROM trail_scan WHERE NOT per_file`,
    )
  ).getRows();
  if (new Set(calls.map((row) => row[0])).size !== calls.length)
    throw new TrailScanError('two distinct calls share a hash', []);
  await c.run(`CREATE OR REPLACE TEMP TABLE trail_verdicts (call UBIGINT, kind VARCHAR,
    principal VARCHAR, action VARCHAR, person VARCHAR, reason VARCHAR)`);
  const appender = await c.createAppender('trail_verdicts');
  for (const [call, identity, eventSource, eventName, eventType, errorCode] of calls) {
    const verdict = judge({
      identity: String(identity),
      eventSource: String(eventSource),
      eventName: String(eventName),
      eventType: eventType === null ? null : String(eventType),
      errorCode: errorCode === null ? null : String(errorCode),
    });
    for (const [kind, principal, action, person, reason] of verdictRows(verdict)) {
      appender.appendUBigInt(call as bigint);
      appender.appendVarchar(kind);
      for (const v of [principal, action, person, reason])
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
      appender.endRow();
    }
  }
  appender.closeSync();

  // Each call row with its verdicts.
  await c.run(`CREATE OR REPLACE TEMP TABLE trail_judged AS
    SELECT v.kind, v.principal, v.action, v.person, v.reason, s.* EXCLUDE (per_file, file, call, identity)
    FROM trail_scan s JOIN trail_verdicts v ON v.call = s.call
    WHERE NOT s.per_file`);

  // Facts, denied attempts and people are appended; reads aggregate (see the schema notes).
  await c.run(`INSERT INTO usage_facts
    SELECT principal, action,
           coalesce(${objectOrBucket('resource', 'has_key', 'min(key_min)', 'max(key_max)')}, ''),
           day, 'cloudtrail', sum(n), min(first_seen), max(last_seen)
    FROM trail_judged WHERE kind = 'usage'
    GROUP BY principal, action, resource, has_key, day`);
  await c.run(`INSERT INTO denied_attempts
    SELECT principal, action, day, error_code, sum(n), min(first_seen), max(last_seen)
    FROM trail_judged WHERE kind = 'denied' GROUP BY principal, action, day, error_code`);
  await c.run(`INSERT INTO session_people
    SELECT principal, person, day, sum(n) FROM trail_judged WHERE kind = 'person'
    GROUP BY principal, person, day`);
  await c.run(`INSERT INTO unmapped AS t
    SELECT event_source, event_name, any_value(reason), sum(n) FROM trail_judged
    WHERE kind = 'unmapped' GROUP BY event_source, event_name
    ON CONFLICT (event_source, event_name) DO UPDATE SET count = t.count + excluded.count`);

  const totals = (
    await c.runAndReadAll(`SELECT kind, reason, event_source, event_name, sum(n)::DOUBLE AS n
      FROM trail_judged GROUP BY kind, reason, event_source, event_name`)
  ).getRows();
  const skipped: Record<string, number> = {};
  const unmapped: UnmappedPair[] = [];
  let usageRecords = 0;
  let deniedAttempts = 0;
  for (const [kind, reason, eventSource, eventName, n] of totals) {
    const count = Number(n);
    if (kind === 'usage') usageRecords += count;
    else if (kind === 'denied') deniedAttempts += count;
    else if (kind === 'skip') skipped[String(reason)] = (skipped[String(reason)] ?? 0) + count;
    else {
      skipped['unmapped'] = (skipped['unmapped'] ?? 0) + count;
      unmapped.push({
        eventSource: String(eventSource),
        eventName: String(eventName),
        reason: String(reason),
        count,
      });
    }
  }
  for (const table of ['trail_judged', 'trail_verdicts', 'trail_scan'])
    await c.run(`DROP TABLE IF EXISTS ${table}`);
  return { records, usageRecords, deniedAttempts, skipped, unmapped };
}
