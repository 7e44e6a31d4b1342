import { describe, expect, it } from 'vitest';
import { parseRecords, salvageRecords } from '../../../usage/cloudtrail/record.js';

const record = (name: string) => ({
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: name,
});

// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
describe('CloudTrail envelopes', () => {
  it('reads S3-delivered files, plain arrays and JSON Lines', () => {
    expect(
      parseRecords(JSON.stringify({ Records: [record('GetObject'), record('PutObject')] }), 'f')
        .records,
    ).toHaveLength(2);
    expect(parseRecords(JSON.stringify([record('GetObject')]), 'f').records).toHaveLength(1);
    expect(
      parseRecords(
        `${JSON.stringify(record('A'))}\n${JSON.stringify(record('B'))}\n`,
        'f',
      ).records.map((r) => r.eventName),
    ).toEqual(['A', 'B']);
  });

  it('reads LookupEvents output (CloudTrailEvent is a JSON string)', () => {
    // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
    const text = JSON.stringify({
      Events: [{ EventId: '1', CloudTrailEvent: JSON.stringify(record('ListBuckets')) }],
    });
    expect(parseRecords(text, 'f').records[0]?.eventName).toBe('ListBuckets');
  });

  it('reads CloudTrail Lake results with an eventJson column', () => {
    const text = JSON.stringify({
      QueryResultRows: [[{ eventJson: JSON.stringify(record('GetObject')) }]],
    });
    expect(parseRecords(text, 'f').records).toHaveLength(1);
  });

  it('counts records missing fields and reports a file that is not CloudTrail', () => {
    const parsed = parseRecords(
      JSON.stringify({ Records: [record('A'), { eventName: 'X' }, 5] }),
      'f',
    );
    expect(parsed.records).toHaveLength(1);
    expect(parsed.skipped).toEqual({ missing_fields: 1, not_a_record: 1 });
    expect(parseRecords(JSON.stringify({ hello: 'world' }), 'f').issues[0]?.code).toBe(
      'not_cloudtrail',
    );
  });

  it('keeps the complete records of a file cut short', () => {
    const full = JSON.stringify({ Records: [record('A'), record('B'), record('C')] });
    const cut = full.slice(0, full.lastIndexOf('{') + 10);
    const parsed = parseRecords(cut, 'f');
    expect(parsed.records.map((r) => r.eventName)).toEqual(['A', 'B']);
    expect(parsed.issues.map((i) => i.code)).toContain('truncated_file');
    expect(salvageRecords('{"Records":[{"a":"}{"},{"b":1},{"c"')).toEqual([{ a: '}{' }, { b: 1 }]);
  });
});
