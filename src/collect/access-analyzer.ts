/**
 * IAM Access Analyzer unused-access findings, to show next to ours: `ListAnalyzers` (types
 * `ACCOUNT_UNUSED_ACCESS` and `ORGANIZATION_UNUSED_ACCESS`), `ListFindingsV2` (active findings,
 * every page), then `GetFindingV2` for each finding's details (every page of `findingDetails`).
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListAnalyzers.html
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListFindingsV2.html
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_GetFindingV2.html
 */
import { join } from 'node:path';
import {
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  type AnalyzerSummary,
  type GetFindingV2CommandOutput,
  type Type,
} from '@aws-sdk/client-accessanalyzer';
import type { CollectWarning } from './account.js';
import { call, cliJson, collectError, writeFileAtomic, type AwsClients } from './aws.js';

/** The analyzer types whose findings are about unused access. */
export const UNUSED_ACCESS_TYPES: readonly Type[] = [
  'ACCOUNT_UNUSED_ACCESS',
  'ORGANIZATION_UNUSED_ACCESS',
];

/** The finding types of unused-access analyzers. */
export const UNUSED_FINDING_TYPES = [
  'UnusedIAMRole',
  'UnusedIAMUserAccessKey',
  'UnusedIAMUserPassword',
  'UnusedPermission',
] as const;

/** An analyzer as `aws accessanalyzer list-analyzers` prints it. */
export type AnalyzerJson = Record<string, unknown> & {
  readonly arn: string;
  readonly type: string;
};

/** A finding as `aws accessanalyzer get-finding-v2` prints it, every details page merged. */
export type FindingJson = Record<string, unknown> & {
  readonly id: string;
  readonly resource: string;
  readonly resourceOwnerAccount: string;
  readonly findingType: string;
  readonly findingDetails: readonly unknown[];
  /** The analyzer that reported it (added: the API answer does not name it). */
  readonly analyzerArn: string;
};

/** What one account's analyzers report (for every account they cover). */
export interface UnusedAccessFindings {
  readonly analyzers: readonly AnalyzerJson[];
  readonly findings: readonly FindingJson[];
  readonly warnings: readonly CollectWarning[];
}

/** Why an answer is not what GetFindingV2 documents, or undefined when it is. */
function malformed(finding: GetFindingV2CommandOutput): string | undefined {
  if (typeof finding.id !== 'string' || finding.id === '') return 'no `id`';
  if (typeof finding.resource !== 'string' || !finding.resource.startsWith('arn:'))
    return 'no `resource` ARN';
  if (!(UNUSED_FINDING_TYPES as readonly string[]).includes(String(finding.findingType)))
    return `\`findingType\` \`${String(finding.findingType)}\` is not an unused-access type`;
  if (finding.findingDetails !== undefined && !Array.isArray(finding.findingDetails))
    return '`findingDetails` is not a list';
  return undefined;
}

/** One finding's details, every page (`nextToken`) of `findingDetails` merged. */
async function findingDetails(
  clients: Pick<AwsClients, 'accessAnalyzer'>,
  analyzerArn: string,
  id: string,
): Promise<FindingJson> {
  const details: unknown[] = [];
  let first: GetFindingV2CommandOutput | undefined;
  let token: string | undefined;
  do {
    const page: GetFindingV2CommandOutput = await call('access-analyzer:GetFindingV2', () =>
      clients.accessAnalyzer.send(
        new GetFindingV2Command({ analyzerArn, id, ...(token ? { nextToken: token } : {}) }),
      ),
    );
    const problem = malformed(page);
    if (problem) throw new Error(`a malformed answer: ${problem}`);
    first ??= page;
    details.push(...(page.findingDetails ?? []));
    token = page.nextToken;
  } while (token);
  const { nextToken: _next, ...rest } = first;
  return {
    ...(cliJson({ ...rest, findingDetails: details }) as FindingJson),
    analyzerArn,
  };
}

/**
 * The unused-access analyzers of the client's account and their active findings. No analyzer,
 * or access denied, is a warning; a finding that cannot be read or is malformed is a warning
 * naming it, and the findings read before it are kept.
 */
export async function unusedAccessFindings(options: {
  readonly clients: Pick<AwsClients, 'accessAnalyzer'>;
  readonly accountId: string;
  readonly concurrency?: number;
}): Promise<UnusedAccessFindings> {
  const { clients, accountId } = options;
  const warnings: CollectWarning[] = [];
  const warn = (callName: string, path: string, e: unknown, prefix = ''): void => {
    const err = collectError(callName, e);
    if (err.code === 'expired_credentials') throw err;
    warnings.push({
      code: 'access_analyzer_unavailable',
      message: `${prefix}${err.message}`,
      path,
    });
  };
  const analyzers: AnalyzerSummary[] = [];
  try {
    for (const type of UNUSED_ACCESS_TYPES) {
      let token: string | undefined;
      do {
        const page = await call('access-analyzer:ListAnalyzers', () =>
          clients.accessAnalyzer.send(
            new ListAnalyzersCommand({ type, ...(token ? { nextToken: token } : {}) }),
          ),
        );
        analyzers.push(...(page.analyzers ?? []).filter((a) => a.arn && a.status === 'ACTIVE'));
        token = page.nextToken;
      } while (token);
    }
  } catch (e) {
    warn('access-analyzer:ListAnalyzers', `account ${accountId}`, e);
    return { analyzers: [], findings: [], warnings };
  }
  if (analyzers.length === 0) {
    warnings.push({
      code: 'access_analyzer_unavailable',
      message: `account ${accountId} has no active unused-access analyzer (ACCOUNT_UNUSED_ACCESS or ORGANIZATION_UNUSED_ACCESS): no Access Analyzer findings to compare`,
      path: `account ${accountId}`,
    });
    return { analyzers: [], findings: [], warnings };
  }

  const findings: FindingJson[] = [];
  for (const analyzer of analyzers) {
    const analyzerArn = analyzer.arn!;
    const ids: string[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await call('access-analyzer:ListFindingsV2', () =>
          clients.accessAnalyzer.send(
            new ListFindingsV2Command({
              analyzerArn,
              filter: { status: { eq: ['ACTIVE'] } },
              ...(token ? { nextToken: token } : {}),
            }),
          ),
        );
        for (const f of page.findings ?? []) if (f.id) ids.push(f.id);
        token = page.nextToken;
      } while (token);
    } catch (e) {
      // Keep the ids listed before the failure: their details are still worth reading.
      warn('access-analyzer:ListFindingsV2', analyzerArn, e);
    }
    const byId = new Map<string, FindingJson>();
    const queue = [...ids];
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          byId.set(id, await findingDetails(clients, analyzerArn, id));
        } catch (e) {
          warn('access-analyzer:GetFindingV2', `${analyzerArn}#finding/${id}`, e);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    // In the order listed, whatever order the calls finished in.
    for (const id of ids) {
      const finding = byId.get(id);
      if (finding) findings.push(finding);
    }
  }
  return {
    analyzers: analyzers.map((a) => cliJson(a) as AnalyzerJson),
    findings,
    warnings,
  };
}

/**
 * Writes `OUT/accounts/<id>/access-analyzer-findings.json` for one account: the analyzers that
 * cover it and their findings about its principals (`resourceOwnerAccount`).
 */
export function writeAccessAnalyzerFindings(
  out: string,
  accountId: string,
  analyzers: readonly AnalyzerJson[],
  findings: readonly FindingJson[],
): { file: string; findings: number } {
  const mine = findings.filter((f) => f.resourceOwnerAccount === accountId);
  const file = join(out, 'accounts', accountId, 'access-analyzer-findings.json');
  writeFileAtomic(file, `${JSON.stringify({ analyzers, findings: mine }, null, 2)}\n`);
  return { file, findings: mine.length };
}
