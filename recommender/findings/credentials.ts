/**
 * Credential-hygiene findings from the IAM credential report: unused console passwords, unused and
 * unrotated access keys, users with two active keys, and the root user's keys, use and MFA.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 *
 * Time. `asOf` is the last day of the window, inclusive, and "now" is the end of that day
 * (`asOf`T23:59:59Z, as in `usage.ts`). A date's age in days is the number of whole days from it
 * to then, which is the number of UTC calendar days between the date and `asOf`, whatever the
 * time of day: a key rotated on 2026-08-26 at any hour is 90 days old on 2026-11-24. A date after
 * `asOf` (a report generated later) has a negative age and is never "old".
 *
 * N/A. The parser maps `N/A`, `no_information` and `not_supported` to `undefined`. For a credential
 * that exists (an enabled password, an active key) an undefined last-use date means "never used"
 * (AWS writes `no_information` for a password never used, `N/A` for a key never used); an
 * undefined creation date means "age unknown". A rule is raised only when its condition is
 * established; the grace period is an exemption and is granted only when the age is known (or
 * bounded by the user's creation date, which a credential cannot predate).
 *
 * References. CIS numbers are those of the CIS AWS Foundations Benchmark v3.0.0, and the Prowler
 * check ids those its `cis_3.0_aws` compliance mapping lists for them (both checked against
 * Prowler's `prowler/compliance/aws/cis_3.0_aws.json`): 1.4 no root access key
 * (`iam_no_root_access_key`), 1.5 root MFA (`iam_root_mfa_enabled`), 1.7 eliminate root use
 * (`iam_avoid_root_usage`), 1.10 MFA for console users (`iam_user_mfa_enabled_console_access`),
 * 1.12 credentials unused for 45 days or more (`iam_user_accesskey_unused`,
 * `iam_user_console_access_unused`), 1.13 one active key per user
 * (`iam_user_two_active_access_key`), 1.14 keys rotated every 90 days or less
 * (`iam_rotate_access_key_90_days`).
 *
 * Severity. Root access keys (long-term, unrestricted credentials no IAM policy can limit) and a
 * root user without MFA are critical; root use in the window and console users without MFA are
 * high; unused and unrotated credentials are medium; a second active key is low (it is the normal
 * state in the middle of a rotation).
 */
import type { Account, CredentialReportRow } from '../../policy-model/index.js';
import type { Finding, References, Severity } from '../model.js';

/** What the credential rules need: the window and each rule's threshold. */
export interface CredentialRuleOptions {
  /** YYYY-MM-DD, the last day of the window (inclusive); "now" is its end, 23:59:59Z. */
  readonly asOf: string;
  /** Length of the window in days, `asOf` included: root use is reported within it. */
  readonly windowDays: number;
  /** An enabled console password unused for this many days or more is reported (CIS 1.12). */
  readonly passwordUnusedDays: number;
  /** An active access key unused for this many days or more is reported (CIS 1.12). */
  readonly accessKeyUnusedDays: number;
  /** An active access key last rotated more than this many days ago is reported (CIS 1.14). */
  readonly keyRotationDays: number;
  /** A never-used password or key younger than this many days is not reported. */
  readonly gracePeriodDays: number;
}

/** The default thresholds (CIS AWS Foundations Benchmark v3.0.0 1.12 and 1.14). */
export const DEFAULT_CREDENTIAL_RULE_OPTIONS: Omit<CredentialRuleOptions, 'asOf'> = {
  windowDays: 90,
  passwordUnusedDays: 45,
  accessKeyUnusedDays: 45,
  keyRotationDays: 90,
  gracePeriodDays: 14,
};

/** Each credential rule and its severity (see the module comment for why). */
export const CREDENTIAL_RULE_SEVERITIES = {
  'credentials.root-access-keys': 'critical',
  'credentials.root-without-mfa': 'critical',
  'credentials.root-used': 'high',
  'credentials.console-without-mfa': 'high',
  'credentials.password-unused': 'medium',
  'credentials.access-key-unused': 'medium',
  'credentials.access-key-not-rotated': 'medium',
  'credentials.two-active-keys': 'low',
} as const satisfies Readonly<Record<string, Severity>>;

/** The id of a credential rule. */
export type CredentialRuleId = keyof typeof CREDENTIAL_RULE_SEVERITIES;

/** The fields every finding of a rule shares. */
const head = (ruleId: CredentialRuleId, principal: string, account: string) => ({
  ruleId,
  severity: CREDENTIAL_RULE_SEVERITIES[ruleId],
  principal,
  account,
});

const DAY = 86_400_000;
const ROOT_ROW = '<root_account>';

const DOCS = {
  report: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
  unused: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html',
  removeCredentials:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#remove-credentials',
  rotate: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#rotate-credentials',
  mfa: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#enable-mfa-for-privileged-users',
  accessKeys: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
  passwords:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html',
  userMfa: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html',
  rootBestPractices:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
  rootDeleteKey:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
  rootMfa: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html',
  rootCentral: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html',
} as const;

/** The UTC day number of an instant, or undefined when it does not parse. */
function dayOf(date: string): number | undefined {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / DAY);
}

/** Whole days from `date` to the end of `asOf` (UTC calendar days); undefined when unknown. */
function ageIn(date: string | undefined, asOfDay: number): number | undefined {
  if (date === undefined) return undefined;
  const day = dayOf(date);
  return day === undefined ? undefined : asOfDay - day;
}

type KeySlot = CredentialReportRow['accessKeys'][number];

const keyId = (k: KeySlot) => `access_key_${k.slot}`;
const keyName = (k: KeySlot) => `access key ${k.slot}`;

/**
 * Whether a never-used credential is still within the grace period: its age when known, else the
 * user's age (a credential cannot be older than its user). Unknown both ways: not spared.
 */
function inGrace(
  age: number | undefined,
  userAge: number | undefined,
  options: CredentialRuleOptions,
): boolean {
  if (age !== undefined) return age < options.gracePeriodDays;
  return userAge !== undefined && userAge < options.gracePeriodDays;
}

/** Everything a rule reads about one credential report row. */
interface RowFacts {
  readonly account: string;
  readonly row: CredentialReportRow;
  readonly asOfDay: number;
  readonly options: CredentialRuleOptions;
}

const UNUSED_REFS: References = {
  cis: ['CIS 1.12'],
  docs: [DOCS.unused, DOCS.removeCredentials, DOCS.report],
};

/**
 * `credentials.password-unused` (medium). CIS 1.12, "Ensure credentials unused for 45 days or
 * greater are disabled": an enabled console password last used `passwordUnusedDays` (45) days ago
 * or more (44: no, 45: yes). A password never used is reported once it is `gracePeriodDays` (14)
 * old or more (13: no, 14: yes), its age taken from `password_last_changed` (when it was set),
 * else bounded by the user's creation. CIS uses 45 days for never-used passwords too; the grace
 * period is shorter on purpose: a password nobody used for two weeks is a standing credential
 * nobody needs. Prowler: `iam_user_console_access_unused` (which tests `> 45`, CIS says 45 or more).
 */
function passwordUnused({ account, row, asOfDay, options }: RowFacts): Finding | undefined {
  if (!row.passwordEnabled) return undefined;
  const sinceUse = ageIn(row.passwordLastUsed, asOfDay);
  const passwordAge = ageIn(row.passwordLastChanged, asOfDay);
  const userAge = ageIn(row.userCreationTime, asOfDay);
  const neverUsed = row.passwordLastUsed === undefined;
  if (neverUsed) {
    if (inGrace(passwordAge, userAge, options)) return undefined;
  } else if (sinceUse === undefined || sinceUse < options.passwordUnusedDays) return undefined;
  return {
    ...head('credentials.password-unused', row.arn, account),
    title: neverUsed
      ? `The console password of ${row.user} was never used${passwordAge === undefined ? '' : ` (set ${passwordAge} days ago)`}`
      : `The console password of ${row.user} was last used ${sinceUse} days ago`,
    evidence: {
      passwordLastUsed: row.passwordLastUsed ?? null,
      daysSincePasswordLastUsed: sinceUse ?? null,
      neverUsed,
      passwordLastChanged: row.passwordLastChanged ?? null,
      passwordAgeDays: passwordAge ?? null,
      userCreationTime: row.userCreationTime ?? null,
      thresholdDays: neverUsed ? options.gracePeriodDays : options.passwordUnusedDays,
    },
    remediation: `Remove console access if ${row.user} no longer needs it: aws iam delete-login-profile --user-name ${row.user}. People should sign in through IAM Identity Center instead of IAM user passwords.`,
    references: {
      ...UNUSED_REFS,
      prowler: ['iam_user_console_access_unused'],
      docs: [...(UNUSED_REFS.docs ?? []), DOCS.passwords],
    },
  };
}

/**
 * `credentials.access-key-unused` (medium), one finding per key. CIS 1.12: an ACTIVE key last used
 * `accessKeyUnusedDays` (45) days ago or more (44: no, 45: yes), or never used
 * (`access_key_N_last_used_date` N/A) and `gracePeriodDays` (14) old or more (13: no, 14: yes),
 * its age taken from `access_key_N_last_rotated` (the key's creation date when it was never
 * rotated), else bounded by the user's creation. Inactive keys are never reported: they cannot
 * sign requests. Prowler: `iam_user_accesskey_unused` (which tests `> 45` and skips never-used keys).
 */
function accessKeyUnused(facts: RowFacts, key: KeySlot): Finding | undefined {
  const { account, row, asOfDay, options } = facts;
  if (!key.active) return undefined;
  const sinceUse = ageIn(key.lastUsedDate, asOfDay);
  const keyAge = ageIn(key.lastRotated, asOfDay);
  const neverUsed = key.lastUsedDate === undefined;
  if (neverUsed) {
    if (inGrace(keyAge, ageIn(row.userCreationTime, asOfDay), options)) return undefined;
  } else if (sinceUse === undefined || sinceUse < options.accessKeyUnusedDays) return undefined;
  return {
    ...head('credentials.access-key-unused', row.arn, account),
    key: keyId(key),
    title: neverUsed
      ? `Access key ${key.slot} of ${row.user} was never used${keyAge === undefined ? '' : ` (created ${keyAge} days ago)`}`
      : `Access key ${key.slot} of ${row.user} was last used ${sinceUse} days ago`,
    evidence: {
      keyLastUsed: key.lastUsedDate ?? null,
      daysSinceKeyLastUsed: sinceUse ?? null,
      keyLastUsedService: key.lastUsedService ?? null,
      neverUsed,
      keyLastRotated: key.lastRotated ?? null,
      keyAgeDays: keyAge ?? null,
      userCreationTime: row.userCreationTime ?? null,
      thresholdDays: neverUsed ? options.gracePeriodDays : options.accessKeyUnusedDays,
    },
    remediation: `Find the key's id (the one created ${key.lastRotated ?? 'at an unknown date'}): aws iam list-access-keys --user-name ${row.user}. Deactivate it: aws iam update-access-key --user-name ${row.user} --access-key-id <id> --status Inactive. Delete it once nothing breaks: aws iam delete-access-key --user-name ${row.user} --access-key-id <id>.`,
    references: {
      ...UNUSED_REFS,
      prowler: ['iam_user_accesskey_unused'],
      docs: [...(UNUSED_REFS.docs ?? []), DOCS.accessKeys],
    },
  };
}

/**
 * `credentials.access-key-not-rotated` (medium), one finding per key. CIS 1.14, "Ensure access
 * keys are rotated every 90 days or less": an ACTIVE key whose `access_key_N_last_rotated` is MORE
 * than `keyRotationDays` (90) days ago. A key exactly 90 days old is rotated "every 90 days or
 * less" and is not reported (89: no, 90: no, 91: yes), as Prowler's `iam_rotate_access_key_90_days`
 * (`days > 90`). An active key without a rotation date (N/A) has an unknown age: not reported.
 */
function accessKeyNotRotated(facts: RowFacts, key: KeySlot): Finding | undefined {
  const { account, row, asOfDay, options } = facts;
  if (!key.active) return undefined;
  const keyAge = ageIn(key.lastRotated, asOfDay);
  if (keyAge === undefined || keyAge <= options.keyRotationDays) return undefined;
  return {
    ...head('credentials.access-key-not-rotated', row.arn, account),
    key: keyId(key),
    title: `Access key ${key.slot} of ${row.user} was last rotated ${keyAge} days ago (more than ${options.keyRotationDays})`,
    evidence: {
      keyLastRotated: key.lastRotated ?? null,
      keyAgeDays: keyAge,
      rotationDays: options.keyRotationDays,
      keyLastUsed: key.lastUsedDate ?? null,
      keyLastUsedService: key.lastUsedService ?? null,
    },
    remediation: `Rotate it: aws iam create-access-key --user-name ${row.user}; move every client to the new key; find the old key's id with aws iam list-access-keys --user-name ${row.user} and deactivate it: aws iam update-access-key --user-name ${row.user} --access-key-id <old id> --status Inactive; delete it once nothing breaks: aws iam delete-access-key --user-name ${row.user} --access-key-id <old id>. Better: replace the key with a role (temporary credentials).`,
    references: {
      cis: ['CIS 1.14'],
      prowler: ['iam_rotate_access_key_90_days'],
      docs: [DOCS.rotate, DOCS.accessKeys, DOCS.report],
    },
  };
}

/**
 * `credentials.two-active-keys` (low), one finding per user. CIS 1.13, "Ensure there is only one
 * active access key available for any single IAM user": both `access_key_1_active` and
 * `access_key_2_active` true. Low: two keys are the normal state in the middle of a rotation.
 */
function twoActiveKeys({ account, row, asOfDay }: RowFacts): Finding | undefined {
  const active = row.accessKeys.filter((k) => k.active);
  if (active.length < 2) return undefined;
  const evidence: Record<string, string | number | null> = {};
  for (const k of active) {
    evidence[`accessKey${k.slot}LastRotated`] = k.lastRotated ?? null;
    evidence[`accessKey${k.slot}LastUsed`] = k.lastUsedDate ?? null;
    evidence[`accessKey${k.slot}DaysSinceLastUsed`] = ageIn(k.lastUsedDate, asOfDay) ?? null;
    evidence[`accessKey${k.slot}LastUsedService`] = k.lastUsedService ?? null;
  }
  return {
    ...head('credentials.two-active-keys', row.arn, account),
    title: `${row.user} has two active access keys`,
    evidence,
    remediation: `Keep one key: find the ids with aws iam list-access-keys --user-name ${row.user}, move every client to one key, then deactivate the other: aws iam update-access-key --user-name ${row.user} --access-key-id <id> --status Inactive.`,
    references: {
      cis: ['CIS 1.13'],
      prowler: ['iam_user_two_active_access_key'],
      docs: [DOCS.accessKeys, DOCS.rotate, DOCS.report],
    },
  };
}

/**
 * `credentials.console-without-mfa` (high). CIS 1.10, "Ensure multi-factor authentication (MFA)
 * is enabled for all IAM users that have a console password": `password_enabled` true and
 * `mfa_active` false. No grace period: a new user should enrol MFA at first sign-in.
 */
function consoleWithoutMfa({ account, row, asOfDay }: RowFacts): Finding | undefined {
  if (!row.passwordEnabled || row.mfaActive) return undefined;
  return {
    ...head('credentials.console-without-mfa', row.arn, account),
    title: `${row.user} can sign in to the console with a password and no MFA`,
    evidence: {
      passwordEnabled: true,
      mfaActive: false,
      passwordLastUsed: row.passwordLastUsed ?? null,
      daysSincePasswordLastUsed: ageIn(row.passwordLastUsed, asOfDay) ?? null,
      passwordLastChanged: row.passwordLastChanged ?? null,
      userCreationTime: row.userCreationTime ?? null,
    },
    remediation: `Assign an MFA device to ${row.user} (a passkey or security key, or a virtual device: aws iam create-virtual-mfa-device, then aws iam enable-mfa-device --user-name ${row.user} …), and deny actions without aws:MultiFactorAuthPresent; or remove the password if it is not needed: aws iam delete-login-profile --user-name ${row.user}.`,
    references: {
      cis: ['CIS 1.10'],
      prowler: ['iam_user_mfa_enabled_console_access'],
      docs: [DOCS.mfa, DOCS.userMfa, DOCS.report],
    },
  };
}

/** Every finding on one IAM user's row (the root row has its own rules). */
function userFindings(facts: RowFacts): Finding[] {
  const out: (Finding | undefined)[] = [
    passwordUnused(facts),
    consoleWithoutMfa(facts),
    twoActiveKeys(facts),
    ...facts.row.accessKeys.flatMap((k) => [
      accessKeyUnused(facts, k),
      accessKeyNotRotated(facts, k),
    ]),
  ];
  return out.filter((f): f is Finding => f !== undefined);
}

/** The root findings of one account. */
function rootFindings(
  account: string,
  root: CredentialReportRow,
  asOfDay: number,
  options: CredentialRuleOptions,
): Finding[] {
  const principal = `arn:aws:iam::${account}:root`;
  const out: Finding[] = [];

  // `credentials.root-access-keys` (critical), one finding per active key. CIS 1.4, "Ensure no
  // 'root' user account access key exists": `access_key_N_active` true on the <root_account> row.
  for (const k of root.accessKeys.filter((key) => key.active)) {
    out.push({
      ...head('credentials.root-access-keys', principal, account),
      key: keyId(k),
      title: `The root user of account ${account} has an active access key (${keyName(k)})`,
      evidence: {
        keyLastRotated: k.lastRotated ?? null,
        keyAgeDays: ageIn(k.lastRotated, asOfDay) ?? null,
        keyLastUsed: k.lastUsedDate ?? null,
        daysSinceKeyLastUsed: ageIn(k.lastUsedDate, asOfDay) ?? null,
        keyLastUsedService: k.lastUsedService ?? null,
      },
      remediation: `Delete the root access key: sign in as the root user, open Security credentials and delete ${keyName(k)} (or, signed in as root, aws iam delete-access-key --access-key-id <id>). In a member account with centralized root access, from the management account: aws sts assume-root --target-principal ${account} --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials, then aws iam delete-access-key --access-key-id <id>. Use IAM roles for programmatic access.`,
      references: {
        cis: ['CIS 1.4'],
        prowler: ['iam_no_root_access_key'],
        docs: [DOCS.rootDeleteKey, DOCS.rootBestPractices, DOCS.rootCentral, DOCS.report],
      },
    });
  }

  // `credentials.root-used` (high), one finding per account. CIS 1.7, "Eliminate use of the 'root'
  // user for administrative and daily tasks": the root password or any root key (active or not
  // now) last used within the window: 0 to windowDays − 1 days before asOf (89: yes, 90: no with
  // a 90-day window), or after asOf (a report generated later). The latest use is the evidence.
  const uses = [
    { credential: 'password', date: root.passwordLastUsed },
    ...root.accessKeys.map((k) => ({ credential: keyId(k), date: k.lastUsedDate })),
  ]
    .map((u) => ({ ...u, age: ageIn(u.date, asOfDay) }))
    .filter((u): u is { credential: string; date: string; age: number } => u.age !== undefined)
    .sort((a, b) => a.age - b.age);
  const latest = uses[0];
  if (latest !== undefined && latest.age < options.windowDays) {
    const keyUse = (slot: 1 | 2) => root.accessKeys.find((k) => k.slot === slot)?.lastUsedDate;
    out.push({
      ...head('credentials.root-used', principal, account),
      title: `The root user of account ${account} was used ${latest.age} days ago (${latest.credential.replaceAll('_', ' ')})`,
      evidence: {
        lastUsed: latest.date,
        daysSinceLastUsed: latest.age,
        lastUsedCredential: latest.credential,
        passwordLastUsed: root.passwordLastUsed ?? null,
        accessKey1LastUsed: keyUse(1) ?? null,
        accessKey2LastUsed: keyUse(2) ?? null,
        windowDays: options.windowDays,
      },
      remediation: `Find what the root user did in CloudTrail (userIdentity.type = Root) and move those tasks to IAM roles or IAM Identity Center; keep root for the tasks that need it. If the use was not expected, change the root password and remove its keys. In a member account, consider centralized root access (remove the root credentials and use aws sts assume-root for root-only tasks).`,
      references: {
        cis: ['CIS 1.7'],
        prowler: ['iam_avoid_root_usage'],
        docs: [DOCS.rootBestPractices, DOCS.rootCentral, DOCS.report],
      },
    });
  }

  // `credentials.root-without-mfa` (critical). CIS 1.5, "Ensure MFA is enabled for the 'root'
  // user account": `mfa_active` false on the <root_account> row.
  if (!root.mfaActive) {
    out.push({
      ...head('credentials.root-without-mfa', principal, account),
      title: `The root user of account ${account} has no MFA`,
      evidence: {
        mfaActive: false,
        passwordLastUsed: root.passwordLastUsed ?? null,
        activeAccessKeys: root.accessKeys.filter((k) => k.active).length,
        userCreationTime: root.userCreationTime ?? null,
      },
      remediation: `Sign in as the root user and assign MFA under Security credentials (a passkey, security key or hardware TOTP token; CIS 1.6 asks for hardware MFA). In a member account, you can instead remove the root credentials with centralized root access (aws sts assume-root … IAMDeleteRootUserCredentials) so that nobody can sign in as root.`,
      references: {
        cis: ['CIS 1.5'],
        prowler: ['iam_root_mfa_enabled'],
        docs: [DOCS.rootMfa, DOCS.rootBestPractices, DOCS.rootCentral, DOCS.report],
      },
    });
  }
  return out;
}

/** By account, principal ARN, rule id and key, in code-unit order (the same in every locale). */
const compare = (a: Finding, b: Finding): number => {
  const keys = (f: Finding) => [f.account, f.principal, f.ruleId, f.key ?? ''];
  const [x, y] = [keys(a), keys(b)];
  for (let i = 0; i < x.length; i += 1) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
};

/**
 * Every credential finding of the accounts, ordered by account, principal ARN, rule id and key.
 * Users are the credential report's rows (the `<root_account>` row excepted); root findings come
 * from `Account.root`. Accounts without a credential report have no findings.
 */
export function credentialFindings(
  accounts: readonly Account[],
  options: CredentialRuleOptions,
): Finding[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf) || dayOf(`${options.asOf}T00:00:00Z`) === undefined)
    throw new Error(`\`asOf\` must be a date (YYYY-MM-DD), got \`${options.asOf}\``);
  const asOfDay = dayOf(`${options.asOf}T00:00:00Z`)!;
  const findings: Finding[] = [];
  for (const account of accounts) {
    for (const row of account.credentialReport) {
      if (row.user === ROOT_ROW) continue;
      findings.push(...userFindings({ account: account.id, row, asOfDay, options }));
    }
    if (account.root) findings.push(...rootFindings(account.id, account.root, asOfDay, options));
  }
  return findings.sort(compare);
}
