import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  POLICY_ERROR_CODES,
  POLICY_WARNING_CODES,
  parsePolicy,
} from '../../../policy-model/index.js';

const SPEC_DIR = join(import.meta.dirname, '..', 'spec');
const specCases = readdirSync(SPEC_DIR)
  .filter((f) => f.endsWith('.json'))
  .flatMap(
    (f) =>
      JSON.parse(readFileSync(join(SPEC_DIR, f), 'utf8')) as {
        expect: unknown;
        expectWarnings?: string[];
      }[],
  );

describe('issue codes', () => {
  it('every error code is checked by at least one spec case', () => {
    const covered = new Set(
      specCases.map((c) =>
        typeof c.expect === 'object' && c.expect !== null
          ? (c.expect as { error: string }).error
          : undefined,
      ),
    );
    // invalid_json is a CLI-level code, checked by test/e2e/cli-simulate.test.ts.
    expect(POLICY_ERROR_CODES.filter((code) => !covered.has(code))).toEqual([]);
  });

  it('every policy warning code is checked by at least one spec case', () => {
    const covered = new Set(specCases.flatMap((c) => c.expectWarnings ?? []));
    expect(
      POLICY_WARNING_CODES.filter((code) => code !== 'unknown_case_field' && !covered.has(code)),
    ).toEqual([]);
  });

  it('collects every problem of a document instead of stopping at the first', () => {
    const result = parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Permit', Action: 's3:GetObject', Resource: '*' },
          { Effect: 'Allow', Action: 'bad action', Resource: 'not-an-arn' },
          {
            Sid: 'A',
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { StringEqualz: { k: 'v' } },
          },
        ],
      },
      { kind: 'identity', path: '/p' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.code, e.path])).toEqual([
      ['invalid_effect', '/p/Statement/0/Effect'],
      ['invalid_action', '/p/Statement/1/Action'],
      ['invalid_arn', '/p/Statement/1/Resource'],
      ['unknown_condition_operator', '/p/Statement/2/Condition/StringEqualz'],
    ]);
    for (const e of result.errors) expect(e.message).toMatch(/`/);
  });

  it('reports wrong types with a JSON pointer from the schema stage', () => {
    const result = parsePolicy(
      { Statement: [{ Effect: 'Allow', Action: 5, Resource: '*', Extra: 1 }] },
      { kind: 'identity', path: '' },
    );
    expect(!result.ok && result.errors.map((e) => [e.code, e.path])).toEqual([
      ['unknown_element', '/Statement/0/Extra'],
      ['invalid_type', '/Statement/0/Action'],
    ]);
  });
});
