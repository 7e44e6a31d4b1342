/**
 * End-to-end: the real `leastpriv` command (bin/leastpriv.js over the build), as users and
 * scripts call it. `npm test` builds before running these.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leastpriv.js');
const work = mkdtempSync(join(tmpdir(), 'leastpriv-e2e-'));

function run(
  args: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const allowCase = {
  id: 'c1',
  request: {
    principal: 'arn:aws:iam::111122223333:user/alice',
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::b/k',
  },
  identityPolicies: [
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
      ],
    },
  ],
};
const denyCase = {
  ...allowCase,
  id: 'c2',
  request: { ...allowCase.request, action: 's3:PutObject' },
};
const brokenPolicyCase = {
  ...allowCase,
  id: 'c3',
  identityPolicies: [
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::b/*',
          Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } },
        },
      ],
    },
  ],
};

describe('leastpriv simulate CASE.json', () => {
  it('prints the decision and its explanation and exits 0', () => {
    const { code, stdout } = run(['simulate', file('allow.json', JSON.stringify(allowCase))]);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ id: 'c1', decision: 'allow' });
    expect(answer.explanation.decisive).toEqual([
      {
        policy: '/identityPolicies/0',
        policyType: 'identity',
        statement: 0,
        sid: 'Read',
        effect: 'Allow',
      },
    ]);
  });

  it('exits 0 for a deny too: the decision is the answer, not a failure', () => {
    const { code, stdout } = run(['simulate', file('deny.json', JSON.stringify(denyCase))]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decision).toBe('implicit-deny');
    expect(JSON.parse(stdout).explanation.statements[0]).toMatchObject({
      applies: false,
      notMatched: 'action',
    });
  });

  it('prints a broken policy error with its JSON pointer and exits non-zero', () => {
    const { code, stdout } = run([
      'simulate',
      file('broken.json', JSON.stringify(brokenPolicyCase)),
    ]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({
      code: 'invalid_cidr',
      path: '/identityPolicies/0/Statement/0/Condition/IpAddress/aws:SourceIp',
    });
  });

  it('prints invalid JSON errors with file, line and column and exits non-zero', () => {
    const path = file('bad.json', '{\n  "request": {\n    "principal": oops\n}');
    const { code, stdout } = run(['simulate', path]);
    expect(code).toBe(2);
    const answer = JSON.parse(stdout);
    expect(answer.error.code).toBe('invalid_json');
    expect(answer.error.path).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+$`),
    );
  });

  it('reads standard input with "-"', () => {
    const { code, stdout } = run(['simulate', '-'], JSON.stringify(allowCase));
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decision).toBe('allow');
  });

  it('reports an unreadable file on stderr and exits 2', () => {
    const { code, stderr } = run(['simulate', join(work, 'missing.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('cannot read');
    expect(stderr).toContain('ENOENT');
  });

  it('--brief keeps the decisive statements and drops the per-statement list', () => {
    const { stdout } = run(['simulate', '--brief', file('brief.json', JSON.stringify(allowCase))]);
    const answer = JSON.parse(stdout);
    expect(answer.explanation.decisive).toHaveLength(1);
    expect(answer.explanation.statements).toBeUndefined();
  });
});

describe('leastpriv simulate --jsonl CASES.jsonl', () => {
  it('answers one line per input line, in order, going on past broken lines, and exits 0', () => {
    const lines = [
      JSON.stringify(allowCase),
      '{not json',
      JSON.stringify(brokenPolicyCase),
      '',
      JSON.stringify(denyCase),
      JSON.stringify({ id: 'c5', identityPolicies: [] }),
    ];
    const { code, stdout } = run([
      'simulate',
      '--jsonl',
      file('batch.jsonl', `${lines.join('\n')}\n`),
    ]);
    expect(code).toBe(0);
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers).toHaveLength(lines.length);
    expect(answers[0]).toMatchObject({ id: 'c1', decision: 'allow' });
    expect(answers[1].error).toMatchObject({
      code: 'invalid_json',
      path: expect.stringMatching(/batch\.jsonl:2:2$/),
    });
    expect(answers[2]).toMatchObject({ id: 'c3', error: { code: 'invalid_cidr' } });
    expect(answers[3].error).toMatchObject({
      code: 'invalid_json',
      path: expect.stringMatching(/batch\.jsonl:4$/),
    });
    expect(answers[4]).toMatchObject({ id: 'c2', decision: 'implicit-deny' });
    expect(answers[5]).toMatchObject({ id: 'c5', error: { code: 'invalid_case', path: '' } });
  });

  it('ignores a byte-order mark at the start of the file', () => {
    const { stdout } = run([
      'simulate',
      '--jsonl',
      file('bom.jsonl', `\uFEFF${JSON.stringify(allowCase)}\n`),
    ]);
    expect(JSON.parse(stdout.trim()).decision).toBe('allow');
  });

  it('stops quietly when the reader closes the pipe early', () => {
    const many = Array.from({ length: 20000 }, (_, i) =>
      JSON.stringify({ ...allowCase, id: `p${i}` }),
    ).join('\n');
    const path = file('pipe.jsonl', many);
    const result = spawnSync(
      'sh',
      ['-c', `node ${JSON.stringify(BIN)} simulate --jsonl ${JSON.stringify(path)} | head -1`],
      { encoding: 'utf8' },
    );
    expect(result.stderr).not.toContain('EPIPE');
    expect(JSON.parse(result.stdout).id).toBe('p0');
  });

  it('streams a large batch in order (ids echo back)', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ ...(i % 2 ? allowCase : denyCase), id: `n${i}` }),
    );
    const { code, stdout } = run([
      'simulate',
      '--brief',
      '--jsonl',
      file('many.jsonl', many.join('\n')),
    ]);
    expect(code).toBe(0);
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.id)).toEqual(many.map((_, i) => `n${i}`));
    expect(answers.filter((a) => a.decision === 'allow')).toHaveLength(1500);
  });

  it('answers the bundled examples as documented in the README', () => {
    const { code, stdout } = run(['simulate', '--jsonl', 'fixtures/simulate/examples.jsonl']);
    expect(code).toBe(0);
    const decisions = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((a) => [a.id, a.decision ?? a.error.code]),
    );
    expect(decisions).toEqual({
      'dev-reads-own-prefix': 'allow',
      'dev-reads-other-prefix': 'implicit-deny',
      'ci-role-blocked-by-boundary': 'implicit-deny',
      'region-lock-scp': 'explicit-deny',
      'cross-account-bucket': 'allow',
      'cross-account-without-bucket-policy': 'implicit-deny',
      'mfa-required': 'explicit-deny',
      'tag-based-access': 'allow',
      'kms-key-policy-delegation': 'allow',
      'rcp-blocks-outsiders': 'explicit-deny',
      'broken-policy-reports-its-path': 'action_and_not_action',
    });
    expect(
      readFileSync(join(ROOT, 'fixtures/simulate/examples.jsonl'), 'utf8').trim().split('\n'),
    ).toHaveLength(11);
  });

  it('prints a table with --format table', () => {
    const { code, stdout } = run([
      'simulate',
      '--format',
      'table',
      '--jsonl',
      'fixtures/simulate/examples.jsonl',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^dev-reads-own-prefix\s+allow\s+/m);
    expect(stdout).toMatch(
      /^broken-policy-reports-its-path\s+error\s+action_and_not_action at \/identityPolicies\/0\/Statement\/0/m,
    );
  });
});

describe('leastpriv usage errors', () => {
  it('help exits 0; no command and unknown commands exit 2', () => {
    expect(run(['help']).code).toBe(0);
    expect(run(['help']).stdout).toContain('leastpriv simulate --jsonl');
    expect(run([]).code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
    expect(run(['simulate']).code).toBe(2);
    expect(run(['simulate', '--format', 'xml', 'x.json']).code).toBe(2);
  });
});
