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
  CollectError,
  destroyClients,
  type AwsClients,
  type ClientConfig,
  type PollOptions,
} from './aws.js';
import { collectOrganization, type OrganizationCollection } from './organization.js';
import {
  unusedAccessFindings,
  writeAccessAnalyzerFindings,
  type UnusedAccessFindings,
} from './access-analyzer.js';
import { collectTrailFiles, removeLookupEvents, type TrailCollection } from './trail.js';

export {
  unusedAccessFindings,
  writeAccessAnalyzerFindings,
  UNUSED_ACCESS_TYPES,
  UNUSED_FINDING_TYPES,
  type UnusedAccessFindings,
} from './access-analyzer.js';
export { collectTrailFiles, windowDays, type TrailCollection } from './trail.js';
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
   * Activity: `LookupEvents` (or the trail bucket's files) over the last `days` days and Access
   * Advisor per user and role (default 90; 0 collects neither).
   */
  readonly days?: number;
  /**
   * CloudTrail log files from the trail's S3 bucket (read with the caller's credentials) instead
   * of `LookupEvents`: the same events must not be counted twice.
   */
  readonly trail?: { readonly bucket: string; readonly prefix?: string };
  /** IAM Access Analyzer unused-access findings (default true). */
  readonly accessAnalyzer?: boolean;
  /** The end of the activity window (default now). */
  readonly now?: Date;
  /** Called after each account (before its Access Analyzer file, written at the end). */
  readonly onAccount?: (result: AccountCollection) => void;
  /** Called for each account skipped (`organization` only). */
  readonly onSkip?: (skipped: SkippedAccount) => void;
}

/** An account of the organization that could not be collected, and why. */
export interface SkippedAccount {
  readonly account: string;
  readonly reason: string;
}

/** What `collectEstate` wrote. */
export interface EstateCollection {
  readonly organization: OrganizationCollection | undefined;
  readonly accounts: readonly AccountCollection[];
  /** Accounts of the organization skipped (the role could not be assumed, a call failed). */
  readonly skipped: readonly SkippedAccount[];
  /** The trail bucket's files, when `trail` was given. */
  readonly trail?: TrailCollection;
}

/** One account: snapshot files, activity, and what its Access Analyzer reports. */
async function collectOne(
  options: CollectEstateOptions,
  clients: AwsClients,
  accountId: string,
): Promise<{ collected: AccountCollection; analyzer: UnusedAccessFindings | undefined }> {
  const result = await collectAccount({
    clients,
    accountId,
    out: options.out,
    ...(options.poll ? { poll: options.poll } : {}),
  });
  const files = [...result.files];
  const warnings = [...result.warnings];
  const days = options.days ?? 90;
  if (days > 0) {
    if (!options.trail) {
      const events = await collectLookupEvents({
        clients,
        accountId,
        out: options.out,
        days,
        ...(options.now ? { now: options.now } : {}),
      });
      files.push(events.file);
    }
    const advisor = await collectAccessAdvisor({
      clients,
      accountId,
      out: options.out,
      principals: result.principals,
      ...(options.poll ? { poll: options.poll } : {}),
    });
    files.push(advisor.file);
    warnings.push(...advisor.warnings);
  }
  const analyzer =
    options.accessAnalyzer === false
      ? undefined
      : await unusedAccessFindings({ clients, accountId });
  return { collected: { ...result, files, warnings }, analyzer };
}

/**
 * Collects the caller's account, or with `organization` every active account of the
 * organization: the caller's with its own credentials, the others through `roleArn`. With
 * `organization`, an account whose role cannot be assumed or whose collection fails is skipped
 * (named in `skipped` with the reason) and the others are still collected; expired credentials
 * stop the run. Access Analyzer findings are written per account once every account is read (an
 * organization analyzer of one account covers the others).
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
    const skipped: SkippedAccount[] = [];
    const analyzers = new Map<string, UnusedAccessFindings>();
    for (const accountId of ids) {
      let clients: AwsClients | undefined;
      try {
        clients =
          accountId === self
            ? base
            : await assumeInto(
                base,
                options.config,
                (options.roleArn ?? DEFAULT_ROLE_ARN).replaceAll('{account}', accountId),
              );
        const { collected, analyzer } = await collectOne(options, clients, accountId);
        if (analyzer) analyzers.set(accountId, analyzer);
        accounts.push(collected);
        options.onAccount?.(collected);
      } catch (e) {
        // One account's failure does not stop an organization's run; expired credentials do.
        if (!organization || (e instanceof CollectError && e.code === 'expired_credentials'))
          throw e;
        const reason = e instanceof Error ? e.message : String(e);
        const skip = { account: accountId, reason };
        skipped.push(skip);
        options.onSkip?.(skip);
        continue;
      } finally {
        if (clients && clients !== base) destroyClients(clients);
      }
    }

    // Access Analyzer: an account is covered by its own account analyzer and by any
    // organization analyzer found (in the management or delegated administrator account).
    const orgAnalyzers = [...analyzers.values()].flatMap((a) =>
      a.analyzers.filter((x) => x.type === 'ORGANIZATION_UNUSED_ACCESS'),
    );
    const orgFindings = [...analyzers.values()].flatMap((a) =>
      a.findings.filter((f) => orgAnalyzers.some((x) => x.arn === f.analyzerArn)),
    );
    for (const [i, account] of accounts.entries()) {
      const own = analyzers.get(account.accountId);
      if (!own) continue;
      const mine = own.analyzers.filter((x) => x.type === 'ACCOUNT_UNUSED_ACCESS');
      const covering = [...mine, ...orgAnalyzers];
      const warnings = [...account.warnings];
      if (covering.length === 0) warnings.push(...own.warnings);
      else {
        // "No analyzer here" is no problem when an organization analyzer covers the account.
        warnings.push(...own.warnings.filter((w) => !/no active unused-access/.test(w.message)));
        const seen = new Set<string>();
        const findings = [
          ...own.findings.filter((f) => mine.some((x) => x.arn === f.analyzerArn)),
          ...orgFindings,
        ].filter((f) => {
          const key = `${f.analyzerArn} ${f.id}`;
          return seen.has(key) ? false : (seen.add(key), true);
        });
        const written = writeAccessAnalyzerFindings(
          options.out,
          account.accountId,
          covering,
          findings,
        );
        accounts[i] = { ...account, files: [...account.files, written.file], warnings };
        continue;
      }
      accounts[i] = { ...account, warnings };
    }

    let trail: TrailCollection | undefined;
    const days = options.days ?? 90;
    if (options.trail && days > 0 && accounts.length > 0) {
      const collectedIds = accounts.map((a) => a.accountId);
      trail = await collectTrailFiles({
        clients: base,
        bucket: options.trail.bucket,
        ...(options.trail.prefix ? { prefix: options.trail.prefix } : {}),
        out: options.out,
        days,
        ...(options.now ? { now: options.now } : {}),
        accounts: collectedIds,
      });
      // A LookupEvents export of an earlier run holds some of the same events.
      removeLookupEvents(options.out, collectedIds);
    }
    return { organization, accounts, skipped, ...(trail ? { trail } : {}) };
  } finally {
    destroyClients(base);
  }
}
