/**
 * End-to-end: analysis jobs of `leastpriv serve` on the sample organisation: a job's whole life
 * (202, polling, the summary, every report format), the event loop answering while a job runs,
 * and restarts: a crash in the middle of a job marks it failed and runs the queued one; a
 * graceful stop queues the running job again. `npm test` builds first (the worker runs the build).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/service/app.js';
import { catalogCall } from '../../src/service/catalog-client.js';
import { createLogger } from '../../src/service/log.js';
import { TokenStore } from '../../src/service/tokens.js';
import { loadCatalog } from '../../src/catalog.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const SAMPLE = join(ROOT, 'fixtures', 'sample-org');
const catalog = loadCatalog();
const logger = createLogger({ level: 'warn' });

// Answers are checked by value: a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by test assertions
type Json = any;

/** A data directory holding the sample organisation as `snapshots/sample-org`, and a token. */
function dataDir(): { dir: string; token: string } {
  const dir = mkdtempSync(join(tmpdir(), 'leastpriv-jobs-'));
  cpSync(SAMPLE, join(dir, 'snapshots', 'sample-org'), { recursive: true });
  return { dir, token: new TokenStore(dir).create('ops', ['read', 'analyze']).token };
}

const client = (base: string, token: string) => ({
  get: async (path: string): Promise<{ status: number; headers: Headers; body: Json }> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      headers: res.headers,
      body: type.includes('json') ? JSON.parse(text) : text,
    };
  },
  post: async (
    path: string,
    body: unknown,
  ): Promise<{ status: number; headers: Headers; body: Json }> => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  },
});

/** Polls a job until `done(job)`; fails after `ms`. */
async function waitFor(
  api: ReturnType<typeof client>,
  id: string,
  done: (job: Json) => boolean,
  ms = 120_000,
): Promise<Json> {
  const until = Date.now() + ms;
  for (;;) {
    const { body } = await api.get(`/v1/analyses/${id}`);
    if (done(body)) return body;
    if (Date.now() > until) throw new Error(`job ${id} still ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("an analysis job's whole life", () => {
  const { dir, token } = dataDir();
  let server: RunningServer;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await startServer({ dataDir: dir, port: 0, catalog, logger });
    api = client(server.url, token);
  });
  afterAll(() => server?.close());

  it('refuses bad requests naming the field, and unknown snapshots', async () => {
    const bad = await api.post('/v1/analyses', { snapshot: '../etc', windowDays: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      '/snapshot',
      '/windowDays',
    ]);
    const missing = await api.post('/v1/analyses', { snapshot: 'nowhere' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.details).toEqual([
      { path: '/snapshot', message: 'is not a directory under DATA/snapshots/' },
    ]);
    expect((await api.get('/v1/analyses/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await api.get('/v1/analyses/not-an-id')).status).toBe(404);
  });

  it('queues (202), runs off the event loop, succeeds, and serves every report format', async () => {
    const created = await api.post('/v1/analyses', { snapshot: 'sample-org', windowDays: 90 });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'queued',
    });
    expect(created.headers.get('location')).toBe(`/v1/analyses/${created.body.id}`);
    const id = created.body.id as string;

    // While the analysis runs in its worker, the service keeps answering promptly.
    const running = await waitFor(api, id, (j) => j.status !== 'queued');
    const slowest = { ms: 0 };
    if (running.status === 'running') {
      for (let i = 0; i < 20; i += 1) {
        const started = performance.now();
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        slowest.ms = Math.max(slowest.ms, performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(slowest.ms).toBeLessThan(250);
    }

    const job = await waitFor(api, id, (j) => j.status === 'succeeded' || j.status === 'failed');
    expect(job.error).toBeUndefined();
    expect(job).toMatchObject({
      id,
      status: 'succeeded',
      snapshot: 'sample-org',
      windowDays: 90,
      result: { asOf: '2026-11-24', windowDays: 90, summary: { accounts: 3, principals: 59 } },
    });
    expect(job.result.phases.length).toBeGreaterThan(0);
    expect(Object.keys(job.reports).sort()).toEqual(['csv', 'html', 'json', 'md', 'sarif']);

    const json = await api.get(job.reports.json);
    expect(json.status).toBe(200);
    expect(json.body.summary).toEqual(job.result.summary);
    const html = await api.get(job.reports.html);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
    expect(html.body).toContain('<html');
    expect((await api.get(job.reports.csv)).headers.get('content-type')).toContain('text/csv');
    expect((await api.get(job.reports.sarif)).body.version).toBe('2.1.0');
    expect((await api.get(job.reports.md)).headers.get('content-type')).toContain('text/markdown');
    expect((await api.get(`/v1/reports/${id}.exe`)).status).toBe(404);

    // Stored: the job and its report in the catalog; on disk the five report files (which
    // deliveries read), no temporary directory left behind.
    const stored = await catalogCall({ op: 'read-jobs', dataDir: dir });
    expect(stored?.jobs.find((j) => j.id === id)?.status).toBe('succeeded');
    expect(stored?.reported).toEqual([id]);
    expect(readdirSync(join(dir, 'reports', id)).sort()).toEqual([
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
      'report.sarif',
    ]);
    expect(readdirSync(join(dir, 'reports'))).toEqual([id]);
    expect(existsSync(join(dir, 'usage', 'sample-org.db'))).toBe(true);
  }, 180_000);

  it('needs the analyze scope to queue and read to look', async () => {
    const simulateOnly = new TokenStore(dir).create('sim', ['simulate']).token;
    const other = client(server.url, simulateOnly);
    expect((await other.post('/v1/analyses', { snapshot: 'sample-org' })).status).toBe(403);
    expect((await other.get('/v1/analyses/00000000-0000-0000-0000-000000000000')).status).toBe(403);
  });
});

/** The pids of this process's children whose command line holds `text` (Linux /proc). */
function childrenRunning(text: string): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      return (
        ppid === String(process.pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)
      );
    } catch {
      return false;
    }
  });
}

describe('restarts', () => {
  it('a crash mid-job marks it failed, and the queued job runs after the restart', async () => {
    const { dir, token } = dataDir();
    const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const first = client((JSON.parse(line) as { url: string }).url, token);
    const a = (await first.post('/v1/analyses', { snapshot: 'sample-org' })).body.id as string;
    const b = (await first.post('/v1/analyses', { snapshot: 'sample-org' })).body.id as string;
    await waitFor(first, a, (j) => j.status === 'running');
    expect((await first.get(`/v1/analyses/${b}`)).body.status).toBe('queued');
    const exit = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exit;

    const server = await startServer({ dataDir: dir, port: 0, catalog, logger });
    try {
      const api = client(server.url, token);
      expect((await api.get(`/v1/analyses/${a}`)).body).toMatchObject({
        status: 'failed',
        error: 'interrupted by a restart',
      });
      const resumed = await waitFor(
        api,
        b,
        (j) => j.status === 'succeeded' || j.status === 'failed',
      );
      expect(resumed.error).toBeUndefined();
      expect(resumed.status).toBe('succeeded');
      expect((await api.get(`/v1/reports/${a}.json`)).status).toBe(404);
      expect((await api.get(`/v1/reports/${b}.json`)).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 240_000);

  it('a crashed analysis process fails its job, and the next job gets a new one', async () => {
    const { dir, token } = dataDir();
    const server = await startServer({ dataDir: dir, port: 0, catalog, logger });
    try {
      const api = client(server.url, token);
      const a = (await api.post('/v1/analyses', { snapshot: 'sample-org' })).body.id as string;
      await waitFor(api, a, (j) => j.status === 'running');
      // The analysis runs in a child of this process (under chrt on Linux: same pid, exec'd).
      const pids = childrenRunning('analysis-worker');
      expect(pids).toHaveLength(1);
      process.kill(Number(pids[0]), 'SIGKILL');
      const failed = await waitFor(api, a, (j) => j.status === 'failed');
      expect(failed.error).toBe('the analysis process exited with signal SIGKILL');
      const b = (await api.post('/v1/analyses', { snapshot: 'sample-org' })).body.id as string;
      const done = await waitFor(api, b, (j) => j.status === 'succeeded' || j.status === 'failed');
      expect(done.error).toBeUndefined();
      expect(done.status).toBe('succeeded');
    } finally {
      await server.close();
    }
  }, 240_000);

  it('a graceful stop puts the running job back in the queue', async () => {
    const { dir, token } = dataDir();
    const server = await startServer({ dataDir: dir, port: 0, catalog, logger });
    const api = client(server.url, token);
    const id = (await api.post('/v1/analyses', { snapshot: 'sample-org' })).body.id as string;
    await waitFor(api, id, (j) => j.status === 'running');
    await server.close();
    const stored = (await catalogCall({ op: 'read-jobs', dataDir: dir }))?.jobs.find(
      (j) => j.id === id,
    );
    expect(stored?.status).toBe('queued');
    expect(stored?.startedAt).toBeUndefined();
    expect(existsSync(join(dir, 'reports', id))).toBe(false);
  }, 60_000);
});
