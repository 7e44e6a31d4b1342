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

/**
 * The data-event class of an action (`s3`, `lambda`, `dynamodb`, `sns`), or undefined for an
 * action CloudTrail records as a management event.
 */
export function dataEventClass(action: CatalogAction): string | undefined {
  const name = action.name.toLowerCase();
  switch (action.service) {
    case 's3':
      // Object-level operations: the ones that act on the `object` resource type.
      return action.resourceTypes.some((r) => r.name === 'object') ? 's3' : undefined;
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
