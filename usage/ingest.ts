/**
 * Ingesting CloudTrail: walks a directory of log files as delivered to S3 (any nesting, `.json`,
 * `.json.gz`, `.jsonl`; `CloudTrail-Digest` files skipped), maps each event to IAM actions and to
 * the identity behind it, aggregates per day, and stores each file atomically. A file already
 * ingested (same path, size and hash) is skipped, so ingesting twice changes nothing. Bad input is
 * counted per file and reason, and what was read before the fault is kept.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, constants as zlib } from 'node:zlib';
import type { Catalog, Issue } from '../policy-model/index.js';
import { readAccessAdvisor } from './access-advisor.js';
import { fileKey } from './file-keys.js';
import { TrailScanError } from './cloudtrail/duckdb-scan.js';
import { mapEvent, type ActionMap, type EventMapping } from './cloudtrail/to-action.js';
import { resolveActor, type Actor } from './cloudtrail/principal.js';
import { judgeCall, roleArnsIn, RULES_VERSION } from './verdict.js';
import { parseRecords, type CloudTrailRecord } from './cloudtrail/record.js';
import type {
  DeniedAttempt,
  FileFacts,
  FileKey,
  SessionPerson,
  UnmappedPair,
  UsageFact,
} from './facts.js';
import type { TrailCall, UsageStore } from './store/store.js';

/** What an ingest run did (the JSON summary of `leastpriv usage ingest`). */
export interface IngestSummary {
  filesSeen: number;
  filesIngested: number;
  filesAlreadyIngested: number;
  digestFilesSkipped: number;
  records: number;
  usageRecords: number;
  deniedAttempts: number;
  skipped: Record<string, number>;
  unmapped: UnmappedPair[];
  corruptFiles: { file: string; reason: string }[];
  /**
   * Files the DuckDB engine could not read and handed to the Node engine, one entry per failure:
   * how many files, and DuckDB's reason. A failure that names files (corrupt, truncated, not
   * CloudTrail) hands over those; DuckDB out of memory is retried on halves of the batch and
   * appears here only if a single file still fails, or the batch's attempts run out (see
   * docs/usage.md). Empty with `node`.
   */
  fallbacks: { files: number; reason: string }[];
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
}

/** Progress after each file. */
export interface IngestProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** What ingesting needs. */
export interface IngestOptions {
  readonly catalog: Catalog;
  readonly actionMap: ActionMap;
  readonly store: UsageStore;
  readonly onProgress?: (progress: IngestProgress) => void;
  /**
   * Most files per transaction (default: no limit but `batchBytes`). A crash loses at most the
   * batch being written.
   */
  readonly batchFiles?: number;
  /**
   * Most bytes of trail files (as stored, gzip or not) per transaction (default 256 MiB). The
   * DuckDB engine reads a batch in one statement: every batch costs a fixed share of planning,
   * judging and committing (bench/usage.bench.ts), while its memory grows with the distinct
   * activity in it, not with its records, and spills to disk past the store's memory limit.
   */
  readonly batchBytes?: number;
  /**
   * `node` (default): parse every file in Node, exact. `duckdb`: DuckDB reads and groups the
   * records (faster; actions a call needs only with some parameter are counted whenever the call is).
   */
  readonly engine?: 'duckdb' | 'node';
  /** DuckDB threads for reading (default: DuckDB's own, the number of cores). */
  readonly threads?: number;
}

/** A trail file to ingest: its path, its name relative to the trail's root, its size and key. */
interface PendingFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly key: Promise<FileKey>;
}

/** Every CloudTrail file below `root`, in a stable order. */
export function listTrailFiles(root: string): { files: string[]; digests: number } {
  const files: string[] = [];
  let digests = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '.leastpriv') continue;
        walk(path);
      } else if (/\.(json|json\.gz|jsonl|jsonl\.gz)$/.test(entry.name)) {
        // Digest files prove integrity; they hold no events.
        if (path.includes('CloudTrail-Digest')) digests += 1;
        else files.push(path);
      }
    }
  };
  walk(root);
  return { files, digests };
}

/** Decompresses a gzip file; a truncated one yields what precedes the cut. */
function gunzip(buffer: Buffer, file: string, issues: Issue[]): string | undefined {
  try {
    return gunzipSync(buffer).toString('utf8');
  } catch (e) {
    try {
      const partial = gunzipSync(buffer, { finishFlush: zlib.Z_SYNC_FLUSH }).toString('utf8');
      issues.push({
        code: 'truncated_gzip',
        message: `the gzip stream ends early (${(e as Error).message}); the records before the cut are kept`,
        path: file,
      });
      return partial;
    } catch (e2) {
      issues.push({
        code: 'corrupt_gzip',
        message: `not a readable gzip file: ${(e2 as Error).message}`,
        path: file,
      });
      return undefined;
    }
  }
}

/**
 * The resource ARNs an event names: for S3, the object (or bucket) its request parameters name
 * (its `resources[]` also lists the bucket of an object, which the call does not act on as a
 * bucket); else `resources[]`.
 */
function resourcesOf(record: CloudTrailRecord): string[] {
  const params = record.requestParameters as Record<string, unknown> | null | undefined;
  if (
    params &&
    typeof params === 'object' &&
    record.eventSource === 's3.amazonaws.com' &&
    typeof params['bucketName'] === 'string'
  ) {
    const bucket = params['bucketName'];
    return [
      typeof params['key'] === 'string'
        ? `arn:aws:s3:::${bucket}/${params['key']}`
        : `arn:aws:s3:::${bucket}`,
    ];
  }
  const out = new Set<string>();
  for (const r of record.resources ?? []) if (typeof r.ARN === 'string') out.add(r.ARN);
  // Bounded: an event naming hundreds of resources must not blow up the store.
  return [...out].slice(0, 8);
}

/** One call, or several identical calls, as the aggregation sees it. */
interface Observation {
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventType: string | null | undefined;
  readonly errorCode: string | null | undefined;
  readonly actor: Actor;
  readonly day: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly resources: readonly string[];
  /** The request parameters; undefined when unknown (then parameter-bound actions count). */
  readonly parameters: unknown;
}

/**
 * Folds observations into one file's facts: the rules that decide what is usage (not sign-ins,
 * not AWS acting alone, not unmapped pairs: `judgeCall`), what is a denied attempt, and who the
 * person was. The Node engine feeds it records.
 */
class FactsAccumulator {
  private readonly facts = new Map<string, UsageFact>();
  private readonly denied = new Map<string, DeniedAttempt>();
  private readonly people = new Map<string, SessionPerson>();
  private readonly unmapped = new Map<string, UnmappedPair>();
  records = 0;

  constructor(
    private readonly map: (source: string, name: string) => EventMapping,
    private readonly skipped: Record<string, number>,
  ) {}

  private skip(reason: string, n: number): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
  }

  add(o: Observation): void {
    this.records += o.count;
    const mapping = this.map(o.eventSource, o.eventName);
    const verdict = judgeCall({ ...o, mapping });
    const seen = { count: o.count, firstSeen: o.firstSeen, lastSeen: o.lastSeen };
    switch (verdict.kind) {
      case 'skip':
        return this.skip(verdict.reason, o.count);
      case 'unmapped': {
        const k = `${o.eventSource}\0${o.eventName}`;
        this.unmapped.set(k, {
          eventSource: o.eventSource,
          eventName: o.eventName,
          reason: verdict.reason,
          count: (this.unmapped.get(k)?.count ?? 0) + o.count,
        });
        return this.skip('unmapped', o.count);
      }
      case 'denied':
        for (const action of verdict.actions) {
          const k = `${verdict.principal}\0${action}\0${o.day}\0${verdict.errorCode}`;
          this.denied.set(
            k,
            widen(this.denied.get(k), {
              principal: verdict.principal,
              action,
              day: o.day,
              errorCode: verdict.errorCode,
              ...seen,
            }),
          );
        }
        return;
      case 'usage': {
        const principal = verdict.principal;
        // A call naming several resources is one call: its count goes to the first resource,
        // the others are recorded as seen (count 0), so sums over resources count calls.
        const bound = new Set(verdict.parameterBound ?? []);
        for (const action of verdict.actions)
          resourcesFor(action, bound.has(action), o).forEach((resource, i) => {
            const k = `${principal}\0${action}\0${resource}\0${o.day}`;
            this.facts.set(
              k,
              widen(this.facts.get(k), {
                principal,
                action,
                resource,
                day: o.day,
                source: 'cloudtrail',
                ...seen,
                count: i === 0 ? seen.count : 0,
              }),
            );
          });
        if (verdict.person) {
          const k = `${principal}\0${verdict.person}\0${o.day}`;
          this.people.set(k, {
            principal,
            person: verdict.person,
            day: o.day,
            count: (this.people.get(k)?.count ?? 0) + o.count,
          });
        }
      }
    }
  }

  result(): FileFacts {
    return {
      facts: collapseObjects([...this.facts.values()]),
      denied: [...this.denied.values()],
      people: [...this.people.values()],
      unmapped: [...this.unmapped.values()],
      records: this.records,
    };
  }
}

/**
 * Keeps the S3 object ARN when a principal used one object of a bucket (per action and day, in
 * one batch), and `arn:aws:s3:::bucket/*` when it used several: the recommender needs "this
 * object" or "objects of this bucket", and the store then grows with buckets, not with keys.
 * The DuckDB engine applies the same rule in SQL (`objectOrBucket`).
 */
function collapseObjects(facts: readonly UsageFact[]): UsageFact[] {
  const groups = new Map<string, UsageFact[]>();
  const out: UsageFact[] = [];
  for (const f of facts) {
    const bucket = /^(arn:[^:]+:s3:::[^/]+)\/./.exec(f.resource)?.[1];
    if (!bucket) {
      out.push(f);
      continue;
    }
    const k = `${f.principal}\0${f.action}\0${bucket}\0${f.day}\0${f.source}`;
    const group = groups.get(k);
    if (group) group.push(f);
    else groups.set(k, [f]);
  }
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(...group);
      continue;
    }
    const bucket = /^(arn:[^:]+:s3:::[^/]+)\//.exec(group[0]!.resource)![1]!;
    out.push(
      group.reduce((a, b) => widen(a, b), { ...group[0]!, resource: `${bucket}/*`, count: 0 }),
    );
  }
  return out;
}

/**
 * The resources a fact names: the call's own; for an action the call needs only because of a
 * parameter, not those (they are the call's target, not what that action acts on) but, for
 * `iam:PassRole`, the roles the parameters name; '' when unknown.
 */
function resourcesFor(action: string, parameterBound: boolean, o: Observation): readonly string[] {
  if (!parameterBound) return o.resources.length > 0 ? o.resources : [''];
  const roles = action.toLowerCase() === 'iam:passrole' ? roleArnsIn(o.parameters) : [];
  return roles.length > 0 ? roles : [''];
}

/** Adds a sighting to a running total: counts add, first/last widen. */
function widen<R extends { count: number; firstSeen: string; lastSeen: string }>(
  prev: R | undefined,
  next: R,
): R {
  if (!prev) return next;
  return {
    ...prev,
    count: prev.count + next.count,
    firstSeen: prev.firstSeen < next.firstSeen ? prev.firstSeen : next.firstSeen,
    lastSeen: prev.lastSeen > next.lastSeen ? prev.lastSeen : next.lastSeen,
  };
}

/** Aggregates one file's records into facts. */
export function aggregate(
  records: readonly CloudTrailRecord[],
  map: (source: string, name: string) => EventMapping,
  skipped: Record<string, number>,
): FileFacts {
  const accumulator = new FactsAccumulator(map, skipped);
  for (const record of records) {
    const time = new Date(record.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    accumulator.add({
      eventSource: record.eventSource,
      eventName: record.eventName,
      eventType: record.eventType,
      errorCode: record.errorCode,
      actor: resolveActor(record.userIdentity),
      day: time.slice(0, 10),
      firstSeen: time,
      lastSeen: time,
      count: 1,
      resources: resourcesOf(record),
      parameters: record.requestParameters,
    });
  }
  return accumulator.result();
}

/** Ingests every CloudTrail file below `root` into the store. */
export async function ingestCloudTrail(
  root: string,
  options: IngestOptions,
): Promise<IngestSummary> {
  const started = performance.now();
  const { files, digests } = listTrailFiles(root);
  const cache = new Map<string, EventMapping>();
  const map = (source: string, name: string): EventMapping => {
    const k = `${source}\0${name}`;
    let m = cache.get(k);
    if (!m) {
      m = mapEvent(options.actionMap, options.catalog, source, name);
      cache.set(k, m);
    }
    return m;
  };
  const summary: IngestSummary = {
    filesSeen: files.length,
    filesIngested: 0,
    filesAlreadyIngested: 0,
    digestFilesSkipped: digests,
    records: 0,
    usageRecords: 0,
    deniedAttempts: 0,
    skipped: {},
    unmapped: [],
    corruptFiles: [],
    fallbacks: [],
    bytes: 0,
    seconds: 0,
    recordsPerSecond: 0,
    megabytesPerSecond: 0,
  };
  const unmapped = new Map<string, UnmappedPair & { count: number }>();
  let done = 0;
  // Files are stored in batches, each in one transaction (see `UsageStore.ingestFiles`).
  const batches = planBatches(
    files,
    options.batchFiles ?? Number.POSITIVE_INFINITY,
    options.batchBytes ?? DEFAULT_BATCH_BYTES,
  );
  // The Node engine also stores every 64 files, so its facts in memory stay bounded.
  const nodeBatchFiles = options.batchFiles ?? 64;
  let batch: { file: FileKey; facts: FileFacts }[] = [];
  let batchFacts = 0;
  const flush = async () => {
    if (batch.length > 0) await options.store.ingestFiles(batch);
    batch = [];
    batchFacts = 0;
  };
  const addUnmapped = (pairs: readonly UnmappedPair[]) => {
    for (const u of pairs) {
      const k = `${u.eventSource}\0${u.eventName}`;
      const prev = unmapped.get(k) ?? { ...u, count: 0 };
      prev.count += u.count;
      unmapped.set(k, prev);
    }
  };
  /** Adds one file's facts to the run's totals. */
  const account = (facts: Omit<FileFacts, 'records'>, records: number) => {
    summary.records += records;
    summary.usageRecords += facts.facts.reduce((n, f) => n + f.count, 0);
    summary.deniedAttempts += facts.denied.reduce((n, d) => n + d.count, 0);
    addUnmapped(facts.unmapped);
  };
  const readsTrail = options.engine === 'duckdb' ? options.store.ingestTrailFiles : undefined;
  if (options.engine === 'duckdb' && !readsTrail)
    throw new Error('the duckdb engine needs a store that reads trail files (the DuckDB store)');
  // A call is judged once per batch (actors and mappings are cached across batches).
  const actors = new Map<string, Actor>();
  const judge = (call: TrailCall) => {
    let actor = actors.get(call.identity);
    if (!actor) {
      actor = resolveActor(JSON.parse(call.identity));
      actors.set(call.identity, actor);
    }
    // Fields named, not spread: spreading the call cost 4 µs per call (bench/usage.bench.ts).
    return judgeCall({
      eventType: call.eventType,
      errorCode: call.errorCode,
      actor,
      mapping: map(call.eventSource, call.eventName),
      parameters: undefined,
    });
  };
  // The version of the rules, catalog and action map behind a verdict: a store that keeps the
  // calls it read judges them again when it changes.
  const verdictsVersion = `rules ${RULES_VERSION}; ${options.catalog.version}; action map ${options.actionMap.version}`;
  // Files are hashed (`fileKey`, between other work) while the store reads: a batch's hashes
  // start with the batch before it, and only a file whose path was ingested before must be hashed
  // before it can be told fresh; the others are read at once and their keys recorded at commit.
  const hashing = (i: number) =>
    i < batches.length ? batches[i]!.map((f) => fileKey(root, f.path)) : [];
  /**
   * Reads `files` through the store's own reader (DuckDB), one transaction per attempt, and
   * returns those it could not read, for the Node path. A failure that names files (corrupt or
   * truncated, not CloudTrail) sends those the Node way; DuckDB running out of memory names
   * none. Either way the other files are tried again in halves, so one bad file, or a batch too
   * large for DuckDB's memory, no longer sends a whole batch the slow way (on the bench machine
   * Node reads 45,000 records/s, DuckDB 400,000), and many bad files (DuckDB names one per
   * attempt) cost about log2(n) rereadings of the batch, not one per bad file. Any other failure
   * (a hash collision) sends the files the Node way at once, as does running out of `attempts`.
   */
  const readThroughStore = async (
    files: readonly PendingFile[],
    budget = { attempts: 2 * Math.ceil(Math.log2(files.length + 1)) + 2 },
  ): Promise<PendingFile[]> => {
    if (files.length === 0) return [];
    if (budget.attempts <= 0) {
      summary.fallbacks.push({
        files: files.length,
        reason: 'DuckDB failed on too many files of this batch: the rest is read by Node',
      });
      return [...files];
    }
    budget.attempts -= 1;
    try {
      const result = await readsTrail!.call(
        options.store,
        files.map(({ path, key }) => ({ path, file: key })),
        judge,
        {
          verdictsVersion,
          ...(options.threads === undefined ? {} : { threads: options.threads }),
        },
      );
      for (const n of result.records.values()) summary.records += n;
      summary.usageRecords += result.usageRecords;
      summary.deniedAttempts += result.deniedAttempts;
      for (const [reason, n] of Object.entries(result.skipped))
        summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
      addUnmapped(result.unmapped);
      summary.filesIngested += files.length;
      return [];
    } catch (e) {
      if (!(e instanceof TrailScanError)) throw e;
      const named = new Set(e.files);
      const guilty = files.filter((f) => named.has(f.path));
      const outOfMemory = guilty.length === 0 && /out of memory/i.test(e.message);
      if (files.length === 1 || (guilty.length === 0 && !outOfMemory)) {
        summary.fallbacks.push({ files: files.length, reason: e.message });
        return [...files];
      }
      if (guilty.length > 0) summary.fallbacks.push({ files: guilty.length, reason: e.message });
      const rest = files.filter((f) => !named.has(f.path));
      const half = Math.ceil(rest.length / 2);
      return [
        ...guilty,
        ...(await readThroughStore(rest.slice(0, half), budget)),
        ...(await readThroughStore(rest.slice(half), budget)),
      ];
    }
  };
  let upcoming = hashing(0);
  for (let i = 0; i < batches.length; i += 1) {
    const keys = upcoming;
    upcoming = hashing(i + 1);
    const read = batches[i]!.map((f, j) => ({
      path: f.path,
      name: relative(root, f.path),
      size: f.size,
      key: keys[j]!,
    }));
    const doneBefore = done;
    for (const f of read) summary.bytes += f.size;
    done += read.length;
    const seen = options.store.pathsKnown
      ? await options.store.pathsKnown(read.map((f) => f.name))
      : undefined;
    const check = seen ? read.filter((f) => seen.has(f.name)) : read;
    const known = await options.store.knownFiles(await Promise.all(check.map((f) => f.key)));
    const fresh = read.filter((f) => !known.has(f.name));
    summary.filesAlreadyIngested += read.length - fresh.length;
    const freshBytes = fresh.reduce((n, f) => n + f.size, 0);
    // Where progress stands once the files already ingested are counted and `part` of the fresh
    // ones (by count and by bytes) are read.
    const progress = (part: number, partBytes: number): IngestProgress => ({
      filesDone: doneBefore + read.length - fresh.length + Math.floor(part),
      filesTotal: files.length,
      records: summary.records,
      bytes: summary.bytes - freshBytes + Math.floor(partBytes),
      seconds: (performance.now() - started) / 1000,
    });
    // The files Node reads: all of them, or those the store's reader could not read.
    let forNode: readonly PendingFile[] = fresh;
    if (readsTrail && fresh.length > 0) {
      // DuckDB reads, groups and stores; TypeScript judges the distinct calls. A file DuckDB
      // cannot read (corrupt or truncated) is read in Node, which salvages what it can.
      // A batch is one long statement: its progress comes from the store while it runs. DuckDB's
      // estimate may step back, and reads 0 between statements: only progress forward is shown.
      let shown = 0;
      const ticker =
        options.onProgress && options.store.trailProgress
          ? setInterval(() => {
              const part = options.store.trailProgress!();
              if (part <= shown) return;
              shown = part;
              options.onProgress!(progress(part * fresh.length, part * freshBytes));
            }, 250)
          : undefined;
      try {
        forNode = await readThroughStore(fresh);
      } finally {
        clearInterval(ticker);
      }
    }
    if (forNode.length > 0) {
      let readBytes = 0;
      const doneByStore = fresh.length - forNode.length;
      const bytesByStore = freshBytes - forNode.reduce((n, f) => n + f.size, 0);
      for (const [k, f] of forNode.entries()) {
        const { path } = f;
        const key = await f.key;
        const issues: Issue[] = [];
        const buffer = readFileSync(path);
        const text = path.endsWith('.gz')
          ? gunzip(buffer, key.path, issues)
          : buffer.toString('utf8');
        const parsed = text === undefined ? undefined : parseRecords(text, key.path);
        if (parsed) issues.push(...parsed.issues);
        for (const issue of issues)
          summary.corruptFiles.push({
            file: issue.path,
            reason: `${issue.code}: ${issue.message}`,
          });
        const records = parsed?.records ?? [];
        for (const [reason, n] of Object.entries(parsed?.skipped ?? {}))
          summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
        const facts = aggregate(records, map, summary.skipped);
        account(facts, records.length);
        // A file that could not be read at all is not recorded, so a later, fixed delivery is read.
        if (text !== undefined) {
          batch.push({ file: key, facts: { ...facts, records: records.length } });
          batchFacts += facts.facts.length;
          summary.filesIngested += 1;
        }
        if (batch.length >= nodeBatchFiles || batchFacts >= 200_000) await flush();
        readBytes += f.size;
        options.onProgress?.(progress(doneByStore + k + 1, bytesByStore + readBytes));
      }
    }
    options.onProgress?.(progress(fresh.length, freshBytes));
  }
  await flush();
  summary.unmapped = [...unmapped.values()].sort((a, b) => b.count - a.count);
  summary.seconds = (performance.now() - started) / 1000;
  summary.recordsPerSecond = Math.round(summary.records / Math.max(summary.seconds, 1e-9));
  summary.megabytesPerSecond =
    Math.round((summary.bytes / 1e6 / Math.max(summary.seconds, 1e-9)) * 10) / 10;
  return summary;
}

/** Default `batchBytes`: 256 MiB of trail files per transaction. */
export const DEFAULT_BATCH_BYTES = 256 * 1024 * 1024;

/**
 * Splits the files, in order, into batches of at most `maxFiles` files and, unless one file is
 * larger, at most `maxBytes` bytes.
 */
export function planBatches(
  files: readonly string[],
  maxFiles: number,
  maxBytes: number,
): { path: string; size: number }[][] {
  const batches: { path: string; size: number }[][] = [];
  let batch: { path: string; size: number }[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = statSync(file).size;
    if (batch.length > 0 && (batch.length >= maxFiles || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ path: file, size });
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** What reading Access Advisor files did. */
export interface AccessAdvisorSummary {
  files: number;
  alreadyIngested: number;
  facts: number;
  problems: { file: string; reason: string }[];
}

/** Ingests every `accounts/<id>/access-advisor.json` of a snapshot (idempotent, like CloudTrail). */
export async function ingestAccessAdvisor(
  snapshot: string,
  store: UsageStore,
): Promise<AccessAdvisorSummary> {
  const summary: AccessAdvisorSummary = { files: 0, alreadyIngested: 0, facts: 0, problems: [] };
  const accounts = join(snapshot, 'accounts');
  let ids: string[];
  try {
    ids = readdirSync(accounts).sort();
  } catch {
    return summary; // not a snapshot: no accounts folder
  }
  for (const id of ids) {
    const path = join(accounts, id, 'access-advisor.json');
    let buffer: Buffer;
    try {
      buffer = readFileSync(path);
    } catch {
      continue;
    }
    const name = relative(snapshot, path);
    const key = {
      path: name,
      size: buffer.length,
      hash: createHash('sha256').update(buffer).digest('hex'),
    };
    summary.files += 1;
    if (await store.hasFile(key)) {
      summary.alreadyIngested += 1;
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(buffer.toString('utf8'));
    } catch (e) {
      summary.problems.push({ file: name, reason: `invalid_json: ${(e as Error).message}` });
      continue;
    }
    const { facts, issues } = readAccessAdvisor(json, name);
    for (const issue of issues)
      summary.problems.push({ file: issue.path, reason: `${issue.code}: ${issue.message}` });
    summary.facts += facts.length;
    await store.ingestFile(key, {
      facts,
      denied: [],
      people: [],
      unmapped: [],
      records: facts.length,
    });
  }
  return summary;
}
