/**
 * File keys (path relative to the trail's root, size, SHA-256) for ingest's bookkeeping, computed
 * on the main thread a few milliseconds at a time while it waits for the store: each file is read
 * and hashed synchronously, one call into Node's C++ per step. While DuckDB reads a batch on every
 * core, any CPU ingest spends elsewhere slows it; the asynchronous way (open, stat, reads and close
 * as promises, then a WebCrypto digest, which copies its input) cost more: over 8 alternating
 * ingests of the bench trail on 2 threads, medians of 4.68 CPU s and 2.53 s against 4.60 and 2.49
 * this way (bench/usage.bench.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { relative } from 'node:path';
import type { FileKey } from './facts.js';

/** How long one slice of hashing may hold the main thread, in milliseconds. */
const SLICE_MS = 4;

/** The read buffer, reused; kept up to this size (CloudTrail files are a few megabytes at most). */
const KEPT_BUFFER = 16 * 1024 * 1024;

interface Pending {
  readonly root: string;
  readonly path: string;
  readonly resolve: (key: FileKey) => void;
  readonly reject: (error: unknown) => void;
}

const pending: Pending[] = [];
let scheduled = false;
let buffer = Buffer.alloc(0);

/**
 * The key of the file at `path`, computed in the order asked, between other work. A failure
 * (the file vanished, cannot be read) surfaces where the key is awaited.
 */
export function fileKey(root: string, path: string): Promise<FileKey> {
  const key = new Promise<FileKey>((resolve, reject) => {
    pending.push({ root, path, resolve, reject });
  });
  // Awaited later (or never, if the run stops first): not an unhandled rejection meanwhile.
  key.catch(() => undefined);
  if (!scheduled) {
    scheduled = true;
    setImmediate(hashSlice);
  }
  return key;
}

/** Hashes waiting files for one slice, then yields to the event loop until none wait. */
function hashSlice(): void {
  const until = performance.now() + SLICE_MS;
  let job: Pending | undefined;
  while (performance.now() < until && (job = pending.shift())) {
    try {
      job.resolve(hashNow(job.root, job.path));
    } catch (e) {
      job.reject(e);
    }
  }
  if (pending.length > 0) setImmediate(hashSlice);
  else scheduled = false;
}

function hashNow(root: string, path: string): FileKey {
  const contents = readWhole(path);
  return {
    path: relative(root, path),
    size: contents.length,
    hash: createHash('sha256').update(contents).digest('hex'),
  };
}

/** The bytes of a file, in the shared buffer (valid until the next read). */
function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    // One byte more than the file's size, so a full buffer means the file grew since.
    const size = fstatSync(fd).size;
    let into = buffer.length > size ? buffer : Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (;;) {
      if (length === into.length) into = Buffer.concat([into], 2 * into.length);
      const read = readSync(fd, into, length, into.length - length, length);
      if (read === 0) break;
      length += read;
    }
    // A file larger than most gets a buffer of its own, not kept for the rest of the process.
    if (into.length <= KEPT_BUFFER) buffer = into;
    return into.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
