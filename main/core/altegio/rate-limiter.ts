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
 * - Rate control after a 429 (`penalize(retryAfterMs?, grantedAt?)`): AIMD, as TCP does it, in
 *   requests per second: multiplicative decrease, increase by time. Altegio's limit is per IP: a 429
 *   while our own pace is within the limit means other desks fill the window. Each desk then settles
 *   at about its share (limit / N), losing one request per collision rather than seconds of pause;
 *   a lone desk is back at full rate within `returnMs`; nothing is ever stuck at the floor.
 *   - Rounds: a 429 for a request granted before we last reacted to one was sent at the old pace
 *     (already in flight): it changes nothing but honours its Retry-After. Otherwise it adds to the
 *     streak (429s with no answered request between).
 *   - Cut: the first 429 of a streak, if the request was granted at least one second-window after
 *     the last cut (until then the server still counts what we sent before it), sets the rate to
 *     `decreaseFactor` × (the rate, or what we actually sent in the second-window up to that request
 *     if less, down to `decreaseFactor` × the rate: a desk that just started at full rate settles in
 *     two or three cuts, a desk that sent one request is not slowed to a crawl), not below
 *     `minPerSecond`.
 *     Further 429s of the streak do not cut again: a server refusing everything is answered by the
 *     pause, and the rate is left where the share was found.
 *   - Pause (everyone waits): exactly `Retry-After` when the server gave one. Without it: none on the
 *     first of a streak (the cut is the back-off); the further rounds within a second-window of the
 *     streak's first 429 pause `backoffBaseMs` (250 ms), then 500 ms each: the server's window still
 *     holds what every desk sent before it cut, so these refusals are expected, and pauses doubling
 *     there left a desk idle for seconds when several desks start together (shared-ip bench); two
 *     steps still spread a person's four tries over more than a second. Rounds after that window
 *     double on: 1 s, 2 s, … up to `backoffMaxMs` (a server refusing everything). The climb stands
 *     still during a pause.
 *   - Climb, by time, not by counting successes: rate = low + a·x + c·x³, x the time since the cut
 *     (pauses excluded). The linear part is AIMD's additive increase, a = 0.7 × (1 - decreaseFactor)
 *     × the configured rate per `returnMs` (1.4 req/s per second at 20/s): every desk gains the same
 *     per second whatever its share while a cut takes more from a bigger share, so desks converge to
 *     equal shares (and finish their batches together). The cubic part speeds up a desk that has
 *     not been refused for a while (the other desks finished and left their shares): c is set per
 *     cut so that the desk is back at the configured rate `returnMs` (3 s) after it, however deep
 *     it was cut (a desk at a third of the limit when the others leave is at the full limit 3 s
 *     later, not 6).
 *
 * Measured (shared-ip bench, 3 desks at 20/s, median of runs): see the commit that set these; a
 * refused request does not count in the sandbox's window, and 429s are about 10-13 % of requests.
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
  /** Multiplicative decrease on a congestion signal (see the header). Default 0.7. */
  decreaseFactor?: number;
  /** The climb after a cut: a lone desk is back at the configured rate this long after a cut, however deep (see the header). Default 3000 ms. */
  returnMs?: number;
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
/** The linear climb (AIMD's additive increase) per returnMs, as a share of what one cut takes from the configured rate; see the header. */
const LINEAR_PART = 0.7;
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
  const decreaseFactor = Math.min(1, Math.max(0.05, options.decreaseFactor ?? 0.7));
  const returnMs = positive(options.returnMs, 3000, 'returnMs');
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
  /** The climb: from `lowRate` at `climbFrom` (the cut, moved on by pauses), see `rateAt`. At the configured rate when lowRate >= perSecond. */
  let lowRate = perSecond;
  let climbFrom = Number.NEGATIVE_INFINITY;
  /** When the rate was last cut: 429s for requests granted within a second-window after it are old news. */
  let cutAt = Number.NEGATIVE_INFINITY;
  /** When a 429 last changed the rate or the pause: 429s for requests granted before are the same round. */
  let reactedAt = Number.NEGATIVE_INFINITY;
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

  /**
   * The adaptive rate at `now`: lowRate + a·x + c·x³, x the time climbed since the cut (pauses
   * excluded). a is the same for every desk (see the header); c brings this desk back to the
   * configured rate returnMs after the cut, whatever lowRate is.
   */
  function rateAt(now: number): number {
    if (lowRate >= perSecond) return perSecond;
    // During a pause the climb stands where it was when the pause began (pauseUntil moved climbFrom on).
    const x = Math.max(now, pausedUntil) - climbFrom;
    if (x <= 0) return lowRate;
    const a = (LINEAR_PART * perSecond * (1 - decreaseFactor)) / returnMs;
    const c = Math.max(0, perSecond - lowRate - a * returnMs) / returnMs ** 3;
    const climbed = lowRate + a * x + c * x ** 3;
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

  /** Earliest time the next grant in `lane` may happen (may be in the past). */
  function nextAllowed(lane: Lane, now: number): number {
    prune(now);
    const pace = lane === 'interactive' ? personTat : tat;
    let at = Math.max(pace - (burst - 1) * spacing(now), pausedUntil);
    // Background leaves one grant of each window to a person who is at the desk.
    const reserve = lane === 'background' && now - personAt < personActiveMs ? 1 : 0;
    const secCap = Math.max(1, Math.floor(perSecond) - reserve);
    // Grants inside the last second-window; if the cap is reached, wait for the oldest relevant one to age out.
    if (grants.length >= secCap) at = Math.max(at, (grants[grants.length - secCap] as number) + secondWindow());
    const minCap = Math.max(1, Math.floor(perMinute) - reserve);
    if (grants.length >= minCap) at = Math.max(at, (grants[grants.length - minCap] as number) + minuteWindow());
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

  /**
   * What a cut starts from: the rate now, or, if less, how many we sent in the second-window up to
   * the refused request's grant (our part of what the server counted when it refused) — but not
   * below decreaseFactor × the rate: a desk that sent one request and met a full window must not
   * make its person wait seconds for the next.
   */
  function cutFrom(now: number, granted: number): number {
    const rate = rateAt(now);
    let own = 0;
    for (const t of grants) if (t > granted - secondWindow() && t <= granted) own++;
    return Math.min(rate, Math.max(own, rate * decreaseFactor));
  }

  /** Nothing is granted before `until`; the climb stands still meanwhile (nothing is learned while paused). */
  function pauseUntil(now: number, until: number): void {
    if (until <= pausedUntil) return;
    const from = Math.max(now, pausedUntil); // the newly paused time is [from, until]
    climbFrom = climbFrom >= from ? Math.max(climbFrom, until) : climbFrom + (until - from);
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
      // A request granted before we last reacted was sent at the old pace: the same round, old news.
      if (granted >= reactedAt) {
        reactedAt = now;
        penaltyStreak++;
        // One cut per streak, and none while the server's window still holds what we sent before the last one.
        if (penaltyStreak === 1 && granted >= cutAt + secondWindow()) {
          lowRate = Math.max(Math.min(minPerSecond, perSecond), cutFrom(now, granted) * decreaseFactor);
          climbFrom = Math.max(now, pausedUntil);
          cutAt = now;
          // The next grant waits one interval at the new rate.
          tat = Math.max(tat, now + spacing(now));
        }
        if (penaltyStreak === 1) streakAt = now;
        else if (hinted === undefined) {
          // Within a second-window of the streak's first 429 the refusals are the window we all filled before cutting: 250, then 500 ms.
          const round = now - streakAt < secondWindow() ? Math.min(1, pausedRounds) : pausedRounds;
          pausedRounds = round + 1;
          pauseUntil(now, now + Math.min(backoffMax, backoffBase * 2 ** round));
        }
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
      const current = rateAt(now);
      const climbing = lowRate < perSecond;
      perSecond = positive(limits.perSecond, perSecond, 'perSecond');
      perMinute = positive(limits.perMinute, perMinute, 'perMinute');
      // A climb in progress continues towards the new rate from where it is now; at full rate, the new rate is the rate.
      if (climbing && current < perSecond) {
        lowRate = current;
        climbFrom = Math.max(now, climbFrom);
      } else lowRate = perSecond;
      // Re-space from now on with the new interval (the windows still hold the exact history).
      tat = Math.min(tat, now + spacing(now));
      personTat = Math.min(personTat, now + spacing(now));
      pump();
    },
  };
}
