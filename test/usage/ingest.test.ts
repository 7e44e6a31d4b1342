/**
 * Ingesting CloudTrail: mapping, attribution, per-day aggregation, idempotence, crash
 * consistency and bad input. https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { aggregate, ingestCloudTrail, listTrailFiles, planBatches } from '../../usage/ingest.js';
import { mapEvent } from '../../usage/cloudtrail/to-action.js';
import { TrailScanError } from '../../usage/cloudtrail/duckdb-scan.js';
import type { CloudTrailRecord } from '../../usage/cloudtrail/record.js';
import { DuckDbUsageStore } from '../../usage/store/duckdb.js';
import { loadCloudTrailActionMap } from '../../src/action-map.js';
import { loadCatalog } from '../../src/catalog.js';
import { assumedRole, trailEvent, trailFolder, writeTrailFile } from './trail-fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const catalog = loadCatalog();
const actionMap = loadCloudTrailActionMap();
const window = { asOf: '2026-11-24', windowDays: 90 };
const role = assumedRole;
const event = trailEvent;
const trailFile = writeTrailFile;
const open = () =>
  DuckDbUsageStore.open(join(mkdtempSync(join(tmpdir(), 'leastpriv-ingest-')), 'usage.db'));
/** The store's DuckDB connection, to break its tables on purpose. */
const connectionOf = (store: DuckDbUsageStore) =>
  (store as unknown as { connection: { run(sql: string): Promise<unknown> } }).connection;

describe('ingesting CloudTrail', () => {
  it('counts an action a call needs only with a parameter when the parameter is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    trailFile(dir, 'a.json.gz', [
      event({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        requestParameters: {
          instanceType: 't3.micro',
          iamInstanceProfile: { arn: 'arn:aws:iam::111122223333:instance-profile/app' },
        },
      }),
      event({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        userIdentity: role('other', 's'),
        requestParameters: { instanceType: 't3.micro' },
      }),
    ]);
    const store = await open();
    await ingestCloudTrail(dir, { catalog, actionMap, store });
    const rows = (await store.usage(window)).map(
      (r) => `${r.principal.split('/').pop()} ${r.action}`,
    );
    expect(rows).toContain('app iam:PassRole');
    expect(rows).not.toContain('other iam:PassRole');
    await store.close();
  });

  it('names the role iam:PassRole passes (not the resource of the call), and none with the DuckDB engine', async () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    const passed = 'arn:aws:iam::111122223333:role/service-role/orders-lambda';
    trailFile(dir, 'a.json.gz', [
      event({
        eventSource: 'lambda.amazonaws.com',
        eventName: 'CreateFunction20150331',
        requestParameters: { functionName: 'orders', role: passed, runtime: 'nodejs20.x' },
        resources: [{ ARN: 'arn:aws:lambda:eu-west-1:111122223333:function:orders' }],
      }),
    ]);
    const resourcesOf = async (engine: 'node' | 'duckdb') => {
      const store = await open();
      await ingestCloudTrail(dir, { catalog, actionMap, store, engine, threads: 1 });
      const uses = await store.resourceUses(window);
      await store.close();
      return uses.filter((u) => u.action === 'iam:PassRole').map((u) => u.resource);
    };
    expect(await resourcesOf('node')).toEqual([passed]);
    expect(await resourcesOf('duckdb')).toEqual(['']);
  });

  it('maps events to actions and identities, aggregates per day, and keeps denied attempts and people apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    trailFile(dir, 'a.json.gz', [
      event({}),
      event({ eventTime: '2026-11-20T11:00:00Z' }),
      event({ eventName: 'ListObjectsV2', requestParameters: { bucketName: 'data' } }),
      event({ eventName: 'PutObject', errorCode: 'AccessDenied' }),
      event({
        eventType: 'AwsConsoleSignIn',
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
      }),
      event({ userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } }),
      event({
        eventSource: 'lambda.amazonaws.com',
        eventName: 'UpdateFunctionCode20150331v2',
        requestParameters: {},
      }),
      event({
        userIdentity: role('AWSReservedSSO_Admin_0123456789abcdef', 'jane@example.com'),
        eventName: 'HeadObject',
      }),
      event({ eventSource: 'madeup.amazonaws.com', eventName: 'DoThing' }),
    ]);
    const store = await open();
    const summary = await ingestCloudTrail(dir, { catalog, actionMap, store });
    expect(summary).toMatchObject({
      filesSeen: 1,
      filesIngested: 1,
      records: 9,
      deniedAttempts: 1,
      skipped: { console_sign_in: 1, 'aws-service': 1, unmapped: 1 },
    });
    expect(summary.unmapped).toEqual([
      {
        eventSource: 'madeup.amazonaws.com',
        eventName: 'DoThing',
        reason: 'unknown_event_source',
        count: 1,
      },
    ]);
    const rows = await store.usage(window);
    expect(rows.map((r) => [r.principal, r.action, r.count])).toEqual([
      ['arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef', 's3:GetObject', 1],
      ['arn:aws:iam::111122223333:role/app', 'lambda:UpdateFunctionCode', 1],
      ['arn:aws:iam::111122223333:role/app', 's3:GetObject', 2],
      ['arn:aws:iam::111122223333:role/app', 's3:ListBucket', 1],
    ]);
    expect(await store.denied(window)).toMatchObject([
      {
        principal: 'arn:aws:iam::111122223333:role/app',
        action: 's3:PutObject',
        errorCode: 'AccessDenied',
        count: 1,
      },
    ]);
    expect(
      await store.people(
        'arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef',
        window,
      ),
    ).toEqual([{ person: 'jane@example.com', count: 1 }]);
    await store.close();
  });

  it('judges records without a userIdentity alike with both engines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    trailFile(dir, 'a.json.gz', [
      event({ eventName: 'ListBuckets' }),
      event({ userIdentity: undefined, eventName: 'ListBuckets' }),
      event({ userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } }),
    ]);
    const summaries = [];
    for (const engine of ['node', 'duckdb'] as const) {
      const store = await open();
      const summary = await ingestCloudTrail(dir, { catalog, actionMap, store, engine });
      expect(summary.fallbacks).toEqual([]);
      summaries.push({
        records: summary.records,
        skipped: summary.skipped,
        usage: (await store.usage(window)).map((r) => [r.principal, r.action, r.count]),
      });
      await store.close();
    }
    expect(summaries[1]).toEqual(summaries[0]);
    expect(summaries[0]!.records).toBe(3);
    expect(summaries[0]!.usage).toEqual([
      ['arn:aws:iam::111122223333:role/app', 's3:ListAllMyBuckets', 1],
    ]);
  });

  it('counts a record whose time is not one as skipped, with both engines, keeping the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    trailFile(dir, 'a.json.gz', [event({}), event({ eventTime: 'yesterday' }), event({})]);
    trailFile(dir, 'b.json.gz', [event({ eventName: 'PutObject' })]);
    for (const engine of ['node', 'duckdb'] as const) {
      const store = await open();
      const summary = await ingestCloudTrail(dir, { catalog, actionMap, store, engine });
      expect(summary).toMatchObject({
        filesIngested: 2,
        records: 3,
        skipped: { invalid_event_time: 1 },
      });
      expect((await store.usage(window)).map((r) => [r.action, r.count])).toEqual([
        ['s3:GetObject', 2],
        ['s3:PutObject', 1],
      ]);
      await store.close();
    }
  });

  it('keeps one S3 object by ARN, and several objects of one bucket as bucket/*', () => {
    const map = (source: string, name: string) => mapEvent(actionMap, catalog, source, name);
    const objects = (n: number, bucket: string) =>
      Array.from(
        { length: n },
        (_, i) =>
          event({
            requestParameters: { bucketName: bucket, key: `k${i}` },
          }) as unknown as CloudTrailRecord,
      );
    const facts = aggregate([...objects(1, 'one'), ...objects(2, 'two')], map, {}).facts;
    expect(facts.map((f) => [f.resource, f.count]).sort()).toEqual([
      ['arn:aws:s3:::one/k0', 1],
      ['arn:aws:s3:::two/*', 2],
    ]);
  });

  it('is idempotent: ingesting the same files twice changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    trailFile(dir, 'a.json.gz', [event({}), event({ eventName: 'PutObject' })]);
    trailFile(dir, 'b.json', [event({ eventName: 'HeadObject' })], false);
    const store = await open();
    await ingestCloudTrail(dir, { catalog, actionMap, store });
    const first = await store.usage(window);
    const again = await ingestCloudTrail(dir, { catalog, actionMap, store });
    expect(again).toMatchObject({ filesIngested: 0, filesAlreadyIngested: 2 });
    expect(await store.usage(window)).toEqual(first);
    // A new file on a later day is picked up by itself.
    trailFile(dir, 'c.json.gz', [event({ eventName: 'PutObject' })]);
    expect(await ingestCloudTrail(dir, { catalog, actionMap, store })).toMatchObject({
      filesIngested: 1,
      filesAlreadyIngested: 2,
    });
    await store.close();
  });

  it('splits the files into batches by bytes and by count, in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-batches-'));
    const files = [10, 10, 30, 5, 5, 5].map((size, i) => {
      const path = join(dir, `f${i}.json`);
      writeFileSync(path, 'x'.repeat(size));
      return path;
    });
    const shape = (maxFiles: number, maxBytes: number) =>
      planBatches(files, maxFiles, maxBytes).map((b) => b.map((f) => f.size));
    expect(shape(Infinity, 25)).toEqual([[10, 10], [30], [5, 5, 5]]);
    expect(shape(2, Infinity)).toEqual([
      [10, 10],
      [30, 5],
      [5, 5],
    ]);
    expect(shape(Infinity, Infinity)).toEqual([[10, 10, 30, 5, 5, 5]]);
    expect(planBatches([], 1, 1)).toEqual([]);
  });

  it('reports progress up to every file, with the DuckDB engine too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    for (let i = 0; i < 3; i += 1) trailFile(dir, `f${i}.json.gz`, [event({})]);
    for (const engine of ['node', 'duckdb'] as const) {
      const store = await open();
      const seen: number[] = [];
      await ingestCloudTrail(dir, {
        catalog,
        actionMap,
        store,
        engine,
        onProgress: (p) => seen.push(p.filesDone),
      });
      await store.close();
      expect(seen.at(-1)).toBe(3);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });

  it('keys each file by its path, size and SHA-256, whatever the sizes of the files hashed before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    // Sizes up and down, so the buffers hashing reuses are both too small and too large.
    for (const [i, n] of [1, 400, 3, 2000, 1, 50].entries())
      trailFile(
        dir,
        `f${i}.json`,
        Array.from({ length: n }, () => event({})),
        false,
      );
    // And one larger than the buffers kept (16 MiB), hashed through a buffer of its own.
    trailFile(
      dir,
      'f9.json',
      [event({ requestParameters: { padding: 'x'.repeat(17 << 20) } })],
      false,
    );
    const keys = listTrailFiles(dir).files.map((path) => {
      const bytes = readFileSync(path);
      return {
        path: relative(dir, path),
        size: bytes.length,
        hash: createHash('sha256').update(bytes).digest('hex'),
      };
    });
    for (let run = 0; run < 2; run += 1) {
      const store = await open();
      await ingestCloudTrail(dir, { catalog, actionMap, store, engine: 'duckdb' });
      expect(await store.knownFiles(keys)).toEqual(new Set(keys.map((k) => k.path)));
      await store.close();
    }
  });

  it('skips digest files, and counts corrupt and truncated files while keeping what they held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    trailFile(dir, 'good.json.gz', [event({})]);
    const truncated = gzipSync(
      Buffer.from(
        JSON.stringify({
          Records: Array.from({ length: 200 }, (_, i) =>
            event({ eventTime: `2026-11-20T10:${String(i % 60).padStart(2, '0')}:00Z` }),
          ),
        }),
      ),
    );
    const folder = trailFolder(dir);
    writeFileSync(
      join(folder, 'truncated.json.gz'),
      truncated.subarray(0, Math.floor(truncated.length * 0.6)),
    );
    writeFileSync(join(folder, 'corrupt.json.gz'), Buffer.from('this is not gzip'));
    writeFileSync(join(folder, 'other.json'), JSON.stringify({ hello: 'world' }));
    const digest = join(
      dir,
      'AWSLogs',
      '111122223333',
      'CloudTrail-Digest',
      'eu-west-1',
      '2026',
      '11',
      '20',
    );
    mkdirSync(digest, { recursive: true });
    writeFileSync(join(digest, 'digest.json.gz'), gzipSync(Buffer.from('{}')));
    const store = await open();
    const summary = await ingestCloudTrail(dir, { catalog, actionMap, store });
    expect(summary.digestFilesSkipped).toBe(1);
    const reasons = summary.corruptFiles.map(
      (c) => `${c.file.split('/').pop()} ${c.reason.split(':')[0]}`,
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'corrupt.json.gz corrupt_gzip',
        'other.json not_cloudtrail',
        'truncated.json.gz truncated_gzip',
      ]),
    );
    const count = (await store.usage(window))[0]?.count ?? 0;
    expect(count).toBeGreaterThan(1); // the good file's record and the truncated file's complete records
    expect(count).toBeLessThan(201);
    await store.close();
  });

  it('with the DuckDB engine, sends only the files DuckDB cannot read the Node way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    for (let i = 0; i < 6; i += 1) trailFile(dir, `good${i}.json.gz`, [event({}), event({})]);
    const folder = trailFolder(dir);
    const whole = gzipSync(Buffer.from(JSON.stringify({ Records: [event({}), event({})] })));
    writeFileSync(join(folder, 'truncated.json.gz'), whole.subarray(0, whole.length - 10));
    writeFileSync(join(folder, 'corrupt.json.gz'), Buffer.from('this is not gzip'));
    const byStore: number[] = [];
    const run = async (engine: 'node' | 'duckdb') => {
      const store = await open();
      const reads = store.ingestTrailFiles.bind(store);
      store.ingestTrailFiles = async (batch, judge, options) => {
        const result = await reads(batch, judge, options);
        byStore.push(batch.length);
        return result;
      };
      const summary = await ingestCloudTrail(dir, { catalog, actionMap, store, engine });
      const usage = await store.usage(window);
      await store.close();
      return { summary, usage };
    };
    const node = await run('node');
    const duckdb = await run('duckdb');
    // All eight files were one batch; the six good ones were read by DuckDB all the same.
    expect(byStore.reduce((n, files) => n + files, 0)).toBe(6);
    expect(duckdb.summary.fallbacks.reduce((n, f) => n + f.files, 0)).toBe(2);
    expect(duckdb.summary.corruptFiles).toEqual(node.summary.corruptFiles);
    expect(duckdb.summary.records).toBe(node.summary.records);
    expect(duckdb.summary.filesIngested).toBe(node.summary.filesIngested);
    // The DuckDB engine reads no request parameters, so it also counts the parameter-bound
    // s3:GetObjectVersion of each GetObject (docs/usage.md); the rest is the same.
    expect(duckdb.usage.filter((u) => u.action !== 's3:GetObjectVersion')).toEqual(node.usage);
  });

  it('with the DuckDB engine, tries a batch a bounded number of times however many files are bad', async () => {
    // DuckDB names one bad file per failed attempt: thirty files that are bare arrays (as some
    // exports are) among six delivered ones must not cost thirty rereadings of the batch.
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    const folder = trailFolder(dir);
    for (let i = 0; i < 36; i += 1)
      if (i % 6 === 0) trailFile(dir, `good${i}.json.gz`, [event({})]);
      else writeFileSync(join(folder, `array${i}.json`), JSON.stringify([event({})]));
    const run = async (engine: 'node' | 'duckdb') => {
      const store = await open();
      const reads = store.ingestTrailFiles.bind(store);
      let attempts = 0;
      store.ingestTrailFiles = (batch, judge, options) => {
        attempts += 1;
        return reads(batch, judge, options);
      };
      const summary = await ingestCloudTrail(dir, { catalog, actionMap, store, engine });
      const usage = await store.usage(window);
      await store.close();
      return { summary, usage, attempts };
    };
    const node = await run('node');
    const duckdb = await run('duckdb');
    expect(duckdb.attempts).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(37)) + 2);
    expect(duckdb.summary.records).toBe(36);
    expect(duckdb.summary.filesIngested).toBe(36);
    expect(duckdb.usage.filter((u) => u.action !== 's3:GetObjectVersion')).toEqual(node.usage);
  });

  it('with the DuckDB engine, retries a batch on halves when DuckDB runs out of memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    for (let i = 0; i < 5; i += 1)
      trailFile(dir, `f${i}.json.gz`, [event({ eventName: i % 2 ? 'PutObject' : 'GetObject' })]);
    const store = await open();
    const reads = store.ingestTrailFiles.bind(store);
    const attempts: number[] = [];
    // As when DuckDB runs out of memory: more than two files at once fail, naming none.
    store.ingestTrailFiles = async (batch, judge, options) => {
      attempts.push(batch.length);
      if (batch.length > 2) throw new TrailScanError('Out of Memory Error', []);
      return reads(batch, judge, options);
    };
    const summary = await ingestCloudTrail(dir, { catalog, actionMap, store, engine: 'duckdb' });
    expect(attempts).toEqual([5, 3, 2, 1, 2]);
    expect(summary.fallbacks).toEqual([]);
    expect(summary).toMatchObject({ filesIngested: 5, records: 5 });
    expect((await store.usage(window)).map((u) => [u.action, u.count])).toEqual([
      ['s3:GetObject', 3],
      ['s3:GetObjectVersion', 3], // parameter-bound: counted by the DuckDB engine (docs/usage.md)
      ['s3:PutObject', 2],
    ]);
    // Another failure naming no file (a hash collision) is not helped by halving: the whole
    // batch goes the Node way at once.
    const again = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
    for (let i = 0; i < 3; i += 1) trailFile(again, `g${i}.json.gz`, [event({})]);
    attempts.length = 0;
    store.ingestTrailFiles = async (batch) => {
      attempts.push(batch.length);
      throw new TrailScanError('two distinct calls share a hash', []);
    };
    const collided = await ingestCloudTrail(again, { catalog, actionMap, store, engine: 'duckdb' });
    expect(attempts).toEqual([3]);
    expect(collided.fallbacks).toEqual([{ files: 3, reason: 'two distinct calls share a hash' }]);
    expect(collided).toMatchObject({ filesIngested: 3, records: 3 });
    await store.close();
  });

  it.each(['node', 'duckdb'])(
    'is crash-consistent (%s engine): a process killed inside a file leaves the store as before that file',
    (engine) => {
      const dir = mkdtempSync(join(tmpdir(), 'leastpriv-trail-'));
      for (let i = 0; i < 5; i += 1)
        trailFile(
          dir,
          `f${i}.json.gz`,
          Array.from({ length: 10 }, () => event({ eventName: i % 2 ? 'PutObject' : 'GetObject' })),
        );
      const db = join(mkdtempSync(join(tmpdir(), 'leastpriv-crash-')), 'usage.db');
      const script = (crashAt: number) => `
      import { ingestCloudTrail } from ${JSON.stringify(join(ROOT, 'dist/usage/ingest.js'))};
      import { DuckDbUsageStore } from ${JSON.stringify(join(ROOT, 'dist/usage/store/duckdb.js'))};
      import { loadCloudTrailActionMap } from ${JSON.stringify(join(ROOT, 'dist/src/action-map.js'))};
      import { loadCatalog } from ${JSON.stringify(join(ROOT, 'dist/src/catalog.js'))};
      let n = 0;
      const store = await DuckDbUsageStore.open(${JSON.stringify(db)}, { beforeCommit: () => { if (++n === ${crashAt}) process.kill(process.pid, 'SIGKILL'); } });
      const s = await ingestCloudTrail(${JSON.stringify(dir)}, { catalog: loadCatalog(), actionMap: loadCloudTrailActionMap(), store, batchFiles: 1, engine: '${engine}' });
      await store.close();
      console.log(JSON.stringify(s.filesIngested));`;
      const crashed = spawnSync(process.execPath, ['--input-type=module', '-e', script(3)], {
        encoding: 'utf8',
      });
      expect(crashed.signal).toBe('SIGKILL');
      const resumed = spawnSync(process.execPath, ['--input-type=module', '-e', script(-1)], {
        encoding: 'utf8',
      });
      expect(resumed.stderr).toBe('');
      // Two files were committed before the crash; the third rolled back and is ingested again.
      expect(JSON.parse(resumed.stdout)).toBe(3);
      const check = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { DuckDbUsageStore } from ${JSON.stringify(join(ROOT, 'dist/usage/store/duckdb.js'))}; const s = await DuckDbUsageStore.open(${JSON.stringify(db)}); console.log(JSON.stringify(await s.usage({ asOf: '2026-11-24', windowDays: 90 }))); await s.close();`,
        ],
        { encoding: 'utf8' },
      );
      const rows = JSON.parse(check.stdout) as { action: string; count: number }[];
      expect(rows.map((r) => [r.action, r.count])).toEqual([
        ['s3:GetObject', 30],
        // The DuckDB engine does not read request parameters: a GetObject may name a version.
        ...(engine === 'duckdb' ? [['s3:GetObjectVersion', 30]] : []),
        ['s3:PutObject', 20],
      ]);
    },
  );

  it('reads the real records shipped in fixtures/cloudtrail without errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-real-'));
    cpSync(join(ROOT, 'fixtures', 'cloudtrail'), dir, { recursive: true });
    const store = await open();
    const summary = await ingestCloudTrail(dir, { catalog, actionMap, store });
    expect(summary.records).toBeGreaterThan(300);
    expect(summary.corruptFiles).toEqual([]);
    // The records are from 2020 and 2024: a window ending then finds them.
    const rows = [
      ...(await store.usage({ asOf: '2020-09-30', windowDays: 400 })),
      ...(await store.usage({ asOf: '2024-12-31', windowDays: 400 })),
    ];
    expect(rows.length).toBeGreaterThan(20);
    // ConsoleLogin is a sign-in, not a use of a permission: skipped before mapping.
    expect(summary.unmapped).toEqual([]);
    expect(summary.skipped['console_sign_in']).toBe(1);
    await store.close();
    for (const source of ['otrf', 'stratus-red-team'])
      expect(
        readFileSync(join(ROOT, 'fixtures', 'cloudtrail', source, 'PROVENANCE.md'), 'utf8').length,
      ).toBeGreaterThan(0);
  });

  it('gives the same facts with the DuckDB engine as with the Node engine on the real records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-real-'));
    cpSync(join(ROOT, 'fixtures', 'cloudtrail'), dir, { recursive: true });
    const windows = [
      { asOf: '2020-09-30', windowDays: 400 },
      { asOf: '2024-12-31', windowDays: 400 },
    ];
    const run = async (engine: 'node' | 'duckdb', batchFiles?: number) => {
      const store = await open();
      const summary = await ingestCloudTrail(dir, {
        catalog,
        actionMap,
        store,
        engine,
        threads: 1,
        ...(batchFiles ? { batchFiles } : {}),
      });
      const usage = [];
      const denied = [];
      for (const w of windows) {
        usage.push(...(await store.usage(w)));
        denied.push(...(await store.denied(w)));
      }
      await store.close();
      return { summary, usage, denied };
    };
    const node = await run('node');
    // One file per batch, so that the one file DuckDB cannot read (a stratus-red-team file that
    // is a bare array) sends only itself the Node way, and most calls are judged in an earlier
    // batch and their verdicts reused.
    const duckdb = await run('duckdb', 1);
    expect(duckdb.summary.fallbacks).toEqual([{ files: 1, reason: expect.any(String) }]);
    expect(duckdb.summary.records).toBe(node.summary.records);
    expect(duckdb.summary.skipped).toEqual(node.summary.skipped);
    expect(duckdb.summary.unmapped).toEqual(node.summary.unmapped);
    expect(duckdb.summary.deniedAttempts).toBe(node.summary.deniedAttempts);
    expect(duckdb.denied).toEqual(node.denied);
    // The Node engine counts a fact per resource an event names (up to 8), the DuckDB engine one;
    // who used which action, how often and when is the same, but for parameter-bound actions: the
    // DuckDB engine does not read request parameters, so it counts iam:PassRole whenever a call
    // that may pass a role is made (the safe side: the rewrite keeps it).
    const used = (rows: typeof node.usage) =>
      rows.map((r) => `${r.principal} ${r.action} ${r.firstSeen} ${r.lastSeen}`);
    const extra = used(duckdb.usage).filter((u) => !used(node.usage).includes(u));
    expect(extra.length).toBeGreaterThan(0);
    expect(extra.every((u) => u.includes(' iam:PassRole '))).toBe(true);
    expect(used(duckdb.usage).filter((u) => !extra.includes(u))).toEqual(used(node.usage));
  });

  it('judges each call once; new rules judge every stored call again; a hash collision is caught', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-judge-'));
    const files = ['a.json', 'b.json', 'c.json'].map((name) => {
      trailFile(
        dir,
        name,
        [event({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' })],
        false,
      );
      const path = join(trailFolder(dir), name);
      return { path, file: { path: name, size: 1, hash: name } };
    });
    const store = await open();
    const judged: string[] = [];
    const judgeAs = (action: string) => (call: { eventName: string }) => {
      judged.push(`${action} ${call.eventName}`);
      return {
        kind: 'usage' as const,
        principal: 'arn:aws:iam::111122223333:role/app',
        actions: [action],
      };
    };
    const first = judgeAs('s3:ListAllMyBuckets');
    await store.ingestTrailFiles!([files[0]!], first);
    await store.ingestTrailFiles!([files[1]!], first);
    expect(judged).toEqual(['s3:ListAllMyBuckets ListBuckets']);
    const window = { asOf: '2026-11-24', windowDays: 400 };
    expect(await store.usage(window)).toMatchObject([{ action: 's3:ListAllMyBuckets', count: 2 }]);
    // Another judge (another run, or other rules): the stored call is judged again, so the facts
    // already stored follow the new verdict without the trail being read again.
    const second = judgeAs('s3:ListBucket');
    await store.ingestTrailFiles!([files[2]!], second);
    expect(judged).toEqual(['s3:ListAllMyBuckets ListBuckets', 's3:ListBucket ListBuckets']);
    expect(await store.usage(window)).toMatchObject([{ action: 's3:ListBucket', count: 3 }]);
    // In the same run, a call whose first hash matches a judged call but whose second does not
    // is refused (the batch then goes the Node way).
    const connection = connectionOf(store);
    await connection.run('UPDATE trail_calls SET call_check = 0');
    const again = mkdtempSync(join(tmpdir(), 'leastpriv-judge-'));
    trailFile(
      again,
      'd.json',
      [event({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' })],
      false,
    );
    await expect(
      store.ingestTrailFiles!(
        [
          {
            path: join(trailFolder(again), 'd.json'),
            file: { path: 'd.json', size: 1, hash: 'd' },
          },
        ],
        second,
      ),
    ).rejects.toThrow('two distinct calls share a hash');
    await store.close();
  });

  it('names resources by hash, and refuses a batch whose resource shares a hash with another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-resources-'));
    const files = ['a.json', 'b.json'].map((name) => {
      trailFile(
        dir,
        name,
        [
          event({
            eventSource: 's3.amazonaws.com',
            eventName: 'GetObject',
            requestParameters: { bucketName: 'data', key: 'k' },
          }),
        ],
        false,
      );
      return { path: join(trailFolder(dir), name), file: { path: name, size: 1, hash: name } };
    });
    const store = await open();
    const judge = () => ({
      kind: 'usage' as const,
      principal: 'arn:aws:iam::111122223333:role/app',
      actions: ['s3:GetObject'],
    });
    await store.ingestTrailFiles!([files[0]!], judge);
    const window = { asOf: '2026-11-24', windowDays: 400 };
    expect(await store.resourceUses(window)).toMatchObject([
      { resource: 'arn:aws:s3:::data/k', count: 1 },
    ]);
    // Another resource stored under the hash of this one: the batch is refused as a whole (it
    // then goes the Node way) and the store keeps what it held.
    const connection = connectionOf(store);
    await connection.run(`UPDATE trail_resources SET arn = 'arn:aws:s3:::other/k'`);
    await expect(store.ingestTrailFiles!([files[1]!], judge)).rejects.toThrow(
      'two distinct resources share a hash',
    );
    expect(await store.size()).toEqual({ facts: 1, files: 1 });
    await store.close();
  });

  it('keeps calls and verdicts across runs of the same rules, and judges them again for new ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-judge-'));
    trailFile(
      dir,
      'a.json',
      [event({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' })],
      false,
    );
    const file = {
      path: join(trailFolder(dir), 'a.json'),
      file: { path: 'a.json', size: 1, hash: 'a' },
    };
    const path = join(mkdtempSync(join(tmpdir(), 'leastpriv-usage-')), 'usage.db');
    const judged: string[] = [];
    const judge = (call: { eventName: string }) => {
      judged.push(call.eventName);
      return {
        kind: 'usage' as const,
        principal: 'arn:aws:iam::111122223333:role/app',
        actions: ['s3:ListAllMyBuckets'],
      };
    };
    const ingestWith = async (verdictsVersion: string, key: string) => {
      const store = await DuckDbUsageStore.open(path);
      await store.ingestTrailFiles!([{ ...file, file: { ...file.file, path: key } }], judge, {
        verdictsVersion,
      });
      const rows = await store.usage({ asOf: '2026-11-24', windowDays: 400 });
      await store.close();
      return rows.map((r) => r.count);
    };
    expect(await ingestWith('v1', 'a1')).toEqual([1]);
    // Another process, the same rules: the stored call is not judged again.
    expect(await ingestWith('v1', 'a2')).toEqual([2]);
    expect(judged).toEqual(['ListBuckets']);
    // New rules: the stored call is judged again once, then the batch's known call is reused.
    expect(await ingestWith('v2', 'a3')).toEqual([3]);
    expect(judged).toEqual(['ListBuckets', 'ListBuckets']);
  });

  it('refuses the DuckDB engine with a store that cannot read trail files', async () => {
    const inner = await open();
    const store = new Proxy(inner, {
      get: (target, key) =>
        key === 'ingestTrailFiles' ? undefined : Reflect.get(target, key, target),
    });
    await expect(
      ingestCloudTrail(mkdtempSync(join(tmpdir(), 'leastpriv-trail-')), {
        catalog,
        actionMap,
        store,
        engine: 'duckdb',
      }),
    ).rejects.toThrow(/needs a store that reads trail files/);
    await inner.close();
  });
});
