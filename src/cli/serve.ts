/**
 * `leastpriv serve` (the REST service, until SIGTERM or SIGINT, then a graceful shutdown) and
 * `leastpriv token create|list|revoke` (the service's API tokens in the data directory).
 */
import { readServiceConfig, scheduleOf, type ServiceConfig } from '../service/config.js';
import { startServer, type RunningServer } from '../service/app.js';
import { MonthlyJob } from '../service/monthly.js';
import { RunsFile } from '../service/runs.js';
import { MonthlyScheduler } from '../service/scheduler.js';
import { parseScopes, TokenStore } from '../service/tokens.js';

type Out = NodeJS.WritableStream;

/** What `serve` was given on the command line. */
export interface ServeArgs {
  readonly data: string;
  readonly port?: number;
  readonly host?: string;
  readonly config?: string;
  readonly bodyLimit?: number;
  readonly uploadLimit?: number;
}

/** Runs the service until a signal; resolves to the exit code. */
export async function serveCommand(args: ServeArgs, out: Out, err: Out): Promise<number> {
  let config: ServiceConfig = {};
  if (args.config !== undefined) {
    const read = readServiceConfig(args.config);
    if (!read.ok) {
      err.write(`leastpriv serve: ${read.errors.join('; ')}\n`);
      return 2;
    }
    config = read.value;
  }
  const { schedule: _schedule, estates: _estates, ...serverConfig } = config;
  let running: RunningServer;
  try {
    running = await startServer({
      dataDir: args.data,
      ...serverConfig,
      ...(args.port !== undefined ? { port: args.port } : {}),
      ...(args.host !== undefined ? { host: args.host } : {}),
      ...(args.bodyLimit !== undefined ? { bodyLimit: args.bodyLimit } : {}),
      ...(args.uploadLimit !== undefined ? { uploadLimit: args.uploadLimit } : {}),
    });
  } catch (e) {
    err.write(`leastpriv serve: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  // The address on standard output, for scripts (the log goes to standard error).
  out.write(`${JSON.stringify({ url: running.url })}\n`);
  const scheduler = monthlyScheduler(config, args.data, running);
  // The catch-up of a run missed while the service was down starts now, in the background.
  void scheduler?.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      running.logger.info({ signal }, 'signal received');
      // One shutdown: a second signal (Ctrl-C reaches both the launcher, which passes it on, and
      // this process) must not kill it half way; the grace period bounds it.
      if (stopping) return;
      stopping = true;
      // The monthly run first (it is continued at the next start), then the server and jobs.
      void (scheduler?.stop() ?? Promise.resolve()).then(() => running.close()).then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', stop);
  });
  return 0;
}

/** The monthly job's scheduler, when the configuration has estates and it is enabled. */
function monthlyScheduler(
  config: ServiceConfig,
  dataDir: string,
  running: RunningServer,
): MonthlyScheduler | undefined {
  const schedule = scheduleOf(config);
  const estates = config.estates ?? [];
  if (!schedule.enabled || estates.length === 0) return undefined;
  const logger = running.logger.child({ component: 'monthly' });
  const runs = new RunsFile(dataDir, logger);
  const job = new MonthlyJob({
    dataDir,
    estates,
    jobs: running.jobs,
    runs,
    logger,
    timezone: schedule.timezone,
    attempts: schedule.attempts,
    retryDelayMs: schedule.retryDelaySeconds * 1000,
  });
  logger.info(
    { cron: schedule.cron, timezone: schedule.timezone, estates: estates.map((e) => e.name) },
    'monthly job scheduled',
  );
  return new MonthlyScheduler({
    cron: schedule.cron,
    timezone: schedule.timezone,
    runs,
    run: job.run,
    logger,
  });
}

/** `token create|list|revoke`; resolves to the exit code. */
export function tokenCommand(
  sub: string | undefined,
  args: { readonly data: string; readonly name?: string; readonly scopes?: string },
  out: Out,
  err: Out,
): number {
  const store = new TokenStore(args.data);
  try {
    switch (sub) {
      case 'create': {
        if (args.name === undefined || args.scopes === undefined) {
          err.write('leastpriv token create: give --name NAME and --scopes LIST\n');
          return 2;
        }
        const scopes = parseScopes(args.scopes);
        if (!scopes.ok) {
          err.write(`leastpriv token create: --scopes: ${scopes.message}\n`);
          return 2;
        }
        const { token, info } = store.create(args.name, scopes.value);
        out.write(`${token}\n`);
        err.write(
          `token \`${info.name}\` (${info.scopes.join(', ')}) created; it is shown only this once\n`,
        );
        return 0;
      }
      case 'list':
        out.write(`${JSON.stringify(store.list(), null, 2)}\n`);
        return 0;
      case 'revoke':
        if (args.name === undefined) {
          err.write('leastpriv token revoke: give --name NAME\n');
          return 2;
        }
        if (!store.revoke(args.name)) {
          err.write(`leastpriv token revoke: no token named \`${args.name}\`\n`);
          return 2;
        }
        err.write(`token \`${args.name}\` revoked\n`);
        return 0;
      default:
        err.write(
          'leastpriv token: `token create|list|revoke --data DIR …` (see leastpriv help)\n',
        );
        return 2;
    }
  } catch (e) {
    err.write(`leastpriv token ${sub}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
