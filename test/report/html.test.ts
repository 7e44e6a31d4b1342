/**
 * The HTML report as text: self-contained (nothing fetched), every piece of data escaped, the
 * Content-Security-Policy matching its one style and one script, and the line diff correct
 * (property-tested against a plain LCS). The browser test is test/e2e/report-html.test.ts.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../recommender/model.js';
import {
  CHART_COLORS,
  CONTENT_SECURITY_POLICY,
  escapeHtml,
  lineDiff,
  renderHtml,
  type DiffLine,
} from '../../src/report/html.js';
import { EMPTY_REPORT, SAMPLE_REPORT, TRICKY } from './sample-report.js';

const html = renderHtml(SAMPLE_REPORT);
const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;
const between = (text: string, open: string, close: string) =>
  text.slice(text.indexOf(open) + open.length, text.indexOf(close, text.indexOf(open)));

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(escapeHtml(TRICKY.unicode)).toBe(TRICKY.unicode);
    expect(escapeHtml(TRICKY.multiline)).toBe(TRICKY.multiline);
  });
});

describe('renderHtml', () => {
  it('is one HTML5 page with a colour scheme, a viewport and a title', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('<title>leastpriv report — as of 2025-06-30</title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('fetches nothing: no src, no stylesheet links, no CSS urls or imports, no external fonts', () => {
    expect(html).not.toMatch(/\ssrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|source)\b/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    // Links are in-page anchors or documentation pages the reader may open.
    for (const [, href] of html.matchAll(/href="([^"]*)"/g))
      expect(href).toMatch(/^#p-\d+$|^https:\/\/docs\.aws\.amazon\.com\//);
  });

  it('has one style and one script, and a CSP that allows exactly those', () => {
    expect(count(html, /<style>/g)).toBe(1);
    expect(count(html, /<script>/g)).toBe(1);
    expect(count(html, /<script/g)).toBe(1);
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const css = between(html, '<style>', '</style>');
    const js = between(html, '<script>', '</script>');
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${sha(css)}`);
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${sha(js)}`);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    );
    // No inline event handlers or style attributes (the CSP would block them).
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
  });

  it('escapes all data: the tricky strings appear only escaped', () => {
    expect(html).not.toContain(TRICKY.script);
    expect(html).toContain(escapeHtml(TRICKY.script));
    expect(html).toContain(escapeHtml('data & analytics <core>'));
    expect(html).not.toContain('data & analytics <core>');
    expect(html).toContain(escapeHtml(TRICKY.formula));
    expect(html).toContain(TRICKY.unicode);
    expect(html).toContain('svc+etl=nightly,v2@team_a-1');
    expect(html).toContain(escapeHtml("O'Brien, Seán"));
  });

  it('has the header, summary cards and both charts with their colours', () => {
    expect(html).toContain('As of <strong>2025-06-30</strong> · 90-day window');
    for (const label of ['Findings', 'Permission creep', 'Used of granted', 'High-risk unused'])
      expect(html).toContain(`<div class="label">${label}</div>`);
    expect(count(html, /<svg class="chart"/g)).toBe(2);
    for (const color of Object.values(CHART_COLORS)) expect(html).toContain(`fill="${color}"`);
    // One granted and one used bar per account (plus the legend), one bar per top identity.
    expect(count(html, new RegExp(`fill="${CHART_COLORS.granted}"`, 'g'))).toBe(
      SAMPLE_REPORT.accounts.length + 1,
    );
    const overPrivileged = SAMPLE_REPORT.principals.filter((p) => p.score.creep > 0).length;
    expect(count(html, new RegExp(`fill="${CHART_COLORS.creep}"`, 'g'))).toBe(overPrivileged);
  });

  it('has a sortable findings table with one row per finding, worst first', () => {
    const table = between(html, '<table class="sortable findings">', '</table>');
    expect(count(table, /<tr>/g)).toBe(SAMPLE_REPORT.findings.length + 1);
    expect(count(table, /<th data-type="(num|text)"><button type="button">/g)).toBe(5);
    const severities = [...table.matchAll(/<td data-v="(\d)">/g)].map((m) => Number(m[1]));
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    expect(new Set(severities)).toEqual(new Set(SEVERITIES.map((_, i) => i)));
  });

  it('has one collapsible section per identity, the first proposed rewrite open', () => {
    expect(count(html, /<details class="identity"/g)).toBe(SAMPLE_REPORT.principals.length);
    expect(count(html, /<details class="identity"[^>]* open>/g)).toBe(1);
    expect(html).toMatch(/<details class="identity" id="p-0" open>/); // alice: worst with a rewrite
  });

  it('shows kept/removed, the policy diff, proof badges, Terraform and rollback', () => {
    const start = html.indexOf('<details class="identity" id="p-0"');
    const alice = html.slice(start, html.indexOf('<details class="identity"', start + 1));
    expect(alice).toContain('<h4>Kept <span class="muted">(3)</span></h4>');
    expect(alice).toContain('<h4>Removed <span class="muted">(3)</span></h4>');
    expect(alice).toContain(
      '<span class="add"><span class="op">+</span>      &quot;Sid&quot;: &quot;ReadReports&quot;,</span>',
    );
    expect(alice).toContain(
      '<span class="del"><span class="op">-</span>      &quot;NotAction&quot;: [</span>',
    );
    expect(count(alice, /<div class="proof holds">/g)).toBe(2);
    expect(html).toContain(
      '<div class="proof fails"><span class="mark">✗</span><b>Usage covered</b> fails',
    );
    expect(html).toContain(escapeHtml('data "aws_iam_policy_document" "leastpriv_alice" {'));
    expect(html).toContain('Rollback: restore 2 current policies');
  });

  it('renders an empty report', () => {
    const out = renderHtml(EMPTY_REPORT);
    expect(out).toContain('No findings.');
    expect(out).toContain('No identities.');
    expect(out).toContain('No accounts.');
  });
});

describe('lineDiff', () => {
  const side = (d: readonly DiffLine[], drop: '+' | '-') =>
    d.filter((l) => l.op !== drop).map((l) => l.text);

  /** The length of a longest common subsequence, by the textbook recursion (memoised). */
  function lcsLength(a: readonly string[], b: readonly string[]): number {
    const memo = new Map<string, number>();
    const go = (i: number, j: number): number => {
      if (i === a.length || j === b.length) return 0;
      const key = `${i},${j}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      const v = a[i] === b[j] ? 1 + go(i + 1, j + 1) : Math.max(go(i + 1, j), go(i, j + 1));
      memo.set(key, v);
      return v;
    };
    return go(0, 0);
  }

  it('marks removed and added lines between unchanged ones', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
    ]);
    expect(lineDiff([], ['a'])).toEqual([{ op: '+', text: 'a' }]);
    expect(lineDiff(['a'], [])).toEqual([{ op: '-', text: 'a' }]);
    expect(lineDiff([], [])).toEqual([]);
  });

  it('rebuilds both sides and keeps a longest common subsequence (property)', () => {
    const lines = fc.array(fc.constantFrom('{', '}', 'a', 'b', 'c', '"x": 1,'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const d = lineDiff(a, b);
        expect(side(d, '+')).toEqual(a);
        expect(side(d, '-')).toEqual(b);
        expect(d.filter((l) => l.op === ' ')).toHaveLength(lcsLength(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('falls back to remove-all, add-all for inputs too large for the LCS table', () => {
    const a = Array.from({ length: 2100 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 2100 }, (_, i) => `b${i}`);
    const d = lineDiff(['same', ...a, 'end'], ['same', ...b, 'end']);
    expect(side(d, '+')).toEqual(['same', ...a, 'end']);
    expect(side(d, '-')).toEqual(['same', ...b, 'end']);
    expect(d.slice(1, 2101).every((l) => l.op === '-')).toBe(true);
  });
});
