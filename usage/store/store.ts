/**
 * The usage store interface. Every implementation (the embedded DuckDB store, the Athena engine
 * to come) runs the same conformance suite: test/usage/store/conformance.ts.
 */
import type {
  FileFacts,
  FileKey,
  ResourceUse,
  UnmappedPair,
  UsageRow,
  UsageWindow,
} from '../facts.js';
import type { Verdict } from '../verdict.js';

/** A distinct call of a trail batch, as the store hands it to the ingest rules. */
export interface TrailCall {
  /** JSON text of the record's `userIdentity` (the fields `resolveActor` reads). */
  readonly identity: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventType: string | null;
  readonly errorCode: string | null;
}

/** A trail file to read: where it is, and its key (which may still be hashing: awaited at commit). */
export interface TrailFile {
  readonly path: string;
  readonly file: FileKey | Promise<FileKey>;
}

/** How a store reads a batch of trail files. */
export interface TrailBatchOptions {
  /** Threads for reading (default: the store's own). */
  readonly threads?: number;
  /**
   * What the judge's verdicts depend on (rules, catalog, action map). A store that keeps calls
   * judges them all again when it changes; without it, a new judge judges them all again.
   */
  readonly verdictsVersion?: string;
}

/** What one batch of trail files read by the store held. */
export interface TrailBatchResult {
  /** Records per file path (as given). */
  readonly records: ReadonlyMap<string, number>;
  /** Sum of the stored usage facts' counts, and of the denied attempts' counts. */
  readonly usageRecords: number;
  readonly deniedAttempts: number;
  /** Records not counted as usage, by reason (as in the ingest summary). */
  readonly skipped: Readonly<Record<string, number>>;
  readonly unmapped: readonly UnmappedPair[];
}

/** Where usage facts live and how they are queried. */
export interface UsageStore {
  /** True when this exact file (path, size, hash) was ingested already. */
  hasFile(file: FileKey): Promise<boolean>;
  /** Of these files, the paths of those ingested already with the same size and hash. */
  knownFiles(files: readonly FileKey[]): Promise<Set<string>>;
  /**
   * Optional: of these paths, those with any version ingested already. A file whose path is not
   * among them is new, whatever its hash: ingest then reads it while its hash is computed.
   */
  pathsKnown?(paths: readonly string[]): Promise<Set<string>>;
  /** Stores one file's facts atomically: all of them with the file's key, or nothing. */
  ingestFile(file: FileKey, facts: FileFacts): Promise<void>;
  /** Stores several files in one transaction: every file wholly, or none of them. */
  ingestFiles(
    batch: readonly { readonly file: FileKey; readonly facts: FileFacts }[],
  ): Promise<void>;
  /**
   * Optional: reads trail files itself and stores their facts, all in one transaction (every file
   * wholly, or none). The store groups the records; `judge` decides once per distinct call.
   * Throws `TrailScanError` when a file cannot be read this way (nothing is stored then).
   */
  ingestTrailFiles?(
    batch: readonly TrailFile[],
    judge: (call: TrailCall) => Verdict,
    options?: TrailBatchOptions,
  ): Promise<TrailBatchResult>;
  /** Optional: how far the trail batch being read is, 0 to 1 (for progress bars). */
  trailProgress?(): number;
  /** Per principal and action, use within the window (optionally one principal). */
  usage(window: UsageWindow, principal?: string): Promise<UsageRow[]>;
  /** Per principal, action, resource and source, use within the window (optionally one principal). */
  resourceUses(window: UsageWindow, principal?: string): Promise<ResourceUse[]>;
  /** The people seen behind each principal's sessions in the window, most active first. */
  peopleByPrincipal(window: UsageWindow): Promise<Map<string, string[]>>;
  /** The last time each principal was seen using anything, ever (CloudTrail or Access Advisor). */
  lastActivity(): Promise<Map<string, string>>;
  /** The last time the principal used the action, ever, or undefined. */
  lastUsed(principal: string, action: string): Promise<string | undefined>;
  /** Of the actions granted, those the principal did not use in the window. */
  unusedActions(
    principal: string,
    granted: readonly string[],
    window: UsageWindow,
  ): Promise<string[]>;
  /** The people seen behind a principal's sessions in the window. */
  people(principal: string, window: UsageWindow): Promise<{ person: string; count: number }[]>;
  /** The denied attempts in the window. */
  denied(
    window: UsageWindow,
    principal?: string,
  ): Promise<
    { principal: string; action: string; errorCode: string; count: number; lastSeen: string }[]
  >;
  /** Distinct facts stored (rows), for size reporting. */
  size(): Promise<{ facts: number; files: number }>;
  close(): Promise<void>;
}
