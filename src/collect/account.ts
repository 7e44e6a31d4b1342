/**
 * One account's files of the snapshot directory (docs/snapshot.md): authorization details, the
 * credential report and the resource policies of S3 buckets and KMS keys.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { GetKeyPolicyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetBucketPolicyCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import {
  awsErrorCode,
  call,
  cliJson,
  collectError,
  DEFAULT_POLL,
  poll,
  writeFileAtomic,
  type AwsClients,
  type PollOptions,
} from './aws.js';

/** A problem that did not stop collection (one bucket's policy could not be read, …). */
export interface CollectWarning {
  readonly code: string;
  readonly message: string;
  readonly path: string;
}

/** What `collectAccount` wrote. */
export interface AccountCollection {
  readonly accountId: string;
  readonly files: readonly string[];
  /** The ARNs of the account's users and roles (for Access Advisor). */
  readonly principals: readonly string[];
  readonly counts: {
    readonly users: number;
    readonly groups: number;
    readonly roles: number;
    readonly policies: number;
    readonly authorizationDetailsPages: number;
    readonly resourcePolicies: number;
  };
  readonly warnings: readonly CollectWarning[];
}

/** Input of `collectAccount`. */
export interface CollectAccountOptions {
  readonly clients: Pick<AwsClients, 'iam' | 's3' | 'kms'>;
  readonly accountId: string;
  /** The snapshot directory: files go to `OUT/accounts/<accountId>/`. */
  readonly out: string;
  readonly poll?: PollOptions;
  /** Skip S3 bucket and KMS key policies. */
  readonly skipResourcePolicies?: boolean;
}

const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;
type AuthorizationDetails = Record<(typeof LISTS)[number], unknown[]>;

/**
 * Every page of `GetAccountAuthorizationDetails`, merged into one document as
 * `aws iam get-account-authorization-details` prints it.
 */
export async function authorizationDetails(
  clients: Pick<AwsClients, 'iam'>,
): Promise<{ details: AuthorizationDetails; pages: number }> {
  const details: AuthorizationDetails = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  let marker: string | undefined;
  let pages = 0;
  do {
    const page: GetAccountAuthorizationDetailsCommandOutput = await call(
      'iam:GetAccountAuthorizationDetails',
      () =>
        clients.iam.send(
          new GetAccountAuthorizationDetailsCommand({
            MaxItems: 1000,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
    );
    pages++;
    const json = cliJson(page) as Record<string, unknown>;
    for (const list of LISTS) {
      const items = json[list];
      if (Array.isArray(items)) details[list].push(...(items as unknown[]));
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return { details, pages };
}

/** Generates the credential report, waits until it is complete, and returns the decoded CSV. */
export async function credentialReport(
  clients: Pick<AwsClients, 'iam'>,
  options: PollOptions = DEFAULT_POLL,
): Promise<string> {
  await poll('the credential report', options, async () => {
    const state = await call('iam:GenerateCredentialReport', () =>
      clients.iam.send(new GenerateCredentialReportCommand({})),
    );
    return state.State === 'COMPLETE' ? true : undefined;
  });
  const report = await call('iam:GetCredentialReport', () =>
    clients.iam.send(new GetCredentialReportCommand({})),
  );
  // The API sends the CSV base64-encoded; the SDK has already decoded the blob into bytes.
  const text = Buffer.from(report.Content ?? new Uint8Array()).toString('utf8');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * `{ "<resource ARN>": <policy document> }` for every S3 bucket with a policy and every KMS key
 * in the client's region. A bucket without a policy is skipped; one that cannot be read is a
 * warning, and the others are still collected.
 */
export async function resourcePolicies(
  clients: Pick<AwsClients, 's3' | 'kms'>,
  warnings: CollectWarning[],
): Promise<Record<string, unknown>> {
  const policies: Record<string, unknown> = {};
  const document = (arn: string, text: string | undefined): void => {
    if (!text) return;
    try {
      policies[arn] = JSON.parse(text) as unknown;
    } catch {
      // Keep it as AWS sent it: the snapshot reader reports a policy that is not JSON.
      policies[arn] = text;
    }
  };
  const skip = (arn: string, callName: string, e: unknown): void => {
    const err = collectError(callName, e);
    if (err.code === 'expired_credentials') throw err;
    warnings.push({ code: 'resource_policy_unreadable', message: err.message, path: arn });
  };

  let token: string | undefined;
  do {
    const page = await call('s3:ListBuckets', () =>
      clients.s3.send(new ListBucketsCommand(token ? { ContinuationToken: token } : {})),
    );
    for (const bucket of page.Buckets ?? []) {
      if (!bucket.Name) continue;
      const arn = `arn:aws:s3:::${bucket.Name}`;
      try {
        const out = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket.Name }));
        document(arn, out.Policy);
      } catch (e) {
        if (awsErrorCode(e) !== 'NoSuchBucketPolicy') skip(arn, 's3:GetBucketPolicy', e);
      }
    }
    token = page.ContinuationToken;
  } while (token);

  let marker: string | undefined;
  do {
    const page = await call('kms:ListKeys', () =>
      clients.kms.send(new ListKeysCommand(marker ? { Marker: marker } : {})),
    );
    for (const key of page.Keys ?? []) {
      if (!key.KeyId || !key.KeyArn) continue;
      try {
        const out = await clients.kms.send(
          new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }),
        );
        document(key.KeyArn, out.Policy);
      } catch (e) {
        skip(key.KeyArn, 'kms:GetKeyPolicy', e);
      }
    }
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return policies;
}

/**
 * Collects one account into `OUT/accounts/<id>/`: `authorization-details.json` (every page
 * merged), `credential-report.csv` and `resource-policies.json`. Each file is written atomically;
 * pages left by an earlier export (`authorization-details-2.json`, …) are removed, since the
 * reader would join them with the new file.
 */
export async function collectAccount(options: CollectAccountOptions): Promise<AccountCollection> {
  const folder = join(options.out, 'accounts', options.accountId);
  const files: string[] = [];
  const warnings: CollectWarning[] = [];
  const { details, pages } = await authorizationDetails(options.clients);
  const detailsPath = join(folder, 'authorization-details.json');
  writeFileAtomic(detailsPath, `${JSON.stringify(details, null, 2)}\n`);
  files.push(detailsPath);
  for (const stale of readdirSync(folder).filter((f) => /^authorization-details.+\.json$/.test(f)))
    rmSync(join(folder, stale), { force: true });

  const csv = await credentialReport(options.clients, options.poll);
  const reportPath = join(folder, 'credential-report.csv');
  writeFileAtomic(reportPath, csv);
  files.push(reportPath);

  let resourceCount = 0;
  if (!options.skipResourcePolicies) {
    const policies = await resourcePolicies(options.clients, warnings);
    const policiesPath = join(folder, 'resource-policies.json');
    writeFileAtomic(policiesPath, `${JSON.stringify(policies, null, 2)}\n`);
    files.push(policiesPath);
    resourceCount = Object.keys(policies).length;
  }
  const arns = [...details.UserDetailList, ...details.RoleDetailList].flatMap((p) => {
    const arn = (p as { Arn?: unknown }).Arn;
    return typeof arn === 'string' ? [arn] : [];
  });
  return {
    accountId: options.accountId,
    files,
    principals: [...new Set(arns)],
    counts: {
      users: details.UserDetailList.length,
      groups: details.GroupDetailList.length,
      roles: details.RoleDetailList.length,
      policies: details.Policies.length,
      authorizationDetailsPages: pages,
      resourcePolicies: resourceCount,
    },
    warnings,
  };
}
