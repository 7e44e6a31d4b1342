/**
 * The main job on account exports nobody here designed: the two real
 * `get-account-authorization-details` outputs bundled with Cloudsplaining (fixtures/cloudsplaining-
 * authz-details, see its PROVENANCE.md), as snapshots without activity. Every identity is then
 * unused, so every rewrite removes nearly everything: each one proposed must still pass both
 * proofs, fit AWS's limits, and parse as an identity policy.
 */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../policy-model/index.js';
import { analyzeSnapshot } from '../../src/analyze.js';

const ROOT = join(import.meta.dirname, '..', '..');

function snapshotOf(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'leastpriv-real-snapshot-'));
  mkdirSync(join(dir, 'accounts', '123456789012'), { recursive: true });
  cpSync(
    join(ROOT, 'fixtures', 'cloudsplaining-authz-details', file),
    join(dir, 'accounts', '123456789012', 'authorization-details.json'),
  );
  return dir;
}

describe('analyze on real account exports', () => {
  for (const file of ['example-account-authz-details.json', 'small-authz-details.json'])
    it(`proposes only proven rewrites that fit AWS's limits (${file})`, async () => {
      const dir = snapshotOf(file);
      const { report } = await analyzeSnapshot(dir, {
        asOf: '2026-11-24',
        db: join(dir, 'usage.db'),
      });
      expect(report.principals.length).toBeGreaterThan(0);
      let proposed = 0;
      for (const p of report.principals) {
        const r = p.recommendation!;
        expect(r.reason ?? '', p.arn).not.toMatch(/failed its proof/);
        if (r.status !== 'proposed') continue;
        proposed += 1;
        expect(r.proof.noNewAccess.holds && r.proof.usageCovered.holds, p.arn).toBe(true);
        for (const policy of r.proposed) {
          expect(policy.size).toBeLessThanOrEqual(policy.limit);
          const parsed = parsePolicy(policy.document, { kind: 'identity', id: policy.name });
          expect(parsed.ok, JSON.stringify(parsed.ok ? [] : parsed.errors)).toBe(true);
        }
      }
      expect(proposed).toBeGreaterThan(0);
      // No activity at all: every identity (but the spared ones) is an unused identity.
      expect(report.findings.some((f) => f.ruleId === 'usage.unused-identity')).toBe(true);
    });
});
