/**
 * The routes about the service itself: liveness, readiness, the OpenAPI document and `/docs`.
 */
import { openApiDocument, docsPage } from '../openapi.js';
import type { RouteSpec } from './route.js';

/** What readiness depends on. */
export interface ServiceState {
  /** `starting` until listening, `stopping` once shutdown began. */
  phase: 'starting' | 'ok' | 'stopping';
}

/** `/healthz` and `/readyz` (public). */
export function healthRoutes(state: ServiceState): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'liveness: the process answers',
      access: 'public',
      responses: { '200': { description: 'alive', schema: 'Health' } },
      handler: (_req, res) => {
        res.json({ status: 'ok' });
      },
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'ready',
      summary: 'readiness: 200 while accepting work, 503 while starting or shutting down',
      access: 'public',
      responses: {
        '200': { description: 'ready', schema: 'Health' },
        '503': { description: 'starting or stopping', schema: 'Health' },
      },
      handler: (_req, res) => {
        res.status(state.phase === 'ok' ? 200 : 503).json({ status: state.phase });
      },
    },
  ];
}

/** `/openapi.json` and `/docs` over the full route list (any valid token). */
export function docsRoutes(routes: () => readonly RouteSpec[], version: string): RouteSpec[] {
  let document: Record<string, unknown> | undefined;
  let page: string | undefined;
  return [
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'this API as an OpenAPI 3.1 document',
      access: 'any',
      responses: {
        '200': { description: 'the OpenAPI document', contentType: 'application/json' },
      },
      handler: (_req, res) => {
        document ??= openApiDocument(routes(), version);
        res.json(document);
      },
    },
    {
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'this API as a web page',
      access: 'any',
      responses: { '200': { description: 'an HTML page', contentType: 'text/html' } },
      handler: (_req, res) => {
        page ??= docsPage(routes(), version);
        res.type('html').send(page);
      },
    },
  ];
}
