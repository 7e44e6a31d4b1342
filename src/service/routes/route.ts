/**
 * A route as data: the OpenAPI path, who may call it, its schemas, its answers and its handler.
 * The app registers these, and the OpenAPI document is built from the same list.
 */
import type { RequestHandler } from 'express';
import type { SchemaName } from '../schemas.js';
import type { Scope } from '../tokens.js';

/** One documented answer of a route. */
export interface RouteResponse {
  readonly description: string;
  readonly schema?: SchemaName;
  /** Defaults to application/json. */
  readonly contentType?: string;
}

/** One route of the service. */
export interface RouteSpec {
  readonly method: 'get' | 'post' | 'delete';
  /** The OpenAPI path (`/v1/analyses/{id}`); express gets `/v1/analyses/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** `public`: no token; `any`: any valid token; a scope: a token with that scope (or admin). */
  readonly access: 'public' | 'any' | Scope;
  readonly body?: SchemaName;
  /**
   * An upload: a JSON body of this schema (under the upload limit, not the body limit) or a
   * binary body of one of these content types, which the handler streams.
   */
  readonly upload?: { readonly json: SchemaName; readonly binary: readonly string[] };
  readonly query?: SchemaName;
  readonly responses: Readonly<Record<string, RouteResponse>>;
  readonly handler: RequestHandler;
}

/** The express path of an OpenAPI path. */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
