/**
 * Usage findings and the creep score, at their boundaries: activity 89/90/91 days before the
 * window's end, the grace period, service-linked roles, risk-raised severities.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../policy-model/index.js';
import {
  lastActivity,
  usageFindings,
  type PrincipalFacts,
} from '../../../recommender/findings/usage.js';
import type { Recommendation } from '../../../recommender/model.js';
import { creepScore, sumScores, withChange } from '../../../recommender/score.js';
import { buildPrincipal } from '../../policy-model/account/random-principal.js';

const options = { asOf: '2026-11-24', windowDays: 90, gracePeriodDays: 14 };
const daysAgo = (n: number) =>
  new Date(Date.parse('2026-11-24T12:00:00Z') - n * 86_400_000).toISOString();

const base = buildPrincipal({
  type: 'role',
  name: 'app',
  team: undefined,
  policies: [
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  ],
  boundary: undefined,
  scps: undefined,
}).principal;

const recommendation = (removed = 1): Recommendation => ({
  principal: base.arn,
  account: base.account,
  status: 'proposed',
  kept: [],
  removed: Array.from({ length: removed }, () => ({
    action: 'ec2:*',
    confidence: 'unused' as const,
    count: 0,
    actionCount: 10,
    reason: 'removed',
  })),
  proposed: [],
  current: [],
  proof: { noNewAccess: { holds: true, checked: '' }, usageCovered: { holds: true, checked: '' } },
  terraform: '',
});

function facts(over: Partial<Principal> = {}, rest: Partial<PrincipalFacts> = {}): PrincipalFacts {
  return {
    principal: { ...base, createDate: daysAgo(400), ...over },
    lastSeenInTrail: undefined,
    recommendation: recommendation(),
    score: creepScore(100, 10, 0),
    unusedRisks: [],
    ...rest,
  };
}

const rules = (f: PrincipalFacts) => usageFindings(f, options).map((x) => x.ruleId);

describe('usage.unused-identity', () => {
  it('is raised when the last activity is 90 or more days before the end of the window, not at 89', () => {
    expect(rules(facts({}, { lastSeenInTrail: daysAgo(89) }))).toEqual([
      'usage.unused-permissions',
    ]);
    expect(rules(facts({}, { lastSeenInTrail: daysAgo(90) }))).toEqual(['usage.unused-identity']);
    expect(rules(facts({}, { lastSeenInTrail: daysAgo(91) }))).toEqual(['usage.unused-identity']);
  });

  it('counts RoleLastUsed and credential-report dates as activity, and never-used as unused', () => {
    expect(rules(facts({ roleLastUsed: daysAgo(10) }))).toEqual(['usage.unused-permissions']);
    const keyUsed = facts({
      type: 'user',
      credentials: {
        user: 'app',
        arn: base.arn,
        userCreationTime: daysAgo(400),
        passwordEnabled: false,
        passwordLastUsed: undefined,
        passwordLastChanged: undefined,
        mfaActive: false,
        accessKeys: [
          {
            slot: 1,
            active: true,
            lastRotated: daysAgo(300),
            lastUsedDate: daysAgo(3),
            lastUsedService: 's3',
          },
        ],
      },
    });
    expect(lastActivity(keyUsed)).toBe(daysAgo(3));
    expect(rules(keyUsed)).toEqual(['usage.unused-permissions']);
    const never = usageFindings(facts(), options)[0]!;
    expect(never).toMatchObject({
      ruleId: 'usage.unused-identity',
      severity: 'medium',
      evidence: { lastActivity: null, daysSinceLastActivity: null },
    });
  });

  it('spares identities created within the grace period (13 days: spared, 14: reported)', () => {
    expect(rules(facts({ createDate: daysAgo(13) }))).toEqual(['usage.unused-permissions']);
    expect(rules(facts({ createDate: daysAgo(14) }))).toEqual(['usage.unused-identity']);
  });

  it('never reports service-linked roles, and raises the severity for unused admin or escalation', () => {
    expect(rules(facts({ serviceLinked: true }))).toEqual([]);
    const admin = usageFindings(facts({}, { unusedRisks: ['admin-equivalent'] }), options)[0]!;
    expect(admin.severity).toBe('high');
  });
});

describe('usage.unused-permissions', () => {
  it('is raised for an active identity with removable actions, low unless risks raise it', () => {
    const active = { lastSeenInTrail: daysAgo(1) };
    const [low] = usageFindings(facts({}, active), options);
    expect(low).toMatchObject({
      severity: 'low',
      evidence: { granted: 100, used: 10, unused: 90 },
    });
    expect(
      usageFindings(facts({}, { ...active, unusedRisks: ['data-exfiltration'] }), options)[0]!
        .severity,
    ).toBe('medium');
    expect(
      usageFindings(facts({}, { ...active, unusedRisks: ['privilege-escalation'] }), options)[0]!
        .severity,
    ).toBe('high');
    expect(
      usageFindings(facts({}, { ...active, recommendation: recommendation(0) }), options),
    ).toEqual([]);
  });
});

describe('the permission-creep score (docs/analyze.md)', () => {
  it('follows its formula at the edges', () => {
    expect(creepScore(0, 0, 0).creep).toBe(0);
    expect(creepScore(100, 100, 0).creep).toBe(0);
    expect(creepScore(100, 0, 0).creep).toBe(100);
    expect(creepScore(100, 50, 0).creep).toBe(50);
    // High-risk unused weighs three times: (50 + 2×10) / (100 + 2×10) = 58.3 → 58.
    expect(creepScore(100, 50, 10).creep).toBe(58);
    expect(sumScores([creepScore(100, 50, 0), creepScore(100, 0, 0)])).toMatchObject({
      granted: 200,
      used: 50,
      creep: 75,
    });
    expect(withChange(creepScore(100, 50, 0), creepScore(100, 80, 0)).change).toBe(30);
    expect(withChange(creepScore(100, 50, 0), undefined).change).toBeUndefined();
  });
});
