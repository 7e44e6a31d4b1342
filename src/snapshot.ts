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
