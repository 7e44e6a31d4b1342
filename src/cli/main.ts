/**
 * The `leastpriv` command line. Exit codes: 0 done, 1 findings at or above the threshold (later
 * commands), 2 bad input or usage.
 */
import { parseArgs } from 'node:util';
import { simulateFile, simulateJsonl, simulateOptions } from './simulate.js';

const HELP = `leastpriv — effective permissions, usage and least-privilege rewrites for AWS IAM

Usage:
  leastpriv simulate CASE.json           evaluate one case; prints the answer as JSON
  leastpriv simulate --jsonl CASES.jsonl evaluate a batch: one answer line per input line, in order
  leastpriv help                         this text

simulate options:
  --jsonl          read JSON Lines (one case per line); "-" reads standard input
  --brief          omit the per-statement explanation (decisive statements are kept)
  --format F       json (default; the contract) or table (one line per case, for people)

A case: { "id"?, "request": { "principal", "action", "resource", "resourceAccount"?, "context"? },
  "identityPolicies": [...], "permissionBoundary"?, "sessionPolicy"?, "serviceControlPolicies"?: [[...]],
  "resourceControlPolicies"?: [[...]], "resourcePolicy"? }
Answer: { "id"?, "decision": "allow" | "explicit-deny" | "implicit-deny", "explanation": {...} }
     or { "id"?, "error": { "code", "message", "path" }, "errors": [...] }

Exit codes: 0 answered (whatever the decision; always 0 for --jsonl once the file is read),
            2 a single case that cannot be evaluated, or bad usage.
See docs/simulate.md.`;

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'simulate') {
    err.write(`leastpriv: unknown command \`${command}\` (try \`leastpriv help\`)\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        jsonl: { type: 'string' },
        brief: { type: 'boolean', default: false },
        format: { type: 'string', default: 'json' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err.write(`leastpriv simulate: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const file = parsed.values.jsonl ?? parsed.positionals[0];
  if (file === undefined || parsed.positionals.length > (parsed.values.jsonl ? 0 : 1)) {
    err.write('leastpriv simulate: give one CASE.json, or --jsonl CASES.jsonl\n');
    return 2;
  }
  const format = parsed.values.format;
  if (format !== 'json' && format !== 'table') {
    err.write(`leastpriv simulate: --format takes json or table, not \`${format}\`\n`);
    return 2;
  }
  const options = simulateOptions(parsed.values.brief);
  try {
    return parsed.values.jsonl !== undefined
      ? await simulateJsonl(file, options, out, format)
      : simulateFile(file, options, out, format);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err.write(`leastpriv simulate: cannot read \`${file}\`${code ? ` (${code})` : ''}\n`);
    return 2;
  }
}
