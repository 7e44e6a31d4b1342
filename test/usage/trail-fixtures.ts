/** Builders shared by the usage tests: CloudTrail identities, events and delivered files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** An `AssumedRole` userIdentity of role `name`, session `session`. */
export const assumedRole = (name: string, session: string) => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLE:${session}`,
  arn: `arn:aws:sts::111122223333:assumed-role/${name}/${session}`,
  accountId: '111122223333',
  accessKeyId: `ASIA${session}`,
  sessionContext: {
    sessionIssuer: { type: 'Role', arn: `arn:aws:iam::111122223333:role/${name}` },
    attributes: { creationDate: `2026-11-20T0${session.length % 10}:00:00Z` },
  },
});

/** An S3 GetObject by role `app`, with any field overridden. */
export const trailEvent = (over: Record<string, unknown>) => ({
  eventVersion: '1.10',
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  eventType: 'AwsApiCall',
  userIdentity: assumedRole('app', 'i-1'),
  requestParameters: { bucketName: 'data', key: 'a.csv' },
  ...over,
});

/** The folder CloudTrail delivers account 111122223333's 2026-11-20 eu-west-1 files to. */
export const trailFolder = (dir: string): string => {
  const folder = join(
    dir,
    'AWSLogs',
    '111122223333',
    'CloudTrail',
    'eu-west-1',
    '2026',
    '11',
    '20',
  );
  mkdirSync(folder, { recursive: true });
  return folder;
};

/** Writes a delivered file: `{"Records": records}` (or a raw string body), gzip or not. */
export const writeTrailFile = (
  dir: string,
  name: string,
  body: readonly unknown[] | string,
  gzip = true,
): string => {
  const text = Buffer.from(typeof body === 'string' ? body : JSON.stringify({ Records: body }));
  const path = join(trailFolder(dir), name);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
};
