#!/usr/bin/env node
/**
 * Builds usage/data/cloudtrail-action-map.json from the reference data in ../shared/data (build
 * time only: tests and the runtime read the shipped JSON). Plain node, no dependencies:
 *
 *   node usage/data/build-action-map.mjs [path/to/shared/data]
 *
 * See usage/data/README.md for what each part of the output means and how it was derived.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(process.argv[2] ?? join(here, '../../../shared/data'));
const out = join(here, 'cloudtrail-action-map.json');

/** The version of the shipped data: bump it whenever the output changes. */
const VERSION = '1.0.0';

const readJson = (path) => JSON.parse(readFileSync(join(shared, path), 'utf8'));
const eventSources = readJson('iam-dataset/aws-cloudtrail-service-mappings.json');
const iamlive = readJson('iamlive-sdk-iam-map/aws-sdk-iam-map-2022-08.json');
const methods = iamlive.sdk_method_iam_mappings;

/**
 * Hand-verified mappings, each checked against the AWS page it cites. They win over the derived
 * SDK map: they cover CloudTrail event names that the SDK map does not spell the same way and the
 * examples the project commits to (the issue). `conditional` has the same meaning as in the derived
 * entries (see README.md).
 */
const S3_API = 'https://docs.aws.amazon.com/AmazonS3/latest/API';
const RENAMED = {
  s3: {
    ListObjects: { actions: ['s3:ListBucket'], doc: `${S3_API}/API_ListObjects.html` },
    ListObjectsV2: { actions: ['s3:ListBucket'], doc: `${S3_API}/API_ListObjectsV2.html` },
    HeadBucket: { actions: ['s3:ListBucket'], doc: `${S3_API}/API_HeadBucket.html` },
    ListBuckets: { actions: ['s3:ListAllMyBuckets'], doc: `${S3_API}/API_ListBuckets.html` },
    GetObject: {
      actions: ['s3:GetObject'],
      conditional: [{ action: 's3:GetObjectVersion', when: 'VersionId' }],
      doc: `${S3_API}/API_GetObject.html`,
    },
    HeadObject: {
      actions: ['s3:GetObject'],
      conditional: [{ action: 's3:GetObjectVersion', when: 'VersionId' }],
      doc: `${S3_API}/API_HeadObject.html`,
    },
    ListObjectVersions: {
      actions: ['s3:ListBucketVersions'],
      doc: `${S3_API}/API_ListObjectVersions.html`,
    },
    ListMultipartUploads: {
      actions: ['s3:ListBucketMultipartUploads'],
      doc: `${S3_API}/API_ListMultipartUploads.html`,
    },
    ListParts: {
      actions: ['s3:ListMultipartUploadParts'],
      doc: `${S3_API}/API_ListParts.html`,
    },
    // CloudTrail records the lifecycle calls under their REST names (GetBucketLifecycle, …).
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
    GetBucketLifecycle: {
      actions: ['s3:GetLifecycleConfiguration'],
      doc: `${S3_API}/API_GetBucketLifecycleConfiguration.html`,
    },
    PutBucketLifecycle: {
      actions: ['s3:PutLifecycleConfiguration'],
      doc: `${S3_API}/API_PutBucketLifecycleConfiguration.html`,
    },
    DeleteBucketLifecycle: {
      actions: ['s3:PutLifecycleConfiguration'],
      doc: `${S3_API}/API_DeleteBucketLifecycle.html`,
    },
    GetBucketEncryption: {
      actions: ['s3:GetEncryptionConfiguration'],
      doc: `${S3_API}/API_GetBucketEncryption.html`,
    },
    PutBucketEncryption: {
      actions: ['s3:PutEncryptionConfiguration'],
      doc: `${S3_API}/API_PutBucketEncryption.html`,
    },
    DeleteBucketEncryption: {
      actions: ['s3:PutEncryptionConfiguration'],
      doc: `${S3_API}/API_DeleteBucketEncryption.html`,
    },
  },
  secretsmanager: {
    // "Required permissions: secretsmanager:BatchGetSecretValue, and you must have
    // secretsmanager:GetSecretValue for each secret. If you use filters, you must also have
    // secretsmanager:ListSecrets."
    BatchGetSecretValue: {
      actions: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
      conditional: [{ action: 'secretsmanager:ListSecrets', when: 'Filters' }],
      doc: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html',
    },
  },
  lambda: {
    Invoke: {
      actions: ['lambda:InvokeFunction'],
      doc: 'https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html',
    },
  },
};

// ── SDK service → IAM prefix ────────────────────────────────────────────────────────────────────
// How many of each SDK service's methods map (first action) to each prefix.
const methodPrefixes = {};
for (const [key, items] of Object.entries(methods)) {
  const sdk = key.slice(0, key.indexOf('.'));
  const first = items[0]?.action;
  if (!first) continue;
  const counts = (methodPrefixes[sdk] ??= {});
  const p = first.slice(0, first.indexOf(':')).toLowerCase();
  counts[p] = (counts[p] ?? 0) + 1;
}
const listed = new Map(); // sdk → prefixes the upstream tables give it
for (const [prefix, sdks] of Object.entries(iamlive.service_sdk_mappings))
  for (const sdk of sdks) listed.set(sdk, [...(listed.get(sdk) ?? []), prefix]);
for (const [sdk, prefix] of Object.entries(iamlive.sdk_service_mappings))
  if (!listed.has(sdk)) listed.set(sdk, [prefix]);
const sdkPrefix = new Map();
const notes = [];
for (const [sdk, counts] of Object.entries(methodPrefixes)) {
  const candidates = listed.get(sdk) ?? Object.keys(counts);
  // Several candidates (S3: s3 and s3-object-lambda) or none listed (DynamoDB, RDS, APIGateway, …):
  // the prefix most of the service's methods map to.
  const [best] = candidates
    .map((p) => [p, counts[p] ?? 0])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  sdkPrefix.set(sdk, best[0]);
  if (candidates.length !== 1 || !listed.has(sdk))
    notes.push(
      `sdk ${sdk} → ${best[0]} (listed ${JSON.stringify(listed.get(sdk) ?? [])}, methods ${JSON.stringify(counts)})`,
    );
}

// ── One SDK method → { actions, conditional } ───────────────────────────────────────────────────
/** The request parameters a template reads: `${Role}`, `%%many%${A}%${B}%%` → ['Role'] / ['A', 'B']. */
const paramsOf = (template) =>
  [...template.matchAll(/\$\{([^}]+)\}/g)]
    .map((m) => m[1])
    .filter((p) => !['Partition', 'Region', 'Account'].includes(p));

/** Conditions that hold when the parameter is absent (the default request) are not triggers. */
const HOLDS_WHEN_ABSENT = new Set(['NotExists', 'NotEquals', 'INotContains', 'NotStartsWith']);

/**
 * Why an item's action is needed only for some requests, or undefined when it always is. `primary`:
 * the item names the call's own action (the first item's), whose ARN templates only say which
 * resource it applies to.
 */
function trigger(item, primary) {
  const c = item.conditions;
  if (c) {
    if (HOLDS_WHEN_ABSENT.has(c.op) && !c.andCondition) return undefined;
    const one = (x) =>
      x.op === 'Exists'
        ? x.lhs
        : `${x.lhs} ${x.op.replace(/^I/, '').toLowerCase()} ${JSON.stringify(x.rhs ?? '')}`;
    return c.andCondition ? `${one(c)} and ${one(c.andCondition)}` : one(c);
  }
  const t = item.arn_override?.template;
  if (t === undefined || primary) return undefined;
  if (t.startsWith('%%iftruthy%')) {
    // `%%iftruthy%${X}%THEN%%%`: nothing when X is absent; with an ELSE branch: always.
    return t.endsWith('%%%') ? paramsOf(t)[0] : undefined;
  }
  // `*` and constant ARNs: always needed. `${Role}`, `%%many%${A}%${B}%%`, `arn:…${X}…`: only when
  // one of the parameters is present (the action applies to what the parameter names).
  const params = paramsOf(t);
  return params.length > 0 ? [...new Set(params)].join(' or ') : undefined;
}

function normalize(items) {
  const always = [];
  const conditional = new Map(); // action → Set(when)
  const spelling = new Map();
  const primary = items[0].action.toLowerCase();
  for (const item of items) {
    const lower = item.action.toLowerCase();
    if (!spelling.has(lower)) spelling.set(lower, item.action);
    const when = trigger(item, lower === primary);
    if (when === undefined) {
      if (!always.includes(lower)) always.push(lower);
    } else {
      const set = conditional.get(lower) ?? new Set();
      set.add(when);
      conditional.set(lower, set);
    }
  }
  for (const a of always) conditional.delete(a);
  if (always.length === 0) {
    // Every action depends on the request (PartiQL statements, Timestream queries, transactions):
    // the call needs at least one of them and we cannot tell which, so all are reported.
    return { actions: [...conditional.keys()].map((a) => spelling.get(a)), alternatives: true };
  }
  const entry = { actions: always.map((a) => spelling.get(a)) };
  if (conditional.size > 0)
    entry.conditional = [...conditional].map(([a, whens]) => ({
      action: spelling.get(a),
      when: [...whens].join(' or '),
    }));
  return entry;
}

// ── Group by (prefix, operation) ────────────────────────────────────────────────────────────────
const byOp = new Map(); // `${prefix}\0${op}` → [{ sdk, entry }]
for (const [key, items] of Object.entries(methods)) {
  const dot = key.indexOf('.');
  const sdk = key.slice(0, dot);
  const op = key.slice(dot + 1);
  if (!Array.isArray(items) || items.length === 0) continue;
  // S3 and S3Control mix services (s3-outposts, s3-object-lambda), which CloudTrail records under
  // their own event sources: a call whose first action is of another service is keyed under it.
  const first = items[0].action;
  const own = first.slice(0, first.indexOf(':')).toLowerCase();
  const prefix = Object.keys(methodPrefixes[sdk] ?? {}).length > 1 ? own : sdkPrefix.get(sdk);
  if (!prefix) continue;
  const k = `${prefix}\0${op}`;
  const list = byOp.get(k) ?? [];
  list.push({ sdk, entry: normalize(items) });
  byOp.set(k, list);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sdkMap = {};
const ambiguous = {};
let trivial = 0;
let derived = 0;
for (const [k, list] of byOp) {
  const [prefix, op] = k.split('\0');
  const entries = list.map((l) => l.entry);
  const from = list.map((l) => `${l.sdk}.${op}`).sort();
  const isTrivial = (e) =>
    e.actions.length === 1 &&
    !e.conditional &&
    !e.alternatives &&
    e.actions[0].toLowerCase() === `${prefix}:${op}`.toLowerCase();
  if (entries.every(isTrivial)) {
    trivial += 1;
    continue;
  }
  let entry = entries[0];
  if (!entries.every((e) => same(e, entry))) {
    // Two SDK clients of one service name an operation alike but map it differently (S3 and
    // S3Control, RDS and Neptune/DocDB, …). CloudTrail does not say which client called: report
    // every action any of them needs (nothing needed is lost), and record the ambiguity.
    const actions = [...new Set(entries.flatMap((e) => e.actions))];
    const cond = new Map();
    for (const e of entries)
      for (const c of e.conditional ?? [])
        if (!actions.includes(c.action)) cond.set(c.action, c.when);
    entry = { actions };
    if (cond.size > 0) entry.conditional = [...cond].map(([action, when]) => ({ action, when }));
    (ambiguous[prefix] ??= {})[op] = Object.fromEntries(list.map((l) => [l.sdk, l.entry]));
  }
  derived += 1;
  const { alternatives, ...rest } = entry;
  const ambiguousFlag = ambiguous[prefix]?.[op] ? { ambiguous: true } : {};
  (sdkMap[prefix] ??= {})[op] = {
    ...rest,
    ...(alternatives ? { alternatives } : {}),
    ...ambiguousFlag,
    from,
  };
}

// Curated entries that agree or disagree with the derived map: printed for review.
const review = [];
for (const [prefix, ops] of Object.entries(RENAMED))
  for (const [op, r] of Object.entries(ops)) {
    const d = sdkMap[prefix]?.[op];
    const dd = d
      ? { actions: d.actions, ...(d.conditional ? { conditional: d.conditional } : {}) }
      : undefined;
    const rr = { actions: r.actions, ...(r.conditional ? { conditional: r.conditional } : {}) };
    review.push(
      `${prefix}:${op} curated ${JSON.stringify(rr)} derived ${JSON.stringify(dd)}${same(dd, rr) ? ' (same)' : ''}`,
    );
  }

const sortKeys = (o) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
const data = {
  $comment: 'Generated by usage/data/build-action-map.mjs; see usage/data/README.md. Do not edit.',
  version: VERSION,
  sources: {
    eventSources:
      'iann0036/iam-dataset aws/map.json cloudtrail_service_mappings @ 2073fa52ac008a45477aa0b1b4580cd99135bf60 (MIT)',
    sdkMap:
      'iann0036/iamlive iamlivecore/map.json @ d8e67a2d9a422a00c9246531b3a5f3892c465585, 2022-08-19 (MIT)',
    renamed: 'hand-verified against the AWS pages each entry cites',
  },
  eventSources: sortKeys(eventSources),
  renamed: sortKeys(Object.fromEntries(Object.entries(RENAMED).map(([p, o]) => [p, sortKeys(o)]))),
  sdkMap: sortKeys(Object.fromEntries(Object.entries(sdkMap).map(([p, o]) => [p, sortKeys(o)]))),
};
writeFileSync(out, JSON.stringify(data, null, 1) + '\n');

const ambiguousCount = Object.values(ambiguous).reduce((n, o) => n + Object.keys(o).length, 0);
console.log(`sdk methods: ${Object.keys(methods).length}, (prefix, operation) pairs: ${byOp.size}`);
console.log(
  `same as the operation name (not shipped): ${trivial}; shipped sdkMap entries: ${derived}`,
);
console.log(`ambiguous between SDK clients (shipped as the union): ${ambiguousCount}`);
console.log(`event sources: ${Object.keys(eventSources).length}`);
if (process.env.VERBOSE) {
  for (const n of notes) console.log(`note: ${n}`);
  for (const [p, o] of Object.entries(ambiguous))
    for (const [op, v] of Object.entries(o))
      console.log(`ambiguous ${p}:${op} ${JSON.stringify(v)}`);
  for (const r of review) console.log(`review: ${r}`);
}
console.log(`wrote ${out}`);
