/**
 * The one rate limiter shared by every Altegio call in the process (the composition root creates it
 * and hands it to the client, the batch engine, ...). Altegio allows 5 requests/s and 200/min per IP
 * (ALTEGIO.md §1.6); exceeding it answers 429.
 *
 * Policy
 * - Pacing (GCRA, i.e. a token bucket of capacity `burst`, default 1): grants are spread evenly,
 *   one every `max((1000 + secondMarginMs) / effectivePerSecond, (60000 + minuteMarginMs) / perMinute)` ms.
 *   With burst 1 the stream never bunches up, so a server counting by arrival time in a sliding
 *   window tolerates `secondMarginMs` of network jitter.
 * - Hard sliding windows on top (exact accounting of grant timestamps): never more than
 *   `floor(perSecond)` grants in any `1000 + secondMarginMs` ms, nor more than `perMinute` in any
 *   `60000 + minuteMarginMs` ms. These matter after `setLimits`, with `burst > 1`, or after a pause.
 * - FIFO: waiters are served strictly in arrival order; an aborted waiter leaves the queue.
 * - Adaptive (AIMD): `penalize(retryAfterMs?)` after a 429 pauses everyone (Retry-After if the server
 *   gave one, else 1 s, 2 s, 4 s … up to `backoffMaxMs`) and multiplies the effective rate by
 *   `decreaseFactor`. Several 429s arriving during one pause count as one (only the pause may be
 *   extended). `reward()` after each success: every `recoverAfter` successes in a row raise the
 *   effective rate by `recoverStep` req/s, up to the configured rate.
 *
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
  /** Floor of the adaptive rate. Default 0.2 req/s. */
  minPerSecond?: number;
  /** Multiplicative decrease on a 429. Default 0.5. */
  decreaseFactor?: number;
  /** Successes in a row before one additive increase. Default 10. */
  recoverAfter?: number;
  /** Additive increase, req/s. Default 0.5. */
  recoverStep?: number;
  /** First pause after a 429 without Retry-After. Default 1000 ms, doubling per consecutive 429. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  clock?: LimiterClock;
}

export interface RateLimiterStats {
  effectivePerSecond: number;
  /** Callers waiting in `acquire`. */
  queued: number;
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

export interface RateLimiter {
  /** Resolves when one request may be sent (FIFO). Rejects with the signal's reason if aborted. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** A 429 came back: pause everyone and slow down. */
  penalize(retryAfterMs?: number): void;
  /** A request succeeded (counts towards slow recovery after a penalty). */
  reward(): void;
  stats(): RateLimiterStats;
  setLimits(limits: Partial<RateLimits>): void;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const SECOND = 1000;
const MINUTE = 60_000;

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
  const minPerSecond = positive(options.minPerSecond, 0.2, 'minPerSecond');
  const decreaseFactor = Math.min(1, Math.max(0.05, options.decreaseFactor ?? 0.5));
  const recoverAfter = Math.max(1, Math.floor(options.recoverAfter ?? 10));
  const recoverStep = positive(options.recoverStep, 0.5, 'recoverStep');
  const backoffBase = positive(options.backoffBaseMs, 1000, 'backoffBaseMs');
  const backoffMax = positive(options.backoffMaxMs, 60_000, 'backoffMaxMs');

  let effective = perSecond;
  const queue: Waiter[] = [];
  /** Grant timestamps within the minute window (oldest first). */
  let grants: number[] = [];
  /** Theoretical arrival time of the next grant (GCRA). */
  let tat = Number.NEGATIVE_INFINITY;
  let pausedUntil = Number.NEGATIVE_INFINITY;
  let sent = 0;
  let penalties = 0;
  let penaltyStreak = 0;
  let successStreak = 0;
  let timer: unknown;
  let timerAt = Number.NaN;

  const secondWindow = () => SECOND + secondMargin;
  const minuteWindow = () => MINUTE + minuteMargin;
  const spacing = () => Math.max(secondWindow() / effective, minuteWindow() / perMinute);

  function prune(now: number): void {
    const cutoff = now - minuteWindow();
    let i = 0;
    while (i < grants.length && (grants[i] as number) <= cutoff) i++;
    if (i > 0) grants = grants.slice(i);
  }

  /** Earliest time the next grant may happen (may be in the past). */
  function nextAllowed(now: number): number {
    prune(now);
    let at = Math.max(tat - (burst - 1) * spacing(), pausedUntil);
    const secCap = Math.max(1, Math.floor(perSecond));
    // Grants inside the last second-window; if the cap is reached, wait for the oldest relevant one to age out.
    if (grants.length >= secCap) {
      const ref = grants[grants.length - secCap] as number;
      at = Math.max(at, ref + secondWindow());
    }
    const minCap = Math.max(1, Math.floor(perMinute));
    if (grants.length >= minCap) {
      const ref = grants[grants.length - minCap] as number;
      at = Math.max(at, ref + minuteWindow());
    }
    return at;
  }

  function grant(now: number): void {
    const w = queue.shift();
    if (!w) return;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    grants.push(now);
    // Timers fire a little late; while the queue is busy, don't let that lateness accumulate
    // (the hard second/minute windows above still bound any catch-up).
    const step = spacing();
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
      if (queue.length === 0) {
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
      timer = clock.setTimer(() => {
        timer = undefined;
        timerAt = Number.NaN;
        pump();
      }, Math.max(1, Math.ceil(at - now)));
      return;
    }
  }

  return {
    acquire(signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, signal, onAbort: undefined };
        if (signal) {
          w.onAbort = () => {
            const i = queue.indexOf(w);
            if (i >= 0) queue.splice(i, 1);
            reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
            pump();
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        queue.push(w);
        pump();
      });
    },

    penalize(retryAfterMs?: number): void {
      const now = clock.now();
      penalties++;
      successStreak = 0;
      const hinted = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : undefined;
      if (now < pausedUntil) {
        // Same burst of 429s (requests that were already in flight): extend the pause only.
        if (hinted !== undefined) pausedUntil = Math.max(pausedUntil, now + hinted);
        pump();
        return;
      }
      penaltyStreak++;
      const wait = hinted ?? Math.min(backoffMax, backoffBase * 2 ** (penaltyStreak - 1));
      pausedUntil = now + wait;
      effective = Math.max(Math.min(minPerSecond, perSecond), effective * decreaseFactor);
      pump();
    },

    reward(): void {
      penaltyStreak = 0;
      if (effective >= perSecond) {
        successStreak = 0;
        return;
      }
      successStreak++;
      if (successStreak >= recoverAfter) {
        successStreak = 0;
        effective = Math.min(perSecond, effective + recoverStep);
        pump();
      }
    },

    stats(): RateLimiterStats {
      const now = clock.now();
      prune(now);
      const cutoff = now - MINUTE;
      return {
        effectivePerSecond: effective,
        queued: queue.length,
        sent,
        penalties,
        perSecond,
        perMinute,
        sentLastMinute: grants.filter((t) => t > cutoff).length,
        pausedForMs: Math.max(0, pausedUntil - now),
      };
    },

    setLimits(limits: Partial<RateLimits>): void {
      const nextPerSecond = positive(limits.perSecond, perSecond, 'perSecond');
      const nextPerMinute = positive(limits.perMinute, perMinute, 'perMinute');
      const wasFull = effective >= perSecond;
      perSecond = nextPerSecond;
      perMinute = nextPerMinute;
      effective = wasFull ? perSecond : Math.min(effective, perSecond);
      // Re-space from now on with the new interval (the windows still hold the exact history).
      const now = clock.now();
      tat = Math.min(tat, now + spacing());
      pump();
    },
  };
}
