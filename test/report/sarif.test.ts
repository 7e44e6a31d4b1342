/**
 * The SARIF log: the 2.1.0 shape that code-scanning tools read (checked structurally; the full
 * OASIS schema is not bundled), rules per rule id, levels per severity, stable fingerprints.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITIES, type Finding } from '../../recommender/model.js';
import { FINGERPRINT_KEY, SARIF_LEVEL, fingerprint, renderSarif } from '../../src/report/sarif.js';
import { EMPTY_REPORT, SAMPLE_REPORT } from './sample-report.js';

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity': string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { logicalLocations: { fullyQualifiedName: string; kind: string }[] }[];
  partialFingerprints: Record<string, string>;
  properties: { severity: string; evidence: Finding['evidence'] };
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    results: SarifResult[];
  }[];
}

const log = JSON.parse(renderSarif(SAMPLE_REPORT)) as SarifLog;
const run = log.runs[0];
const rules = run?.tool.driver.rules ?? [];
const results = run?.results ?? [];

describe('renderSarif', () => {
  it('is a SARIF 2.1.0 log with one run by leastpriv', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run?.tool.driver.name).toBe('leastpriv');
    expect(run?.tool.driver.version).toBe(SAMPLE_REPORT.tool.version);
  });

  it('has one rule per rule id, with a description, help link, tags and a default level', () => {
    const ids = [...new Set(SAMPLE_REPORT.findings.map((f) => f.ruleId))];
    expect(rules.map((r) => r.id)).toEqual(ids);
    for (const rule of rules) {
      const fs = SAMPLE_REPORT.findings.filter((f) => f.ruleId === rule.id);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.helpUri).toBe(fs[0]?.references.docs?.[0]);
      for (const cis of fs.flatMap((f) => f.references.cis ?? []))
        expect(rule.properties.tags).toContain(cis);
      expect(rule.properties.tags).toContain('security');
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
      expect(Number(rule.properties['security-severity'])).toBeGreaterThanOrEqual(0);
    }
    const rotate = rules.find((r) => r.id === 'credentials.access-key-not-rotated');
    // high and medium findings: the rule's level is the worst one's.
    expect(rotate?.defaultConfiguration.level).toBe('error');
    expect(rotate?.shortDescription.text).toBe('Access key not rotated');
  });

  it('has one result per finding, each pointing at a rule by id and index', () => {
    expect(results).toHaveLength(SAMPLE_REPORT.findings.length);
    results.forEach((r, i) => {
      const f = SAMPLE_REPORT.findings[i] as Finding;
      expect(r.ruleId).toBe(f.ruleId);
      expect(rules[r.ruleIndex]?.id).toBe(r.ruleId);
      expect(r.message.text).toContain(f.title);
      expect(r.locations[0]?.logicalLocations[0]).toMatchObject({
        fullyQualifiedName: f.principal,
        kind: 'resource',
      });
      expect(r.properties.severity).toBe(f.severity);
      expect(r.properties.evidence).toEqual(f.evidence);
    });
  });

  it('maps severities to levels: critical and high → error, medium → warning, low and info → note', () => {
    expect(SARIF_LEVEL).toEqual({
      critical: 'error',
      high: 'error',
      medium: 'warning',
      low: 'note',
      info: 'note',
    });
    for (const sev of SEVERITIES) {
      const levels = results.filter((r) => r.properties.severity === sev).map((r) => r.level);
      expect(levels.length, sev).toBeGreaterThan(0);
      expect(new Set(levels), sev).toEqual(new Set([SARIF_LEVEL[sev]]));
    }
  });

  it('fingerprints each finding by rule, principal and key: stable and unique', () => {
    const prints = results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(prints).size).toBe(results.length);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{64}$/);
    const f = SAMPLE_REPORT.findings[1] as Finding;
    // Same identity, different wording or evidence: same fingerprint.
    expect(fingerprint({ ...f, title: 'reworded', evidence: {} })).toBe(fingerprint(f));
    expect(fingerprint({ ...f, key: 'access_key_2' })).not.toBe(fingerprint(f));
    expect(JSON.parse(renderSarif(SAMPLE_REPORT))).toEqual(log);
  });

  it('writes an empty run for a report without findings', () => {
    const empty = JSON.parse(renderSarif(EMPTY_REPORT)) as SarifLog;
    expect(empty.runs[0]?.results).toEqual([]);
    expect(empty.runs[0]?.tool.driver.rules).toEqual([]);
  });
});
