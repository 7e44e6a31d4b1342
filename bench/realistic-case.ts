/**
 * The realistic mix the evaluator benchmark runs: three identity policies with conditions, a
 * permissions boundary, two SCP levels, an RCP level and a bucket policy, and a spread of requests.
 */
const A = '111122223333';

/** The policies of the benchmark case (the simulate case format). */
export const realisticPolicies = {
  identityPolicies: [
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadData',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
          Resource: ['arn:aws:s3:::data-*', 'arn:aws:s3:::data-*/*'],
        },
        {
          Sid: 'OwnPrefix',
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:DeleteObject'],
          Resource: 'arn:aws:s3:::data-lake/home/${aws:username}/*',
        },
        {
          Sid: 'FromCorp',
          Effect: 'Allow',
          Action: 'dynamodb:*',
          Resource: `arn:aws:dynamodb:*:${A}:table/app-*`,
          Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] } },
        },
        {
          Sid: 'DenyUnencrypted',
          Effect: 'Deny',
          Action: 's3:PutObject',
          Resource: '*',
          Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
        },
      ],
    },
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TeamTagged',
          Effect: 'Allow',
          Action: ['ec2:StartInstances', 'ec2:StopInstances', 'ec2:Describe*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
        },
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:*:${A}:log-group:/app/*`,
        },
      ],
    },
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadOnlyIam', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
        {
          Sid: 'MfaForWrites',
          Effect: 'Deny',
          NotAction: ['iam:Get*', 'iam:List*', 'sts:GetCallerIdentity'],
          Resource: '*',
          Condition: {
            BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
            'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] },
          },
        },
      ],
    },
  ],
  permissionBoundary: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Boundary',
        Effect: 'Allow',
        Action: ['s3:*', 'dynamodb:*', 'ec2:*', 'logs:*', 'iam:Get*', 'iam:List*'],
        Resource: '*',
      },
      {
        Sid: 'NoIamWrites',
        Effect: 'Deny',
        Action: ['iam:Create*', 'iam:Put*', 'iam:Attach*'],
        Resource: '*',
      },
    ],
  },
  serviceControlPolicies: [
    [
      {
        Version: '2012-10-17',
        Statement: [{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }],
      },
    ],
    [
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Sid: 'RegionLock',
            Effect: 'Deny',
            NotAction: ['iam:*', 'sts:*', 'organizations:*', 'support:*'],
            Resource: '*',
            Condition: {
              StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] },
              ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/BreakGlass` },
            },
          },
        ],
      },
    ],
  ],
  resourceControlPolicies: [
    [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    ],
  ],
  resourcePolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Analysts',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:role/analyst` },
        Action: ['s3:GetObject'],
        Resource: 'arn:aws:s3:::data-lake/*',
      },
      {
        Sid: 'OrgOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::data-lake', 'arn:aws:s3:::data-lake/*'],
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-exampleorgid' } },
      },
    ],
  },
};

const principals = [
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:iam::${A}:user/bob`,
  `arn:aws:sts::${A}:assumed-role/analyst/s1`,
  `arn:aws:sts::${A}:assumed-role/app/i-0abc`,
];
const requests = [
  ['s3:GetObject', 'arn:aws:s3:::data-lake/home/alice/report.csv'],
  ['s3:PutObject', 'arn:aws:s3:::data-lake/home/alice/out.parquet'],
  ['s3:ListBucket', 'arn:aws:s3:::data-lake'],
  ['dynamodb:GetItem', `arn:aws:dynamodb:eu-west-1:${A}:table/app-orders`],
  ['ec2:StopInstances', `arn:aws:ec2:eu-west-1:${A}:instance/i-0123456789abcdef0`],
  ['iam:CreateUser', `arn:aws:iam::${A}:user/mallory`],
  ['iam:GetRole', `arn:aws:iam::${A}:role/app`],
  ['logs:PutLogEvents', `arn:aws:logs:eu-west-1:${A}:log-group:/app/web:log-stream:1`],
] as const;

/** A deterministic spread of requests over principals, actions, resources and contexts. */
export function realisticRequests(count: number): {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}[] {
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const [action, resource] = requests[i % requests.length]!;
    out.push({
      principal: principals[(i >> 3) % principals.length]!,
      action,
      resource,
      context: {
        'aws:SourceIp': i % 3 === 0 ? '10.20.30.40' : '203.0.113.9',
        'aws:SecureTransport': i % 7 === 0 ? 'false' : 'true',
        'aws:RequestedRegion': i % 5 === 0 ? 'us-east-1' : 'eu-west-1',
        'aws:PrincipalTag/team': 'data',
        'aws:ResourceTag/team': i % 2 === 0 ? 'data' : 'web',
        'aws:PrincipalOrgID': 'o-exampleorgid',
        'aws:MultiFactorAuthPresent': i % 4 === 0 ? 'false' : 'true',
        's3:x-amz-server-side-encryption': 'aws:kms',
      },
    });
  }
  return out;
}
