/**
 * A bucket for the replay server: `ListObjectsV2` and `GetObject` over an in-memory set of
 * objects, answered in S3's REST-XML wire format with its listing rules (keys in UTF-8 binary
 * order, `prefix`, `delimiter` rolling keys up into `CommonPrefixes`, at most `max-keys` entries
 * a page, `NextContinuationToken` while `IsTruncated`).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Recorded, ReplayRequest, Route } from './replay-server.js';

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Every file under `dir`, keyed `prefix + its path` (`/`-separated). */
export function objectsFrom(dir: string, prefix = ''): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else objects.set(prefix + relative(dir, path).split(sep).join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return objects;
}

/** `ListObjectsV2` of `objects` for one request. */
export function listObjectsV2(
  bucket: string,
  objects: ReadonlyMap<string, Buffer>,
  params: ReplayRequest['params'],
  pageSize = 1000,
): Recorded {
  const prefix = String(params['prefix'] ?? '');
  const delimiter = params['delimiter'] === undefined ? undefined : String(params['delimiter']);
  const maxKeys = Math.min(pageSize, Number(params['max-keys'] ?? 1000));
  const token = params['continuation-token'];
  const after =
    typeof token === 'string' ? Buffer.from(token, 'base64').toString('utf8') : undefined;
  // Entries in key order: each key, or the common prefix it rolls up into (once).
  const entries: { key: string; common: boolean }[] = [];
  for (const key of [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const entry =
      cut >= 0
        ? { key: prefix + rest.slice(0, cut + delimiter!.length), common: true }
        : { key, common: false };
    if (entries.at(-1)?.key !== entry.key) entries.push(entry);
  }
  const start = after === undefined ? 0 : entries.findIndex((e) => e.key > after);
  const page = start < 0 ? [] : entries.slice(start, start + maxKeys);
  const truncated = start >= 0 && start + maxKeys < entries.length;
  const last = page.at(-1)?.key ?? '';
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix>`,
    delimiter ? `<Delimiter>${xml(delimiter)}</Delimiter>` : '',
    `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${page.length}</KeyCount>`,
    `<IsTruncated>${truncated}</IsTruncated>`,
    typeof token === 'string' ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : '',
    truncated
      ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>`
      : '',
    ...page
      .filter((e) => !e.common)
      .map(
        (e) =>
          `<Contents><Key>${xml(e.key)}</Key><LastModified>2026-11-23T16:40:12.000Z</LastModified>` +
          `<ETag>&quot;${objects.get(e.key)!.length.toString(16).padStart(32, '0')}&quot;</ETag>` +
          `<Size>${objects.get(e.key)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      ),
    ...page
      .filter((e) => e.common)
      .map((e) => `<CommonPrefixes><Prefix>${xml(e.key)}</Prefix></CommonPrefixes>`),
    '</ListBucketResult>',
  ].join('');
  return { body, contentType: 'application/xml' };
}

/** The `NoSuchKey` error of `GetObject`. */
const noSuchKey = (key: string): Recorded => ({
  status: 404,
  contentType: 'application/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xml(key)}</Key><RequestId>7D3B2C1A0F9E8D7C</RequestId><HostId>aG9zdA==</HostId></Error>`,
});

/** Routes serving `objects` as bucket `bucket`, `pageSize` entries a listing page at most. */
export function bucketRoutes(
  bucket: string,
  objects: ReadonlyMap<string, Buffer>,
  options: { readonly pageSize?: number } = {},
): Route[] {
  return [
    {
      operation: 's3:ListObjectsV2',
      match: (r) => r.params['Bucket'] === bucket,
      responses: [],
      respond: (r) => listObjectsV2(bucket, objects, r.params, options.pageSize),
    },
    {
      operation: 's3:GetObject',
      match: (r) => r.params['Bucket'] === bucket,
      responses: [],
      respond: (r) => {
        const key = String(r.params['Key']);
        const body = objects.get(key);
        return body
          ? {
              body,
              contentType: 'application/octet-stream',
              headers: { 'last-modified': 'Mon, 23 Nov 2026 16:40:12 GMT' },
            }
          : noSuchKey(key);
      },
    },
  ];
}
