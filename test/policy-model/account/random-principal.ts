/**
 * Random principals for property tests: identity policies, an optional boundary and SCP levels,
 * drawn from the shared arbitraries, built into the account model as a snapshot would.
 */
import fc from 'fast-check';
import type { Principal, PolicySource } from '../../../policy-model/account/account.js';
import { parsePolicy, type Policy, type PolicyKind } from '../../../policy-model/index.js';
import { actions, identityStatement } from '../arbitraries.js';

export const ACCOUNT = '111122223333';

export const compile = (doc: unknown, kind: PolicyKind, id: string): Policy => {
  const parsed = parsePolicy(doc, { kind, id });
  if (!parsed.ok) throw new Error(`generated an invalid policy: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
};

export const source = (doc: unknown, id: string, kind: PolicyKind = 'identity'): PolicySource => ({
  id,
  name: id,
  kind: 'inline',
  document: doc,
  policy: compile(doc, kind, id),
});

/** Policies leaning to unconditional Allows, so every access class is reached often. */
const statement = fc
  .tuple(identityStatement, fc.boolean(), fc.boolean())
  .map(([s, keepCondition, keepDeny]) => {
    const { Condition, ...rest } = s;
    return {
      ...rest,
      Effect: s.Effect === 'Deny' && !keepDeny ? 'Allow' : s.Effect,
      ...(Condition && keepCondition ? { Condition } : {}),
    };
  });
// Some unconditional grants on every resource, so that "allowed" is reached often enough to test.
const broadStatement = fc
  .constantFrom(...actions, 's3:*', '*')
  .map((Action) => ({ Effect: 'Allow', Action, Resource: '*' }));
export const identityPolicy = fc
  .array(fc.oneof({ arbitrary: statement, weight: 3 }, { arbitrary: broadStatement, weight: 1 }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

const fullAccess = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** The drawn shape of a principal. */
export const principalShape = fc.record({
  type: fc.constantFrom('user' as const, 'role' as const),
  name: fc.constantFrom('alice', 'bob', 'app'),
  team: fc.option(fc.constantFrom('dev', 'ops'), { nil: undefined }),
  policies: fc.array(identityPolicy, { minLength: 1, maxLength: 3 }),
  boundary: fc.option(identityPolicy, { nil: undefined }),
  scps: fc.option(
    fc.array(
      fc.array(fc.oneof(fc.constant(fullAccess), identityPolicy), { minLength: 1, maxLength: 2 }),
      { minLength: 1, maxLength: 2 },
    ),
    { nil: undefined },
  ),
});
export type PrincipalShape = typeof principalShape extends fc.Arbitrary<infer T> ? T : never;

/** Builds the principal and its SCP levels from a drawn shape. */
export function buildPrincipal(p: PrincipalShape): {
  principal: Principal;
  scpLevels: Policy[][] | undefined;
} {
  const arn = `arn:aws:iam::${ACCOUNT}:${p.type}/${p.name}`;
  const principal: Principal = {
    arn,
    type: p.type,
    name: p.name,
    path: '/',
    account: ACCOUNT,
    id: 'AIDAEXAMPLE',
    createDate: undefined,
    tags: p.team ? { team: p.team } : {},
    kind: 'machine',
    kindReason: { code: 'no-credentials', message: '' },
    policies: p.policies.map((doc, i) => source(doc, `${arn}#inline/${i}`)),
    groups: [],
    boundary: p.boundary ? source(p.boundary, 'boundary') : undefined,
    trustPolicy: undefined,
    roleLastUsed: undefined,
    instanceProfiles: [],
    serviceLinked: false,
    credentials: undefined,
  };
  const scpLevels = p.scps?.map((level, i) =>
    level.map((doc, j) => compile(doc, 'scp', `scp/${i}/${j}`)),
  );
  return { principal, scpLevels };
}
