/**
 * The `leastpriv` command line. Exit codes: 0 done, 1 findings at or above the threshold
 * (`analyze --fail-on`), 2 bad input or usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { analyzeCommand, parseFormats, parseSeverity } from './analyze.js';
import { openSnapshot, permissionsCommand, whoCanCommand } from './permissions.js';
import { collectCommand } from './collect.js';
import { reportCommand } from './report.js';
import { serveCommand, tokenCommand } from './serve.js';
import { simulateFile, simulateJsonl, simulateOptions } from './simulate.js';
import { parseWindow, usageIngest, usageShow } from './usage.js';

const HELP = `leastpriv — effective permissions, usage and least-privilege rewrites for AWS IAM

Usage:
  leastpriv analyze SNAPSHOT              the main job: rewrites with proofs, findings, scores,
                                          and the report (HTML, Markdown, JSON, CSV, SARIF)
  leastpriv simulate CASE.json            evaluate one case; prints the answer as JSON
  leastpriv simulate --jsonl CASES.jsonl  evaluate a batch: one answer line per input line, in order
  leastpriv permissions SNAPSHOT          effective permissions of every principal of a snapshot
  leastpriv who-can ACTION RESOURCE SNAPSHOT
                                          every principal allowed to perform ACTION on RESOURCE
  leastpriv usage ingest SNAPSHOT|DIR     read CloudTrail files into the usage store (incremental)
  leastpriv usage show SNAPSHOT|DIR       what each identity did in a window
  leastpriv collect --out DIR             collect a snapshot from live AWS accounts (see docs/collect.md)
  leastpriv serve --data DIR              the REST service (see docs/service.md)
  leastpriv report --month YYYY-MM --data DIR --estate NAME
                                          reproduce a month of the service's monthly job from
                                          its stored snapshot, usage store and baseline
  leastpriv token create --data DIR --name NAME --scopes read,simulate
                                          a new API token for the service, printed once
  leastpriv token list --data DIR         the service's tokens (names, scopes, dates; no secrets)
  leastpriv token revoke --data DIR --name NAME
  leastpriv help                          this text

analyze options:
  --as-of DATE     the window's last day (default: the snapshot's collectedAt, else today, UTC)
  --window 90d     the window, 1d to 400d
  --out DIR        where the report goes (default ./leastpriv-report)
  --format LIST    comma-separated: html,md,json,csv,sarif (default all five)
  --fail-on SEV    exit 1 when a finding is at or above SEV (critical, high, medium, low, info)
  --previous FILE  an earlier report.json: scores then show their change
  --db FILE        the usage store (default SNAPSHOT/.leastpriv/usage.db)
  --engine E       how the trail is read: node (exact) or duckdb (fast); default node up to
                   64 MB of trail files, duckdb beyond
  --grace-days N   identities and credentials younger than N days are not reported unused (14)
  --password-unused-days N, --key-unused-days N   unused after N days (45, 45: CIS 1.12)
  --key-rotation-days N                           keys older than N days are overdue (90: CIS 1.14)

simulate options:
  --jsonl FILE     read JSON Lines (one case per line); "-" reads standard input
  --brief          omit the per-statement explanation (decisive statements are kept)
  --format F       json (default; the contract) or table (one line per case, for people)

permissions options:
  --principal ARN  only this principal
  --action PATTERN only actions matching PATTERN (s3:Get*, iam:*)
  --format F       table (default), json (every allowed action, with resources and conditions)
                   or summary (one JSON line per principal: counts, admin-equivalence, sensitive capabilities)

who-can options:
  --format F       table (default) or json

usage options:
  --db FILE        the usage store (default SNAPSHOT/.leastpriv/usage.db); a DuckDB file
  --engine E       ingest: node (default; exact) or duckdb (DuckDB reads the files; counts
                   parameter-bound actions such as iam:PassRole whenever the call is made)
  --threads N      ingest with --engine duckdb: DuckDB threads
  --principal ARN  show: only this principal
  --as-of DATE     show: the window's last day (default today, UTC)
  --window 90d     show: the window, 1d to 400d
  --format F       show: table (default) or json ([{ principal, action, count, firstSeen, lastSeen }])

collect options:
  --out DIR        the snapshot directory to write (docs/snapshot.md)
  --org            every active account of the organization (assuming --role-arn into members)
  --role-arn T     the role to assume in member accounts, with {account} (default
                   arn:aws:iam::{account}:role/OrganizationAccountAccessRole)
  --days N         days of CloudTrail LookupEvents and Access Advisor to collect (default 90; 0: none)
  --region R, --endpoint URL   where the AWS clients go (credentials: the standard provider chain)

serve options:
  --data DIR       the data directory (tokens.json; created if missing)
  --port N         default 8080 (0: any free port); --host H default 127.0.0.1
  --config FILE    JSON: { port, host, bodyLimit, uploadLimit, requestTimeoutMs, uploadTimeoutMs,
                   shutdownGraceMs, rateLimit: { burst, perSecond }, schedule: { cron, timezone,
                   enabled, attempts, retryDelaySeconds }, estates: [ … ] } (the monthly job);
                   flags win over the file (docs/service.md)
  --body-limit N   the largest request body in bytes (default 5242880)
  --upload-limit N the largest snapshot upload in bytes (default 1073741824)
  SIGTERM or SIGINT stops accepting requests and finishes the ones in flight.

report options:
  --month M        the month reported on (YYYY-MM)
  --data DIR       the service's data directory; --estate NAME an estate of its monthly job
  --out DIR        where the report goes (default ./leastpriv-report)
  --format LIST    comma-separated: html,md,json,csv,sarif (default all five)
  Prints { files, matchesStored }: whether the JSON equals the stored one but for generatedAt.

token options:
  --scopes LIST    comma-separated: read, simulate, analyze, admin (admin grants every scope)

A case: { "id"?, "request": { "principal", "action", "resource", "resourceAccount"?, "context"? },
  "identityPolicies": [...], "permissionBoundary"?, "sessionPolicy"?, "serviceControlPolicies"?: [[...]],
  "resourceControlPolicies"?: [[...]], "resourcePolicy"? }
Answer: { "id"?, "decision": "allow" | "explicit-deny" | "implicit-deny", "explanation": {...} }
     or { "id"?, "error": { "code", "message", "path" }, "errors": [...] }
A SNAPSHOT is a directory in AWS's export formats: see docs/snapshot.md.

Exit codes: 0 answered (simulate: whatever the decision; always 0 for --jsonl once the file is read),
            1 analyze: findings at or above --fail-on,
            2 a single case that cannot be evaluated, an unreadable snapshot, or bad usage.
See docs/analyze.md, docs/simulate.md, docs/permissions.md, docs/usage.md, docs/service.md.`;

type Out = NodeJS.WritableStream;

/** Parses a command's arguments, or reports the usage error. */
function parse(
  command: string,
  args: readonly string[],
  options: ParseArgsConfig['options'],
  err: Out,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } | undefined {
  try {
    const parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
    return {
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
    };
  } catch (e) {
    err.write(`leastpriv ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}

async function simulateMain(args: readonly string[], out: Out, err: Out): Promise<number> {
  const parsed = parse(
    'simulate',
    args,
    {
      jsonl: { type: 'string' },
      brief: { type: 'boolean', default: false },
      format: { type: 'string', default: 'json' },
    },
    err,
  );
  if (!parsed) return 2;
  if (parsed.values.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const jsonl = parsed.values.jsonl as string | undefined;
  const file = jsonl ?? parsed.positionals[0];
  if (file === undefined || parsed.positionals.length > (jsonl !== undefined ? 0 : 1)) {
    err.write('leastpriv simulate: give one CASE.json, or --jsonl CASES.jsonl\n');
    return 2;
  }
  const format = parsed.values.format;
  if (format !== 'json' && format !== 'table') {
    err.write(`leastpriv simulate: --format takes json or table, not \`${String(format)}\`\n`);
    return 2;
  }
  const options = simulateOptions(parsed.values.brief === true);
  try {
    return jsonl !== undefined
      ? await simulateJsonl(file, options, out, format)
      : simulateFile(file, options, out, format);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err.write(`leastpriv simulate: cannot read \`${file}\`${code ? ` (${code})` : ''}\n`);
    return 2;
  }
}

async function permissionsMain(args: readonly string[], out: Out, err: Out): Promise<number> {
  const parsed = parse(
    'permissions',
    args,
    {
      principal: { type: 'string' },
      action: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
    err,
  );
  if (!parsed) return 2;
  const format = parsed.values.format;
  if (
    parsed.positionals.length !== 1 ||
    (format !== 'table' && format !== 'json' && format !== 'summary')
  ) {
    err.write(
      'leastpriv permissions: give one SNAPSHOT directory; --format takes table, json or summary\n',
    );
    return 2;
  }
  const snapshot = openSnapshot(parsed.positionals[0]!, err);
  if (!snapshot) return 2;
  const principal = parsed.values.principal as string | undefined;
  const action = parsed.values.action as string | undefined;
  return permissionsCommand(
    snapshot,
    { format, ...(principal ? { principal } : {}), ...(action ? { action } : {}) },
    out,
  );
}

function whoCanMain(args: readonly string[], out: Out, err: Out): number {
  const parsed = parse('who-can', args, { format: { type: 'string', default: 'table' } }, err);
  if (!parsed) return 2;
  const format = parsed.values.format;
  const [action, resource, dir] = parsed.positionals;
  if (
    parsed.positionals.length !== 3 ||
    action === undefined ||
    resource === undefined ||
    dir === undefined ||
    (format !== 'table' && format !== 'json')
  ) {
    err.write('leastpriv who-can: give ACTION RESOURCE SNAPSHOT; --format takes table or json\n');
    return 2;
  }
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9_.-]+$/.test(action)) {
    err.write(`leastpriv who-can: \`${action}\` is not an action of the form service:Action\n`);
    return 2;
  }
  const snapshot = openSnapshot(dir, err);
  if (!snapshot) return 2;
  return whoCanCommand(snapshot, action, resource, format, out);
}

async function usageMain(args: readonly string[], out: Out, err: Out): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(
    `usage ${sub ?? ''}`,
    rest,
    {
      db: { type: 'string' },
      principal: { type: 'string' },
      'as-of': { type: 'string' },
      window: { type: 'string', default: '90d' },
      engine: { type: 'string', default: 'node' },
      threads: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
    err,
  );
  if (!parsed) return 2;
  const dir = parsed.positionals[0];
  const db = parsed.values['db'] as string | undefined;
  if (
    (sub !== 'ingest' && sub !== 'show') ||
    dir === undefined ||
    parsed.positionals.length !== 1
  ) {
    err.write(
      'leastpriv usage: `usage ingest SNAPSHOT|DIR [--db FILE]` or `usage show SNAPSHOT|DIR [--db FILE] [--principal ARN] [--as-of DATE] [--window 90d] [--format table|json]`\n',
    );
    return 2;
  }
  if (sub === 'ingest') {
    const engine = parsed.values['engine'];
    const threads =
      parsed.values['threads'] === undefined ? undefined : Number(parsed.values['threads']);
    if ((engine !== 'node' && engine !== 'duckdb') || (threads !== undefined && !(threads >= 1))) {
      err.write(
        'leastpriv usage ingest: --engine takes node or duckdb, --threads a positive number\n',
      );
      return 2;
    }
    return usageIngest(
      dir,
      {
        ...(db ? { db } : {}),
        tty: (out as NodeJS.WriteStream).isTTY === true,
        engine,
        ...(threads ? { threads } : {}),
      },
      out,
      err,
    );
  }
  const windowDays = parseWindow(String(parsed.values['window']));
  const asOf =
    (parsed.values['as-of'] as string | undefined) ?? new Date().toISOString().slice(0, 10);
  const format = parsed.values['format'];
  if (
    windowDays === undefined ||
    !/^\d{4}-\d{2}-\d{2}$/.test(asOf) ||
    (format !== 'table' && format !== 'json')
  ) {
    err.write(
      'leastpriv usage show: --window takes 1d to 400d, --as-of a date (YYYY-MM-DD), --format table or json\n',
    );
    return 2;
  }
  const principal = parsed.values['principal'] as string | undefined;
  return usageShow(
    dir,
    { ...(db ? { db } : {}), ...(principal ? { principal } : {}), asOf, windowDays, format },
    out,
    err,
  );
}

/** The package version, for the report. */
function version(): string {
  try {
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function analyzeMain(args: readonly string[], out: Out, err: Out): Promise<number> {
  const parsed = parse(
    'analyze',
    args,
    {
      'as-of': { type: 'string' },
      window: { type: 'string', default: '90d' },
      out: { type: 'string', default: 'leastpriv-report' },
      format: { type: 'string', default: 'html,md,json,csv,sarif' },
      'fail-on': { type: 'string' },
      previous: { type: 'string' },
      db: { type: 'string' },
      engine: { type: 'string' },
      'grace-days': { type: 'string' },
      'password-unused-days': { type: 'string' },
      'key-unused-days': { type: 'string' },
      'key-rotation-days': { type: 'string' },
    },
    err,
  );
  if (!parsed) return 2;
  if (parsed.values.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const days = (name: string): number | undefined | null => {
    const text = parsed.values[name] as string | undefined;
    if (text === undefined) return undefined;
    const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
    return n >= 0 && n <= 3650 ? n : null;
  };
  const thresholds = {
    gracePeriodDays: days('grace-days'),
    passwordUnusedDays: days('password-unused-days'),
    accessKeyUnusedDays: days('key-unused-days'),
    keyRotationDays: days('key-rotation-days'),
  };
  const engine = parsed.values['engine'] as string | undefined;
  const asOf = parsed.values['as-of'] as string | undefined;
  const windowDays = parseWindow(String(parsed.values['window']));
  const formats = parseFormats(String(parsed.values['format']));
  const failOnText = parsed.values['fail-on'] as string | undefined;
  const failOn = failOnText === undefined ? undefined : parseSeverity(failOnText);
  const problems = [
    ...(parsed.positionals.length !== 1 ? ['give one SNAPSHOT directory'] : []),
    ...(asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)
      ? ['--as-of takes a date (YYYY-MM-DD)']
      : []),
    ...(windowDays === undefined ? ['--window takes 1d to 400d'] : []),
    ...(formats === undefined
      ? ['--format takes a comma-separated list of html, md, json, csv, sarif']
      : []),
    ...(failOnText !== undefined && failOn === undefined
      ? ['--fail-on takes critical, high, medium, low or info']
      : []),
    ...(Object.values(thresholds).includes(null)
      ? [
          '--grace-days, --password-unused-days, --key-unused-days and --key-rotation-days take a number of days (0 to 3650)',
        ]
      : []),
    ...(engine !== undefined && engine !== 'node' && engine !== 'duckdb'
      ? ['--engine takes node or duckdb']
      : []),
  ];
  if (problems.length > 0) {
    err.write(`leastpriv analyze: ${problems.join('; ')}\n`);
    return 2;
  }
  const previous = parsed.values['previous'] as string | undefined;
  const db = parsed.values['db'] as string | undefined;
  return analyzeCommand(
    parsed.positionals[0]!,
    {
      ...(asOf ? { asOf } : {}),
      windowDays: windowDays!,
      out: String(parsed.values['out']),
      formats: formats!,
      ...(failOn ? { failOn } : {}),
      ...(previous ? { previous } : {}),
      ...(db ? { db } : {}),
      ...(engine === 'node' || engine === 'duckdb' ? { engine } : {}),
      ...Object.fromEntries(Object.entries(thresholds).filter(([, v]) => typeof v === 'number')),
      tty: (err as NodeJS.WriteStream).isTTY === true,
      version: version(),
    },
    out,
    err,
  );
}

async function serveMain(args: readonly string[], out: Out, err: Out): Promise<number> {
  const parsed = parse(
    'serve',
    args,
    {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      'body-limit': { type: 'string' },
      'upload-limit': { type: 'string' },
    },
    err,
  );
  if (!parsed) return 2;
  if (parsed.values.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const data = parsed.values['data'] as string | undefined;
  const portText = parsed.values['port'] as string | undefined;
  const port =
    portText === undefined ? undefined : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  const bytes = (flag: string): number | undefined => {
    const text = parsed.values[flag] as string | undefined;
    return text === undefined ? undefined : /^\d{1,13}$/.test(text) ? Number(text) : NaN;
  };
  const bodyLimit = bytes('body-limit');
  const uploadLimit = bytes('upload-limit');
  const problems = [
    ...(data === undefined ? ['give --data DIR'] : []),
    ...(parsed.positionals.length > 0 ? ['serve takes no positional arguments'] : []),
    ...(port !== undefined && !(port >= 0 && port <= 65535) ? ['--port takes 0 to 65535'] : []),
    ...(bodyLimit !== undefined && !(bodyLimit >= 1)
      ? ['--body-limit takes a number of bytes']
      : []),
    ...(uploadLimit !== undefined && !(uploadLimit >= 1)
      ? ['--upload-limit takes a number of bytes']
      : []),
  ];
  if (problems.length > 0) {
    err.write(`leastpriv serve: ${problems.join('; ')}\n`);
    return 2;
  }
  const host = parsed.values['host'] as string | undefined;
  const config = parsed.values['config'] as string | undefined;
  return serveCommand(
    {
      data: data!,
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(config !== undefined ? { config } : {}),
      ...(bodyLimit !== undefined ? { bodyLimit } : {}),
      ...(uploadLimit !== undefined ? { uploadLimit } : {}),
    },
    out,
    err,
  );
}

function tokenMain(args: readonly string[], out: Out, err: Out): number {
  const [sub, ...rest] = args;
  const parsed = parse(
    `token ${sub ?? ''}`,
    rest,
    { data: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } },
    err,
  );
  if (!parsed) return 2;
  const data = parsed.values['data'] as string | undefined;
  if (data === undefined || parsed.positionals.length > 0) {
    err.write(
      'leastpriv token: `token create --data DIR --name NAME --scopes LIST`, `token list --data DIR` or `token revoke --data DIR --name NAME`\n',
    );
    return 2;
  }
  const name = parsed.values['name'] as string | undefined;
  const scopes = parsed.values['scopes'] as string | undefined;
  return tokenCommand(
    sub,
    { data, ...(name !== undefined ? { name } : {}), ...(scopes !== undefined ? { scopes } : {}) },
    out,
    err,
  );
}

const COMMANDS: Readonly<
  Record<string, (args: readonly string[], out: Out, err: Out) => number | Promise<number>>
> = {
  analyze: analyzeMain,
  simulate: simulateMain,
  permissions: permissionsMain,
  'who-can': whoCanMain,
  usage: usageMain,
  serve: serveMain,
  token: tokenMain,
  collect: collectCommand,
  report: (args, out, err) => reportCommand(args, out, err, version()),
};

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    err.write(`leastpriv: unknown command \`${command}\` (try \`leastpriv help\`)\n`);
    return 2;
  }
  return run(rest, out, err);
}
