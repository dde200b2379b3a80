import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { fakeClock, flush } from '../support/fake-clock';

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

/** Sends steadily at the limiter's pace for `ms` (one request waiting at a time); returns the grant times. */
async function sendFor(limiter: ReturnType<typeof createRateLimiter>, clock: ReturnType<typeof fakeClock>, ms: number): Promise<number[]> {
  const times: number[] = [];
  const end = clock.t + ms;
  let going = true;
  const loop = (async () => {
    while (going) times.push(await limiter.acquire());
  })();
  await clock.advance(ms);
  going = false;
  await clock.advance(10_000);
  await loop;
  return times.filter((t) => t <= end);
}

/** The next grant, moving the fake clock on until it happens (to within 10 ms). */
async function next(limiter: ReturnType<typeof createRateLimiter>, clock: ReturnType<typeof fakeClock>): Promise<number> {
  let got: number | undefined;
  const p = limiter.acquire().then((t) => (got = t));
  while (got === undefined) await clock.advance(10);
  await p;
  return got;
}

describe('rate limiter: 429s (fake clock; the rate rule itself: rate-policy.test.ts)', () => {
  it('the first 429 of a streak does not pause; further rounds pause 250 ms, then 500 ms within a second-window of it, then 1 s, 2 s ... <= 8 s', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, clock });
    const sent = await sendFor(limiter, clock, 3000);
    limiter.penalize(undefined, sent.at(-1));
    const first = clock.t;
    expect(limiter.stats().pausedForMs).toBe(0);
    const pauses: number[] = [];
    const at: number[] = [];
    for (let i = 0; i < 8; i++) {
      const granted = await next(limiter, clock); // sent after we reacted: a new round of the same streak
      limiter.penalize(undefined, granted);
      at.push(clock.t - first);
      pauses.push(limiter.stats().pausedForMs);
      const rate = limiter.stats().effectivePerSecond;
      await clock.advance(limiter.stats().pausedForMs);
      expect(limiter.stats().effectivePerSecond).toBe(rate); // the climb stands still while paused
    }
    // Rounds within a second-window of the first 429 (the server still counts what was sent before): 250, then 500 ms
    // each — the first three rounds come at ~10, ~270, ~780 ms; after it the pause doubles per round, to 8 s at most.
    expect(at.slice(0, 3).every((t) => t < 1020)).toBe(true);
    expect(at[3]).toBeGreaterThanOrEqual(1020);
    expect(pauses).toEqual([250, 500, 500, 1000, 2000, 4000, 8000, 8000]);
    expect(limiter.stats().penalties).toBe(9);
  });

  it('429s for requests sent before we reacted are one round: no pause, but each Retry-After is honoured', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, clock });
    const sent = await sendFor(limiter, clock, 3000);
    const [a, b, c] = sent.slice(-3);
    limiter.penalize(undefined, c);
    const rate = limiter.stats().effectivePerSecond;
    limiter.penalize(undefined, b);
    expect(limiter.stats().pausedForMs).toBe(0);
    limiter.penalize(3000, a);
    expect(limiter.stats().effectivePerSecond).toBe(rate);
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

  it('a desk that meets others at full rate holds what it sent in the second-window, in whole slots, evenly spaced and never more in any second-window', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, perMinute: 100_000, clock });
    const sent = await sendFor(limiter, clock, 3000);
    // 7 of ours among what the server counted when it refused the last one
    const window = sent.filter((t) => t > (sent.at(-1) as number) - 1020);
    expect(window.length).toBeGreaterThanOrEqual(20);
    limiter.penalize(undefined, sent.at(-1));
    expect(limiter.stats().effectivePerSecond).toBeCloseTo((20 * 1000) / 1020, 5); // all 20 were ours: a lone desk loses nothing
    const clock2 = fakeClock();
    const shared = createRateLimiter({ perSecond: 20, perMinute: 100_000, clock: clock2, policy: { partFloor: false } });
    const few = await sendFor(shared, clock2, 320); // 7 grants, 51 ms apart
    expect(few).toHaveLength(7);
    shared.penalize(undefined, few.at(-1));
    expect(shared.stats().effectivePerSecond).toBeCloseTo((7 * 1000) / 1020, 5);
    const { times } = acquireMany(shared, clock2, 15);
    await clock2.advance(1200); // within the quiet time: still 7 slots
    expect(times.length).toBeGreaterThanOrEqual(7);
    // Paced at that rate (one every 1020 / 6.86 ms), and never more than floor(6.86) = 6 in any second-window: a run of 6 and a gap.
    const gaps = times.slice(1, 6).map((t, i) => t - (times[i] as number));
    for (const g of gaps) expect(Math.abs(g - (1020 * 1020) / 7000)).toBeLessThanOrEqual(1); // timers round up to the ms
    expect(maxInWindow(times, 1020)).toBe(6);
  });

  it('a desk that had sent one request into a full window is not slowed below a quarter of its rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, perMinute: 100_000, clock });
    const granted = await limiter.acquire();
    limiter.penalize(undefined, granted);
    expect(limiter.stats().effectivePerSecond).toBeCloseTo((5 * 1000) / 1020, 5);
  });

  it('a desk left alone is back at full rate within a few seconds of the last 429, however deep it was', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, perMinute: 100_000, clock });
    const granted = await limiter.acquire();
    limiter.penalize(undefined, granted); // 5 slots
    await clock.advance(1500);
    expect(limiter.stats().effectivePerSecond).toBeCloseTo((5 * 1000) / 1020, 5);
    await clock.advance(100);
    expect(limiter.stats().effectivePerSecond).toBeCloseTo((6 * 1000) / 1020, 5);
    await clock.advance(1500);
    expect(limiter.stats().effectivePerSecond).toBe(20);
  });

  it('is never stuck at the floor: 12 429s in a row with Retry-After: 1 leave one slot, and the desk is back at full rate within 4 s of the last pause', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, perMinute: 10_000, minPerSecond: 0.5, clock });
    let granted = (await sendFor(limiter, clock, 3000)).at(-1);
    for (let i = 0; i < 12; i++) {
      limiter.penalize(1000, granted); // Retry-After: 1, honoured exactly each time
      expect(limiter.stats().pausedForMs).toBe(1000);
      const before = clock.t;
      granted = await next(limiter, clock);
      expect(granted - before).toBeGreaterThanOrEqual(1000);
    }
    expect(limiter.stats().effectivePerSecond).toBeCloseTo(1000 / 1020, 5); // the floor while sharing: one slot
    limiter.reward();
    await clock.advance(4000);
    expect(limiter.stats().effectivePerSecond).toBe(5);
  });

  it("where the minute's limit binds first, 429s outliving three second-windows with nothing answered mean the shared minute window is full: the desk holds its counted part of it and takes the rest back slowly", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, perMinute: 200, clock });
    // 30 s at the minute's pace (3.3/s): ~100 of ours counted, then the server refuses everything.
    let granted = (await sendFor(limiter, clock, 30_000)).at(-1) as number;
    limiter.reward();
    const refusedFrom = clock.t;
    // (the back-off spaces them: none, 250 ms, 500 ms, 1 s, 2 s: the fifth comes ~3 s after the first)
    while (clock.t - refusedFrom < 6000) {
      limiter.penalize(undefined, granted);
      granted = await next(limiter, clock);
    }
    limiter.reward();
    // Held: about half the minute (the refused requests did not count), paced evenly, not in a burst.
    const after = await sendFor(limiter, clock, 60_000);
    expect(maxInWindow(after, 60_250)).toBeLessThanOrEqual(125); // ~100, and a little more as it climbs back (all of it before: 193)
    expect(maxInWindow(after, 60_250)).toBeGreaterThanOrEqual(90);
    expect(maxInWindow(after, 10_000)).toBeLessThanOrEqual(25); // not at the whole minute's pace (33) nor the second's (50)
    // No 429 for minutes: back at the whole minute (the others have left).
    await clock.advance(5 * 60_000);
    const later = await sendFor(limiter, clock, 60_000);
    expect(maxInWindow(later, 60_250)).toBeGreaterThanOrEqual(190);
  });

  it('the minute is not learned where the second binds first, nor from 429s that carry Retry-After', async () => {
    for (const [limits, retryAfter] of [[{ perSecond: 20, perMinute: 1200 }, undefined], [{ perSecond: 5, perMinute: 200 }, 1000]] as const) {
      const clock = fakeClock();
      const limiter = createRateLimiter({ ...limits, clock });
      let granted = (await sendFor(limiter, clock, 10_000)).at(-1) as number;
      const refusedFrom = clock.t;
      while (clock.t - refusedFrom < 6000) {
        limiter.penalize(retryAfter, granted);
        granted = await next(limiter, clock);
      }
      limiter.reward();
      await clock.advance(10_000); // the second's policy is back at full rate
      const after = await sendFor(limiter, clock, 60_000);
      expect(maxInWindow(after, 60_250)).toBeGreaterThanOrEqual(0.95 * limits.perMinute);
    }
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

  it('setLimits while sharing keeps the share and climbs towards the new rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 4, perMinute: 10_000, clock });
    limiter.penalize(undefined, await limiter.acquire()); // 1 of 4 slots
    const shared = limiter.stats().effectivePerSecond;
    limiter.setLimits({ perSecond: 8 });
    expect(limiter.stats().effectivePerSecond).toBe(shared);
    await clock.advance(20_000);
    expect(limiter.stats().effectivePerSecond).toBe(8);
  });
});

describe('rate limiter: lanes', () => {
  it('serves a person before any amount of queued batch and background work, within one grant interval', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 5, perMinute: 10_000, clock });
    const lower: Array<Promise<unknown>> = [];
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

  it('behind a background sync at the limit, a person at the desk is granted at once and the total stays within the limit', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, perMinute: 1200, clock });
    const grants: number[] = [];
    const background: Array<Promise<void>> = [];
    for (let i = 0; i < 400; i++) background.push(limiter.acquire({ lane: 'background' }).then(() => void grants.push(clock.now())));
    await clock.advance(2000); // the sync is flowing at the limit
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const asked = clock.now();
      void limiter.acquire({ lane: 'interactive' }).then(() => {
        grants.push(clock.now());
        waits.push(clock.now() - asked);
      });
      await clock.advance(130 + ((i * 37) % 150));
      expect(limiter.stats().queuedByLane.background).toBeGreaterThan(0);
    }
    expect(waits).toHaveLength(12);
    // The first look-up of a person who just arrived may wait for one slot; after that none waits.
    expect(waits[0]).toBeLessThanOrEqual(52);
    expect(waits.slice(1).every((w) => w === 0)).toBe(true);
    grants.sort((a, b) => a - b);
    expect(maxInWindow(grants, 1000)).toBeLessThanOrEqual(20);
  });

  it('gives background the whole rate when nobody is at the desk, and leaves a person one grant a second-window', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, perMinute: 1200, personActiveMs: 5000, clock });
    const times: number[] = [];
    for (let i = 0; i < 300; i++) void limiter.acquire({ lane: 'background' }).then(() => void times.push(clock.now()));
    await clock.advance(5000);
    // Alone: the full rate (1020 ms per 20 grants).
    expect(times.length).toBeGreaterThanOrEqual(Math.floor((5000 / 1020) * 20));
    let from = -1;
    void limiter.acquire({ lane: 'interactive' }).then(() => (from = clock.now()));
    await clock.advance(3000);
    expect(from).toBeGreaterThan(0);
    // A person is at the desk: 19 of every second-window, one left free.
    const during = times.filter((t) => t > from);
    expect(maxInWindow(during, 1020)).toBe(19);
    // Gone for personActiveMs: the sync has the whole rate again.
    await clock.advance(5000);
    const later = times.filter((t) => t > from + 5100);
    expect(maxInWindow(later, 1020)).toBe(20);
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

