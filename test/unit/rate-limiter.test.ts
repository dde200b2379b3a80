import { describe, expect, it } from 'vitest';
import { createRateLimiter, type LimiterClock } from '../../main/core/altegio/rate-limiter';

const flush = () => new Promise<void>((r) => setImmediate(r));

function fakeClock() {
  let t = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: LimiterClock & { advance(ms: number): Promise<void>; readonly t: number } = {
    now: () => t,
    setTimer(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimer(h) {
      timers.delete(h as number);
    },
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

/** Starts n acquires at once; returns the clock time at which each was granted (in grant order). */
function acquireMany(limiter: ReturnType<typeof createRateLimiter>, clock: { now(): number }, n: number) {
  const times: number[] = [];
  const order: number[] = [];
  const all = Array.from({ length: n }, (_, i) =>
    limiter.acquire().then(() => {
      times.push(clock.now());
      order.push(i);
    }),
  );
  return { times, order, done: Promise.all(all) };
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    let c = 0;
    for (let j = i; j < times.length && (times[j] as number) < (times[i] as number) + windowMs; j++) c++;
    best = Math.max(best, c);
  }
  return best;
}

describe('rate limiter: pacing (fake clock)', () => {
  it('grants the first request at once and spreads the rest evenly at the per-second rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, perMinute: 10_000, clock });
    const { times, done } = acquireMany(limiter, clock, 50);
    await clock.advance(20_000);
    await done;
    expect(times[0]).toBe(0);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // evenly spaced: every gap the same (1000 + 20 ms margin) / 5
    for (const g of gaps) expect(g).toBeCloseTo(204, 0);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
    const rate = ((times.length - 1) / ((times.at(-1) as number) - (times[0] as number))) * 1000;
    expect(rate).toBeGreaterThanOrEqual(0.95 * 5);
    expect(rate).toBeLessThanOrEqual(5);
  });

  it('never exceeds 200 in any sliding minute and still sustains >= 95% of 200/min (defaults)', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ clock }); // 5/s and 200/min
    const { times, done } = acquireMany(limiter, clock, 650);
    await clock.advance(4 * 60_000);
    await done;
    expect(times).toHaveLength(650);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(200);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
    const perMinute = ((times.length - 1) / ((times.at(-1) as number) - (times[0] as number))) * 60_000;
    expect(perMinute).toBeGreaterThanOrEqual(0.95 * 200);
  });

  it('accounts the minute window exactly even when bursts are allowed', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 100, perMinute: 20, burst: 20, minuteMarginMs: 250, clock });
    const { times, done } = acquireMany(limiter, clock, 41);
    await clock.advance(200_000);
    await done;
    // the first 20 go at once, the 21st exactly when the first leaves the (60 s + margin) window
    expect(times.slice(0, 20).every((t) => t === 0)).toBe(true);
    expect(times[20]).toBe(60_250);
    expect(maxInWindow(times, 60_250)).toBeLessThanOrEqual(20);
    expect(limiter.stats().sent).toBe(41);
  });

  it('caps a burst by the per-second window too', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, perMinute: 10_000, burst: 50, clock });
    const { times, done } = acquireMany(limiter, clock, 20);
    await clock.advance(10_000);
    await done;
    expect(maxInWindow(times, 1020)).toBeLessThanOrEqual(5);
  });

  it('serves waiters first-in, first-out', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 10, perMinute: 10_000, clock });
    const { order, done } = acquireMany(limiter, clock, 30);
    expect(limiter.stats().queued).toBe(29);
    await clock.advance(10_000);
    await done;
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(limiter.stats().queued).toBe(0);
  });

  it('drops an aborted waiter from the queue and rejects it with the reason', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 1, perMinute: 10_000, clock });
    await limiter.acquire();
    const ac = new AbortController();
    const got: string[] = [];
    const a = limiter.acquire(ac.signal).then(
      () => got.push('a'),
      (e: unknown) => got.push(`a-aborted:${String(e)}`),
    );
    const b = limiter.acquire().then(() => got.push('b'));
    ac.abort('cancelled');
    await flush();
    expect(limiter.stats().queued).toBe(1);
    await clock.advance(1100);
    await Promise.all([a, b]);
    expect(got).toEqual(['a-aborted:cancelled', 'b']);
    await expect(limiter.acquire(AbortSignal.abort('already'))).rejects.toBe('already');
  });
});

describe('rate limiter: adaptive on 429', () => {
  it('pauses everyone ~1 s, then 2 s, 4 s on consecutive 429s, and halves the rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, clock });
    await limiter.acquire();
    limiter.penalize();
    expect(limiter.stats().effectivePerSecond).toBe(2);
    expect(limiter.stats().pausedForMs).toBe(1000);
    let granted = -1;
    void limiter.acquire().then(() => (granted = clock.now()));
    await clock.advance(999);
    expect(granted).toBe(-1);
    await clock.advance(10);
    expect(granted).toBe(1000);

    limiter.penalize(); // a new 429 after the pause: doubles the pause
    expect(limiter.stats().pausedForMs).toBe(2000);
    expect(limiter.stats().effectivePerSecond).toBe(1);
    await clock.advance(2000);
    limiter.penalize();
    expect(limiter.stats().pausedForMs).toBe(4000);
    expect(limiter.stats().penalties).toBe(3);
  });

  it('counts a burst of 429s during one pause once (rate halved once), extending only by Retry-After', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, clock });
    limiter.penalize();
    limiter.penalize();
    limiter.penalize(3000);
    expect(limiter.stats().effectivePerSecond).toBe(2);
    expect(limiter.stats().pausedForMs).toBe(3000);
    expect(limiter.stats().penalties).toBe(3);
  });

  it('honours Retry-After instead of its own backoff', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ clock });
    limiter.penalize(7000);
    let granted = -1;
    void limiter.acquire().then(() => (granted = clock.now()));
    await clock.advance(6990);
    expect(granted).toBe(-1);
    await clock.advance(20);
    expect(granted).toBe(7000);
  });

  it('recovers additively after streaks of successes, never above the configured rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, clock, recoverAfter: 10, recoverStep: 0.5 });
    limiter.penalize();
    expect(limiter.stats().effectivePerSecond).toBe(2.5);
    for (let i = 0; i < 9; i++) limiter.reward();
    expect(limiter.stats().effectivePerSecond).toBe(2.5);
    limiter.reward();
    expect(limiter.stats().effectivePerSecond).toBe(3);
    for (let i = 0; i < 200; i++) limiter.reward();
    expect(limiter.stats().effectivePerSecond).toBe(5);
    // and a success resets the backoff streak: the next 429 pauses 1 s again
    await clock.advance(5000);
    limiter.penalize();
    expect(limiter.stats().pausedForMs).toBe(1000);
  });

  it('paces at the lowered rate after a penalty', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, clock });
    limiter.penalize(0);
    const { times, done } = acquireMany(limiter, clock, 5);
    await clock.advance(10_000);
    await done;
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    for (const g of gaps) expect(g).toBeCloseTo(510, 0); // (1000 + 20) / 2
  });

  it('setLimits changes the pace for queued waiters', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 1, perMinute: 10_000, clock });
    const { times, done } = acquireMany(limiter, clock, 4);
    await clock.advance(1);
    limiter.setLimits({ perSecond: 10 });
    await clock.advance(2000);
    await done;
    expect(times[3]).toBeLessThan(500);
    expect(limiter.stats().perSecond).toBe(10);
    expect(() => limiter.setLimits({ perSecond: 0 })).toThrow(RangeError);
  });
});

// Real-time pacing (achieved rate vs R, no self-caused 429 against a real sandbox) is measured by
// `npm run bench` (test/bench/apply.ts), not asserted in a timed test that machine load can fail.

