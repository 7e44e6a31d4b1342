/**
 * The snapshot reader and effective permissions on the bundled sample organisation
 * (fixtures/sample-org; its README lists the facts checked here).
 */
import { describe, expect, it } from 'vitest';
import {
  actionAccess,
  effectivePermissions,
  policyLevels,
  whoCan,
  type Principal,
  type Snapshot,
} from '../../policy-model/index.js';
import { loadCatalog } from '../../src/catalog.js';
import { loadSnapshot } from '../../src/snapshot.js';

const catalog = loadCatalog();
const snapshot: Snapshot = loadSnapshot('fixtures/sample-org');
const principal = (arn: string): Principal => {
  const found = snapshot.accounts.flatMap((a) => a.principals).find((p) => p.arn === arn);
  if (!found) throw new Error(`no principal ${arn}`);
  return found;
};
const access = (arn: string, action: string) => {
  const p = principal(arn);
  const permissions = effectivePermissions({
    catalog,
    principal: p,
    scpLevels: policyLevels(snapshot.organization, p.account, 'SERVICE_CONTROL_POLICY'),
    organizationId: snapshot.organization?.id,
  });
  const [service, name] = action.toLowerCase().split(':') as [string, string];
  return actionAccess(catalog, permissions, catalog.services.get(service)!.actions.get(name)!.id);
};

describe('reading the sample organisation', () => {
  it('reads every account, principal and policy without a problem', () => {
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.accounts.map((a) => [a.id, a.principals.length])).toEqual([
      ['111111111111', 13],
      ['222222222222', 22],
      ['333333333333', 24],
    ]);
    for (const p of snapshot.accounts.flatMap((a) => a.principals)) {
      for (const source of p.policies) expect(source.policy, `${p.arn} ${source.id}`).toBeDefined();
    }
  });

  it('decodes URL-encoded documents (raw API form) as well as JSON objects (CLI form)', () => {
    const dev = principal('arn:aws:iam::333333333333:user/engineering/bob.nguyen');
    expect(dev.policies.length).toBeGreaterThan(0);
    expect(typeof dev.policies[0]!.document).toBe('object');
  });

  it('merges a paginated export split over two files', () => {
    const prod = snapshot.accounts.find((a) => a.id === '222222222222')!;
    expect(prod.principals.some((p) => p.type === 'user')).toBe(true);
    expect(prod.principals.some((p) => p.type === 'role')).toBe(true);
  });

  it('gives users their groups’ policies, and roles their boundary, trust policy and instance profiles', () => {
    const erin = principal('arn:aws:iam::333333333333:user/engineering/erin.walsh');
    expect(erin.groups).toContain('Developers');
    expect(erin.policies.some((p) => p.id.includes('group/Developers'))).toBe(true);
    const resizer = principal('arn:aws:iam::333333333333:role/developer/dev-bob-image-resizer');
    expect(resizer.boundary?.id).toBe('arn:aws:iam::333333333333:policy/DeveloperBoundary');
    expect(resizer.trustPolicy?.policy?.kind).toBe('resource');
    expect(
      principal('arn:aws:iam::222222222222:role/legacy-reporting-ec2').instanceProfiles.length,
    ).toBeGreaterThan(0);
  });

  it('classifies principals as human or machine with the reason', () => {
    expect(
      principal(
        'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_512d519fd00345ed',
      ).kindReason.code,
    ).toBe('sso-role');
    expect(principal('arn:aws:iam::333333333333:role/github-actions-ci')).toMatchObject({
      kind: 'machine',
      kindReason: { code: 'web-identity-trust' },
    });
    expect(principal('arn:aws:iam::222222222222:user/ci/ci-github-deployer')).toMatchObject({
      kind: 'machine',
      kindReason: { code: 'access-key-only' },
    });
    expect(principal('arn:aws:iam::111111111111:user/break-glass-admin')).toMatchObject({
      kind: 'human',
      kindReason: { code: 'console-password' },
    });
    expect(
      principal('arn:aws:iam::222222222222:role/service-role/orders-processor-lambda'),
    ).toMatchObject({ kind: 'machine', kindReason: { code: 'service-trust' } });
    expect(
      principal(
        'arn:aws:iam::222222222222:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
      ).kindReason.code,
    ).toBe('service-linked-role');
  });
});

describe('effective permissions on the sample organisation', () => {
  it('only the default policy version counts (fact 10: DeployPermissions v2 narrows iam:PassRole)', () => {
    const passRole = access('arn:aws:iam::222222222222:role/deploy', 'iam:PassRole');
    expect(passRole?.access).not.toBe('allowed');
    expect(passRole?.resources).not.toContain('*');
  });

  it('the boundary caps a developer role (fact 9: no prod data)', () => {
    expect(
      access('arn:aws:iam::333333333333:role/developer/dev-bob-image-resizer', 'iam:CreateUser'),
    ).toBeUndefined();
  });

  it('the region-lock SCP makes regional actions conditional, except for the break-glass role (facts 12, 13)', () => {
    expect(
      access(
        'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUserAccess_bb619d38cd745414',
        'ec2:RunInstances',
      ),
    ).toMatchObject({ access: 'conditional' });
    expect(access('arn:aws:iam::222222222222:role/BreakGlass', 'ec2:RunInstances')).toMatchObject({
      access: 'allowed',
    });
  });

  it('the management account is not subject to SCPs (fact 14)', () => {
    expect(
      access(
        'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PowerUserAccess_2a1293eeea0c3573',
        'ec2:RunInstances',
      ),
    ).toMatchObject({ access: 'allowed' });
  });

  it('an SCP deny removes an action outright (fact 15: no organizations:LeaveOrganization for dev BreakGlass)', () => {
    expect(
      access('arn:aws:iam::333333333333:role/BreakGlass', 'organizations:LeaveOrganization'),
    ).toBeUndefined();
  });
});

describe('who-can on the sample organisation', () => {
  it('lists same-account principals through identity policies, with the conditions the region lock adds', () => {
    const result = whoCan(
      snapshot,
      catalog,
      's3:GetObject',
      'arn:aws:s3:::example-corp-prod-datalake/raw/cards.csv',
      new Date('2026-11-24T12:00:00Z'),
    );
    expect(result.resourceAccount).toBe('222222222222');
    const legacy = result.principals.find(
      (p) => p.arn === 'arn:aws:iam::222222222222:role/legacy-reporting-ec2',
    );
    expect(legacy?.access).toBe('conditional');
    expect(JSON.stringify(legacy?.conditions)).toContain('aws:RequestedRegion');
    // Other accounts' principals need the bucket policy, which does not name them.
    expect(result.principals.some((p) => p.arn.includes(':333333333333:'))).toBe(false);
  });

  it('follows a role trust policy across accounts (dev CI role → prod deploy role)', () => {
    const result = whoCan(
      snapshot,
      catalog,
      'sts:AssumeRole',
      'arn:aws:iam::222222222222:role/deploy',
      new Date('2026-11-24T12:00:00Z'),
    );
    expect(result.principals.map((p) => p.arn)).toContain(
      'arn:aws:iam::333333333333:role/github-actions-ci',
    );
  });
});
