#!/usr/bin/env node
// The installed command: runs the compiled CLI (build with `npm run build`; `npm ci` builds it).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

// `serve` runs in a child Node with a small young generation (2 MB semi-spaces instead of 16):
// nearly every object of an express request outlives one scavenge, so a scavenge's pause grows
// with the young generation; at 16 MB it was 11-14 ms and set the service's p99 latency, at 2 MB
// it is about 2 ms (bench/service.bench.ts, docs/benchmarks.md). V8 takes the size only at start.
const YOUNG_GENERATION = '--max-semi-space-size=2';
const args = process.argv.slice(2);

if (
  args[0] === 'serve' &&
  process.env.LEASTPRIV_SERVE_CHILD !== '1' &&
  !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))
) {
  const child = spawn(
    process.execPath,
    [YOUNG_GENERATION, ...process.execArgv, fileURLToPath(import.meta.url), ...args],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, LEASTPRIV_SERVE_CHILD: '1' },
    },
  );
  // Signals reach the service (a repeated one is ignored there: see cli/serve.ts).
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'])
    process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    // Killed by a signal: the shell's convention, 128 + its number.
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  });
} else {
  if (process.env.LEASTPRIV_SERVE_CHILD === '1' && process.send) {
    // This launcher was killed (SIGKILL): the service goes too, at once, as if it were one
    // process, rather than live on unseen holding the data directory.
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    // Listening keeps the channel read, so its end is seen; unref'd, it keeps nothing alive.
    process.on('message', () => {});
    process.channel?.unref();
  }
  const { main } = await import('../dist/src/cli/main.js');
  // A reader that stops early (`leastpriv … | head`) closes the pipe: stop quietly, as Unix tools do.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  process.exitCode = await main(args);
}
