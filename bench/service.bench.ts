/**
 * `npm run bench:service`: the REST service on loopback under autocannon, bounded in time.
 * 1. `POST /v1/simulate` (one case from fixtures/simulate/examples.jsonl) at a fixed 1,000
 *    requests/s for BENCH_SECONDS (default 10): requests/s, p50/p99 latency, errors.
 * 2. `GET /v1/snapshots/{id}/principals/{arn}/effective-permissions` (a machine user allowed 300
 *    actions, answered by the query worker) at 200 requests/s.
 * 3. Both again while analysis jobs of the sample organisation run back to back in their process.
 * Each row: BENCH_REPEATS (default 3) runs of BENCH_SECONDS (default 10); medians printed.
 * Target (issue 6): p99 under 20 ms for simulate at 1,000 requests/s on this machine.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { TokenStore } from '../src/service/tokens.js';

const ROOT = join(import.meta.dirname, '..', '..');
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
const data = mkdtempSync(join(tmpdir(), 'leastpriv-service-bench-'));
cpSync(join(ROOT, 'fixtures', 'sample-org'), join(data, 'snapshots', 'sample-org'), {
  recursive: true,
});
const { token } = new TokenStore(data).create('bench', ['simulate', 'analyze', 'read']);
// The real `leastpriv serve` in its own process: the load generator below must not share the
// service's event loop. The bench measures the service, not its per-token limit.
writeFileSync(
  join(data, 'config.json'),
  JSON.stringify({ rateLimit: { burst: 100_000, perSecond: 100_000 } }),
);
const child = spawn(
  process.execPath,
  [
    join(ROOT, 'bin', 'leastpriv.js'),
    'serve',
    '--data',
    data,
    '--port',
    '0',
    '--config',
    join(data, 'config.json'),
  ],
  { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`leastpriv serve exited with ${code}`)));
  createInterface({ input: child.stdout! }).once('line', (line) =>
    resolve((JSON.parse(line) as { url: string }).url),
  );
});
const server = {
  url,
  close: () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
};
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const body = readFileSync(join(ROOT, 'fixtures', 'simulate', 'examples.jsonl'), 'utf8').split(
  '\n',
)[0]!;

const RUNNER = 'arn:aws:iam::111111111111:user/automation/terraform-runner';
const effectiveUrl = `${server.url}/v1/snapshots/sample-org/principals/${encodeURIComponent(RUNNER)}/effective-permissions`;

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A row: REPEATS load runs at a fixed rate, one after another; prints each run's p99 and the
 * medians (this machine is shared and noisy: one run's tail says little).
 */
async function load(
  label: string,
  request: { url: string; method: 'GET' | 'POST'; body?: string },
  rate: number,
  target: string,
): Promise<void> {
  const runs: autocannon.Result[] = [];
  for (let i = 0; i < repeats; i += 1)
    runs.push(
      await autocannon({
        ...request,
        headers,
        connections: 10,
        overallRate: rate,
        duration: seconds,
      }),
    );
  const of = (pick: (r: autocannon.Result) => number) => median(runs.map(pick));
  console.log(
    `${label}: ${Math.round(of((r) => r.requests.average)).toLocaleString('en-US')} requests/s, ` +
      `p50 ${of((r) => r.latency.p50)} ms, p99 ${of((r) => r.latency.p99)} ms ` +
      `(runs: ${runs.map((r) => r.latency.p99).join(', ')}), max ${of((r) => r.latency.max)} ms, ` +
      `${runs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0)} failed requests (medians of ${repeats} runs of ${seconds} s)${target}`,
  );
}

const simulate = { url: `${server.url}/v1/simulate`, method: 'POST' as const, body };
const effective = { url: effectiveUrl, method: 'GET' as const };
const SIMULATE_TARGET = ' (target: p99 < 20 ms)';

// A short warm-up first (JIT, connection set-up, the query worker loading the snapshot), not counted.
await autocannon({ ...simulate, headers, connections: 10, overallRate: 1000, duration: 2 });
await autocannon({ ...effective, headers, connections: 10, overallRate: 200, duration: 2 });
await load('POST /v1/simulate at 1,000 requests/s', simulate, 1000, SIMULATE_TARGET);
await load('GET …/effective-permissions at 200 requests/s', effective, 200, '');

// Analyses of the sample organisation take about 2 s each: queue enough to keep the analysis
// worker busy for both runs below, one after another (the service runs one job at a time).
const jobs: string[] = [];
for (let i = 0; i < repeats * seconds + 2; i += 1) {
  const started = await fetch(`${server.url}/v1/analyses`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ snapshot: 'sample-org' }),
  });
  jobs.push(((await started.json()) as { id: string }).id);
}
await load(
  'POST /v1/simulate at 1,000 requests/s while analysis jobs run',
  simulate,
  1000,
  SIMULATE_TARGET,
);
await load(
  'GET …/effective-permissions at 200 requests/s while analysis jobs run',
  effective,
  200,
  '',
);
const statuses = await Promise.all(
  jobs.map(
    async (id) =>
      (
        (await (await fetch(`${server.url}/v1/analyses/${id}`, { headers })).json()) as {
          status: string;
        }
      ).status,
  ),
);
const done = statuses.filter((s) => s === 'succeeded').length;
console.log(
  `analysis jobs: ${done} of ${jobs.length} succeeded during the two runs, ${statuses.filter((s) => s === 'running').length} running at the end`,
);
await server.close();
