/**
 * `npm run bench` (third part): `usage ingest` over a seeded synthetic trail (bench/generate-trail.ts;
 * BENCH_RECORDS, default 1,000,000 records), next to a plain DuckDB `read_json` + `GROUP BY` over the
 * same files, on 1 and 2 threads. Target (issue 4): at least 90% of the plain aggregation's speed,
 * under 500 MB peak.
 *
 * Every measured run is a fresh process (bench/usage-run.ts), so each peak memory is that run's
 * own; the plain query and the DuckDB engine take turns, BENCH_ROUNDS times (default 5), so a
 * slow minute on a shared machine slows both, and the ratio is of the medians.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTrail } from './generate-trail.js';
import type { RunResult } from './usage-run.js';

const records = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const rounds = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 5));
const dir = join(tmpdir(), `leastpriv-trail-v2-${records}-seed7`);
if (!existsSync(join(dir, 'AWSLogs'))) {
  const t = performance.now();
  const trail = generateTrail(dir, { records, seed: 7 });
  console.log(
    `generated ${trail.files} files, ${trail.records.toLocaleString('en-US')} records, ${(trail.bytes / 1e6).toFixed(0)} MB raw in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir})`,
  );
}

const runner = join(dirname(fileURLToPath(import.meta.url)), 'usage-run.js');
function run(mode: string, threads: number): RunResult {
  const out = execFileSync(process.execPath, [runner, mode, String(threads), dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as RunResult;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rate = (r: RunResult) => r.records / r.seconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (label: string, runs: readonly RunResult[]) => {
  const rates = runs.map(rate);
  console.log(
    `${label}: ${fmt(median(rates))} records/s median (${rates.map(fmt).join(', ')}; ` +
      `${median(runs.map((r) => r.seconds)).toFixed(2)} s, ${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} CPU s), ` +
      `peak ${Math.max(...runs.map((r) => r.peakMiB))} MiB` +
      (runs[0]!.detail ? `, ${runs[0]!.detail}` : ''),
  );
  return median(rates);
};

const node = run('node', 1);
line('leastpriv usage ingest (engine node)', [node]);
const ratios: string[] = [];
for (const threads of [1, 2]) {
  const plain: RunResult[] = [];
  const ingest: RunResult[] = [];
  for (let round = 0; round < rounds; round += 1) {
    plain.push(run('plain', threads));
    ingest.push(run('duckdb', threads));
  }
  const p = line(`plain DuckDB read_json + GROUP BY, ${threads} thread(s)`, plain);
  const i = line(`leastpriv usage ingest (engine duckdb), ${threads} thread(s)`, ingest);
  ratios.push(`${Math.round((i / p) * 100)}% on ${threads} thread(s)`);
}
console.log(`usage ingest vs plain aggregation (medians): ${ratios.join(', ')}`);
