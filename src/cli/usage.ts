/**
 * `leastpriv usage ingest SNAPSHOT|DIR [--db FILE]` and
 * `leastpriv usage show SNAPSHOT|DIR [--db FILE] [--principal ARN] [--as-of DATE] [--window 90d] [--format table|json]`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ingestAccessAdvisor, ingestCloudTrail, type IngestProgress } from '../../usage/ingest.js';
import { DuckDbUsageStore } from '../../usage/store/duckdb.js';
import { loadCloudTrailActionMap } from '../action-map.js';
import { loadCatalog } from '../catalog.js';

type Out = NodeJS.WritableStream;

/** Where the trail is (`SNAPSHOT/cloudtrail` or the directory itself) and the default store. */
export function usagePaths(dir: string, db: string | undefined): { trail: string; db: string } {
  const trail =
    existsSync(join(dir, 'cloudtrail')) && statSync(join(dir, 'cloudtrail')).isDirectory()
      ? join(dir, 'cloudtrail')
      : dir;
  return { trail, db: db ?? join(dir, '.leastpriv', 'usage.db') };
}

/** Parses `90d` or `90` into days (1 to 400), or undefined. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d+)d?$/.exec(text.trim());
  const days = m ? Number(m[1]) : NaN;
  return days >= 1 && days <= 400 ? days : undefined;
}

function progressBar(err: Out): (p: IngestProgress) => void {
  return (p) => {
    const width = 30;
    const filled = Math.round((p.filesDone / Math.max(p.filesTotal, 1)) * width);
    const mbps = p.bytes / 1e6 / Math.max(p.seconds, 1e-9);
    err.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.filesDone}/${p.filesTotal} files, ${p.records.toLocaleString('en-US')} records, ${mbps.toFixed(1)} MB/s `,
    );
  };
}

/** Runs `usage ingest`. */
export async function usageIngest(
  dir: string,
  options: { db?: string; tty: boolean; engine?: 'node' | 'duckdb'; threads?: number },
  out: Out,
  err: Out,
): Promise<number> {
  if (!existsSync(dir)) {
    err.write(`leastpriv usage ingest: \`${dir}\` does not exist\n`);
    return 2;
  }
  const paths = usagePaths(dir, options.db);
  const store = await DuckDbUsageStore.open(paths.db);
  try {
    const summary = await ingestCloudTrail(paths.trail, {
      catalog: loadCatalog(),
      actionMap: loadCloudTrailActionMap(),
      store,
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.tty ? { onProgress: progressBar(err) } : {}),
    });
    // A snapshot's Access Advisor exports give service-level evidence where CloudTrail is missing.
    const accessAdvisor = await ingestAccessAdvisor(dir, store);
    const size = await store.size();
    const result = { db: paths.db, ...summary, accessAdvisor, storedFacts: size.facts };
    if (options.tty) {
      err.write('\n');
      out.write(
        `${summary.filesIngested} files ingested (${summary.filesAlreadyIngested} already in the store), ${summary.records.toLocaleString('en-US')} records, ` +
          `${summary.usageRecords.toLocaleString('en-US')} usage, ${summary.deniedAttempts} denied attempts, ${summary.unmapped.length} unmapped pairs, ` +
          `${summary.corruptFiles.length} file problems; ${summary.recordsPerSecond.toLocaleString('en-US')} records/s → ${paths.db}\n`,
      );
      for (const c of summary.corruptFiles) out.write(`  ${c.file}: ${c.reason}\n`);
    } else out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** Runs `usage show`. */
export async function usageShow(
  dir: string,
  options: {
    db?: string;
    principal?: string;
    asOf: string;
    windowDays: number;
    format: 'table' | 'json';
  },
  out: Out,
  err: Out,
): Promise<number> {
  const paths = usagePaths(dir, options.db);
  if (!existsSync(paths.db)) {
    err.write(
      `leastpriv usage show: no usage store at \`${paths.db}\` (run \`leastpriv usage ingest\` first)\n`,
    );
    return 2;
  }
  const store = await DuckDbUsageStore.open(paths.db);
  try {
    const rows = await store.usage(
      { asOf: options.asOf, windowDays: options.windowDays },
      options.principal,
    );
    if (options.format === 'json') out.write(`${JSON.stringify(rows, null, 2)}\n`);
    else
      for (const r of rows)
        out.write(
          `${r.principal.padEnd(70)} ${r.action.padEnd(40)} ${String(r.count).padStart(8)}  last ${r.lastSeen}\n`,
        );
    return 0;
  } finally {
    await store.close();
  }
}
