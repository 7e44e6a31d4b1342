/**
 * Issue codes for reading a snapshot. Policy problems inside a snapshot keep their own policy
 * codes (`invalid_effect`, …); these cover the files around them. Stable: scripts match on them.
 */
export const SNAPSHOT_ISSUE_CODES = [
  'unreadable_file',
  'invalid_json',
  'invalid_authorization_details',
  'invalid_credential_report',
  'invalid_organization',
  'invalid_resource_policies',
  'invalid_policy_encoding',
  'dangling_policy_arn',
  'missing_default_version',
] as const;

/** A code for a problem in a snapshot's files. */
export type SnapshotIssueCode = (typeof SNAPSHOT_ISSUE_CODES)[number];
