/**
 * The query worker: one thread that loads snapshots and reports and answers the snapshot
 * questions (queries.ts), so that loading a 10,000-principal estate or asking who can do
 * something across it never holds up the service's event loop. It keeps the last few snapshots
 * and reports loaded; a snapshot directory changed by hand is loaded again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { Snapshot } from '../../policy-model/index.js';
import type { Report } from '../../recommender/model.js';
import { loadCatalog } from '../catalog.js';
import { loadSensitiveActionTags } from '../sensitive-actions.js';
import { loadSnapshot } from '../snapshot.js';
import { ServiceError } from './errors.js';
import { checkSnapshot } from './snapshots.js';
import {
  basisOfReport,
  effectivePermissionsOf,
  listPrincipals,
  principalRows,
  recommendationOf,
  whoCanOf,
  type ActivityBasis,
  type PrincipalQuery,
  type PrincipalRow,
} from './queries.js';

/** A question for the worker. */
export type QueryRequest =
  | {
      readonly op: 'principals';
      readonly dir: string;
      readonly query: PrincipalQuery;
      /** The latest analysis of the snapshot: its id and report.json. */
      readonly report?: { readonly analysis: string; readonly file: string };
      /** As-of when there is no analysis: the snapshot's collectedAt day, else today. */
      readonly asOf: string;
    }
  | {
      readonly op: 'effective-permissions';
      readonly dir: string;
      readonly arn: string;
      readonly action?: string;
    }
  | {
      readonly op: 'who-can';
      readonly dir: string;
      readonly action: string;
      readonly resource: string;
    }
  | {
      readonly op: 'recommendation';
      readonly report: { readonly analysis: string; readonly file: string };
      readonly arn: string;
    }
  | { readonly op: 'check'; readonly dir: string };

/** A question with its number, as posted. */
export type QueryMessage = QueryRequest & { readonly id: number };

/** The worker's answer. */
export type QueryReply =
  | { readonly id: number; readonly ok: true; readonly json: string }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: {
        readonly code: string;
        readonly message: string;
        readonly details: readonly unknown[];
      };
    };

/** How many snapshots and reports stay loaded. */
const KEEP = 3;

interface LoadedSnapshot {
  readonly signature: string;
  readonly snapshot: Snapshot;
  rows?: PrincipalRow[];
}

/** A small least-recently-used map. */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

/** The modification times of what a snapshot is read from: cheap to take, changes with an edit. */
function signatureOf(dir: string): string {
  const parts: string[] = [];
  const stamp = (path: string): void => {
    try {
      const s = statSync(path);
      parts.push(`${path}:${s.mtimeMs}:${s.size}`);
    } catch {
      parts.push(`${path}:-`);
    }
  };
  stamp(join(dir, 'organization.json'));
  const accounts = join(dir, 'accounts');
  try {
    for (const account of readdirSync(accounts).sort()) {
      const files = join(accounts, account);
      stamp(files);
      for (const file of readdirSync(files).sort()) stamp(join(files, file));
    }
  } catch {
    parts.push('no-accounts');
  }
  return parts.join('|');
}

/** Answers the questions of one service. */
export class QueryEngine {
  private readonly catalog = loadCatalog();
  private readonly tags = loadSensitiveActionTags();
  private readonly snapshots = new Recent<LoadedSnapshot>(KEEP);
  private readonly reports = new Recent<Report>(KEEP);
  /** Effective-permission answers, serialised: the hot path of IAM tooling asking about one principal. */
  private readonly answers = new Recent<string>(1000);

  /**
   * The answer as JSON text: serialised here, off the event loop, and handed over as one string
   * (cheaper to pass between threads than the object).
   */
  answerJson(request: QueryRequest): string {
    if (request.op !== 'effective-permissions') return JSON.stringify(this.answer(request));
    const { signature } = this.snapshot(request.dir);
    const key = [request.dir, signature, request.arn, request.action ?? ''].join('\0');
    let json = this.answers.get(key);
    if (json === undefined) {
      json = JSON.stringify(this.answer(request));
      this.answers.set(key, json);
    }
    return json;
  }

  /** When each directory's signature was last taken, and what it was. */
  private readonly signatures = new Map<string, { at: number; signature: string }>();

  /**
   * A directory's signature, taken at most once a second: a hot principal asked about hundreds
   * of times a second costs one round of stat calls, not one per request.
   */
  private signature(dir: string): string {
    const now = Date.now();
    const known = this.signatures.get(dir);
    if (known && now - known.at < 1000) return known.signature;
    const signature = signatureOf(dir);
    this.signatures.set(dir, { at: now, signature });
    return signature;
  }

  private snapshot(dir: string): LoadedSnapshot {
    const signature = this.signature(dir);
    const cached = this.snapshots.get(dir);
    if (cached?.signature === signature) return cached;
    let snapshot: Snapshot;
    try {
      snapshot = loadSnapshot(dir);
    } catch (e) {
      throw new ServiceError('not_found', e instanceof Error ? e.message : String(e));
    }
    const loaded: LoadedSnapshot = { signature, snapshot };
    this.snapshots.set(dir, loaded);
    return loaded;
  }

  /** Reports are written once and renamed into place: the file name is the key. */
  private report(file: string): Report {
    const cached = this.reports.get(file);
    if (cached) return cached;
    let report: Report;
    try {
      report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    } catch (e) {
      throw new ServiceError(
        'not_found',
        `the analysis report cannot be read: ${(e as Error).message}`,
      );
    }
    this.reports.set(file, report);
    return report;
  }

  answer(request: QueryRequest): unknown {
    switch (request.op) {
      case 'principals': {
        const loaded = this.snapshot(request.dir);
        loaded.rows ??= principalRows(loaded.snapshot, this.catalog, this.tags);
        const basis: ActivityBasis = request.report
          ? basisOfReport(this.report(request.report.file), request.report.analysis)
          : { asOf: request.asOf, source: 'snapshot' };
        return listPrincipals(loaded.rows, request.query, basis);
      }
      case 'effective-permissions':
        return effectivePermissionsOf(
          this.snapshot(request.dir).snapshot,
          this.catalog,
          this.tags,
          request.arn,
          request.action,
        );
      case 'who-can':
        return whoCanOf(
          this.snapshot(request.dir).snapshot,
          this.catalog,
          request.action,
          request.resource,
          new Date(),
        );
      case 'recommendation':
        return recommendationOf(
          this.report(request.report.file),
          request.report.analysis,
          request.arn,
        );
      case 'check':
        // An upload being checked lives at a temporary path: loaded once, not kept.
        return checkSnapshot(request.dir);
    }
  }
}

/** Runs one question, turning any failure into a reply the client rebuilds. */
export function reply(engine: QueryEngine, message: QueryMessage): QueryReply {
  try {
    return { id: message.id, ok: true, json: engine.answerJson(message) };
  } catch (e) {
    if (e instanceof ServiceError)
      return {
        id: message.id,
        ok: false,
        error: { code: e.code, message: e.message, details: e.details },
      };
    return {
      id: message.id,
      ok: false,
      error: {
        code: 'internal',
        message: e instanceof Error ? (e.stack ?? e.message) : String(e),
        details: [],
      },
    };
  }
}

if (parentPort) {
  const port = parentPort;
  const engine = new QueryEngine();
  port.on('message', (message: QueryMessage) => port.postMessage(reply(engine, message)));
}
