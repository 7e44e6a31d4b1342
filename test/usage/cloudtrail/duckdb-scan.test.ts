/**
 * The DuckDB scan of CloudTrail files: distinct tuples with counts and first/last seen, the
 * identity text, resources, and failure on bad input with the connection still usable.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readTrailScan,
  scanTrailFilesInto,
  TrailScanError,
  type RawTuple,
} from '../../../usage/cloudtrail/duckdb-scan.js';
import { resolveActor } from '../../../usage/cloudtrail/principal.js';
import { assumedRole, trailEvent, trailFolder } from '../trail-fixtures.js';

const role = assumedRole;
const event = trailEvent;
let dir: string;
const trailFile = (name: string, body: unknown, gzip = true) => {
  const path = join(trailFolder(dir), name);
  const text = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
};

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leastpriv-scan-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

const only = (tuples: RawTuple[], where: Partial<RawTuple>): RawTuple => {
  const found = tuples.filter((t) =>
    Object.entries(where).every(([k, v]) => t[k as keyof RawTuple] === v),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** Scans `files` into a table and reads its call rows back. */
async function scanTrailFiles(c: DuckDBConnection, files: string[]): Promise<RawTuple[]> {
  if (files.length === 0) return [];
  await scanTrailFilesInto(c, files, 'scan_under_test');
  return readTrailScan(c, 'scan_under_test');
}

describe('scanning CloudTrail files with DuckDB', () => {
  it('returns nothing for no files', async () => {
    expect(await scanTrailFilesInto(connection, [], 'nothing')).toEqual(new Map());
  });

  it('counts the records of each file, a file of no records included', async () => {
    const two = trailFile('two.json.gz', {
      Records: [event({}), event({ eventName: 'PutObject' })],
    });
    const none = trailFile('none.json.gz', { Records: [] });
    const plain = trailFile('one.json', { Records: [event({})] }, false);
    const records = await scanTrailFilesInto(connection, [two, none, plain], 'per_file_counts');
    expect(Object.fromEntries(records)).toEqual({ [two]: 2, [none]: 0, [plain]: 1 });
    // The three GetObject calls of one identity, day and object are one call row.
    expect(await readTrailScan(connection, 'per_file_counts')).toHaveLength(2);
  });

  it('gives each file its own count, whatever the order and kind of the files', async () => {
    // Not in name order, plain before gzip: each count must land on its own file.
    const plain = trailFile('z-three.json', { Records: [event({}), event({}), event({})] }, false);
    const one = trailFile('m-one.json.gz', { Records: [event({})] });
    const two = trailFile('a-two.json.gz', { Records: [event({}), event({})] });
    const empty = trailFile('k-none.json', { Records: [] }, false);
    const records = await scanTrailFilesInto(connection, [plain, one, empty, two], 'file_order');
    expect(Object.fromEntries(records)).toEqual({ [plain]: 3, [one]: 1, [two]: 2, [empty]: 0 });
  });

  it('counts each distinct tuple with its first and last time', async () => {
    const a = trailFile('count.json.gz', {
      Records: [
        event({ eventTime: '2026-11-20T10:00:00Z' }),
        event({ eventTime: '2026-11-20T08:30:00Z' }),
        event({ eventTime: '2026-11-20T23:59:59Z' }),
        event({ eventTime: '2026-11-21T00:00:01Z' }),
        event({ eventName: 'PutObject', eventTime: '2026-11-20T12:00:00.123Z' }),
        event({ eventName: 'DeleteObject', eventTime: '2026-11-21T01:30:00+02:00' }),
      ],
    });
    const tuples = await scanTrailFiles(connection, [a]);
    expect(tuples).toHaveLength(4);
    expect(only(tuples, { eventName: 'GetObject', day: '2026-11-20' })).toMatchObject({
      eventSource: 's3.amazonaws.com',
      eventType: 'AwsApiCall',
      errorCode: null,
      count: 3,
      firstSeen: '2026-11-20T08:30:00Z',
      lastSeen: '2026-11-20T23:59:59Z',
    });
    expect(only(tuples, { eventName: 'GetObject', day: '2026-11-21' })).toMatchObject({
      count: 1,
      firstSeen: '2026-11-21T00:00:01Z',
      lastSeen: '2026-11-21T00:00:01Z',
    });
    // A time not in CloudTrail's own shape is normalised to seconds, UTC (and its day too).
    expect(only(tuples, { eventName: 'PutObject' })).toMatchObject({
      firstSeen: '2026-11-20T12:00:00Z',
      lastSeen: '2026-11-20T12:00:00Z',
    });
    expect(only(tuples, { eventName: 'DeleteObject' })).toMatchObject({
      day: '2026-11-20',
      firstSeen: '2026-11-20T23:30:00Z',
    });
  });

  it('groups identities that differ only in session keys, across gzip and plain files', async () => {
    const records = [
      event({ userIdentity: role('app', 'i-1') }),
      event({ userIdentity: role('app', 'i-22') }),
    ];
    const gz = trailFile('ident.json.gz', { Records: records });
    const plain = trailFile('ident.json', { Records: records }, false);
    const tuples = await scanTrailFiles(connection, [gz, plain]);
    // Grouped across the files of a batch: one row per session, each seen once in each file.
    expect(tuples.map((t) => t.count)).toEqual([2, 2]);
    // Different session ARNs are different identities (the session name matters); the session
    // keys (accessKeyId, principalId, creationDate) are dropped.
    const identities = new Set(tuples.map((t) => t.identity));
    expect(identities.size).toBe(2);
    for (const text of identities) {
      expect(text).not.toContain('ASIA');
      expect(text).not.toContain('AROAEXAMPLE');
      expect(text).not.toContain('creationDate');
      expect(resolveActor(JSON.parse(text))).toMatchObject({
        type: 'AssumedRole',
        principal: 'arn:aws:iam::111122223333:role/app',
        account: '111122223333',
      });
    }
    const same = trailFile('same.json.gz', {
      Records: [
        event({ userIdentity: { ...role('app', 'i-1'), accessKeyId: 'ASIAONE' } }),
        event({ userIdentity: { ...role('app', 'i-1'), accessKeyId: 'ASIATWO' } }),
      ],
    });
    const grouped = await scanTrailFiles(connection, [same]);
    expect(grouped).toHaveLength(1);
    expect(grouped[0]).toMatchObject({ count: 2 });
    expect(JSON.parse(grouped[0]!.identity)).toEqual({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/app/i-1',
      accountId: '111122223333',
      userName: null,
      invokedBy: null,
      sourceIdentity: null,
      sessionContext: {
        sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/app' },
        sourceIdentity: null,
      },
    });
  });

  it('names the S3 object or bucket, else the first resources[] ARN, else nothing', async () => {
    const table = 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders';
    const f = trailFile('resources.json.gz', {
      Records: [
        event({ eventName: 'GetObject', requestParameters: { bucketName: 'data', key: 'a.csv' } }),
        event({ eventName: 'ListObjects', requestParameters: { bucketName: 'data', prefix: 'x' } }),
        event({
          eventSource: 'dynamodb.amazonaws.com',
          eventName: 'GetItem',
          requestParameters: { tableName: 'orders', key: { id: { S: '1' } } },
          resources: [{ ARN: table, type: 'AWS::DynamoDB::Table' }, { ARN: 'arn:aws:other' }],
        }),
        event({
          eventSource: 'sts.amazonaws.com',
          eventName: 'GetCallerIdentity',
          requestParameters: null,
        }),
        event({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', resources: [] }),
        event({ eventName: 'ListBuckets', requestParameters: { Host: 's3.amazonaws.com' } }),
      ],
    });
    const tuples = await scanTrailFiles(connection, [f]);
    const resource = (eventName: string) => only(tuples, { eventName }).resource;
    expect(resource('GetObject')).toBe('arn:aws:s3:::data/a.csv');
    // Several objects of a bucket, for the same call and day, are the bucket's objects.
    const several = trailFile('objects.json.gz', {
      Records: ['a', 'b', 'c'].map((key) =>
        event({ eventName: 'PutObject', requestParameters: { bucketName: 'logs', key } }),
      ),
    });
    expect(only(await scanTrailFiles(connection, [several]), {}).resource).toBe(
      'arn:aws:s3:::logs/*',
    );
    expect(resource('ListObjects')).toBe('arn:aws:s3:::data');
    expect(resource('GetItem')).toBe(table);
    expect(resource('GetCallerIdentity')).toBeNull();
    expect(resource('DescribeInstances')).toBeNull();
    expect(resource('ListBuckets')).toBeNull();
  });

  it('keeps errorCode apart: none, AccessDenied, other errors', async () => {
    const f = trailFile('errors.json.gz', {
      Records: [
        event({}),
        event({ errorCode: 'AccessDenied', errorMessage: 'no' }),
        event({ errorCode: 'AccessDenied', eventTime: '2026-11-20T11:00:00Z' }),
        event({ errorCode: 'NoSuchKey' }),
      ],
    });
    const tuples = await scanTrailFiles(connection, [f]);
    expect(only(tuples, { errorCode: null }).count).toBe(1);
    expect(only(tuples, { errorCode: 'AccessDenied' })).toMatchObject({
      count: 2,
      firstSeen: '2026-11-20T10:00:00Z',
      lastSeen: '2026-11-20T11:00:00Z',
    });
    expect(only(tuples, { errorCode: 'NoSuchKey' }).count).toBe(1);
  });

  it('passes identities resolveActor needs: IAM user, root, service, source identity', async () => {
    const f = trailFile('identities.json.gz', {
      Records: [
        event({
          userIdentity: {
            type: 'IAMUser',
            arn: 'arn:aws:iam::111122223333:user/alice',
            accountId: '111122223333',
            userName: 'alice',
            accessKeyId: 'AKIA1',
          },
        }),
        event({
          eventName: 'PutObject',
          userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
        }),
        event({
          eventName: 'HeadObject',
          userIdentity: {
            ...role('app', 'i-1'),
            sessionContext: {
              sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/app' },
              sourceIdentity: 'bob',
            },
          },
        }),
        event({ eventName: 'ListBucket', userIdentity: undefined }),
      ],
    });
    const tuples = await scanTrailFiles(connection, [f]);
    const actor = (eventName: string) =>
      resolveActor(JSON.parse(only(tuples, { eventName }).identity));
    expect(actor('GetObject')).toMatchObject({ principal: 'arn:aws:iam::111122223333:user/alice' });
    expect(actor('PutObject')).toMatchObject({ unattributed: 'aws-service' });
    expect(actor('HeadObject')).toMatchObject({ sourceIdentity: 'bob', person: 'bob' });
    expect(actor('ListBucket')).toMatchObject({ unattributed: 'unknown-identity' });
  });

  it('throws on a corrupt gzip, and the connection still answers', async () => {
    const good = trailFile('good.json.gz', { Records: [event({})] });
    const corrupt = join(dir, 'corrupt.json.gz');
    writeFileSync(corrupt, Buffer.from('this is not gzip at all'));
    await expect(scanTrailFiles(connection, [good, corrupt])).rejects.toBeInstanceOf(
      TrailScanError,
    );
    const one = await connection.runAndReadAll('SELECT 1 AS one');
    expect(one.getRowObjectsJS()).toEqual([{ one: 1 }]);
    expect(await scanTrailFiles(connection, [good])).toHaveLength(1);
  });

  it('throws on a truncated gzip and on text that is not JSON', async () => {
    const full = gzipSync(Buffer.from(JSON.stringify({ Records: [event({}), event({})] })));
    const truncated = join(dir, 'truncated.json.gz');
    writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    await expect(scanTrailFiles(connection, [truncated])).rejects.toBeInstanceOf(TrailScanError);
    const text = trailFile('text.json', 'hello, not json', false);
    await expect(scanTrailFiles(connection, [text])).rejects.toBeInstanceOf(TrailScanError);
    expect((await connection.runAndReadAll('SELECT 1')).currentRowCount).toBe(1);
  });

  it('throws, naming the file, on JSON that is not a Records file or a record missing fields', async () => {
    const good = trailFile('fine.json.gz', { Records: [event({})] });
    const lookup = trailFile('lookup.json', { Events: [{ CloudTrailEvent: '{}' }] }, false);
    await expect(scanTrailFiles(connection, [good, lookup])).rejects.toMatchObject({
      files: [lookup],
    });
    const missing = trailFile('missing.json.gz', {
      Records: [event({}), { eventTime: '2026-11-20T10:00:00Z', eventName: 'GetObject' }],
    });
    await expect(scanTrailFiles(connection, [missing])).rejects.toMatchObject({
      files: [missing],
    });
    // A time that is not one fails the batch too (the Node engine then reads it and says why).
    const untimed = trailFile('untimed.json.gz', { Records: [event({ eventTime: 'yesterday' })] });
    await expect(scanTrailFiles(connection, [untimed])).rejects.toBeInstanceOf(TrailScanError);
    // An empty Records array is a file with no events, not an error.
    const empty = trailFile('empty.json.gz', { Records: [] });
    expect(await scanTrailFiles(connection, [empty])).toEqual([]);
  });
});
