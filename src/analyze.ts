/**
 * The main job: a snapshot and its activity in, the rightsizing report out. Loads the snapshot,
 * ingests its `cloudtrail/` and Access Advisor files into the usage store (incrementally), then
 * for every principal computes effective permissions, grades them against the window's use,
 * drafts and proves a rewrite, and runs the finding rules; scores and the report model follow.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  count,
  estatePermissions,
  members,
  policyLevels,
  sensitiveCapabilities,
  type Catalog,
  type Snapshot,
} from '../policy-model/index.js';
import {
  credentialFindings,
  DEFAULT_CREDENTIAL_RULE_OPTIONS,
} from '../recommender/findings/credentials.js';
import { usageFindings, lastActivity } from '../recommender/findings/usage.js';
import {
  REPORT_SCHEMA_VERSION,
  SEVERITIES,
  type AccountReport,
  type Finding,
  type PrincipalReport,
  type Report,
  type Score,
  type Severity,
} from '../recommender/model.js';
import { recommend } from '../recommender/recommend.js';
import { creepScore, sumScores, withChange } from '../recommender/score.js';
import { dataEventClass } from '../usage/cloudtrail/data-events.js';
import type { ResourceUse } from '../usage/facts.js';
import {
  ingestAccessAdvisor,
  ingestCloudTrail,
  listTrailFiles,
  type IngestProgress,
} from '../usage/ingest.js';
import { DuckDbUsageStore } from '../usage/store/duckdb.js';
import type { UsageStore } from '../usage/store/store.js';
import { loadCloudTrailActionMap } from './action-map.js';
import { loadCatalog } from './catalog.js';
import { loadSensitiveActionTags } from './sensitive-actions.js';
import { compareFinding } from './access-analyzer.js';
import { loadAccessAnalyzerFindings, loadSnapshot } from './snapshot.js';

/** What `analyze` needs beyond the snapshot directory. */
export interface AnalyzeOptions {
  /** Last day of the window (YYYY-MM-DD); default: the snapshot's `collectedAt`, else today. */
  readonly asOf?: string;
  readonly windowDays?: number;
  /** The usage store; default `SNAPSHOT/.leastpriv/usage.db`. */
  readonly db?: string;
  /** Default: `node` (exact) for trails up to 64 MB compressed, `duckdb` beyond. */
  readonly engine?: 'node' | 'duckdb';
  /** A previous report: scores then carry their change. */
  readonly previous?: Report;
  readonly gracePeriodDays?: number;
  readonly passwordUnusedDays?: number;
  readonly accessKeyUnusedDays?: number;
  readonly keyRotationDays?: number;
  readonly onPhase?: (phase: string, detail?: string) => void;
  readonly onIngestProgress?: (progress: IngestProgress) => void;
  readonly version?: string;
}

/** The report and how long each phase took. */
export interface AnalyzeResult {
  readonly report: Report;
  readonly phases: readonly { readonly phase: string; readonly seconds: number }[];
}

const RISKY = new Set([
  'admin-equivalent',
  'privilege-escalation',
  'data-exfiltration',
  'credentials-exposure',
]);

/** `SNAPSHOT/snapshot.json`: when the snapshot was taken, if it says. */
function collectedAt(dir: string): string | undefined {
  const path = join(dir, 'snapshot.json');
  if (!existsSync(path)) return undefined;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { collectedAt?: unknown };
    return typeof json.collectedAt === 'string' && !Number.isNaN(Date.parse(json.collectedAt))
      ? new Date(json.collectedAt).toISOString().slice(0, 10)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Trails up to this size (compressed bytes) are read by the exact Node engine by default. */
const NODE_ENGINE_BYTES = 64e6;

/**
 * The Node engine reads request parameters (the role `iam:PassRole` passed, parameter-bound
 * actions): exact, and fast enough for small trails; the DuckDB engine for large ones.
 */
function defaultEngine(trail: string): 'node' | 'duckdb' {
  const bytes = listTrailFiles(trail).files.reduce((n, f) => n + statSync(f).size, 0);
  return bytes <= NODE_ENGINE_BYTES ? 'node' : 'duckdb';
}

/** Ingests the snapshot's trail and Access Advisor files; returns records read and problems. */
async function ingestActivity(
  dir: string,
  store: UsageStore,
  catalog: Catalog,
  options: AnalyzeOptions,
): Promise<{
  records: number;
  accessAdvisor: boolean;
  issues: { where: string; message: string }[];
}> {
  const issues: { where: string; message: string }[] = [];
  let records = 0;
  const trail = join(dir, 'cloudtrail');
  if (existsSync(trail)) {
    const summary = await ingestCloudTrail(trail, {
      catalog,
      actionMap: loadCloudTrailActionMap(),
      store,
      engine: options.engine ?? defaultEngine(trail),
      ...(options.onIngestProgress ? { onProgress: options.onIngestProgress } : {}),
    });
    records = summary.records;
    for (const c of summary.corruptFiles)
      issues.push({ where: `cloudtrail/${c.file}`, message: c.reason });
    for (const u of summary.unmapped)
      issues.push({
        where: `cloudtrail (${u.eventSource} ${u.eventName})`,
        message: `${u.count} event(s) map to no IAM action (${u.reason})`,
      });
  }
  const advisor = await ingestAccessAdvisor(dir, store);
  for (const p of advisor.problems) issues.push({ where: p.file, message: p.reason });
  return { records, accessAdvisor: advisor.files > 0, issues };
}

/** The data-event classes each account's trail recorded in the window. */
function recordedDataEvents(
  catalog: Catalog,
  uses: readonly ResourceUse[],
): Map<string, Set<string>> {
  const byAccount = new Map<string, Set<string>>();
  for (const u of uses) {
    if (u.source !== 'cloudtrail') continue;
    const [service, name] = u.action.toLowerCase().split(':') as [string, string];
    const action = catalog.services.get(service)?.actions.get(name);
    const kind = action && dataEventClass(action);
    if (!kind) continue;
    const account = u.principal.split(':')[4] ?? '';
    const set = byAccount.get(account) ?? new Set();
    set.add(kind);
    byAccount.set(account, set);
  }
  return byAccount;
}

/** Runs the main job on a snapshot directory. */
export async function analyzeSnapshot(
  dir: string,
  options: AnalyzeOptions = {},
): Promise<AnalyzeResult> {
  const phases: { phase: string; seconds: number }[] = [];
  let started = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push({ phase: name, seconds: Math.round((now - started) / 10) / 100 });
    started = now;
  };
  options.onPhase?.('load', 'reading the snapshot');
  const catalog = loadCatalog();
  const snapshot: Snapshot = loadSnapshot(dir);
  const asOf = options.asOf ?? collectedAt(dir) ?? new Date().toISOString().slice(0, 10);
  const windowDays = options.windowDays ?? 90;
  const window = { asOf, windowDays };
  phase('load snapshot');

  options.onPhase?.('ingest', 'reading CloudTrail and Access Advisor');
  const store = await DuckDbUsageStore.open(options.db ?? join(dir, '.leastpriv', 'usage.db'));
  let activity: Awaited<ReturnType<typeof ingestActivity>>;
  let uses: ResourceUse[];
  let lastSeen: Map<string, string>;
  const people = new Map<string, string[]>();
  try {
    activity = await ingestActivity(dir, store, catalog, options);
    phase('ingest activity');
    uses = await store.resourceUses(window);
    lastSeen = await store.lastActivity();
    for (const principal of new Set(uses.map((u) => u.principal)))
      people.set(
        principal,
        (await store.people(principal, window)).map((p) => p.person),
      );
  } finally {
    await store.close();
  }
  const usesBy = new Map<string, ResourceUse[]>();
  for (const u of uses) {
    const list = usesBy.get(u.principal);
    if (list) list.push(u);
    else usesBy.set(u.principal, [u]);
  }
  const recorded = recordedDataEvents(catalog, uses);
  phase('query usage');

  options.onPhase?.('recommend', 'effective permissions, rewrites and proofs');
  const tags = loadSensitiveActionTags();
  const previous = new Map((options.previous?.principals ?? []).map((p) => [p.arn, p.score]));
  const principals: PrincipalReport[] = [];
  const findings: Finding[] = [];
  const usedBy = new Map<string, Set<string>>();
  const ruleOptions = {
    asOf,
    windowDays,
    gracePeriodDays: options.gracePeriodDays ?? DEFAULT_CREDENTIAL_RULE_OPTIONS.gracePeriodDays,
  };
  for (const permissions of estatePermissions(snapshot, catalog)) {
    const p = permissions.principal;
    const scpLevels = policyLevels(snapshot.organization, p.account, 'SERVICE_CONTROL_POLICY');
    const { recommendation, grading } = recommend({
      catalog,
      permissions,
      scpLevels,
      organizationId: snapshot.organization?.id,
      activity: { uses: usesBy.get(p.arn) ?? [], people: people.get(p.arn) ?? [] },
      recordedDataEvents: recorded.get(p.account) ?? new Set(),
    });
    const used = new Set(
      members(grading.used).map((id) => catalog.actions[id]!.fullName.toLowerCase()),
    );
    usedBy.set(p.arn, new Set(members(grading.used).map((id) => catalog.actions[id]!.fullName)));
    // A capability is an unused risk when none of the actions that give it was used.
    const risks = sensitiveCapabilities(catalog, permissions, tags).filter(
      (c) => RISKY.has(c.capability) && !c.actions.some((a) => used.has(a.toLowerCase())),
    );
    const riskyActions = new Set(risks.flatMap((c) => c.actions.map((a) => a.toLowerCase())));
    const granted = count(grading.granted);
    const score = withChange(
      creepScore(granted, used.size, Math.min(riskyActions.size, granted - used.size)),
      previous.get(p.arn),
    );
    const unusedRisks = [...new Set(risks.map((c) => c.capability))];
    const facts = {
      principal: p,
      lastSeenInTrail: lastSeen.get(p.arn),
      recommendation,
      score,
      unusedRisks,
    };
    findings.push(...usageFindings(facts, ruleOptions));
    const last = lastActivity(facts);
    principals.push({
      arn: p.arn,
      account: p.account,
      type: p.type,
      kind: p.kind,
      ...(last ? { lastActivity: last } : {}),
      score,
      unusedRisks,
      recommendation,
    });
  }
  phase('recommend and prove');

  findings.push(
    ...credentialFindings(snapshot.accounts, {
      asOf,
      windowDays,
      passwordUnusedDays:
        options.passwordUnusedDays ?? DEFAULT_CREDENTIAL_RULE_OPTIONS.passwordUnusedDays,
      accessKeyUnusedDays:
        options.accessKeyUnusedDays ?? DEFAULT_CREDENTIAL_RULE_OPTIONS.accessKeyUnusedDays,
      keyRotationDays: options.keyRotationDays ?? DEFAULT_CREDENTIAL_RULE_OPTIONS.keyRotationDays,
      gracePeriodDays: options.gracePeriodDays ?? DEFAULT_CREDENTIAL_RULE_OPTIONS.gracePeriodDays,
    }),
  );
  // IAM Access Analyzer's unused-access findings, next to ours (optional file per account).
  const analyzer = loadAccessAnalyzerFindings(dir);
  const analyzerIssues = analyzer.issues.map((i) => ({
    where: i.path,
    message: `${i.code}: ${i.message}`,
  }));
  if (analyzer.findings.length > 0) {
    const index = new Map(principals.map((p, i) => [p.arn, i]));
    for (const f of analyzer.findings) {
      const i = index.get(f.principal);
      if (i === undefined) {
        analyzerIssues.push({
          where: `accounts/${f.account}/access-analyzer-findings.json`,
          message: `finding \`${f.id}\` is about \`${f.principal}\`, not in the snapshot`,
        });
        continue;
      }
      const p = principals[i]!;
      const comparison = compareFinding(f, {
        used: usedBy.get(p.arn) ?? new Set(),
        findings: findings.filter((x) => x.principal === p.arn),
      });
      principals[i] = { ...p, accessAnalyzer: [...(p.accessAnalyzer ?? []), comparison] };
    }
  }
  const order = (s: Severity) => SEVERITIES.indexOf(s);
  // Where each finding's evidence lives in the snapshot (for SARIF's file locations).
  for (const [i, f] of findings.entries())
    if (f.source === undefined)
      findings[i] = {
        ...f,
        source: f.ruleId.startsWith('credentials.')
          ? `accounts/${f.account}/credential-report.csv`
          : `accounts/${f.account}/authorization-details.json`,
      };
  findings.sort(
    (a, b) =>
      order(a.severity) - order(b.severity) ||
      a.account.localeCompare(b.account) ||
      a.principal.localeCompare(b.principal) ||
      a.ruleId.localeCompare(b.ruleId) ||
      (a.key ?? '').localeCompare(b.key ?? ''),
  );
  const previousAccounts = new Map((options.previous?.accounts ?? []).map((a) => [a.id, a.score]));
  const accounts: AccountReport[] = snapshot.accounts.map((a) => {
    const mine = principals.filter((p) => p.account === a.id);
    return {
      id: a.id,
      principals: mine.length,
      score: withChange(sumScores(mine.map((p) => p.score)), previousAccounts.get(a.id)),
    };
  });
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]),
  ) as Record<Severity, number>;
  const total: Score = withChange(
    sumScores(principals.map((p) => p.score)),
    options.previous?.summary.score,
  );
  phase('findings and scores');
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'leastpriv', version: options.version ?? '0.0.0' },
    generatedAt: new Date().toISOString(),
    asOf,
    windowDays,
    catalogVersion: catalog.version,
    evidence: {
      cloudTrailRecords: activity.records,
      accessAdvisor: activity.accessAdvisor,
      dataEventAccounts: [...recorded.keys()].sort(),
      ...(analyzer.files > 0 ? { accessAnalyzerFindings: analyzer.findings.length } : {}),
    },
    summary: {
      accounts: accounts.length,
      principals: principals.length,
      findings: bySeverity,
      recommendations: principals.filter((p) => p.recommendation?.status === 'proposed').length,
      score: total,
    },
    accounts,
    principals,
    findings,
    inputIssues: [
      ...snapshot.issues.map((i) => ({ where: i.path, message: `${i.code}: ${i.message}` })),
      ...activity.issues,
      ...analyzerIssues,
    ],
  };
  return { report, phases };
}
