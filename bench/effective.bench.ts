/**
 * `npm run bench` (second part): effective permissions of every principal of a generated estate
 * (bench/generate-estate.ts: 10,000 principals, 2,000 policies, 20 accounts, a 3-level OU tree)
 * over the full catalog, with their summaries. Prints seconds and principals/s per phase and the
 * peak resident memory. Target (issue 3): under 10 s and 1.5 GB on one core.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estatePermissions, summarize } from '../policy-model/index.js';
import { loadCatalog } from '../src/catalog.js';
import { loadSensitiveActionTags } from '../src/sensitive-actions.js';
import { loadSnapshot } from '../src/snapshot.js';
import { generateEstate } from './generate-estate.js';

const principals = Number(process.env['BENCH_PRINCIPALS'] ?? 10_000);
const dir = join(tmpdir(), `leastpriv-estate-${principals}-seed42`);
const seconds = (start: number) => (performance.now() - start) / 1000;
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

if (!existsSync(join(dir, 'organization.json'))) {
  const start = performance.now();
  const estate = generateEstate(dir, {
    principals,
    policies: Math.round(principals / 5),
    accounts: 20,
    seed: 42,
  });
  console.log(`generated ${JSON.stringify(estate)} in ${seconds(start).toFixed(1)} s (${dir})`);
}

let start = performance.now();
const catalog = loadCatalog();
const tags = loadSensitiveActionTags();
console.log(
  `catalog: ${catalog.actions.length.toLocaleString('en-US')} actions in ${seconds(start).toFixed(2)} s`,
);

start = performance.now();
const snapshot = loadSnapshot(dir);
const count = snapshot.accounts.reduce((n, a) => n + a.principals.length, 0);
console.log(
  `load + parse + compile snapshot: ${count.toLocaleString('en-US')} principals, ${snapshot.issues.length} issues, ${seconds(start).toFixed(2)} s`,
);

start = performance.now();
let admins = 0;
let computed = 0;
for (const permissions of estatePermissions(snapshot, catalog)) {
  const summary = summarize(catalog, permissions, tags);
  if (summary.adminEquivalent) admins += 1;
  computed += 1;
}
const effective = seconds(start);
console.log(
  `effective permissions + summaries over the full catalog: ${computed.toLocaleString('en-US')} principals in ${effective.toFixed(2)} s ` +
    `(${Math.round(computed / effective).toLocaleString('en-US')} principals/s; ${admins} admin-equivalent)`,
);
console.log(`peak resident memory: ${peakMiB()} MiB`);
