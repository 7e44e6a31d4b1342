/**
 * The DuckDB store reading trail files itself: DuckDB reads and groups the raw records into a
 * temporary table (usage/cloudtrail/duckdb-scan.ts); the grouped uses are appended as they are,
 * keyed by the call's hash, and TypeScript judges each distinct call once (`judgeCall`: identity,
 * action mapping, denied or used) when it is first seen, so no per-record value ever crosses into
 * JavaScript and storing a batch costs one copy of its grouped rows. Reads join uses to verdicts.
 * One transaction per batch: a crash leaves the store as it was before the batch.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { scanTrailFilesInto, TrailScanError } from '../cloudtrail/duckdb-scan.js';
import type { UnmappedPair } from '../facts.js';
import type { Verdict } from '../verdict.js';
import type { TrailBatchResult, TrailCall, TrailFile } from './store.js';

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

/** The event fields of a call. */
const EVENT_FIELDS = 'event_source, event_name, event_type, error_code';

/** A token per judge given no version: a new judge (a new ingest run) judges every call again. */
const judgeTokens = new WeakMap<(call: TrailCall) => Verdict, string>();

/**
 * Makes sure `trail_verdicts` holds the verdicts of these rules (`version`: rules, catalog and
 * action map) on every stored call, judging them all again when another version judged them.
 * Runs inside the batch's transaction, so a batch rolled back takes the new verdicts with it.
 */
async function judgeStoredCalls(
  c: DuckDBConnection,
  judge: (call: TrailCall) => Verdict,
  version: string | undefined,
  stored: { readonly version: unknown; readonly calls: number },
): Promise<void> {
  let current = version;
  if (current === undefined) {
    current = judgeTokens.get(judge) ?? `run:${randomUUID()}`;
    judgeTokens.set(judge, current);
  }
  if (stored.version === current) return;
  if (stored.calls > 0) await judgeAgain(c, judge);
  await c.run(`INSERT OR REPLACE INTO meta VALUES ('verdicts_of', $1)`, [current]);
}

/** Replaces every stored call's verdict with this judge's. */
async function judgeAgain(c: DuckDBConnection, judge: (call: TrailCall) => Verdict): Promise<void> {
  const calls = (
    await c.runAndReadAll(
      'SELECT call, identity, event_source, event_name, event_type, error_code FROM trail_calls',
    )
  ).getRows();
  await c.run('DELETE FROM trail_verdicts');
  const appender = await c.createAppender('trail_verdicts');
  for (const [call, identity, eventSource, eventName, eventType, errorCode] of calls)
    appendVerdict(
      appender,
      call as bigint,
      judge(trailCall(identity, eventSource, eventName, eventType, errorCode)),
    );
  appender.closeSync();
}

/** A call as the judge takes it, from DuckDB values (a NULL identity becomes the JSON `null`). */
function trailCall(
  identity: unknown,
  eventSource: unknown,
  eventName: unknown,
  eventType: unknown,
  errorCode: unknown,
): TrailCall {
  return {
    identity: String(identity),
    eventSource: String(eventSource),
    eventName: String(eventName),
    eventType: eventType === null ? null : String(eventType),
    errorCode: errorCode === null ? null : String(errorCode),
  };
}

/** Appends a call's verdict as its `trail_verdicts` rows. */
function appendVerdict(appender: DuckDBAppender, call: bigint, verdict: Verdict): void {
  for (const [kind, principal, action, person, reason] of verdictRows(verdict)) {
    appender.appendUBigInt(call);
    appender.appendVarchar(kind);
    for (const v of [principal, action, person, reason])
      if (v === null) appender.appendNull();
      else appender.appendVarchar(v);
    appender.endRow();
  }
}

/**
 * Judges calls given as columns of (call, identity key, event key), with `parts` spelling out
 * the keys: ('identity', key, identity, null…) or ('event', key, null, event source, name, type,
 * error code). An identity may be null (a record without `userIdentity`).
 */
function judgeKeyed(
  columns: readonly (readonly unknown[])[],
  parts: readonly (readonly unknown[])[],
  judge: (call: TrailCall) => Verdict,
): { calls: unknown[]; verdicts: Verdict[] } {
  const identities = new Map<unknown, unknown>();
  const events = new Map<unknown, Omit<TrailCall, 'identity'>>();
  const collide = () => new TrailScanError('two distinct identities or events share a hash', []);
  for (const [part, key, identity, eventSource, eventName, eventType, errorCode] of parts) {
    if (part === 'identity') {
      if (identities.has(key)) throw collide();
      identities.set(key, identity);
    } else {
      if (events.has(key)) throw collide();
      events.set(key, trailCall('', eventSource, eventName, eventType, errorCode));
    }
  }
  const [calls = [], identityKeys = [], eventKeys = []] = columns;
  return {
    calls: [...calls],
    verdicts: calls.map((_, i) => {
      const identity = identities.get(identityKeys[i]);
      const event = events.get(eventKeys[i]);
      if (identity === undefined || event === undefined)
        throw new Error('a new call names an identity or event its batch does not hold');
      return judge({
        identity: String(identity),
        eventSource: event.eventSource,
        eventName: event.eventName,
        eventType: event.eventType,
        errorCode: event.errorCode,
      });
    }),
  };
}

/**
 * Spells out the hashes of the resources the batch's uses name in `trail_resources`: the ones
 * not stored yet are added, and two distinct resources sharing a hash, in the batch or with one
 * stored before, fail the batch (which then goes the Node way) rather than mislabel a use.
 */
async function storeResources(c: DuckDBConnection): Promise<void> {
  await c.run(`CREATE OR REPLACE TEMP TABLE trail_scan_resources AS
    SELECT DISTINCT resource AS arn, hash(resource) AS resource
    FROM trail_scan WHERE row_kind = 'use' AND resource IS NOT NULL`);
  await c.run(`INSERT INTO trail_resources
    SELECT s.resource, s.arn FROM trail_scan_resources s
    ANTI JOIN trail_resources r ON r.resource = s.resource`);
  const [clashes] = (
    await c.runAndReadAll(`SELECT count(*) FROM trail_scan_resources s
      JOIN trail_resources r ON r.resource = s.resource AND r.arn <> s.arn`)
  ).getRows()[0]!;
  await c.run('DROP TABLE trail_scan_resources');
  if (Number(clashes) > 0) throw new TrailScanError('two distinct resources share a hash', []);
}

/**
 * Reads, judges and stores one batch of trail files inside a transaction the caller opened.
 * Throws `TrailScanError` (from the scan) when DuckDB cannot read a file.
 */
export async function ingestTrailBatch(
  c: DuckDBConnection,
  batch: readonly TrailFile[],
  judge: (call: TrailCall) => Verdict,
  version?: string,
): Promise<TrailBatchResult> {
  const records = await scanTrailFilesInto(
    c,
    batch.map((b) => b.path),
    'trail_scan',
  );
  // The distinct calls: each is stored and judged once, when a batch first sees it. Uses join
  // their verdicts on the call's hash; a second, salted hash catches two calls sharing the first,
  // and the batch then goes the Node way instead.
  const [judgedBy, storedCalls, duplicates, mismatched] = (
    await c.runAndReadAll(
      `SELECT (SELECT value FROM meta WHERE key = 'verdicts_of'),
              (SELECT count(*) FROM trail_calls),
              (SELECT count(*) - count(DISTINCT call) FROM trail_scan WHERE row_kind = 'call'),
              (SELECT count(*) FROM trail_scan s JOIN trail_calls k ON k.call = s.call
               WHERE s.row_kind = 'call' AND k.call_check <> s.call_check)`,
    )
  ).getRows()[0]!;
  if (Number(duplicates) > 0 || Number(mismatched) > 0)
    throw new TrailScanError('two distinct calls share a hash', []);
  await judgeStoredCalls(c, judge, version, { version: judgedBy, calls: Number(storedCalls) });
  // The calls no batch has seen are stored as read, and come back to be judged while DuckDB
  // copies the uses: each as its hash and the hashes of its identity and of its event fields,
  // which the batch's few distinct identities and event kinds then spell out (turning every
  // call's identity into a JavaScript string cost more than judging it).
  const stored = await c.runAndReadAll(
    `INSERT INTO trail_calls
       SELECT s.call, s.call_check, to_json(s.identity)::VARCHAR, s.event_source, s.event_name,
              s.event_type, s.error_code
       FROM trail_scan s ANTI JOIN trail_calls k ON k.call = s.call
       WHERE s.row_kind = 'call'
       RETURNING call, hash(identity), hash(${EVENT_FIELDS})`,
  );
  const spelled = await c.runAndReadAll(
    `SELECT 'identity', hash(identity), identity, NULL, NULL, NULL, NULL
     FROM (SELECT DISTINCT identity FROM trail_calls
           WHERE call IN (SELECT call FROM trail_scan WHERE row_kind = 'call'))
     UNION ALL
     SELECT 'event', hash(${EVENT_FIELDS}), NULL, ${EVENT_FIELDS}
     FROM (SELECT DISTINCT ${EVENT_FIELDS} FROM trail_scan WHERE row_kind = 'call')`,
  );
  // The uses are stored as read: facts, denied attempts and people are these joined to the
  // verdicts (the `all_*` views of the schema). DuckDB copies them while TypeScript judges the
  // new calls.
  const copying = c.run(`INSERT INTO trail_uses
    SELECT call, day, CASE WHEN resource IS NOT NULL THEN hash(resource) END, n, first_seen, last_seen
    FROM trail_scan WHERE row_kind = 'use'`);
  let judged: { calls: unknown[]; verdicts: Verdict[] };
  try {
    judged = judgeKeyed(stored.getColumns(), spelled.getRows(), judge);
  } finally {
    await copying; // even when judging failed: the connection is not free before
  }
  await storeResources(c);
  const appender = await c.createAppender('trail_verdicts');
  for (const [i, call] of judged.calls.entries())
    appendVerdict(appender, call as bigint, judged.verdicts[i]!);
  appender.closeSync();
  // Totals and unmapped pairs (which the store adds up) need no day: the call rows suffice.
  const totals = (
    await c.runAndReadAll(`SELECT v.kind, v.reason, s.event_source, s.event_name, sum(s.n)::DOUBLE
      FROM trail_scan s JOIN trail_verdicts v ON v.call = s.call
      WHERE s.row_kind = 'call' AND v.kind <> 'person'
      GROUP BY v.kind, v.reason, s.event_source, s.event_name`)
  ).getRows();
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
