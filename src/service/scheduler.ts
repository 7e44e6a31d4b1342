/**
 * When the monthly job runs. The decision "which fire times are due" is a pure function of the
 * cron expression, the timezone, the last fire time handled and now (`dueFireTimes`); node-cron
 * only wakes the scheduler up in production. node-cron takes no injected clock, so the
 * scheduler asks its own `Clock` what time it is, and tests drive it with a fake one.
 *
 * The scheduler keeps a cursor (the last fire time it handled) in the runs file: a fire time
 * missed while the service was down is run at the next start, and a tick while a run is in
 * progress starts nothing (the run, once finished, looks again).
 */
import { createTask, parse, schedule, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { RunsFile } from './runs.js';

/** The time, and waiting: the system's in production, a fake one in tests. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The system clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The default schedule: 06:00 on the 1st of every month. */
export const DEFAULT_CRON = '0 6 1 * *';

/** Whether a cron expression is one node-cron accepts. */
export function isValidCron(expression: string): boolean {
  return validate(expression);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Whether `timezone` is an IANA time zone this Node knows. */
export function isValidTimezone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock time in some time zone. */
interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock time of an instant in a time zone. */
export function wallTime(date: Date, timezone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(date))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts['year']!,
    month: parts['month']!,
    day: parts['day']!,
    hour: parts['hour']!,
    minute: parts['minute']!,
    second: parts['second']!,
  };
}

const asUtc = (w: WallTime): number =>
  Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/**
 * The instant of a wall-clock time in a time zone. A time that does not exist (the hour skipped
 * when clocks go forward) comes out as an instant whose wall time differs; callers check.
 */
function instantOf(w: WallTime, timezone: string): number {
  const guess = asUtc(w);
  const offset = (t: number): number => asUtc(wallTime(new Date(t), timezone)) - t;
  const first = guess - offset(guess);
  const second = guess - offset(first);
  return second;
}

/** Days before `now` the search for due fire times looks back at most. */
const LOOK_BACK_DAYS = 400;

/**
 * The fire times of `cron` in `timezone` after `after` (exclusive) and up to `now` (inclusive):
 * the latest `limit` of them, oldest first. Pure: node-cron's matcher decides whether an instant
 * matches (day-of-month, `L`, weekdays, the time zone); this walks the candidate wall times
 * backwards from now, day by day.
 */
export function dueFireTimes(
  cron: string,
  timezone: string,
  after: Date,
  now: Date,
  limit = 12,
): Date[] {
  if (now.getTime() <= after.getTime() || limit < 1) return [];
  const matcher: ScheduledTask = createTask(cron, () => undefined, { timezone });
  try {
    // node-cron's own field expansion; five-field expressions get second 0.
    const fields = parse(cron);
    const hours = [...fields.hour].sort((a, b) => b - a);
    const minutes = [...fields.minute].sort((a, b) => b - a);
    const seconds = [...fields.second].sort((a, b) => b - a);
    const months = new Set(fields.month);
    const found = new Set<number>();
    const start = wallTime(now, timezone);
    const oldest = Math.max(
      Date.UTC(start.year, start.month - 1, start.day) - LOOK_BACK_DAYS * 86_400_000,
      (() => {
        const w = wallTime(after, timezone);
        return Date.UTC(w.year, w.month - 1, w.day);
      })(),
    );
    for (
      let day = Date.UTC(start.year, start.month - 1, start.day);
      day >= oldest && found.size < limit;
      day -= 86_400_000
    ) {
      const d = new Date(day);
      const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      if (!months.has(date.month)) continue;
      for (const hour of hours)
        for (const minute of minutes)
          for (const second of seconds) {
            if (found.size >= limit) break;
            const t = instantOf({ ...date, hour, minute, second }, timezone);
            if (t > now.getTime() || t <= after.getTime()) continue;
            if (matcher.match(new Date(t))) found.add(t);
          }
    }
    return [...found].sort((a, b) => a - b).map((t) => new Date(t));
  } finally {
    void matcher.destroy();
  }
}

/** A reporting month: `YYYY-MM` and its last day, `YYYY-MM-DD`. */
export interface ReportMonth {
  readonly month: string;
  readonly asOf: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM` of a year and month (1-12). */
function monthText(year: number, month: number): string {
  return `${year}-${pad(month)}`;
}

/** Parses `YYYY-MM` (months 01-12), or undefined. */
export function parseMonth(text: string): { year: number; month: number } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? { year, month } : undefined;
}

/** The month `YYYY-MM` and its last day. */
export function monthOf(text: string): ReportMonth | undefined {
  const p = parseMonth(text);
  if (!p) return undefined;
  const last = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  return { month: text, asOf: `${text}-${pad(last)}` };
}

/** The month before `YYYY-MM`. */
export function previousMonth(text: string): string {
  const p = parseMonth(text);
  if (!p) throw new RangeError(`\`${text}\` is not a month (YYYY-MM)`);
  return p.month === 1 ? monthText(p.year - 1, 12) : monthText(p.year, p.month - 1);
}

/**
 * The month a run fired at `fire` reports on: the calendar month before the one `fire` falls in,
 * in the schedule's time zone (a run at 06:00 on 1 November in Berlin reports October).
 */
export function reportMonth(fire: Date, timezone: string): ReportMonth {
  const w = wallTime(fire, timezone);
  return monthOf(previousMonth(monthText(w.year, w.month)))!;
}

/** What one tick did. */
export type TickResult =
  | { readonly status: 'idle' }
  | { readonly status: 'busy'; readonly running: string }
  | { readonly status: 'stopped' }
  | {
      readonly status: 'ran';
      readonly fireTime: string;
      readonly outcome: RunOutcome;
      /** Earlier due fire times not run (the service was down over several). */
      readonly skipped: readonly string[];
    };

/** How a run ended: `interrupted` runs (a stop) are run again at the next start. */
export type RunOutcome = 'succeeded' | 'failed' | 'interrupted';

/** Runs the job for one fire time. */
export type RunFn = (
  fireTime: Date,
  trigger: 'schedule' | 'catch-up',
  signal: AbortSignal,
) => Promise<RunOutcome>;

/** Wakes the scheduler at each fire time; node-cron in production. */
export type Trigger = (
  cron: string,
  timezone: string,
  wake: (at: Date) => void,
) => { stop(): void };

/** node-cron as the trigger: it passes the fire time it woke up for. */
export const nodeCronTrigger: Trigger = (cron, timezone, wake) => {
  const task = schedule(cron, (context) => wake(context.date), {
    timezone,
    name: 'leastpriv-monthly',
    noOverlap: true,
  });
  return { stop: () => void task.destroy() };
};

/** What the scheduler is built from. */
export interface SchedulerOptions {
  readonly cron: string;
  readonly timezone: string;
  readonly runs: RunsFile;
  readonly run: RunFn;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly trigger?: Trigger;
}

/**
 * The monthly scheduler: at each tick, runs the latest due fire time unless a run is in progress,
 * and advances the cursor once the run has succeeded or failed (not when it was interrupted).
 */
export class MonthlyScheduler {
  private readonly clock: Clock;
  private current: { fireTime: string; done: Promise<TickResult> } | undefined;
  private readonly abort = new AbortController();
  private wakeup: { stop(): void } | undefined;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    if (!isValidCron(options.cron)) throw new RangeError(`\`${options.cron}\` is not a cron`);
    if (!isValidTimezone(options.timezone))
      throw new RangeError(`\`${options.timezone}\` is not a time zone`);
    this.clock = options.clock ?? systemClock;
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * Starts: on the very first start the cursor is set to now (nothing before it is run); else a
   * fire time missed while the service was down is caught up at once. Then the trigger wakes
   * the scheduler at each fire time. Resolves with the catch-up tick's result.
   */
  start(): Promise<TickResult> {
    if (this.options.runs.cursor() === undefined)
      this.options.runs.setCursor(this.clock.now().toISOString());
    this.wakeup = (this.options.trigger ?? nodeCronTrigger)(
      this.options.cron,
      this.options.timezone,
      (at) => void this.tick(at),
    );
    return this.tick(undefined, 'catch-up');
  }

  /**
   * Looks for due fire times (at `at`, the time the trigger woke up for, or later) and runs the
   * latest; resolves when that run is over. A tick during a run starts nothing.
   */
  tick(at?: Date, trigger: 'schedule' | 'catch-up' = 'schedule'): Promise<TickResult> {
    if (this.stopped) return Promise.resolve({ status: 'stopped' });
    if (this.current) {
      this.options.logger.warn(
        { running: this.current.fireTime },
        'monthly run still in progress: tick ignored',
      );
      return Promise.resolve({ status: 'busy', running: this.current.fireTime });
    }
    const clockNow = this.clock.now();
    // The trigger may wake a hair before its fire time by the clock: the fire time counts.
    const now = at && at.getTime() > clockNow.getTime() ? at : clockNow;
    const cursor = new Date(this.options.runs.cursor() ?? now.toISOString());
    const due = dueFireTimes(this.options.cron, this.options.timezone, cursor, now);
    const latest = due.at(-1);
    if (!latest) return Promise.resolve({ status: 'idle' });
    const skipped = due.slice(0, -1).map((d) => d.toISOString());
    const fireTime = latest.toISOString();
    const done = (async (): Promise<TickResult> => {
      for (const s of skipped)
        this.options.runs.recordSkipped(
          s,
          reportMonth(new Date(s), this.options.timezone).month,
          `missed while the service was down; superseded by the run of ${fireTime}`,
        );
      let outcome: RunOutcome;
      try {
        outcome = await this.options.run(latest, trigger, this.abort.signal);
      } catch (e) {
        // The run records its own failures; this is a bug, kept from looping every tick.
        this.options.logger.error({ err: e, fireTime }, 'monthly run threw');
        outcome = 'failed';
      }
      if (outcome !== 'interrupted') this.options.runs.setCursor(fireTime);
      return { status: 'ran', fireTime, outcome, skipped };
    })();
    this.current = { fireTime, done };
    return done.then((result) => {
      this.current = undefined;
      // A fire time that came due during the run is not lost: look again.
      if (!this.stopped && result.status === 'ran' && result.outcome !== 'interrupted')
        void this.tick();
      return result;
    });
  }

  /** Stops waking up and interrupts a run in progress; resolves once it has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup?.stop();
    this.abort.abort(new Error('the service is stopping'));
    await this.current?.done;
  }
}
