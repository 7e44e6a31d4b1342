/**
 * Assembling a snapshot from the contents of its files (read by `src/snapshot.ts`). Pure: every
 * problem becomes an issue with its file and JSON pointer, and the rest is still read.
 * The directory layout is documented in docs/snapshot.md.
 */
import { pointer, type Issue } from '../result.js';
import type { Account, CredentialReportRow, PolicySource, Snapshot } from './account.js';
import {
  readAuthorizationDetails,
  type AuthorizationDetailsFile,
} from './authorization-details.js';
import { parseCredentialReport } from './credential-report.js';
import { readOrganization } from './organization.js';
import { policySource } from './policy-source.js';

/** The contents of one account folder. */
export interface AccountFiles {
  readonly id: string;
  readonly authorizationDetails: readonly AuthorizationDetailsFile[];
  readonly credentialReport?: { readonly file: string; readonly text: string };
  readonly resourcePolicies?: { readonly file: string; readonly json: unknown };
}

/** The contents of a snapshot directory. */
export interface SnapshotFiles {
  readonly organization?: { readonly file: string; readonly json: unknown };
  readonly accounts: readonly AccountFiles[];
  /** Problems met while reading files (unreadable, not JSON). */
  readonly issues?: readonly Issue[];
}

/** Options: the AWS managed policies for ARNs an export does not include. */
export interface SnapshotOptions {
  readonly awsManagedPolicy?: (arn: string) => unknown;
}

/** Reads `resource-policies.json`: `{ "<resource ARN>": <policy document> }`. */
function readResourcePolicies(
  input: AccountFiles['resourcePolicies'],
  issues: Issue[],
): Map<string, PolicySource> {
  const out = new Map<string, PolicySource>();
  if (!input) return out;
  if (typeof input.json !== 'object' || input.json === null || Array.isArray(input.json)) {
    issues.push({
      code: 'invalid_resource_policies',
      message: 'expected `{ "<resource ARN>": <policy document> }`',
      path: `${input.file}#`,
    });
    return out;
  }
  for (const [arn, document] of Object.entries(input.json)) {
    out.set(
      arn,
      policySource(
        {
          id: arn,
          name: arn,
          kind: 'inline',
          document,
          where: `${input.file}#${pointer('', arn)}`,
          policyKind: 'resource',
        },
        issues,
      ),
    );
  }
  return out;
}

/** Builds the snapshot model. */
export function buildSnapshot(files: SnapshotFiles, options: SnapshotOptions = {}): Snapshot {
  const issues: Issue[] = [...(files.issues ?? [])];
  const organization = files.organization
    ? readOrganization(files.organization.json, files.organization.file)
    : undefined;
  if (organization) issues.push(...organization.issues);
  const awsManagedCache = new Map<string, PolicySource>();
  const accounts: Account[] = files.accounts.map((a) => {
    let rows: CredentialReportRow[] = [];
    if (a.credentialReport) {
      const report = parseCredentialReport(a.credentialReport.text, a.credentialReport.file);
      rows = report.rows;
      issues.push(...report.issues);
    }
    const details = readAuthorizationDetails(a.authorizationDetails, a.id, rows, {
      ...(options.awsManagedPolicy ? { awsManagedPolicy: options.awsManagedPolicy } : {}),
      awsManagedCache,
    });
    issues.push(...details.issues);
    return {
      id: a.id,
      principals: details.principals,
      resourcePolicies: readResourcePolicies(a.resourcePolicies, issues),
      credentialReport: rows,
      root: rows.find((r) => r.user === '<root_account>'),
    };
  });
  return { organization: organization?.organization, accounts, issues };
}
