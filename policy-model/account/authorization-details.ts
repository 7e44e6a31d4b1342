/**
 * Reading `aws iam get-account-authorization-details` output into principals. Several files (a
 * paginated export) are merged; only the default version of a managed policy counts; every
 * problem is reported with `file#pointer` and the rest of the account is still read.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
import { pointer, type Issue } from '../result.js';
import type { CredentialReportRow, Principal, PolicySource } from './account.js';
import { classifyRole, classifyUser } from './classify.js';
import { policySource } from './policy-source.js';

/** One parsed export file. */
export interface AuthorizationDetailsFile {
  readonly file: string;
  readonly json: unknown;
}

/** What reading an account needs besides its files. */
export interface ReadContext {
  /** Documents of AWS managed policies that an export references without including them. */
  readonly awsManagedPolicy?: (arn: string) => unknown;
  /** Compiled AWS managed policies, shared by every account of a snapshot. */
  readonly awsManagedCache?: Map<string, PolicySource>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An entry of one of the four lists, with where it is. */
interface Located {
  readonly value: Json;
  readonly where: string;
}

/** Merges the lists of every file (deduplicated by ARN: pages may overlap). */
function mergeLists(
  files: readonly AuthorizationDetailsFile[],
  issues: Issue[],
): Record<'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies', Located[]> {
  const merged = {
    UserDetailList: [] as Located[],
    GroupDetailList: [] as Located[],
    RoleDetailList: [] as Located[],
    Policies: [] as Located[],
  };
  const seen = new Set<string>();
  for (const { file, json } of files) {
    // A file may hold one page or several pages concatenated into an array.
    const pages = Array.isArray(json) ? json : [json];
    pages.forEach((page, p) => {
      const base = Array.isArray(json) ? `${file}#/${p}` : `${file}#`;
      if (!isObject(page)) {
        issues.push({
          code: 'invalid_authorization_details',
          message: 'expected the object that `get-account-authorization-details` prints',
          path: base,
        });
        return;
      }
      for (const key of Object.keys(merged) as (keyof typeof merged)[]) {
        const value = page[key];
        if (value === undefined) continue;
        if (!Array.isArray(value)) {
          issues.push({
            code: 'invalid_authorization_details',
            message: `\`${key}\` must be a list`,
            path: pointer(base, key),
          });
          continue;
        }
        value.forEach((entry: unknown, i) => {
          const where = pointer(base, key, i);
          if (!isObject(entry) || typeof entry['Arn'] !== 'string') {
            issues.push({
              code: 'invalid_authorization_details',
              message: 'an entry without an `Arn`',
              path: where,
            });
            return;
          }
          const arn = entry['Arn'];
          if (seen.has(arn)) return;
          seen.add(arn);
          merged[key].push({ value: entry, where });
        });
      }
    });
  }
  return merged;
}

/** The managed policies of the export, by ARN, from their default versions. */
function managedPolicies(
  entries: readonly Located[],
  context: ReadContext,
  issues: Issue[],
): Map<string, PolicySource> {
  const out = new Map<string, PolicySource>();
  for (const { value, where } of entries) {
    const arn = value['Arn'] as string;
    const versions = list(value['PolicyVersionList']);
    const index = versions.findIndex((v) => v['IsDefaultVersion'] === true);
    if (index === -1) {
      issues.push({
        code: 'missing_default_version',
        message: `policy \`${arn}\` has no version with \`IsDefaultVersion: true\``,
        path: pointer(where, 'PolicyVersionList'),
      });
      continue;
    }
    const kind = arn.includes(':iam::aws:policy/') ? 'aws-managed' : 'customer-managed';
    const cached = kind === 'aws-managed' ? context.awsManagedCache?.get(arn) : undefined;
    const source =
      cached ??
      policySource(
        {
          id: arn,
          name: str(value['PolicyName']) ?? arn,
          kind,
          document: versions[index]!['Document'],
          where: pointer(where, 'PolicyVersionList', index, 'Document'),
          policyKind: 'identity',
        },
        issues,
      );
    if (kind === 'aws-managed') context.awsManagedCache?.set(arn, source);
    out.set(arn, source);
  }
  return out;
}

/** Reads one account's export files. `credentials` are the account's credential report rows. */
export function readAuthorizationDetails(
  files: readonly AuthorizationDetailsFile[],
  account: string,
  credentials: readonly CredentialReportRow[],
  context: ReadContext = {},
): { principals: Principal[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const merged = mergeLists(files, issues);
  const managed = managedPolicies(merged.Policies, context, issues);

  /** Resolves an attached policy ARN: the export, then the bundled AWS managed policies. */
  const attached = (entries: unknown, where: string): PolicySource[] =>
    list(entries).flatMap((a, i) => {
      const arn = str(a['PolicyArn']);
      if (!arn) return [];
      const found = managed.get(arn) ?? context.awsManagedCache?.get(arn);
      if (found) return [found];
      const document = arn.includes(':iam::aws:policy/')
        ? context.awsManagedPolicy?.(arn)
        : undefined;
      if (document !== undefined) {
        const source = policySource(
          {
            id: arn,
            name: arn.split('/').pop() ?? arn,
            kind: 'aws-managed',
            document,
            where: `aws-managed-policies#${arn}`,
            policyKind: 'identity',
          },
          issues,
        );
        context.awsManagedCache?.set(arn, source);
        managed.set(arn, source);
        return [source];
      }
      issues.push({
        code: 'dangling_policy_arn',
        message: `attached policy \`${arn}\` is not in the export`,
        path: pointer(where, i, 'PolicyArn'),
      });
      return [];
    });
  const inline = (entries: unknown, where: string, owner: string): PolicySource[] =>
    list(entries).map((p, i) => {
      const name = str(p['PolicyName']) ?? `#${i}`;
      return policySource(
        {
          id: `${owner}#inline/${name}`,
          name,
          kind: 'inline',
          document: p['PolicyDocument'],
          where: pointer(where, i, 'PolicyDocument'),
          policyKind: 'identity',
        },
        issues,
      );
    });
  const boundaryOf = (entry: Json, where: string): PolicySource | undefined => {
    const boundary = entry['PermissionsBoundary'];
    if (!isObject(boundary)) return undefined;
    const [source] = attached(
      [{ PolicyArn: boundary['PermissionsBoundaryArn'] }],
      pointer(where, 'PermissionsBoundary'),
    );
    return source;
  };
  const tagsOf = (entry: Json): Record<string, string> =>
    Object.fromEntries(list(entry['Tags']).map((t) => [String(t['Key']), String(t['Value'])]));

  const groups = new Map<string, PolicySource[]>();
  for (const { value, where } of merged.GroupDetailList) {
    const name = str(value['GroupName']) ?? '';
    groups.set(name, [
      ...inline(
        value['GroupPolicyList'],
        pointer(where, 'GroupPolicyList'),
        value['Arn'] as string,
      ),
      ...attached(value['AttachedManagedPolicies'], pointer(where, 'AttachedManagedPolicies')),
    ]);
  }

  const byArn = new Map(credentials.map((row) => [row.arn, row]));
  const principals: Principal[] = [];
  for (const { value, where } of merged.UserDetailList) {
    const arn = value['Arn'] as string;
    const groupNames = Array.isArray(value['GroupList'])
      ? value['GroupList'].filter((g): g is string => typeof g === 'string')
      : [];
    const policies = [
      ...inline(value['UserPolicyList'], pointer(where, 'UserPolicyList'), arn),
      ...attached(value['AttachedManagedPolicies'], pointer(where, 'AttachedManagedPolicies')),
      ...groupNames.flatMap((g) => groups.get(g) ?? []),
    ];
    const row = byArn.get(arn);
    const classified = classifyUser(row);
    principals.push({
      arn,
      type: 'user',
      name: str(value['UserName']) ?? arn.split('/').pop() ?? arn,
      path: str(value['Path']) ?? '/',
      account,
      id: str(value['UserId']) ?? '',
      createDate: str(value['CreateDate']),
      tags: tagsOf(value),
      kind: classified.kind,
      kindReason: classified.reason,
      policies: dedupe(policies),
      groups: groupNames,
      boundary: boundaryOf(value, where),
      trustPolicy: undefined,
      roleLastUsed: undefined,
      instanceProfiles: [],
      serviceLinked: false,
      credentials: row,
    });
  }
  for (const { value, where } of merged.RoleDetailList) {
    const arn = value['Arn'] as string;
    const path = str(value['Path']) ?? '/';
    const name = str(value['RoleName']) ?? arn.split('/').pop() ?? arn;
    const trustPolicy =
      value['AssumeRolePolicyDocument'] === undefined
        ? undefined
        : policySource(
            {
              id: `${arn}#trust`,
              name: 'trust policy',
              kind: 'inline',
              document: value['AssumeRolePolicyDocument'],
              where: pointer(where, 'AssumeRolePolicyDocument'),
              policyKind: 'resource',
            },
            issues,
          );
    const serviceLinked = path.startsWith('/aws-service-role/');
    const classified = classifyRole({ name, path, serviceLinked, trust: trustPolicy?.document });
    const lastUsed = value['RoleLastUsed'];
    principals.push({
      arn,
      type: 'role',
      name,
      path,
      account,
      id: str(value['RoleId']) ?? '',
      createDate: str(value['CreateDate']),
      tags: tagsOf(value),
      kind: classified.kind,
      kindReason: classified.reason,
      policies: dedupe([
        ...inline(value['RolePolicyList'], pointer(where, 'RolePolicyList'), arn),
        ...attached(value['AttachedManagedPolicies'], pointer(where, 'AttachedManagedPolicies')),
      ]),
      groups: [],
      boundary: boundaryOf(value, where),
      trustPolicy,
      roleLastUsed: isObject(lastUsed) ? str(lastUsed['LastUsedDate']) : undefined,
      instanceProfiles: list(value['InstanceProfileList'])
        .map((p) => str(p['InstanceProfileName']) ?? '')
        .filter((n) => n !== ''),
      serviceLinked,
      credentials: undefined,
    });
  }
  return { principals, issues };
}

/** A policy attached twice (directly and through a group) counts once. */
function dedupe(sources: readonly PolicySource[]): PolicySource[] {
  const seen = new Set<string>();
  return sources.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
}
