/**
 * The service's small parts on their own: the token bucket, the token file, the log scrubber,
 * validation details and the OpenAPI document's structure.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubText } from '../../../src/service/log.js';
import { RateLimiter } from '../../../src/service/rate-limit.js';
import { parseScopes, hasScope, TokenStore } from '../../../src/service/tokens.js';
import { check } from '../../../src/service/validate.js';
import { ServiceError } from '../../../src/service/errors.js';

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with the seconds until a request is back', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 2, perSecond: 0.5 }, () => now);
    expect(limiter.take('a')).toEqual({ ok: true, remaining: 1 });
    expect(limiter.take('a')).toEqual({ ok: true, remaining: 0 });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 2 });
    // Buckets are per caller.
    expect(limiter.take('b').ok).toBe(true);
    now = 1000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = 2000;
    expect(limiter.take('a').ok).toBe(true);
    // Refill never exceeds the burst.
    now = 1_000_000;
    expect(limiter.take('a')).toEqual({ ok: true, remaining: 1 });
  });

  it('rejects a limit that could never let anything through', () => {
    expect(() => new RateLimiter({ burst: 0, perSecond: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ burst: 1, perSecond: 0 })).toThrow(RangeError);
  });
});

describe('TokenStore', () => {
  it('stores only a hash, verifies the token, lists without secrets, revokes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-tokens-'));
    const store = new TokenStore(dir);
    const { token, info } = store.create(
      'ci',
      ['simulate', 'read'],
      new Date('2026-11-24T00:00:00Z'),
    );
    expect(token).toMatch(/^lp_[A-Za-z0-9_-]{43}$/);
    expect(info).toEqual({
      name: 'ci',
      scopes: ['simulate', 'read'],
      createdAt: '2026-11-24T00:00:00.000Z',
    });
    const text = readFileSync(join(dir, 'tokens.json'), 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(3));
    expect(statSync(join(dir, 'tokens.json')).mode & 0o777).toBe(0o600);
    expect(store.verify(token)?.name).toBe('ci');
    expect(store.verify(`${token}x`)).toBeUndefined();
    expect(store.list()).toEqual([info]);
    expect(() => store.create('ci', ['read'])).toThrow(/exists already/);
    expect(() => store.create('bad name', ['read'])).toThrow(/not a token name/);
    expect(store.revoke('ci')).toBe(true);
    expect(store.verify(token)).toBeUndefined();
    expect(store.revoke('ci')).toBe(false);
  });

  it('sees tokens another process creates at once, and revocations within 100 ms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-tokens-'));
    let now = 0;
    const service = new TokenStore(dir, () => now);
    const cli = new TokenStore(dir);
    const { token } = cli.create('ci', ['read']);
    // Unknown to the service's copy: it reads the file again before refusing.
    expect(service.verify(token)?.name).toBe('ci');
    expect(cli.revoke('ci')).toBe(true);
    now += 99;
    // Found in the copy read 99 ms ago: the file is not looked at again yet.
    expect(service.verify(token)?.name).toBe('ci');
    now += 1;
    expect(service.verify(token)).toBeUndefined();
  });

  it('parses scopes and lets admin stand for every scope', () => {
    expect(parseScopes('read, simulate,read')).toEqual({ ok: true, value: ['read', 'simulate'] });
    expect(parseScopes('read,write')).toEqual({
      ok: false,
      message: '`write` is not a scope (read, simulate, analyze, admin)',
    });
    expect(parseScopes('')).toMatchObject({ ok: false });
    expect(hasScope(['admin'], 'simulate')).toBe(true);
    expect(hasScope(['read'], 'simulate')).toBe(false);
  });
});

describe('the logger', () => {
  it('masks access key ids, tokens and bearer credentials wherever they appear', () => {
    expect(scrubText('key AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A')).toBe(
      'key [REDACTED] and [REDACTED]',
    );
    expect(scrubText('Bearer abc.def')).toBe('Bearer [REDACTED]');
    expect(scrubText('lp_KdHeElKKMCPqnSVkDxP1HsL9xo_BgNecbmycFH9lHHA')).toBe('[REDACTED]');
    const lines: string[] = [];
    const logger = createLogger({
      destination: { write: (line: string) => void lines.push(line) },
    });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer secret-value' } },
        token: 'lp_whatever',
        note: 'used AKIAIOSFODNN7EXAMPLE',
      },
      'caller ASIAY34FZKBOKMUTVV7A',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/secret-value|lp_whatever|AKIAIOSFODNN7EXAMPLE|ASIAY34FZKBOKMUTVV7A/);
    expect(JSON.parse(text)).toMatchObject({
      req: { headers: { authorization: '[REDACTED]' } },
      token: '[REDACTED]',
      note: 'used [REDACTED]',
      msg: 'caller [REDACTED]',
    });
  });
});

describe('validation', () => {
  const failure = (
    name: 'SimulateBody' | 'SimulateQuery',
    value: unknown,
    what: 'body' | 'query',
  ) => {
    try {
      check(name, value, what);
    } catch (e) {
      expect(e).toBeInstanceOf(ServiceError);
      return e as ServiceError;
    }
    return undefined;
  };

  it('names each bad field by JSON pointer', () => {
    const e = failure(
      'SimulateBody',
      { request: { principal: 'p', action: 42, resource: '*' }, identityPolicies: {} },
      'body',
    );
    expect(e?.code).toBe('validation_failed');
    expect(e?.details).toEqual([
      { path: '/request/action', message: 'must be string' },
      { path: '/identityPolicies', message: 'must be array' },
    ]);
    expect(e?.message).toBe('the request body is invalid: `/request/action` must be string');
    expect(
      failure('SimulateBody', { request: { principal: 'p', resource: '*' } }, 'body')?.details,
    ).toEqual([
      { path: '/identityPolicies', message: 'is required' },
      { path: '/request/action', message: 'is required' },
    ]);
  });

  it('checks a batch item by item, and its size', () => {
    const good = {
      request: { principal: 'p', action: 's3:GetObject', resource: '*' },
      identityPolicies: [],
    };
    expect(failure('SimulateBody', { cases: [good, good] }, 'body')).toBeUndefined();
    expect(
      failure('SimulateBody', { cases: [good, { ...good, request: {} }] }, 'body')?.details[0],
    ).toEqual({
      path: '/cases/1/request/principal',
      message: 'is required',
    });
    expect(failure('SimulateBody', { cases: [] }, 'body')?.details).toEqual([
      { path: '/cases', message: 'must NOT have fewer than 1 items' },
    ]);
    expect(failure('SimulateBody', { cases: Array(1001).fill(good) }, 'body')?.details).toEqual([
      { path: '/cases', message: 'must NOT have more than 1000 items' },
    ]);
    expect(failure('SimulateBody', [good], 'body')?.details[0]?.path).toBe('');
  });

  it('checks queries, naming the parameter', () => {
    expect(failure('SimulateQuery', { brief: 'yes' }, 'query')?.details).toEqual([
      { path: 'query:/brief', message: 'must be equal to one of the allowed values' },
    ]);
    expect(failure('SimulateQuery', { verbose: '1' }, 'query')?.details).toEqual([
      { path: 'query:/verbose', message: 'is not a known field' },
    ]);
  });
});
