#!/usr/bin/env node
// The installed command: runs the compiled CLI (build with `npm run build`; `npm ci` builds it).
import { main } from '../dist/src/cli/main.js';

// A reader that stops early (`leastpriv … | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
