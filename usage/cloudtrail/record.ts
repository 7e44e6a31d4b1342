/**
 * CloudTrail records in their envelopes: log files as delivered to S3 (`{"Records":[…]}`),
 * `LookupEvents` output (events whose `CloudTrailEvent` is a JSON string), CloudTrail Lake query
 * results, plain arrays of records and JSON Lines. Bad records are counted with where they are;
 * the good ones are kept.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import type { Issue } from '../../policy-model/index.js';

/** The fields of a record leastpriv reads. */
export interface CloudTrailRecord {
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventType?: string;
  readonly errorCode?: string;
  readonly recipientAccountId?: string;
  readonly userIdentity?: Readonly<Record<string, unknown>>;
  readonly resources?: readonly { readonly ARN?: string; readonly type?: string }[];
  readonly requestParameters?: unknown;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a record was skipped. */
export type SkipReason = 'not_a_record' | 'missing_fields' | 'invalid_event_time';

/** Checks one record's required fields. */
export function asRecord(input: unknown): CloudTrailRecord | SkipReason {
  if (!isObject(input)) return 'not_a_record';
  // Records exported through Logstash/Elastic carry the time as `@timestamp` instead.
  const value =
    typeof input['eventTime'] !== 'string' && typeof input['@timestamp'] === 'string'
      ? { ...input, eventTime: input['@timestamp'] }
      : input;
  if (
    typeof value['eventTime'] !== 'string' ||
    typeof value['eventSource'] !== 'string' ||
    typeof value['eventName'] !== 'string'
  ) {
    return 'missing_fields';
  }
  // A time that is not one cannot be placed in a day: skipped and counted, not a crash.
  if (Number.isNaN(Date.parse(value['eventTime']))) return 'invalid_event_time';
  return value as unknown as CloudTrailRecord;
}

/** The records inside one parsed document, whatever the envelope. */
function recordsOf(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  if (!isObject(document)) return undefined;
  if (Array.isArray(document['Records'])) return document['Records'];
  // LookupEvents: { Events: [ { CloudTrailEvent: "<json>" } ] }
  if (Array.isArray(document['Events'])) {
    return document['Events'].map((e: unknown) => {
      const text = isObject(e) ? e['CloudTrailEvent'] : undefined;
      if (typeof text !== 'string') return e;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    });
  }
  // CloudTrail Lake: { QueryResultRows: [ [ { "<column>": "<value>" }, … ] ] } with an eventJson column, or flattened columns.
  if (Array.isArray(document['QueryResultRows'])) {
    return document['QueryResultRows'].map((row: unknown) => {
      const cells = Array.isArray(row) ? row.filter(isObject) : [];
      const merged: Json = Object.assign({}, ...cells);
      const eventJson = merged['eventJson'] ?? merged['eventjson'];
      if (typeof eventJson === 'string') {
        try {
          return JSON.parse(eventJson) as unknown;
        } catch {
          return undefined;
        }
      }
      return merged;
    });
  }
  if (typeof document['eventName'] === 'string') return [document];
  return undefined;
}

/** The outcome of reading one file's text. */
export interface ParsedRecords {
  readonly records: CloudTrailRecord[];
  readonly skipped: Partial<Record<SkipReason, number>>;
  readonly issues: Issue[];
}

/** Reads every record of a file's text: one JSON document, or JSON Lines. */
export function parseRecords(text: string, file: string): ParsedRecords {
  const records: CloudTrailRecord[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const issues: Issue[] = [];
  const take = (values: readonly unknown[]) => {
    for (const value of values) {
      const record = asRecord(value);
      if (typeof record === 'string') skipped[record] = (skipped[record] ?? 0) + 1;
      else records.push(record);
    }
  };
  let whole: unknown;
  let parsedWhole = false;
  try {
    whole = JSON.parse(text);
    parsedWhole = true;
  } catch {
    // not one document: JSON Lines, or a truncated file
  }
  if (parsedWhole) {
    const values = recordsOf(whole);
    if (values) take(values);
    else
      issues.push({
        code: 'not_cloudtrail',
        message: 'not CloudTrail JSON: no `Records`, `Events` or `QueryResultRows`',
        path: file,
      });
    return { records, skipped, issues };
  }
  const lines = text.split('\n');
  let lineErrors = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const values = recordsOf(JSON.parse(line));
      if (values) take(values);
      else skipped.not_a_record = (skipped.not_a_record ?? 0) + 1;
    } catch {
      lineErrors += 1;
      if (lineErrors <= 3)
        issues.push({
          code: 'invalid_json',
          message: 'a line that is not JSON (truncated?)',
          path: `${file}:${i + 1}`,
        });
    }
  });
  if (records.length === 0 && lineErrors > 0) {
    // One document cut short: salvage the complete records before the cut.
    const salvaged = salvageRecords(text);
    take(salvaged);
    issues.push({
      code: 'truncated_file',
      message: `the document is cut short; ${salvaged.length} complete records before the cut were kept`,
      path: file,
    });
  }
  return { records, skipped, issues };
}

/**
 * The complete objects of a `"Records": [` array (or a top-level array) in a document cut
 * short: scans braces outside strings, so everything before the cut is kept.
 */
export function salvageRecords(text: string): unknown[] {
  const start = text.search(/"Records"\s*:\s*\[/);
  let i = start === -1 ? text.indexOf('[') : text.indexOf('[', start);
  if (i === -1) return [];
  const out: unknown[] = [];
  let depth = 0;
  let objectStart = -1;
  let inString = false;
  for (i += 1; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) objectStart = i;
      depth += 1;
    } else if (ch === '}') {
      depth -= 1;
      if (depth === 0 && objectStart !== -1) {
        try {
          out.push(JSON.parse(text.slice(objectStart, i + 1)));
        } catch {
          // a malformed object: skip it
        }
        objectStart = -1;
      }
    } else if (ch === ']' && depth === 0) break;
  }
  return out;
}
