/**
 * Snapshot uploads (src/service/snapshots.ts): a tar.gz (wrapped in one directory or not), JSON
 * parts with text, JSON and base64 files; and everything refused leaving nothing behind — unsafe
 * paths, links, a corrupt or truncated gzip, an archive over the limit, a name taken, something
 * that is not a snapshot.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/service/errors.js';
import { SnapshotStore, unsafePath } from '../../../src/service/snapshots.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SAMPLE = join(ROOT, 'fixtures', 'sample-org');
const ACCOUNT = join(SAMPLE, 'accounts', '111111111111');

const store = (): { store: SnapshotStore; data: string } => {
  const data = mkdtempSync(join(tmpdir(), 'leastpriv-snapshots-'));
  return { store: new SnapshotStore(data), data };
};

/** A tar.gz made by the system's tar, as a user would make it. */
function tarball(dir: string, ...args: string[]): Buffer {
  return execFileSync('tar', ['czf', '-', '-C', dir, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

const failure = async (promise: Promise<unknown>): Promise<ServiceError> => {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
};

/** Nothing but the snapshots themselves is left in the store (no temporary directory). */
const leftovers = (data: string): string[] => readdirSync(join(data, 'snapshots'));

describe('tar.gz uploads', () => {
  it('takes a directory wrapped in one folder, skips hidden files, keeps bytes exactly', async () => {
    const { store: s, data } = store();
    const result = await s.uploadArchive(Readable.from(tarball(join(SAMPLE, '..'), 'sample-org')), {
      name: 'sample',
      limit: 64 * 1024 * 1024,
    });
    expect(result.snapshot).toMatchObject({
      id: 'sample',
      accounts: ['111111111111', '222222222222', '333333333333'],
      hasOrganization: true,
      hasCloudTrail: true,
      source: 'upload',
    });
    expect(result.principals).toBe(59);
    expect(result.issues).toEqual([]);
    expect(result.skipped.every((p) => p.includes('/.'))).toBe(true);
    const file = 'accounts/222222222222/access-advisor.json';
    expect(readFileSync(join(data, 'snapshots', 'sample', file))).toEqual(
      readFileSync(join(SAMPLE, file)),
    );
    expect(leftovers(data)).toEqual(['sample']);
    expect(s.list().map((i) => i.id)).toEqual(['sample']);
  });

  it('takes the contents of a snapshot directory, and gives a fresh name when none is asked', async () => {
    const { store: s } = store();
    const result = await s
      .uploadArchive(Readable.from(tarball(ACCOUNT, '.')), { limit: 1e8 })
      .catch((e) => e);
    // authorization-details.json at the root is not a snapshot: no accounts/.
    expect(result).toBeInstanceOf(ServiceError);
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-snap-'));
    mkdirSync(join(dir, 'accounts', '111111111111'), { recursive: true });
    for (const f of readdirSync(ACCOUNT))
      writeFileSync(join(dir, 'accounts', '111111111111', f), readFileSync(join(ACCOUNT, f)));
    const ok = await s.uploadArchive(Readable.from(tarball(dir, '.')), { limit: 1e8 });
    expect(ok.snapshot.id).toMatch(/^s-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
    expect(ok.principals).toBeGreaterThan(0);
  });

  it('refuses a path that climbs out, and leaves nothing', async () => {
    const { store: s, data } = store();
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-evil-'));
    mkdirSync(join(dir, 'inner'));
    writeFileSync(join(dir, 'evil.json'), '{}');
    // GNU tar strips a leading `../`; node-tar keeps it when asked to (a hostile archive).
    const chunks: Buffer[] = [];
    for await (const chunk of createTar(
      { gzip: true, cwd: join(dir, 'inner'), preservePaths: true },
      ['../evil.json'],
    ))
      chunks.push(chunk as Buffer);
    const archive = Buffer.concat(chunks);
    const error = await failure(s.uploadArchive(Readable.from(archive), { limit: 1e6 }));
    expect(error.code).toBe('validation_failed');
    expect(JSON.stringify(error.details)).toContain('evil.json');
    expect(leftovers(data)).toEqual([]);
    expect(existsSync(join(data, 'evil.json'))).toBe(false);
  });

  it('refuses symbolic links', async () => {
    const { store: s, data } = store();
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-link-'));
    mkdirSync(join(dir, 'accounts'));
    symlinkSync('/etc/passwd', join(dir, 'accounts', 'passwd'));
    const error = await failure(s.uploadArchive(Readable.from(tarball(dir, '.')), { limit: 1e6 }));
    expect(error.details).toEqual([
      {
        path: 'accounts/passwd',
        message: 'a SymbolicLink entry: only files and directories are taken',
      },
    ]);
    expect(leftovers(data)).toEqual([]);
  });

  it('a corrupt or truncated gzip is a 400 saying where, and leaves nothing', async () => {
    const { store: s, data } = store();
    const good = tarball(join(SAMPLE, '..'), 'sample-org');
    const truncated = await failure(
      s.uploadArchive(Readable.from(good.subarray(0, Math.floor(good.length / 2))), { limit: 1e8 }),
    );
    expect(truncated.code).toBe('validation_failed');
    expect(truncated.message).toBe('the upload is not a readable tar.gz archive');
    expect(truncated.details[0]!.message).toMatch(/^after \d+ bytes: /);
    const garbage = await failure(
      s.uploadArchive(Readable.from(Buffer.from('not a gzip at all')), { limit: 1e8 }),
    );
    expect(garbage.code).toBe('validation_failed');
    const notTar = await failure(
      s.uploadArchive(Readable.from(gzipSync('{"Records":[]}')), { limit: 1e8 }),
    );
    expect(notTar.code).toBe('validation_failed');
    expect(leftovers(data)).toEqual([]);
  });

  it('stops reading past the limit with a 413', async () => {
    const { store: s, data } = store();
    const error = await failure(
      s.uploadArchive(Readable.from(tarball(join(SAMPLE, '..'), 'sample-org')), { limit: 10_000 }),
    );
    expect(error.code).toBe('payload_too_large');
    expect(error.status).toBe(413);
    expect(leftovers(data)).toEqual([]);
  });

  it('never overwrites: a name taken is a 409', async () => {
    const { store: s } = store();
    await s.uploadArchive(Readable.from(tarball(join(SAMPLE, '..'), 'sample-org')), {
      name: 'x',
      limit: 1e8,
    });
    const error = await failure(
      s.uploadArchive(Readable.from(tarball(join(SAMPLE, '..'), 'sample-org')), {
        name: 'x',
        limit: 1e8,
      }),
    );
    expect(error.code).toBe('conflict');
  });
});

describe('JSON-parts uploads', () => {
  const parts = () => ({
    'organization.json': JSON.parse(
      readFileSync(join(SAMPLE, 'organization.json'), 'utf8'),
    ) as unknown,
    'accounts/111111111111/authorization-details.json': JSON.parse(
      readFileSync(join(ACCOUNT, 'authorization-details.json'), 'utf8'),
    ) as unknown,
    'accounts/111111111111/credential-report.csv': readFileSync(
      join(ACCOUNT, 'credential-report.csv'),
      'utf8',
    ),
    'cloudtrail/trail.json.gz': { base64: gzipSync('{"Records":[]}').toString('base64') },
  });

  it('writes JSON as JSON, strings as text and base64 as bytes', async () => {
    const { store: s, data } = store();
    const result = await s.uploadParts({ name: 'parts', files: parts() });
    expect(result.files).toBe(4);
    expect(result.snapshot.accounts).toEqual(['111111111111']);
    const dir = join(data, 'snapshots', 'parts');
    expect(readFileSync(join(dir, 'accounts/111111111111/credential-report.csv'), 'utf8')).toBe(
      readFileSync(join(ACCOUNT, 'credential-report.csv'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(dir, 'organization.json'), 'utf8'))).toEqual(
      parts()['organization.json'],
    );
    expect(readFileSync(join(dir, 'cloudtrail/trail.json.gz'))[0]).toBe(0x1f);
  });

  it('names each bad part by its JSON pointer and writes nothing', async () => {
    const { store: s, data } = store();
    const error = await failure(
      s.uploadParts({
        files: {
          ...parts(),
          '../escape.json': {},
          '.hidden/x': 'x',
          'cloudtrail/bad.gz': { base64: '%%%' },
        },
      }),
    );
    expect(error.details.map((d) => d.path)).toEqual([
      '/files/..~1escape.json',
      '/files/.hidden~1x',
      '/files/cloudtrail~1bad.gz/base64',
    ]);
    expect(leftovers(data)).toEqual([]);
  });

  it('refuses what is not a snapshot, with the problems found', async () => {
    const { store: s, data } = store();
    const error = await failure(s.uploadParts({ files: { 'notes.txt': 'hello' } }));
    expect(error.message).toBe('the upload is not a snapshot: it has no account');
    expect(error.details[0]!.path).toBe('accounts');
    expect(leftovers(data)).toEqual([]);
  });
});

describe('unsafePath', () => {
  it.each([
    ['accounts/1/a.json', undefined],
    ['/etc/passwd', 'must be a relative path with `/`'],
    ['a\\b', 'must be a relative path with `/`'],
    [
      'a/../b',
      'segment `..` is not allowed (letters, digits and ._=+- only, not starting with a dot)',
    ],
    ['a//b', 'segment `` is not allowed (letters, digits and ._=+- only, not starting with a dot)'],
    [
      'a/b c',
      'segment `b c` is not allowed (letters, digits and ._=+- only, not starting with a dot)',
    ],
  ])('%s', (path, expected) => {
    expect(unsafePath(path)).toBe(expected);
  });
});
