/** A fake clock for the monthly job's tests. */
import type { Clock } from '../../../src/service/scheduler.js';

/** A clock whose time the test sets; sleeping is instant and recorded. */
export function fakeClock(start: string): {
  clock: Clock;
  set(at: string): void;
  sleeps: number[];
} {
  let now = new Date(start);
  const sleeps: number[] = [];
  return {
    clock: {
      now: () => now,
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
      },
    },
    set: (at) => (now = new Date(at)),
    sleeps,
  };
}
