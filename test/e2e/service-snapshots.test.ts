/**
 * End-to-end: the snapshot routes of `leastpriv serve` against the real server on loopback —
 * uploads (tar.gz and JSON parts; 413, 415, 409, corrupt archives), listing, the principal listing
 * with filters and pages, effective permissions and who-can equal to the real CLI's answers, the
 * recommendation of a principal once an analysis ran, and the report history. `npm test` builds
 * first (the query and analysis workers run the build).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog.js';
import { startServer, type RunningServer } from '../../src/service/app.js';
import { createLogger } from '../../src/service/log.js';
import { TokenStore } from '../../src/service/tokens.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const SAMPLE = join(ROOT, 'fixtures', 'sample-org');
const catalog = loadCatalog();
const logger = createLogger({ level: 'warn' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by test assertions
type Json = any;

const SAMPLE_TGZ = execFileSync('tar', ['czf', '-', '-C', join(SAMPLE, '..'), 'sample-org'], {
  maxBuffer: 64 * 1024 * 1024,
});

const cli = (...args: string[]): Json =>
  JSON.parse(
    execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  );

const TERRAFORM_RUNNER = 'arn:aws:iam::111111111111:user/automation/terraform-runner';

describe('snapshots over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leastpriv-snapshots-e2e-'));
  const tokens = new TokenStore(dir);
  const admin = tokens.create('ops', ['read', 'analyze']).token;
  const reader = tokens.create('reader', ['read']).token;
  let server: RunningServer;

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: Buffer | string; type?: string } = {},
  ): Promise<{ status: number; headers: Headers; body: Json }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token ?? admin}`,
        ...(options.type ? { 'content-type': options.type } : {}),
      },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const get = (path: string, token?: string) => call('GET', path, token ? { token } : {});

  beforeAll(async () => {
    server = await startServer({
      dataDir: dir,
      port: 0,
      catalog,
      logger,
      uploadLimit: 8 * 1024 * 1024,
    });
  });
  afterAll(() => server?.close());

  it('uploads a tar.gz (201, Location), and lists it', async () => {
    const up = await call('POST', '/v1/snapshots?name=sample', {
      body: SAMPLE_TGZ,
      type: 'application/gzip',
    });
    expect(up.status).toBe(201);
    expect(up.headers.get('location')).toBe('/v1/snapshots/sample');
    expect(up.body).toMatchObject({
      snapshot: { id: 'sample', accounts: ['111111111111', '222222222222', '333333333333'] },
      principals: 59,
      issues: [],
    });
    const list = await get('/v1/snapshots', reader);
    expect(list.status).toBe(200);
    expect(list.body.snapshots.map((s: Json) => s.id)).toEqual(['sample']);
    expect((await get('/v1/snapshots/sample', reader)).body.collectedAt).toBe(
      '2026-11-24T12:00:00Z',
    );
    expect((await get('/v1/snapshots/nope', reader)).status).toBe(404);
  });

  it('refuses a name taken (409), a bad name (400), a corrupt archive (400), a wrong type (415)', async () => {
    const again = await call('POST', '/v1/snapshots?name=sample', {
      body: SAMPLE_TGZ,
      type: 'application/gzip',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const badName = await call('POST', '/v1/snapshots?name=../x', {
      body: SAMPLE_TGZ,
      type: 'application/gzip',
    });
    expect(badName.status).toBe(400);
    expect(badName.body.error.details[0].path).toBe('query:/name');
    const corrupt = await call('POST', '/v1/snapshots', {
      body: SAMPLE_TGZ.subarray(0, 5000),
      type: 'application/gzip',
    });
    expect(corrupt.status).toBe(400);
    expect(corrupt.body.error.message).toBe('the upload is not a readable tar.gz archive');
    const text = await call('POST', '/v1/snapshots', { body: 'hello', type: 'text/plain' });
    expect(text.status).toBe(415);
    // Nothing half-written is left, and no snapshot appeared.
    expect(readdirSync(join(dir, 'snapshots'))).toEqual(['sample']);
  });

  it('413 beyond the upload limit, for an archive and for JSON parts', async () => {
    const big = Buffer.concat([SAMPLE_TGZ, Buffer.alloc(9 * 1024 * 1024)]);
    const tooBig = await call('POST', '/v1/snapshots', { body: big, type: 'application/gzip' });
    expect(tooBig.status).toBe(413);
    const parts = JSON.stringify({ files: { 'x.txt': 'y'.repeat(9 * 1024 * 1024) } });
    expect(
      (await call('POST', '/v1/snapshots', { body: parts, type: 'application/json' })).status,
    ).toBe(413);
  });

  it('uploads JSON parts, and names the bad field of a bad body', async () => {
    const account = join(SAMPLE, 'accounts', '333333333333');
    const body = {
      name: 'dev-only',
      files: {
        'accounts/333333333333/authorization-details.json': JSON.parse(
          readFileSync(join(account, 'authorization-details.json'), 'utf8'),
        ),
        'accounts/333333333333/credential-report.csv': readFileSync(
          join(account, 'credential-report.csv'),
          'utf8',
        ),
        'cloudtrail/empty.json.gz': { base64: gzipSync('{"Records":[]}').toString('base64') },
      },
    };
    const up = await call('POST', '/v1/snapshots', {
      body: JSON.stringify(body),
      type: 'application/json',
    });
    expect(up.status).toBe(201);
    expect(up.body.snapshot).toMatchObject({
      id: 'dev-only',
      accounts: ['333333333333'],
      hasCloudTrail: true,
    });
    const bad = await call('POST', '/v1/snapshots', {
      body: JSON.stringify({ files: {}, extra: 1 }),
      type: 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: Json) => d.path).sort()).toEqual(['/extra', '/files']);
  });

  it('uploading needs the analyze scope; looking needs read', async () => {
    const up = await call('POST', '/v1/snapshots', {
      token: reader,
      body: SAMPLE_TGZ,
      type: 'application/gzip',
    });
    expect(up.status).toBe(403);
    const sim = tokens.create('sim', ['simulate']).token;
    expect((await get('/v1/snapshots/sample/principals', sim)).status).toBe(403);
    expect((await fetch(`${server.url}/v1/snapshots`)).status).toBe(401);
  });

  it('lists principals by page, every one exactly once, with filters', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await get(
        `/v1/snapshots/sample/principals?limit=20${cursor ? `&cursor=${cursor}` : ''}`,
        reader,
      );
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        total: 59,
        activitySource: 'snapshot',
        asOf: '2026-11-24',
      });
      seen.push(...page.body.principals.map((p: Json) => p.arn));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(59);
    expect([...seen].sort()).toEqual(seen);

    const humans = (await get('/v1/snapshots/sample/principals?kind=human&limit=1000', reader))
      .body;
    expect(humans.principals.every((p: Json) => p.kind === 'human')).toBe(true);
    const machines = (await get('/v1/snapshots/sample/principals?kind=machine&limit=1000', reader))
      .body;
    expect(humans.total + machines.total).toBe(59);

    const kms = (
      await get(
        '/v1/snapshots/sample/principals?service=kms&account=222222222222&limit=1000',
        reader,
      )
    ).body;
    expect(kms.total).toBeGreaterThan(0);
    for (const p of kms.principals) {
      expect(p.account).toBe('222222222222');
      const effective = await get(
        `/v1/snapshots/sample/principals/${encodeURIComponent(p.arn)}/effective-permissions?action=kms:*`,
        reader,
      );
      expect(effective.body.actions.length).toBeGreaterThan(0);
    }
  });

  it('refuses bad filters naming the parameter', async () => {
    const bad = await get('/v1/snapshots/sample/principals?kind=robot&unusedFor=soon', reader);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: Json) => d.path).sort()).toEqual([
      'query:/kind',
      'query:/unusedFor',
    ]);
    const limit = await get('/v1/snapshots/sample/principals?limit=5000', reader);
    expect(limit.body.error.details[0].path).toBe('query:/limit');
    const cursor = await get('/v1/snapshots/sample/principals?cursor=bogus', reader);
    expect(cursor.body.error.details[0].path).toBe('query:/cursor');
  });

  it('effective permissions equal `leastpriv permissions --format json`', async () => {
    const answer = await get(
      `/v1/snapshots/sample/principals/${encodeURIComponent(TERRAFORM_RUNNER)}/effective-permissions`,
      reader,
    );
    expect(answer.status).toBe(200);
    const fromCli = cli('permissions', SAMPLE, '--principal', TERRAFORM_RUNNER, '--format', 'json');
    expect(answer.body.actions).toEqual(fromCli.principals[0].actions);
    expect(answer.body).toMatchObject({
      arn: TERRAFORM_RUNNER,
      kind: fromCli.principals[0].kind,
      type: 'user',
    });
    const missing = await get(
      `/v1/snapshots/sample/principals/${encodeURIComponent('arn:aws:iam::111111111111:role/nope')}/effective-permissions`,
      reader,
    );
    expect(missing.status).toBe(404);
  });

  it('who-can equals `leastpriv who-can --format json`; an unknown action is a 400', async () => {
    const resource = 'arn:aws:s3:::example-corp-public-website/index.html';
    const answer = await get(
      `/v1/snapshots/sample/who-can?action=s3:GetObject&resource=${encodeURIComponent(resource)}`,
      reader,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(
      cli('who-can', 's3:GetObject', resource, SAMPLE, '--format', 'json'),
    );
    expect(answer.body.principals.length).toBeGreaterThan(0);
    const unknown = await get(`/v1/snapshots/sample/who-can?action=s3:Fly&resource=*`, reader);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'query:/action', message: 'service `s3` has no such action' },
    ]);
    expect(
      (await get('/v1/snapshots/sample/who-can?action=s3:GetObject', reader)).body.error.details[0]
        .path,
    ).toBe('query:/resource');
  });

  it('a recommendation needs an analysis (409), then comes from it with its proofs; the report history lists it', async () => {
    const path = `/v1/snapshots/sample/principals/${encodeURIComponent(TERRAFORM_RUNNER)}/recommendation`;
    const before = await get(path, reader);
    expect(before.status).toBe(409);
    expect(before.body.error.details[0].message).toContain('POST /v1/analyses');

    const queued = await call('POST', '/v1/analyses', {
      body: JSON.stringify({ snapshot: 'sample' }),
      type: 'application/json',
    });
    expect(queued.status).toBe(202);
    const id = queued.body.id as string;
    const until = Date.now() + 150_000;
    let job: Json;
    do {
      await new Promise((r) => setTimeout(r, 100));
      job = (await get(`/v1/analyses/${id}`, reader)).body;
    } while (job.status !== 'succeeded' && job.status !== 'failed' && Date.now() < until);
    expect(job.status).toBe('succeeded');

    const after = await get(path, reader);
    expect(after.status).toBe(200);
    const report = (await get(`/v1/reports/${id}.json`, reader)).body;
    const inReport = report.principals.find((p: Json) => p.arn === TERRAFORM_RUNNER);
    expect(after.body).toMatchObject({
      analysis: id,
      asOf: '2026-11-24',
      windowDays: 90,
      arn: TERRAFORM_RUNNER,
    });
    expect(after.body.recommendation).toEqual(inReport.recommendation ?? null);
    expect(after.body.findings).toEqual(
      report.findings.filter((f: Json) => f.principal === TERRAFORM_RUNNER),
    );
    // The runner uses a fraction of what it holds: a rewrite, proven both ways.
    expect(after.body.recommendation.proof.noNewAccess.holds).toBe(true);
    expect(after.body.recommendation.proof.usageCovered.holds).toBe(true);
    const other = await get(`${path}?analysis=00000000-0000-0000-0000-000000000000`, reader);
    expect(other.status).toBe(404);

    // The listing now judges by the analysis: CloudTrail activity included.
    const page = (await get('/v1/snapshots/sample/principals?limit=1000', reader)).body;
    expect(page).toMatchObject({ activitySource: 'analysis', analysis: id });
    expect(page.principals.filter((p: Json) => p.score !== undefined)).toHaveLength(59);
    const listed = (await get('/v1/snapshots', reader)).body.snapshots.find(
      (s: Json) => s.id === 'sample',
    );
    expect(listed.latestAnalysis).toEqual({ id, asOf: '2026-11-24' });

    const history = await get('/v1/reports?from=2026-11-01&to=2026-11-30', reader);
    expect(history.status).toBe(200);
    expect(history.body.reports).toEqual([
      expect.objectContaining({ id, snapshot: 'sample', asOf: '2026-11-24', windowDays: 90 }),
    ]);
    expect(history.body.reports[0].links.json).toBe(`/v1/reports/${id}.json`);
    expect((await get('/v1/reports?to=2026-10-31', reader)).body.reports).toEqual([]);
    expect((await get('/v1/reports?snapshot=dev-only', reader)).body.reports).toEqual([]);
    const reversed = await get('/v1/reports?from=2026-12-01&to=2026-11-01', reader);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details[0].path).toBe('query:/from');
  }, 200_000);
});

describe('a slow upload', () => {
  it('is not cut by the request timeout of ordinary routes (uploads have their own)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-slow-upload-'));
    const token = new TokenStore(dir).create('ops', ['analyze']).token;
    const server = await startServer({
      dataDir: dir,
      port: 0,
      catalog,
      logger,
      requestTimeoutMs: 300,
    });
    try {
      const chunks = 8;
      const size = Math.ceil(SAMPLE_TGZ.length / chunks);
      let sent = 0;
      // Eight pieces 100 ms apart: the upload takes about 800 ms, well past the 300 ms timeout.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent >= chunks) return controller.close();
          await new Promise((r) => setTimeout(r, 100));
          controller.enqueue(SAMPLE_TGZ.subarray(sent * size, (sent + 1) * size));
          sent += 1;
        },
      });
      const res = await fetch(`${server.url}/v1/snapshots?name=slow`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/gzip' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).principals).toBe(59);
    } finally {
      await server.close();
    }
  });
});
