/**
 * The account model: principals with their policies, groups, boundaries and trust policies, the
 * organization tree with its SCPs and RCPs, resource policies, and the credential report.
 * Plain readonly data built by `snapshot.ts` from AWS's own export formats.
 */
import type { Issue } from '../result.js';
import type { Policy } from '../aws/policy.js';

/** A policy document with where it came from; `policy` is undefined when it did not parse. */
export interface PolicySource {
  /** A stable name: the managed policy ARN, or `<principal ARN>#inline/<name>`. */
  readonly id: string;
  readonly name: string;
  readonly kind: 'aws-managed' | 'customer-managed' | 'inline';
  readonly document: unknown;
  readonly policy: Policy | undefined;
}

/** Why a principal counts as human or machine, as a stable code and a sentence. */
export interface KindReason {
  readonly code:
    | 'sso-role'
    | 'saml-trust'
    | 'web-identity-trust'
    | 'console-password'
    | 'cross-account-trust'
    | 'service-trust'
    | 'service-linked-role'
    | 'access-key-only'
    | 'no-credentials';
  readonly message: string;
}

/** One row of the credential report (the fields leastpriv reads). `undefined` = N/A or absent. */
export interface CredentialReportRow {
  readonly user: string;
  readonly arn: string;
  readonly userCreationTime: string | undefined;
  readonly passwordEnabled: boolean;
  readonly passwordLastUsed: string | undefined;
  readonly passwordLastChanged: string | undefined;
  readonly mfaActive: boolean;
  readonly accessKeys: readonly {
    readonly slot: 1 | 2;
    readonly active: boolean;
    readonly lastRotated: string | undefined;
    readonly lastUsedDate: string | undefined;
    readonly lastUsedService: string | undefined;
  }[];
}

/** An IAM user or role. */
export interface Principal {
  readonly arn: string;
  readonly type: 'user' | 'role';
  readonly name: string;
  readonly path: string;
  readonly account: string;
  readonly id: string;
  readonly createDate: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly kind: 'human' | 'machine';
  readonly kindReason: KindReason;
  /** Identity policies: inline, attached, and (users) their groups' inline and attached. */
  readonly policies: readonly PolicySource[];
  readonly groups: readonly string[];
  readonly boundary: PolicySource | undefined;
  /** Roles: the trust policy (a resource policy on the role). */
  readonly trustPolicy: PolicySource | undefined;
  readonly roleLastUsed: string | undefined;
  readonly instanceProfiles: readonly string[];
  readonly serviceLinked: boolean;
  /** Users: their credential report row. */
  readonly credentials: CredentialReportRow | undefined;
}

/** One account of the snapshot. */
export interface Account {
  readonly id: string;
  readonly principals: readonly Principal[];
  readonly resourcePolicies: ReadonlyMap<string, PolicySource>;
  readonly credentialReport: readonly CredentialReportRow[];
  /** The root user's credential report row, when the report was given. */
  readonly root: CredentialReportRow | undefined;
}

/** One node of the organization tree. */
export interface OrganizationNode {
  readonly id: string;
  readonly name: string | undefined;
  readonly policies: readonly string[];
  readonly accounts: readonly string[];
  readonly children: readonly OrganizationNode[];
}

/** The organization: its tree and its SCPs and RCPs. */
export interface Organization {
  readonly id: string;
  readonly managementAccountId: string;
  readonly policies: ReadonlyMap<
    string,
    {
      readonly name: string;
      readonly type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
      readonly source: PolicySource;
    }
  >;
  readonly root: OrganizationNode;
  readonly accountPolicies: ReadonlyMap<string, readonly string[]>;
}

/** Everything read from a snapshot directory, and every problem found reading it. */
export interface Snapshot {
  readonly organization: Organization | undefined;
  readonly accounts: readonly Account[];
  readonly issues: readonly Issue[];
}
