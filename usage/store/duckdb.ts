/**
 * The embedded usage store: DuckDB (`@duckdb/node-api`), in-process, in a file the user names.
 * Facts are merged per (principal, action, resource, day, source), so the file grows with distinct
 * activity. Each file is ingested in one transaction with its key, so a crash leaves the store as
 * it was before that file. The schema is versioned (`meta.schema_version`) and migrated on open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { FileFacts, FileKey, UsageRow, UsageWindow } from '../facts.js';
import { windowStart } from '../facts.js';
import type { UsageStore } from './store.js';

/** Schema migrations, in order; each runs once. Never edit one that has shipped: add another. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
   CREATE TABLE files (path VARCHAR, size BIGINT, hash VARCHAR, records BIGINT, ingested_at VARCHAR, PRIMARY KEY (path, size, hash));
   CREATE TABLE usage_facts (principal VARCHAR, action VARCHAR, resource VARCHAR, day VARCHAR, source VARCHAR,
                             count BIGINT, first_seen VARCHAR, last_seen VARCHAR,
                             PRIMARY KEY (principal, action, resource, day, source));
   CREATE TABLE denied_attempts (principal VARCHAR, action VARCHAR, day VARCHAR, error_code VARCHAR,
                                 count BIGINT, first_seen VARCHAR, last_seen VARCHAR,
                                 PRIMARY KEY (principal, action, day, error_code));
   CREATE TABLE session_people (principal VARCHAR, person VARCHAR, day VARCHAR, count BIGINT, PRIMARY KEY (principal, person, day));
   CREATE TABLE unmapped (event_source VARCHAR, event_name VARCHAR, reason VARCHAR, count BIGINT, PRIMARY KEY (event_source, event_name));`,
];

/** Store options. `beforeCommit` is a seam for crash tests: it runs inside each file's transaction. */
export interface DuckDbStoreOptions {
  readonly beforeCommit?: (file: FileKey) => void;
}

/** The DuckDB usage store. */
export class DuckDbUsageStore implements UsageStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly options: DuckDbStoreOptions,
  ) {}

  /** Opens (creating and migrating if needed) the store at `path` (`:memory:` for tests). */
  static async open(path: string, options: DuckDbStoreOptions = {}): Promise<DuckDbUsageStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    const store = new DuckDbUsageStore(instance, connection, options);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const exists = await this.connection.runAndReadAll(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'meta'`,
    );
    let version = 0;
    if (Number(exists.getRowObjects()[0]?.['n'] ?? 0) > 0) {
      const row = await this.connection.runAndReadAll(
        `SELECT value FROM meta WHERE key = 'schema_version'`,
      );
      version = Number(row.getRowObjects()[0]?.['value'] ?? 0);
    }
    for (let i = version; i < MIGRATIONS.length; i += 1) {
      await this.connection.run('BEGIN TRANSACTION');
      await this.connection.run(MIGRATIONS[i]!);
      await this.connection.run(
        `INSERT OR REPLACE INTO meta VALUES ('schema_version', '${i + 1}')`,
      );
      await this.connection.run('COMMIT');
    }
  }

  async hasFile(file: FileKey): Promise<boolean> {
    const result = await this.connection.runAndReadAll(
      'SELECT 1 FROM files WHERE path = $1 AND size = $2 AND hash = $3',
      [file.path, file.size, file.hash],
    );
    return result.getRowObjects().length > 0;
  }

  async ingestFile(file: FileKey, facts: FileFacts): Promise<void> {
    const c = this.connection;
    await c.run('BEGIN TRANSACTION');
    try {
      // Stage each kind of row, then merge: counts add up, first/last widen.
      await c.run('CREATE OR REPLACE TEMP TABLE stage_facts AS SELECT * FROM usage_facts LIMIT 0');
      const facts_ = await c.createAppender('stage_facts');
      for (const f of facts.facts) {
        facts_.appendVarchar(f.principal);
        facts_.appendVarchar(f.action);
        facts_.appendVarchar(f.resource);
        facts_.appendVarchar(f.day);
        facts_.appendVarchar(f.source);
        facts_.appendBigInt(BigInt(f.count));
        facts_.appendVarchar(f.firstSeen);
        facts_.appendVarchar(f.lastSeen);
        facts_.endRow();
      }
      facts_.closeSync();
      await c.run(`INSERT INTO usage_facts SELECT * FROM stage_facts
        ON CONFLICT (principal, action, resource, day, source) DO UPDATE SET
          count = usage_facts.count + excluded.count,
          first_seen = least(usage_facts.first_seen, excluded.first_seen),
          last_seen = greatest(usage_facts.last_seen, excluded.last_seen)`);
      for (const d of facts.denied) {
        await c.run(
          `INSERT INTO denied_attempts VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (principal, action, day, error_code) DO UPDATE SET count = denied_attempts.count + excluded.count,
             first_seen = least(denied_attempts.first_seen, excluded.first_seen), last_seen = greatest(denied_attempts.last_seen, excluded.last_seen)`,
          [d.principal, d.action, d.day, d.errorCode, d.count, d.firstSeen, d.lastSeen],
        );
      }
      for (const p of facts.people) {
        await c.run(
          `INSERT INTO session_people VALUES ($1, $2, $3, $4) ON CONFLICT (principal, person, day) DO UPDATE SET count = session_people.count + excluded.count`,
          [p.principal, p.person, p.day, p.count],
        );
      }
      for (const u of facts.unmapped) {
        await c.run(
          `INSERT INTO unmapped VALUES ($1, $2, $3, $4) ON CONFLICT (event_source, event_name) DO UPDATE SET count = unmapped.count + excluded.count`,
          [u.eventSource, u.eventName, u.reason, u.count],
        );
      }
      await c.run('INSERT INTO files VALUES ($1, $2, $3, $4, $5)', [
        file.path,
        file.size,
        file.hash,
        facts.records,
        new Date().toISOString(),
      ]);
      this.options.beforeCommit?.(file);
      await c.run('COMMIT');
    } catch (e) {
      await c.run('ROLLBACK');
      throw e;
    }
  }

  async usage(window: UsageWindow, principal?: string): Promise<UsageRow[]> {
    const result = await this.connection.runAndReadAll(
      `SELECT principal, action, sum(count) AS count, min(first_seen) AS first_seen, max(last_seen) AS last_seen
       FROM usage_facts WHERE day BETWEEN $1 AND $2 ${principal ? 'AND principal = $3' : ''}
       GROUP BY principal, action ORDER BY principal, action`,
      principal
        ? [windowStart(window), window.asOf, principal]
        : [windowStart(window), window.asOf],
    );
    return result.getRowObjects().map((r) => ({
      principal: String(r['principal']),
      action: String(r['action']),
      count: Number(r['count']),
      firstSeen: String(r['first_seen']),
      lastSeen: String(r['last_seen']),
    }));
  }

  async lastUsed(principal: string, action: string): Promise<string | undefined> {
    const result = await this.connection.runAndReadAll(
      'SELECT max(last_seen) AS last FROM usage_facts WHERE principal = $1 AND action = $2',
      [principal, action],
    );
    const last = result.getRowObjects()[0]?.['last'];
    return last === null || last === undefined ? undefined : String(last);
  }

  async unusedActions(
    principal: string,
    granted: readonly string[],
    window: UsageWindow,
  ): Promise<string[]> {
    const used = new Set((await this.usage(window, principal)).map((r) => r.action.toLowerCase()));
    return granted.filter((a) => !used.has(a.toLowerCase()));
  }

  async people(
    principal: string,
    window: UsageWindow,
  ): Promise<{ person: string; count: number }[]> {
    const result = await this.connection.runAndReadAll(
      'SELECT person, sum(count) AS count FROM session_people WHERE principal = $1 AND day BETWEEN $2 AND $3 GROUP BY person ORDER BY count DESC, person',
      [principal, windowStart(window), window.asOf],
    );
    return result
      .getRowObjects()
      .map((r) => ({ person: String(r['person']), count: Number(r['count']) }));
  }

  async denied(
    window: UsageWindow,
    principal?: string,
  ): Promise<
    { principal: string; action: string; errorCode: string; count: number; lastSeen: string }[]
  > {
    const result = await this.connection.runAndReadAll(
      `SELECT principal, action, error_code, sum(count) AS count, max(last_seen) AS last_seen FROM denied_attempts
       WHERE day BETWEEN $1 AND $2 ${principal ? 'AND principal = $3' : ''} GROUP BY principal, action, error_code ORDER BY principal, action`,
      principal
        ? [windowStart(window), window.asOf, principal]
        : [windowStart(window), window.asOf],
    );
    return result.getRowObjects().map((r) => ({
      principal: String(r['principal']),
      action: String(r['action']),
      errorCode: String(r['error_code']),
      count: Number(r['count']),
      lastSeen: String(r['last_seen']),
    }));
  }

  async size(): Promise<{ facts: number; files: number }> {
    const result = await this.connection.runAndReadAll(
      'SELECT (SELECT count(*) FROM usage_facts) AS facts, (SELECT count(*) FROM files) AS files',
    );
    const row = result.getRowObjects()[0] ?? {};
    return { facts: Number(row['facts'] ?? 0), files: Number(row['files'] ?? 0) };
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
