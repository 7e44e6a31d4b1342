/** Replay routes shared by the collector tests. */
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
