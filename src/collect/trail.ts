/**
 * CloudTrail log files from the trail's S3 bucket into `OUT/cloudtrail/<object key>`, the layout
 * `leastpriv usage ingest` reads. Only the day prefixes of the window are listed; the org ids,
 * accounts and regions above them are discovered with `Delimiter` listings, never by listing the
 * whole bucket.
 * Layout: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 * File names: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * Listing: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { CollectWarning } from './account.js';
import { call, collectError, type AwsClients } from './aws.js';

/** Input of `collectTrailFiles`. */
export interface CollectTrailOptions {
  readonly clients: Pick<AwsClients, 's3'>;
  readonly bucket: string;
  /** The trail's S3 key prefix (without `AWSLogs/`), if it has one. */
  readonly prefix?: string;
  /** The snapshot directory: files go to `OUT/cloudtrail/<key>`. */
  readonly out: string;
  /** The window: the UTC days from `now - days` to `now`, both included. */
  readonly days: number;
  readonly now?: Date;
  /** Only these accounts' folders (default: every account found in the bucket). */
  readonly accounts?: readonly string[];
  /** Downloads (and listings) at once (default 8). */
  readonly concurrency?: number;
}

/** What `collectTrailFiles` did. */
export interface TrailCollection {
  readonly bucket: string;
  /** Accounts whose `CloudTrail/` folder was found. */
  readonly accounts: readonly string[];
  /** Log files in the window (downloaded now or already present). */
  readonly files: number;
  readonly downloaded: number;
  /** Already present with the same size: not downloaded again. */
  readonly unchanged: number;
  readonly bytes: number;
  /** `CloudTrail-Digest/` folders (integrity digests, no events) left out. */
  readonly digestFoldersSkipped: number;
  readonly warnings: readonly CollectWarning[];
}

/** `AWSLogs/o-xxxxxxxxxx/` (organization trail) and `AWSLogs/<account>/` folders. */
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** The log files CloudTrail delivers (`…_CloudTrail_<region>_<time>_<unique>.json.gz`). */
const LOG_FILE = /\.json(\.gz)?$/;

/** The UTC days (`yyyy/mm/dd`) of the window, oldest first. */
export function windowDays(now: Date, days: number): string[] {
  const out: string[] = [];
  const start = new Date(now.getTime() - days * 86_400_000);
  const day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let t = day; t <= now.getTime(); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10).replaceAll('-', '/'));
  return out;
}

type Task =
  | { readonly kind: 'list'; readonly prefix: string }
  | { readonly kind: 'get'; readonly key: string; readonly size: number };

/** Runs tasks with at most `concurrency` at once; a task may add tasks (run first: depth-first). */
async function runPool(
  initial: readonly Task[],
  concurrency: number,
  run: (task: Task, add: (tasks: Task[]) => void) => Promise<void>,
): Promise<void> {
  const queue = [...initial];
  let active = 0;
  await new Promise<void>((done, fail) => {
    let failed = false;
    const next = (): void => {
      if (failed) return;
      while (active < concurrency && queue.length > 0) {
        const task = queue.shift()!;
        active++;
        run(task, (tasks) => queue.unshift(...tasks)).then(
          () => {
            active--;
            next();
          },
          (e: unknown) => {
            failed = true;
            fail(e);
          },
        );
      }
      if (active === 0 && queue.length === 0) done();
    };
    next();
  });
}

/** Every page of a listing (`ContinuationToken`): sub-folders with a delimiter, and objects. */
async function list(
  clients: Pick<AwsClients, 's3'>,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
): Promise<{ folders: string[]; objects: { key: string; size: number }[] }> {
  const folders: string[] = [];
  const objects: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await call('s3:ListObjectsV2', () =>
      clients.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      ),
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
    for (const o of page.Contents ?? [])
      if (o.Key !== undefined) objects.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { folders, objects };
}

/** The last folder name of `a/b/c/`: `c`. */
const folderName = (prefix: string) => prefix.split('/').at(-2) ?? '';

/**
 * Downloads the window's CloudTrail log files of the trail bucket into `OUT/cloudtrail/<key>`,
 * keeping AWS's layout. Each file is streamed to a temporary file, checked against the listed
 * size, then renamed; a file already present with the listed size is not downloaded again, so a
 * re-run fetches only new files. A file that fails (a broken connection, a truncated body) is a
 * warning naming its key; the files already written stay, and the next run fetches it again.
 */
export async function collectTrailFiles(options: CollectTrailOptions): Promise<TrailCollection> {
  const { clients, bucket } = options;
  const root = `${options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : ''}AWSLogs/`;
  const base = resolve(options.out, 'cloudtrail');
  const wanted = options.accounts ? new Set(options.accounts) : undefined;
  const warnings: CollectWarning[] = [];

  // AWSLogs/ → [o-xxxx/] → <account>/ → CloudTrail/ → <region>/: one Delimiter listing each.
  const accountFolders: string[] = [];
  for (const folder of (await list(clients, bucket, root, '/')).folders) {
    const name = folderName(folder);
    if (ORG_ID.test(name))
      accountFolders.push(
        ...(await list(clients, bucket, folder, '/')).folders.filter((f) =>
          ACCOUNT_ID.test(folderName(f)),
        ),
      );
    else if (ACCOUNT_ID.test(name)) accountFolders.push(folder);
  }
  const accounts = new Set<string>();
  const regionFolders: string[] = [];
  let digestFoldersSkipped = 0;
  for (const folder of accountFolders) {
    const account = folderName(folder);
    if (wanted && !wanted.has(account)) continue;
    const services = (await list(clients, bucket, folder, '/')).folders;
    // CloudTrail-Digest/ holds integrity digests (no events); CloudTrail-Insight/ no API calls.
    digestFoldersSkipped += services.filter((f) => folderName(f) === 'CloudTrail-Digest').length;
    for (const service of services.filter((f) => folderName(f) === 'CloudTrail')) {
      accounts.add(account);
      regionFolders.push(...(await list(clients, bucket, service, '/')).folders);
    }
  }

  const days = windowDays(options.now ?? new Date(), options.days);
  let files = 0;
  let downloaded = 0;
  let unchanged = 0;
  let bytes = 0;
  const fail = (key: string, e: unknown): void => {
    const err = collectError('s3:GetObject', e);
    if (err.code === 'expired_credentials') throw err;
    warnings.push({
      code: 'trail_file_failed',
      message: err.message,
      path: `s3://${bucket}/${key}`,
    });
  };
  await runPool(
    regionFolders.flatMap((r) => days.map((d) => ({ kind: 'list' as const, prefix: `${r}${d}/` }))),
    options.concurrency ?? 8,
    async (task, add) => {
      if (task.kind === 'list') {
        const { objects } = await list(clients, bucket, task.prefix, undefined);
        add(
          objects
            .filter((o) => LOG_FILE.test(o.key) && !o.key.includes('CloudTrail-Digest'))
            .map((o) => ({ kind: 'get' as const, key: o.key, size: o.size })),
        );
        return;
      }
      const file = resolve(base, task.key);
      if (!file.startsWith(base + sep) || relative(base, file).split(sep).includes('..')) {
        warnings.push({
          code: 'trail_file_failed',
          message: `the key \`${task.key}\` leaves the cloudtrail folder: not downloaded`,
          path: `s3://${bucket}/${task.key}`,
        });
        return;
      }
      files++;
      if (existsSync(file) && statSync(file).size === task.size) {
        unchanged++;
        return;
      }
      try {
        // Not `bytes += await …`: that reads `bytes` before the await and loses other workers' bytes.
        const n = await download(clients, bucket, task.key, task.size, file);
        bytes += n;
        downloaded++;
      } catch (e) {
        files--;
        fail(task.key, e);
      }
    },
  );
  return {
    bucket,
    accounts: [...accounts].sort(),
    files,
    downloaded,
    unchanged,
    bytes,
    digestFoldersSkipped,
    warnings,
  };
}

/** Streams one object to a temporary file next to `file`, checks its size, flushes, renames. */
async function download(
  clients: Pick<AwsClients, 's3'>,
  bucket: string,
  key: string,
  size: number,
  file: string,
): Promise<number> {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const object = await call('s3:GetObject', () =>
      clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    const body = object.Body as Readable | undefined;
    if (!body) throw new Error(`s3:GetObject returned no body for \`${key}\``);
    let written = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(body, count, createWriteStream(temp, { mode: 0o644 }));
    if (written !== size)
      throw new Error(`truncated download: ${written} of ${size} bytes of \`${key}\``);
    // Flushed before the rename, so a crash never leaves a short file under the real name.
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    return written;
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Removes `cloudtrail/lookup-events-<id>.json` (its events would be counted twice with S3 files). */
export function removeLookupEvents(out: string, accounts: readonly string[]): string[] {
  const removed: string[] = [];
  for (const id of accounts) {
    const file = join(out, 'cloudtrail', `lookup-events-${id}.json`);
    if (existsSync(file)) {
      rmSync(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}
