/**
 * The OpenAPI 3.1 document and the `/docs` page, both built from the route list and the
 * schemas the validator enforces.
 */
import type { RouteSpec } from './routes/route.js';
import { SCHEMAS } from './schemas.js';

/** Answers every authenticated route may give besides its own. */
const AUTH_RESPONSES = {
  '401': 'no bearer token, or an unknown one',
  '403': 'the token lacks the scope this route needs',
  '429': 'too many requests from this token (see `Retry-After`)',
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The OpenAPI 3.1 document of the service. */
export function openApiDocument(
  routes: readonly RouteSpec[],
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses))
      responses[status] = {
        description: r.description,
        ...(r.schema || r.contentType
          ? {
              content: {
                [r.contentType ?? 'application/json']: r.schema
                  ? { schema: { $ref: `#/components/schemas/${r.schema}` } }
                  : {},
              },
            }
          : {}),
      };
    if (route.body || route.query || route.upload)
      responses['400'] ??= errorResponse('the request is invalid; details name each field');
    if (route.body || route.upload)
      responses['413'] ??= errorResponse('the body is larger than the limit');
    if (route.access !== 'public')
      for (const [status, description] of Object.entries(AUTH_RESPONSES))
        responses[status] ??= errorResponse(description);
    responses['500'] ??= errorResponse('an internal error (logged; no detail is returned)');
    const parameters = [
      ...[...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(route.query
        ? Object.entries(
            (SCHEMAS[route.query] as { properties?: Record<string, unknown> }).properties ?? {},
          ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
        : []),
    ];
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.access === 'public'
        ? { security: [] }
        : route.access === 'any'
          ? {}
          : { 'x-scope': route.access }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: { $ref: `#/components/schemas/${route.body}` } },
              },
            },
          }
        : {}),
      ...(route.upload
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: { $ref: `#/components/schemas/${route.upload.json}` },
                },
                ...Object.fromEntries(
                  route.upload.binary.map((type) => [
                    type,
                    { schema: { type: 'string', contentMediaType: type } },
                  ]),
                ),
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'leastpriv',
      version,
      description:
        'Effective permissions, usage and least-privilege rewrites for AWS IAM. Every route but /healthz and /readyz needs a bearer token (`leastpriv token create`); `x-scope` names the scope an operation needs (`admin` grants every scope).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A small self-contained HTML page listing the routes (no scripts, no CDN). */
export function docsPage(routes: readonly RouteSpec[], version: string): string {
  const rows = routes
    .map(
      (r) =>
        `<tr><td><code>${r.method.toUpperCase()}</code></td><td><code>${escapeHtml(r.path)}</code></td><td>${escapeHtml(r.access)}</td><td>${escapeHtml(r.summary)}</td><td>${escapeHtml(
          [r.body ? `body: ${r.body}` : '', r.query ? `query: ${r.query}` : '']
            .filter(Boolean)
            .join('; '),
        )}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leastpriv API ${escapeHtml(version)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{font-size:13px}</style>
</head><body>
<h1>leastpriv API <small>${escapeHtml(version)}</small></h1>
<p>Send <code>Authorization: Bearer TOKEN</code> (create one with <code>leastpriv token create</code>).
Errors are <code>{ "error": { "code", "message", "details" } }</code>. The machine-readable
description is <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<table><thead><tr><th>method</th><th>path</th><th>access</th><th>what</th><th>schemas</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
