/** The usage part of the library: open a store, ingest a trail with the bundled catalog and action map. */
import {
  ingestCloudTrail as ingest,
  type IngestOptions,
  type IngestSummary,
} from '../usage/ingest.js';
import { DuckDbUsageStore } from '../usage/store/duckdb.js';
import type { UsageStore } from '../usage/store/store.js';
import { loadCloudTrailActionMap } from './action-map.js';
import { loadCatalog } from './catalog.js';

/** Opens (creating if needed) the embedded usage store at `path` (a DuckDB file, or `:memory:`). */
export function openUsageStore(path: string): Promise<UsageStore> {
  return DuckDbUsageStore.open(path);
}

/** Ingests every CloudTrail file below `dir` into `store`, with the bundled catalog and action map. */
export function ingestCloudTrail(
  dir: string,
  store: UsageStore,
  options: Pick<
    IngestOptions,
    'onProgress' | 'batchFiles' | 'batchBytes' | 'engine' | 'threads'
  > = {},
): Promise<IngestSummary> {
  return ingest(dir, {
    catalog: loadCatalog(),
    actionMap: loadCloudTrailActionMap(),
    store,
    ...options,
  });
}
