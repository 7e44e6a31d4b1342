/**
 * IAM Access Analyzer's unused-access findings next to ours: reading the snapshot file (the
 * bundled sample's, and malformed ones), the comparison, and the report section in every format
 * (the JSON one against docs/report-schema.json).
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_GetFindingV2.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-view.html
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../recommender/model.js';
import { compareFinding } from '../../src/access-analyzer.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { loadAccessAnalyzerFindings, type AccessAnalyzerFinding } from '../../src/snapshot.js';
import { SAMPLE_REPORT, TRICKY } from './sample-report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLE = join(ROOT, 'fixtures', 'sample-org');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const finding = (over: Partial<AccessAnalyzerFinding>): AccessAnalyzerFinding => ({
  account: '333333333333',
  id: 'f-1',
  principal: 'arn:aws:iam::333333333333:role/x',
  findingType: 'UnusedIAMRole',
  services: [],
  ...over,
});
const ours = (used: string[], rules: string[] = []) => ({
  used: new Set(used),
  findings: rules.map((ruleId) => ({ ruleId }) as Finding),
});

describe('loadAccessAnalyzerFindings', () => {
  it("reads the sample organisation's findings (account 333333333333)", () => {
    const { findings, files, issues } = loadAccessAnalyzerFindings(SAMPLE);
    expect(issues).toEqual([]);
    expect(files).toBe(1);
    expect(findings.map((f) => [f.findingType, f.principal])).toEqual([
      ['UnusedIAMRole', 'arn:aws:iam::333333333333:role/BreakGlass'],
      ['UnusedIAMUserAccessKey', 'arn:aws:iam::333333333333:user/automation/integration-tests-bot'],
      ['UnusedIAMUserPassword', 'arn:aws:iam::333333333333:user/engineering/bob.nguyen'],
      ['UnusedIAMRole', 'arn:aws:iam::333333333333:role/OrganizationAccountAccessRole'],
      ['UnusedPermission', 'arn:aws:iam::333333333333:role/github-actions-ci'],
      ['UnusedPermission', 'arn:aws:iam::333333333333:role/jenkins-ec2'],
    ]);
    expect(findings[5]?.services).toEqual([
      {
        service: 'ssm',
        lastAccessed: '2026-10-02T10:05:00+00:00',
        actions: [
          { action: 'ssm:GetParameters', lastAccessed: '2026-10-02T10:05:00+00:00' },
          { action: 'ssm:PutParameter' },
        ],
      },
      { service: 'sqs', actions: [] },
    ]);
    expect(findings[1]?.accessKeyId).toBe('AKIA3XFRBF53INTTEST7');
  });

  it('names a malformed finding by its JSON pointer and keeps the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leastpriv-aa-'));
    dirs.push(dir);
    const sample = JSON.parse(
      readFileSync(
        join(SAMPLE, 'accounts', '333333333333', 'access-analyzer-findings.json'),
        'utf8',
      ),
    ) as { findings: Record<string, unknown>[] };
    delete sample.findings[1]!['resource'];
    (sample.findings[5]!['findingDetails'] as unknown[])[1] = {
      unusedPermissionDetails: { actions: [] },
    };
    mkdirSync(join(dir, 'accounts', '333333333333'), { recursive: true });
    writeFileSync(
      join(dir, 'accounts', '333333333333', 'access-analyzer-findings.json'),
      JSON.stringify(sample),
    );
    mkdirSync(join(dir, 'accounts', '111111111111'), { recursive: true });
    writeFileSync(join(dir, 'accounts', '111111111111', 'access-analyzer-findings.json'), '[1, 2');
    const { findings, issues } = loadAccessAnalyzerFindings(dir);
    expect(findings).toHaveLength(4);
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'invalid_json',
        path: join('accounts', '111111111111', 'access-analyzer-findings.json'),
      }),
      {
        code: 'invalid_access_analyzer_findings',
        message: 'no `resource` ARN',
        path: `${join('accounts', '333333333333', 'access-analyzer-findings.json')}#/findings/1/resource`,
      },
      expect.objectContaining({
        code: 'invalid_access_analyzer_findings',
        path: `${join('accounts', '333333333333', 'access-analyzer-findings.json')}#/findings/5/findingDetails/1/unusedPermissionDetails`,
      }),
    ]);
  });
});

describe('compareFinding', () => {
  it('agrees on an unused role only when we saw no use either', () => {
    expect(compareFinding(finding({}), ours([])).agreement).toBe('agree');
    const used = compareFinding(finding({}), ours(['iam:GetRole']));
    expect(used).toMatchObject({ agreement: 'disagree', usedPerUs: ['iam:GetRole'] });
  });

  it('compares unused actions with what we saw used, service-wide ones included', () => {
    const f = finding({
      findingType: 'UnusedPermission',
      services: [
        {
          service: 'ssm',
          actions: [{ action: 'ssm:GetParameters' }, { action: 'ssm:PutParameter' }],
        },
        { service: 'sqs', actions: [] },
      ],
    });
    expect(compareFinding(f, ours(['ssm:GetParameters']))).toMatchObject({
      unusedActions: ['ssm:GetParameters', 'ssm:PutParameter', 'sqs:*'],
      usedPerUs: ['ssm:GetParameters'],
      agreement: 'partly',
    });
    expect(compareFinding(f, ours(['lambda:GetFunction'])).agreement).toBe('agree');
    expect(
      compareFinding(f, ours(['ssm:GetParameters', 'ssm:PutParameter', 'sqs:SendMessage'])),
    ).toMatchObject({
      agreement: 'disagree',
      usedPerUs: ['ssm:GetParameters', 'ssm:PutParameter', 'sqs:*'],
    });
  });

  it('agrees on credentials when our credential rules flag them', () => {
    const key = finding({ findingType: 'UnusedIAMUserAccessKey', accessKeyId: 'AKIAEXAMPLE' });
    expect(compareFinding(key, ours([], ['credentials.access-key-unused'])).agreement).toBe(
      'agree',
    );
    expect(compareFinding(key, ours([])).agreement).toBe('disagree');
    const password = finding({ findingType: 'UnusedIAMUserPassword' });
    expect(compareFinding(password, ours([], ['credentials.password-unused'])).agreement).toBe(
      'agree',
    );
  });
});

/** The sample report with Access Analyzer findings on its first principal (one with markup). */
const withAnalyzer = (): Report => {
  const [first, ...rest] = SAMPLE_REPORT.principals;
  return {
    ...SAMPLE_REPORT,
    evidence: { ...SAMPLE_REPORT.evidence, accessAnalyzerFindings: 2 },
    principals: [
      {
        ...first!,
        accessAnalyzer: [
          {
            findingId: '6c8e0a2b-4d6f-4a8c-b0e2-4a6c8e0b2d4f',
            findingType: 'UnusedPermission',
            unusedActions: ['ssm:GetParameters', 'ssm:PutParameter', 'sqs:*'],
            usedPerUs: ['ssm:GetParameters'],
            agreement: 'partly',
            note: `we saw 1 of these 3 used ${TRICKY.script}`,
          },
          {
            findingId: '8c1d3e5f-7a9b-4c2d-8e0f-1a3b5c7d9e2f',
            findingType: 'UnusedIAMUserAccessKey',
            accessKeyId: 'AKIA3XFRBF53INTTEST7',
            lastAccessed: '2026-08-16T17:42:05+00:00',
            agreement: 'agree',
            note: 'we flag an unused access key too',
          },
        ],
      },
      ...rest,
    ],
  };
};

describe('the Access Analyzer section of the report', () => {
  const schema = JSON.parse(
    readFileSync(join(ROOT, 'docs', 'report-schema.json'), 'utf8'),
  ) as object;
  const validate = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    formats: {
      date: /^\d{4}-\d{2}-\d{2}$/,
      'date-time': /^\d{4}-\d{2}-\d{2}T/,
      uri: /^https?:\/\//,
    },
  }).compile(schema);

  it('is in the JSON report, which its schema accepts (and rejects a bad agreement)', () => {
    const json = JSON.parse(renderJson(withAnalyzer())) as Report;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.evidence.accessAnalyzerFindings).toBe(2);
    expect(json.principals[0]?.accessAnalyzer?.[0]).toMatchObject({
      findingType: 'UnusedPermission',
      agreement: 'partly',
      usedPerUs: ['ssm:GetParameters'],
    });
    const bad = structuredClone(json) as unknown as {
      principals: { accessAnalyzer: { agreement: string }[] }[];
    };
    bad.principals[0]!.accessAnalyzer[0]!.agreement = 'maybe';
    expect(validate(bad)).toBe(false);
    // Without findings, nothing changes.
    expect(JSON.parse(renderJson(SAMPLE_REPORT))).not.toHaveProperty(
      'evidence.accessAnalyzerFindings',
    );
    expect(renderJson(SAMPLE_REPORT)).not.toContain('accessAnalyzer');
  });

  it('is a Markdown section and a line per identity, escaped', () => {
    const md = renderMarkdown(withAnalyzer());
    expect(md).toContain('## IAM Access Analyzer, side by side');
    expect(md).toContain('2 unused-access findings: 1 we agree with, 1 partly, 0 not');
    expect(md).toMatch(
      /\| `UnusedPermission` \| `ssm:GetParameters`, `ssm:PutParameter`, `sqs:\*` \| `ssm:GetParameters` \| 🟨 partly \|/,
    );
    expect(md).toContain('IAM Access Analyzer findings: 2');
    expect(md).not.toContain(TRICKY.script);
    expect(renderMarkdown(SAMPLE_REPORT)).not.toContain('Access Analyzer, side by side');
  });

  it('is an HTML panel and a table per identity, escaped, under the page CSP', () => {
    const html = renderHtml(withAnalyzer());
    expect(html).toContain('<section id="access-analyzer" class="panel">');
    expect(html).toContain('(2 findings: 1 agree, 1 partly, 0 disagree)');
    expect(html).toContain('<span class="badge aa aa-partly"');
    expect(html).toContain('<code>AKIA3XFRBF53INTTEST7</code>');
    expect(html).not.toContain(TRICKY.script);
    // Self-contained: no inline style attributes or event handlers, no remote references.
    expect(html).not.toMatch(/\sstyle="|\son[a-z]+="|src="https?:/);
    expect(renderHtml(SAMPLE_REPORT)).not.toContain('id="access-analyzer"');
  });
});
