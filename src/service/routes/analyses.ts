/**
 * Analyses as jobs: `POST /v1/analyses` queues one (202), `GET /v1/analyses/{id}` tells where it
 * is, `GET /v1/reports/{id}.{format}` serves the rendered report once it succeeded, from the
 * service catalog (where it was stored with the job's success).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { REPORT_FORMATS, type ReportFormat } from '../../report/index.js';
import { ServiceError } from '../errors.js';
import { JOB_ID, type Job, type JobRunner } from '../jobs.js';
import type { RouteSpec } from './route.js';

const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  sarif: 'application/sarif+json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

/** A job as answered: with its report links once it succeeded. */
const view = (job: Job): Job & { reports?: Record<string, string> } =>
  job.status === 'succeeded'
    ? {
        ...job,
        reports: Object.fromEntries(REPORT_FORMATS.map((f) => [f, `/v1/reports/${job.id}.${f}`])),
      }
    : job;

const jobOf = (runner: JobRunner, id: string | undefined): Job => {
  const job = id !== undefined && JOB_ID.test(id) ? runner.get(id) : undefined;
  if (!job) throw new ServiceError('not_found', `no analysis \`${id ?? ''}\``);
  return job;
};

/**
 * The report's inline script is allowed by its hash, so the page works under a strict
 * Content-Security-Policy without `unsafe-inline`.
 */
function htmlPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
  );
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${hashes.join(' ') || "'none'"}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** One entry of the report history. */
export interface ReportEntry {
  readonly id: string;
  readonly snapshot: string;
  readonly estate?: string;
  readonly month?: string;
  readonly asOf: string;
  readonly windowDays: number;
  readonly finishedAt: string;
  readonly summary: unknown;
  readonly links: Readonly<Record<string, string>>;
}

/** The succeeded analyses whose report is stored, filtered, by as-of then finish time. */
export function reportHistory(
  runner: JobRunner,
  filter: { from?: string; to?: string; snapshot?: string; estate?: string },
): ReportEntry[] {
  return runner
    .list()
    .flatMap((job): ReportEntry[] => {
      const { estate, month } = job as Job & { estate?: string; month?: string };
      if (job.status !== 'succeeded' || !job.result) return [];
      const asOf = job.result.asOf;
      if (filter.from && asOf < filter.from) return [];
      if (filter.to && asOf > filter.to) return [];
      if (filter.snapshot && job.snapshot !== filter.snapshot) return [];
      if (filter.estate && estate !== filter.estate) return [];
      if (!runner.hasReport(job.id)) return [];
      return [
        {
          id: job.id,
          snapshot: job.snapshot,
          ...(estate ? { estate } : {}),
          ...(month ? { month } : {}),
          asOf,
          windowDays: job.result.windowDays,
          finishedAt: job.finishedAt ?? job.createdAt,
          summary: job.result.summary,
          links: Object.fromEntries(REPORT_FORMATS.map((f) => [f, `/v1/reports/${job.id}.${f}`])),
        },
      ];
    })
    .sort((a, b) => a.asOf.localeCompare(b.asOf) || a.finishedAt.localeCompare(b.finishedAt));
}

/** The analysis and report routes over a job runner. */
export function analysisRoutes(runner: JobRunner): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/v1/analyses',
      operationId: 'createAnalysis',
      summary: 'queue an analysis of a snapshot under DATA/snapshots/ (one runs at a time)',
      access: 'analyze',
      body: 'AnalysisRequest',
      responses: {
        '202': { description: 'queued; poll GET /v1/analyses/{id}', schema: 'Job' },
        '404': { description: 'no such snapshot', schema: 'Error' },
      },
      handler: async (req, res) => {
        const body = req.body as { snapshot: string; asOf?: string; windowDays?: number };
        const dir = runner.snapshotDir(body.snapshot);
        if (!existsSync(dir) || !statSync(dir).isDirectory())
          throw new ServiceError('not_found', `no snapshot \`${body.snapshot}\``, [
            { path: '/snapshot', message: 'is not a directory under DATA/snapshots/' },
          ]);
        const job = await runner.submit(body);
        res.status(202).location(`/v1/analyses/${job.id}`).json({ id: job.id, status: job.status });
      },
    },
    {
      method: 'get',
      path: '/v1/analyses/{id}',
      operationId: 'getAnalysis',
      summary: "an analysis job's status, and its summary and report links once it succeeded",
      access: 'read',
      responses: {
        '200': { description: 'the job', schema: 'Job' },
        '404': { description: 'no such job', schema: 'Error' },
      },
      handler: (req, res) => {
        res.json(view(jobOf(runner, req.params['id'] as string | undefined)));
      },
    },
    {
      method: 'get',
      path: '/v1/reports',
      operationId: 'listReports',
      summary:
        'the report history: every succeeded analysis with an as-of in [from, to], by as-of (filter by snapshot or estate)',
      access: 'read',
      query: 'ReportsQuery',
      responses: { '200': { description: 'the reports', schema: 'ReportList' } },
      handler: (req, res) => {
        const q = req.query as { from?: string; to?: string; snapshot?: string; estate?: string };
        if (q.from && q.to && q.from > q.to)
          throw new ServiceError(
            'validation_failed',
            'the request query is invalid: `from` is after `to`',
            [{ path: 'query:/from', message: `${q.from} is after ${q.to}` }],
          );
        res.json({ reports: reportHistory(runner, q) });
      },
    },
    {
      method: 'get',
      path: '/v1/reports/{id}.{format}',
      operationId: 'getReport',
      summary: 'the report of a succeeded analysis: html, json, csv, sarif or md',
      access: 'read',
      responses: {
        '200': { description: 'the report file', contentType: 'text/html' },
        '404': { description: 'no such job, format, or no report yet', schema: 'Error' },
      },
      handler: async (req, res) => {
        const job = jobOf(runner, req.params['id'] as string | undefined);
        const format = req.params['format'] as string;
        if (!(REPORT_FORMATS as readonly string[]).includes(format))
          throw new ServiceError('not_found', `no report format \`${format}\``, [
            { path: 'format', message: `one of ${REPORT_FORMATS.join(', ')}` },
          ]);
        const text =
          job.status === 'succeeded'
            ? await runner.report(job.id, format as ReportFormat)
            : undefined;
        if (text === undefined)
          throw new ServiceError(
            'not_found',
            `analysis \`${job.id}\` has no report (${job.status})`,
          );
        res.type(CONTENT_TYPES[format as ReportFormat]);
        if (format === 'html') res.set('Content-Security-Policy', htmlPolicy(text));
        res.send(text);
      },
    },
  ];
}
