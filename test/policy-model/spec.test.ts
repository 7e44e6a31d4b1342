/**
 * The spec runner: every case in test/policy-model/spec/*.json is one AWS rule, with the doc page
 * it comes from. See test/policy-model/spec/README.md for the format.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../policy-model/index.js';
import { loadCatalog } from '../../src/catalog.js';

interface SpecCase {
  readonly name: string;
  readonly doc: string;
  readonly expect:
    | 'allow'
    | 'explicit-deny'
    | 'implicit-deny'
    | { readonly error: string; readonly path?: string };
  readonly expectWarnings?: readonly string[];
  readonly expectDecisive?: readonly { readonly policy: string; readonly statement: number }[];
  readonly [field: string]: unknown;
}

const SPEC_DIR = join(import.meta.dirname, 'spec');
const META = new Set(['name', 'doc', 'note', 'expect', 'expectWarnings', 'expectDecisive']);
const catalog = loadCatalog();
const files = readdirSync(SPEC_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** The case without the spec's own fields: exactly a `leastpriv simulate` case. */
function simulationCase(spec: SpecCase): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([k]) => !META.has(k)));
}

describe.each(files)('%s', (file) => {
  const cases = JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as SpecCase[];

  it('every case names its rule and cites an AWS documentation page', () => {
    for (const c of cases) {
      expect(c.name, file).toBeTruthy();
      expect(c.doc, c.name).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, spec) => {
    const answer = simulate(simulationCase(spec), {
      catalog,
      now: new Date('2026-11-24T12:00:00Z'),
    });
    if (typeof spec.expect === 'string') {
      expect('error' in answer ? answer.error : undefined).toBeUndefined();
      expect(
        'decision' in answer ? answer.decision : undefined,
        JSON.stringify('explanation' in answer ? answer.explanation.reason : ''),
      ).toBe(spec.expect);
    } else {
      expect('error' in answer ? answer.error.code : 'no error').toBe(spec.expect.error);
      if (spec.expect.path !== undefined && 'error' in answer) {
        expect(answer.errors.map((e) => e.path)).toContain(spec.expect.path);
      }
    }
    if (spec.expectWarnings) {
      const codes = (answer.warnings ?? []).map((w) => w.code);
      for (const code of spec.expectWarnings) expect(codes).toContain(code);
    }
    if (spec.expectDecisive && 'decision' in answer) {
      const decisive = answer.explanation.decisive.map((d) => ({
        policy: d.policy,
        statement: d.statement,
      }));
      for (const d of spec.expectDecisive) expect(decisive).toContainEqual(d);
    }
  });
});
