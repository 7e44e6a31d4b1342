/**
 * End-to-end: `leastpriv permissions` and `leastpriv who-can` on the bundled sample organisation,
 * checking the JSON shapes scripts rely on.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('leastpriv permissions', () => {
  it('--format json: catalogVersion and principals with kind, kindReason and non-denied actions', () => {
    const { code, stdout } = run([
      'permissions',
      'fixtures/sample-org',
      '--format',
      'json',
      '--action',
      's3:Get*',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.catalogVersion).toMatch(/^@cloud-copilot\/iam-data@/);
    expect(result.principals).toHaveLength(59);
    for (const p of result.principals) {
      expect(p).toEqual({
        arn: expect.stringMatching(/^arn:aws:iam::\d{12}:(user|role)\//),
        kind: expect.stringMatching(/^(human|machine)$/),
        kindReason: expect.any(String),
        actions: expect.any(Array),
      });
      for (const a of p.actions) {
        expect(a.action).toMatch(/^s3:Get/);
        expect(['allowed', 'allowed-on-some-resources', 'conditional']).toContain(a.access);
        expect(Array.isArray(a.resources)).toBe(true);
      }
    }
    const admin = result.principals.find(
      (p: { arn: string }) => p.arn === 'arn:aws:iam::111111111111:user/break-glass-admin',
    );
    expect(admin.actions.find((a: { action: string }) => a.action === 's3:GetObject')).toEqual({
      action: 's3:GetObject',
      access: 'allowed',
      resources: ['*'],
    });
  });

  it('--principal narrows to one principal; --format summary prints one JSON line per principal', () => {
    const one = JSON.parse(
      run([
        'permissions',
        'fixtures/sample-org',
        '--format',
        'json',
        '--principal',
        'arn:aws:iam::222222222222:role/lambda-deployer',
      ]).stdout,
    );
    expect(one.principals.map((p: { arn: string }) => p.arn)).toEqual([
      'arn:aws:iam::222222222222:role/lambda-deployer',
    ]);
    const lines = run(['permissions', 'fixtures/sample-org', '--format', 'summary'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(59);
    const deployer = lines.find((l) => l.arn === 'arn:aws:iam::222222222222:role/lambda-deployer');
    expect(deployer).toMatchObject({
      kind: 'machine',
      adminEquivalent: false,
      byAccessLevel: {
        List: expect.any(Number),
        Read: expect.any(Number),
        Write: expect.any(Number),
        'Permissions management': expect.any(Number),
        Tagging: expect.any(Number),
      },
    });
    expect(deployer.sensitive.map((c: { capability: string }) => c.capability)).toContain(
      'privilege-escalation',
    );
    expect(
      lines.find((l) => l.arn === 'arn:aws:iam::111111111111:user/break-glass-admin')
        .adminEquivalent,
    ).toBe(true);
  });

  it('reports a broken snapshot file on stderr and analyses the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-snapshot-'));
    cpSync(join(ROOT, 'fixtures/sample-org'), dir, { recursive: true });
    writeFileSync(join(dir, 'accounts/111111111111/resource-policies.json'), '{ not json');
    const { code, stdout, stderr } = run(['permissions', dir, '--format', 'summary']);
    expect(code).toBe(0);
    expect(stderr).toContain('accounts/111111111111/resource-policies.json: invalid_json');
    expect(stdout.trim().split('\n')).toHaveLength(59);
  });

  it('exits 2 for a missing snapshot or bad usage', () => {
    expect(run(['permissions', '/nonexistent']).code).toBe(2);
    expect(run(['permissions', 'fixtures/sample-org', '--format', 'xml']).code).toBe(2);
    expect(run(['who-can', 's3:GetObject']).code).toBe(2);
  });
});

describe('leastpriv who-can', () => {
  it('--format json: action, resource and principals with access, conditions and via', () => {
    const { code, stdout } = run([
      'who-can',
      'sts:AssumeRole',
      'arn:aws:iam::222222222222:role/vendors/acme-monitoring-integration',
      'fixtures/sample-org',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::222222222222:role/vendors/acme-monitoring-integration',
      principals: expect.any(Array),
    });
    for (const p of result.principals) {
      expect(p).toMatchObject({
        arn: expect.any(String),
        access: expect.stringMatching(/^(allowed|conditional)$/),
        conditions: expect.any(Object),
        via: expect.any(Array),
      });
      for (const v of p.via)
        expect(v).toMatchObject({ policy: expect.any(String), statement: expect.any(Number) });
    }
    // The vendor's external account is trusted with an sts:ExternalId condition.
    const vendor = result.principals.find((p: { external?: boolean }) => p.external);
    expect(vendor).toMatchObject({ arn: 'arn:aws:iam::999988887777:root', access: 'conditional' });
    expect(JSON.stringify(vendor.conditions)).toContain('sts:ExternalId');
  });
});
