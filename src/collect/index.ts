/**
 * Live collection from AWS (docs/collect.md): writes the snapshot directory of docs/snapshot.md,
 * so collecting and analysing are separate steps.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { collectAccount, type AccountCollection } from './account.js';
import { collectAccessAdvisor, collectLookupEvents } from './activity.js';
import {
  awsClients,
  call,
  destroyClients,
  type AwsClients,
  type ClientConfig,
  type PollOptions,
} from './aws.js';
import { collectOrganization, type OrganizationCollection } from './organization.js';

export { collectAccount, type AccountCollection, type CollectWarning } from './account.js';
export { collectAccessAdvisor, collectLookupEvents } from './activity.js';
export {
  awsClients,
  CollectError,
  destroyClients,
  type AwsClients,
  type AwsCredentials,
  type ClientConfig,
  type PollOptions,
} from './aws.js';
export { collectOrganization, type OrganizationCollection } from './organization.js';

/** The role to assume into member accounts; `{account}` is replaced by the account id. */
export const DEFAULT_ROLE_ARN = 'arn:aws:iam::{account}:role/OrganizationAccountAccessRole';

/** Clients for another account, through `sts:AssumeRole`. */
export async function assumeInto(
  base: AwsClients,
  config: ClientConfig,
  roleArn: string,
): Promise<AwsClients> {
  const out = await call('sts:AssumeRole', () =>
    base.sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'leastpriv-collect' }),
    ),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey)
    throw new Error(`sts:AssumeRole returned no credentials for \`${roleArn}\``);
  return awsClients({
    ...config,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    },
  });
}

/** Input of `collectEstate`. */
export interface CollectEstateOptions {
  readonly config: ClientConfig;
  readonly out: string;
  /** Walk every account of the organization (from the management account). */
  readonly organization?: boolean;
  /** The role to assume into the other accounts (`{account}` is the account id). */
  readonly roleArn?: string;
  readonly poll?: PollOptions;
  /**
   * Activity: `LookupEvents` over the last `days` days and Access Advisor per user and role
   * (default 90; 0 collects neither).
   */
  readonly days?: number;
  /** Called after each account. */
  readonly onAccount?: (result: AccountCollection) => void;
}

/** What `collectEstate` wrote. */
export interface EstateCollection {
  readonly organization: OrganizationCollection | undefined;
  readonly accounts: readonly AccountCollection[];
}

/**
 * Collects the caller's account, or with `organization` every active account of the
 * organization: the caller's with its own credentials, the others through `roleArn`.
 */
export async function collectEstate(options: CollectEstateOptions): Promise<EstateCollection> {
  const base = awsClients(options.config);
  try {
    const identity = await call('sts:GetCallerIdentity', () =>
      base.sts.send(new GetCallerIdentityCommand({})),
    );
    const self = identity.Account ?? '';
    const organization = options.organization
      ? await collectOrganization({ clients: base, out: options.out })
      : undefined;
    const ids = organization ? organization.accounts.map((a) => a.id) : [self];
    const accounts: AccountCollection[] = [];
    for (const accountId of ids) {
      const clients =
        accountId === self
          ? base
          : await assumeInto(
              base,
              options.config,
              (options.roleArn ?? DEFAULT_ROLE_ARN).replaceAll('{account}', accountId),
            );
      try {
        const result = await collectAccount({
          clients,
          accountId,
          out: options.out,
          ...(options.poll ? { poll: options.poll } : {}),
        });
        const days = options.days ?? 90;
        if (days > 0) {
          const events = await collectLookupEvents({ clients, accountId, out: options.out, days });
          const advisor = await collectAccessAdvisor({
            clients,
            accountId,
            out: options.out,
            principals: result.principals,
            ...(options.poll ? { poll: options.poll } : {}),
          });
          const collected: AccountCollection = {
            ...result,
            files: [...result.files, events.file, advisor.file],
            warnings: [...result.warnings, ...advisor.warnings],
          };
          options.onAccount?.(collected);
          accounts.push(collected);
        } else {
          options.onAccount?.(result);
          accounts.push(result);
        }
      } finally {
        if (clients !== base) destroyClients(clients);
      }
    }
    return { organization, accounts };
  } finally {
    destroyClients(base);
  }
}
