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

/** The judge whose verdicts the connection's `trail_verdicts` hold. */
const judgedBy = new WeakMap<DuckDBConnection, (call: TrailCall) => Verdict>();

/**
 * Makes sure the connection's verdict tables exist and hold only this judge's verdicts (a new
 * ingest run brings a new judge: another action map may give other verdicts).
 */
async function startRun(c: DuckDBConnection, judge: (call: TrailCall) => Verdict): Promise<void> {
  // A batch rolled back (read the Node way instead) may have taken the tables' creation with it.
  if (judgedBy.get(c) === judge) {
    const exists = await c.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'trail_verdicts'`,
    );
    if (Number(exists.getRows()[0]![0]) > 0) return;
  }
  await c.run(`CREATE OR REPLACE TEMP TABLE trail_calls (call UBIGINT, call_check UBIGINT);
    CREATE OR REPLACE TEMP TABLE trail_verdicts (call UBIGINT, kind VARCHAR, principal VARCHAR,
      action VARCHAR, person VARCHAR, reason VARCHAR)`);
  judgedBy.set(c, judge);
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

  // The distinct calls; TypeScript judges each once per run: verdicts of earlier batches are
  // kept in `trail_verdicts` (a temporary table of the connection, emptied when a new run, i.e. a
  // new judge, starts), so a batch judges only the calls it is the first to see. Verdicts join
  // back on the call's hash; a second, salted hash catches two calls sharing the first, and the
  // batch then goes the Node way instead.
  await startRun(c, judge);
  const [duplicates, mismatched] = (
    await c.runAndReadAll(
      `SELECT (SELECT count(*) - count(DISTINCT call) FROM trail_scan WHERE row_kind = 'call'),
              (SELECT count(*) FROM trail_scan s JOIN trail_calls k ON k.call = s.call
               WHERE s.row_kind = 'call' AND k.call_check <> s.call_check)`,
    )
  ).getRows()[0]!;
  if (Number(duplicates) > 0 || Number(mismatched) > 0)
    throw new TrailScanError('two distinct calls share a hash', []);
  const calls = (
    await c.runAndReadAll(
      `SELECT s.call, s.call_check, to_json(s.identity)::VARCHAR, s.event_source, s.event_name,
              s.event_type, s.error_code
       FROM trail_scan s ANTI JOIN trail_calls k ON k.call = s.call
       WHERE s.row_kind = 'call'`,
    )
  ).getRows();
  const known = await c.createAppender('trail_calls');
  const appender = await c.createAppender('trail_verdicts');
  for (const [call, check, identity, eventSource, eventName, eventType, errorCode] of calls) {
    known.appendUBigInt(call as bigint);
    known.appendUBigInt(check as bigint);
    known.endRow();
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
  known.closeSync();
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
  await c.run('DROP TABLE IF EXISTS trail_scan');
  return { records, usageRecords, deniedAttempts, skipped, unmapped };
}
