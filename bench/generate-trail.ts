/**
 * A seeded synthetic CloudTrail trail for the usage benchmark: files as CloudTrail delivers them
 * (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<stamp>_<id>.json.gz`,
 * each `{"Records":[…]}`), with a realistic skew: a few principals and actions make most calls.
 * Run: `node dist/bench/generate-trail.js DIR [--records 1000000] [--seed 7]`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from './prng.js';

/** Options of a generated trail. */
export interface TrailOptions {
  readonly records: number;
  readonly seed: number;
  readonly recordsPerFile?: number;
  /**
   * The IAM users and roles that act (e.g. a generated estate's); 400 of them are picked, spread
   * over the list. Default: 400 made-up principals in three accounts.
   */
  readonly principals?: readonly {
    readonly arn: string;
    readonly type: 'user' | 'role';
    readonly account: string;
  }[];
}

interface Actor {
  readonly type: 'IAMUser' | 'AssumedRole';
  readonly arn: string;
  readonly issuer?: string;
  readonly account: string;
}

/** 400 actors: from the given principals (spread over the list), or made up. */
function actorsOf(options: TrailOptions, accounts: readonly string[]): Actor[] {
  const given = options.principals;
  if (given && given.length > 0)
    return Array.from({ length: Math.min(400, given.length) }, (_, i) => {
      const p = given[Math.floor((i * given.length) / Math.min(400, given.length))]!;
      return p.type === 'user'
        ? { type: 'IAMUser', arn: p.arn, account: p.account }
        : {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${p.account}:assumed-role/${p.arn.split('/').pop()}/session-${i}`,
            issuer: p.arn,
            account: p.account,
          };
    });
  return Array.from({ length: 400 }, (_, i) => {
    const account = accounts[i % 3]!;
    return i % 4 === 0
      ? { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/user-${i}`, account }
      : {
          type: 'AssumedRole',
          arn: `arn:aws:sts::${account}:assumed-role/role-${i}/session-${i}`,
          issuer: `arn:aws:iam::${account}:role/role-${i}`,
          account,
        };
  });
}

const CALLS: readonly [string, string][] = [
  ['s3.amazonaws.com', 'GetObject'],
  ['s3.amazonaws.com', 'PutObject'],
  ['s3.amazonaws.com', 'ListObjects'],
  ['s3.amazonaws.com', 'HeadObject'],
  ['sts.amazonaws.com', 'AssumeRole'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['kms.amazonaws.com', 'Decrypt'],
  ['kms.amazonaws.com', 'GenerateDataKey'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'RunInstances'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['lambda.amazonaws.com', 'Invoke'],
  ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2'],
  ['dynamodb.amazonaws.com', 'GetItem'],
  ['dynamodb.amazonaws.com', 'PutItem'],
  ['logs.amazonaws.com', 'PutLogEvents'],
  ['logs.amazonaws.com', 'CreateLogStream'],
  ['monitoring.amazonaws.com', 'PutMetricData'],
  ['sqs.amazonaws.com', 'SendMessage'],
  ['sqs.amazonaws.com', 'ReceiveMessage'],
  ['secretsmanager.amazonaws.com', 'GetSecretValue'],
  ['ssm.amazonaws.com', 'GetParameter'],
  ['iam.amazonaws.com', 'ListRoles'],
  ['iam.amazonaws.com', 'GetRole'],
  ['cloudformation.amazonaws.com', 'DescribeStacks'],
  ['ecr.amazonaws.com', 'GetAuthorizationToken'],
  ['sns.amazonaws.com', 'Publish'],
];

/** Writes the trail below `dir`; returns counts. */
export function generateTrail(
  dir: string,
  options: TrailOptions,
): { files: number; records: number; bytes: number } {
  const random = mulberry32(options.seed);
  const perFile = options.recordsPerFile ?? 1500;
  rmSync(join(dir, 'AWSLogs'), { recursive: true, force: true });
  const principals = actorsOf(options, ['111111111111', '222222222222', '333333333333']);
  const accounts = [...new Set(principals.map((p) => p.account))];
  // Zipf-like skew: index = floor(n * u^k) favours the first entries. Real trails are dominated by
  // a few automation identities calling the same APIs all day: principals k = 6 (the busiest 10
  // make about half the calls), calls k = 3.
  const pick = <T>(list: readonly T[], k: number) => list[Math.floor(list.length * random() ** k)]!;
  let files = 0;
  let bytes = 0;
  const start = Date.UTC(2026, 7, 26);
  for (let written = 0; written < options.records; written += perFile) {
    const n = Math.min(perFile, options.records - written);
    const fileTime = start + Math.floor((written / options.records) * 90 * 86_400_000);
    const stamp = new Date(fileTime).toISOString();
    const account = accounts[files % accounts.length]!;
    const Records = Array.from({ length: n }, () => {
      const p = pick(principals, 6);
      const [eventSource, eventName] = pick(CALLS, 3);
      const denied = random() < 0.01;
      return {
        eventVersion: '1.10',
        userIdentity:
          p.type === 'IAMUser'
            ? {
                type: 'IAMUser',
                principalId: 'AIDAEXAMPLE',
                arn: p.arn,
                accountId: p.account,
                accessKeyId: 'AKIAEXAMPLE',
                userName: p.arn.split('/').pop(),
              }
            : {
                type: 'AssumedRole',
                principalId: 'AROAEXAMPLE:s',
                arn: p.arn,
                accountId: p.account,
                accessKeyId: 'ASIAEXAMPLE',
                sessionContext: {
                  sessionIssuer: {
                    type: 'Role',
                    principalId: 'AROAEXAMPLE',
                    arn: p.issuer,
                    accountId: p.account,
                    userName: p.issuer!.split('/').pop(),
                  },
                  attributes: { creationDate: stamp, mfaAuthenticated: 'false' },
                },
              },
        eventTime: new Date(fileTime + Math.floor(random() * 300_000))
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        eventSource,
        eventName,
        awsRegion: 'eu-west-1',
        sourceIPAddress: '203.0.113.10',
        userAgent: 'aws-sdk-js/3.0.0 ua/2.1 os/linux lang/js md/nodejs#20.20.0',
        ...(denied
          ? {
              errorCode: 'AccessDenied',
              errorMessage: 'User is not authorized to perform this action',
            }
          : {}),
        requestParameters:
          eventSource === 's3.amazonaws.com'
            ? {
                bucketName: `bucket-${Math.floor(random() * 20)}`,
                key: `data/${Math.floor(random() * 50)}.parquet`,
              }
            : { maxResults: 100 },
        responseElements: null,
        requestID: `${Math.floor(random() * 1e12).toString(16)}`,
        eventID: `${Math.floor(random() * 1e15).toString(16)}`,
        readOnly:
          eventName.startsWith('Get') ||
          eventName.startsWith('Describe') ||
          eventName.startsWith('List'),
        eventType: 'AwsApiCall',
        managementEvent: eventSource !== 's3.amazonaws.com',
        recipientAccountId: account,
        eventCategory: eventSource === 's3.amazonaws.com' ? 'Data' : 'Management',
        tlsDetails: {
          tlsVersion: 'TLSv1.3',
          cipherSuite: 'TLS_AES_128_GCM_SHA256',
          clientProvidedHostHeader: `${eventSource.split('.')[0]}.eu-west-1.amazonaws.com`,
        },
      };
    });
    const d = new Date(fileTime);
    const folder = join(
      dir,
      'AWSLogs',
      account,
      'CloudTrail',
      'eu-west-1',
      String(d.getUTCFullYear()),
      String(d.getUTCMonth() + 1).padStart(2, '0'),
      String(d.getUTCDate()).padStart(2, '0'),
    );
    mkdirSync(folder, { recursive: true });
    const name = `${account}_CloudTrail_eu-west-1_${stamp.replace(/[-:]/g, '').slice(0, 13)}Z_${files.toString(36).padStart(16, '0')}.json.gz`;
    const raw = Buffer.from(JSON.stringify({ Records }));
    writeFileSync(join(folder, name), gzipSync(raw, { level: 1 }));
    bytes += raw.length;
    files += 1;
  }
  return { files, records: options.records, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  if (!dir) {
    console.error('usage: generate-trail DIR [--records N] [--seed S]');
    process.exit(2);
  }
  console.log(
    JSON.stringify(
      generateTrail(dir, { records: arg('records', 1_000_000), seed: arg('seed', 7) }),
    ),
  );
}
