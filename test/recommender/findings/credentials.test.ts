/**
 * Credential-hygiene findings at their boundaries: 44/45/46 days unused (CIS 1.12), 89/90/91 days
 * since rotation (CIS 1.14), the 13/14/15-day grace period, N/A dates, inactive keys, and the root
 * user (CIS 1.4, 1.5, 1.7); then the sample organisation's credential report facts.
 * CIS numbers: CIS AWS Foundations Benchmark v3.0.0.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 */
import { describe, expect, it } from 'vitest';
import type { Account, CredentialReportRow } from '../../../policy-model/index.js';
import {
  credentialFindings,
  DEFAULT_CREDENTIAL_RULE_OPTIONS,
  type CredentialRuleOptions,
} from '../../../recommender/findings/credentials.js';
import type { Finding } from '../../../recommender/model.js';
import { loadSnapshot } from '../../../src/snapshot.js';

const A = '111122223333';
const AS_OF = '2026-11-24';
const DAY = 86_400_000;
const options: CredentialRuleOptions = { ...DEFAULT_CREDENTIAL_RULE_OPTIONS, asOf: AS_OF };

/** `n` calendar days before `AS_OF`, at `time` UTC, as the credential report writes it. */
const daysAgo = (n: number, time = '10:00:00') =>
  `${new Date(Date.parse(`${AS_OF}T00:00:00Z`) - n * DAY).toISOString().slice(0, 10)}T${time}+00:00`;

type Key = CredentialReportRow['accessKeys'][number];
const noKey = (slot: 1 | 2): Key => ({
  slot,
  active: false,
  lastRotated: undefined,
  lastUsedDate: undefined,
  lastUsedService: undefined,
});
/** An active key rotated 30 days ago and used yesterday, unless told otherwise. */
const key = (slot: 1 | 2, over: Partial<Key> = {}): Key => ({
  slot,
  active: true,
  lastRotated: daysAgo(30),
  lastUsedDate: daysAgo(1),
  lastUsedService: 's3',
  ...over,
});

/** An old user with no password, no MFA and no keys, unless told otherwise. */
const user = (name: string, over: Partial<CredentialReportRow> = {}): CredentialReportRow => ({
  user: name,
  arn: `arn:aws:iam::${A}:user/${name}`,
  userCreationTime: daysAgo(400),
  passwordEnabled: false,
  passwordLastUsed: undefined,
  passwordLastChanged: undefined,
  mfaActive: false,
  accessKeys: [noKey(1), noKey(2)],
  ...over,
});
/** A console user with MFA whose password was set 200 days ago. */
const consoleUser = (name: string, over: Partial<CredentialReportRow> = {}) =>
  user(name, {
    passwordEnabled: true,
    mfaActive: true,
    passwordLastChanged: daysAgo(200),
    passwordLastUsed: daysAgo(1),
    ...over,
  });
/** The root row: MFA on, no keys, password never used, unless told otherwise. */
const root = (over: Partial<CredentialReportRow> = {}, id = A): CredentialReportRow => ({
  ...user('<root_account>', { userCreationTime: daysAgo(2000), mfaActive: true }),
  arn: `arn:aws:iam::${id}:root`,
  ...over,
});
const account = (rows: readonly CredentialReportRow[], id = A): Account => ({
  id,
  principals: [],
  resourcePolicies: new Map(),
  credentialReport: rows,
  root: rows.find((r) => r.user === '<root_account>'),
});

const run = (rows: readonly CredentialReportRow[], over: Partial<CredentialRuleOptions> = {}) =>
  credentialFindings([account(rows)], { ...options, ...over });
/** `ruleId` or `ruleId:key` of each finding of one rule. */
const ids = (
  rule: string,
  rows: readonly CredentialReportRow[],
  over: Partial<CredentialRuleOptions> = {},
) =>
  run(rows, over)
    .filter((f) => f.ruleId === rule)
    .map((f) => (f.key ? f.key : f.ruleId));
const only = (rule: string, rows: readonly CredentialReportRow[]): Finding => {
  const found = run(rows).filter((f) => f.ruleId === rule);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('credentials.password-unused (CIS 1.12 "credentials unused for 45 days or greater"; id_credentials_finding-unused.html)', () => {
  const rule = 'credentials.password-unused';

  it('is raised at 45 and 46 days since the last sign-in, not at 44', () => {
    expect(ids(rule, [consoleUser('p', { passwordLastUsed: daysAgo(44) })])).toEqual([]);
    expect(ids(rule, [consoleUser('p', { passwordLastUsed: daysAgo(45) })])).toEqual([rule]);
    expect(ids(rule, [consoleUser('p', { passwordLastUsed: daysAgo(46) })])).toEqual([rule]);
    const f = only(rule, [consoleUser('p', { passwordLastUsed: daysAgo(45) })]);
    expect(f).toMatchObject({
      severity: 'medium',
      principal: `arn:aws:iam::${A}:user/p`,
      account: A,
      evidence: {
        passwordLastUsed: daysAgo(45),
        daysSincePasswordLastUsed: 45,
        neverUsed: false,
        passwordLastChanged: daysAgo(200),
        thresholdDays: 45,
      },
      references: {
        cis: ['CIS 1.12'],
        prowler: ['iam_user_console_access_unused'],
      },
    });
    expect(f.key).toBeUndefined();
    expect(f.remediation).toContain('aws iam delete-login-profile --user-name p');
  });

  it('counts whole UTC calendar days to the end of asOf, whatever the time of day', () => {
    // 44 days ago at midnight is still 44 days; 45 days ago a second before midnight is 45.
    const early = consoleUser('p', { passwordLastUsed: daysAgo(44, '00:00:00') });
    const late = consoleUser('p', { passwordLastUsed: daysAgo(45, '23:59:59') });
    expect(ids(rule, [early])).toEqual([]);
    expect(ids(rule, [late])).toEqual([rule]);
  });

  it('reports a never-used password (no_information) once it is 14 days old or more, not at 13 (grace period)', () => {
    const never = (setDaysAgo: number) =>
      consoleUser('p', { passwordLastUsed: undefined, passwordLastChanged: daysAgo(setDaysAgo) });
    expect(ids(rule, [never(13)])).toEqual([]);
    expect(ids(rule, [never(14)])).toEqual([rule]);
    expect(ids(rule, [never(15)])).toEqual([rule]);
    expect(only(rule, [never(14)]).evidence).toMatchObject({
      passwordLastUsed: null,
      daysSincePasswordLastUsed: null,
      neverUsed: true,
      passwordAgeDays: 14,
      thresholdDays: 14,
    });
  });

  it('with no password_last_changed, spares a never-used password only when the user itself is in the grace period', () => {
    const never = (createdDaysAgo: number) =>
      consoleUser('p', {
        passwordLastUsed: undefined,
        passwordLastChanged: undefined,
        userCreationTime: daysAgo(createdDaysAgo),
      });
    expect(ids(rule, [never(13)])).toEqual([]);
    expect(ids(rule, [never(14)])).toEqual([rule]);
    expect(only(rule, [never(400)]).evidence).toMatchObject({
      passwordAgeDays: null,
      passwordLastChanged: null,
      userCreationTime: daysAgo(400),
    });
    // Nothing known about its age: it cannot be shown to be in the grace period, so it is reported.
    expect(
      ids(rule, [
        consoleUser('p', {
          passwordLastUsed: undefined,
          passwordLastChanged: undefined,
          userCreationTime: undefined,
        }),
      ]),
    ).toEqual([rule]);
  });

  it('ignores users without a console password, and follows passwordUnusedDays', () => {
    expect(ids(rule, [user('k', { passwordLastUsed: daysAgo(300) })])).toEqual([]);
    const used30 = consoleUser('p', { passwordLastUsed: daysAgo(30) });
    expect(ids(rule, [used30])).toEqual([]);
    expect(ids(rule, [used30], { passwordUnusedDays: 30 })).toEqual([rule]);
  });
});

describe('credentials.access-key-unused (CIS 1.12; id_credentials_finding-unused.html), one finding per key', () => {
  const rule = 'credentials.access-key-unused';
  const withKey1 = (k: Partial<Key>, over: Partial<CredentialReportRow> = {}) =>
    user('svc', { accessKeys: [key(1, k), noKey(2)], ...over });

  it('is raised for an active key last used 45 or 46 days ago, not 44', () => {
    expect(ids(rule, [withKey1({ lastUsedDate: daysAgo(44) })])).toEqual([]);
    expect(ids(rule, [withKey1({ lastUsedDate: daysAgo(45) })])).toEqual(['access_key_1']);
    expect(ids(rule, [withKey1({ lastUsedDate: daysAgo(46) })])).toEqual(['access_key_1']);
    const f = only(rule, [withKey1({ lastUsedDate: daysAgo(45), lastRotated: daysAgo(60) })]);
    expect(f).toMatchObject({
      severity: 'medium',
      principal: `arn:aws:iam::${A}:user/svc`,
      key: 'access_key_1',
      evidence: {
        keyLastUsed: daysAgo(45),
        daysSinceKeyLastUsed: 45,
        keyLastUsedService: 's3',
        neverUsed: false,
        keyLastRotated: daysAgo(60),
        keyAgeDays: 60,
        thresholdDays: 45,
      },
      references: { cis: ['CIS 1.12'], prowler: ['iam_user_accesskey_unused'] },
    });
    expect(f.title).toContain('Access key 1 of svc');
    expect(f.remediation).toContain('aws iam update-access-key --user-name svc');
    expect(f.remediation).toContain('--status Inactive');
  });

  it('never reports an inactive key, however old its last use', () => {
    expect(
      ids(rule, [
        withKey1({ active: false, lastUsedDate: daysAgo(400), lastRotated: daysAgo(500) }),
      ]),
    ).toEqual([]);
    expect(ids(rule, [withKey1({ active: false, lastUsedDate: undefined })])).toEqual([]);
  });

  it('reports a never-used key (last_used_date N/A) created 14 or 15 days ago, not 13 (grace period, judged by last_rotated)', () => {
    const never = (createdDaysAgo: number) =>
      withKey1({ lastUsedDate: undefined, lastRotated: daysAgo(createdDaysAgo) });
    expect(ids(rule, [never(13)])).toEqual([]);
    expect(ids(rule, [never(14)])).toEqual(['access_key_1']);
    expect(ids(rule, [never(15)])).toEqual(['access_key_1']);
    expect(only(rule, [never(14)]).evidence).toMatchObject({
      keyLastUsed: null,
      daysSinceKeyLastUsed: null,
      neverUsed: true,
      keyAgeDays: 14,
      thresholdDays: 14,
    });
  });

  it('judges a recently created key by its own age, not its old user’s', () => {
    expect(ids(rule, [withKey1({ lastUsedDate: undefined, lastRotated: daysAgo(3) })])).toEqual([]);
  });

  it('with last_rotated N/A, spares a never-used key only when the user is in the grace period', () => {
    const never = (createdDaysAgo: number) =>
      withKey1(
        { lastUsedDate: undefined, lastRotated: undefined },
        { userCreationTime: daysAgo(createdDaysAgo) },
      );
    expect(ids(rule, [never(5)])).toEqual([]);
    expect(ids(rule, [never(400)])).toEqual(['access_key_1']);
    expect(only(rule, [never(400)]).evidence).toMatchObject({
      keyLastRotated: null,
      keyAgeDays: null,
    });
  });

  it('gives one finding per key, never one per user', () => {
    const both = user('svc', {
      accessKeys: [
        key(1, { lastUsedDate: daysAgo(100) }),
        key(2, { lastUsedDate: undefined, lastRotated: daysAgo(60) }),
      ],
    });
    expect(ids(rule, [both])).toEqual(['access_key_1', 'access_key_2']);
  });
});

describe('credentials.access-key-not-rotated (CIS 1.14 "rotated every 90 days or less"; best-practices.html#rotate-credentials)', () => {
  const rule = 'credentials.access-key-not-rotated';
  const rotated = (n: number, over: Partial<Key> = {}, time?: string) =>
    user('svc', { accessKeys: [key(1, { lastRotated: daysAgo(n, time), ...over }), noKey(2)] });

  it('is raised at 91 days, not at 89 or exactly 90', () => {
    expect(ids(rule, [rotated(89)])).toEqual([]);
    expect(ids(rule, [rotated(90)])).toEqual([]);
    expect(ids(rule, [rotated(91)])).toEqual(['access_key_1']);
    expect(only(rule, [rotated(91)])).toMatchObject({
      severity: 'medium',
      key: 'access_key_1',
      evidence: {
        keyLastRotated: daysAgo(91),
        keyAgeDays: 91,
        rotationDays: 90,
        keyLastUsed: daysAgo(1),
        keyLastUsedService: 's3',
      },
      references: { cis: ['CIS 1.14'], prowler: ['iam_rotate_access_key_90_days'] },
    });
  });

  it('counts calendar days: 90 days ago at 00:00 is 90 (not raised), 91 days ago at 23:59:59 is 91', () => {
    expect(ids(rule, [rotated(90, {}, '00:00:00')])).toEqual([]);
    expect(ids(rule, [rotated(91, {}, '23:59:59')])).toEqual(['access_key_1']);
  });

  it('ignores inactive keys and keys whose last_rotated is N/A (age unknown)', () => {
    expect(ids(rule, [rotated(400, { active: false })])).toEqual([]);
    expect(
      ids(rule, [user('svc', { accessKeys: [key(1, { lastRotated: undefined }), noKey(2)] })]),
    ).toEqual([]);
  });

  it('follows keyRotationDays', () => {
    expect(ids(rule, [rotated(61)], { keyRotationDays: 60 })).toEqual(['access_key_1']);
    expect(ids(rule, [rotated(60)], { keyRotationDays: 60 })).toEqual([]);
  });
});

describe('credentials.two-active-keys (CIS 1.13 "only one active access key"; id_credentials_access-keys.html)', () => {
  const rule = 'credentials.two-active-keys';

  it('is raised once per user with both keys active, with both keys’ last use as evidence', () => {
    const two = user('svc', {
      accessKeys: [key(1, { lastUsedDate: daysAgo(2) }), key(2, { lastUsedDate: undefined })],
    });
    const f = only(rule, [two]);
    expect(f).toMatchObject({
      severity: 'low',
      principal: `arn:aws:iam::${A}:user/svc`,
      evidence: {
        accessKey1LastUsed: daysAgo(2),
        accessKey1DaysSinceLastUsed: 2,
        accessKey2LastUsed: null,
        accessKey2DaysSinceLastUsed: null,
      },
      references: { cis: ['CIS 1.13'], prowler: ['iam_user_two_active_access_key'] },
    });
    expect(f.key).toBeUndefined();
  });

  it('is not raised when one of the two keys is inactive', () => {
    const one = user('svc', { accessKeys: [key(1, { active: false }), key(2)] });
    expect(ids(rule, [one])).toEqual([]);
  });
});

describe('credentials.console-without-mfa (CIS 1.10; best-practices.html#enable-mfa-for-privileged-users)', () => {
  const rule = 'credentials.console-without-mfa';

  it('is raised for a console password without MFA, even for a user created today', () => {
    const f = only(rule, [consoleUser('p', { mfaActive: false })]);
    expect(f).toMatchObject({
      severity: 'high',
      evidence: { passwordEnabled: true, mfaActive: false, passwordLastUsed: daysAgo(1) },
      references: { cis: ['CIS 1.10'], prowler: ['iam_user_mfa_enabled_console_access'] },
    });
    const today = consoleUser('new', {
      mfaActive: false,
      userCreationTime: daysAgo(0),
      passwordLastChanged: daysAgo(0),
      passwordLastUsed: undefined,
    });
    expect(ids(rule, [today])).toEqual([rule]);
  });

  it('is not raised with MFA, or without a console password', () => {
    expect(ids(rule, [consoleUser('p', { mfaActive: true })])).toEqual([]);
    expect(ids(rule, [user('k', { mfaActive: false })])).toEqual([]);
  });
});

describe('the root user (root-user-best-practices.html)', () => {
  const rootKey = (over: Partial<Key> = {}) =>
    root({ accessKeys: [key(1, { lastUsedDate: daysAgo(300), ...over }), noKey(2)] });

  it('credentials.root-access-keys (CIS 1.4): one critical finding per active root key', () => {
    const f = only('credentials.root-access-keys', [rootKey()]);
    expect(f).toMatchObject({
      severity: 'critical',
      principal: `arn:aws:iam::${A}:root`,
      account: A,
      key: 'access_key_1',
      evidence: {
        keyLastRotated: daysAgo(30),
        keyLastUsed: daysAgo(300),
        daysSinceKeyLastUsed: 300,
      },
      references: { cis: ['CIS 1.4'], prowler: ['iam_no_root_access_key'] },
    });
    expect(ids('credentials.root-access-keys', [rootKey({ active: false })])).toEqual([]);
    const both = root({ accessKeys: [key(1), key(2)] });
    expect(ids('credentials.root-access-keys', [both])).toEqual(['access_key_1', 'access_key_2']);
  });

  it('credentials.root-without-mfa (CIS 1.5): critical when mfa_active is false', () => {
    expect(only('credentials.root-without-mfa', [root({ mfaActive: false })])).toMatchObject({
      severity: 'critical',
      principal: `arn:aws:iam::${A}:root`,
      evidence: { mfaActive: false, activeAccessKeys: 0 },
      references: { cis: ['CIS 1.5'], prowler: ['iam_root_mfa_enabled'] },
    });
    expect(ids('credentials.root-without-mfa', [root({ mfaActive: true })])).toEqual([]);
  });

  it('credentials.root-used (CIS 1.7): password or key used in the 90-day window (89 days ago: yes, 90: no)', () => {
    const rule = 'credentials.root-used';
    expect(ids(rule, [root({ passwordLastUsed: daysAgo(89) })])).toEqual([rule]);
    expect(ids(rule, [root({ passwordLastUsed: daysAgo(90) })])).toEqual([]);
    expect(ids(rule, [root({ passwordLastUsed: daysAgo(0) })])).toEqual([rule]);
    // Password never used (no_information), no keys: nothing to report.
    expect(ids(rule, [root()])).toEqual([]);
    // A key that is inactive now but was used in the window still counts; the latest use is shown.
    const f = only(rule, [
      root({
        passwordLastUsed: daysAgo(40),
        accessKeys: [key(1, { active: false, lastUsedDate: daysAgo(10) }), noKey(2)],
      }),
    ]);
    expect(f).toMatchObject({
      severity: 'high',
      principal: `arn:aws:iam::${A}:root`,
      evidence: {
        lastUsed: daysAgo(10),
        daysSinceLastUsed: 10,
        lastUsedCredential: 'access_key_1',
        passwordLastUsed: daysAgo(40),
        accessKey1LastUsed: daysAgo(10),
        accessKey2LastUsed: null,
        windowDays: 90,
      },
      references: { cis: ['CIS 1.7'], prowler: ['iam_avoid_root_usage'] },
    });
    expect(f.key).toBeUndefined();
    expect(ids(rule, [root({ passwordLastUsed: daysAgo(40) })], { windowDays: 30 })).toEqual([]);
  });

  it('is not subject to the IAM user rules (CIS 1.12 excludes <root_account>)', () => {
    const old = root({
      mfaActive: true,
      passwordLastUsed: daysAgo(300),
      accessKeys: [
        key(1, { lastRotated: daysAgo(900), lastUsedDate: daysAgo(300) }),
        key(2, { lastUsedDate: undefined, lastRotated: daysAgo(900) }),
      ],
    });
    expect(run([old]).map((f) => f.ruleId)).toEqual([
      'credentials.root-access-keys',
      'credentials.root-access-keys',
    ]);
  });

  it('gives no root findings without a root row', () => {
    const noRoot: Account = { ...account([user('svc')]), root: undefined };
    expect(credentialFindings([noRoot], options)).toEqual([]);
  });
});

describe('credentialFindings', () => {
  it('orders findings by account, principal ARN, rule id and key, whatever the input order', () => {
    const B = '999988887777';
    const bRows = [
      user('zed', {
        arn: `arn:aws:iam::${B}:user/zed`,
        accessKeys: [key(1, { lastRotated: daysAgo(200) }), key(2)],
      }),
      root({ mfaActive: false }, B),
    ];
    const aRows = [
      consoleUser('amy', { mfaActive: false, passwordLastUsed: daysAgo(100) }),
      user('bob', {
        accessKeys: [
          key(1, { lastRotated: daysAgo(100), lastUsedDate: daysAgo(50) }),
          key(2, { lastRotated: daysAgo(100), lastUsedDate: daysAgo(50) }),
        ],
      }),
    ];
    const found = credentialFindings([account(bRows, B), account(aRows, A)], options);
    expect(found.map((f) => [f.account, f.principal.split(':').pop(), f.ruleId, f.key])).toEqual([
      [A, 'user/amy', 'credentials.console-without-mfa', undefined],
      [A, 'user/amy', 'credentials.password-unused', undefined],
      [A, 'user/bob', 'credentials.access-key-not-rotated', 'access_key_1'],
      [A, 'user/bob', 'credentials.access-key-not-rotated', 'access_key_2'],
      [A, 'user/bob', 'credentials.access-key-unused', 'access_key_1'],
      [A, 'user/bob', 'credentials.access-key-unused', 'access_key_2'],
      [A, 'user/bob', 'credentials.two-active-keys', undefined],
      [B, 'root', 'credentials.root-without-mfa', undefined],
      [B, 'user/zed', 'credentials.access-key-not-rotated', 'access_key_1'],
      [B, 'user/zed', 'credentials.two-active-keys', undefined],
    ]);
    // Every finding has a title naming its user, remediation and documentation.
    for (const f of found) {
      expect(f.title.length).toBeGreaterThan(10);
      expect(f.remediation.length).toBeGreaterThan(10);
      expect(f.references.docs?.length).toBeGreaterThan(0);
    }
  });

  it('rejects an asOf that is not a date', () => {
    expect(() => credentialFindings([], { ...options, asOf: '24/11/2026' })).toThrow(/asOf/);
  });
});

describe('the sample organisation (fixtures/sample-org/README.md, "Credential report" facts 25–35)', () => {
  const snapshot = loadSnapshot('fixtures/sample-org');
  const found = credentialFindings(snapshot.accounts, options);
  const M = '111111111111';
  const P = '222222222222';
  const D = '333333333333';
  const of = (rule: string) =>
    found
      .filter((f) => f.ruleId === rule)
      .map((f) => (f.key ? `${f.principal} ${f.key}` : f.principal));
  const evidence = (rule: string, principal: string, key?: string) =>
    found.find((f) => f.ruleId === rule && f.principal === principal && f.key === key)?.evidence;

  it('has the snapshot read without issues', () => {
    expect(snapshot.issues.filter((i) => i.code === 'invalid_credential_report')).toEqual([]);
  });

  it('access-key-not-rotated: 400, 91, 150 and 287 days; not 89 (fact 26) nor exactly 90 (fact 27)', () => {
    expect(of('credentials.access-key-not-rotated')).toEqual([
      `arn:aws:iam::${P}:user/ci/ci-github-deployer access_key_1`, // fact 25: 400 days (key 2: 30)
      `arn:aws:iam::${P}:user/ses-smtp-user.20260825-093012 access_key_1`, // fact 28: 91 days
      `arn:aws:iam::${D}:user/engineering/erin.walsh access_key_2`, // fact 33: 150 days (key 1 inactive)
      `arn:aws:iam::${D}:user/frank.osei access_key_1`, // fact 34: 287 days
    ]);
    const age = (principal: string, key: string) =>
      evidence('credentials.access-key-not-rotated', principal, key)?.['keyAgeDays'];
    expect(age(`arn:aws:iam::${P}:user/ci/ci-github-deployer`, 'access_key_1')).toBe(400);
    expect(age(`arn:aws:iam::${P}:user/ses-smtp-user.20260825-093012`, 'access_key_1')).toBe(91);
    expect(age(`arn:aws:iam::${D}:user/engineering/erin.walsh`, 'access_key_2')).toBe(150);
    expect(age(`arn:aws:iam::${D}:user/frank.osei`, 'access_key_1')).toBe(287);
  });

  it('access-key-unused: the two never-used keys (fact 29) and frank.osei’s key unused for 268 days (fact 34)', () => {
    expect(of('credentials.access-key-unused')).toEqual([
      `arn:aws:iam::${M}:user/automation/billing-reports-export access_key_1`,
      `arn:aws:iam::${D}:user/automation/integration-tests-bot access_key_1`,
      `arn:aws:iam::${D}:user/frank.osei access_key_1`,
    ]);
    expect(
      evidence(
        'credentials.access-key-unused',
        `arn:aws:iam::${M}:user/automation/billing-reports-export`,
        'access_key_1',
      ),
    ).toMatchObject({ neverUsed: true, keyLastUsed: null, keyAgeDays: 75 });
    expect(
      evidence(
        'credentials.access-key-unused',
        `arn:aws:iam::${D}:user/automation/integration-tests-bot`,
        'access_key_1',
      ),
    ).toMatchObject({ neverUsed: true, keyLastUsed: null, keyAgeDays: 55 });
    expect(
      evidence(
        'credentials.access-key-unused',
        `arn:aws:iam::${D}:user/frank.osei`,
        'access_key_1',
      ),
    ).toMatchObject({ neverUsed: false, daysSinceKeyLastUsed: 268 });
  });

  it('two-active-keys: only ci-github-deployer (fact 25); erin.walsh’s key 1 is inactive (fact 33)', () => {
    expect(of('credentials.two-active-keys')).toEqual([
      `arn:aws:iam::${P}:user/ci/ci-github-deployer`,
    ]);
  });

  it('root: the prod root key (fact 30), prod and dev roots without MFA, no root use in the window', () => {
    expect(of('credentials.root-access-keys')).toEqual([`arn:aws:iam::${P}:root access_key_1`]);
    expect(
      evidence('credentials.root-access-keys', `arn:aws:iam::${P}:root`, 'access_key_1'),
    ).toMatchObject({
      keyLastRotated: '2022-01-20T09:33:00+00:00',
      keyLastUsed: '2025-04-02T07:41:00+00:00',
      keyLastUsedService: 'iam',
    });
    expect(of('credentials.root-without-mfa')).toEqual([
      `arn:aws:iam::${P}:root`,
      `arn:aws:iam::${D}:root`,
    ]);
    // Management root's password was last used 2026-08-12 (104 days: outside the 90-day window);
    // the prod root key 2025-04-02; the dev root never.
    expect(of('credentials.root-used')).toEqual([]);
  });

  it('console-without-mfa: bob.nguyen (fact 31) and dave.okafor, created 5 days ago (fact 32)', () => {
    expect(of('credentials.console-without-mfa')).toEqual([
      `arn:aws:iam::${D}:user/engineering/bob.nguyen`,
      `arn:aws:iam::${D}:user/engineering/dave.okafor`,
    ]);
  });

  it('password-unused: bob.nguyen, 100 days (fact 31), and break-glass-admin, 61 days; dave.okafor is in the grace period (fact 32)', () => {
    expect(of('credentials.password-unused')).toEqual([
      `arn:aws:iam::${M}:user/break-glass-admin`,
      `arn:aws:iam::${D}:user/engineering/bob.nguyen`,
    ]);
    expect(
      evidence('credentials.password-unused', `arn:aws:iam::${D}:user/engineering/bob.nguyen`),
    ).toMatchObject({
      passwordLastUsed: '2026-08-16T09:45:00+00:00',
      daysSincePasswordLastUsed: 100,
    });
  });

  it('has 15 credential findings in all: 3 critical, 2 high, 9 medium, 1 low', () => {
    expect(found).toHaveLength(15);
    const by = (s: string) => found.filter((f) => f.severity === s).length;
    expect([by('critical'), by('high'), by('medium'), by('low')]).toEqual([3, 2, 9, 1]);
  });
});
