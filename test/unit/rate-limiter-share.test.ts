/**
 * The limiter's rate control against a shared per-IP limit (issue 10), logic only: N desks, each
 * with its own limiter believing it has the whole limit, send through ONE sliding-window limit (the
 * sandbox's own `SlidingWindowLimiter`), all on one fake clock. Each desk runs batch workers flat
 * out while a person searches every 1.5 s (interactive lane); a 429 is retried, as the client does.
 */
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { SlidingWindowLimiter } from '../../main/sandbox/rate-limit';
import { fakeClock } from '../support/fake-clock';
import { simulate as simulateBench } from '../support/shared-ip-sim';

interface SimOptions {
  desks: number;
  /** The shared limit, requests per second. */
  limit: number;
  /** The shared limit per minute. Default 60 × limit (the second's limit binds). */
  perMinute?: number;
  seconds: number;
  workers?: number;
  /** Milliseconds from grant to the server, and from the server's decision back to the desk. */
  upMs?: number;
  downMs?: number;
  /** Desks start one after the other, this far apart. */
  staggerMs?: number;
  /** Each desk's batch is this many requests (then it stops; the run ends when all have). */
  work?: number;
}

interface DeskResult {
  accepted: number[];
  rejected: number;
  searches: number[];
}

async function simulate(o: SimOptions) {
  const clock = fakeClock();
  const server = new SlidingWindowLimiter({ perSecond: o.limit, perMinute: o.perMinute ?? o.limit * 60 }, () => clock.now());
  const end = o.seconds * 1000;
  const desks: DeskResult[] = [];
  const left = Array.from({ length: o.desks }, () => o.work ?? 0);
  let finished: number | undefined;
  const limiters = Array.from({ length: o.desks }, () => createRateLimiter({ perSecond: o.limit, perMinute: o.perMinute ?? o.limit * 60, clock }));
  /** One request, retried on 429; resolves when it was accepted. */
  const request = async (d: number, lane: 'interactive' | 'batch') => {
    const limiter = limiters[d]!;
    const r = desks[d]!;
    for (;;) {
      const granted = await limiter.acquire({ lane });
      await clock.sleep(o.upMs ?? 2);
      const ok = server.tryAcquire().ok;
      await clock.sleep(o.downMs ?? 15);
      if (ok) {
        limiter.reward();
        r.accepted.push(clock.now());
        return;
      }
      r.rejected++;
      limiter.penalize(undefined, granted);
    }
  };
  for (let d = 0; d < o.desks; d++) {
    desks.push({ accepted: [], rejected: 0, searches: [] });
    const start = d * (o.staggerMs ?? 0);
    for (let w = 0; w < (o.workers ?? 4); w++)
      void (async () => {
        await clock.sleep(start);
        while (clock.now() < end && (o.work === undefined || left[d]! > 0)) {
          left[d]!--;
          await request(d, 'batch');
        }
        if (o.work !== undefined && left.every((n) => n <= 0) && finished === undefined) finished = clock.now();
      })();
    void (async () => {
      await clock.sleep(start + 700);
      while (clock.now() < end && finished === undefined) {
        const s = clock.now();
        await request(d, 'interactive');
        desks[d]!.searches.push(clock.now() - s);
        await clock.sleep(1500);
      }
    })();
  }
  await clock.advance(end + 5000);
  const within = (from: number, to: number) => desks.map((r) => r.accepted.filter((t) => t > from && t <= to).length / ((to - from) / 1000));
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.95) - 1)] ?? 0;
  return {
    /** Accepted per second over the whole run (until the last batch ended), all desks. */
    combined: within(0, finished ?? end).reduce((a, b) => a + b, 0),
    seconds: (finished ?? end) / 1000,
    /** Accepted per second per desk over the second half. */
    shares: within(end / 2, end),
    rejected: desks.reduce((a, r) => a + r.rejected, 0),
    searchP95: desks.map((r) => p95(r.searches)),
  };
}

describe('rate limiter: desks sharing one per-IP limit (fake clock)', () => {
  it('three desks at 20/s, each believing it has all of it: combined >= 0.9x the limit, each near a third, few 429s, searches quick', async () => {
    const r = await simulate({ desks: 3, limit: 20, seconds: 60 });
    expect(r.combined).toBeGreaterThanOrEqual(0.9 * 20);
    for (const share of r.shares) expect(share).toBeGreaterThan(0.6 * (20 / 3));
    expect(r.rejected / 60).toBeLessThan(3); // of ~18 accepted a second: <= ~14 % of requests refused
    for (const p of r.searchP95) expect(p).toBeLessThan(1000);
  });

  it('three batches of 170 requests at 20/s finish in <= 1 / 0.89 of the ideal time (start and tail included)', async () => {
    const r = await simulate({ desks: 3, limit: 20, seconds: 120, work: 170 });
    // Was 0.87 when a second round of 429s paused 500 ms and the third 1 s at the start, and a desk left alone took 6 s to climb back.
    expect(r.combined).toBeGreaterThanOrEqual(0.89 * 20);
  });

  it("Altegio's own limit (5/s, 200/min per IP) shared by three desks: the minute's budget is used, nobody starves, searches < 3 s", async () => {
    const r = await simulate({ desks: 3, limit: 5, perMinute: 200, seconds: 180 });
    expect(r.combined).toBeGreaterThanOrEqual(0.95 * (200 / 60));
    for (const share of r.shares) expect(share).toBeGreaterThan(0.5 * (200 / 60 / 3));
    // The desks do not learn the minute's share (only the second's): a window used up refuses everyone until it slides.
    for (const p of r.searchP95) expect(p).toBeLessThan(3000);
  });

  it('the shared-ip bench on a fake clock (three desks, 170 requests each at 20/s, 8 workers, loopback jitter): >= 0.91x the limit on average over four seeds, < 12 % refused, searches < 1 s', async () => {
    // The AIMD rule before rate-policy.ts: 0.89x here with 13 % refused (the real bench: 0.85-0.89x, 12-13 %).
    const runs = [];
    for (let seed = 1; seed <= 4; seed++) runs.push(await simulateBench({ desks: 3, limit: 20, seconds: 120, work: 170, seed }));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(runs.map((r) => r.ratio))).toBeGreaterThanOrEqual(0.91);
    expect(mean(runs.map((r) => r.refusedShare))).toBeLessThan(0.12);
    for (const r of runs) for (const p of r.searchP95) expect(p).toBeLessThan(1000);
  });

  it('desks sharing converge to near-equal shares: three and five desks at 20/s, and three at 5/s, every desk >= 0.6-0.7x the mean share in every seed', async () => {
    // The rule before (429s counted alike; every one below six slots) measured 11 / 6.9 / 1.2 requests a second with three desks (min 0.13x the mean), and 0.24-0.47x with five.
    const minPart = (shares: number[]) => Math.min(...shares) / (shares.reduce((a, b) => a + b, 0) / shares.length);
    for (let seed = 1; seed <= 4; seed++) {
      for (const desks of [3, 5]) {
        const r = await simulateBench({ desks, limit: 20, seconds: 60, seed });
        expect(minPart(r.shares), `${desks} desks, seed ${seed}: ${r.shares.map((x) => x.toFixed(1)).join(' / ')}`).toBeGreaterThanOrEqual(0.6);
        expect(r.ratio).toBeGreaterThanOrEqual(0.93);
      }
      // Altegio's 5/s (the minute's limit out of the way): slots are coarse, one desk used to be starved of most.
      const a = await simulateBench({ desks: 3, limit: 5, perMinute: 100_000, seconds: 60, seed });
      expect(minPart(a.shares), `5/s, seed ${seed}: ${a.shares.map((x) => x.toFixed(2)).join(' / ')}`).toBeGreaterThanOrEqual(0.7);
      for (const p of a.searchP95) expect(p).toBeLessThan(2500);
    }
  });

  it('three desks meeting at 20/s keep at least their part of the window (20 / 3 rounded up): every desk >= 0.85x the mean share in every seed, the slow-network bench >= 0.915x on average', async () => {
    // Before: the desk a 429 hit most gave slots up below its part (7 / 7 / 6 a window, or worse), shares 0.68x the mean (seed 3), and it finished last alone; slow bench 0.906x (seeds 1-8).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratios = [];
    for (let seed = 1; seed <= 8; seed++) {
      const r = await simulateBench({ desks: 3, limit: 20, seconds: 60, seed });
      expect(Math.min(...r.shares) / mean(r.shares), `seed ${seed}: ${r.shares.map((x) => x.toFixed(1)).join(' / ')}`).toBeGreaterThanOrEqual(0.85);
      ratios.push((await simulateBench({ desks: 3, limit: 20, seconds: 120, work: 170, seed, upMs: [2, 15], downMs: [5, 40], spike: 0.08, spikeMs: 120 })).ratio);
    }
    expect(mean(ratios), ratios.map((x) => x.toFixed(3)).join(' ')).toBeGreaterThanOrEqual(0.915);
  });

  it("at Altegio's real limits (5/s, 200/min) three desks run full into the minute window once, then pace it: never 3 s without an answer after that, searches p95 < 2 s", async () => {
    // Before the desks learned their part of the minute: 45 s at 5/s, then 15 s in which nothing (not even a search) got through, every minute; search p95 up to 3.1 s.
    for (let seed = 1; seed <= 4; seed++) {
      const r = await simulateBench({ desks: 3, limit: 5, perMinute: 200, seconds: 180, seed });
      let run = 0;
      let longest = 0;
      for (const t of r.trace.slice(80, 175)) longest = Math.max(longest, (run = t.accepted === 0 ? run + 1 : 0));
      expect(longest, `seed ${seed}: ${r.trace.map((t) => t.accepted).join('')}`).toBeLessThan(3);
      for (const p of r.searchP95) expect(p).toBeLessThan(2000);
      expect(r.ratio).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('a lone desk at 20/s: nothing is refused and it uses >= 0.95x the limit', async () => {
    const r = await simulate({ desks: 1, limit: 20, seconds: 30 });
    expect(r.rejected).toBe(0);
    expect(r.combined).toBeGreaterThanOrEqual(0.95 * 20);
  });
});
