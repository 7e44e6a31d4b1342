/**
 * End-to-end: `leastpriv usage ingest` and `leastpriv usage show` on a snapshot's cloudtrail/
 * folder, checking the JSON shapes scripts rely on and the default store location.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTrailFile } from '../usage/trail-fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

function snapshotWithTrail(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leastpriv-usage-e2e-'));
  const identity = {
    type: 'IAMUser',
    arn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    userName: 'alice',
  };
  const records = [
    {
      eventTime: '2026-11-20T10:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      eventType: 'AwsApiCall',
      userIdentity: identity,
      requestParameters: { bucketName: 'b', key: 'k' },
    },
    {
      eventTime: '2026-11-20T11:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      eventType: 'AwsApiCall',
      userIdentity: identity,
      requestParameters: { bucketName: 'b', key: 'k' },
    },
    {
      eventTime: '2026-10-01T09:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListRoles',
      eventType: 'AwsApiCall',
      userIdentity: identity,
    },
  ];
  writeTrailFile(
    join(dir, 'cloudtrail'),
    '111122223333_CloudTrail_eu-west-1_20261120T1000Z_abc.json.gz',
    records,
  );
  writeTrailFile(join(dir, 'cloudtrail'), 'broken.json.gz', 'not gzip', false);
  mkdirSync(join(dir, 'accounts', '111122223333'), { recursive: true });
  writeFileSync(
    join(dir, 'accounts', '111122223333', 'access-advisor.json'),
    JSON.stringify({
      'arn:aws:iam::111122223333:role/batch': {
        JobStatus: 'COMPLETED',
        ServicesLastAccessed: [
          { ServiceNamespace: 'dynamodb', LastAuthenticated: '2026-11-01T00:00:00Z' },
        ],
      },
    }),
  );
  return dir;
}

describe('leastpriv usage', () => {
  it('ingest prints a JSON summary (not a TTY), stores in SNAPSHOT/.leastpriv/usage.db, and a second run reads nothing new', () => {
    const dir = snapshotWithTrail();
    const first = run(['usage', 'ingest', dir]);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      filesSeen: 2,
      filesIngested: 1,
      records: 3,
      usageRecords: 3,
      skipped: {},
      unmapped: [],
      corruptFiles: [
        {
          file: expect.stringContaining('broken.json.gz'),
          reason: expect.stringContaining('corrupt_gzip'),
        },
      ],
    });
    expect(existsSync(join(dir, '.leastpriv', 'usage.db'))).toBe(true);
    expect(summary.accessAdvisor).toEqual({ files: 1, alreadyIngested: 0, facts: 1, problems: [] });
    const second = JSON.parse(run(['usage', 'ingest', dir]).stdout);
    expect(second).toMatchObject({ filesIngested: 0, filesAlreadyIngested: 1 });
  });

  it('show --format json: one { principal, action, count, firstSeen, lastSeen } per principal and action in the window', () => {
    const dir = snapshotWithTrail();
    run(['usage', 'ingest', dir]);
    const { code, stdout } = run([
      'usage',
      'show',
      dir,
      '--as-of',
      '2026-11-24',
      '--window',
      '30d',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    // Only alice's CloudTrail use; the Access Advisor fact of role/batch is another principal.
    expect(
      JSON.parse(stdout).filter((r: { principal: string }) => r.principal.endsWith('user/alice')),
    ).toEqual([
      {
        principal: 'arn:aws:iam::111122223333:user/alice',
        action: 's3:GetObject',
        count: 2,
        firstSeen: '2026-11-20T10:00:00Z',
        lastSeen: '2026-11-20T11:00:00Z',
      },
    ]);
    const advisor = JSON.parse(
      run([
        'usage',
        'show',
        dir,
        '--as-of',
        '2026-11-24',
        '--format',
        'json',
        '--principal',
        'arn:aws:iam::111122223333:role/batch',
      ]).stdout,
    );
    expect(advisor).toEqual([
      {
        principal: 'arn:aws:iam::111122223333:role/batch',
        action: 'dynamodb:*',
        count: 1,
        firstSeen: '2026-11-01T00:00:00Z',
        lastSeen: '2026-11-01T00:00:00Z',
      },
    ]);
    const wider = JSON.parse(
      run([
        'usage',
        'show',
        dir,
        '--as-of',
        '2026-11-24',
        '--window',
        '90d',
        '--format',
        'json',
        '--principal',
        'arn:aws:iam::111122223333:user/alice',
      ]).stdout,
    );
    expect(wider.map((r: { action: string }) => r.action)).toEqual([
      'iam:ListRoles',
      's3:GetObject',
    ]);
  });

  it('--db names the store; bad windows and missing stores are usage errors', () => {
    const dir = snapshotWithTrail();
    const db = join(mkdtempSync(join(tmpdir(), 'leastpriv-db-')), 'custom.db');
    expect(run(['usage', 'ingest', dir, '--db', db]).code).toBe(0);
    expect(existsSync(db)).toBe(true);
    expect(run(['usage', 'show', dir, '--window', '401d']).code).toBe(2);
    expect(run(['usage', 'ingest', dir, '--engine', 'spark']).code).toBe(2);
    // The DuckDB engine reads the same trail (the corrupt file falls back to the Node path).
    const fast = join(mkdtempSync(join(tmpdir(), 'leastpriv-db-')), 'fast.db');
    const summary = JSON.parse(
      run(['usage', 'ingest', dir, '--db', fast, '--engine', 'duckdb', '--threads', '1']).stdout,
    );
    expect(summary).toMatchObject({ filesIngested: 1, records: 3 });
    expect(summary.fallbacks).toHaveLength(1);
    expect(summary.fallbacks[0].reason).toMatch(/DuckDB could not read the batch/);
    const rows = JSON.parse(
      run([
        'usage',
        'show',
        dir,
        '--db',
        fast,
        '--as-of',
        '2026-11-24',
        '--format',
        'json',
        '--principal',
        'arn:aws:iam::111122223333:user/alice',
      ]).stdout,
    );
    expect(rows.find((r: { action: string }) => r.action === 's3:GetObject')?.count).toBe(2);
    expect(run(['usage', 'show', mkdtempSync(join(tmpdir(), 'empty-'))]).code).toBe(2);
    expect(run(['usage', 'frobnicate', dir]).code).toBe(2);
  });

  it('ingests the real CloudTrail fixtures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-real-e2e-'));
    cpSync(join(ROOT, 'fixtures', 'cloudtrail'), join(dir, 'cloudtrail'), { recursive: true });
    const summary = JSON.parse(run(['usage', 'ingest', dir]).stdout);
    expect(summary.records).toBe(413);
    expect(summary.corruptFiles).toEqual([]);
  });
});
