#!/usr/bin/env node
// The installed command: runs the compiled CLI (build with `npm run build`; `npm ci` builds it).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
