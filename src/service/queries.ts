/**
 * The questions the service answers about one snapshot, as plain functions over a loaded
 * snapshot (and, for what needs usage, the report of its latest analysis): the principals with
 * filters and pages, one principal's effective permissions, who can do an action on a resource,
 * and one principal's recommendation. The query worker runs them off the event loop.
 */
import {
  actionFilter,
  estatePermissions,
  members,
  possibleActions,
  principalPermissions,
  summarize,
  whoCan,
  type Catalog,
  type Principal,
  type PrincipalPermissions,
  type PrincipalSummary,
  type SensitiveActionTags,
  type Snapshot,
  type WhoCanResult,
} from '../../policy-model/index.js';
import { latest, snapshotLastActivity } from '../../recommender/findings/usage.js';
import type { Finding, Recommendation, Report, Score } from '../../recommender/model.js';
import { ServiceError } from './errors.js';

const DAY = 86_400_000;

/** What the principal listing keeps of each principal: computed once per loaded snapshot. */
export interface PrincipalRow {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly type: 'user' | 'role';
  readonly kind: 'human' | 'machine';
  readonly kindReason: string;
  readonly createDate?: string;
  readonly serviceLinked: boolean;
  /** The latest sign of life the snapshot itself holds (RoleLastUsed, credential report). */
  readonly snapshotActivity?: string;
  /** The service prefixes of the actions it may be allowed (allowed, on some resources, or conditionally). */
  readonly services: readonly string[];
  readonly allowedActions: number;
  readonly adminEquivalent: boolean;
}

/** The listing rows of a snapshot, sorted by ARN. */
export function principalRows(
  snapshot: Snapshot,
  catalog: Catalog,
  tags: SensitiveActionTags,
): PrincipalRow[] {
  const rows: PrincipalRow[] = [];
  for (const permissions of estatePermissions(snapshot, catalog)) {
    const { principal } = permissions;
    const services = new Set<string>();
    for (const id of members(possibleActions(permissions)))
      services.add(catalog.actions[id]!.service);
    const summary = summarize(catalog, permissions, tags);
    const activity = snapshotLastActivity(principal);
    rows.push({
      arn: principal.arn,
      name: principal.name,
      account: principal.account,
      type: principal.type,
      kind: principal.kind,
      kindReason: principal.kindReason.message,
      ...(principal.createDate ? { createDate: principal.createDate } : {}),
      serviceLinked: principal.serviceLinked,
      ...(activity ? { snapshotActivity: activity } : {}),
      services: [...services].sort(),
      allowedActions: summary.allowed + summary.allowedOnSomeResources + summary.conditional,
      adminEquivalent: summary.adminEquivalent,
    });
  }
  return rows.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}

/** The filters and page of `GET /v1/snapshots/{id}/principals`. */
export interface PrincipalQuery {
  readonly kind?: 'human' | 'machine';
  /** No activity in this many days up to as-of, and created before them. */
  readonly unusedForDays?: number;
  /** Service prefixes: principals that may use any of them. */
  readonly services?: readonly string[];
  readonly account?: string;
  readonly limit: number;
  /** The last ARN of the previous page. */
  readonly after?: string;
}

/** Where the activity the listing judges by comes from. */
export interface ActivityBasis {
  /** The day "unused for" counts back from (YYYY-MM-DD). */
  readonly asOf: string;
  /** `analysis`: the report of the snapshot's latest analysis (CloudTrail included); else the snapshot alone. */
  readonly source: 'analysis' | 'snapshot';
  readonly analysis?: string;
  /** From the report: ARN → last activity and score. */
  readonly principals?: ReadonlyMap<
    string,
    { lastActivity?: string; score?: Score; recommended: boolean }
  >;
}

/** One principal as listed: its row, with counts for lists and the activity judged by. */
export type ListedPrincipal = Omit<PrincipalRow, 'services' | 'snapshotActivity'> & {
  readonly lastActivity?: string;
  /** Whole days from the last activity to the end of as-of; absent when never active. */
  readonly daysSinceActivity?: number;
  /** How many services it may use. */
  readonly services: number;
  /** From the latest analysis. */
  readonly score?: Score;
  readonly hasRecommendation?: boolean;
};

/** A page of principals. */
export interface PrincipalPage {
  readonly asOf: string;
  readonly activitySource: 'analysis' | 'snapshot';
  readonly analysis?: string;
  /** Principals matching the filters, over all pages. */
  readonly total: number;
  readonly principals: readonly ListedPrincipal[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

const endOfDay = (day: string): number => Date.parse(`${day}T23:59:59.999Z`);

/** Filters, pages and dresses the rows. */
export function listPrincipals(
  rows: readonly PrincipalRow[],
  query: PrincipalQuery,
  basis: ActivityBasis,
): PrincipalPage {
  const asOfEnd = endOfDay(basis.asOf);
  const wanted = query.services ? new Set(query.services.map((s) => s.toLowerCase())) : undefined;
  const lastActivityOf = (row: PrincipalRow): string | undefined =>
    latest(basis.principals?.get(row.arn)?.lastActivity, row.snapshotActivity);
  const dressed = (row: PrincipalRow): ListedPrincipal => {
    const { services, snapshotActivity: _snapshot, ...kept } = row;
    const fromReport = basis.principals?.get(row.arn);
    const lastActivity = lastActivityOf(row);
    return {
      ...kept,
      ...(lastActivity
        ? {
            lastActivity,
            daysSinceActivity: Math.max(0, Math.floor((asOfEnd - Date.parse(lastActivity)) / DAY)),
          }
        : {}),
      services: services.length,
      ...(fromReport?.score ? { score: fromReport.score } : {}),
      ...(fromReport ? { hasRecommendation: fromReport.recommended } : {}),
    };
  };
  const matches = (row: PrincipalRow): boolean => {
    if (query.kind && row.kind !== query.kind) return false;
    if (query.account && row.account !== query.account) return false;
    if (wanted && !row.services.some((s) => wanted.has(s))) return false;
    if (query.unusedForDays !== undefined) {
      const since = asOfEnd - query.unusedForDays * DAY;
      // A principal younger than the span cannot have been unused for all of it.
      if (row.createDate && Date.parse(row.createDate) > since) return false;
      const last = lastActivityOf(row);
      if (last !== undefined && Date.parse(last) > since) return false;
    }
    return true;
  };
  const matching = rows.filter(matches);
  const start = query.after === undefined ? 0 : matching.findIndex((r) => r.arn > query.after!);
  const page = start < 0 ? [] : matching.slice(start, start + query.limit);
  const more = start >= 0 && start + query.limit < matching.length;
  return {
    asOf: basis.asOf,
    activitySource: basis.source,
    ...(basis.analysis ? { analysis: basis.analysis } : {}),
    total: matching.length,
    principals: page.map(dressed),
    ...(more ? { nextCursor: encodeCursor(page[page.length - 1]!.arn) } : {}),
  };
}

/** Cursors are opaque to callers: the last ARN of the page, base64url. */
export const encodeCursor = (arn: string): string => Buffer.from(arn, 'utf8').toString('base64url');

/** The ARN a cursor stands for, or a 400 naming the parameter. */
export function decodeCursor(cursor: string): string {
  const arn = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!arn.startsWith('arn:'))
    throw new ServiceError('validation_failed', 'the cursor is not one this service gave', [
      { path: 'query:/cursor', message: 'pass the nextCursor of the previous page unchanged' },
    ]);
  return arn;
}

/** A principal of the snapshot, or a 404. */
function principalOf(snapshot: Snapshot, arn: string): Principal {
  for (const account of snapshot.accounts)
    for (const p of account.principals) if (p.arn === arn) return p;
  throw new ServiceError('not_found', `no principal \`${arn}\` in this snapshot`, [
    { path: 'arn', message: 'a user or role ARN of the snapshot (URL-encode it in the path)' },
  ]);
}

/** The answer of `…/principals/{arn}/effective-permissions`. */
export interface EffectivePermissionsAnswer extends PrincipalPermissions {
  readonly account: string;
  readonly type: 'user' | 'role';
  readonly catalogVersion: string;
  readonly summary: PrincipalSummary;
}

/** One principal's effective permissions, optionally only the actions a pattern covers. */
export function effectivePermissionsOf(
  snapshot: Snapshot,
  catalog: Catalog,
  tags: SensitiveActionTags,
  arn: string,
  actionPattern?: string,
): EffectivePermissionsAnswer {
  const principal = principalOf(snapshot, arn);
  const [permissions] = [...estatePermissions(snapshot, catalog, { principal: principal.arn })];
  const only = actionPattern ? actionFilter(catalog, actionPattern) : undefined;
  return {
    ...principalPermissions(catalog, permissions!, only),
    account: principal.account,
    type: principal.type,
    catalogVersion: catalog.version,
    summary: summarize(catalog, permissions!, tags),
  };
}

/** Who can do an action on a resource; an action the catalog does not know is a 400. */
export function whoCanOf(
  snapshot: Snapshot,
  catalog: Catalog,
  action: string,
  resource: string,
  now: Date,
): WhoCanResult {
  const [prefix, name] = action.split(':');
  const known = catalog.services.get(prefix!.toLowerCase())?.actions.get(name!.toLowerCase());
  if (!known)
    throw new ServiceError('validation_failed', `the catalog has no action \`${action}\``, [
      {
        path: 'query:/action',
        message: catalog.services.has(prefix!.toLowerCase())
          ? `service \`${prefix}\` has no such action`
          : `no service prefix \`${prefix}\``,
      },
    ]);
  return whoCan(snapshot, catalog, known.fullName, resource, now);
}

/** The answer of `…/principals/{arn}/recommendation`. */
export interface RecommendationAnswer {
  readonly analysis: string;
  readonly asOf: string;
  readonly windowDays: number;
  readonly arn: string;
  readonly account: string;
  readonly kind: 'human' | 'machine';
  readonly lastActivity?: string;
  readonly score: Score;
  readonly unusedRisks: readonly string[];
  /** Absent when nothing is to be removed (or the principal is service-linked). */
  readonly recommendation: Recommendation | null;
  readonly findings: readonly Finding[];
}

/** One principal's recommendation and findings from an analysis's report. */
export function recommendationOf(
  report: Report,
  analysis: string,
  arn: string,
): RecommendationAnswer {
  const principal = report.principals.find((p) => p.arn === arn);
  if (!principal)
    throw new ServiceError('not_found', `the analysis \`${analysis}\` has no principal \`${arn}\``);
  return {
    analysis,
    asOf: report.asOf,
    windowDays: report.windowDays,
    arn,
    account: principal.account,
    kind: principal.kind,
    ...(principal.lastActivity ? { lastActivity: principal.lastActivity } : {}),
    score: principal.score,
    unusedRisks: principal.unusedRisks,
    recommendation: principal.recommendation ?? null,
    findings: report.findings.filter((f) => f.principal === arn),
  };
}

/** The activity basis a report gives. */
export function basisOfReport(report: Report, analysis: string): ActivityBasis {
  return {
    asOf: report.asOf,
    source: 'analysis',
    analysis,
    principals: new Map(
      report.principals.map((p) => [
        p.arn,
        {
          ...(p.lastActivity ? { lastActivity: p.lastActivity } : {}),
          score: p.score,
          recommended: p.recommendation !== undefined,
        },
      ]),
    ),
  };
}
