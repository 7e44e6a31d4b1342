/**
 * `npm run bench:service`: the REST service on loopback under autocannon, bounded in time.
 * 1. `POST /v1/simulate` (one case from fixtures/simulate/examples.jsonl) at a fixed 1,000
 *    requests/s for BENCH_SECONDS (default 10): requests/s, p50/p99 latency, errors.
 * 2. The same while an analysis job of the sample organisation runs in its worker thread.
 * Target (issue 6): p99 under 20 ms for simulate at 1,000 requests/s on this machine.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServer } from '../src/service/app.js';
import { createLogger } from '../src/service/log.js';
import { TokenStore } from '../src/service/tokens.js';

const ROOT = join(import.meta.dirname, '..', '..');
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const data = mkdtempSync(join(tmpdir(), 'leastpriv-service-bench-'));
cpSync(join(ROOT, 'fixtures', 'sample-org'), join(data, 'snapshots', 'sample-org'), {
  recursive: true,
});
const { token } = new TokenStore(data).create('bench', ['simulate', 'analyze', 'read']);
const server = await startServer({
  dataDir: data,
  port: 0,
  // The bench measures the service, not its per-token limit.
  rateLimit: { burst: 100_000, perSecond: 100_000 },
  logger: createLogger({ level: 'warn' }),
});
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const body = readFileSync(join(ROOT, 'fixtures', 'simulate', 'examples.jsonl'), 'utf8').split(
  '\n',
)[0]!;

async function simulateLoad(label: string): Promise<void> {
  const result = await autocannon({
    url: `${server.url}/v1/simulate`,
    method: 'POST',
    headers,
    body,
    connections: 10,
    overallRate: 1000,
    duration: seconds,
  });
  console.log(
    `${label}: ${Math.round(result.requests.average).toLocaleString('en-US')} requests/s, ` +
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
      `${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts (target: p99 < 20 ms)`,
  );
}

// A short warm-up first (JIT, connection set-up), not counted.
await autocannon({
  url: `${server.url}/v1/simulate`,
  method: 'POST',
  headers,
  body,
  connections: 10,
  overallRate: 1000,
  duration: 2,
});
await simulateLoad('POST /v1/simulate at 1,000 requests/s');
const started = await fetch(`${server.url}/v1/analyses`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ snapshot: 'sample-org' }),
});
const job = (await started.json()) as { id: string };
await simulateLoad('POST /v1/simulate at 1,000 requests/s while an analysis job runs');
const status = (await (await fetch(`${server.url}/v1/analyses/${job.id}`, { headers })).json()) as {
  status: string;
};
console.log(`analysis job after the second run: ${status.status}`);
await server.close();
