/**
 * Differential test: effective permissions (bitsets) against the reference request evaluator, on
 * random principals with random policies, boundaries and SCP levels. For every drawn
 * (principal, action, resource, context) triple:
 *   denied ⇒ evaluate never allows; allowed ⇒ evaluate always allows;
 *   allowed-on-some-resources ⇒ evaluate allows exactly the resources the patterns name (minus exclusions);
 *   conditional ⇒ some context the generator can draw allows it or it depends on the request.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionAccess, effectivePermissions } from '../../../policy-model/account/effective.js';
import { evaluate, prepareRequest } from '../../../policy-model/index.js';
import { compileResourceGlob } from '../../../policy-model/aws/wildcard.js';
import { loadCatalog } from '../../../src/catalog.js';
import { actions, resources } from '../arbitraries.js';
import { ACCOUNT, buildPrincipal, compile, principalShape } from './random-principal.js';

const catalog = loadCatalog();
const TRIPLES_PER_RUN = 10_000;
const now = new Date('2026-11-24T12:00:00Z');

// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
const defaultKeyPolicy = compile(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  },
  'resource',
  'default-key-policy',
);
const contextArb = fc.record(
  {
    'aws:SourceIp': fc.constantFrom('10.1.2.3', '203.0.113.9', '2001:db8::1'),
    'aws:SecureTransport': fc.constantFrom('true', 'false'),
    'aws:TagKeys': fc.constantFrom(['env'], ['env', 'owner'], [] as string[]),
    'aws:RequestedRegion': fc.constantFrom('us-east-1', 'eu-west-1'),
    'aws:MultiFactorAuthPresent': fc.constantFrom('true', 'false'),
    'aws:MultiFactorAuthAge': fc.constantFrom('100', '7200'),
  },
  { requiredKeys: [] },
);

describe('effective permissions agree with the request evaluator', () => {
  it(`on ${TRIPLES_PER_RUN.toLocaleString('en-US')} random (principal, action, resource, context) triples`, () => {
    let checked = 0;
    const seen = { allowed: 0, 'allowed-on-some-resources': 0, conditional: 0, denied: 0 };
    fc.assert(
      fc.property(
        principalShape,
        fc.array(fc.tuple(fc.constantFrom(...actions), fc.constantFrom(...resources), contextArb), {
          minLength: 20,
          maxLength: 20,
        }),
        (p, triples) => {
          const account = ACCOUNT;
          const { principal, scpLevels } = buildPrincipal(p);
          const arn = principal.arn;
          const permissions = effectivePermissions({
            catalog,
            principal,
            scpLevels,
            organizationId: undefined,
          });
          const set = {
            identity: principal.policies.map((s) => s.policy!),
            ...(principal.boundary ? { boundary: principal.boundary.policy! } : {}),
            ...(scpLevels ? { scpLevels } : {}),
          };
          for (const [action, resource, extra] of triples) {
            const id = catalog.services
              .get(action.split(':')[0]!.toLowerCase())!
              .actions.get(action.split(':')[1]!.toLowerCase())!.id;
            const access = actionAccess(catalog, permissions, id);
            const decide = (context: Record<string, string | string[]>) => {
              // Effective permissions describe the identity side, in the principal's own account.
              const request = prepareRequest(
                {
                  principal: arn,
                  action,
                  resource,
                  resourceAccount: account,
                  context: { ...(p.team ? { 'aws:PrincipalTag/team': p.team } : {}), ...context },
                },
                '/request',
                { now },
              );
              if (!request.ok) throw new Error('bad request');
              // A KMS key always has a key policy: the default one delegates to the account's IAM policies.
              const keyPolicy = resource.includes(':kms:') ? { resource: defaultKeyPolicy } : {};
              return evaluate(request.value, { ...set, ...keyPolicy }, { explain: false }).decision;
            };
            const withContext = decide(extra);
            const bare = decide({});
            seen[access?.access ?? 'denied'] += 1;
            checked += 1;
            const where = `${access?.access ?? 'denied'} ${action} ${resource} ${JSON.stringify(extra)} ${JSON.stringify(access)}`;
            if (!access) {
              expect(withContext, where).not.toBe('allow');
              expect(bare, where).not.toBe('allow');
            } else if (access.access === 'allowed') {
              expect(withContext, where).toBe('allow');
              expect(bare, where).toBe('allow');
            } else if (access.access === 'allowed-on-some-resources') {
              const matches = (pattern: string) =>
                compileResourceGlob([{ text: pattern, literal: false }])(resource);
              const inside = access.resourceTerms
                ? access.resourceTerms.some((t) => matches(t.resource) && !t.except.some(matches))
                : access.resources.some(matches) && !(access.excludedResources ?? []).some(matches);
              if (access.approximate) {
                // Only what is listed is promised: listed ⇒ allowed.
                if (inside) expect(bare, where).toBe('allow');
              } else {
                expect(withContext === 'allow', where).toBe(inside);
                expect(bare === 'allow', where).toBe(inside);
              }
            }
          }
        },
      ),
      { numRuns: TRIPLES_PER_RUN / 20 },
    );
    expect(checked).toBe(TRIPLES_PER_RUN);
    // The generator must reach every class, or the test proves little.
    for (const [kind, n] of Object.entries(seen))
      expect(n, `${kind}: ${JSON.stringify(seen)}`).toBeGreaterThan(50);
  });
});
