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
      // The use rows of a scan carry no error code (they group by the call's hash): it rides here.
      return verdict.actions.map((a): VerdictRow => [
        'denied',
        verdict.principal,
        a,
        null,
        verdict.errorCode,
      ]);
    case 'usage':
      // A parameter-bound action (iam:PassRole) does not act on the call's resource: `usage-bare`
      // facts name none (the request parameters are not read here).
      return [
        ...verdict.actions.map((a): VerdictRow => [
          verdict.parameterBound?.includes(a) ? 'usage-bare' : 'usage',
          verdict.principal,
          a,
          null,
          null,
        ]),
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
      `SELECT call, to_json(identity)::VARCHAR, event_source, event_name, event_type, error_code
       FROM trail_scan WHERE row_kind = 'call'`,
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

  // The verdicts joined back to the uses, per kind. Facts, denied attempts and people are
  // appended; reads aggregate (see the schema notes).
  const judged = (kind: string) => `FROM trail_scan s JOIN trail_verdicts v ON v.call = s.call
    WHERE s.row_kind = 'use' AND v.kind = '${kind}'`;
  await c.run(`INSERT INTO usage_facts
    SELECT v.principal, v.action,
           coalesce(${objectOrBucket('s.resource', 's.has_key', 'min(s.key_min)', 'max(s.key_max)')}, ''),
           s.day, 'cloudtrail', sum(s.n), min(s.first_seen), max(s.last_seen)
    ${judged('usage')}
    GROUP BY v.principal, v.action, s.resource, s.has_key, s.day`);
  await c.run(`INSERT INTO usage_facts
    SELECT v.principal, v.action, '', s.day, 'cloudtrail', sum(s.n), min(s.first_seen), max(s.last_seen)
    ${judged('usage-bare')}
    GROUP BY v.principal, v.action, s.day`);
  await c.run(`INSERT INTO denied_attempts
    SELECT v.principal, v.action, s.day, v.reason, sum(s.n), min(s.first_seen), max(s.last_seen)
    ${judged('denied')} GROUP BY v.principal, v.action, s.day, v.reason`);
  await c.run(`INSERT INTO session_people
    SELECT v.principal, v.person, s.day, sum(s.n) ${judged('person')}
    GROUP BY v.principal, v.person, s.day`);
  // Totals and unmapped pairs need no day: the call rows suffice.
  const totals = (
    await c.runAndReadAll(`SELECT v.kind, v.reason, s.event_source, s.event_name, sum(s.n)::DOUBLE
      FROM trail_scan s JOIN trail_verdicts v ON v.call = s.call
      WHERE s.row_kind = 'call' AND v.kind <> 'person'
      GROUP BY v.kind, v.reason, s.event_source, s.event_name`)
  ).getRows();
  await c.run(`INSERT INTO unmapped AS t
    SELECT s.event_source, s.event_name, any_value(v.reason), sum(s.n)
    FROM trail_scan s JOIN trail_verdicts v ON v.call = s.call
    WHERE s.row_kind = 'call' AND v.kind = 'unmapped' GROUP BY s.event_source, s.event_name
    ON CONFLICT (event_source, event_name) DO UPDATE SET count = t.count + excluded.count`);
  const skipped: Record<string, number> = {};
  const unmapped: UnmappedPair[] = [];
  let usageRecords = 0;
  let deniedAttempts = 0;
  for (const [kind, reason, eventSource, eventName, n] of totals) {
    const count = Number(n);
    if (kind === 'usage' || kind === 'usage-bare') usageRecords += count;
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
  for (const table of ['trail_verdicts', 'trail_scan'])
    await c.run(`DROP TABLE IF EXISTS ${table}`);
  return { records, usageRecords, deniedAttempts, skipped, unmapped };
}
