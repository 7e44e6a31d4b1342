/**
 * Invariants of the evaluator, checked on random cases (fast-check).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationAnswer } from '../../policy-model/index.js';
import { loadCatalog } from '../../src/catalog.js';
import { identityStatement, simulationCase, type SimulationCaseShape } from './arbitraries.js';

const catalog = loadCatalog();
const now = new Date('2026-11-24T12:00:00Z');
const RUNS = 1500;

function decisionOf(c: SimulationCaseShape): string {
  const answer: SimulationAnswer = simulate(c, { catalog, now, explain: false });
  if ('error' in answer)
    throw new Error(`generated an invalid case: ${JSON.stringify(answer.error)}`);
  return answer.decision;
}

type PolicyLike = { Version: string; Statement: Record<string, unknown>[] };

/** Every policy slot of a case, so a property can pick one at random. */
function policySlots(
  c: SimulationCaseShape,
): ((update: (p: PolicyLike) => PolicyLike) => SimulationCaseShape)[] {
  const slots: ((update: (p: PolicyLike) => PolicyLike) => SimulationCaseShape)[] = [];
  c.identityPolicies.forEach((_, i) =>
    slots.push((u) => ({
      ...c,
      identityPolicies: c.identityPolicies.map((p, j) => (i === j ? u(p) : p)),
    })),
  );
  for (const key of ['permissionBoundary', 'sessionPolicy', 'resourcePolicy'] as const) {
    const policy = c[key];
    if (policy) slots.push((u) => ({ ...c, [key]: u(policy) }));
  }
  for (const key of ['serviceControlPolicies', 'resourceControlPolicies'] as const) {
    c[key]?.forEach((level, i) =>
      level.forEach((_, j) =>
        slots.push((u) => ({
          ...c,
          [key]: c[key]!.map((l, li) => (li !== i ? l : l.map((p, pj) => (pj === j ? u(p) : p)))),
        })),
      ),
    );
  }
  return slots;
}

const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('evaluator invariants', () => {
  it('generated cases are valid and reach every decision', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(simulationCase, (c) => void seen.add(decisionOf(c))),
      { numRuns: 500 },
    );
    expect([...seen].sort()).toEqual(['allow', 'explicit-deny', 'implicit-deny']);
  });

  it('adding a Deny statement anywhere never turns a deny into an allow (it can only add an explicit deny)', () => {
    fc.assert(
      fc.property(simulationCase, identityStatement, fc.nat(), (c, statement, pick) => {
        const slots = policySlots(c);
        fc.pre(slots.length > 0);
        const before = decisionOf(c);
        const isResourceSide = (p: PolicyLike) =>
          p.Statement.some((s) => 'Principal' in s || 'NotPrincipal' in s);
        const after = decisionOf(
          slots[pick % slots.length]!((p) => ({
            ...p,
            Statement: [
              ...p.Statement,
              { ...statement, Effect: 'Deny', ...(isResourceSide(p) ? { Principal: '*' } : {}) },
            ],
          })),
        );
        expect([before, 'explicit-deny']).toContain(after);
      }),
      { numRuns: RUNS },
    );
  });

  it('statement order and policy order never change a decision', () => {
    fc.assert(
      fc.property(simulationCase, fc.nat(), (c, seed) => {
        const reorder = (p: PolicyLike): PolicyLike => ({
          ...p,
          Statement: shuffle(p.Statement, seed),
        });
        const shuffled: SimulationCaseShape = {
          ...c,
          identityPolicies: shuffle(c.identityPolicies.map(reorder), seed + 1),
          ...(c.permissionBoundary ? { permissionBoundary: reorder(c.permissionBoundary) } : {}),
          ...(c.sessionPolicy ? { sessionPolicy: reorder(c.sessionPolicy) } : {}),
          ...(c.resourcePolicy ? { resourcePolicy: reorder(c.resourcePolicy) } : {}),
          ...(c.serviceControlPolicies
            ? {
                serviceControlPolicies: c.serviceControlPolicies.map((l) =>
                  shuffle(l.map(reorder), seed + 2),
                ),
              }
            : {}),
          ...(c.resourceControlPolicies
            ? {
                resourceControlPolicies: c.resourceControlPolicies.map((l) =>
                  shuffle(l.map(reorder), seed + 3),
                ),
              }
            : {}),
        };
        expect(decisionOf(shuffled)).toBe(decisionOf(c));
      }),
      { numRuns: RUNS },
    );
  });

  it('the case of the action name never changes a decision', () => {
    fc.assert(
      fc.property(
        simulationCase,
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (c, upper) => {
          const action = [...c.request.action]
            .map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase()))
            .join('');
          expect(decisionOf({ ...c, request: { ...c.request, action } })).toBe(decisionOf(c));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('adding an Allow statement to an identity policy never turns an allow into a deny', () => {
    fc.assert(
      fc.property(simulationCase, identityStatement, fc.nat(), (c, statement, pick) => {
        const before = decisionOf(c);
        const policies =
          c.identityPolicies.length > 0
            ? c.identityPolicies
            : [{ Version: '2012-10-17', Statement: [] }];
        const i = pick % policies.length;
        const withAllow = policies.map((p, j) =>
          j === i ? { ...p, Statement: [...p.Statement, { ...statement, Effect: 'Allow' }] } : p,
        );
        const after = decisionOf({ ...c, identityPolicies: withAllow });
        if (before === 'allow') expect(after).toBe('allow');
      }),
      { numRuns: RUNS },
    );
  });

  it('the evaluator is deterministic and explanation detail does not change the decision', () => {
    fc.assert(
      fc.property(simulationCase, (c) => {
        const full = simulate(c, { catalog, now, explain: true });
        const brief = simulate(c, { catalog, now, explain: false });
        expect('decision' in full && full.decision).toBe('decision' in brief && brief.decision);
      }),
      { numRuns: 500 },
    );
  });
});
