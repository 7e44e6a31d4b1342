/**
 * `npm run bench` (fourth part): `analyze` end to end on the generated 10,000-principal estate
 * (bench/generate-estate.ts) with a 1,000,000-record trail of its own principals
 * (bench/generate-trail.ts) in `cloudtrail/`, into a fresh usage store, then every report format.
 * Prints the seconds and the peak memory after each phase. Target (issue 5): under 60 s.
 * BENCH_PRINCIPALS and BENCH_RECORDS set the sizes.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { principalsOf } from '../policy-model/index.js';
import { analyzeSnapshot } from '../src/analyze.js';
import { REPORT_FORMATS, renderReport } from '../src/report/index.js';
import { loadSnapshot } from '../src/snapshot.js';
import { generateEstate } from './generate-estate.js';
import { generateTrail } from './generate-trail.js';

const principals = Number(process.env['BENCH_PRINCIPALS'] ?? 10_000);
const records = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const dir = join(tmpdir(), `leastpriv-analyze-${principals}-${records}`);
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

if (!existsSync(join(dir, 'cloudtrail', 'AWSLogs'))) {
  const t = performance.now();
  generateEstate(dir, { principals, policies: Math.round(principals / 5), accounts: 20, seed: 42 });
  const estate = loadSnapshot(dir);
  const actors = principalsOf(estate).map(({ principal }) => ({
    arn: principal.arn,
    type: principal.type,
    account: principal.account,
  }));
  generateTrail(join(dir, 'cloudtrail'), { records, seed: 7, principals: actors });
  console.log(
    `generated ${principals.toLocaleString('en-US')} principals and ${records.toLocaleString('en-US')} records in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir})`,
  );
}

const started = performance.now();
const db = join(mkdtempSync(join(tmpdir(), 'leastpriv-analyze-db-')), 'usage.db');
let last = performance.now();
const { report, phases } = await analyzeSnapshot(dir, {
  asOf: '2026-11-24',
  db,
  onPhase: (phase) => {
    const now = performance.now();
    console.log(
      `  … ${phase} (after ${((now - last) / 1000).toFixed(1)} s, peak so far ${peakMiB()} MiB)`,
    );
    last = now;
  },
});
for (const p of phases) console.log(`analyze phase ${p.phase}: ${p.seconds.toFixed(2)} s`);
const renderStart = performance.now();
const sizes = REPORT_FORMATS.map(
  (f) => `${f} ${(renderReport(report, f).length / 1e6).toFixed(1)} MB`,
);
const render = (performance.now() - renderStart) / 1000;
console.log(`render all formats: ${render.toFixed(2)} s (${sizes.join(', ')})`);
const total = (performance.now() - started) / 1000;
console.log(
  `analyze end to end (${report.summary.principals.toLocaleString('en-US')} principals, ${report.evidence.cloudTrailRecords.toLocaleString('en-US')} records, ` +
    `${report.summary.recommendations.toLocaleString('en-US')} rewrites proposed, ${report.findings.length.toLocaleString('en-US')} findings): ` +
    `${total.toFixed(1)} s, peak ${peakMiB()} MiB (target: under 60 s)`,
);
