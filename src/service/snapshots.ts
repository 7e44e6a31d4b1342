/**
 * The snapshots of the service: directories under `DATA/snapshots/` in the snapshot format
 * (docs/snapshot.md). An upload (a tar.gz of a snapshot directory, or its files as JSON parts) is
 * unpacked into a hidden temporary directory, checked, and only then renamed into place, so a
 * half-uploaded snapshot never appears and a rejected one leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Unpack } from 'tar';
import { writeFileAtomic } from '../atomic-write.js';
import { loadSnapshot } from '../snapshot.js';
import { ServiceError, type ErrorDetail } from './errors.js';
import { SNAPSHOT_NAME_PATTERN } from './schemas.js';

/** A snapshot name: a directory under `DATA/snapshots/`. */
export const SNAPSHOT_NAME = new RegExp(SNAPSHOT_NAME_PATTERN);

/** One path segment of an uploaded file: no `..`, no hidden names, nothing a shell would mangle. */
const SEGMENT = /^[A-Za-z0-9_=+-][A-Za-z0-9._=+-]{0,254}$/;

/** How deep an uploaded file may sit (`cloudtrail/AWSLogs/o-…/acct/CloudTrail/region/y/m/d/f`). */
const MAX_DEPTH = 16;

/** The most files one upload may hold. */
const MAX_FILES = 200_000;

/** Where the service keeps an uploaded snapshot's metadata (never read as part of the snapshot). */
const META_FILE = join('.leastpriv', 'snapshot.json');

/** A snapshot as listed. */
export interface SnapshotInfo {
  readonly id: string;
  /** When it was uploaded (or, for a directory placed by hand, last changed). */
  readonly createdAt: string;
  /** `snapshot.json`'s collectedAt, when the snapshot says. */
  readonly collectedAt?: string;
  readonly accounts: readonly string[];
  readonly hasOrganization: boolean;
  readonly hasCloudTrail: boolean;
  readonly source: 'upload' | 'directory';
}

/** What an upload produced. */
export interface UploadResult {
  readonly snapshot: SnapshotInfo;
  readonly files: number;
  readonly bytes: number;
  readonly principals: number;
  /** Hidden files of the archive left out (.DS_Store, .leastpriv/…), the first hundred. */
  readonly skipped: readonly string[];
  /** Problems reading the snapshot: the analysis goes on without the broken parts. */
  readonly issues: readonly {
    readonly path: string;
    readonly code: string;
    readonly message: string;
  }[];
}

/** What checking an uploaded snapshot found. */
export type SnapshotCheck = Pick<UploadResult, 'principals' | 'issues'>;

/** The files of a JSON-parts upload. */
export interface SnapshotParts {
  readonly name?: string;
  /** Path → a string (written as text), `{ "base64": … }` (bytes) or any other JSON (serialised). */
  readonly files: Readonly<Record<string, unknown>>;
}

/** Why an uploaded path is refused, or undefined when it is a fine relative path. */
export function unsafePath(path: string): string | undefined {
  const segments = path.split('/');
  if (path.startsWith('/') || path.includes('\\')) return 'must be a relative path with `/`';
  if (segments.length > MAX_DEPTH) return `is deeper than ${MAX_DEPTH} directories`;
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined)
    return `segment \`${bad}\` is not allowed (letters, digits and ._=+- only, not starting with a dot)`;
  return undefined;
}

/** Counts the bytes going through and stops the stream past `limit`. */
function byteLimit(limit: number, what: string): Transform & { bytes: () => number } {
  let seen = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit)
        done(new ServiceError('payload_too_large', `${what} is larger than ${limit} bytes`));
      else done(null, chunk);
    },
  });
  return Object.assign(transform, { bytes: () => seen });
}

/** The snapshots of one data directory. */
export class SnapshotStore {
  readonly root: string;

  /**
   * @param check loads an unpacked upload and answers its problems, or refuses it; the service
   *   runs it in the query worker (a large estate takes seconds to load).
   */
  constructor(
    dataDir: string,
    private readonly check: (dir: string) => Promise<SnapshotCheck> = (dir) =>
      Promise.resolve(checkSnapshot(dir)),
  ) {
    this.root = join(dataDir, 'snapshots');
    mkdirSync(this.root, { recursive: true });
  }

  /** The directory of a snapshot name (which may not exist). */
  dir(id: string): string {
    return join(this.root, id);
  }

  /** Whether a snapshot of that name exists. */
  has(id: string): boolean {
    if (!SNAPSHOT_NAME.test(id)) return false;
    const dir = this.dir(id);
    return existsSync(dir) && statSync(dir).isDirectory();
  }

  /** A snapshot's listing entry, or a 404. */
  info(id: string): SnapshotInfo {
    if (!this.has(id)) throw new ServiceError('not_found', `no snapshot \`${id}\``);
    const dir = this.dir(id);
    const meta = readJsonOr<{ createdAt?: string }>(join(dir, META_FILE), {});
    const collected = readJsonOr<{ collectedAt?: unknown }>(join(dir, 'snapshot.json'), {});
    const accountsDir = join(dir, 'accounts');
    const accounts = existsSync(accountsDir)
      ? readdirSync(accountsDir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()
      : [];
    return {
      id,
      createdAt: meta.createdAt ?? statSync(dir).mtime.toISOString(),
      ...(typeof collected.collectedAt === 'string' ? { collectedAt: collected.collectedAt } : {}),
      accounts,
      hasOrganization: existsSync(join(dir, 'organization.json')),
      hasCloudTrail: existsSync(join(dir, 'cloudtrail')),
      source: meta.createdAt ? 'upload' : 'directory',
    };
  }

  /** Every snapshot, newest first. */
  list(): SnapshotInfo[] {
    return readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && SNAPSHOT_NAME.test(e.name))
      .map((e) => this.info(e.name))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  /** The name an upload gets: the one asked for (409 when taken) or a fresh one. */
  private nameFor(requested: string | undefined): string {
    if (requested === undefined)
      return `s-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    if (!SNAPSHOT_NAME.test(requested))
      throw new ServiceError('validation_failed', 'the snapshot name is not allowed', [
        { path: 'query:/name', message: `must match ${SNAPSHOT_NAME.source}` },
      ]);
    if (existsSync(this.dir(requested)))
      throw new ServiceError('conflict', `a snapshot named \`${requested}\` exists already`, [
        { path: 'name', message: 'choose another name; snapshots are never overwritten' },
      ]);
    return requested;
  }

  /** A fresh hidden directory to unpack into; removed again if the upload fails. */
  private async staged(
    requested: string | undefined,
    fill: (temp: string) => Promise<{ files: number; bytes: number; skipped?: string[] }>,
  ): Promise<UploadResult> {
    const id = this.nameFor(requested);
    const temp = join(this.root, `.upload-${randomUUID()}`);
    mkdirSync(temp, { recursive: true });
    try {
      const { files, bytes, skipped = [] } = await fill(temp);
      const root = unwrapSingleDirectory(temp);
      const snapshot = await this.check(root);
      writeFileAtomic(
        join(root, META_FILE),
        `${JSON.stringify({ createdAt: new Date().toISOString(), files, bytes }, null, 2)}\n`,
      );
      // Checked again at the last moment: two uploads may have asked for the same name.
      if (existsSync(this.dir(id)))
        throw new ServiceError('conflict', `a snapshot named \`${id}\` exists already`);
      renameSync(root, this.dir(id));
      return { snapshot: this.info(id), files, bytes, skipped, ...snapshot };
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }

  /**
   * Unpacks a tar.gz of a snapshot directory (the directory itself or its contents). Only plain
   * files and directories are taken; links, devices and unsafe paths refuse the whole upload.
   */
  uploadArchive(body: Readable, options: { name?: string; limit: number }): Promise<UploadResult> {
    return this.staged(options.name, async (temp) => {
      let files = 0;
      let bytes = 0;
      const refused: ErrorDetail[] = [];
      const skipped: string[] = [];
      const received = byteLimit(options.limit, 'the upload');
      const unpack = new Unpack({
        cwd: temp,
        strict: true,
        // Permissions come from us, not from the archive.
        chmod: false,
        maxDepth: 20,
        preserveOwner: false,
        filter: (path, entry) => {
          const type = 'type' in entry ? entry.type : undefined;
          const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
          if (clean === '' || clean === '.') return false;
          const why = unsafePath(clean);
          // Hidden files (.DS_Store, a local .leastpriv/ store) are not part of a snapshot.
          if (clean.split('/').some((s) => s.startsWith('.') && s !== '..')) {
            if (type !== 'Directory' && skipped.length < 100) skipped.push(clean);
          } else if (why !== undefined) refused.push({ path: clean, message: why });
          else if (
            type !== 'File' &&
            type !== 'OldFile' &&
            type !== 'Directory' &&
            type !== 'ContiguousFile'
          )
            refused.push({
              path: clean,
              message: `a ${String(type)} entry: only files and directories are taken`,
            });
          else if (type !== 'Directory') {
            files += 1;
            bytes += entry.size ?? 0;
            if (files > MAX_FILES)
              refused.push({ path: clean, message: `more than ${MAX_FILES} files` });
            else if (bytes > options.limit * 10)
              refused.push({
                path: clean,
                message: `unpacks to more than ${options.limit * 10} bytes`,
              });
            else return true;
          } else return true;
          return false;
        },
      });
      try {
        await pipeline(body, received, unpack);
      } catch (e) {
        if (e instanceof ServiceError) throw e;
        const message = e instanceof Error ? e.message : String(e);
        throw new ServiceError('validation_failed', 'the upload is not a readable tar.gz archive', [
          { path: '', message: `after ${received.bytes()} bytes: ${message}` },
        ]);
      }
      if (refused.length > 0)
        throw new ServiceError(
          refused.some((r) => /bytes|files$/.test(r.message))
            ? 'payload_too_large'
            : 'validation_failed',
          'the archive holds entries a snapshot may not have',
          refused.slice(0, 50),
        );
      if (files === 0)
        throw new ServiceError('validation_failed', 'the archive holds no files', [
          { path: '', message: 'expected organization.json, accounts/…, cloudtrail/…' },
        ]);
      return { files, bytes, skipped };
    });
  }

  /** Writes the files of a JSON-parts upload. */
  uploadParts(parts: SnapshotParts): Promise<UploadResult> {
    return this.staged(parts.name, async (temp) => {
      const refused: ErrorDetail[] = [];
      const contents: [string, Buffer][] = [];
      for (const [path, value] of Object.entries(parts.files)) {
        const pointer = `/files/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        const why = unsafePath(path);
        if (why !== undefined) {
          refused.push({ path: pointer, message: `the path ${why}` });
          continue;
        }
        if (typeof value === 'string') contents.push([path, Buffer.from(value, 'utf8')]);
        else if (isBase64Part(value)) {
          if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.base64.replace(/\s+/g, '')))
            refused.push({ path: `${pointer}/base64`, message: 'is not base64' });
          else contents.push([path, Buffer.from(value.base64, 'base64')]);
        } else contents.push([path, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8')]);
      }
      if (refused.length > 0)
        throw new ServiceError(
          'validation_failed',
          'some parts cannot be written',
          refused.slice(0, 50),
        );
      let bytes = 0;
      for (const [path, content] of contents) {
        const file = join(temp, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
        bytes += content.length;
      }
      return { files: contents.length, bytes };
    });
  }
}

const isBase64Part = (value: unknown): value is { base64: string } =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  typeof (value as { base64?: unknown }).base64 === 'string';

function readJsonOr<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/** `tar czf x.tgz sample-org/` wraps the snapshot in one directory: take what is inside. */
function unwrapSingleDirectory(dir: string): string {
  const entries = readdirSync(dir, { withFileTypes: true });
  const looksLikeSnapshot = entries.some((e) =>
    ['accounts', 'organization.json', 'cloudtrail', 'snapshot.json'].includes(e.name),
  );
  if (!looksLikeSnapshot && entries.length === 1 && entries[0]!.isDirectory())
    return unwrapSingleDirectory(join(dir, entries[0]!.name));
  return dir;
}

/**
 * Refuses what is not a snapshot at all (no account), and returns the problems of one that is:
 * those are answered, as the CLI prints them, and the analysis goes on without the broken parts.
 */
export function checkSnapshot(dir: string): SnapshotCheck {
  const snapshot = loadSnapshot(dir);
  if (snapshot.accounts.length === 0)
    throw new ServiceError('validation_failed', 'the upload is not a snapshot: it has no account', [
      {
        path: 'accounts',
        message: 'expected accounts/<account-id>/authorization-details.json (docs/snapshot.md)',
      },
      ...snapshot.issues
        .slice(0, 20)
        .map((i) => ({ path: i.path, message: `${i.code}: ${i.message}` })),
    ]);
  return {
    principals: snapshot.accounts.reduce((n, a) => n + a.principals.length, 0),
    issues: snapshot.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
  };
}
