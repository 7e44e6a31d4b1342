/**
 * API tokens: random, shown once, stored only as SHA-256 hashes in `DATA/tokens.json` with their
 * name, scopes and creation time. SHA-256 without a salt is enough here because a token carries
 * 256 random bits: there is nothing to guess from a dictionary.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

/** What a token may do. `admin` implies every other scope. */
export const SCOPES = ['read', 'simulate', 'analyze', 'admin'] as const;

/** One scope. */
export type Scope = (typeof SCOPES)[number];

/** A token as stored: never the token itself. */
export interface TokenRecord {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: string;
  readonly sha256: string;
}

/** A token as listed to people: no hash. */
export type TokenInfo = Omit<TokenRecord, 'sha256'>;

interface TokenFile {
  readonly version: 1;
  readonly tokens: readonly TokenRecord[];
}

/** The prefix of every token, so that secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'lp_';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const hashOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Parses `read,simulate` into scopes, or names the first unknown one. */
export function parseScopes(
  text: string,
): { ok: true; value: Scope[] } | { ok: false; message: string } {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return { ok: false, message: 'give at least one scope' };
  for (const part of parts)
    if (!(SCOPES as readonly string[]).includes(part))
      return { ok: false, message: `\`${part}\` is not a scope (${SCOPES.join(', ')})` };
  return { ok: true, value: [...new Set(parts as Scope[])] };
}

/** True when a token with these scopes may act under `scope`. */
export const hasScope = (scopes: readonly Scope[], scope: Scope): boolean =>
  scopes.includes(scope) || scopes.includes('admin');

/** The token file of a data directory; re-read whenever it changes on disk. */
export class TokenStore {
  readonly file: string;
  private records: readonly TokenRecord[] = [];
  private stamp = '';
  /** When `verify` last looked at the file (ms). */
  private checkedAt = -Infinity;

  /** @param now the clock of the re-read interval (ms; tests). */
  constructor(
    dataDir: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.file = join(dataDir, 'tokens.json');
  }

  /** Re-reads the file if it changed (a `token revoke` takes effect without a restart). */
  private refresh(): void {
    let stamp: string;
    try {
      const s = statSync(this.file);
      stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.records = [];
      this.stamp = '';
      return;
    }
    if (stamp === this.stamp) return;
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<TokenFile>;
    if (!Array.isArray(parsed.tokens)) throw new Error(`${this.file}: no \`tokens\` list`);
    this.records = parsed.tokens;
    this.stamp = stamp;
  }

  private save(records: readonly TokenRecord[]): void {
    const file: TokenFile = { version: 1, tokens: records };
    writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`, 0o600);
    this.stamp = '';
    this.refresh();
  }

  /** Every token, without hashes. */
  list(): TokenInfo[] {
    this.refresh();
    return this.records.map(({ sha256: _hash, ...info }) => info);
  }

  /** Creates a token; returns it (the only time it is ever seen) and its record. */
  create(
    name: string,
    scopes: readonly Scope[],
    now: Date = new Date(),
  ): { token: string; info: TokenInfo } {
    if (!NAME.test(name))
      throw new RangeError(
        `\`${name}\` is not a token name (letters, digits, '.', '_', '-'; up to 64)`,
      );
    this.refresh();
    if (this.records.some((r) => r.name === name))
      throw new RangeError(`a token named \`${name}\` exists already (revoke it first)`);
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = {
      name,
      scopes: [...scopes],
      createdAt: now.toISOString(),
      sha256: hashOf(token).toString('hex'),
    };
    this.save([...this.records, record]);
    const { sha256: _hash, ...info } = record;
    return { token, info };
  }

  /** Removes the named token; false when there was none. */
  revoke(name: string): boolean {
    this.refresh();
    const kept = this.records.filter((r) => r.name !== name);
    if (kept.length === this.records.length) return false;
    this.save(kept);
    return true;
  }

  /** The record of a presented token, or undefined. Compares every hash in constant time. */
  verify(token: string): TokenRecord | undefined {
    // The file is looked at again at most every 100 ms while tokens are found (under load, a
    // stat per request was the service's largest system cost: a revocation is seen within a
    // tenth of a second), and always before a token is refused (a new token works at once).
    const now = this.now();
    if (now - this.checkedAt >= 100) this.refreshAt(now);
    const presented = hashOf(token);
    const found = this.find(presented);
    if (found || this.checkedAt === now) return found;
    this.refreshAt(now);
    return this.find(presented);
  }

  private refreshAt(now: number): void {
    this.refresh();
    this.checkedAt = now;
  }

  /** The record of a token's hash; compares every stored hash in constant time. */
  private find(presented: Buffer): TokenRecord | undefined {
    let found: TokenRecord | undefined;
    for (const record of this.records) {
      const stored = Buffer.from(record.sha256, 'hex');
      if (stored.length === presented.length && timingSafeEqual(stored, presented) && !found)
        found = record;
    }
    return found;
  }
}
