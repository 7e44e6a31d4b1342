import { describe, expect, it } from 'vitest';
import { readAccessAdvisor } from '../../usage/access-advisor.js';

// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html
const role = 'arn:aws:iam::111122223333:role/app';
const output = {
  JobStatus: 'COMPLETED',
  JobType: 'ACTION_LEVEL',
  ServicesLastAccessed: [
    {
      ServiceName: 'Amazon S3',
      ServiceNamespace: 's3',
      LastAuthenticated: '2026-11-20T10:00:00Z',
      TotalAuthenticatedEntities: 1,
      TrackedActionsLastAccessed: [
        { ActionName: 'GetObject', LastAccessedTime: '2026-11-20T10:00:00Z' },
        { ActionName: 'PutObject' },
      ],
    },
    {
      ServiceName: 'Amazon DynamoDB',
      ServiceNamespace: 'dynamodb',
      LastAuthenticated: '2026-10-01T08:30:00.123Z',
      TotalAuthenticatedEntities: 1,
    },
    { ServiceName: 'AWS Lambda', ServiceNamespace: 'lambda', TotalAuthenticatedEntities: 0 },
  ],
};

describe('Access Advisor', () => {
  it('gives action-level facts where AWS tracks actions, service-level facts elsewhere, nothing for unused services', () => {
    const { facts, issues } = readAccessAdvisor({ [role]: output }, 'access-advisor.json');
    expect(issues).toEqual([]);
    expect(facts.map((f) => [f.action, f.day, f.source])).toEqual([
      ['s3:GetObject', '2026-11-20', 'access-advisor'],
      ['dynamodb:*', '2026-10-01', 'access-advisor'],
    ]);
  });

  it('reports a malformed entry with its pointer and reads the others', () => {
    const { facts, issues } = readAccessAdvisor(
      { [role]: output, 'arn:aws:iam::111122223333:user/x': { nope: 1 } },
      'aa.json',
    );
    expect(facts).toHaveLength(2);
    expect(issues).toEqual([
      {
        code: 'invalid_access_advisor',
        message: 'no `ServicesLastAccessed` list',
        path: 'aa.json#/arn:aws:iam::111122223333:user~1x',
      },
    ]);
  });
});
