/**
 * The monthly scheduler with an injected clock: which fire times are due (a pure function of
 * cron, time zone, cursor and now, across time zones and DST), the month a fire time reports on,
 * and the real `MonthlyScheduler` class driven by a fake clock and a fake trigger: it runs on
 * the 1st at 06:00 in its time zone, never twice at once, catches up a run missed while the
 * service was down, and runs an interrupted run again at the next start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/service/log.js';
import { fakeClock } from './fake-clock.js';
import { readRuns, RunsFile } from '../../../src/service/runs.js';
import {
  dueFireTimes,
  isValidCron,
  isValidTimezone,
  monthOf,
  MonthlyScheduler,
  previousMonth,
  reportMonth,
  type RunFn,
  type RunOutcome,
  type Trigger,
} from '../../../src/service/scheduler.js';

const logger = createLogger({ level: 'silent' });
const iso = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());

/** A trigger that records what it was set up with and wakes the scheduler when told. */
function fakeTrigger(): {
  trigger: Trigger;
  wake(at: Date): void;
  setUp: string[];
  stopped(): boolean;
} {
  let wake: ((at: Date) => void) | undefined;
  const setUp: string[] = [];
  let stopped = false;
  return {
    trigger: (cron, timezone, onWake) => {
      setUp.push(`${cron} ${timezone}`);
      wake = onWake;
      return { stop: () => (stopped = true) };
    },
    wake: (at) => wake?.(at),
    setUp,
    stopped: () => stopped,
  };
}

/** A run function whose runs the test finishes by hand. */
function manualRun(): {
  run: RunFn;
  calls: { fire: string; trigger: string; signal: AbortSignal }[];
  finish(outcome: RunOutcome): void;
} {
  const calls: { fire: string; trigger: string; signal: AbortSignal }[] = [];
  let resolve: ((o: RunOutcome) => void) | undefined;
  return {
    run: (fire, trigger, signal) => {
      calls.push({ fire: fire.toISOString(), trigger, signal });
      return new Promise<RunOutcome>((r) => {
        resolve = r;
        signal.addEventListener('abort', () => r('interrupted'));
      });
    },
    calls,
    finish: (outcome) => resolve?.(outcome),
  };
}

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'leastpriv-scheduler-'));

/** A scheduler for 06:00 UTC on the 1st over a run the test finishes, on a fake clock. */
const firstOfMonthUtc = (
  runs: RunsFile,
  work: ReturnType<typeof manualRun>,
  time: ReturnType<typeof fakeClock>,
): MonthlyScheduler =>
  new MonthlyScheduler({
    cron: '0 6 1 * *',
    timezone: 'UTC',
    runs,
    run: work.run,
    logger,
    clock: time.clock,
    trigger: fakeTrigger().trigger,
  });

describe('dueFireTimes', () => {
  it('fires at 06:00 on the 1st in UTC, not a second before', () => {
    const after = new Date('2026-10-15T00:00:00Z');
    expect(dueFireTimes('0 6 1 * *', 'UTC', after, new Date('2026-11-01T05:59:59Z'))).toEqual([]);
    expect(iso(dueFireTimes('0 6 1 * *', 'UTC', after, new Date('2026-11-01T06:00:00Z')))).toEqual([
      '2026-11-01T06:00:00.000Z',
    ]);
    // The cursor is exclusive: a fire time already handled is not due again.
    expect(
      dueFireTimes('0 6 1 * *', 'UTC', new Date('2026-11-01T06:00:00Z'), new Date('2026-11-20')),
    ).toEqual([]);
  });

  it('fires at 06:00 Berlin time: 05:00 UTC in winter, 04:00 UTC in summer', () => {
    const due = (after: string, now: string) =>
      iso(dueFireTimes('0 6 1 * *', 'Europe/Berlin', new Date(after), new Date(now)));
    expect(due('2026-10-15T00:00:00Z', '2026-11-01T04:59:59Z')).toEqual([]);
    expect(due('2026-10-15T00:00:00Z', '2026-11-01T05:00:00Z')).toEqual([
      '2026-11-01T05:00:00.000Z',
    ]);
    expect(due('2026-06-15T00:00:00Z', '2026-07-01T03:59:59Z')).toEqual([]);
    expect(due('2026-06-15T00:00:00Z', '2026-07-01T04:00:00Z')).toEqual([
      '2026-07-01T04:00:00.000Z',
    ]);
    // Across the spring change (29 March 2026): March is winter time, April summer time.
    expect(due('2026-02-15T00:00:00Z', '2026-04-02T00:00:00Z')).toEqual([
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ]);
  });

  it('fires on the previous UTC day for a zone ahead of UTC', () => {
    expect(
      iso(
        dueFireTimes(
          '0 6 1 * *',
          'Pacific/Auckland',
          new Date('2026-10-20T00:00:00Z'),
          new Date('2026-11-01T00:00:00Z'),
        ),
      ),
    ).toEqual(['2026-10-31T17:00:00.000Z']);
  });

  it('lists every fire time since the cursor, oldest first, the latest `limit` of them', () => {
    const after = new Date('2026-07-15T00:00:00Z');
    const now = new Date('2026-11-02T00:00:00Z');
    expect(iso(dueFireTimes('0 6 1 * *', 'UTC', after, now))).toEqual([
      '2026-08-01T06:00:00.000Z',
      '2026-09-01T06:00:00.000Z',
      '2026-10-01T06:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
    ]);
    expect(iso(dueFireTimes('0 6 1 * *', 'UTC', after, now, 2))).toEqual([
      '2026-10-01T06:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
    ]);
  });

  it('skips a wall time that does not exist, and fires once for one that happens twice', () => {
    // 29 March 2026: Berlin goes from 02:00 to 03:00, so there is no 02:30.
    expect(
      iso(
        dueFireTimes(
          '30 2 * * *',
          'Europe/Berlin',
          new Date('2026-03-28T00:00:00Z'),
          new Date('2026-03-30T12:00:00Z'),
        ),
      ),
    ).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    // 25 October 2026: 02:30 happens twice; the job runs once that day.
    const autumn = dueFireTimes(
      '30 2 * * *',
      'Europe/Berlin',
      new Date('2026-10-24T12:00:00Z'),
      new Date('2026-10-25T12:00:00Z'),
    );
    expect(autumn).toHaveLength(1);
  });

  it('knows valid crons and time zones', () => {
    expect(isValidCron('0 6 1 * *')).toBe(true);
    expect(isValidCron('0 25 1 * *')).toBe(false);
    expect(isValidCron('every month')).toBe(false);
    expect(isValidTimezone('Europe/Berlin')).toBe(true);
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
  });
});

describe('the month a run reports on', () => {
  it('is the calendar month before the fire time, in the schedule time zone', () => {
    expect(reportMonth(new Date('2026-11-01T05:00:00Z'), 'Europe/Berlin')).toEqual({
      month: '2026-10',
      asOf: '2026-10-31',
    });
    // 17:00 UTC on 31 October is already 1 November in Auckland.
    expect(reportMonth(new Date('2026-10-31T17:00:00Z'), 'Pacific/Auckland').month).toBe('2026-10');
    expect(reportMonth(new Date('2026-10-31T17:00:00Z'), 'UTC').month).toBe('2026-09');
    expect(reportMonth(new Date('2027-01-01T06:00:00Z'), 'UTC')).toEqual({
      month: '2026-12',
      asOf: '2026-12-31',
    });
  });

  it('parses months and knows their last day', () => {
    expect(monthOf('2024-02')).toEqual({ month: '2024-02', asOf: '2024-02-29' });
    expect(monthOf('2026-13')).toBeUndefined();
    expect(monthOf('2026-1')).toBeUndefined();
    expect(previousMonth('2027-01')).toBe('2026-12');
  });
});

describe('MonthlyScheduler', () => {
  it('runs on the 1st at 06:00 in its time zone, and moves its cursor', async () => {
    const dir = dataDir();
    const time = fakeClock('2026-10-20T12:00:00Z');
    const trigger = fakeTrigger();
    const runs = new RunsFile(dir);
    const work = manualRun();
    const scheduler = new MonthlyScheduler({
      cron: '0 6 1 * *',
      timezone: 'Europe/Berlin',
      runs,
      run: work.run,
      logger,
      clock: time.clock,
      trigger: trigger.trigger,
    });
    // The very first start runs nothing before it: the cursor starts now.
    expect(await scheduler.start()).toEqual({ status: 'idle' });
    expect(runs.cursor()).toBe('2026-10-20T12:00:00.000Z');
    expect(trigger.setUp).toEqual(['0 6 1 * * Europe/Berlin']);

    time.set('2026-11-01T04:59:59Z');
    expect(await scheduler.tick()).toEqual({ status: 'idle' });
    expect(work.calls).toEqual([]);

    time.set('2026-11-01T05:00:00.004Z');
    const ran = scheduler.tick();
    expect(work.calls.map((c) => [c.fire, c.trigger])).toEqual([
      ['2026-11-01T05:00:00.000Z', 'schedule'],
    ]);
    work.finish('succeeded');
    expect(await ran).toEqual({
      status: 'ran',
      fireTime: '2026-11-01T05:00:00.000Z',
      outcome: 'succeeded',
      skipped: [],
    });
    expect(runs.cursor()).toBe('2026-11-01T05:00:00.000Z');
    // Stored in the service catalog, where another process (`leastpriv report`) reads it.
    await runs.flushed();
    expect(readRuns(dir).cursor).toBe('2026-11-01T05:00:00.000Z');
    // Later the same day: nothing is due any more.
    time.set('2026-11-01T09:00:00Z');
    expect(await scheduler.tick()).toEqual({ status: 'idle' });

    // The trigger may wake a hair early by the clock: the fire time it woke for counts.
    time.set('2026-12-01T04:59:59.990Z');
    trigger.wake(new Date('2026-12-01T05:00:00Z'));
    expect(work.calls.map((c) => c.fire)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-12-01T05:00:00.000Z',
    ]);
    work.finish('failed');
    await scheduler.stop();
    expect(trigger.stopped()).toBe(true);
    // A failed run (after its own retries) is not run again and again: the cursor moves.
    expect(runs.cursor()).toBe('2026-12-01T05:00:00.000Z');
  });

  it('never runs twice at once: a tick during a run starts nothing', async () => {
    const dir = dataDir();
    const time = fakeClock('2026-10-20T00:00:00Z');
    const runs = new RunsFile(dir);
    const work = manualRun();
    const scheduler = firstOfMonthUtc(runs, work, time);
    await scheduler.start();
    time.set('2026-11-01T06:00:00Z');
    const first = scheduler.tick();
    expect(scheduler.running).toBe(true);
    expect(await scheduler.tick()).toEqual({
      status: 'busy',
      running: '2026-11-01T06:00:00.000Z',
    });
    time.set('2026-11-01T07:00:00Z');
    expect((await scheduler.tick()).status).toBe('busy');
    expect(work.calls).toHaveLength(1);
    work.finish('succeeded');
    expect((await first).status).toBe('ran');
    expect(scheduler.running).toBe(false);
    expect(await scheduler.tick()).toEqual({ status: 'idle' });
    expect(work.calls).toHaveLength(1);
    await scheduler.stop();
  });

  it('catches up at start the run missed while the service was down', async () => {
    const dir = dataDir();
    new RunsFile(dir).setCursor('2026-08-15T00:00:00.000Z');
    const time = fakeClock('2026-11-03T10:00:00Z');
    const runs = new RunsFile(dir);
    const work = manualRun();
    const scheduler = firstOfMonthUtc(runs, work, time);
    const started = scheduler.start();
    // Only the latest missed fire time runs (it reports October); the others are recorded.
    expect(work.calls.map((c) => [c.fire, c.trigger])).toEqual([
      ['2026-11-01T06:00:00.000Z', 'catch-up'],
    ]);
    work.finish('succeeded');
    expect(await started).toMatchObject({
      status: 'ran',
      skipped: ['2026-09-01T06:00:00.000Z', '2026-10-01T06:00:00.000Z'],
    });
    expect(
      runs.runs().map((r) => ({ fireTime: r.fireTime, month: r.month, status: r.status })),
    ).toEqual([
      { fireTime: '2026-09-01T06:00:00.000Z', month: '2026-08', status: 'skipped' },
      { fireTime: '2026-10-01T06:00:00.000Z', month: '2026-09', status: 'skipped' },
    ]);
    await scheduler.stop();
  });

  it('a stop interrupts the run, and the next start runs it again', async () => {
    const dir = dataDir();
    const time = fakeClock('2026-10-20T00:00:00Z');
    const work = manualRun();
    const options = {
      cron: '0 6 1 * *',
      timezone: 'UTC',
      run: work.run,
      logger,
      clock: time.clock,
      trigger: fakeTrigger().trigger,
    };
    const first = new MonthlyScheduler({ ...options, runs: new RunsFile(dir) });
    await first.start();
    time.set('2026-11-01T06:00:00Z');
    const ran = first.tick();
    expect(work.calls).toHaveLength(1);
    await first.stop();
    expect(work.calls[0]!.signal.aborted).toBe(true);
    expect(await ran).toMatchObject({ status: 'ran', outcome: 'interrupted' });
    expect(new RunsFile(dir).cursor()).toBe('2026-10-20T00:00:00.000Z');
    expect(await first.tick()).toEqual({ status: 'stopped' });

    time.set('2026-11-01T06:30:00Z');
    const second = new MonthlyScheduler({ ...options, runs: new RunsFile(dir) });
    const again = second.start();
    expect(work.calls.map((c) => c.fire)).toEqual([
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
    ]);
    work.finish('succeeded');
    expect(await again).toMatchObject({ status: 'ran', outcome: 'succeeded' });
    await second.stop();
  });

  it('refuses a bad cron or time zone', () => {
    const base = { runs: new RunsFile(dataDir()), run: manualRun().run, logger };
    expect(() => new MonthlyScheduler({ ...base, cron: '0 6 32 * *', timezone: 'UTC' })).toThrow(
      /not a cron/,
    );
    expect(() => new MonthlyScheduler({ ...base, cron: '0 6 1 * *', timezone: 'Nowhere' })).toThrow(
      /not a time zone/,
    );
  });
});
