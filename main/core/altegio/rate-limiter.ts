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
 *   `interactive` (a person is waiting: search, a card, a desk write, undo) is always served first:
 *   while one waits, no other lane is granted anything. `batch` (a batch check or apply a person
 *   started and watches) and `background` (index sync, nobody waiting) share what is left 3 : 1
 *   when both wait, so neither starves.
 *   A person's requests are paced among themselves only (their own GCRA clock), not behind the
 *   lower lanes' last grant, and while a person is active (an interactive request within the last
 *   `personActiveMs`, default 20 s) `background` leaves one grant of each hard window free for them
 *   (`floor(perSecond) - 1` a second-window, `perMinute - 1` a minute-window). So behind a sync
 *   running at the limit a person's look-up is granted at once, not one grant interval later; with
 *   nobody at the desk the sync has the whole rate. Every grant (any lane) still counts in the
 *   windows and pushes the lower lanes' pacing back one slot, so the total never exceeds the limit.
 *   Behind `batch` work a person waits at most one grant interval.
 * - Rate control after a 429 (`penalize(retryAfterMs?, grantedAt?)`): rate-policy.ts decides the
 *   rate (Altegio's limit is per IP: a 429 while our own pace is within the limit means other desks
 *   fill the window; the policy holds a whole number of slots per second-window, a little over the
 *   share it learns, instead of an AIMD sawtooth). The hard second-window follows that rate too
 *   (`floor` of it). When the rate drops, the next grant waits one interval at the new rate.
 * - Pause (everyone waits) after a 429: exactly `Retry-After` when the server gave one. Without it:
 *   none on the first 429 of a streak (429s with no answered request between; a 429 for a request
 *   granted before we last reacted to one was sent at the old pace: the same round). Further rounds
 *   within a second-window of the streak's first 429 pause `backoffBaseMs` (250 ms), then 500 ms
 *   each (the server's window still holds what every desk sent before); rounds after that window
 *   double on: 1 s, 2 s, … up to `backoffMaxMs` (a server refusing everything). The policy's climb
 *   stands still during a pause. While sharing, the minute's budget is paced at the same share.
 * - The minute's share: where the minute's limit binds before the second's (Altegio: 200/min is
 *   3.3/s, under 5/s), desks each pacing the whole minute fill the shared minute window and then
 *   nobody gets an answer until it slides. 429s for three second-windows in a row with nothing
 *   answered (and no Retry-After) are read as that: the desk then holds the part of the minute
 *   window the server counted as ours (refused requests not counted), paced evenly, and takes the
 *   rest back slowly while no 429 comes (all of it within ~3 quiet minutes).
 *
 * Measured (shared-ip bench, 3 desks at 20/s; fake-clock model: test/bench/shared-ip-sim.ts): see
 * the commits that set the policy. Assumed: a refused request does not count in the server's
 * window (the sandbox's model; Altegio documents nothing either way, ALTEGIO.md §1.6): desks hold
 * a little more than their share, and refusals cost only the retries.
 *
 * All timing uses a monotonic clock (performance.now): a wall-clock jump cannot freeze or flood it.
 * Steady-state throughput is min(perSecond, perMinute / 60) minus ~2 % of margins.
 */

import { createRatePolicy, type RatePolicyOptions } from './rate-policy';

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
  /** The rate control after 429s (rate-policy.ts); its defaults there. */
  policy?: Omit<RatePolicyOptions, 'perSecond' | 'minPerSecond' | 'windowMs'>;
  /**
   * Pause after the second round of a 429 streak without Retry-After (the first has none). Default
   * 250 ms, then 500 ms within a second-window of the streak's start, doubling after it (see the header).
   */
  backoffBaseMs?: number;
  /**
   * Longest pause without Retry-After. Default 8000 ms: a server that keeps refusing is asked again
   * every 8 s (one request each time), never left for minutes.
   */
  backoffMaxMs?: number;
  /** How long after a person's last request `background` keeps a grant free for them. Default 20000 ms. */
  personActiveMs?: number;
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
  /** Resolves when one request may be sent, with the grant's time on the limiter's clock. */
  acquire(options?: AcquireOptions): Promise<number>;
  /**
   * A 429 came back for the request granted at `grantedAt` (what `acquire` resolved with; without
   * it, the latest grant is assumed): pause and slow down as the header says.
   */
  penalize(retryAfterMs?: number, grantedAt?: number): void;
  /** A request was answered (not 429): the next 429 starts the backoff from its base again. */
  reward(): void;
  stats(): RateLimiterStats;
  setLimits(limits: Partial<RateLimits>): void;
}

interface Waiter {
  resolve: (grantedAt: number) => void;
  reject: (e: unknown) => void;
  lane: Lane;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const SECOND = 1000;
const MINUTE = 60_000;
/** Of every 4 grants going to the lower lanes while both wait, 3 go to `batch`. */
const BATCH_SHARE = 3;
/**
 * A learned part of the minute window grows back while no 429 comes, by this × (quiet minutes)²
 * of the whole limit: slowly at first (the desks together hold about all of it, and one that
 * took more would fill it again), all of it within ~3 quiet minutes (the others have left;
 * fake-clock model: two of three desks leave, the third is back at the whole minute within 2-3
 * minutes). A linear 0.1 a minute filled the window again every two minutes.
 */
const MINUTE_RETURN = 0.1;
/** A learned part of the minute window is never less than this (a desk that had sent little when it ran full). */
const MINUTE_SHARE_FLOOR = 0.25;
/** Refused this many second-windows in a row, with nothing answered: the minute window is full. */
const MINUTE_FULL_WINDOWS = 3;

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
  const backoffBase = positive(options.backoffBaseMs, 250, 'backoffBaseMs');
  const backoffMax = positive(options.backoffMaxMs, 8000, 'backoffMaxMs');
  const personActiveMs = positive(options.personActiveMs, 20_000, 'personActiveMs');

  const queues: Record<Lane, Waiter[]> = { interactive: [], batch: [], background: [] };
  /** Lower-lane grants since `background` last had one (weighted round robin). */
  let batchRun = 0;
  /** Grant timestamps within the minute window (oldest first). */
  let grants: number[] = [];
  /** Theoretical arrival time of the next grant (GCRA) for the lower lanes: every grant advances it. */
  let tat = Number.NEGATIVE_INFINITY;
  /** The same for a person's requests: only interactive grants advance it. */
  let personTat = Number.NEGATIVE_INFINITY;
  /** When a person last asked (interactive acquire or grant). */
  let personAt = Number.NEGATIVE_INFINITY;
  let pausedUntil = Number.NEGATIVE_INFINITY;
  const policy = createRatePolicy({ ...options.policy, perSecond, minPerSecond, windowMs: SECOND + secondMargin });
  /** When a 429 last changed the rate or the pause: 429s for requests granted before are the same round. */
  let reactedAt = Number.NEGATIVE_INFINITY;
  const rateAt = (now: number) => policy.rateAt(now);
  let sent = 0;
  let penalties = 0;
  /** 429s since the last answered request (each one counted once, see the header). */
  let penaltyStreak = 0;
  /** When the streak's first 429 came. */
  let streakAt = Number.NEGATIVE_INFINITY;
  /** The exponent of the streak's next pause (see penalize). */
  let pausedRounds = 0;
  let timer: unknown;
  let timerAt = Number.NaN;

  const secondWindow = () => SECOND + secondMargin;
  const minuteWindow = () => MINUTE + minuteMargin;
  /**
   * Our part of the minute window the desks share, learned when it ran full (see penalize): 1
   * until then; it grows back while no 429 comes (`MINUTE_RETURN`), and any 429 stops that climb
   * where it is.
   */
  let minuteShare = 1;
  let minuteClimbFrom = Number.NEGATIVE_INFINITY;
  const minuteShareAt = (now: number) => Math.min(1, minuteShare + MINUTE_RETURN * ((now - minuteClimbFrom) / MINUTE) ** 2);
  /** Grant times (within the minute window) whose request was refused: the server did not count them. */
  let refusedGrants: number[] = [];
  /**
   * While sharing, the minute's budget is paced at the same share as the second's (the policy only
   * sees the second-window; our share of it is the best guess of our share of the minute), or at
   * the part of the minute we learned if that is less: desks that each paced the whole minute used
   * it up in 40 s and were all refused for the next 20.
   */
  const minuteShareFor = (now: number) => Math.min(minuteShareAt(now), rateAt(now) / perSecond);
  const spacing = (now: number) => Math.max(secondWindow() / rateAt(now), minuteWindow() / (perMinute * Math.min(1, minuteShareFor(now))));
  const queued = () => queues.interactive.length + queues.batch.length + queues.background.length;

  function prune(now: number): void {
    const cutoff = now - minuteWindow();
    let i = 0;
    while (i < grants.length && (grants[i] as number) <= cutoff) i++;
    if (i > 0) grants = grants.slice(i);
  }

  /** Earliest time the next grant in `lane` may happen (may be in the past). */
  function nextAllowed(lane: Lane, now: number): number {
    prune(now);
    const pace = lane === 'interactive' ? personTat : tat;
    let at = Math.max(pace - (burst - 1) * spacing(now), pausedUntil);
    // Background leaves one grant of each window to a person who is at the desk.
    const reserve = lane === 'background' && now - personAt < personActiveMs ? 1 : 0;
    const secCap = Math.max(1, Math.floor(Math.min(perSecond, rateAt(now))) - reserve);
    // Grants inside the last second-window; if the cap is reached, wait for the oldest relevant one to age out.
    if (grants.length >= secCap) at = Math.max(at, (grants[grants.length - secCap] as number) + secondWindow());
    const minCap = Math.max(1, Math.floor(perMinute) - reserve);
    if (grants.length >= minCap) at = Math.max(at, (grants[grants.length - minCap] as number) + minuteWindow());
    const share = minuteShareAt(now);
    if (share < 1) {
      // Our learned part of the minute window, counted as the server counts it (refused requests not).
      const shareCap = Math.max(1, Math.floor(perMinute * share) - reserve);
      const counted = refusedGrants.length === 0 ? grants : grants.filter((t) => !refusedGrants.includes(t));
      if (counted.length >= shareCap) at = Math.max(at, (counted[counted.length - shareCap] as number) + minuteWindow());
    }
    return at;
  }

  /** The lane served next: interactive first, then batch and background 3 : 1. */
  function nextLane(): Lane {
    if (queues.interactive.length > 0) return 'interactive';
    const batch = queues.batch.length > 0;
    const background = queues.background.length > 0;
    return batch && (!background || batchRun < BATCH_SHARE) ? 'batch' : 'background';
  }

  function grant(lane: Lane, now: number): void {
    if (lane === 'batch' && queues.background.length > 0) batchRun++;
    if (lane === 'background') batchRun = 0;
    const w = queues[lane].shift();
    if (!w) return;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    grants.push(now);
    // Timers fire a little late; while the queue is busy, don't let that lateness accumulate
    // (the hard second/minute windows above still bound any catch-up).
    const step = spacing(now);
    tat = (now - tat <= step ? tat : now) + step;
    if (lane === 'interactive') {
      personTat = (now - personTat <= step ? personTat : now) + step;
      personAt = now;
    }
    sent++;
    w.resolve(now);
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
      const lane = nextLane();
      const at = nextAllowed(lane, now);
      if (at <= now) {
        grant(lane, now);
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

  /** Our grants in the server's second-window up to and including `granted` (our part of what it counted). */
  function ownInWindow(granted: number): number {
    let own = 0;
    for (const t of grants) if (t > granted - secondWindow() && t <= granted) own++;
    return own;
  }

  /**
   * Refused for several second-windows with nothing answered and no Retry-After, where the minute's
   * limit binds before the second's (Altegio: 200/min, 5/s): the minute window the desks share is
   * full (the second's would have emptied). Measured on the fake-clock model: three desks at 5/s
   * filled it in 45 s and nothing, not even a search, got through for the next 15, every minute.
   * We hold what the server counted of ours in it (refused requests not), as the policy does for
   * the second's.
   */
  function minuteRanFull(now: number, granted: number): void {
    if (perMinute >= (MINUTE / SECOND) * perSecond) return;
    const inWindow = (t: number) => t > granted - minuteWindow() && t <= granted;
    const own = grants.filter(inWindow).length - refusedGrants.filter(inWindow).length;
    minuteShare = Math.min(minuteShareAt(now), Math.max(MINUTE_SHARE_FLOOR, own / perMinute));
    minuteClimbFrom = now;
  }

  /** Nothing is granted before `until`; the climb stands still meanwhile (nothing is learned while paused). */
  function pauseUntil(now: number, until: number): void {
    if (until <= pausedUntil) return;
    policy.paused(Math.max(now, pausedUntil), until);
    pausedUntil = until;
  }

  return {
    acquire(opts: AcquireOptions = {}): Promise<number> {
      const { signal } = opts;
      const lane: Lane = opts.lane ?? 'interactive';
      if (!LANES.includes(lane)) return Promise.reject(new RangeError(`unknown lane ${String(lane)}`));
      if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
      return new Promise<number>((resolve, reject) => {
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
        if (lane === 'interactive') personAt = clock.now();
        pump();
      });
    },

    penalize(retryAfterMs?: number, grantedAt?: number): void {
      const now = clock.now();
      penalties++;
      const hinted = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : undefined;
      const granted = grantedAt ?? grants[grants.length - 1] ?? now;
      refusedGrants = refusedGrants.filter((t) => t > now - minuteWindow());
      refusedGrants.push(granted);
      if (minuteShare < 1) {
        // The learned part of the minute stops climbing where it is.
        minuteShare = minuteShareAt(now);
        minuteClimbFrom = now;
      }
      // A request granted before we last reacted was sent at the old pace: the same round, old news.
      if (policy.refused(now, granted, ownInWindow(granted))) {
        // The next grant waits one interval at the new rate.
        tat = Math.max(tat, now + spacing(now));
      }
      if (granted >= reactedAt) {
        reactedAt = now;
        penaltyStreak++;
        if (penaltyStreak === 1) streakAt = now;
        else if (hinted === undefined) {
          // Within a second-window of the streak's first 429 the refusals are the window we all filled before cutting: 250, then 500 ms.
          const round = now - streakAt < secondWindow() ? Math.min(1, pausedRounds) : pausedRounds;
          pausedRounds = round + 1;
          pauseUntil(now, now + Math.min(backoffMax, backoffBase * 2 ** round));
        }
        if (hinted === undefined && now - streakAt >= MINUTE_FULL_WINDOWS * secondWindow()) minuteRanFull(now, granted);
      }
      if (hinted !== undefined) pauseUntil(now, now + hinted);
      pump();
    },

    reward(): void {
      penaltyStreak = 0;
      pausedRounds = 0;
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
      perSecond = positive(limits.perSecond, perSecond, 'perSecond');
      perMinute = positive(limits.perMinute, perMinute, 'perMinute');
      policy.setCeiling(perSecond, now);
      // Re-space from now on with the new interval (the windows still hold the exact history).
      tat = Math.min(tat, now + spacing(now));
      personTat = Math.min(personTat, now + spacing(now));
      pump();
    },
  };
}
