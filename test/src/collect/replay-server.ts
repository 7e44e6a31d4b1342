/**
 * A local AWS endpoint for the collector tests: a `node:http` server on 127.0.0.1 that answers
 * the real SDK clients with recorded responses in AWS's wire formats. It is not a client mock:
 * the SDK signs, serializes, retries and parses exactly as it does against AWS.
 *
 * - AWS Query (IAM, STS): form-encoded POST, `Action=…`; XML responses.
 * - JSON 1.1 (Organizations, CloudTrail, KMS): POST with `X-Amz-Target: Service.Operation`.
 * - REST-XML (S3, path-style): `GET /` is ListBuckets, `GET /<bucket>?policy` GetBucketPolicy,
 *   `GET /<bucket>?list-type=2` ListObjectsV2, `GET /<bucket>/<key>` GetObject.
 * - REST-JSON (IAM Access Analyzer, told apart by the signature's credential scope):
 *   `GET /analyzer` ListAnalyzers, `POST /findingv2` ListFindingsV2, `GET /findingv2/<id>`
 *   GetFindingV2.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One recorded response. */
export interface Recorded {
  readonly status?: number;
  readonly body: string | Buffer;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send only this many bytes of the body (announcing all of it), then drop the connection. */
  readonly truncateAt?: number;
}

/** A request as the server understood it. */
export interface ReplayRequest {
  /** `iam:GetAccountAuthorizationDetails`, `organizations:ListRoots`, `s3:GetBucketPolicy`, … */
  readonly operation: string;
  /**
   * Query parameters (Query protocol), the JSON body (JSON 1.1, REST-JSON POST), `{ Bucket }`
   * and the query (S3), `{ Bucket, Key }` (GetObject), path and query (REST-JSON GET).
   */
  readonly params: Readonly<Record<string, unknown>>;
  readonly authorization: string | undefined;
}

/** Answers the requests it matches with its responses in turn; the last one repeats. */
export interface Route {
  readonly operation: string;
  readonly match?: (request: ReplayRequest) => boolean;
  readonly responses: Recorded[];
  /** Answers computed from the request, once `responses` (each used once) are used up. */
  readonly respond?: (request: ReplayRequest) => Recorded;
}

const RECORDED = join(import.meta.dirname, 'recorded');

/** A recorded body from `recorded/<path>`. */
export function recorded(path: string, status = 200): Recorded {
  const body = readFileSync(join(RECORDED, path), 'utf8');
  const contentType = path.endsWith('.json')
    ? path.startsWith('s3/') || path.startsWith('access-analyzer/')
      ? 'application/json'
      : 'application/x-amz-json-1.1'
    : path.startsWith('s3/')
      ? 'application/xml'
      : 'text/xml';
  return { status, body, contentType };
}

/** A JSON 1.1 error body as AWS sends it (`__type` names the error). */
export function jsonError(type: string, message: string, status = 400): Recorded {
  return {
    status,
    body: JSON.stringify({ __type: type, message }),
    contentType: 'application/x-amz-json-1.1',
  };
}

/** A REST-JSON error as AWS sends it (`x-amzn-ErrorType` names the error). */
export function restJsonError(type: string, message: string, status: number): Recorded {
  return {
    status,
    body: JSON.stringify({ message }),
    contentType: 'application/json',
    headers: {
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.accessanalyzer/`,
    },
  };
}

/** A REST-JSON response body. */
export function restJsonBody(value: unknown): Recorded {
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

/** A JSON 1.1 response body. */
export function jsonBody(value: unknown): Recorded {
  return { body: JSON.stringify(value), contentType: 'application/x-amz-json-1.1' };
}

const TARGET_SERVICES: Record<string, string> = {
  AWSOrganizationsV20161128: 'organizations',
  CloudTrail_20131101: 'cloudtrail',
  TrentService: 'kms',
};
const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity']);

function parse(req: IncomingMessage, body: string): ReplayRequest {
  const authorization = req.headers.authorization;
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    // `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents` or `TrentService.ListKeys`
    const [prefix = '', name = ''] = target.split('.').slice(-2);
    return {
      operation: `${TARGET_SERVICES[prefix] ?? prefix}:${name}`,
      params: body ? (JSON.parse(body) as Record<string, unknown>) : {},
      authorization,
    };
  }
  const contentType = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(body));
    const action = params['Action'] ?? '';
    return {
      operation: `${STS_ACTIONS.has(action) ? 'sts' : 'iam'}:${action}`,
      params,
      authorization,
    };
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query = Object.fromEntries(url.searchParams);
  // SigV4: `Credential=AKID/20261124/us-east-1/access-analyzer/aws4_request`.
  if (authorization?.includes('/access-analyzer/aws4_request')) {
    const [, first = '', id] = url.pathname.split('/').map(decodeURIComponent);
    const name =
      first === 'analyzer'
        ? 'ListAnalyzers'
        : first === 'findingv2' && id !== undefined
          ? 'GetFindingV2'
          : first === 'findingv2'
            ? 'ListFindingsV2'
            : `${req.method ?? 'GET'} ${url.pathname}`;
    return {
      operation: `access-analyzer:${name}`,
      params: {
        ...query,
        ...(id !== undefined ? { id } : {}),
        ...(body ? (JSON.parse(body) as Record<string, unknown>) : {}),
      },
      authorization,
    };
  }
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  if (!bucket) return { operation: 's3:ListBuckets', params: {}, authorization };
  if (url.searchParams.has('policy'))
    return { operation: 's3:GetBucketPolicy', params: { Bucket: bucket }, authorization };
  if (url.searchParams.get('list-type') === '2')
    return { operation: 's3:ListObjectsV2', params: { Bucket: bucket, ...query }, authorization };
  const key = url.pathname.split('/').slice(2).map(decodeURIComponent).join('/');
  if (req.method === 'GET' && key !== '')
    return { operation: 's3:GetObject', params: { Bucket: bucket, Key: key }, authorization };
  return { operation: `s3:${req.method ?? 'GET'} ${url.pathname}`, params: {}, authorization };
}

/** The running server: its URL, what it was asked, and how to stop it. */
export interface ReplayServer {
  readonly url: string;
  readonly requests: ReplayRequest[];
  close(): Promise<void>;
}

/** Starts a replay server on 127.0.0.1, port 0. An unmatched request gets a 500 and is logged. */
export async function startReplayServer(routes: readonly Route[]): Promise<ReplayServer> {
  const requests: ReplayRequest[] = [];
  const queues = routes.map((r) => [...r.responses]);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = parse(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(request);
      const index = routes.findIndex(
        (r) => r.operation === request.operation && (r.match?.(request) ?? true),
      );
      const queue = queues[index];
      const route = routes[index];
      // With `respond`, the recorded responses are used once each first.
      const response = route?.respond
        ? (queue?.shift() ?? route.respond(request))
        : queue && (queue.length > 1 ? queue.shift() : queue[0]);
      if (!response) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`no recorded response for ${request.operation}`);
        return;
      }
      res.writeHead(response.status ?? 200, {
        'content-type': response.contentType ?? 'text/xml',
        'x-amzn-requestid': 'replay-0000',
        'content-length': Buffer.byteLength(response.body),
        ...response.headers,
      });
      if (response.truncateAt !== undefined) {
        const bytes = Buffer.from(response.body);
        res.write(bytes.subarray(0, response.truncateAt), () => res.destroy());
        return;
      }
      res.end(response.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
