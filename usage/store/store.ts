/**
 * The usage store interface. Every implementation (the embedded DuckDB store, the Athena engine
 * to come) runs the same conformance suite: test/usage/store/conformance.ts.
 */
import type { FileFacts, FileKey, UsageRow, UsageWindow } from '../facts.js';

/** Where usage facts live and how they are queried. */
export interface UsageStore {
  /** True when this exact file (path, size, hash) was ingested already. */
  hasFile(file: FileKey): Promise<boolean>;
  /** Stores one file's facts atomically: all of them with the file's key, or nothing. */
  ingestFile(file: FileKey, facts: FileFacts): Promise<void>;
  /** Stores several files in one transaction: every file wholly, or none of them. */
  ingestFiles(
    batch: readonly { readonly file: FileKey; readonly facts: FileFacts }[],
  ): Promise<void>;
  /** Per principal and action, use within the window (optionally one principal). */
  usage(window: UsageWindow, principal?: string): Promise<UsageRow[]>;
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
