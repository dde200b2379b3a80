/**
 * A fake-clock model of the shared-ip bench (issue 10), for unit tests and for tuning the limiter's
 * rate control at unit-test speed (test/bench/shared-ip-sim.ts): N desks, each with its own real
 * limiter (`createRateLimiter` on one fake clock) believing it has the whole limit, send through ONE
 * sliding-window limit (the sandbox's own `SlidingWindowLimiter`). Each desk runs `workers` batch
 * workers while a person searches every `searchEveryMs` (interactive lane); a 429 is reported to the
 * limiter and retried, as the client does. Latencies are drawn from a seeded PRNG (loopback HTTP on a
 * busy machine: a few ms each way, now and then tens of ms), so a run is reproducible from its seed.
 */
import { createRateLimiter, type RateLimiterOptions } from '../../main/core/altegio/rate-limiter';
import { createRng } from '../../main/sandbox/prng';
import { SlidingWindowLimiter } from '../../main/sandbox/rate-limit';
import { fakeClock } from './fake-clock';

export interface SimOptions {
  desks: number;
  /** The shared limit, requests per second. */
  limit: number;
  /** The shared limit per minute. Default 60 × limit (the second's limit binds). */
  perMinute?: number;
  /** The run stops here at the latest. */
  seconds: number;
  /** Batch workers per desk (the runner's concurrency). Default 8. */
  workers?: number;
  /** Each desk's batch is this many accepted requests (then it stops; the run ends when all have). Without it the desks run until `seconds`. */
  work?: number | readonly number[];
  /** Desk d starts d × staggerMs after the first. */
  staggerMs?: number;
  /** A person searches this often at every desk (ms between the answer and the next search). Default 1500. */
  searchEveryMs?: number;
  /** Latency model: uniform [min, max] ms each way, and with probability `spike` a further uniform [0, spikeMs]. */
  upMs?: readonly [number, number];
  downMs?: readonly [number, number];
  spike?: number;
  spikeMs?: number;
  seed?: number;
  /** Each desk's limiter believes the limit is this (default `limit`): an oracle that knows its share. */
  deskRate?: number;
  /** The limiter's options at every desk (the limit is set from `limit`). */
  limiter?: Partial<RateLimiterOptions>;
}

export interface SimResult {
  /** Accepted per second, all desks, from the start to the end of the last batch (or `seconds`). */
  combined: number;
  ratio: number;
  seconds: number;
  /** When each desk's batch ended (s), or the run's end. */
  finished: number[];
  /** Accepted per second per desk over the second half of the run (until the first desk finished when `work` is set). */
  shares: number[];
  rejected: number;
  refusedShare: number;
  searchP95: number[];
  /** Per second: accepted (all desks), refused (all desks) and each desk's rate at the end of it. */
  trace: Array<{ accepted: number; refused: number; rates: number[] }>;
}

export async function simulate(o: SimOptions): Promise<SimResult> {
  const clock = fakeClock();
  const rng = createRng(o.seed ?? 1);
  const perMinute = o.perMinute ?? o.limit * 60;
  const server = new SlidingWindowLimiter({ perSecond: o.limit, perMinute }, () => clock.now());
  const end = o.seconds * 1000;
  const n = o.desks;
  const workOf = (d: number) => (o.work === undefined ? Number.POSITIVE_INFINITY : typeof o.work === 'number' ? o.work : (o.work[d] ?? 0));
  const left = Array.from({ length: n }, (_, d) => workOf(d));
  const finished: number[] = Array.from({ length: n }, () => Number.NaN);
  const accepted: number[][] = Array.from({ length: n }, () => []);
  const refusedAt: number[] = [];
  const searches: number[][] = Array.from({ length: n }, () => []);
  const limiters = Array.from({ length: n }, () => createRateLimiter({ ...o.limiter, perSecond: o.deskRate ?? o.limit, perMinute, clock }));
  const [upMin, upMax] = o.upMs ?? [1, 6];
  const [downMin, downMax] = o.downMs ?? [3, 20];
  const latency = (min: number, max: number) => min + rng.next() * (max - min) + (rng.chance(o.spike ?? 0.01) ? rng.next() * (o.spikeMs ?? 40) : 0);
  const allDone = () => finished.every((t) => !Number.isNaN(t));
  /** One request, retried on 429; resolves when it was accepted. */
  const request = async (d: number, lane: 'interactive' | 'batch') => {
    const limiter = limiters[d]!;
    for (;;) {
      const granted = await limiter.acquire({ lane });
      await clock.sleep(latency(upMin, upMax));
      const ok = server.tryAcquire().ok;
      await clock.sleep(latency(downMin, downMax));
      if (ok) {
        limiter.reward();
        accepted[d]!.push(clock.now());
        return;
      }
      refusedAt.push(clock.now());
      limiter.penalize(undefined, granted);
    }
  };
  const trace: SimResult['trace'] = [];
  let lastAccepted = 0;
  let lastRefused = 0;
  void (async () => {
    while (clock.now() < end && !allDone()) {
      await clock.sleep(1000);
      const a = accepted.reduce((s, xs) => s + xs.length, 0);
      trace.push({ accepted: a - lastAccepted, refused: refusedAt.length - lastRefused, rates: limiters.map((l) => Number(l.stats().effectivePerSecond.toFixed(2))) });
      lastAccepted = a;
      lastRefused = refusedAt.length;
    }
  })();
  for (let d = 0; d < n; d++) {
    const start = d * (o.staggerMs ?? 0);
    let running = o.workers ?? 8;
    for (let w = 0; w < (o.workers ?? 8); w++)
      void (async () => {
        await clock.sleep(start);
        while (clock.now() < end && left[d]! > 0) {
          left[d]!--;
          await request(d, 'batch');
        }
        if (--running === 0) finished[d] = Math.min(clock.now(), end);
      })();
    void (async () => {
      await clock.sleep(start);
      while (clock.now() < end && Number.isNaN(finished[d]!)) {
        const s = clock.now();
        await request(d, 'interactive');
        searches[d]!.push(clock.now() - s);
        await clock.sleep(o.searchEveryMs ?? 1500);
      }
    })();
  }
  for (let t = 0; t < end + 5000 && !allDone(); t += 1000) await clock.advance(1000);
  const last = allDone() ? Math.max(...finished) : end;
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.95) - 1)] ?? 0;
  const firstDone = o.work === undefined ? end : Math.min(...finished.map((t) => (Number.isNaN(t) ? end : t)));
  const within = (from: number, to: number) => accepted.map((xs) => xs.filter((t) => t > from && t <= to).length / Math.max(0.001, (to - from) / 1000));
  const total = accepted.reduce((s, xs) => s + xs.filter((t) => t <= last).length, 0);
  const combined = total / (last / 1000);
  return {
    combined,
    ratio: combined / Math.min(o.limit, perMinute / 60),
    seconds: last / 1000,
    finished: finished.map((t) => (Number.isNaN(t) ? end : t) / 1000),
    shares: within(firstDone / 2, firstDone),
    rejected: refusedAt.length,
    refusedShare: refusedAt.length / Math.max(1, refusedAt.length + total),
    searchP95: searches.map(p95),
    trace,
  };
}
