/**
 * Which actions CloudTrail records only as data events, or not at all.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-data-events
 */
import { describe, expect, it } from 'vitest';
import { dataEventClass } from '../../../usage/cloudtrail/data-events.js';
import { loadCatalog } from '../../../src/catalog.js';

const catalog = loadCatalog();
const classOf = (name: string) => {
  const [service, action] = name.toLowerCase().split(':') as [string, string];
  return dataEventClass(catalog.services.get(service)!.actions.get(action)!);
};

describe('data-event classes', () => {
  it('puts S3 object operations and listings, Lambda Invoke, DynamoDB items, SNS Publish and SQS messages in data events', () => {
    expect(classOf('s3:GetObject')).toBe('s3');
    expect(classOf('s3:PutObject')).toBe('s3');
    expect(classOf('s3:ListBucket')).toBe('s3');
    expect(classOf('lambda:InvokeFunction')).toBe('lambda');
    expect(classOf('dynamodb:GetItem')).toBe('dynamodb');
    expect(classOf('dynamodb:Query')).toBe('dynamodb');
    expect(classOf('sns:Publish')).toBe('sns');
    expect(classOf('sqs:SendMessage')).toBe('sqs');
  });

  it('keeps management events out: bucket configuration, function and table management', () => {
    for (const action of [
      's3:CreateBucket',
      's3:PutBucketPolicy',
      's3:ListAllMyBuckets',
      'lambda:CreateFunction',
      'dynamodb:CreateTable',
      'sns:CreateTopic',
      'sqs:CreateQueue',
      'iam:CreateUser',
    ])
      expect(classOf(action), action).toBeUndefined();
  });

  it('marks calls CloudTrail never records as events of their own', () => {
    expect(classOf('logs:PutLogEvents')).toBe('not-logged:logs');
    expect(classOf('cloudwatch:PutMetricData')).toBe('not-logged:cloudwatch');
    expect(classOf('ses:SendRawEmail')).toBe('not-logged:ses');
    expect(classOf('logs:CreateLogGroup')).toBeUndefined();
  });
});
