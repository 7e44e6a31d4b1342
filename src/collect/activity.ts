/**
 * Activity for `leastpriv usage ingest`: CloudTrail `LookupEvents` for the last N days (the
 * management events of the client's region) and IAM Access Advisor per user and role.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import type { CollectWarning } from './account.js';
import {
  call,
  cliJson,
  collectError,
  DEFAULT_POLL,
  poll,
  writeFileAtomic,
  type AwsClients,
  type PollOptions,
} from './aws.js';

/**
 * Writes `OUT/cloudtrail/lookup-events-<account>.json`, `{ "Events": [ … ] }` as
 * `aws cloudtrail lookup-events` prints it, page by page (`NextToken`), so the events are never
 * all in memory. Throttling (LookupEvents allows 2 calls a second) is retried by the SDK.
 */
export async function collectLookupEvents(options: {
  readonly clients: Pick<AwsClients, 'cloudtrail'>;
  readonly accountId: string;
  readonly out: string;
  readonly days: number;
  /** The end of the window (default now). */
  readonly now?: Date;
}): Promise<{ file: string; events: number; pages: number }> {
  const end = options.now ?? new Date();
  const start = new Date(end.getTime() - options.days * 86_400_000);
  const file = join(options.out, 'cloudtrail', `lookup-events-${options.accountId}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, 'w');
  let events = 0;
  let pages = 0;
  try {
    writeSync(fd, '{"Events":[');
    let token: string | undefined;
    do {
      const page = await call('cloudtrail:LookupEvents', () =>
        options.clients.cloudtrail.send(
          new LookupEventsCommand({
            StartTime: start,
            EndTime: end,
            MaxResults: 50,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      pages++;
      for (const event of page.Events ?? [])
        writeSync(fd, `${events++ === 0 ? '\n' : ',\n'}${JSON.stringify(cliJson(event))}`);
      token = page.NextToken;
    } while (token);
    writeSync(fd, '\n]}\n');
    closeSync(fd);
    renameSync(temp, file);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw e;
  }
  return { file, events, pages };
}

/** One principal's Access Advisor report: job started, polled until done, every page merged. */
async function lastAccessed(
  clients: Pick<AwsClients, 'iam'>,
  arn: string,
  options: PollOptions,
): Promise<Record<string, unknown>> {
  const job = await call('iam:GenerateServiceLastAccessedDetails', () =>
    clients.iam.send(
      new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: 'ACTION_LEVEL' }),
    ),
  );
  const jobId = job.JobId ?? '';
  const first = await poll(`the Access Advisor report of \`${arn}\``, options, async () => {
    const r = await call('iam:GetServiceLastAccessedDetails', () =>
      clients.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId })),
    );
    return r.JobStatus === 'IN_PROGRESS' ? undefined : r;
  });
  if (first.JobStatus === 'FAILED')
    throw new Error(`the job failed: ${first.Error?.Message ?? first.Error?.Code ?? 'no reason'}`);
  const services = [...(first.ServicesLastAccessed ?? [])];
  let page: GetServiceLastAccessedDetailsCommandOutput = first;
  while (page.IsTruncated && page.Marker) {
    const marker = page.Marker;
    page = await call('iam:GetServiceLastAccessedDetails', () =>
      clients.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: marker })),
    );
    services.push(...(page.ServicesLastAccessed ?? []));
  }
  const { IsTruncated: _truncated, Marker: _marker, ...output } = first;
  return cliJson({ ...output, ServicesLastAccessed: services }) as Record<string, unknown>;
}

/**
 * Writes `OUT/accounts/<id>/access-advisor.json`: `{ "<principal ARN>": <GetServiceLastAccessedDetails output> }`
 * for the given users and roles, a few jobs at a time. A principal whose job fails is a warning.
 */
export async function collectAccessAdvisor(options: {
  readonly clients: Pick<AwsClients, 'iam'>;
  readonly accountId: string;
  readonly out: string;
  readonly principals: readonly string[];
  readonly poll?: PollOptions;
  readonly concurrency?: number;
}): Promise<{ file: string; principals: number; warnings: CollectWarning[] }> {
  const result: Record<string, unknown> = {};
  const warnings: CollectWarning[] = [];
  const queue = [...options.principals];
  const worker = async (): Promise<void> => {
    for (let arn = queue.shift(); arn !== undefined; arn = queue.shift()) {
      try {
        result[arn] = await lastAccessed(options.clients, arn, options.poll ?? DEFAULT_POLL);
      } catch (e) {
        const err = collectError('iam:GetServiceLastAccessedDetails', e);
        if (err.code === 'expired_credentials') throw err;
        warnings.push({ code: 'access_advisor_unavailable', message: err.message, path: arn });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  // In the order asked, whatever order the jobs finished in.
  const ordered = Object.fromEntries(
    options.principals.filter((a) => a in result).map((a) => [a, result[a]]),
  );
  const file = join(options.out, 'accounts', options.accountId, 'access-advisor.json');
  writeFileAtomic(file, `${JSON.stringify(ordered, null, 2)}\n`);
  return { file, principals: Object.keys(ordered).length, warnings };
}
