/**
 * Snapshots over HTTP: upload one (a tar.gz or JSON parts), list them, and ask about one — its
 * principals (filtered, paginated), a principal's effective permissions and recommendation, and
 * who can do an action on a resource. The answers come from the query worker.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { ServiceError } from '../errors.js';
import type { Job, JobRunner } from '../jobs.js';
import { decodeCursor, type PrincipalQuery } from '../queries.js';
import type { QueryClient } from '../query-client.js';
import type { QueryRequest } from '../query-worker.js';
import type { SnapshotInfo, SnapshotParts, SnapshotStore } from '../snapshots.js';
import type { RouteSpec } from './route.js';

/** The content types a tar.gz upload may carry. */
export const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar+gzip'];

/** What the snapshot routes work with. */
export interface SnapshotRouteDeps {
  readonly snapshots: SnapshotStore;
  readonly queries: QueryClient;
  readonly jobs: JobRunner;
  /** The largest upload, in bytes. */
  readonly uploadLimit: number;
}

/** The latest succeeded analysis of a snapshot whose report is on disk. */
export function latestAnalysis(jobs: JobRunner, snapshot: string): Job | undefined {
  return jobs
    .list()
    .filter(
      (j) =>
        j.snapshot === snapshot &&
        j.status === 'succeeded' &&
        existsSync(join(jobs.reportDir(j.id), 'report.json')),
    )
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''))
    .at(-1);
}

const reportOf = (jobs: JobRunner, job: Job): { analysis: string; file: string } => ({
  analysis: job.id,
  file: join(jobs.reportDir(job.id), 'report.json'),
});

/** The snapshot a path names, or a 404. */
function snapshotParam(deps: SnapshotRouteDeps, req: Request): SnapshotInfo {
  return deps.snapshots.info(String(req.params['id']));
}

/** The listing filters of the query string (validated by the schema already). */
function principalQuery(query: Record<string, unknown>): PrincipalQuery {
  const limit = query['limit'] === undefined ? 100 : Number(query['limit']);
  if (limit < 1 || limit > 1000)
    throw new ServiceError(
      'validation_failed',
      'the request query is invalid: `limit` is out of range',
      [{ path: 'query:/limit', message: 'must be 1 to 1000' }],
    );
  const unusedFor = query['unusedFor'] as string | undefined;
  return {
    limit,
    ...(query['kind'] ? { kind: query['kind'] as 'human' | 'machine' } : {}),
    ...(unusedFor ? { unusedForDays: Number(unusedFor.replace(/d$/, '')) } : {}),
    ...(query['service'] ? { services: String(query['service']).split(',') } : {}),
    ...(query['account'] ? { account: String(query['account']) } : {}),
    ...(query['cursor'] ? { after: decodeCursor(String(query['cursor'])) } : {}),
  };
}

/** As-of without an analysis: the day the snapshot was collected, else today. */
const snapshotAsOf = (info: SnapshotInfo): string =>
  (info.collectedAt && !Number.isNaN(Date.parse(info.collectedAt))
    ? new Date(info.collectedAt)
    : new Date()
  )
    .toISOString()
    .slice(0, 10);

/** The snapshot routes. */
export function snapshotRoutes(deps: SnapshotRouteDeps): RouteSpec[] {
  const { snapshots, queries, jobs } = deps;
  /** Sends the query worker's answer, JSON text already. */
  const answer = async (res: Response, request: QueryRequest): Promise<void> => {
    res.type('application/json').send(await queries.askJson(request));
  };
  const withLatest = (
    info: SnapshotInfo,
  ): SnapshotInfo & { latestAnalysis?: { id: string; asOf?: string } } => {
    const latest = latestAnalysis(jobs, info.id);
    return latest
      ? {
          ...info,
          latestAnalysis: { id: latest.id, ...(latest.result ? { asOf: latest.result.asOf } : {}) },
        }
      : info;
  };
  return [
    {
      method: 'post',
      path: '/v1/snapshots',
      operationId: 'uploadSnapshot',
      summary:
        'upload a snapshot: a tar.gz of a snapshot directory (?name=) or its files as JSON parts; checked before it appears',
      access: 'analyze',
      upload: { json: 'SnapshotParts', binary: ARCHIVE_TYPES },
      query: 'SnapshotUploadQuery',
      responses: {
        '201': {
          description: 'stored; analyze it with POST /v1/analyses',
          schema: 'SnapshotUpload',
        },
        '409': { description: 'a snapshot of that name exists', schema: 'Error' },
        '413': { description: 'larger than the upload limit', schema: 'Error' },
      },
      handler: async (req, res) => {
        const name = req.query['name'] as string | undefined;
        const result = req.is(ARCHIVE_TYPES)
          ? await snapshots.uploadArchive(req, {
              ...(name ? { name } : {}),
              limit: deps.uploadLimit,
            })
          : await snapshots.uploadParts({
              ...(req.body as SnapshotParts),
              ...(name && !(req.body as SnapshotParts).name ? { name } : {}),
            });
        req.log.info(
          { snapshot: result.snapshot.id, files: result.files, bytes: result.bytes },
          'snapshot uploaded',
        );
        res.status(201).location(`/v1/snapshots/${result.snapshot.id}`).json(result);
      },
    },
    {
      method: 'get',
      path: '/v1/snapshots',
      operationId: 'listSnapshots',
      summary: 'the snapshots under DATA/snapshots/, newest first, with their latest analysis',
      access: 'read',
      responses: { '200': { description: 'the snapshots', schema: 'SnapshotList' } },
      handler: (_req, res) => {
        res.json({ snapshots: snapshots.list().map(withLatest) });
      },
    },
    {
      method: 'get',
      path: '/v1/snapshots/{id}',
      operationId: 'getSnapshot',
      summary: 'one snapshot',
      access: 'read',
      responses: {
        '200': { description: 'the snapshot', schema: 'Snapshot' },
        '404': { description: 'no such snapshot', schema: 'Error' },
      },
      handler: (req, res) => {
        res.json(withLatest(snapshotParam(deps, req)));
      },
    },
    {
      method: 'get',
      path: '/v1/snapshots/{id}/principals',
      operationId: 'listPrincipals',
      summary:
        'the principals of a snapshot by ARN, filtered by kind, unused span, service and account; paginated by cursor',
      access: 'read',
      query: 'PrincipalsQuery',
      responses: {
        '200': { description: 'a page of principals', schema: 'PrincipalPage' },
        '404': { description: 'no such snapshot', schema: 'Error' },
      },
      handler: async (req, res) => {
        const info = snapshotParam(deps, req);
        const latest = latestAnalysis(jobs, info.id);
        await answer(res, {
          op: 'principals',
          dir: snapshots.dir(info.id),
          query: principalQuery(req.query as Record<string, unknown>),
          ...(latest ? { report: reportOf(jobs, latest) } : {}),
          asOf: snapshotAsOf(info),
        });
      },
    },
    {
      method: 'get',
      path: '/v1/snapshots/{id}/principals/{arn}/effective-permissions',
      operationId: 'getEffectivePermissions',
      summary:
        "a principal's effective permissions (URL-encode the ARN): every action it may be allowed, where and under which conditions",
      access: 'read',
      query: 'EffectivePermissionsQuery',
      responses: {
        '200': { description: 'the effective permissions', schema: 'EffectivePermissions' },
        '404': { description: 'no such snapshot or principal', schema: 'Error' },
      },
      handler: async (req, res) => {
        const info = snapshotParam(deps, req);
        const action = req.query['action'] as string | undefined;
        await answer(res, {
          op: 'effective-permissions',
          dir: snapshots.dir(info.id),
          arn: String(req.params['arn']),
          ...(action ? { action } : {}),
        });
      },
    },
    {
      method: 'get',
      path: '/v1/snapshots/{id}/principals/{arn}/recommendation',
      operationId: 'getRecommendation',
      summary:
        "a principal's proven least-privilege rewrite and findings, from the snapshot's latest analysis (or ?analysis=)",
      access: 'read',
      query: 'RecommendationQuery',
      responses: {
        '200': { description: 'the recommendation', schema: 'RecommendationAnswer' },
        '404': { description: 'no such snapshot, principal or analysis', schema: 'Error' },
        '409': { description: 'the snapshot has no succeeded analysis yet', schema: 'Error' },
      },
      handler: async (req, res) => {
        const info = snapshotParam(deps, req);
        const asked = req.query['analysis'] as string | undefined;
        let job: Job | undefined;
        if (asked !== undefined) {
          job = jobs.get(asked);
          if (!job || job.snapshot !== info.id)
            throw new ServiceError(
              'not_found',
              `no analysis \`${asked}\` of snapshot \`${info.id}\``,
            );
          if (job.status !== 'succeeded')
            throw new ServiceError(
              'conflict',
              `analysis \`${asked}\` has no report (${job.status})`,
            );
        } else {
          job = latestAnalysis(jobs, info.id);
          if (!job)
            throw new ServiceError(
              'conflict',
              `snapshot \`${info.id}\` has no succeeded analysis yet`,
              [{ path: 'id', message: 'run POST /v1/analyses with this snapshot first' }],
            );
        }
        await answer(res, {
          op: 'recommendation',
          report: reportOf(jobs, job),
          arn: String(req.params['arn']),
        });
      },
    },
    {
      method: 'get',
      path: '/v1/snapshots/{id}/who-can',
      operationId: 'whoCan',
      summary:
        'every principal of the snapshot that may perform an action on a resource, and the statements that allow it',
      access: 'read',
      query: 'WhoCanQuery',
      responses: {
        '200': { description: 'the principals', schema: 'WhoCan' },
        '404': { description: 'no such snapshot', schema: 'Error' },
      },
      handler: async (req, res) => {
        const info = snapshotParam(deps, req);
        await answer(res, {
          op: 'who-can',
          dir: snapshots.dir(info.id),
          action: String(req.query['action']),
          resource: String(req.query['resource']),
        });
      },
    },
  ];
}
