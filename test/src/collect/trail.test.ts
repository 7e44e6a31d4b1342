/**
 * `collectTrailFiles` with the real S3 client against the replay server serving an organization
 * trail's bucket (fixtures/sample-org's CloudTrail files under the prefix `org-trail/`). The
 * listings are S3's REST-XML (ListObjectsV2, paginated with continuation tokens); the layout is
 * CloudTrail's `[prefix/]AWSLogs/[o-id/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (SlowDown, 503)
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsClients, type AwsClients } from '../../../src/collect/aws.js';
import { collectTrailFiles, windowDays } from '../../../src/collect/trail.js';
import { listTrailFiles } from '../../../usage/ingest.js';
import { recorded, startReplayServer, type ReplayServer } from './replay-server.js';
import { collectTestHooks } from './hooks.js';
import { bucketRoutes, objectsFrom } from './s3-bucket.js';

const BUCKET = 'example-corp-org-trail';
const SAMPLE_TRAIL = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'fixtures',
  'sample-org',
  'cloudtrail',
);
const NOW = new Date('2026-11-24T12:00:00Z');
const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };
const DIGEST =
  'org-trail/AWSLogs/o-exampleorgid/111111111111/CloudTrail-Digest/us-east-1/2026/11/23/111111111111_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20261123T0715Z.json.gz';

let server: ReplayServer | undefined;
let clients: AwsClients | undefined;
const hooks = collectTestHooks('leastpriv-trail-');
const tempDir = hooks.tempDir;

/** The bucket: the sample trail, a digest, and another service's logs next to CloudTrail's. */
const bucket = () => {
  const objects = objectsFrom(SAMPLE_TRAIL, 'org-trail/');
  objects.set(
    DIGEST,
    Buffer.from('{"awsAccountId":"111111111111","digestSignatureAlgorithm":"SHA256withRSA"}'),
  );
  objects.set(
    'org-trail/AWSLogs/o-exampleorgid/111111111111/Config/us-east-1/2026/11/23/ConfigSnapshot/x.json.gz',
    Buffer.from('not a trail'),
  );
  return objects;
};

/** The files of `dir`, relative, `/`-separated. */
const filesUnder = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split(sep).join('/'));
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
};

/** The sample's files delivered on the window's days (2026-11-21 … 2026-11-24). */
const inWindow = (objects: ReadonlyMap<string, Buffer>, accounts?: readonly string[]) =>
  [...objects.keys()]
    .filter((k) => /\/CloudTrail\/[^/]+\/2026\/11\/2[1-4]\/[^/]+\.json\.gz$/.test(k))
    .filter((k) => !accounts || accounts.some((a) => k.includes(`/${a}/`)))
    .sort();

describe('windowDays', () => {
  it('lists the UTC days from now - days to now, both included', () => {
    expect(windowDays(NOW, 3)).toEqual(['2026/11/21', '2026/11/22', '2026/11/23', '2026/11/24']);
    expect(windowDays(new Date('2026-01-01T00:30:00Z'), 1)).toEqual(['2025/12/31', '2026/01/01']);
  });
});

describe('collectTrailFiles', () => {
  it('downloads the window of an organization trail, byte for byte, after a SlowDown, through paginated listings', async () => {
    const objects = bucket();
    server = hooks.server(
      await startReplayServer([
        {
          // Throttled once (503 SlowDown, retried by the SDK), then the recorded answer.
          operation: 's3:ListObjectsV2',
          match: (r) => r.params['prefix'] === 'org-trail/AWSLogs/',
          responses: [recorded('s3/SlowDown.xml', 503), recorded('s3/ListObjectsV2-AWSLogs.xml')],
          respond: () => {
            throw new Error('listed AWSLogs/ twice');
          },
        },
        // Two entries a page: every listing of more than two entries is paginated.
        ...bucketRoutes(BUCKET, objects, { pageSize: 2 }),
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const result = await collectTrailFiles({
      clients,
      bucket: BUCKET,
      prefix: 'org-trail/',
      out,
      days: 3,
      now: NOW,
    });

    const expected = inWindow(objects);
    expect(expected.length).toBeGreaterThan(10);
    expect(result).toMatchObject({
      accounts: ['111111111111', '222222222222', '333333333333'],
      files: expected.length,
      downloaded: expected.length,
      unchanged: 0,
      digestFoldersSkipped: 1,
      warnings: [],
    });
    const written = filesUnder(join(out, 'cloudtrail'));
    expect(written).toEqual(expected);
    let bytes = 0;
    for (const key of expected) {
      const local = readFileSync(join(out, 'cloudtrail', key));
      expect(local.equals(objects.get(key)!), key).toBe(true);
      bytes += local.length;
    }
    expect(result.bytes).toBe(bytes);

    const requests = server.requests;
    // The digest and the Config logs are never fetched; nothing outside the window is listed.
    const gets = requests.filter((r) => r.operation === 's3:GetObject').map((r) => r.params['Key']);
    expect(gets).not.toContain(DIGEST);
    expect(gets.sort()).toEqual(expected);
    const lists = requests.filter((r) => r.operation === 's3:ListObjectsV2');
    expect(lists.filter((r) => r.params['prefix'] === 'org-trail/AWSLogs/')).toHaveLength(2);
    expect(lists.every((r) => r.params['list-type'] === '2')).toBe(true);
    const dayListings = lists.filter((r) =>
      /\/\d{4}\/\d{2}\/\d{2}\/$/.test(String(r.params['prefix'])),
    );
    expect(dayListings.every((r) => r.params['delimiter'] === undefined)).toBe(true);
    expect(new Set(dayListings.map((r) => String(r.params['prefix']).slice(-11, -1)))).toEqual(
      new Set(['2026/11/21', '2026/11/22', '2026/11/23', '2026/11/24']),
    );
    // Discovery used the delimiter; pages were followed by continuation token.
    expect(
      lists.some(
        (r) =>
          r.params['prefix'] === 'org-trail/AWSLogs/o-exampleorgid/' &&
          r.params['delimiter'] === '/',
      ),
    ).toBe(true);
    expect(lists.some((r) => typeof r.params['continuation-token'] === 'string')).toBe(true);
    // What usage ingest will read: every file, and no temporary file left behind.
    expect(listTrailFiles(join(out, 'cloudtrail')).files).toHaveLength(expected.length);
    expect(written.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('downloads nothing again on a second run, and only a new file on a third', async () => {
    const objects = bucket();
    server = hooks.server(await startReplayServer(bucketRoutes(BUCKET, objects)));
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const options = { clients, bucket: BUCKET, prefix: 'org-trail', out, days: 3, now: NOW };
    const first = await collectTrailFiles(options);
    expect(first.downloaded).toBeGreaterThan(0);

    server.requests.length = 0;
    const second = await collectTrailFiles(options);
    expect(second).toMatchObject({ downloaded: 0, unchanged: first.files, bytes: 0 });
    expect(server.requests.filter((r) => r.operation === 's3:GetObject')).toEqual([]);

    const added =
      'org-trail/AWSLogs/o-exampleorgid/222222222222/CloudTrail/eu-west-1/2026/11/24/222222222222_CloudTrail_eu-west-1_20261124T1155Z_Q2d9LmT4vX8pR1sZ.json.gz';
    objects.set(added, Buffer.from('{"Records":[]}'));
    server.requests.length = 0;
    const third = await collectTrailFiles(options);
    expect(third).toMatchObject({ downloaded: 1, unchanged: first.files, files: first.files + 1 });
    expect(
      server.requests.filter((r) => r.operation === 's3:GetObject').map((r) => r.params['Key']),
    ).toEqual([added]);
    expect(readFileSync(join(out, 'cloudtrail', added), 'utf8')).toBe('{"Records":[]}');
  });

  it('keeps to the accounts asked for', async () => {
    const objects = bucket();
    server = hooks.server(await startReplayServer(bucketRoutes(BUCKET, objects)));
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const accounts = ['111111111111', '333333333333'];
    const result = await collectTrailFiles({
      clients,
      bucket: BUCKET,
      prefix: 'org-trail',
      out,
      days: 3,
      now: NOW,
      accounts,
    });
    expect(result.accounts).toEqual(accounts);
    expect(filesUnder(join(out, 'cloudtrail'))).toEqual(inWindow(objects, accounts));
    // The other account's folder is not even listed.
    expect(server.requests.some((r) => String(r.params['prefix']).includes('/222222222222/'))).toBe(
      false,
    );
  });

  it('names a truncated download, keeps the other files, and fetches it again next time', async () => {
    const objects = bucket();
    const victim = inWindow(objects)[0]!;
    server = hooks.server(
      await startReplayServer([
        {
          operation: 's3:GetObject',
          match: (r) => r.params['Key'] === victim,
          responses: [
            {
              body: objects.get(victim)!,
              contentType: 'application/octet-stream',
              truncateAt: 10,
            },
          ],
          respond: () => ({ body: objects.get(victim)!, contentType: 'application/octet-stream' }),
        },
        ...bucketRoutes(BUCKET, objects),
      ]),
    );
    clients = hooks.clients(awsClients({ region: 'us-east-1', endpoint: server.url, credentials }));
    const out = tempDir();
    const options = { clients, bucket: BUCKET, prefix: 'org-trail', out, days: 3, now: NOW };
    const result = await collectTrailFiles(options);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'trail_file_failed', path: `s3://${BUCKET}/${victim}` }),
    ]);
    expect(result.downloaded).toBe(inWindow(objects).length - 1);
    const written = filesUnder(join(out, 'cloudtrail'));
    expect(written).toEqual(inWindow(objects).filter((k) => k !== victim));
    expect(written.some((f) => f.endsWith('.tmp'))).toBe(false);

    const again = await collectTrailFiles(options);
    expect(again).toMatchObject({ downloaded: 1, warnings: [] });
    expect(readFileSync(join(out, 'cloudtrail', victim)).equals(objects.get(victim)!)).toBe(true);
  });
});
