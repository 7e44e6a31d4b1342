/**
 * The conformance suite every `UsageStore` runs (the embedded store now, Athena later): the same
 * facts in, the same answers out.
 */
import { describe, expect, it } from 'vitest';
import type { FileFacts, UsageFact } from '../../../usage/facts.js';
import type { UsageStore } from '../../../usage/store/store.js';

const A = 'arn:aws:iam::111122223333:role/app';
const B = 'arn:aws:iam::111122223333:user/alice';
const fact = (over: Partial<UsageFact>): UsageFact => ({
  principal: A,
  action: 's3:GetObject',
  resource: '',
  day: '2026-11-20',
  count: 1,
  firstSeen: '2026-11-20T08:00:00Z',
  lastSeen: '2026-11-20T09:00:00Z',
  source: 'cloudtrail',
  ...over,
});
const file = (facts: UsageFact[], extra: Partial<FileFacts> = {}): FileFacts => ({
  facts,
  denied: [],
  people: [],
  unmapped: [],
  records: facts.length,
  ...extra,
});
const key = (path: string) => ({ path, size: 100, hash: `h-${path}` });
const window = { asOf: '2026-11-24', windowDays: 90 };

/** Runs the suite against stores made by `open` (each test gets a fresh, empty store). */
export function usageStoreConformance(name: string, open: () => Promise<UsageStore>): void {
  describe(`UsageStore conformance: ${name}`, () => {
    it('aggregates facts per principal and action within the window, across files and days', async () => {
      const store = await open();
      await store.ingestFile(
        key('a'),
        file([
          fact({ count: 2 }),
          fact({
            day: '2026-11-21',
            firstSeen: '2026-11-21T01:00:00Z',
            lastSeen: '2026-11-21T02:00:00Z',
          }),
        ]),
      );
      await store.ingestFile(
        key('b'),
        file([
          fact({ count: 3, resource: 'arn:aws:s3:::b/k' }),
          fact({ principal: B, action: 's3:PutObject' }),
        ]),
      );
      expect(await store.usage(window)).toEqual([
        {
          principal: A,
          action: 's3:GetObject',
          count: 6,
          firstSeen: '2026-11-20T08:00:00Z',
          lastSeen: '2026-11-21T02:00:00Z',
        },
        {
          principal: B,
          action: 's3:PutObject',
          count: 1,
          firstSeen: '2026-11-20T08:00:00Z',
          lastSeen: '2026-11-20T09:00:00Z',
        },
      ]);
      expect(await store.usage(window, B)).toHaveLength(1);
      // Per resource and source: the object named apart from the calls that named none.
      expect(await store.resourceUses(window, A)).toEqual([
        {
          principal: A,
          action: 's3:GetObject',
          resource: '',
          source: 'cloudtrail',
          count: 3,
          firstSeen: '2026-11-20T08:00:00Z',
          lastSeen: '2026-11-21T02:00:00Z',
        },
        {
          principal: A,
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::b/k',
          source: 'cloudtrail',
          count: 3,
          firstSeen: '2026-11-20T08:00:00Z',
          lastSeen: '2026-11-20T09:00:00Z',
        },
      ]);
      expect(await store.resourceUses(window)).toHaveLength(3);
      expect(await store.resourceUses({ asOf: '2020-01-01', windowDays: 1 })).toEqual([]);
      await store.close();
    });

    it('merges facts so the store grows with distinct activity, not with events', async () => {
      const store = await open();
      for (let i = 0; i < 5; i += 1)
        await store.ingestFile(key(`f${i}`), file([fact({ count: 10 })]));
      expect(await store.size()).toEqual({ facts: 1, files: 5 });
      expect((await store.usage(window))[0]?.count).toBe(50);
      await store.close();
    });

    it('honours the window bounds (1 to 400 days) and as-of date', async () => {
      const store = await open();
      await store.ingestFile(
        key('a'),
        file([
          fact({ day: '2026-08-26' }),
          fact({ day: '2026-08-27', action: 's3:ListBucket' }),
          fact({ day: '2026-11-25', action: 'ec2:RunInstances' }),
        ]),
      );
      // 90 days ending 2026-11-24 start on 2026-08-27.
      expect((await store.usage(window)).map((r) => r.action)).toEqual(['s3:ListBucket']);
      expect(
        (await store.usage({ asOf: '2026-11-25', windowDays: 1 })).map((r) => r.action),
      ).toEqual(['ec2:RunInstances']);
      expect(
        (await store.usage({ asOf: '2026-11-24', windowDays: 400 })).map((r) => r.action),
      ).toEqual(['s3:GetObject', 's3:ListBucket']);
      await store.close();
    });

    it('knows the files it has (idempotence), and answers lastUsed, unusedActions, people and denied attempts', async () => {
      const store = await open();
      await store.ingestFile(
        key('a'),
        file(
          [
            fact({}),
            fact({ day: '2026-01-01', action: 'iam:ListRoles', lastSeen: '2026-01-01T10:00:00Z' }),
          ],
          {
            people: [{ principal: A, person: 'jane@example.com', day: '2026-11-20', count: 4 }],
            denied: [
              {
                principal: A,
                action: 'iam:CreateUser',
                day: '2026-11-20',
                errorCode: 'AccessDenied',
                count: 2,
                firstSeen: '2026-11-20T01:00:00Z',
                lastSeen: '2026-11-20T02:00:00Z',
              },
            ],
          },
        ),
      );
      expect(await store.hasFile(key('a'))).toBe(true);
      expect(await store.hasFile({ ...key('a'), size: 101 })).toBe(false);
      expect(
        await store.knownFiles([key('a'), { ...key('a'), hash: 'other' }, key('never-seen')]),
      ).toEqual(new Set(['a']));
      expect(await store.knownFiles([])).toEqual(new Set());
      // A store that can tell paths known in any version lets ingest read new files unhashed.
      if (store.pathsKnown) {
        expect(await store.pathsKnown(['a', 'never-seen'])).toEqual(new Set(['a']));
        expect(await store.pathsKnown([])).toEqual(new Set());
      }
      expect(await store.lastUsed(A, 'iam:ListRoles')).toBe('2026-01-01T10:00:00Z');
      expect((await store.lastActivity()).get(A)).toBe('2026-11-20T09:00:00Z');
      expect(await store.lastUsed(A, 'iam:CreateUser')).toBeUndefined();
      expect(
        await store.unusedActions(A, ['s3:GetObject', 'iam:ListRoles', 'ec2:RunInstances'], window),
      ).toEqual(['iam:ListRoles', 'ec2:RunInstances']);
      expect(await store.people(A, window)).toEqual([{ person: 'jane@example.com', count: 4 }]);
      expect(await store.peopleByPrincipal(window)).toEqual(new Map([[A, ['jane@example.com']]]));
      expect(await store.denied(window)).toEqual([
        {
          principal: A,
          action: 'iam:CreateUser',
          errorCode: 'AccessDenied',
          count: 2,
          lastSeen: '2026-11-20T02:00:00Z',
        },
      ]);
      await store.close();
    });
  });
}
