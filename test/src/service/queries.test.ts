/**
 * The snapshot questions of the service (src/service/queries.ts): the principal listing's
 * filters and pages on crafted rows, and on the sample organisation the same answers as the
 * CLI's `permissions` and `who-can`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estatePermissions, principalPermissions, whoCan } from '../../../policy-model/index.js';
import type { Report } from '../../../recommender/model.js';
import { loadCatalog } from '../../../src/catalog.js';
import { loadSensitiveActionTags } from '../../../src/sensitive-actions.js';
import { ServiceError } from '../../../src/service/errors.js';
import {
  basisOfReport,
  decodeCursor,
  effectivePermissionsOf,
  encodeCursor,
  listPrincipals,
  principalRows,
  recommendationOf,
  whoCanOf,
  type ActivityBasis,
  type PrincipalRow,
} from '../../../src/service/queries.js';
import { loadSnapshot } from '../../../src/snapshot.js';

const catalog = loadCatalog();
const tags = loadSensitiveActionTags();
const sample = loadSnapshot(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sample-org'));

const row = (name: string, over: Partial<PrincipalRow> = {}): PrincipalRow => ({
  arn: `arn:aws:iam::111122223333:role/${name}`,
  name,
  account: '111122223333',
  type: 'role',
  kind: 'machine',
  kindReason: 'trusted by a service',
  serviceLinked: false,
  services: ['s3'],
  allowedActions: 10,
  adminEquivalent: false,
  createDate: '2025-01-01T00:00:00Z',
  ...over,
});

const snapshotBasis: ActivityBasis = { asOf: '2026-11-24', source: 'snapshot' };

describe('listPrincipals', () => {
  const rows = [
    row('a-human', { kind: 'human', snapshotActivity: '2026-11-20T10:00:00Z' }),
    row('b-idle', { snapshotActivity: '2026-08-01T10:00:00Z' }),
    row('c-never'),
    row('d-young', { createDate: '2026-11-01T00:00:00Z' }),
    row('e-kms', { services: ['kms', 'sts'], account: '444455556666' }),
  ];

  it('filters by kind, service and account', () => {
    expect(
      listPrincipals(rows, { kind: 'human', limit: 10 }, snapshotBasis).principals.map(
        (p) => p.name,
      ),
    ).toEqual(['a-human']);
    expect(listPrincipals(rows, { services: ['kms'], limit: 10 }, snapshotBasis).total).toBe(1);
    expect(listPrincipals(rows, { services: ['iam', 's3'], limit: 10 }, snapshotBasis).total).toBe(
      4,
    );
    expect(
      listPrincipals(rows, { account: '444455556666', limit: 10 }, snapshotBasis).principals[0]!
        .name,
    ).toBe('e-kms');
  });

  it('unusedFor: no activity in the span up to as-of, and created before it', () => {
    const unused = (days: number) =>
      listPrincipals(rows, { unusedForDays: days, limit: 10 }, snapshotBasis).principals.map(
        (p) => p.name,
      );
    // b-idle was last active 2026-08-01: 115 days before the end of 2026-11-24.
    expect(unused(90)).toEqual(['b-idle', 'c-never', 'e-kms']);
    expect(unused(115)).toEqual(['b-idle', 'c-never', 'e-kms']);
    expect(unused(116)).toEqual(['c-never', 'e-kms']);
    // a-human was active 4 days ago (2026-11-20 10:00 to the end of 2026-11-24).
    expect(unused(4)).toContain('a-human');
    expect(unused(5)).not.toContain('a-human');
    // d-young was created 23 days ago: never "unused for 30 days", yet unused for 7.
    expect(unused(30)).not.toContain('d-young');
    expect(unused(7)).toContain('d-young');
  });

  it('takes the activity of the latest analysis when there is one', () => {
    const basis: ActivityBasis = {
      asOf: '2026-11-24',
      source: 'analysis',
      analysis: 'job-1',
      principals: new Map([
        [
          'arn:aws:iam::111122223333:role/c-never',
          { lastActivity: '2026-11-10T00:00:00Z', recommended: true },
        ],
      ]),
    };
    const page = listPrincipals(rows, { unusedForDays: 90, limit: 10 }, basis);
    expect(page.principals.map((p) => p.name)).toEqual(['b-idle', 'e-kms']);
    expect(page).toMatchObject({ activitySource: 'analysis', analysis: 'job-1' });
    const all = listPrincipals(rows, { limit: 10 }, basis).principals;
    expect(all.find((p) => p.name === 'c-never')).toMatchObject({
      lastActivity: '2026-11-10T00:00:00Z',
      daysSinceActivity: 14,
      hasRecommendation: true,
    });
    expect(all.find((p) => p.name === 'b-idle')!.hasRecommendation).toBeUndefined();
  });

  it('pages by cursor: every principal exactly once, in ARN order', () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = listPrincipals(rows, { limit: 2, ...(after ? { after } : {}) }, snapshotBasis);
      expect(page.total).toBe(5);
      seen.push(...page.principals.map((p) => p.name));
      pages += 1;
      if (!page.nextCursor) break;
      after = decodeCursor(page.nextCursor);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['a-human', 'b-idle', 'c-never', 'd-young', 'e-kms']);
  });

  it('refuses a cursor it did not give', () => {
    expect(() => decodeCursor('bm90LWFuLWFybg')).toThrow(ServiceError);
    expect(decodeCursor(encodeCursor('arn:aws:iam::1:role/x'))).toBe('arn:aws:iam::1:role/x');
  });
});

describe('on the sample organisation', () => {
  const rows = principalRows(sample, catalog, tags);

  it('lists all 59 principals, sorted, with what they may use', () => {
    expect(rows).toHaveLength(59);
    expect([...rows.map((r) => r.arn)].sort()).toEqual(rows.map((r) => r.arn));
    const admin = rows.find((r) => r.arn === 'arn:aws:iam::111111111111:user/break-glass-admin')!;
    expect(admin.adminEquivalent).toBe(true);
    expect(admin.services.length).toBeGreaterThan(300);
    expect(admin.kind).toBe('human');
  });

  it('effective permissions equal the `leastpriv permissions --format json` entry', () => {
    const arn = 'arn:aws:iam::111111111111:user/automation/terraform-runner';
    const answer = effectivePermissionsOf(sample, catalog, tags, arn);
    const [permissions] = [...estatePermissions(sample, catalog, { principal: arn })];
    expect(answer.actions).toEqual(principalPermissions(catalog, permissions!).actions);
    expect(answer.actions.length).toBeGreaterThan(0);
    expect(answer.summary.arn).toBe(arn);
    const s3Only = effectivePermissionsOf(sample, catalog, tags, arn, 'organizations:List*');
    expect(s3Only.actions.length).toBeGreaterThan(0);
    expect(s3Only.actions.every((a) => a.action.startsWith('organizations:List'))).toBe(true);
  });

  it('an unknown principal is a 404', () => {
    expect(() =>
      effectivePermissionsOf(sample, catalog, tags, 'arn:aws:iam::111111111111:role/nope'),
    ).toThrow(/no principal/);
  });

  it('who-can equals the CLI, spells the action as the catalog does, and refuses unknown actions', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const resource = 'arn:aws:s3:::example-corp-public-website/index.html';
    expect(whoCanOf(sample, catalog, 's3:getobject', resource, now)).toEqual(
      whoCan(sample, catalog, 's3:GetObject', resource, now),
    );
    const bad = (action: string) => {
      try {
        whoCanOf(sample, catalog, action, resource, now);
      } catch (e) {
        return (e as ServiceError).details[0]!.message;
      }
      return 'no error';
    };
    expect(bad('s3:GetObjects')).toBe('service `s3` has no such action');
    expect(bad('nosuch:GetObject')).toBe('no service prefix `nosuch`');
  });
});

describe('recommendationOf', () => {
  const report = {
    asOf: '2026-11-24',
    windowDays: 90,
    principals: [
      {
        arn: 'arn:a',
        account: '1',
        type: 'role',
        kind: 'machine',
        score: { creep: 50 },
        unusedRisks: [],
      },
      {
        arn: 'arn:b',
        account: '1',
        type: 'role',
        kind: 'human',
        lastActivity: '2026-11-01T00:00:00Z',
        score: { creep: 10 },
        unusedRisks: ['admin-equivalent'],
        recommendation: { principal: 'arn:b' },
      },
    ],
    findings: [
      { ruleId: 'usage.unused-permissions', principal: 'arn:b' },
      { ruleId: 'usage.unused-identity', principal: 'arn:a' },
    ],
  } as unknown as Report;

  it("answers the principal's recommendation and only its findings", () => {
    const answer = recommendationOf(report, 'job-1', 'arn:b');
    expect(answer).toMatchObject({
      analysis: 'job-1',
      asOf: '2026-11-24',
      recommendation: { principal: 'arn:b' },
    });
    expect(answer.findings.map((f) => f.ruleId)).toEqual(['usage.unused-permissions']);
    expect(recommendationOf(report, 'job-1', 'arn:a').recommendation).toBeNull();
    expect(() => recommendationOf(report, 'job-1', 'arn:c')).toThrow(/no principal/);
  });

  it('a report gives the listing its activity and scores', () => {
    const basis = basisOfReport(report, 'job-1');
    expect(basis.principals!.get('arn:b')).toEqual({
      lastActivity: '2026-11-01T00:00:00Z',
      score: { creep: 10 },
      recommended: true,
    });
    expect(basis.principals!.get('arn:a')!.recommended).toBe(false);
  });
});
