#!/usr/bin/env node
/**
 * Renders an HTML report to a PNG with headless Chromium (for docs/report.png and the e2e test).
 *
 *   node scripts/screenshot-report.mjs <report.html> <out.png> [--window-size=1280,2000] [--dark]
 *
 * Needs Chromium on PATH as `chromium` or `chromium-browser` (Debian/Ubuntu:
 * `apt-get install -y --no-install-recommends chromium`), or its path in $CHROMIUM.
 * Exit codes: 0 written, 1 Chromium failed, 2 bad usage or no Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Chromium binary: $CHROMIUM, else the first of `chromium`, `chromium-browser` on PATH. */
export function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return undefined;
}

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const size = args.find((a) => a.startsWith('--window-size='))?.slice('--window-size='.length);
const dark = args.includes('--dark');

if (positional.length !== 2 || (size !== undefined && !/^\d+,\d+$/.test(size))) {
  console.error(
    'usage: node scripts/screenshot-report.mjs <report.html> <out.png> [--window-size=W,H] [--dark]',
  );
  process.exit(2);
}
const [input, output] = positional.map((p) => resolve(p));
if (!existsSync(input)) {
  console.error(`no such file: ${input}`);
  process.exit(2);
}
const chromium = findChromium();
if (chromium === undefined) {
  console.error(
    'Chromium not found: install it with `apt-get install -y --no-install-recommends chromium` ' +
      '(binary `chromium` or `chromium-browser`), or set $CHROMIUM to its path.',
  );
  process.exit(2);
}

// A fresh profile per run: two Chromiums sharing the default profile wait on its lock.
const profile = mkdtempSync(join(tmpdir(), 'leastpriv-chromium-'));
try {
  const run = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--hide-scrollbars',
      // Pixels in sRGB exactly as the CSS says (no display colour profile).
      '--force-color-profile=srgb',
      `--user-data-dir=${profile}`,
      `--window-size=${size ?? '1280,2000'}`,
      ...(dark ? ['--force-dark-mode'] : []),
      `--screenshot=${output}`,
      pathToFileURL(input).href,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0 || !existsSync(output) || statSync(output).size === 0) {
    console.error(
      `chromium failed (exit ${run.status}${run.error ? `, ${run.error.message}` : ''})`,
    );
    console.error(run.stderr);
    process.exit(1);
  }
  console.log(`${output}: ${statSync(output).size} bytes`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}
