/**
 * What AWS accepts, leastpriv must accept: every AWS managed policy and every policy of two real
 * account exports parses without an error (warnings allowed: AWS managed policies do name actions
 * that no longer exist, which Access Analyzer flags and IAM accepts).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type Issue, type PolicyKind } from '../../../policy-model/index.js';
import { loadCatalog } from '../../../src/catalog.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');
const catalog = loadCatalog();

function errorsOf(documents: [string, unknown, PolicyKind][]): string[] {
  return documents.flatMap(([name, document, kind]) => {
    const result = parsePolicy(document, { kind, path: name, catalog });
    return result.ok ? [] : result.errors.map((e: Issue) => `${e.code} ${e.path}: ${e.message}`);
  });
}

describe('real policies', () => {
  it('all 1,594 AWS managed policies parse', () => {
    const managed = JSON.parse(
      readFileSync(
        join(FIXTURES, 'aws-managed-policies', 'aws-managed-policies-latest.json'),
        'utf8',
      ),
    ) as Record<string, { document: unknown }>;
    const documents = Object.entries(managed).map(([name, p]): [string, unknown, PolicyKind] => [
      name,
      p.document,
      'identity',
    ]);
    expect(documents.length).toBe(1594);
    expect(errorsOf(documents)).toEqual([]);
  });

  it.each(['example-account-authz-details.json', 'small-authz-details.json'])(
    'every policy of %s parses',
    (file) => {
      interface Details {
        UserDetailList: {
          UserName: string;
          UserPolicyList?: { PolicyName: string; PolicyDocument: unknown }[];
        }[];
        RoleDetailList: {
          RoleName: string;
          AssumeRolePolicyDocument: unknown;
          RolePolicyList?: { PolicyName: string; PolicyDocument: unknown }[];
        }[];
        GroupDetailList: {
          GroupName: string;
          GroupPolicyList?: { PolicyName: string; PolicyDocument: unknown }[];
        }[];
        Policies: {
          PolicyName: string;
          PolicyVersionList: { Document: unknown; IsDefaultVersion: boolean }[];
        }[];
      }
      const details = JSON.parse(
        readFileSync(join(FIXTURES, 'cloudsplaining-authz-details', file), 'utf8'),
      ) as Details;
      const documents: [string, unknown, PolicyKind][] = [
        ...details.UserDetailList.flatMap((u) =>
          (u.UserPolicyList ?? []).map((p): [string, unknown, PolicyKind] => [
            `user/${u.UserName}/${p.PolicyName}`,
            p.PolicyDocument,
            'identity',
          ]),
        ),
        ...details.GroupDetailList.flatMap((g) =>
          (g.GroupPolicyList ?? []).map((p): [string, unknown, PolicyKind] => [
            `group/${g.GroupName}/${p.PolicyName}`,
            p.PolicyDocument,
            'identity',
          ]),
        ),
        ...details.RoleDetailList.flatMap((r) => [
          [`role/${r.RoleName}/trust`, r.AssumeRolePolicyDocument, 'resource'] as [
            string,
            unknown,
            PolicyKind,
          ],
          ...(r.RolePolicyList ?? []).map((p): [string, unknown, PolicyKind] => [
            `role/${r.RoleName}/${p.PolicyName}`,
            p.PolicyDocument,
            'identity',
          ]),
        ]),
        ...details.Policies.flatMap((p) =>
          p.PolicyVersionList.map((v, i): [string, unknown, PolicyKind] => [
            `policy/${p.PolicyName}/v${i}`,
            v.Document,
            'identity',
          ]),
        ),
      ];
      expect(documents.length).toBeGreaterThan(30);
      expect(errorsOf(documents)).toEqual([]);
    },
  );
});
