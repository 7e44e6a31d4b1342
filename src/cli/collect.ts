/**
 * `leastpriv collect --out DIR [--org] [--role-arn TEMPLATE] [--days 90] [--region R] [--endpoint URL]`:
 * writes a snapshot directory from live AWS accounts (docs/collect.md).
 */
import { parseArgs } from 'node:util';
import { CollectError, collectEstate, DEFAULT_ROLE_ARN } from '../collect/index.js';

type Out = NodeJS.WritableStream;

const USAGE =
  'usage: leastpriv collect --out DIR [--org] [--role-arn TEMPLATE] [--days 90] [--region R] [--endpoint URL]\n';

/** Runs `leastpriv collect`; returns the exit code (0 done, 1 AWS refused, 2 bad arguments). */
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
  const days = /^\d+$/.test(values.days) ? Number(values.days) : NaN;
  if (!(days >= 0 && days <= 90)) {
    err.write(
      `leastpriv collect: \`--days\` must be 0 to 90 (LookupEvents keeps 90 days): \`${values.days}\`\n`,
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
      onAccount: (a) =>
        err.write(
          `collected ${a.accountId}: ${a.counts.users} users, ${a.counts.roles} roles, ${a.counts.policies} policies, ${a.counts.resourcePolicies} resource policies\n`,
        ),
    });
    out.write(
      `${JSON.stringify(
        {
          out: values.out,
          organization: result.organization
            ? { id: result.organization.organizationId, policies: result.organization.policies }
            : null,
          accounts: result.accounts.map((a) => ({ id: a.accountId, ...a.counts })),
          warnings: result.accounts.flatMap((a) => a.warnings),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof CollectError) {
      err.write(`leastpriv collect: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
