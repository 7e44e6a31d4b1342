/**
 * Which actions CloudTrail records only as data events. Trails log management events by default
 * and data events only when asked to, so an action of this kind that was never seen in an account
 * whose trail records no data events of that class is "unknown", not "unused".
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-data-events
 */
import type { CatalogAction } from '../../policy-model/index.js';

/** DynamoDB item-level and stream-record operations, logged as data events. */
const DYNAMODB_DATA = new Set([
  'batchgetitem',
  'batchwriteitem',
  'conditioncheckitem',
  'deleteitem',
  'getitem',
  'partiqldelete',
  'partiqlinsert',
  'partiqlselect',
  'partiqlupdate',
  'putitem',
  'query',
  'scan',
  'updateitem',
  'getrecords',
  'getsharditerator',
]);

/** Amazon SQS message operations, logged as data events. */
const SQS_DATA = new Set([
  'sendmessage',
  'receivemessage',
  'deletemessage',
  'changemessagevisibility',
]);

/** S3 bucket-level listings logged as data events (ListObjects, ListObjectsV2, ListObjectVersions, ListMultipartUploads). */
const S3_LISTINGS = new Set(['listbucket', 'listbucketversions', 'listbucketmultipartuploads']);

/**
 * Calls CloudTrail does not record as events of their own at all (so their use is only ever seen
 * if some other source says so): CloudWatch Logs ingestion and reads of log events, CloudWatch
 * metric data, and SES sending (which SMTP users never do through the API).
 */
const NOT_LOGGED: Readonly<Record<string, ReadonlySet<string>>> = {
  logs: new Set(['putlogevents', 'getlogevents', 'filterlogevents']),
  cloudwatch: new Set(['putmetricdata', 'getmetricdata', 'getmetricstatistics']),
  ses: new Set([
    'sendemail',
    'sendrawemail',
    'sendtemplatedemail',
    'sendbulktemplatedemail',
    'sendbulkemail',
  ]),
};

/**
 * The data-event class of an action (`s3`, `lambda`, `dynamodb`, `sns`, `sqs`, or
 * `not-logged:<service>`), or undefined for an action CloudTrail records as a management event.
 * A class counts as recorded in an account once an action of that class was seen there.
 */
export function dataEventClass(action: CatalogAction): string | undefined {
  const name = action.name.toLowerCase();
  if (NOT_LOGGED[action.service]?.has(name)) return `not-logged:${action.service}`;
  switch (action.service) {
    case 's3':
      // Object-level operations (the ones that act on the `object` resource type) and listings.
      return action.resourceTypes.some((r) => r.name === 'object') || S3_LISTINGS.has(name)
        ? 's3'
        : undefined;
    case 'sqs':
      return SQS_DATA.has(name) ? 'sqs' : undefined;
    case 'lambda':
      return name === 'invokefunction' ? 'lambda' : undefined;
    case 'dynamodb':
      return DYNAMODB_DATA.has(name) ? 'dynamodb' : undefined;
    case 'sns':
      return name === 'publish' ? 'sns' : undefined;
    default:
      return undefined;
  }
}
