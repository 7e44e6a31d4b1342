/**
 * The Markdown report: the sections a security lead reads, in order, and data that cannot break
 * out of its table cell, code span or fence, nor inject HTML.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../recommender/model.js';
import { mdCode, mdFence, mdText, renderMarkdown } from '../../src/report/markdown.js';
import { SAMPLE_REPORT, TRICKY } from './sample-report.js';

const md = renderMarkdown(SAMPLE_REPORT);
const lines = md.split('\n');

/** Cell separators of a table row: `|` not escaped with a backslash. */
const separators = (row: string) => row.match(/(?<!\\)\|/g)?.length ?? 0;

/** The tables of a Markdown text: runs of lines starting with `|`. */
function tables(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('|')) current.push(line);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  return out;
}

/** The contents of the fenced blocks with `lang`. */
const fences = (text: string, lang: string) =>
  [...text.matchAll(new RegExp(`^ *(\`{3,})${lang}\\n([\\s\\S]*?)\\n *\\1$`, 'gm'))].map(
    (m) => m[2] ?? '',
  );

describe('renderMarkdown', () => {
  it('starts with a title naming the as-of day and the window', () => {
    expect(lines[0]).toBe('# leastpriv report — as of 2025-06-30 (90-day window)');
  });

  it('has the sections in reading order', () => {
    const headings = lines.filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Summary',
      '## Accounts',
      '## Top over-privileged identities',
      '## Findings',
      '## Identities',
      '## Input issues',
    ]);
  });

  it('summarises counts by severity, granted vs used and the creep score', () => {
    expect(md).toContain(
      '| Findings | 10: 🟥 critical **1** · 🟧 high **3** · 🟨 medium **3** · 🟦 low **2** · ⬜ info **1** |',
    );
    expect(md).toContain('| Granted actions | 26,604 |');
    expect(md).toContain('| Used in the window | 185 (0.7%) |');
    expect(md).toContain('| Permission creep | **91** / 100 (+2) |');
    expect(md).toContain('| `111111111111` | 3 | 24,030 | 78 | 0.3% | 1,395 | 97 |');
  });

  it('lists the top identities worst first', () => {
    const top = md.slice(md.indexOf('## Top'), md.indexOf('## Findings'));
    expect(top.indexOf('break-glass-admin')).toBeLessThan(top.indexOf('user/alice'));
    expect(top).not.toContain('ops-readonly'); // creep 0
  });

  it('groups findings by severity, worst first', () => {
    const order = lines.filter((l) => l.startsWith('### ') && /\(\d+\)$/.test(l));
    expect(order).toEqual([
      '### 🟥 Critical (1)',
      '### 🟧 High (3)',
      '### 🟨 Medium (3)',
      '### 🟦 Low (2)',
      '### ⬜ Info (1)',
    ]);
  });

  it('keeps every table row to its header’s cells: `|` and line breaks in data are escaped', () => {
    const all = tables(md);
    expect(all.length).toBeGreaterThan(10);
    for (const table of all) {
      const width = separators(table[0] as string);
      for (const row of table) expect(separators(row), row).toBe(width);
    }
    expect(md).toContain('alice a \\| b');
    expect(md).toContain('note: first line<br>second line, with a comma');
  });

  it('escapes HTML in data: no raw tag from the report', () => {
    expect(md).not.toMatch(/(?<!\\)<script/);
    expect(md).toContain('\\<script\\>alert("owned")\\</script\\>');
    // Outside code spans and fences the only raw HTML is ours: <br> and the anchors.
    const tags = md.replace(/```[\s\S]*?```/g, '').match(/(?<!\\)<[a-z][^>]*>/gi) ?? [];
    for (const tag of tags) expect(tag).toMatch(/^<(br|a id="identity-[a-z0-9-]+")>$|^<https:\/\//);
  });

  it('shows each recommendation: kept and removed with evidence, policy, proofs, Terraform, rollback', () => {
    const alice = md.slice(md.indexOf('### `arn:aws:iam::111111111111:user/alice`'));
    expect(alice).toContain('**Recommendation: ✅ proposed**');
    expect(alice).toContain('#### Kept (3)');
    expect(alice).toContain(
      '| `s3:GetObject` | used | 4,120 | 2025-06-29 | `arn:aws:s3:::acme-reports/*` | alice@example.com | Called 4,120 times in the window. |',
    );
    expect(alice).toContain('#### Removed (3)');
    expect(alice).toContain('`leastpriv-alice` (user-inline, 276 of 2,048 characters)');
    expect(alice).toContain(
      '- ✅ **No new access** holds — checked 22,091 actions × 3 resource patterns',
    );
    expect(alice).toContain('- `PowerUserAccess` (aws-managed, via group `developers`)');

    const policies = fences(md, 'json').map((j) => JSON.parse(j) as unknown);
    for (const p of SAMPLE_REPORT.principals) {
      for (const proposed of p.recommendation?.proposed ?? [])
        expect(policies).toContainEqual(proposed.document);
      for (const current of p.recommendation?.current ?? [])
        if (current.document === undefined) expect(md).toContain(current.id);
        else expect(policies).toContainEqual(current.document);
    }
    const hcl = fences(md, 'hcl');
    const terraform = SAMPLE_REPORT.principals
      .map((p) => p.recommendation?.terraform ?? '')
      .filter((t) => t !== '')
      .map((t) => t.replace(/\n$/, ''));
    expect(hcl).toEqual(expect.arrayContaining(terraform));
    expect(hcl).toHaveLength(terraform.length);
  });

  it('shows a failing proof with its counterexamples', () => {
    expect(md).toContain(
      '- ❌ **Usage covered** fails — checked 79 observed (action, resource) pairs',
    );
    expect(md).toContain(
      '  - `athena:StartQueryExecution` on `arn:aws:athena:eu-west-1:222222222222:workgroup/adhoc`: the proposed Resource names only workgroup/primary',
    );
  });

  it('renders a report without principals or findings', () => {
    const empty: Report = {
      ...SAMPLE_REPORT,
      accounts: [],
      principals: [],
      findings: [],
      inputIssues: [],
    };
    const out = renderMarkdown(empty);
    expect(out).toContain('No findings.');
    expect(out).toContain('No identities.');
    expect(out).not.toContain('## Input issues');
  });
});

describe('Markdown escaping helpers', () => {
  it('mdText escapes inline markup and turns line breaks into <br>', () => {
    expect(mdText('*bold* _it_ `code` [link](x) <b> a|b ~s~ & \\')).toBe(
      '\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\<b\\> a\\|b \\~s\\~ \\& \\\\',
    );
    expect(mdText(TRICKY.multiline)).toBe('first line<br>second line, with a comma');
    expect(mdText(TRICKY.unicode)).toBe(TRICKY.unicode);
  });

  it('mdCode fences with more backticks than the value holds and flattens line breaks', () => {
    expect(mdCode('s3:GetObject')).toBe('`s3:GetObject`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b\nc')).toBe('`a\\|b c`');
  });

  it('mdFence uses a fence longer than any backtick run inside', () => {
    expect(mdFence('x = 1\n', 'hcl')).toBe('```hcl\nx = 1\n```');
    expect(mdFence('has ``` inside', 'hcl')).toBe('````hcl\nhas ``` inside\n````');
  });
});
