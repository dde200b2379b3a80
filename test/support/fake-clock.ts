/**
 * A fake monotonic clock for unit tests of timing logic (the rate limiter): timers fire in time
 * order as `advance` moves the clock, with promise callbacks flushed after each one.
 */
import type { LimiterClock } from '../../main/core/altegio/rate-limiter';

export const flush = () => new Promise<void>((r) => setImmediate(r));

export interface FakeClock extends LimiterClock {
  advance(ms: number): Promise<void>;
  /** Resolves when the fake clock has moved `ms` on. */
  sleep(ms: number): Promise<void>;
  readonly t: number;
}

export function fakeClock(): FakeClock {
  let t = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: FakeClock = {
    now: () => t,
    setTimer(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimer(h) {
      timers.delete(h as number);
    },
    sleep: (ms) => new Promise<void>((r) => clock.setTimer(r, ms)),
    async advance(ms: number) {
      const end = t + ms;
      await flush();
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
        if (!next) break;
        timers.delete(next[0]);
        t = next[1].at;
        next[1].fn();
        await flush();
      }
      t = end;
      await flush();
    },
    get t() {
      return t;
    },
  };
  return clock;
}
