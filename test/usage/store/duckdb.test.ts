import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbUsageStore, MIGRATIONS } from '../../../usage/store/duckdb.js';
import { usageStoreConformance } from './conformance.js';

usageStoreConformance('DuckDB in memory', () => DuckDbUsageStore.open(':memory:'));
usageStoreConformance('DuckDB file', () =>
  DuckDbUsageStore.open(join(mkdtempSync(join(tmpdir(), 'leastpriv-usage-')), 'usage.db')),
);

describe('DuckDB usage store', () => {
  it('persists across reopening, and migrates once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leastpriv-usage-')), 'usage.db');
    const first = await DuckDbUsageStore.open(path);
    await first.ingestFile(
      { path: 'a', size: 1, hash: 'h' },
      {
        facts: [
          {
            principal: 'p',
            action: 's3:GetObject',
            resource: '',
            day: '2026-11-20',
            count: 1,
            firstSeen: '2026-11-20T00:00:00Z',
            lastSeen: '2026-11-20T00:00:00Z',
            source: 'cloudtrail',
          },
        ],
        denied: [],
        people: [],
        unmapped: [],
        records: 1,
      },
    );
    await first.close();
    const again = await DuckDbUsageStore.open(path);
    expect(await again.size()).toEqual({ facts: 1, files: 1 });
    await again.close();
  });

  it('migrates a schema 1 store (upserted facts) to schema 2 (appended facts), keeping its facts', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leastpriv-usage-')), 'usage.db');
    const old = await DuckDBInstance.create(path);
    const c = await old.connect();
    await c.run(MIGRATIONS[0]!);
    await c.run(`INSERT INTO meta VALUES ('schema_version', '1')`);
    await c.run(`INSERT INTO files VALUES ('a', 1, 'h', 2, '2026-11-20T00:00:00Z')`);
    await c.run(`INSERT INTO usage_facts VALUES ('p', 's3:GetObject', '', '2026-11-20', 'cloudtrail', 2,
      '2026-11-20T01:00:00Z', '2026-11-20T02:00:00Z')`);
    c.closeSync();
    old.closeSync();
    const store = await DuckDbUsageStore.open(path);
    const window = { asOf: '2026-11-24', windowDays: 90 };
    expect(await store.usage(window)).toEqual([
      {
        principal: 'p',
        action: 's3:GetObject',
        count: 2,
        firstSeen: '2026-11-20T01:00:00Z',
        lastSeen: '2026-11-20T02:00:00Z',
      },
    ]);
    expect(await store.knownFiles([{ path: 'a', size: 1, hash: 'h' }])).toEqual(new Set(['a']));
    await store.close();
    const check = await DuckDBInstance.create(path);
    const k = await check.connect();
    const version = await k.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`);
    expect(version.getRows()).toEqual([[String(MIGRATIONS.length)]]);
    k.closeSync();
    check.closeSync();
  });
  it('migrates a schema 3 store (resources as text in every use) to schema 4 (resources by hash), keeping its facts', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leastpriv-usage-')), 'usage.db');
    const old = await DuckDBInstance.create(path);
    const c = await old.connect();
    for (const migration of MIGRATIONS.slice(0, 3)) await c.run(migration);
    await c.run(`INSERT INTO meta VALUES ('schema_version', '3')`);
    await c.run(`INSERT INTO trail_verdicts VALUES (1, 'usage', 'arn:aws:iam::1:role/r', 's3:GetObject', NULL, NULL),
      (2, 'usage', 'arn:aws:iam::1:role/r', 'sts:GetCallerIdentity', NULL, NULL)`);
    await c.run(`INSERT INTO trail_uses VALUES
      (1, '2026-11-20', 'arn:aws:s3:::b/k', 2, '2026-11-20 01:00:00', '2026-11-20 02:00:00'),
      (1, '2026-11-21', 'arn:aws:s3:::b/k', 1, '2026-11-21 01:00:00', '2026-11-21 01:00:00'),
      (1, '2026-11-21', 'arn:aws:s3:::b/*', 3, '2026-11-21 03:00:00', '2026-11-21 04:00:00'),
      (2, '2026-11-21', NULL, 5, '2026-11-21 05:00:00', '2026-11-21 06:00:00')`);
    c.closeSync();
    old.closeSync();
    const store = await DuckDbUsageStore.open(path);
    const window = { asOf: '2026-11-24', windowDays: 90 };
    const use = (action: string, resource: string, count: number, first: string, last: string) => ({
      principal: 'arn:aws:iam::1:role/r',
      action,
      resource,
      source: 'cloudtrail',
      count,
      firstSeen: `2026-11-${first}Z`,
      lastSeen: `2026-11-${last}Z`,
    });
    expect(await store.resourceUses(window)).toEqual([
      use('s3:GetObject', 'arn:aws:s3:::b/*', 3, '21T03:00:00', '21T04:00:00'),
      use('s3:GetObject', 'arn:aws:s3:::b/k', 3, '20T01:00:00', '21T01:00:00'),
      use('sts:GetCallerIdentity', '', 5, '21T05:00:00', '21T06:00:00'),
    ]);
    await store.close();
    const check = await DuckDBInstance.create(path);
    const k = await check.connect();
    const resources = await k.runAndReadAll('SELECT arn FROM trail_resources ORDER BY arn');
    expect(resources.getRows()).toEqual([['arn:aws:s3:::b/*'], ['arn:aws:s3:::b/k']]);
    k.closeSync();
    check.closeSync();
  });
});
