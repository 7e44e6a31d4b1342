/**
 * The HTTP service: the express app (request ids and logging, helmet, authentication, rate
 * limits, body limits, validation, one error mapper) and the server that runs it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Catalog } from '../../policy-model/index.js';
import { loadCatalog } from '../catalog.js';
import { bearerAuth, rateLimit, requireScope } from './auth.js';
import { errorHandler, ServiceError } from './errors.js';
import { createLogger } from './log.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import './request-context.js';
import { docsRoutes, healthRoutes, type ServiceState } from './routes/meta.js';
import { expressPath, type RouteSpec } from './routes/route.js';
import { analysisRoutes } from './routes/analyses.js';
import { simulateRoute } from './routes/simulate.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { QueryClient } from './query-client.js';
import { SnapshotStore } from './snapshots.js';
import { JobRunner } from './jobs.js';
import { TokenStore } from './tokens.js';
import { check, compileAll, validate } from './validate.js';

/** The defaults of the service's limits. */
export const SERVICE_DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  bodyLimit: 5 * 1024 * 1024,
  uploadLimit: 1024 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  uploadTimeoutMs: 15 * 60_000,
  shutdownGraceMs: 10_000,
  rateLimit: { burst: 100, perSecond: 50 },
} as const;

/** What the app is built from. */
export interface AppOptions {
  /** The data directory (tokens.json lives here). */
  readonly dataDir: string;
  /** The action catalog; loaded once when not given. */
  readonly catalog?: Catalog;
  readonly logger?: Logger;
  /** The largest request body, in bytes (default 5 MB). */
  readonly bodyLimit?: number;
  /** The largest snapshot upload, in bytes (default 1 GiB; it may unpack to ten times that). */
  readonly uploadLimit?: number;
  /** How long a request may take before it is answered 503 `timeout` (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** How long a snapshot upload may take (default 15 minutes: a gigabyte over a slow link). */
  readonly uploadTimeoutMs?: number;
  /** Per-token rate limit (default 100 at once, 50 per second). */
  readonly rateLimit?: RateLimitOptions;
  /** Shared with the server: readiness. */
  readonly state?: ServiceState;
  /** The analysis jobs (default: those of `dataDir`; `startServer` starts them). */
  readonly jobs?: JobRunner;
  /** The clock of the rate limiter (tests). */
  readonly now?: () => number;
}

/** The package version, shown in the OpenAPI document. */
export function packageVersion(): string {
  for (const relative of ['../../../package.json', '../../package.json']) {
    try {
      const text = readFileSync(new URL(relative, import.meta.url), 'utf8');
      const version = (JSON.parse(text) as { name?: string; version?: string }).version;
      if (version) return version;
    } catch {
      // Not there from this build layout: try the next.
    }
  }
  return '0.0.0';
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Gives each request an id (the caller's `x-request-id` when sane), a child logger, a log line. */
function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    req.id = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    // The request's logger is made when first used (most requests log nothing below `info`),
    // with the request id and, once authenticated, the token's name.
    let log: Logger | undefined;
    let named: string | undefined;
    Object.defineProperty(req, 'log', {
      get: () => {
        if (!log || named !== req.token?.name) {
          named = req.token?.name;
          log = logger.child({ reqId: req.id, ...(named ? { tokenName: named } : {}) });
        }
        return log;
      },
      configurable: true,
    });
    res.set('x-request-id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      req.log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}

/** Answers 503 `timeout` when a request is not answered in time. */
function requestTimeout(ms: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (!res.headersSent)
        next(new ServiceError('timeout', `the request was not answered within ${ms} ms`));
    }, ms);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    res.on('finish', clear);
    res.on('close', clear);
    next();
  };
}

/** Rejects a body that is not JSON (415), so that validation sees only parsed JSON. */
const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is(['application/json', '+json']))
    next(
      new ServiceError('unsupported_media_type', 'send the body as application/json', [
        { path: '', message: `content-type: ${req.get('content-type') ?? 'none'}` },
      ]),
    );
  else next();
};

/**
 * An upload's body: JSON parts are parsed under the upload limit and checked against their
 * schema; an archive of one of the binary types is left to the handler to stream.
 */
function uploadBody(upload: NonNullable<RouteSpec['upload']>, limit: number): RequestHandler {
  const json = express.json({ limit, type: ['application/json', '+json'] });
  return (req, res, next) => {
    const length = Number(req.get('content-length') ?? 0);
    if (length > limit)
      return next(
        new ServiceError('payload_too_large', `the upload is larger than ${limit} bytes`),
      );
    if (req.is([...upload.binary])) return next();
    if (!req.is(['application/json', '+json']))
      return next(
        new ServiceError(
          'unsupported_media_type',
          `send a tar.gz (${upload.binary.join(', ')}) or JSON parts (application/json)`,
          [{ path: '', message: `content-type: ${req.get('content-type') ?? 'none'}` }],
        ),
      );
    json(req, res, (error?: unknown) => {
      if (error) return next(error);
      try {
        check(upload.json, req.body, 'body');
        next();
      } catch (e) {
        next(e);
      }
    });
  };
}

/** The express app and the routes it serves. */
export function createApp(options: AppOptions): {
  app: Express;
  routes: readonly RouteSpec[];
  state: ServiceState;
  logger: Logger;
  jobs: JobRunner;
  queries: QueryClient;
} {
  const logger = options.logger ?? createLogger();
  const state: ServiceState = options.state ?? { phase: 'ok' };
  const catalog = options.catalog ?? loadCatalog();
  const store = new TokenStore(options.dataDir);
  const limiter = new RateLimiter(
    options.rateLimit ?? SERVICE_DEFAULTS.rateLimit,
    options.now ?? Date.now,
  );
  const bodyLimit = options.bodyLimit ?? SERVICE_DEFAULTS.bodyLimit;
  const version = packageVersion();
  compileAll();

  const routes: RouteSpec[] = [];
  const jobs = options.jobs ?? new JobRunner(options.dataDir, logger, version);
  const queries = new QueryClient(logger);
  const snapshots = new SnapshotStore(options.dataDir, (dir) => queries.ask({ op: 'check', dir }));
  const uploadLimit = options.uploadLimit ?? SERVICE_DEFAULTS.uploadLimit;
  routes.push(
    ...healthRoutes(state),
    ...docsRoutes(() => routes, version),
    simulateRoute(catalog),
    ...analysisRoutes(jobs),
    ...snapshotRoutes({ snapshots, queries, jobs, uploadLimit }),
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestContext(logger));
  app.use(helmet());
  const timeout = requestTimeout(options.requestTimeoutMs ?? SERVICE_DEFAULTS.requestTimeoutMs);
  const uploadTimeout = requestTimeout(options.uploadTimeoutMs ?? SERVICE_DEFAULTS.uploadTimeoutMs);
  const auth = bearerAuth(store);
  const limit = rateLimit(limiter);
  const json = express.json({ limit: bodyLimit, type: ['application/json', '+json'] });
  for (const route of routes) {
    const chain: RequestHandler[] = [route.upload ? uploadTimeout : timeout];
    if (route.access !== 'public') chain.push(auth, limit);
    if (route.access !== 'public' && route.access !== 'any') chain.push(requireScope(route.access));
    if (route.body) chain.push(requireJson, json);
    if (route.upload) chain.push(uploadBody(route.upload, uploadLimit));
    if (route.body || route.query)
      chain.push(
        validate({
          ...(route.body ? { body: route.body } : {}),
          ...(route.query ? { query: route.query } : {}),
        }),
      );
    app[route.method](expressPath(route.path), ...chain, route.handler);
  }
  // Unknown paths too answer 401 to a caller without a token: nothing but health is public.
  app.use(auth, limit, (req, _res, next) => {
    next(new ServiceError('not_found', `no route \`${req.method} ${req.path}\``));
  });
  app.use(errorHandler());
  return { app, routes, state, logger, jobs, queries };
}

/** Where the server listens, and its limits. */
export interface ServerOptions extends AppOptions {
  readonly port?: number;
  readonly host?: string;
  /** How long shutdown waits for in-flight requests before closing connections (default 10 s). */
  readonly shutdownGraceMs?: number;
}

/** A running service. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly logger: Logger;
  /** The analysis jobs (the monthly job queues its analyses here). */
  readonly jobs: JobRunner;
  /** Stops accepting, finishes in-flight requests (up to the grace period), then resolves. */
  close(): Promise<void>;
}

/** Starts the service; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const state: ServiceState = { phase: 'starting' };
  const { app, logger, jobs, queries } = createApp({ ...options, state });
  // Recovery before the first request: nobody sees a crashed job as `running`.
  jobs.start();
  const server = app.listen(
    options.port ?? SERVICE_DEFAULTS.port,
    options.host ?? SERVICE_DEFAULTS.host,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const timeout = Math.max(
    options.requestTimeoutMs ?? SERVICE_DEFAULTS.requestTimeoutMs,
    options.uploadTimeoutMs ?? SERVICE_DEFAULTS.uploadTimeoutMs,
  );
  // Node's own limit on receiving a request (slow clients); the app answers slow handlers.
  server.requestTimeout = timeout + 1000;
  server.headersTimeout = Math.min(60_000, timeout + 1000);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  state.phase = 'ok';
  logger.info({ url, dataDir: options.dataDir }, 'listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      state.phase = 'stopping';
      logger.info('shutting down: finishing in-flight requests');
      const grace = setTimeout(() => {
        logger.warn('grace period over: closing the remaining connections');
        server.closeAllConnections();
      }, options.shutdownGraceMs ?? SERVICE_DEFAULTS.shutdownGraceMs);
      grace.unref();
      // Keep-alive connections that finish their request are closed rather than kept.
      server.on('request', (_req, res) => {
        res.setHeader('connection', 'close');
      });
      // Connections go idle as their in-flight request finishes: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      sweep.unref();
      const stopped = new Promise<void>((done) => server.close(() => done()));
      void Promise.all([stopped.then(() => queries.stop()), jobs.stop()]).then(() => {
        clearTimeout(grace);
        clearInterval(sweep);
        logger.info('stopped');
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url, server, logger, jobs, close };
}
