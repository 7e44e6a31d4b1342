/**
 * `npm run bench` (third part): `usage ingest` over a seeded synthetic trail (bench/generate-trail.ts;
 * BENCH_RECORDS, default 1,000,000 records), next to a plain DuckDB `read_json` + `GROUP BY` over the
 * same files on 1 and 2 threads in the same run. Prints records/s, MB/s and peak memory.
 * Target (issue 4): at least 90% of the plain aggregation's speed, under 500 MB.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestCloudTrail } from '../usage/ingest.js';
import { DuckDbUsageStore } from '../usage/store/duckdb.js';
import { loadCloudTrailActionMap } from '../src/action-map.js';
import { loadCatalog } from '../src/catalog.js';
import { generateTrail } from './generate-trail.js';

const records = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const dir = join(tmpdir(), `leastpriv-trail-v2-${records}-seed7`);
if (!existsSync(join(dir, 'AWSLogs'))) {
  const t = performance.now();
  const trail = generateTrail(dir, { records, seed: 7 });
  console.log(
    `generated ${trail.files} files, ${trail.records.toLocaleString('en-US')} records, ${(trail.bytes / 1e6).toFixed(0)} MB raw in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir})`,
  );
}

const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function plainDuckDb(threads: number): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`SET threads = ${threads}`);
  const t = performance.now();
  const result = await c.runAndReadAll(`
    SELECT coalesce(r.userIdentity.sessionContext.sessionIssuer.arn, r.userIdentity.arn) AS principal, r.eventSource, r.eventName,
           substr(r.eventTime, 1, 10) AS day, r.errorCode, count(*) AS n, min(r.eventTime) AS first, max(r.eventTime) AS last
    FROM (SELECT unnest(Records) AS r FROM read_json('${dir}/AWSLogs/**/*.json.gz', compression = 'gzip', format = 'unstructured',
      columns = { Records: 'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, errorCode VARCHAR, userIdentity STRUCT(type VARCHAR, arn VARCHAR, sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))))[]' }))
    GROUP BY ALL`);
  const seconds = (performance.now() - t) / 1000;
  console.log(
    `plain DuckDB read_json + GROUP BY, ${threads} thread(s): ${Math.round(records / seconds).toLocaleString('en-US')} records/s (${seconds.toFixed(1)} s, ${result.currentRowCount} groups)`,
  );
  c.closeSync();
  instance.closeSync();
  return records / seconds;
}

/**
 * A second yardstick, for where the time goes: plain SQL at the facts' own grain (principal,
 * eventSource, eventName, errorCode, resource, day), reading the fields ingest reads and storing
 * the rows in a database file, without any mapping, attribution or bookkeeping.
 */
async function plainStored(threads: number): Promise<number> {
  const instance = await DuckDBInstance.create(
    join(mkdtempSync(join(tmpdir(), 'leastpriv-plain-stored-')), 'facts.db'),
  );
  const c = await instance.connect();
  await c.run(`SET threads = ${threads}`);
  await c.run(`CREATE TABLE facts (principal VARCHAR, event_source VARCHAR, event_name VARCHAR,
    error_code VARCHAR, resource VARCHAR, day VARCHAR, count BIGINT, first_seen VARCHAR, last_seen VARCHAR)`);
  const t = performance.now();
  await c.run(`INSERT INTO facts
    SELECT coalesce(r.userIdentity.sessionContext.sessionIssuer.arn, r.userIdentity.arn), r.eventSource, r.eventName,
           r.errorCode, CASE WHEN r.eventSource = 's3.amazonaws.com' THEN 'arn:aws:s3:::' || r.requestParameters.bucketName
           ELSE r.resources[1].ARN END, substr(r.eventTime, 1, 10), count(*), min(r.eventTime), max(r.eventTime)
    FROM (SELECT unnest(Records) AS r FROM read_json('${dir}/AWSLogs/**/*.json.gz', format = 'newline_delimited', compression = 'gzip',
      columns = { Records: 'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, errorCode VARCHAR, userIdentity STRUCT(type VARCHAR, arn VARCHAR, sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))), resources STRUCT(ARN VARCHAR)[], requestParameters STRUCT(bucketName VARCHAR, "key" VARCHAR))[]' }))
    GROUP BY ALL`);
  c.closeSync();
  instance.closeSync();
  const seconds = (performance.now() - t) / 1000;
  console.log(
    `plain SQL at the facts' grain, stored, ${threads} thread(s): ${Math.round(records / seconds).toLocaleString('en-US')} records/s (${seconds.toFixed(1)} s)`,
  );
  return records / seconds;
}

const catalog = loadCatalog();
const actionMap = loadCloudTrailActionMap();
const rates: Record<string, number> = {};
for (const [engine, threads] of [
  ['node', undefined],
  ['duckdb', 1],
  ['duckdb', 2],
] as const) {
  const store = await DuckDbUsageStore.open(
    join(mkdtempSync(join(tmpdir(), 'leastpriv-usage-bench-')), 'usage.db'),
  );
  const summary = await ingestCloudTrail(dir, {
    catalog,
    actionMap,
    store,
    engine,
    ...(threads ? { threads } : {}),
  });
  const size = await store.size();
  await store.close();
  const label = `${engine}${threads ? `, ${threads} thread(s)` : ''}`;
  rates[label] = summary.recordsPerSecond;
  console.log(
    `leastpriv usage ingest (${label}): ${summary.recordsPerSecond.toLocaleString('en-US')} records/s, ${summary.megabytesPerSecond} MB/s gz read (${summary.seconds.toFixed(1)} s; ` +
      `${summary.filesIngested} files, ${size.facts.toLocaleString('en-US')} stored facts, ${summary.unmapped.length} unmapped pairs), peak so far ${peak()} MiB`,
  );
}
const one = await plainDuckDb(1);
const two = await plainDuckDb(2);
await plainStored(1);
await plainStored(2);
const best = Math.max(...Object.values(rates));
console.log(
  `best ingest vs plain aggregation: ${Math.round((best / one) * 100)}% of 1 thread, ${Math.round((best / two) * 100)}% of 2 threads`,
);
