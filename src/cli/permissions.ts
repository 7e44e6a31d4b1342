/**
 * `leastpriv permissions SNAPSHOT [--principal ARN] [--action PATTERN] [--format table|json|summary]`
 * and `leastpriv who-can ACTION RESOURCE SNAPSHOT [--format table|json]`.
 */
import {
  actionFilter,
  estatePermissions,
  principalPermissions,
  summarize,
  whoCan,
  type Issue,
  type Snapshot,
} from '../../policy-model/index.js';
import { loadCatalog } from '../catalog.js';
import { loadSensitiveActionTags } from '../sensitive-actions.js';
import { loadSnapshot } from '../snapshot.js';
import { writeDrained } from './output.js';

/** Prints the snapshot's problems on stderr (the analysis goes on without the broken parts). */
function reportIssues(issues: readonly Issue[], err: NodeJS.WritableStream): void {
  for (const issue of issues.slice(0, 50))
    err.write(`leastpriv: ${issue.path}: ${issue.code}: ${issue.message}\n`);
  if (issues.length > 50) err.write(`leastpriv: … and ${issues.length - 50} more problems\n`);
}

/** Loads a snapshot, or reports why it cannot be read. */
export function openSnapshot(dir: string, err: NodeJS.WritableStream): Snapshot | undefined {
  try {
    const snapshot = loadSnapshot(dir);
    reportIssues(snapshot.issues, err);
    return snapshot;
  } catch (e) {
    err.write(`leastpriv: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}

/** Runs `permissions`; returns the exit code. */
export async function permissionsCommand(
  snapshot: Snapshot,
  options: { principal?: string; action?: string; format: 'table' | 'json' | 'summary' },
  out: NodeJS.WritableStream,
): Promise<number> {
  const catalog = loadCatalog();
  const tags = loadSensitiveActionTags();
  const only = options.action ? actionFilter(catalog, options.action) : undefined;
  const filter = options.principal ? { principal: options.principal } : {};
  if (options.format === 'json') {
    await writeDrained(out, `{"catalogVersion":${JSON.stringify(catalog.version)},"principals":[`);
    let first = true;
    for (const permissions of estatePermissions(snapshot, catalog, filter)) {
      await writeDrained(
        out,
        `${first ? '' : ','}\n${JSON.stringify(principalPermissions(catalog, permissions, only))}`,
      );
      first = false;
    }
    await writeDrained(out, '\n]}\n');
    return 0;
  }
  for (const permissions of estatePermissions(snapshot, catalog, filter)) {
    const summary = summarize(catalog, permissions, tags);
    if (options.format === 'summary') {
      await writeDrained(out, `${JSON.stringify(summary)}\n`);
      continue;
    }
    const flags = [
      summary.adminEquivalent ? 'ADMIN' : '',
      ...new Set(
        summary.sensitive
          .filter((c) => c.capability !== 'admin-equivalent')
          .map((c) => c.capability),
      ),
    ]
      .filter(Boolean)
      .join(',');
    await writeDrained(
      out,
      `${summary.arn.padEnd(80)} ${summary.kind.padEnd(7)} allowed=${summary.allowed} some=${summary.allowedOnSomeResources} conditional=${summary.conditional} services=${summary.services}${flags ? ` [${flags}]` : ''}\n`,
    );
    if (options.principal || options.action) {
      for (const a of principalPermissions(catalog, permissions, only).actions) {
        const detail =
          a.access === 'allowed'
            ? ''
            : a.access === 'conditional'
              ? ` ${JSON.stringify(a.conditions)}`
              : ` ${a.resources.join(' ')}${a.excludedResources ? ` except ${a.excludedResources.join(' ')}` : ''}`;
        await writeDrained(out, `  ${a.action.padEnd(50)} ${a.access}${detail}\n`);
      }
    }
  }
  return 0;
}

/** Runs `who-can`; returns the exit code. */
export function whoCanCommand(
  snapshot: Snapshot,
  action: string,
  resource: string,
  format: 'table' | 'json',
  out: NodeJS.WritableStream,
): number {
  const result = whoCan(snapshot, loadCatalog(), action, resource);
  if (format === 'json') {
    out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  out.write(
    `${result.principals.length} principal(s) can ${action} on ${resource}${result.resourceAccount ? ` (account ${result.resourceAccount})` : ''}\n`,
  );
  for (const p of result.principals) {
    const via = p.via
      .map((v) => `${v.policy}#${v.statement}${v.sid ? `(${v.sid})` : ''}`)
      .join(', ');
    const conditions =
      Object.keys(p.conditions).length > 0 ? ` when ${JSON.stringify(p.conditions)}` : '';
    out.write(
      `  ${p.arn.padEnd(80)} ${p.access}${p.external ? ' (external)' : ''}${conditions}  via ${via}\n`,
    );
  }
  return 0;
}
