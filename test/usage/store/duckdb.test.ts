import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbUsageStore } from '../../../usage/store/duckdb.js';
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
});
