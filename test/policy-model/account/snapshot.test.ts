/**
 * Snapshot reading, one rule per test: what the AWS export formats allow is read, and every broken
 * part is reported with its file and JSON pointer while the rest is still read.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot, policyLevels, type SnapshotFiles } from '../../../policy-model/index.js';

const A = '111122223333';
const doc = (action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
});
const managed = (name: string, versions: { document: unknown; isDefault: boolean }[]) => ({
  PolicyName: name,
  Arn: `arn:aws:iam::${A}:policy/${name}`,
  DefaultVersionId: 'v2',
  PolicyVersionList: versions.map((v, i) => ({
    Document: v.document,
    VersionId: `v${i + 1}`,
    IsDefaultVersion: v.isDefault,
  })),
});
const user = (name: string, extra: Record<string, unknown> = {}) => ({
  UserName: name,
  UserId: `AIDA${name.toUpperCase()}`,
  Path: '/',
  Arn: `arn:aws:iam::${A}:user/${name}`,
  ...extra,
});
const account = (
  json: unknown,
  extra: Partial<SnapshotFiles['accounts'][number]> = {},
): SnapshotFiles => ({
  accounts: [
    {
      id: A,
      authorizationDetails: [{ file: `accounts/${A}/authorization-details.json`, json }],
      ...extra,
    },
  ],
});

describe('authorization details', () => {
  it('uses only the default version of a managed policy', () => {
    const snapshot = buildSnapshot(
      account({
        UserDetailList: [
          user('alice', {
            AttachedManagedPolicies: [{ PolicyName: 'P', PolicyArn: `arn:aws:iam::${A}:policy/P` }],
          }),
        ],
        Policies: [
          managed('P', [
            { document: doc('s3:*'), isDefault: false },
            { document: doc('s3:GetObject'), isDefault: true },
          ]),
        ],
      }),
    );
    expect(snapshot.issues).toEqual([]);
    const [alice] = snapshot.accounts[0]!.principals;
    expect(JSON.stringify(alice!.policies[0]!.document)).toContain('s3:GetObject');
  });

  it('accepts URL-encoded documents (raw API) and JSON objects (CLI) alike', () => {
    const encoded = encodeURIComponent(JSON.stringify(doc('s3:GetObject')));
    const snapshot = buildSnapshot(
      account({
        UserDetailList: [
          user('alice', { UserPolicyList: [{ PolicyName: 'inline', PolicyDocument: encoded }] }),
        ],
      }),
    );
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.accounts[0]!.principals[0]!.policies[0]!.policy?.statements[0]?.effect).toBe(
      'Allow',
    );
  });

  it('accepts several pages concatenated into one file, and several files per account', () => {
    const snapshot = buildSnapshot({
      accounts: [
        {
          id: A,
          authorizationDetails: [
            {
              file: 'a.json',
              json: [{ UserDetailList: [user('alice')] }, { UserDetailList: [user('bob')] }],
            },
            {
              file: 'b.json',
              json: {
                RoleDetailList: [
                  {
                    RoleName: 'app',
                    RoleId: 'AROAAPP',
                    Path: '/',
                    Arn: `arn:aws:iam::${A}:role/app`,
                    AssumeRolePolicyDocument: {
                      Version: '2012-10-17',
                      Statement: [
                        {
                          Effect: 'Allow',
                          Principal: { Service: 'lambda.amazonaws.com' },
                          Action: 'sts:AssumeRole',
                        },
                      ],
                    },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.accounts[0]!.principals.map((p) => p.name)).toEqual(['alice', 'bob', 'app']);
  });

  it('gives group policies to members, and boundaries and instance profiles to roles', () => {
    const snapshot = buildSnapshot(
      account({
        UserDetailList: [user('alice', { GroupList: ['devs'] })],
        GroupDetailList: [
          {
            GroupName: 'devs',
            Arn: `arn:aws:iam::${A}:group/devs`,
            GroupPolicyList: [{ PolicyName: 'g', PolicyDocument: doc('ec2:*') }],
          },
        ],
        RoleDetailList: [
          {
            RoleName: 'app',
            Arn: `arn:aws:iam::${A}:role/app`,
            Path: '/',
            PermissionsBoundary: {
              PermissionsBoundaryType: 'Policy',
              PermissionsBoundaryArn: `arn:aws:iam::${A}:policy/B`,
            },
            InstanceProfileList: [{ InstanceProfileName: 'app-profile' }],
            RoleLastUsed: { LastUsedDate: '2026-11-01T10:00:00+00:00', Region: 'eu-west-1' },
          },
        ],
        Policies: [managed('B', [{ document: doc('s3:*'), isDefault: true }])],
      }),
    );
    expect(snapshot.issues).toEqual([]);
    const [alice, app] = snapshot.accounts[0]!.principals;
    expect(alice!.policies.map((p) => p.id)).toEqual([`arn:aws:iam::${A}:group/devs#inline/g`]);
    expect(app!.boundary?.id).toBe(`arn:aws:iam::${A}:policy/B`);
    expect(app!.instanceProfiles).toEqual(['app-profile']);
    expect(app!.roleLastUsed).toBe('2026-11-01T10:00:00+00:00');
  });

  it('reports a dangling policy ARN, a missing default version and a broken document with file#pointer, and reads the rest', () => {
    const snapshot = buildSnapshot(
      account({
        UserDetailList: [
          user('alice', {
            AttachedManagedPolicies: [
              { PolicyName: 'Gone', PolicyArn: `arn:aws:iam::${A}:policy/Gone` },
            ],
          }),
          user('bob', {
            UserPolicyList: [
              {
                PolicyName: 'bad',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }],
                },
              },
              { PolicyName: 'ok', PolicyDocument: doc('s3:*') },
            ],
          }),
          user('carol', {
            UserPolicyList: [{ PolicyName: 'garbled', PolicyDocument: '%7Bnot json' }],
          }),
        ],
        Policies: [managed('NoDefault', [{ document: doc('s3:*'), isDefault: false }])],
      }),
    );
    const file = `accounts/${A}/authorization-details.json`;
    expect(snapshot.issues.map((i) => [i.code, i.path])).toEqual(
      expect.arrayContaining([
        ['missing_default_version', `${file}#/Policies/0/PolicyVersionList`],
        ['dangling_policy_arn', `${file}#/UserDetailList/0/AttachedManagedPolicies/0/PolicyArn`],
        [
          'invalid_effect',
          `${file}#/UserDetailList/1/UserPolicyList/0/PolicyDocument/Statement/0/Effect`,
        ],
        ['invalid_policy_encoding', `${file}#/UserDetailList/2/UserPolicyList/0/PolicyDocument`],
      ]),
    );
    expect(snapshot.accounts[0]!.principals).toHaveLength(3);
    expect(snapshot.accounts[0]!.principals[1]!.policies.filter((p) => p.policy)).toHaveLength(1);
  });

  it('resolves AWS managed policies the export leaves out from the bundled copies', () => {
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const snapshot = buildSnapshot(
      account({
        UserDetailList: [
          user('alice', {
            AttachedManagedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: arn }],
          }),
        ],
      }),
      {
        awsManagedPolicy: (a) => (a === arn ? doc('s3:Get*') : undefined),
      },
    );
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.accounts[0]!.principals[0]!.policies[0]).toMatchObject({
      id: arn,
      kind: 'aws-managed',
    });
  });
});

describe('credential report', () => {
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  it('reads rows, N/A dates as absent, and reports a short row by file:line', () => {
    const text = [
      header,
      `<root_account>,arn:aws:iam::${A}:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
      `alice,arn:aws:iam::${A}:user/alice,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-08-26T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
      'broken,row',
    ].join('\n');
    const snapshot = buildSnapshot(
      account(
        { UserDetailList: [user('alice')] },
        { credentialReport: { file: 'report.csv', text } },
      ),
    );
    expect(snapshot.issues.map((i) => [i.code, i.path])).toEqual([
      ['invalid_credential_report', 'report.csv:4'],
    ]);
    const alice = snapshot.accounts[0]!.principals[0]!;
    expect(alice.credentials?.accessKeys[0]).toMatchObject({
      active: true,
      lastRotated: '2026-08-26T00:00:00+00:00',
      lastUsedDate: undefined,
    });
    expect(alice).toMatchObject({ kind: 'machine', kindReason: { code: 'access-key-only' } });
    expect(snapshot.accounts[0]!.root?.mfaActive).toBe(true);
  });
});

describe('organization.json', () => {
  const scp = (id: string, action: string) => ({
    name: id,
    type: 'SERVICE_CONTROL_POLICY',
    document: doc(action),
  });
  const organization = {
    organizationId: 'o-example',
    managementAccountId: '111111111111',
    policies: {
      full: scp('full', '*'),
      s3only: scp('s3only', 's3:*'),
      rcp: {
        name: 'rcp',
        type: 'RESOURCE_CONTROL_POLICY',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }],
        },
      },
    },
    root: {
      id: 'r-1',
      policies: ['full', 'rcp'],
      accounts: ['111111111111'],
      children: [
        { id: 'ou-1', name: 'Work', policies: ['s3only', 'missing'], accounts: [A], children: [] },
      ],
    },
    accounts: { [A]: { policies: ['full'] } },
  };
  it('gives each member account its SCP levels (root, OUs, account) and exempts the management account', () => {
    const snapshot = buildSnapshot({
      organization: { file: 'organization.json', json: organization },
      accounts: [],
    });
    expect(
      policyLevels(snapshot.organization, A, 'SERVICE_CONTROL_POLICY')?.map((level) =>
        level.map((p) => p.id),
      ),
    ).toEqual([['full'], ['s3only'], ['full']]);
    expect(
      policyLevels(snapshot.organization, A, 'RESOURCE_CONTROL_POLICY')?.map((level) =>
        level.map((p) => p.id),
      ),
    ).toEqual([['rcp']]);
    expect(
      policyLevels(snapshot.organization, '111111111111', 'SERVICE_CONTROL_POLICY'),
    ).toBeUndefined();
    expect(
      policyLevels(snapshot.organization, '999999999999', 'SERVICE_CONTROL_POLICY'),
    ).toBeUndefined();
    expect(snapshot.issues.map((i) => [i.code, i.path])).toEqual([
      ['invalid_organization', 'organization.json#/root/children/0/policies/1'],
    ]);
  });
});
