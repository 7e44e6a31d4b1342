/**
 * One measured run of the usage benchmark, in a process of its own (bench/usage.bench.ts starts it):
 * `node dist/bench/usage-run.js plain|duckdb|node THREADS TRAIL_DIR`. Prints one JSON line:
 * seconds, records, peak resident memory of this process, and a detail.
 *
 * `plain` is the yardstick the issue names: DuckDB's `read_json` with an explicit schema and a
 * `GROUP BY` of the identity, event and day fields, nothing stored. `duckdb` and `node` are
 * `leastpriv usage ingest` with that engine into a fresh store file (its own timer: from listing
 * the files to the last commit, everything included).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestCloudTrail } from '../usage/ingest.js';
import { DuckDbUsageStore } from '../usage/store/duckdb.js';
import { loadCloudTrailActionMap } from '../src/action-map.js';
import { loadCatalog } from '../src/catalog.js';

/** What a run prints. */
export interface RunResult {
  readonly seconds: number;
  readonly records: number;
  readonly peakMiB: number;
  /** CPU time (user + system, all threads) over the measured part: steadier than wall time. */
  readonly cpuSeconds: number;
  readonly detail?: string;
}

async function plain(dir: string, threads: number): Promise<RunResult> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`SET threads = ${threads}`);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const result = await c.runAndReadAll(`
    SELECT coalesce(r.userIdentity.sessionContext.sessionIssuer.arn, r.userIdentity.arn) AS principal, r.eventSource, r.eventName,
           substr(r.eventTime, 1, 10) AS day, r.errorCode, count(*) AS n, min(r.eventTime) AS first, max(r.eventTime) AS last
    FROM (SELECT unnest(Records) AS r FROM read_json('${dir}/AWSLogs/**/*.json.gz', compression = 'gzip', format = 'unstructured',
      columns = { Records: 'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, errorCode VARCHAR, userIdentity STRUCT(type VARCHAR, arn VARCHAR, sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))))[]' }))
    GROUP BY ALL`);
  const seconds = (performance.now() - t) / 1000;
  const cpuSeconds = cpuSince(cpu);
  const rows = result.getRows();
  const records = rows.reduce((n, row) => n + Number(row[5]), 0);
  c.closeSync();
  instance.closeSync();
  return { seconds, records, peakMiB: peak(), cpuSeconds, detail: `${rows.length} groups` };
}

async function ingest(dir: string, engine: 'duckdb' | 'node', threads: number): Promise<RunResult> {
  const catalog = loadCatalog();
  const actionMap = loadCloudTrailActionMap();
  const storeDir = mkdtempSync(join(tmpdir(), 'leastpriv-usage-bench-'));
  const store = await DuckDbUsageStore.open(join(storeDir, 'usage.db'));
  const cpu = process.cpuUsage();
  const summary = await ingestCloudTrail(dir, {
    catalog,
    actionMap,
    store,
    engine,
    ...(engine === 'duckdb' ? { threads } : {}),
  });
  const cpuSeconds = cpuSince(cpu);
  const size = await store.size();
  await store.close();
  rmSync(storeDir, { recursive: true, force: true });
  if (summary.fallbacks.length > 0 || summary.corruptFiles.length > 0)
    throw new Error(`the bench trail did not read cleanly: ${JSON.stringify(summary.fallbacks)}`);
  return {
    seconds: summary.seconds,
    records: summary.records,
    peakMiB: peak(),
    cpuSeconds,
    detail: `${summary.megabytesPerSecond} MB/s gz, ${summary.filesIngested} files, ${size.facts.toLocaleString('en-US')} stored facts, ${summary.unmapped.length} unmapped pairs`,
  };
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);

const [mode, threads, dir] = process.argv.slice(2);
if (!dir || !['plain', 'duckdb', 'node'].includes(mode ?? ''))
  throw new Error('usage: usage-run.js plain|duckdb|node THREADS TRAIL_DIR');
const result =
  mode === 'plain'
    ? await plain(dir, Number(threads))
    : await ingest(dir, mode as 'duckdb' | 'node', Number(threads));
console.log(JSON.stringify(result));
