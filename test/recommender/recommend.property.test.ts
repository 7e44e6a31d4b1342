/**
 * Property test (issue acceptance): for random principals (policies, boundaries, SCP levels) and
 * random usage, every proposed rewrite grants nothing new and keeps every observed use, as the
 * reference request evaluator sees it, independently of the recommender's own proof code.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  effectivePermissions,
  evaluate,
  prepareRequest,
  type Policy,
  type PolicySet,
} from '../../policy-model/index.js';
import { recommend } from '../../recommender/recommend.js';
import { withProposed } from '../../recommender/proof.js';
import type { ResourceUse } from '../../usage/facts.js';
import { loadCatalog } from '../../src/catalog.js';
import { actions, resources } from '../policy-model/arbitraries.js';
import {
  ACCOUNT,
  buildPrincipal,
  principalShape,
} from '../policy-model/account/random-principal.js';

const catalog = loadCatalog();
const RUNS = 300;
// Actions a rewrite might wrongly add: implied ones and neighbours of the used ones.
const probeActions = [...actions, 's3:DeleteObject', 'iam:PassRole', 'kms:GenerateDataKey'];
const probeResources = [...resources, 'arn:aws:s3:::bucket/other', 'arn:aws:s3:::elsewhere/k'];
const contexts: Record<string, string | string[]>[] = [
  {},
  { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'true', 'aws:MultiFactorAuthAge': '100' },
  { 'aws:SourceIp': '203.0.113.9', 'aws:TagKeys': ['env'], 'aws:RequestedRegion': 'eu-west-1' },
  { 'aws:MultiFactorAuthPresent': 'true', 'aws:CurrentTime': '2026-11-24T12:00:00Z' },
];

const useArb = fc.record({
  action: fc.constantFrom(...actions),
  resource: fc.constantFrom('', 'arn:aws:s3:::bucket/*', ...resources.filter((r) => r !== '*')),
  source: fc.constantFrom('cloudtrail' as const, 'cloudtrail' as const, 'access-advisor' as const),
});

function decide(
  set: PolicySet,
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]>,
): string {
  const request = prepareRequest(
    { principal, action, resource, resourceAccount: ACCOUNT, context },
    '/probe',
    { now: new Date('2026-11-24T12:00:00Z') },
  );
  if (!request.ok) throw new Error(JSON.stringify(request.errors));
  return evaluate(request.value, set, { catalog, explain: false }).decision;
}

describe('least-privilege rewrites', () => {
  it(`never grant new access and keep every observed use (${RUNS} random principals)`, () => {
    const statuses = { proposed: 0, 'not-proposed': 0, keep: 0 };
    let probes = 0;
    fc.assert(
      fc.property(
        principalShape,
        fc.array(useArb, { maxLength: 6 }),
        fc.boolean(),
        (shape, drawn, dataEvents) => {
          const { principal, scpLevels } = buildPrincipal(shape);
          const permissions = effectivePermissions({
            catalog,
            principal,
            scpLevels,
            organizationId: undefined,
          });
          const uses: ResourceUse[] = drawn.map((u) => ({
            principal: principal.arn,
            ...u,
            count: 1,
            firstSeen: '2026-11-20T10:00:00Z',
            lastSeen: '2026-11-20T10:00:00Z',
          }));
          const { recommendation } = recommend({
            catalog,
            permissions,
            scpLevels,
            organizationId: undefined,
            activity: { uses, people: [] },
            recordedDataEvents: new Set(dataEvents ? ['s3'] : []),
          });
          statuses[recommendation.status] += 1;
          // A draft is built to pass its proof: failing one is a drafting bug.
          expect(recommendation.reason ?? '').not.toMatch(/failed its proof/);
          if (recommendation.status !== 'proposed') return;

          const tags = shape.team ? { 'aws:PrincipalTag/team': shape.team } : {};
          const setOf = (policies: Policy[]): PolicySet => ({
            identity: policies,
            ...(principal.boundary?.policy ? { boundary: principal.boundary.policy } : {}),
            ...(scpLevels ? { scpLevels } : {}),
          });
          const before = setOf(principal.policies.map((s) => s.policy!));
          const next = withProposed(
            principal,
            recommendation.proposed.map((p) => p.document),
          ).principal;
          const after = setOf(next.policies.map((s) => s.policy!));
          const used = uses.filter((u) => u.resource !== '').map((u) => u.resource);
          // noNewAccess: whatever the new policies allow, the current ones allowed.
          for (const action of probeActions)
            for (const resource of [...probeResources, ...used])
              for (const context of contexts) {
                const c = { ...tags, ...context };
                probes += 1;
                if (decide(after, principal.arn, action, resource, c) === 'allow')
                  expect(
                    decide(before, principal.arn, action, resource, c),
                    `${action} ${resource} ${JSON.stringify(c)}: new access`,
                  ).toBe('allow');
              }
          // usageCovered: each use the current policies allow, in any of the request contexts, is
          // still allowed in that context; a use that named no resource, on every probe resource.
          for (const use of uses.filter((u) => u.source === 'cloudtrail'))
            for (const resource of use.resource === '' ? probeResources : [use.resource])
              for (const context of contexts) {
                const c = { ...tags, ...context };
                if (decide(before, principal.arn, use.action, resource, c) === 'allow')
                  expect(
                    decide(after, principal.arn, use.action, resource, c),
                    `${use.action} ${resource} ${JSON.stringify(c)}: used, no longer allowed`,
                  ).toBe('allow');
              }
        },
      ),
      { numRuns: RUNS },
    );
    // The generator must reach proposals often, or the test proves little.
    expect(statuses.proposed, JSON.stringify(statuses)).toBeGreaterThan(RUNS / 3);
    expect(probes).toBeGreaterThan(10_000);
  });
});
