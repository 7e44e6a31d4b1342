/**
 * End-to-end: `leastpriv analyze` on the bundled sample organisation, through the real CLI: the
 * files it writes, the JSON report against its schema, the facts fixtures/sample-org/README.md
 * states, exit codes (0 done, 1 --fail-on, 2 bad input) and trends with --previous.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../recommender/model.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const SAMPLE = join(ROOT, 'fixtures', 'sample-org');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
// One store for the whole file: ingest is incremental, so later runs only read it.
const db = join(mkdtempSync(join(tmpdir(), 'leastpriv-analyze-db-')), 'usage.db');
const analyze = (out: string, ...extra: string[]) =>
  run(['analyze', SAMPLE, '--db', db, '--out', out, ...extra]);

let out: string;
let report: Report;
let first: ReturnType<typeof run>;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
  first = analyze(out);
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}, 120_000);

const principal = (suffix: string) => report.principals.find((p) => p.arn.endsWith(suffix))!;

describe('leastpriv analyze on the sample organisation', () => {
  it('writes the five report files and a JSON summary, and exits 0', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'findings.csv',
      'report.html',
      'report.json',
      'report.md',
      'report.sarif',
    ]);
    const summary = JSON.parse(first.stdout);
    expect(summary.files).toHaveLength(5);
    expect(summary.summary).toEqual(report.summary);
    expect(summary.phases.map((p: { phase: string }) => p.phase)).toContain('recommend and prove');
  });

  it('writes a report.json that its published schema accepts, as of the snapshot date', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'report-schema.json'), 'utf8'));
    const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // snapshot.json says collectedAt 2026-11-24: the default --as-of.
    expect(report.asOf).toBe('2026-11-24');
    expect(report.windowDays).toBe(90);
    expect(report.summary).toMatchObject({ accounts: 3, principals: 59 });
    expect(report.evidence.cloudTrailRecords).toBeGreaterThan(13_000);
    expect(report.evidence.accessAdvisor).toBe(true);
    expect(report.inputIssues).toEqual([]);
  });

  it('proposes only rewrites whose proofs hold, scoped to what was used (README: activity)', () => {
    for (const p of report.principals) {
      const r = p.recommendation!;
      if (r.status === 'proposed') {
        expect(r.proof.noNewAccess.holds, p.arn).toBe(true);
        expect(r.proof.usageCovered.holds, p.arn).toBe(true);
        for (const policy of r.proposed) expect(policy.size).toBeLessThanOrEqual(policy.limit);
      }
    }
    // legacy-reporting-ec2 read objects of one bucket only: s3:GetObject scoped to it.
    const legacy = principal(':role/legacy-reporting-ec2').recommendation!;
    const statements = legacy.proposed.flatMap((p) => p.document.Statement);
    expect(statements.find((s) => s['Action'] === 's3:GetObject')?.['Resource']).toBe(
      'arn:aws:s3:::example-corp-prod-datalake/*',
    );
    // lambda-deployer passed one role: iam:PassRole scoped to it (read from the request).
    const deployer = principal(':role/lambda-deployer').recommendation!;
    const passRole = deployer.proposed
      .flatMap((p) => p.document.Statement)
      .find((s) => [s['Action']].flat().includes('iam:PassRole'));
    expect(passRole?.['Resource']).toBe(
      'arn:aws:iam::222222222222:role/service-role/orders-processor-lambda',
    );
    // Service-linked roles are never rewritten.
    expect(
      report.principals
        .filter((p) => p.arn.includes('/aws-service-role/'))
        .every((p) => p.recommendation?.status === 'keep'),
    ).toBe(true);
    // SSO roles are changed through their permission set.
    expect(
      principal('AWSReservedSSO_ReadOnlyAccess_59890312a139154a').recommendation?.applyVia,
    ).toMatch(/permission set "ReadOnlyAccess"/);
  });

  it('reports unused identities and credential hygiene with their references', () => {
    const rules = (suffix: string) =>
      report.findings.filter((f) => f.principal.endsWith(suffix)).map((f) => f.ruleId);
    // Never used in the window (README): the billing export user, the dev BreakGlass role.
    expect(rules(':user/automation/billing-reports-export')).toContain('usage.unused-identity');
    expect(rules('333333333333:role/BreakGlass')).toContain('usage.unused-identity');
    // The production root has an active access key: critical, CIS 1.4, one finding per key.
    const rootKey = report.findings.find(
      (f) => f.ruleId === 'credentials.root-access-keys' && f.account === '222222222222',
    );
    expect(rootKey).toMatchObject({ severity: 'critical', key: 'access_key_1' });
    expect(rootKey?.references.cis).toContain('CIS 1.4');
    expect(rootKey?.references.prowler).toContain('iam_no_root_access_key');
    // CSV: one row per finding; SARIF: one result per finding.
    const csv = readFileSync(join(out, 'findings.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'ruleId,severity,account,principal,key,title,evidence,remediation,cis,prowler',
    );
    const sarif = JSON.parse(readFileSync(join(out, 'report.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(report.findings.length);
    // Code scanning needs a file for each result: the snapshot file the finding rests on.
    for (const result of sarif.runs[0].results)
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(
        /^accounts\/\d{12}\/(credential-report\.csv|authorization-details\.json)$/,
      );
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('# leastpriv report');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('exits 1 when findings reach --fail-on, 0 when they do not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
    const critical = report.summary.findings.critical;
    expect(critical).toBeGreaterThan(0);
    const failing = analyze(dir, '--fail-on', 'critical', '--format', 'json');
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout).failing).toBe(critical);
    expect(failing.stderr).toMatch(/at or above critical/);
    // Only the formats asked for are written.
    expect(readdirSync(dir)).toEqual(['report.json']);
    // The lowest threshold counts every finding.
    expect(analyze(dir, '--fail-on', 'info', '--format', 'csv').code).toBe(1);
  });

  it('takes the credential thresholds from the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
    const count = (r: Report, rule: string) => r.findings.filter((f) => f.ruleId === rule).length;
    expect(count(report, 'credentials.access-key-not-rotated')).toBeGreaterThan(0);
    const r = analyze(dir, '--key-rotation-days', '3650', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const relaxed = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(count(relaxed, 'credentials.access-key-not-rotated')).toBe(0);
  });

  it('shows the change of every score with --previous', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
    const r = analyze(dir, '--previous', join(out, 'report.json'), '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const again = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(again.summary.score.change).toBe(0);
    expect(again.principals.every((p) => p.score.change === 0)).toBe(true);
  });

  it('exits 2 on bad input, saying why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-report-'));
    const notSnapshot = run(['analyze', mkdtempSync(join(tmpdir(), 'empty-')), '--out', dir]);
    expect(notSnapshot.code).toBe(2);
    expect(notSnapshot.stderr).toMatch(/not a snapshot directory/);
    expect(analyze(dir, '--format', 'pdf').stderr).toMatch(/--format takes/);
    expect(analyze(dir, '--format', 'pdf').code).toBe(2);
    expect(analyze(dir, '--window', '0d').code).toBe(2);
    expect(analyze(dir, '--as-of', 'yesterday').code).toBe(2);
    expect(analyze(dir, '--fail-on', 'severe').code).toBe(2);
    expect(analyze(dir, '--key-rotation-days', 'ninety').code).toBe(2);
    expect(analyze(dir, '--engine', 'spark').code).toBe(2);
    const garbage = join(dir, 'old.json');
    writeFileSync(garbage, '{"not": "a report"}');
    const previous = analyze(dir, '--previous', garbage);
    expect(previous.code).toBe(2);
    expect(previous.stderr).toMatch(/--previous: .* not a leastpriv report/);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});
