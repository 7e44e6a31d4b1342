/**
 * The JSON report and its schema (docs/report-schema.json): the sample validates, the renderer's
 * output validates and round-trips, a missing required field is caught, and key order is stable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, type Report } from '../../recommender/model.js';
import { canonicalReport, renderJson } from '../../src/report/json.js';
import { EMPTY_REPORT, SAMPLE_REPORT } from './sample-report.js';

const SCHEMA_PATH = join(import.meta.dirname, '..', '..', 'docs', 'report-schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  // No ajv-formats dependency: the schema's patterns already pin these down.
  formats: { date: /^\d{4}-\d{2}-\d{2}$/, 'date-time': /^\d{4}-\d{2}-\d{2}T/, uri: /^https?:\/\// },
});
const validate = ajv.compile(schema);

const errorsOf = (value: unknown) =>
  validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

type Node = Record<string | number, unknown>;

/**
 * A deep copy of the sample with the value at `path` replaced, or deleted when `value` is omitted
 * (the sample itself is shared by every test).
 */
function edited(path: readonly (string | number)[], ...value: [unknown?]): unknown {
  const copy = structuredClone(SAMPLE_REPORT) as unknown as Node;
  const parent = path.slice(0, -1).reduce<Node>((node, k) => node[k] as Node, copy);
  const last = path[path.length - 1] as string | number;
  if (value.length === 0) delete parent[last];
  else parent[last] = value[0];
  return copy;
}

/** The same report with the keys of every model object in reverse order (data left as it is). */
const reversed = (value: unknown, key = ''): unknown =>
  key === 'evidence' || key === 'document'
    ? value
    : Array.isArray(value)
      ? value.map((v) => reversed(v))
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reversed(v, k)]),
          )
        : value;

describe('report schema', () => {
  it('is a draft 2020-12 schema with an $id, a title, descriptions and the schema version', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toEqual(expect.any(String));
    expect(schema['title']).toEqual(expect.any(String));
    expect(schema['description']).toEqual(expect.any(String));
    const properties = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(properties['schemaVersion']?.['const']).toBe(REPORT_SCHEMA_VERSION);
    for (const [name, property] of Object.entries(properties))
      expect(property['description'], name).toEqual(expect.any(String));
  });

  it('accepts the sample report and the empty report', () => {
    expect(errorsOf(SAMPLE_REPORT)).toEqual([]);
    expect(errorsOf(EMPTY_REPORT)).toEqual([]);
  });

  it('accepts what the JSON renderer writes', () => {
    expect(errorsOf(JSON.parse(renderJson(SAMPLE_REPORT)))).toEqual([]);
    expect(errorsOf(JSON.parse(renderJson(EMPTY_REPORT)))).toEqual([]);
  });

  it('rejects a report with a required field missing, and names it', () => {
    const cases: [readonly (string | number)[], string][] = [
      [['schemaVersion'], 'schemaVersion'],
      [['summary', 'findings', 'high'], 'high'],
      [['findings', 0, 'severity'], 'severity'],
      [['principals', 0, 'recommendation', 'proof', 'usageCovered'], 'usageCovered'],
      [['principals', 0, 'recommendation', 'kept', 0, 'reason'], 'reason'],
      [['accounts', 2, 'score', 'creep'], 'creep'],
    ];
    for (const [path, name] of cases)
      expect(errorsOf(edited(path)), path.join('/')).toContain(
        `${path
          .slice(0, -1)
          .map((k) => `/${k}`)
          .join('')} must have required property '${name}'`,
      );
  });

  it('rejects a wrong schema version, an unknown severity and an unknown field', () => {
    expect(errorsOf(edited(['schemaVersion'], '2.0'))).toEqual([
      '/schemaVersion must be equal to constant',
    ]);
    expect(errorsOf(edited(['findings', 0, 'severity'], 'urgent'))).toEqual([
      '/findings/0/severity must be equal to one of the allowed values',
    ]);
    expect(errorsOf(edited(['principals', 0, 'extra'], 1))).toEqual([
      '/principals/0 must NOT have additional properties',
    ]);
  });
});

describe('renderJson', () => {
  it('round-trips the report', () => {
    expect(JSON.parse(renderJson(SAMPLE_REPORT))).toEqual(SAMPLE_REPORT);
  });

  it('writes two-space indented JSON with a trailing newline', () => {
    const out = renderJson(SAMPLE_REPORT);
    expect(out).toBe(`${JSON.stringify(JSON.parse(out), null, 2)}\n`);
    expect(out.startsWith('{\n  "schemaVersion": "1.0",\n  "tool": {')).toBe(true);
  });

  it('is stable: the same bytes whatever order the objects were built in', () => {
    const shuffled = reversed(SAMPLE_REPORT) as Report;
    expect(Object.keys(shuffled)[0]).toBe('inputIssues');
    expect(renderJson(shuffled)).toBe(renderJson(SAMPLE_REPORT));
  });

  it('keeps policy documents and evidence in their own order', () => {
    const json = JSON.parse(renderJson(SAMPLE_REPORT)) as Report;
    const proposed = json.principals[0]?.recommendation?.proposed[0]?.document;
    expect(Object.keys(proposed ?? {})).toEqual(['Version', 'Statement']);
    expect(Object.keys(json.findings[0]?.evidence ?? {})).toEqual(
      Object.keys(SAMPLE_REPORT.findings[0]?.evidence ?? {}),
    );
  });

  it('drops fields that are not in the model', () => {
    const extra = { ...SAMPLE_REPORT, debug: 'internal' } as Report;
    expect(renderJson(extra)).toBe(renderJson(SAMPLE_REPORT));
    expect(canonicalReport(extra)).not.toHaveProperty('debug');
  });
});
