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
    const a = limiter.acquire({ signal: ac.signal }).then(
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
    await expect(limiter.acquire({ signal: AbortSignal.abort('already') })).rejects.toBe('already');
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

    limiter.penalize(); // a new 429 after the pause, no success between: doubles the pause
    expect(limiter.stats().pausedForMs).toBe(2000);
    expect(limiter.stats().effectivePerSecond).toBeCloseTo(1, 2);
    await clock.advance(2000);
    limiter.penalize();
    expect(limiter.stats().pausedForMs).toBe(4000);
    expect(limiter.stats().penalties).toBe(3);
    // never longer than 8 s without Retry-After: a refusing server is asked again, not left for minutes
    for (let i = 0; i < 5; i++) {
      await clock.advance(60_000);
      limiter.penalize();
    }
    expect(limiter.stats().pausedForMs).toBe(8000);
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

  it('climbs back to the full rate by time after the pause, without counting successes', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, clock, recoverMs: 15_000 });
    limiter.penalize();
    expect(limiter.stats().effectivePerSecond).toBe(2.5);
    await clock.advance(1000); // the pause
    expect(limiter.stats().effectivePerSecond).toBe(2.5);
    await clock.advance(7500); // half way
    expect(limiter.stats().effectivePerSecond).toBeCloseTo(3.75, 5);
    await clock.advance(7500);
    expect(limiter.stats().effectivePerSecond).toBe(5);
    await clock.advance(60_000);
    expect(limiter.stats().effectivePerSecond).toBe(5);
  });

  it('is never stuck at the floor: after a long run of 429s it is back at full rate recoverMs after the last pause', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, clock, recoverMs: 15_000, minPerSecond: 0.5 });
    for (let i = 0; i < 8; i++) {
      limiter.penalize(1000); // Retry-After: 1, honoured exactly each time
      expect(limiter.stats().pausedForMs).toBe(1000);
      await clock.advance(1000);
    }
    expect(limiter.stats().effectivePerSecond).toBe(0.5);
    await clock.advance(15_000);
    expect(limiter.stats().effectivePerSecond).toBe(5);
  });

  it('a success resets the backoff: the next 429 without Retry-After pauses 1 s again', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, clock });
    limiter.penalize();
    await clock.advance(1000);
    limiter.penalize();
    expect(limiter.stats().pausedForMs).toBe(2000);
    await clock.advance(2000);
    limiter.reward();
    limiter.penalize();
    expect(limiter.stats().pausedForMs).toBe(1000);
  });

  it('a 429 during the climb lowers the rate from where it had climbed to', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, clock, recoverMs: 10_000 });
    limiter.penalize(0); // 2/s, climbing from now
    await clock.advance(5000); // 3/s
    limiter.penalize(0);
    expect(limiter.stats().effectivePerSecond).toBeCloseTo(1.5, 5);
  });

  it('sends nothing before Retry-After has passed, in any lane', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, clock });
    limiter.penalize(2500);
    const granted: number[] = [];
    for (const lane of ['interactive', 'batch', 'background'] as const) void limiter.acquire({ lane }).then(() => granted.push(clock.now()));
    await clock.advance(2499);
    expect(granted).toEqual([]);
    await clock.advance(5000);
    expect(granted[0]).toBe(2500);
    expect(granted).toHaveLength(3);
  });

  it('paces at the lowered rate after a penalty', async () => {
    const clock = fakeClock();
    // a climb slow enough not to matter over these few requests
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, recoverMs: 1e9, clock });
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

  it('setLimits during a climb keeps climbing, towards the new rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, recoverMs: 10_000, clock });
    limiter.penalize(0);
    await clock.advance(5000); // 3/s
    limiter.setLimits({ perSecond: 8 });
    expect(limiter.stats().effectivePerSecond).toBeCloseTo(3, 5);
    await clock.advance(10_000);
    expect(limiter.stats().effectivePerSecond).toBe(8);
  });
});

describe('rate limiter: lanes', () => {
  it('serves a person before any amount of queued batch and background work, within one grant interval', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, perMinute: 10_000, clock });
    const lower: Array<Promise<void>> = [];
    for (let i = 0; i < 100; i++) lower.push(limiter.acquire({ lane: i % 2 ? 'batch' : 'background' }));
    await clock.advance(1000); // the lower lanes are flowing
    const asked = clock.now();
    let granted = -1;
    void limiter.acquire({ lane: 'interactive' }).then(() => (granted = clock.now()));
    await clock.advance(300);
    expect(granted).toBeGreaterThanOrEqual(asked);
    // one interval (1020 / 5 ms) at most: what a person waits with the lane empty, give or take one slot
    expect(granted - asked).toBeLessThanOrEqual(204);
    expect(limiter.stats().queuedByLane.interactive).toBe(0);
  });

  it('shares between batch and background 3 : 1 while both wait, and gives either all of it alone', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 100, perMinute: 100_000, clock });
    const order: string[] = [];
    const all: Array<Promise<unknown>> = [];
    await limiter.acquire(); // start the pacing so the queue builds up
    for (let i = 0; i < 40; i++) all.push(limiter.acquire({ lane: 'batch' }).then(() => order.push('B')));
    for (let i = 0; i < 40; i++) all.push(limiter.acquire({ lane: 'background' }).then(() => order.push('g')));
    await clock.advance(5000);
    await Promise.all(all);
    const first40 = order.slice(0, 40);
    expect(first40.filter((x) => x === 'B')).toHaveLength(30);
    expect(first40.filter((x) => x === 'g')).toHaveLength(10);
    // once batch is done, background has the whole rate
    expect(order.slice(60).every((x) => x === 'g')).toBe(true);
  });

  it('an aborted lower-lane waiter leaves its lane', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 1, perMinute: 10_000, clock });
    await limiter.acquire();
    const ac = new AbortController();
    const p = limiter.acquire({ lane: 'background', signal: ac.signal });
    expect(limiter.stats().queuedByLane.background).toBe(1);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(limiter.stats().queuedByLane.background).toBe(0);
  });
});

// Real-time pacing (achieved rate vs R, no self-caused 429 against a real sandbox) is measured by
// `npm run bench` (test/bench/apply.ts), not asserted in a timed test that machine load can fail.

