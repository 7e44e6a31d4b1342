/**
 * End-to-end: the HTML report in headless Chromium. Renders the sample report, screenshots it
 * (light and dark) with scripts/screenshot-report.mjs and checks the pixels are a real page (many
 * colours, content over the background, the charts' colours); dumps the DOM to check the inline
 * script ran with no error, no CSP violation and no console message; clicks the table headers.
 *
 * Needs Chromium (`apt-get install -y --no-install-recommends chromium`); fails without it unless
 * LEASTPRIV_SKIP_BROWSER=1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../recommender/model.js';
import { CHART_COLORS, SEVERITY_COLORS, renderHtml } from '../../src/report/html.js';
import { SAMPLE_REPORT } from '../report/sample-report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOT = join(ROOT, 'scripts', 'screenshot-report.mjs');
const SKIP = process.env['LEASTPRIV_SKIP_BROWSER'] === '1';
const NO_CHROMIUM =
  'Chromium is not installed: the HTML report test needs it. Install it with ' +
  '`apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu; the binary is `chromium` ' +
  'or `chromium-browser`, or set CHROMIUM to its path), or set LEASTPRIV_SKIP_BROWSER=1 to skip.';
const WIDTH = 1280;
const HEIGHT = 2000;
const run = promisify(execFile);

/** $CHROMIUM, else `chromium` or `chromium-browser` on PATH. */
function findChromium(): string | undefined {
  if (process.env['CHROMIUM']) return process.env['CHROMIUM'];
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return undefined;
}

// ───────────────────────── a minimal PNG decoder ─────────────────────────

/** A decoded image: 8-bit samples, `channels` per pixel (3 RGB, 4 RGBA), rows top to bottom. */
interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8Array;
}

/**
 * Decodes 8-bit RGB or RGBA, non-interlaced PNGs (what Chromium writes), checking the signature
 * and every chunk's CRC and undoing the five row filters. https://www.w3.org/TR/png-3/
 */
function decodePng(file: Buffer): Image {
  const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 3;
  const idat: Buffer[] = [];
  let offset = 8;
  let ended = false;
  while (offset < file.length && !ended) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    const crc = file.readUInt32BE(offset + 8 + length);
    if (crc32(file.subarray(offset + 4, offset + 8 + length)) >>> 0 !== crc)
      throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colorType, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0)
        throw new Error(
          `unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`,
        );
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  if (!ended || width === 0) throw new Error('truncated PNG');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error('PNG data has the wrong length');
  const out = new Uint8Array(height * stride);
  const px = (i: number) => out[i] ?? 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px(row + x - channels) : 0; // left
      const b = y > 0 ? px(row - stride + x) : 0; // up
      const c = x >= channels && y > 0 ? px(row - stride + x - channels) : 0; // up-left
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`bad filter type ${filter} on row ${y}`);
      }
      out[row + x] = ((raw[src + x] ?? 0) + predictor) & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

/** Pixel counts per `#rrggbb` colour (alpha ignored). */
function histogram(image: Image): Map<string, number> {
  const counts = new Map<number, number>();
  const d = image.data;
  for (let i = 0; i < d.length; i += image.channels) {
    const rgb = ((d[i] ?? 0) << 16) | ((d[i + 1] ?? 0) << 8) | (d[i + 2] ?? 0);
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  return new Map(
    [...counts].map(([rgb, n]) => [`#${rgb.toString(16).padStart(6, '0')}`, n] as const),
  );
}

/** Relative luminance of `#rrggbb`, 0 (black) to 1 (white), without gamma: good enough here. */
const luminance = (hex: string) => {
  const n = parseInt(hex.slice(1), 16);
  return (0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255)) / 255;
};

// ───────────────────────── the browser runs ─────────────────────────

/** Appended to a copy of the page (its CSP removed): clicks headers, filters, reports back. */
const HARNESS = `<script>
document.addEventListener('DOMContentLoaded', function () {
  var buttons = document.querySelectorAll('table.findings th button');
  var col = function (n) {
    return Array.prototype.map.call(document.querySelectorAll('table.findings tbody tr'), function (tr) {
      return tr.cells[n].getAttribute('data-v');
    });
  };
  var out = {};
  buttons[0].click(); out.severityAsc = col(0); out.ariaAsc = buttons[0].parentNode.getAttribute('aria-sort');
  buttons[0].click(); out.severityDesc = col(0); out.ariaDesc = buttons[0].parentNode.getAttribute('aria-sort');
  buttons[2].click(); out.identityAsc = col(2);
  var filter = document.getElementById('filter');
  filter.value = 'alice';
  filter.dispatchEvent(new Event('input'));
  out.visible = document.querySelectorAll('table.findings tbody tr:not([hidden])').length;
  document.body.setAttribute('data-harness', encodeURIComponent(JSON.stringify(out)));
});
</script>`;

interface Harness {
  severityAsc: string[];
  severityDesc: string[];
  ariaAsc: string;
  ariaDesc: string;
  identityAsc: string[];
  visible: number;
}

describe.skipIf(SKIP)('HTML report in headless Chromium', () => {
  let dir = '';
  let light: Image;
  let dark: Image;
  let dom = { stdout: '', stderr: '' };
  let harness: Harness;

  beforeAll(async () => {
    const chromium = findChromium();
    if (chromium === undefined) throw new Error(NO_CHROMIUM);
    dir = mkdtempSync(join(tmpdir(), 'leastpriv-report-html-'));
    const page = join(dir, 'report.html');
    const html = renderHtml(SAMPLE_REPORT);
    writeFileSync(page, html);
    const harnessPage = join(dir, 'harness.html');
    writeFileSync(
      harnessPage,
      html
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '')
        .replace('</body>', `${HARNESS}\n</body>`),
    );
    const env = { ...process.env, CHROMIUM: chromium };
    const screenshot = (out: string, ...extra: string[]) =>
      run(process.execPath, [SCREENSHOT, page, out, `--window-size=${WIDTH},${HEIGHT}`, ...extra], {
        env,
        timeout: 90_000,
      });
    const dumpDom = (file: string, profile: string) =>
      run(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          // Console messages (uncaught errors and CSP reports included) go to stderr.
          '--enable-logging=stderr',
          '--v=0',
          `--user-data-dir=${join(dir, profile)}`,
          '--dump-dom',
          pathToFileURL(file).href,
        ],
        { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      );
    const [, , domRun, harnessRun] = await Promise.all([
      screenshot(join(dir, 'light.png')),
      screenshot(join(dir, 'dark.png'), '--dark'),
      dumpDom(page, 'profile-dom'),
      dumpDom(harnessPage, 'profile-harness'),
    ]);
    light = decodePng(readFileSync(join(dir, 'light.png')));
    dark = decodePng(readFileSync(join(dir, 'dark.png')));
    dom = domRun;
    const encoded = /data-harness="([^"]*)"/.exec(harnessRun.stdout)?.[1];
    if (encoded === undefined) throw new Error(`the harness did not run:\n${harnessRun.stderr}`);
    harness = JSON.parse(decodeURIComponent(encoded)) as Harness;
  }, 180_000);

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('screenshots a page of the window size', () => {
    expect([light.width, light.height]).toEqual([WIDTH, HEIGHT]);
    expect([dark.width, dark.height]).toEqual([WIDTH, HEIGHT]);
  });

  it('is not blank: many colours, ink beyond the backgrounds, text all down the page', () => {
    const colours = histogram(light);
    // Measured on the sample: 2,498 colours (anti-aliased text and bars).
    expect(colours.size).toBeGreaterThan(1500);
    const total = WIDTH * HEIGHT;
    const byCount = [...colours.values()].sort((a, b) => b - a);
    // The card white is the most common colour (70% measured), then the page grey and the header.
    expect((byCount[0] ?? 0) / total).toBeLessThan(0.8);
    const ink = byCount.slice(3).reduce((n, c) => n + c, 0);
    expect(ink / total).toBeGreaterThan(0.05); // 8.4% measured
    // Text all down the page: dark pixels in nearly every 100-pixel band (19 of 20 measured; the
    // bottom band can fall between table rows).
    let bandsWithText = 0;
    for (let band = 0; band < HEIGHT / 100; band++) {
      let darkPixels = 0;
      for (
        let i = band * 100 * WIDTH * light.channels;
        i < (band + 1) * 100 * WIDTH * light.channels;
        i += light.channels
      ) {
        const lum =
          (0.2126 * (light.data[i] ?? 0) +
            0.7152 * (light.data[i + 1] ?? 0) +
            0.0722 * (light.data[i + 2] ?? 0)) /
          255;
        if (lum < 0.35) darkPixels++;
      }
      if (darkPixels > 100) bandsWithText++;
    }
    expect(bandsWithText).toBeGreaterThanOrEqual(17);
  });

  it('draws the charts and severity badges in their colours', () => {
    const colours = histogram(light);
    const pixels = (hex: string) => colours.get(hex) ?? 0;
    // Solid bar interiors, measured on the sample: granted 10,395 (3 bars, legend, header rule),
    // used 237 (3 thin bars, legend), creep 20,191 (7 bars, score pills).
    expect(pixels(CHART_COLORS.granted)).toBeGreaterThan(3000);
    expect(pixels(CHART_COLORS.used)).toBeGreaterThan(150);
    expect(pixels(CHART_COLORS.creep)).toBeGreaterThan(15_000);
    for (const sev of SEVERITIES) expect(pixels(SEVERITY_COLORS[sev]), sev).toBeGreaterThan(150);
    // The header band across the top.
    expect(pixels('#0f172a')).toBeGreaterThan(WIDTH * 120);
  });

  it('follows the dark colour scheme when asked', () => {
    const colours = histogram(dark);
    const [background = '#ffffff'] = [...colours].reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(luminance(background)).toBeLessThan(0.15);
    expect(colours.get(CHART_COLORS.creep) ?? 0).toBeGreaterThan(15_000);
  });

  it('ran its script with no page error, CSP violation or console message', () => {
    expect(dom.stdout).toMatch(/<body[^>]* data-ready="true"/);
    // The script records errors and CSP violations as attributes of <html> (its source names them too).
    const root = /<html[^>]*>/.exec(dom.stdout)?.[0];
    expect(root).toBe('<html lang="en">');
    expect(dom.stderr.split('\n').filter((l) => l.includes(':CONSOLE'))).toEqual([]);
    // The data's <script> stayed text: the only script element is ours.
    expect(dom.stdout.match(/<script/g)).toHaveLength(1);
    expect(dom.stdout).toContain('&lt;script&gt;alert("owned")&lt;/script&gt;');
  });

  it('sorts the findings table when a header is clicked, and filters it', () => {
    const ranks = SAMPLE_REPORT.findings.map((f) => String(SEVERITIES.indexOf(f.severity)));
    expect(harness.severityAsc).toEqual([...ranks].sort());
    expect(harness.ariaAsc).toBe('ascending');
    expect(harness.severityDesc).toEqual([...ranks].sort().reverse());
    expect(harness.ariaDesc).toBe('descending');
    const arns = SAMPLE_REPORT.findings.map((f) => f.principal);
    expect(harness.identityAsc).toEqual([...arns].sort((a, b) => a.localeCompare(b)));
    expect(harness.visible).toBe(2);
  });
});
