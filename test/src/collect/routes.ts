/** Replay routes shared by the collector tests. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { recorded, type Route } from './replay-server.js';

/** The routes of one healthy account: two pages, the first call throttled once. */
export const accountRoutes = (): Route[] => [
  {
    operation: 'iam:GetAccountAuthorizationDetails',
    match: (r) => r.params['Marker'] === undefined,
    responses: [
      recorded('iam/Throttling.xml', 400),
      recorded('iam/GetAccountAuthorizationDetails-1.xml'),
    ],
  },
  {
    operation: 'iam:GetAccountAuthorizationDetails',
    match: (r) => r.params['Marker'] === 'AQAAAAEXAMPLEMARKERpage2',
    responses: [recorded('iam/GetAccountAuthorizationDetails-2.xml')],
  },
  {
    operation: 'iam:GenerateCredentialReport',
    responses: [
      recorded('iam/GenerateCredentialReport-STARTED.xml'),
      recorded('iam/GenerateCredentialReport-COMPLETE.xml'),
    ],
  },
  { operation: 'iam:GetCredentialReport', responses: [recorded('iam/GetCredentialReport.xml')] },
  { operation: 's3:ListBuckets', responses: [recorded('s3/ListBuckets.xml')] },
  {
    operation: 's3:GetBucketPolicy',
    match: (r) => r.params['Bucket'] === 'example-corp-dev-uploads',
    responses: [recorded('s3/GetBucketPolicy-example-corp-dev-uploads.json')],
  },
  {
    operation: 's3:GetBucketPolicy',
    responses: [recorded('s3/NoSuchBucketPolicy.xml', 404)],
  },
  { operation: 'kms:ListKeys', responses: [recorded('kms/ListKeys.json')] },
  {
    operation: 'kms:GetKeyPolicy',
    responses: [recorded('kms/GetKeyPolicy-9c2a7e41-3d5b-4f08-b6e1-8a0c4d2f7b93.json')],
  },
];

/** The routes of one account's activity: LookupEvents (two pages) and Access Advisor. */
export const activityRoutes = (): Route[] => [
  {
    operation: 'cloudtrail:LookupEvents',
    match: (r) => r.params['NextToken'] === undefined,
    responses: [recorded('cloudtrail/LookupEvents-1.json')],
  },
  {
    operation: 'cloudtrail:LookupEvents',
    responses: [recorded('cloudtrail/LookupEvents-2.json')],
  },
  {
    operation: 'iam:GenerateServiceLastAccessedDetails',
    responses: [recorded('iam/GenerateServiceLastAccessedDetails.xml')],
  },
  {
    operation: 'iam:GetServiceLastAccessedDetails',
    match: (r) => r.params['Marker'] === undefined,
    responses: [recorded('iam/GetServiceLastAccessedDetails-COMPLETED-1.xml')],
  },
  {
    operation: 'iam:GetServiceLastAccessedDetails',
    responses: [recorded('iam/GetServiceLastAccessedDetails-COMPLETED-2.xml')],
  },
];

const AA = 'access-analyzer';

/**
 * IAM Access Analyzer of account 333333333333 (REST-JSON): one account unused-access analyzer, no
 * organization analyzer, six active findings on two `ListFindingsV2` pages, and one finding whose
 * `GetFindingV2` details come in two pages.
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_GetFindingV2.html
 */
export const accessAnalyzerRoutes = (): Route[] => [
  {
    operation: `${AA}:ListAnalyzers`,
    match: (r) => r.params['type'] === 'ACCOUNT_UNUSED_ACCESS',
    responses: [recorded(`${AA}/ListAnalyzers-ACCOUNT_UNUSED_ACCESS.json`)],
  },
  {
    operation: `${AA}:ListAnalyzers`,
    responses: [recorded(`${AA}/ListAnalyzers-ORGANIZATION_UNUSED_ACCESS.json`)],
  },
  {
    operation: `${AA}:ListFindingsV2`,
    match: (r) => r.params['nextToken'] === undefined,
    responses: [recorded(`${AA}/ListFindingsV2-1.json`)],
  },
  {
    operation: `${AA}:ListFindingsV2`,
    match: (r) => r.params['nextToken'] === 'AAMA-EXAMPLE-FINDINGS-PAGE-2',
    responses: [recorded(`${AA}/ListFindingsV2-2.json`)],
  },
  ...readdirSync(join(import.meta.dirname, 'recorded', AA))
    .filter((f) => f.startsWith('GetFindingV2-'))
    .map((f): Route => {
      const [, id = '', page] = /^GetFindingV2-(.{36})(?:-(\d+))?\.json$/.exec(f) ?? [];
      return {
        operation: `${AA}:GetFindingV2`,
        match: (r) =>
          r.params['id'] === id && (page === undefined) === (r.params['nextToken'] === undefined),
        responses: [recorded(`${AA}/${f}`)],
      };
    }),
];

/** No unused-access analyzer at all (the default in a new account). */
export const noAnalyzerRoutes = (): Route[] => [
  {
    operation: `${AA}:ListAnalyzers`,
    responses: [recorded(`${AA}/ListAnalyzers-ORGANIZATION_UNUSED_ACCESS.json`)],
  },
];
