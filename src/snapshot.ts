/**
 * Reading a snapshot directory (docs/snapshot.md) from disk. Unreadable or non-JSON files are
 * reported and skipped; everything else is handed to the pure `buildSnapshot`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  buildSnapshot,
  type AccountFiles,
  type Issue,
  type Snapshot,
} from '../policy-model/index.js';
import { loadAwsManagedPolicies } from './aws-managed-policies.js';

/** Reads a JSON file, or records why it could not be read. */
function readJson(
  path: string,
  name: string,
  issues: Issue[],
): { ok: true; json: unknown } | { ok: false } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    issues.push({
      code: 'unreadable_file',
      message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      path: name,
    });
    return { ok: false };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (e) {
    issues.push({
      code: 'invalid_json',
      message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      path: name,
    });
    return { ok: false };
  }
}

/** Loads a snapshot directory. Paths in issues are relative to the directory. */
export function loadSnapshot(dir: string): Snapshot {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new Error(`\`${dir}\` is not a snapshot directory`);
  const issues: Issue[] = [];
  const name = (path: string) => relative(dir, path);
  const organizationPath = join(dir, 'organization.json');
  let organization: { file: string; json: unknown } | undefined;
  if (existsSync(organizationPath)) {
    const read = readJson(organizationPath, 'organization.json', issues);
    if (read.ok) organization = { file: 'organization.json', json: read.json };
  }
  const accountsDir = join(dir, 'accounts');
  const accounts: AccountFiles[] = [];
  const accountIds = existsSync(accountsDir)
    ? readdirSync(accountsDir)
        .filter((d) => statSync(join(accountsDir, d)).isDirectory())
        .sort()
    : [];
  for (const id of accountIds) {
    const folder = join(accountsDir, id);
    const entries = readdirSync(folder).sort();
    const details = entries
      .filter((f) => /^authorization-details.*\.json$/.test(f))
      .flatMap((f) => {
        const read = readJson(join(folder, f), name(join(folder, f)), issues);
        return read.ok ? [{ file: name(join(folder, f)), json: read.json }] : [];
      });
    const account: { -readonly [K in keyof AccountFiles]: AccountFiles[K] } = {
      id,
      authorizationDetails: details,
    };
    const reportPath = join(folder, 'credential-report.csv');
    if (existsSync(reportPath))
      account.credentialReport = { file: name(reportPath), text: readFileSync(reportPath, 'utf8') };
    const policiesPath = join(folder, 'resource-policies.json');
    if (existsSync(policiesPath)) {
      const read = readJson(policiesPath, name(policiesPath), issues);
      if (read.ok) account.resourcePolicies = { file: name(policiesPath), json: read.json };
    }
    accounts.push(account);
  }
  const managed = loadAwsManagedPolicies();
  return buildSnapshot(
    { ...(organization ? { organization } : {}), accounts, issues },
    { awsManagedPolicy: (arn) => managed.get(arn) },
  );
}

/** The finding types of IAM Access Analyzer's unused-access analyzers. */
export const ACCESS_ANALYZER_FINDING_TYPES = [
  'UnusedIAMRole',
  'UnusedIAMUserAccessKey',
  'UnusedIAMUserPassword',
  'UnusedPermission',
] as const;

/** One IAM Access Analyzer unused-access finding about a principal (docs/snapshot.md). */
export interface AccessAnalyzerFinding {
  readonly account: string;
  readonly id: string;
  readonly analyzerArn?: string;
  /** The user or role ARN (the finding's `resource`). */
  readonly principal: string;
  readonly findingType: (typeof ACCESS_ANALYZER_FINDING_TYPES)[number];
  readonly analyzedAt?: string;
  /** Last use of the role, password or key (absent: never, as far as the analyzer knows). */
  readonly lastAccessed?: string;
  readonly accessKeyId?: string;
  /** `UnusedPermission`: per service, its unused actions (none listed: the whole service). */
  readonly services: readonly {
    readonly service: string;
    readonly lastAccessed?: string;
    readonly actions: readonly { readonly action: string; readonly lastAccessed?: string }[];
  }[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One finding of the file, or the pointer and reason it is malformed. */
function accessAnalyzerFinding(
  account: string,
  f: unknown,
): { ok: true; finding: AccessAnalyzerFinding } | { ok: false; pointer: string; reason: string } {
  if (!isObject(f)) return { ok: false, pointer: '', reason: 'not an object' };
  if (typeof f['id'] !== 'string') return { ok: false, pointer: '/id', reason: 'no `id`' };
  if (typeof f['resource'] !== 'string' || !f['resource'].startsWith('arn:'))
    return { ok: false, pointer: '/resource', reason: 'no `resource` ARN' };
  const type = f['findingType'];
  if (!(ACCESS_ANALYZER_FINDING_TYPES as readonly unknown[]).includes(type))
    return {
      ok: false,
      pointer: '/findingType',
      reason: `\`${String(type)}\` is not an unused-access finding type`,
    };
  const details = f['findingDetails'] ?? [];
  if (!Array.isArray(details))
    return { ok: false, pointer: '/findingDetails', reason: 'not a list' };
  let lastAccessed: string | undefined;
  let accessKeyId: string | undefined;
  const services: AccessAnalyzerFinding['services'][number][] = [];
  for (const [i, d] of details.entries()) {
    if (!isObject(d))
      return { ok: false, pointer: `/findingDetails/${i}`, reason: 'not an object' };
    const role = d['unusedIamRoleDetails'] ?? d['unusedIamUserPasswordDetails'];
    const key = d['unusedIamUserAccessKeyDetails'];
    const permission = d['unusedPermissionDetails'];
    for (const one of [role, key])
      if (isObject(one)) lastAccessed = optionalString(one['lastAccessed']) ?? lastAccessed;
    if (isObject(key)) accessKeyId = optionalString(key['accessKeyId']);
    if (isObject(permission)) {
      const service = permission['serviceNamespace'];
      const actions = permission['actions'] ?? [];
      if (typeof service !== 'string' || !Array.isArray(actions))
        return {
          ok: false,
          pointer: `/findingDetails/${i}/unusedPermissionDetails`,
          reason: 'no `serviceNamespace`, or `actions` not a list',
        };
      const list: { action: string; lastAccessed?: string }[] = [];
      for (const [j, a] of actions.entries()) {
        if (!isObject(a) || typeof a['action'] !== 'string')
          return {
            ok: false,
            pointer: `/findingDetails/${i}/unusedPermissionDetails/actions/${j}`,
            reason: 'no `action`',
          };
        const at = optionalString(a['lastAccessed']);
        list.push({ action: `${service}:${a['action']}`, ...(at ? { lastAccessed: at } : {}) });
      }
      const at = optionalString(permission['lastAccessed']);
      services.push({ service, ...(at ? { lastAccessed: at } : {}), actions: list });
    }
  }
  const analyzerArn = optionalString(f['analyzerArn']);
  const analyzedAt = optionalString(f['analyzedAt']);
  return {
    ok: true,
    finding: {
      account,
      id: f['id'],
      ...(analyzerArn ? { analyzerArn } : {}),
      principal: f['resource'],
      findingType: type as AccessAnalyzerFinding['findingType'],
      ...(analyzedAt ? { analyzedAt } : {}),
      ...(lastAccessed ? { lastAccessed } : {}),
      ...(accessKeyId ? { accessKeyId } : {}),
      services,
    },
  };
}

/**
 * Reads every `accounts/<id>/access-analyzer-findings.json` (optional). A malformed file or
 * finding is an issue with its JSON pointer; the other findings are still read.
 */
export function loadAccessAnalyzerFindings(dir: string): {
  findings: AccessAnalyzerFinding[];
  files: number;
  issues: Issue[];
} {
  const findings: AccessAnalyzerFinding[] = [];
  const issues: Issue[] = [];
  let files = 0;
  const accountsDir = join(dir, 'accounts');
  if (!existsSync(accountsDir)) return { findings, files, issues };
  for (const id of readdirSync(accountsDir).sort()) {
    const path = join(accountsDir, id, 'access-analyzer-findings.json');
    if (!existsSync(path)) continue;
    const name = relative(dir, path);
    const read = readJson(path, name, issues);
    if (!read.ok) continue;
    files++;
    const list = isObject(read.json) ? read.json['findings'] : undefined;
    if (!Array.isArray(list)) {
      issues.push({
        code: 'invalid_access_analyzer_findings',
        message: 'not `{ "analyzers": [ … ], "findings": [ … ] }`',
        path: `${name}#/findings`,
      });
      continue;
    }
    for (const [i, f] of list.entries()) {
      const one = accessAnalyzerFinding(id, f);
      if (one.ok) findings.push(one.finding);
      else
        issues.push({
          code: 'invalid_access_analyzer_findings',
          message: one.reason,
          path: `${name}#/findings/${i}${one.pointer}`,
        });
    }
  }
  return { findings, files, issues };
}
