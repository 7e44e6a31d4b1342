import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileKey } from '../../usage/file-keys.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('fileKey', () => {
  it('keys files by path relative to the root, size and SHA-256, in any mix of sizes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leastpriv-keys-'));
    // Small, large, empty, larger than the buffer kept (16 MiB), then small again: the shared
    // buffer is grown, reused and bypassed, and no key may see another file's bytes.
    const contents = [10, 300_000, 0, (17 << 20) + 5, 7].map((n, i) => Buffer.alloc(n, 97 + i));
    const paths = contents.map((bytes, i) => {
      const path = join(root, `f${i}.json`);
      writeFileSync(path, bytes);
      return path;
    });
    const keys = await Promise.all(paths.map((path) => fileKey(root, path)));
    expect(keys).toEqual(
      contents.map((bytes, i) => ({ path: `f${i}.json`, size: bytes.length, hash: sha256(bytes) })),
    );
  });

  it('fails the key of a file that cannot be read, and only that key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leastpriv-keys-'));
    writeFileSync(join(root, 'here.json'), 'x');
    const missing = fileKey(root, join(root, 'gone.json'));
    const here = fileKey(root, join(root, 'here.json'));
    await expect(missing).rejects.toThrow('ENOENT');
    await expect(here).resolves.toEqual({
      path: 'here.json',
      size: 1,
      hash: sha256(Buffer.from('x')),
    });
  });
});
