/**
 * Delivery: the webhook against a real HTTP server on loopback (fails twice, then accepts; a 4xx
 * is not retried; a dead address is retried until the tries are used up), with backoff waits
 * recorded by a fake sleep, and the copy into a directory.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, deliverToDirectory, postWebhook } from '../../../src/service/deliver.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server answering each POST with the next of `statuses` (then 200), recording each. */
async function serve(statuses: number[]): Promise<{
  url: string;
  received: { method: string; body: string; headers: Record<string, unknown> }[];
}> {
  const received: { method: string; body: string; headers: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', body, headers: req.headers });
      res.statusCode = statuses.shift() ?? 200;
      res.end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function sleeper(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { sleep: (ms) => (waits.push(ms), Promise.resolve()), waits };
}

describe('postWebhook', () => {
  it('retries 5xx with backoff: fails twice, then is accepted', async () => {
    const hook = await serve([503, 500]);
    const { sleep, waits } = sleeper();
    const body = JSON.stringify({ schemaVersion: '1.0', principals: [] });
    const answer = await postWebhook({ url: hook.url, headers: { 'x-token': 'secret' } }, body, {
      sleep,
      backoffMs: 1000,
      headers: { 'x-leastpriv-month': '2026-10' },
    });
    expect(answer).toEqual({ status: 200, tries: 3 });
    expect(waits).toEqual([1000, 2000]);
    expect(hook.received).toHaveLength(3);
    for (const r of hook.received) {
      expect(r.method).toBe('POST');
      expect(r.body).toBe(body);
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'x-token': 'secret',
        'x-leastpriv-month': '2026-10',
      });
    }
  });

  it('does not retry a 4xx', async () => {
    const hook = await serve([422]);
    const { sleep, waits } = sleeper();
    const error = await postWebhook({ url: hook.url }, '{}', { sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toMatch(/answered 422: not retried/);
    expect((error as DeliveryError).tries).toBe(1);
    expect(hook.received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('gives up after its retries on 5xx', async () => {
    const hook = await serve([500, 502, 503]);
    const { sleep, waits } = sleeper();
    const error = await postWebhook({ url: hook.url, retries: 2 }, '{}', {
      sleep,
      backoffMs: 5,
    }).catch((e: unknown) => e);
    expect((error as DeliveryError).message).toMatch(/failed 3 time\(s\); last: answered 503/);
    expect(hook.received).toHaveLength(3);
    expect(waits).toEqual([5, 10]);
  });

  it('retries network errors', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const { sleep, waits } = sleeper();
    const error = await postWebhook({ url: `http://127.0.0.1:${port}/`, retries: 1 }, '{}', {
      sleep,
    }).catch((e: unknown) => e);
    expect((error as DeliveryError).message).toMatch(/failed 2 time\(s\); last: network error/);
    expect(waits).toEqual([1000]);
  });
});

describe('deliverToDirectory', () => {
  it('copies every report file, replacing an earlier delivery', () => {
    const report = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
    writeFileSync(join(report, 'report.json'), '{"a":1}');
    writeFileSync(join(report, 'report.html'), '<html>');
    const out = mkdtempSync(join(tmpdir(), 'leastpriv-deliver-'));
    mkdirSync(join(out, 'acme-2026-10'));
    writeFileSync(join(out, 'acme-2026-10', 'stale.txt'), 'old');
    expect(deliverToDirectory(report, out, 'acme-2026-10')).toBe(join(out, 'acme-2026-10'));
    expect(readdirSync(out)).toEqual(['acme-2026-10']);
    expect(readdirSync(join(out, 'acme-2026-10')).sort()).toEqual(['report.html', 'report.json']);
    expect(readFileSync(join(out, 'acme-2026-10', 'report.json'), 'utf8')).toBe('{"a":1}');
  });
});
