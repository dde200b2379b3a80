/**
 * The one rate limiter shared by every Altegio call in the process (the composition root creates it
 * and hands it to the client). Altegio allows 5 requests/s and 200/min per IP (ALTEGIO.md §1.6), so
 * several desks behind one office connection share that budget; exceeding it answers 429.
 *
 * Policy
 * - Pacing (GCRA, i.e. a token bucket of capacity `burst`, default 1): grants are spread evenly,
 *   one every `max((1000 + secondMarginMs) / rate, (60000 + minuteMarginMs) / perMinute)` ms.
 *   With burst 1 the stream never bunches up, so a server counting by arrival time in a sliding
 *   window tolerates `secondMarginMs` of network jitter.
 * - Hard sliding windows on top (exact accounting of grant timestamps): never more than
 *   `floor(perSecond)` grants in any `1000 + secondMarginMs` ms, nor more than `perMinute` in any
 *   `60000 + minuteMarginMs` ms. These matter after `setLimits`, with `burst > 1`, or after a pause.
 * - Lanes: every request waits in one of three lanes, FIFO within a lane.
 *   `interactive` (a person is waiting: search, a card, a desk write, undo) is always served first;
 *   `batch` (a batch check or apply a person started and watches) and `background` (index sync,
 *   nobody waiting) share what is left 3 : 1 when both wait, so neither starves. A person's request
 *   therefore waits at most one grant interval behind any amount of queued lower-lane work.
 * - After a 429 (`penalize(retryAfterMs?)`): everyone pauses — exactly `Retry-After` when the server
 *   gave one, else 1 s, 2 s, 4 s, 8 s (consecutive 429s without a success in between; at most
 *   `backoffMaxMs`) — and the rate drops to `decreaseFactor` × the current rate (not below
 *   `minPerSecond`). 429s arriving during one pause count once (they were already in flight).
 *   Recovery is by time, not by counting successes: from the end of the pause the rate climbs in a
 *   straight line back to the configured rate over `recoverMs` (default 15 s), whatever it fell to.
 *   Other desks sharing the IP keep the server's window full, so a 429 now and then is the price of
 *   taking back the share they leave; the limit itself is never exceeded by more than one request.
 *
 * All timing uses a monotonic clock (performance.now): a wall-clock jump cannot freeze or flood it.
 * Steady-state throughput is min(perSecond, perMinute / 60) minus ~2 % of margins.
 */

export interface LimiterClock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: LimiterClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Who is waiting for a request: see the header. */
export type Lane = 'interactive' | 'batch' | 'background';
export const LANES: readonly Lane[] = ['interactive', 'batch', 'background'];

export interface RateLimits {
  /** Requests per second (may be fractional). Default 5. */
  perSecond: number;
  /** Requests per sliding minute. Default 200. */
  perMinute: number;
}

export interface RateLimiterOptions extends Partial<RateLimits> {
  /** Token bucket capacity (how many may go back to back after idling). Default 1 = evenly spaced. */
  burst?: number;
  /** Extra spacing per second-window, absorbs arrival jitter. Default 20 ms. */
  secondMarginMs?: number;
  /** Extra length of the minute window. Default 250 ms. */
  minuteMarginMs?: number;
  /** Floor of the adaptive rate. Default 0.5 req/s. */
  minPerSecond?: number;
  /** Multiplicative decrease on a 429. Default 0.5. */
  decreaseFactor?: number;
  /** Time from the end of a pause back to the configured rate. Default 15000 ms. */
  recoverMs?: number;
  /** First pause after a 429 without Retry-After. Default 1000 ms, doubling per consecutive 429. */
  backoffBaseMs?: number;
  /**
   * Longest pause without Retry-After. Default 8000 ms: a server that keeps refusing is asked again
   * every 8 s (one request each time), never left for minutes; the rate itself climbs back by time.
   */
  backoffMaxMs?: number;
  clock?: LimiterClock;
}

export interface RateLimiterStats {
  /** The adaptive rate now (req/s). */
  effectivePerSecond: number;
  /** Callers waiting in `acquire`, all lanes. */
  queued: number;
  queuedByLane: Record<Lane, number>;
  /** Grants since creation. */
  sent: number;
  /** 429s reported through `penalize`. */
  penalties: number;
  perSecond: number;
  perMinute: number;
  /** Grants within the current minute window. */
  sentLastMinute: number;
  /** Remaining pause after a 429, 0 when not paused. */
  pausedForMs: number;
}

export interface AcquireOptions {
  /** Default `interactive`. */
  lane?: Lane;
  /** Leave the queue when aborted (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface RateLimiter {
  /** Resolves when one request may be sent. */
  acquire(options?: AcquireOptions): Promise<void>;
  /** A 429 came back: pause everyone and slow down. */
  penalize(retryAfterMs?: number): void;
  /** A request was answered (not 429): the next 429 starts the backoff from its base again. */
  reward(): void;
  stats(): RateLimiterStats;
  setLimits(limits: Partial<RateLimits>): void;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  lane: Lane;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const SECOND = 1000;
const MINUTE = 60_000;
/** Of every 4 grants going to the lower lanes while both wait, 3 go to `batch`. */
const BATCH_SHARE = 3;

function positive(n: number | undefined, fallback: number, name: string): number {
  if (n === undefined) return fallback;
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number`);
  return n;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const clock = options.clock ?? realClock;
  let perSecond = positive(options.perSecond, 5, 'perSecond');
  let perMinute = positive(options.perMinute, 200, 'perMinute');
  const burst = Math.max(1, Math.floor(options.burst ?? 1));
  const secondMargin = Math.max(0, options.secondMarginMs ?? 20);
  const minuteMargin = Math.max(0, options.minuteMarginMs ?? 250);
  const minPerSecond = positive(options.minPerSecond, 0.5, 'minPerSecond');
  const decreaseFactor = Math.min(1, Math.max(0.05, options.decreaseFactor ?? 0.5));
  const recoverMs = positive(options.recoverMs, 15_000, 'recoverMs');
  const backoffBase = positive(options.backoffBaseMs, 1000, 'backoffBaseMs');
  const backoffMax = positive(options.backoffMaxMs, 8000, 'backoffMaxMs');

  const queues: Record<Lane, Waiter[]> = { interactive: [], batch: [], background: [] };
  /** Lower-lane grants since `background` last had one (weighted round robin). */
  let batchRun = 0;
  /** Grant timestamps within the minute window (oldest first). */
  let grants: number[] = [];
  /** Theoretical arrival time of the next grant (GCRA). */
  let tat = Number.NEGATIVE_INFINITY;
  let pausedUntil = Number.NEGATIVE_INFINITY;
  /** The rate right after the last 429, and when the climb back from it starts (end of that pause). */
  let lowRate = perSecond;
  let climbFrom = Number.NEGATIVE_INFINITY;
  let sent = 0;
  let penalties = 0;
  let penaltyStreak = 0;
  let timer: unknown;
  let timerAt = Number.NaN;

  /** The adaptive rate at `now`: low during a pause, then a straight line back up over recoverMs. */
  function rateAt(now: number): number {
    if (lowRate >= perSecond) return perSecond;
    if (now <= climbFrom) return lowRate;
    const climbed = lowRate + ((perSecond - lowRate) * (now - climbFrom)) / recoverMs;
    if (climbed >= perSecond) {
      lowRate = perSecond;
      return perSecond;
    }
    return climbed;
  }

  const secondWindow = () => SECOND + secondMargin;
  const minuteWindow = () => MINUTE + minuteMargin;
  const spacing = (now: number) => Math.max(secondWindow() / rateAt(now), minuteWindow() / perMinute);
  const queued = () => queues.interactive.length + queues.batch.length + queues.background.length;

  function prune(now: number): void {
    const cutoff = now - minuteWindow();
    let i = 0;
    while (i < grants.length && (grants[i] as number) <= cutoff) i++;
    if (i > 0) grants = grants.slice(i);
  }

  /** Earliest time the next grant may happen (may be in the past). */
  function nextAllowed(now: number): number {
    prune(now);
    let at = Math.max(tat - (burst - 1) * spacing(now), pausedUntil);
    const secCap = Math.max(1, Math.floor(perSecond));
    // Grants inside the last second-window; if the cap is reached, wait for the oldest relevant one to age out.
    if (grants.length >= secCap) at = Math.max(at, (grants[grants.length - secCap] as number) + secondWindow());
    const minCap = Math.max(1, Math.floor(perMinute));
    if (grants.length >= minCap) at = Math.max(at, (grants[grants.length - minCap] as number) + minuteWindow());
    return at;
  }

  /** The waiter served next: interactive first, then batch and background 3 : 1. */
  function nextWaiter(): Waiter | undefined {
    if (queues.interactive.length > 0) return queues.interactive.shift();
    const batch = queues.batch.length > 0;
    const background = queues.background.length > 0;
    if (batch && (!background || batchRun < BATCH_SHARE)) {
      if (background) batchRun++;
      return queues.batch.shift();
    }
    batchRun = 0;
    return queues.background.shift();
  }

  function grant(now: number): void {
    const w = nextWaiter();
    if (!w) return;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    grants.push(now);
    // Timers fire a little late; while the queue is busy, don't let that lateness accumulate
    // (the hard second/minute windows above still bound any catch-up).
    const step = spacing(now);
    tat = (now - tat <= step ? tat : now) + step;
    sent++;
    w.resolve();
  }

  function clearTimer(): void {
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
    timerAt = Number.NaN;
  }

  function pump(): void {
    for (;;) {
      if (queued() === 0) {
        clearTimer();
        return;
      }
      const now = clock.now();
      const at = nextAllowed(now);
      if (at <= now) {
        grant(now);
        continue;
      }
      if (timer !== undefined && timerAt === at) return;
      clearTimer();
      timerAt = at;
      // Timers may fire a hair early relative to the clock: pump re-checks and re-arms.
      timer = clock.setTimer(
        () => {
          timer = undefined;
          timerAt = Number.NaN;
          pump();
        },
        Math.max(1, Math.ceil(at - now)),
      );
      return;
    }
  }

  return {
    acquire(opts: AcquireOptions = {}): Promise<void> {
      const { signal } = opts;
      const lane: Lane = opts.lane ?? 'interactive';
      if (!LANES.includes(lane)) return Promise.reject(new RangeError(`unknown lane ${String(lane)}`));
      if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, lane, signal, onAbort: undefined };
        if (signal) {
          w.onAbort = () => {
            const q = queues[lane];
            const i = q.indexOf(w);
            if (i >= 0) q.splice(i, 1);
            reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
            pump();
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        queues[lane].push(w);
        pump();
      });
    },

    penalize(retryAfterMs?: number): void {
      const now = clock.now();
      penalties++;
      const hinted = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : undefined;
      if (now < pausedUntil) {
        // Same burst of 429s (requests that were already in flight): extend the pause only.
        if (hinted !== undefined) pausedUntil = Math.max(pausedUntil, now + hinted);
        climbFrom = Math.max(climbFrom, pausedUntil);
        pump();
        return;
      }
      penaltyStreak++;
      const wait = hinted ?? Math.min(backoffMax, backoffBase * 2 ** (penaltyStreak - 1));
      lowRate = Math.max(Math.min(minPerSecond, perSecond), rateAt(now) * decreaseFactor);
      pausedUntil = now + wait;
      climbFrom = pausedUntil;
      pump();
    },

    reward(): void {
      penaltyStreak = 0;
    },

    stats(): RateLimiterStats {
      const now = clock.now();
      prune(now);
      const cutoff = now - MINUTE;
      return {
        effectivePerSecond: rateAt(now),
        queued: queued(),
        queuedByLane: { interactive: queues.interactive.length, batch: queues.batch.length, background: queues.background.length },
        sent,
        penalties,
        perSecond,
        perMinute,
        sentLastMinute: grants.filter((t) => t > cutoff).length,
        pausedForMs: Math.max(0, pausedUntil - now),
      };
    },

    setLimits(limits: Partial<RateLimits>): void {
      const now = clock.now();
      const current = rateAt(now);
      const climbing = lowRate < perSecond;
      perSecond = positive(limits.perSecond, perSecond, 'perSecond');
      perMinute = positive(limits.perMinute, perMinute, 'perMinute');
      // A climb in progress continues towards the new rate from where it is now; at full rate, the new rate is the rate.
      if (climbing && current < perSecond) {
        lowRate = Math.min(current, perSecond);
        climbFrom = Math.max(now, climbFrom);
      } else lowRate = perSecond;
      // Re-space from now on with the new interval (the windows still hold the exact history).
      tat = Math.min(tat, now + spacing(now));
      pump();
    },
  };
}
