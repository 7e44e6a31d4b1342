/**
 * End-to-end: `leastpriv serve` on loopback (port 0), called with fetch as clients do: health
 * without a token, authentication and scopes, validation naming the field, the body limit, the
 * rate limit, request timeouts, simulate answers equal to the CLI's, the OpenAPI document
 * covering every route, graceful shutdown, and the token commands through the real CLI.
 * `npm test` builds before running these (the CLI tests spawn bin/leastpriv.js).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startServer, type RunningServer } from '../../src/service/app.js';
import { createLogger } from '../../src/service/log.js';
import { TokenStore } from '../../src/service/tokens.js';
import { loadCatalog } from '../../src/catalog.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const EXAMPLES = join(ROOT, 'fixtures', 'simulate', 'examples.jsonl');
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const data = mkdtempSync(join(tmpdir(), 'leastpriv-service-'));
const store = new TokenStore(data);
const tokens = {
  simulate: store.create('sim', ['simulate']).token,
  read: store.create('reader', ['read']).token,
  admin: store.create('root', ['admin']).token,
  limited: store.create('limited', ['simulate']).token,
};
const logLines: string[] = [];
const logger = createLogger({ destination: { write: (line: string) => void logLines.push(line) } });
const catalog = loadCatalog();

let server: RunningServer;
let strict: RunningServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data, port: 0, logger, catalog, bodyLimit: 64 * 1024 });
  strict = await startServer({
    dataDir: data,
    port: 0,
    logger,
    catalog,
    rateLimit: { burst: 2, perSecond: 0.5 },
    requestTimeoutMs: 300,
  });
});
afterAll(async () => {
  await server?.close();
  await strict?.close();
});

const call = (
  path: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
  base = server.url,
) =>
  fetch(`${base}${path}`, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined || init.raw !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.raw !== undefined ? { body: init.raw } : {}),
  });

// Answers are checked by value: a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by test assertions
type Json = any;
const json = (res: Response): Promise<Json> => res.json();

const examples = readFileSync(EXAMPLES, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const goodCase = examples[0]!;

describe('health and readiness', () => {
  it('answer without a token, with helmet headers and a request id', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ status: 'ok' });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('echo a caller-chosen request id and log it', async () => {
    const res = await call('/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'trace-123');
    expect(line).toMatchObject({ method: 'GET', path: '/healthz', status: 200, msg: 'request' });
  });
});

describe('authentication', () => {
  it('401 without a token, with WWW-Authenticate: Bearer', async () => {
    const res = await call('/v1/simulate', { body: goodCase });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await json(res)).toEqual({
      error: { code: 'unauthorized', message: 'a bearer token is required', details: [] },
    });
    // Every route but /healthz and /readyz needs one.
    for (const path of ['/openapi.json', '/docs', '/v1/nothing-here'])
      expect((await call(path)).status, path).toBe(401);
  });

  it('401 for an unknown token, and never logs it', async () => {
    const forged = 'lp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const res = await call('/v1/simulate', { token: forged, body: goodCase });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await json(res)).error.code).toBe('unauthorized');
    expect((await call('/healthz', { headers: { authorization: 'Basic abc' } })).status).toBe(200);
    expect(logLines.join('')).not.toContain(forged);
    for (const token of Object.values(tokens)) expect(logLines.join('')).not.toContain(token);
  });

  it('403 for a token without the scope; admin has every scope', async () => {
    const res = await call('/v1/simulate', { token: tokens.read, body: goodCase });
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.error).toMatchObject({
      code: 'forbidden',
      message: 'this route needs the `simulate` scope',
    });
    expect((await call('/v1/simulate', { token: tokens.admin, body: goodCase })).status).toBe(200);
  });

  it('404 as a JSON error for an unknown route (once authenticated)', async () => {
    const res = await call('/v1/nothing-here', { token: tokens.read });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});

describe('request checks', () => {
  it('400 naming the field that is wrong', async () => {
    const res = await call('/v1/simulate', {
      token: tokens.simulate,
      body: {
        request: { principal: 'arn:aws:iam::111122223333:user/a', action: 7, resource: '*' },
        identityPolicies: [],
      },
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toContainEqual({ path: '/request/action', message: 'must be string' });
    expect(error.message).toContain('/request/action');
  });

  it('400 naming a bad query parameter, and for invalid JSON', async () => {
    const res = await call('/v1/simulate?brief=maybe', { token: tokens.simulate, body: goodCase });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details).toContainEqual({
      path: 'query:/brief',
      message: 'must be equal to one of the allowed values',
    });
    const broken = await call('/v1/simulate', { token: tokens.simulate, raw: '{"request": ' });
    expect(broken.status).toBe(400);
    expect((await json(broken)).error.code).toBe('invalid_json');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await call('/v1/simulate', {
      token: tokens.simulate,
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect((await json(res)).error.code).toBe('unsupported_media_type');
  });

  it('413 as a JSON error beyond the body limit', async () => {
    const big = { ...goodCase, id: 'x'.repeat(70 * 1024) };
    const res = await call('/v1/simulate', { token: tokens.simulate, body: big });
    expect(res.status).toBe(413);
    const { error } = await json(res);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain('65536');
  });

  it('429 with Retry-After once a token spends its burst; other tokens are unaffected', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/v1/simulate', { token: tokens.limited, body: goodCase }, strict.url);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(limited?.headers.get('retry-after')).toBe('2');
    expect((await json(limited!)).error.code).toBe('rate_limited');
    expect(
      (await call('/v1/simulate', { token: tokens.simulate, body: goodCase }, strict.url)).status,
    ).toBe(200);
  });

  it('503 timeout for a request not answered in time (a body that never ends)', async () => {
    const url = new URL('/v1/simulate', strict.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens.admin}`,
            'content-type': 'application/json',
            'content-length': '1000',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"request": ');
    });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).error.code).toBe('timeout');
  });
});

describe('POST /v1/simulate', () => {
  const cliAnswers = () => {
    const r = cli(['simulate', '--jsonl', EXAMPLES]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
  };

  it('answers each example case exactly as `leastpriv simulate` does', async () => {
    const expected = cliAnswers();
    expect(expected).toHaveLength(examples.length);
    for (const [i, c] of examples.entries()) {
      const res = await call('/v1/simulate', { token: tokens.simulate, body: c });
      expect(res.status).toBe(200);
      expect(await json(res), String(c['id'])).toEqual(expected[i]);
    }
  });

  it('answers a batch in order, equal to the CLI batch', async () => {
    const res = await call('/v1/simulate', { token: tokens.simulate, body: { cases: examples } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ answers: cliAnswers() });
  });

  it('answers a case the policy parser rejects with its error in place (as the CLI)', async () => {
    const res = await call('/v1/simulate', {
      token: tokens.simulate,
      body: {
        ...goodCase,
        identityPolicies: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] },
        ],
      },
    });
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer.error.path).toBe('/identityPolicies/0/Statement/0/Effect');
  });

  it('omits the per-statement explanation with ?brief=true', async () => {
    const full = await json(await call('/v1/simulate', { token: tokens.simulate, body: goodCase }));
    const brief = await json(
      await call('/v1/simulate?brief=true', { token: tokens.simulate, body: goodCase }),
    );
    expect(brief.decision).toBe(full.decision);
    expect(brief.explanation.decisive).toEqual(full.explanation.decisive);
    expect(JSON.stringify(brief).length).toBeLessThan(JSON.stringify(full).length);
  });
});

describe('the OpenAPI document and /docs', () => {
  it('is structurally valid OpenAPI 3.1', async () => {
    const res = await call('/openapi.json', { token: tokens.read });
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'leastpriv', version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = /#\/components\/schemas\/(\w+)/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], ref).toBeTruthy();
    }
    for (const [path, item] of Object.entries(
      doc.paths as Record<string, Record<string, { responses?: object; operationId?: string }>>,
    )) {
      expect(path.startsWith('/'), path).toBe(true);
      for (const [method, op] of Object.entries(item)) {
        expect(['get', 'post', 'put', 'patch', 'delete'], `${method} ${path}`).toContain(method);
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
      }
    }
  });

  it('lists every route express registered, and nothing express does not serve', async () => {
    const { app } = createApp({ dataDir: data, catalog, logger });
    const registered = (
      app.router.stack as unknown as {
        route?: { path: string; methods: Record<string, boolean> };
      }[]
    )
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map(
          (m) => `${m} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
        ),
      )
      .sort();
    const doc = await json(await call('/openapi.json', { token: tokens.read }));
    const documented = Object.entries(doc.paths as Record<string, object>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`))
      .sort();
    expect(registered.length).toBeGreaterThanOrEqual(5);
    expect(documented).toEqual(registered);
  });

  it('serves a self-contained HTML page listing the routes', async () => {
    const res = await call('/docs', { token: tokens.simulate });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const path of ['/v1/simulate', '/healthz', '/readyz', '/openapi.json'])
      expect(html).toContain(path);
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema)/);
  });
});

describe('shutdown', () => {
  it('finishes a request in flight, refuses new connections, reports not ready meanwhile', async () => {
    const running = await startServer({ dataDir: data, port: 0, logger, catalog });
    const url = new URL('/v1/simulate', running.url);
    const body = JSON.stringify(goodCase);
    let req!: ReturnType<typeof httpRequest>;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens.simulate}`,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
    });
    // Half the body is sent: the request is in flight when shutdown begins.
    req.write(body.slice(0, 20));
    await new Promise((r) => setTimeout(r, 100));
    const closed = running.close();
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    req.end(body.slice(20));
    const done = await answer;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body).decision).toBe('allow');
    await closed;
  });

  it('`leastpriv serve` stops on SIGTERM and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await new Promise<string>((resolve) => {
      createInterface({ input: child.stdout }).once('line', resolve);
    });
    const { url } = JSON.parse(first) as { url: string };
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const res = await fetch(`${url}/v1/simulate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.simulate}`, 'content-type': 'application/json' },
      body: JSON.stringify(goodCase),
    });
    expect(res.status).toBe(200);
    await json(res);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('"msg":"stopped"');
    expect(stderr).not.toContain(tokens.simulate);
  });
});

describe('leastpriv token (the real CLI)', () => {
  it('creates a token shown once, lists it without secrets, revokes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-token-cli-'));
    const created = cli([
      'token',
      'create',
      '--data',
      dir,
      '--name',
      'ci',
      '--scopes',
      'read,simulate',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^lp_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only this once');
    expect(readFileSync(join(dir, 'tokens.json'), 'utf8')).not.toContain(token);

    const listed = cli(['token', 'list', '--data', dir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        name: 'ci',
        scopes: ['read', 'simulate'],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect(listed.stdout).not.toContain(token);

    // The token works against a server on that data directory, until it is revoked.
    const running = await startServer({ dataDir: dir, port: 0, logger, catalog });
    try {
      const ask = () =>
        fetch(`${running.url}/v1/simulate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(goodCase),
        });
      expect((await ask()).status).toBe(200);
      const revoked = cli(['token', 'revoke', '--data', dir, '--name', 'ci']);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await ask()).status).toBe(401);
    } finally {
      await running.close();
    }
    expect(JSON.parse(cli(['token', 'list', '--data', dir]).stdout)).toEqual([]);
  });

  it('refuses bad usage with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-token-cli-'));
    const bad = cli(['token', 'create', '--data', dir, '--name', 'x', '--scopes', 'read,write']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('`write` is not a scope');
    expect(cli(['token', 'revoke', '--data', dir, '--name', 'nobody']).code).toBe(2);
    expect(cli(['token', 'create', '--name', 'x', '--scopes', 'read']).code).toBe(2);
    expect(cli(['token', 'rotate', '--data', dir]).code).toBe(2);
    expect(cli(['serve']).code).toBe(2);
    expect(cli(['serve', '--data', dir, '--port', 'http']).code).toBe(2);
  });
});
