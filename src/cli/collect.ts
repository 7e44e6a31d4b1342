/**
 * `leastpriv collect --out DIR [--org] [--role-arn TEMPLATE] [--days 90] [--trail-bucket BUCKET
 * [--trail-prefix PREFIX]] [--region R] [--endpoint URL]`: writes a snapshot directory from live
 * AWS accounts (docs/collect.md).
 */
import { parseArgs } from 'node:util';
import { CollectError, collectEstate, DEFAULT_ROLE_ARN } from '../collect/index.js';

type Out = NodeJS.WritableStream;

const USAGE =
  'usage: leastpriv collect --out DIR [--org] [--role-arn TEMPLATE] [--days 90] ' +
  '[--trail-bucket BUCKET [--trail-prefix PREFIX]] [--region R] [--endpoint URL]\n' +
  '  --trail-bucket  download the CloudTrail log files of the window from this S3 bucket into\n' +
  '                  OUT/cloudtrail/ (instead of LookupEvents; --days up to 400)\n' +
  "  --trail-prefix  the trail's S3 key prefix (the part before AWSLogs/)\n";

/** The longest window: LookupEvents keeps 90 days; a trail bucket keeps what it keeps. */
const MAX_DAYS = { lookupEvents: 90, trailBucket: 400 } as const;

/**
 * Runs `leastpriv collect`; returns the exit code (0 done, 1 AWS refused or, with `--org`, no
 * account could be collected, 2 bad arguments).
 */
export async function collectCommand(args: readonly string[], out: Out, err: Out): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        org: { type: 'boolean', default: false },
        'role-arn': { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        days: { type: 'string', default: '90' },
        'trail-bucket': { type: 'string' },
        'trail-prefix': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    err.write(`leastpriv collect: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (!values.out) {
    err.write(`leastpriv collect: \`--out DIR\` is required\n${USAGE}`);
    return 2;
  }
  const bucket = values['trail-bucket'];
  if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    err.write(`leastpriv collect: \`--trail-bucket\` is not an S3 bucket name: \`${bucket}\`\n`);
    return 2;
  }
  if (values['trail-prefix'] !== undefined && bucket === undefined) {
    err.write(`leastpriv collect: \`--trail-prefix\` needs \`--trail-bucket\`\n${USAGE}`);
    return 2;
  }
  const maxDays = bucket === undefined ? MAX_DAYS.lookupEvents : MAX_DAYS.trailBucket;
  const days = /^\d+$/.test(values.days) ? Number(values.days) : NaN;
  if (!(days >= 0 && days <= maxDays)) {
    err.write(
      bucket === undefined
        ? `leastpriv collect: \`--days\` must be 0 to 90 (LookupEvents keeps 90 days; use \`--trail-bucket\` for up to 400): \`${values.days}\`\n`
        : `leastpriv collect: \`--days\` must be 0 to 400: \`${values.days}\`\n`,
    );
    return 2;
  }
  const roleArn = values['role-arn'] ?? DEFAULT_ROLE_ARN;
  if (!roleArn.includes('{account}')) {
    err.write(`leastpriv collect: \`--role-arn\` must contain \`{account}\`: \`${roleArn}\`\n`);
    return 2;
  }
  const region =
    values.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  try {
    const result = await collectEstate({
      config: { region, ...(values.endpoint ? { endpoint: values.endpoint } : {}) },
      out: values.out,
      organization: values.org,
      roleArn,
      days,
      ...(bucket !== undefined
        ? {
            trail: {
              bucket,
              ...(values['trail-prefix'] ? { prefix: values['trail-prefix'] } : {}),
            },
          }
        : {}),
      onAccount: (a) =>
        err.write(
          `collected ${a.accountId}: ${a.counts.users} users, ${a.counts.roles} roles, ${a.counts.policies} policies, ${a.counts.resourcePolicies} resource policies\n`,
        ),
      onSkip: (s) => err.write(`skipped ${s.account}: ${s.reason}\n`),
    });
    const trail = result.trail;
    out.write(
      `${JSON.stringify(
        {
          out: values.out,
          organization: result.organization
            ? { id: result.organization.organizationId, policies: result.organization.policies }
            : null,
          accounts: result.accounts.map((a) => ({ id: a.accountId, ...a.counts })),
          warnings: [...result.accounts.flatMap((a) => a.warnings), ...(trail?.warnings ?? [])],
          skipped: result.skipped,
          ...(trail
            ? {
                trail: {
                  bucket: trail.bucket,
                  accounts: trail.accounts,
                  files: trail.files,
                  downloaded: trail.downloaded,
                  unchanged: trail.unchanged,
                  bytes: trail.bytes,
                },
              }
            : {}),
        },
        null,
        2,
      )}\n`,
    );
    return result.accounts.length > 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof CollectError) {
      err.write(`leastpriv collect: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
