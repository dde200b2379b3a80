/**
 * The rate a desk sends at while it shares Altegio's per-IP limit with desks it cannot see (issue 10):
 * the rate-control half of the rate limiter (rate-limiter.ts paces, keeps the lanes and pauses; this
 * decides the pace after 429s). Pure logic on the limiter's clock, no timers.
 *
 * Slots. The server counts requests in a sliding second-window (ALTEGIO.md §1.6). While sharing, a
 * desk's rate is k slots: k × 1000 / windowMs requests a second, k whole. The limiter paces that
 * (one grant every windowMs / rate) and allows at most floor(rate) = k - 1 grants in any
 * second-window, so a busy desk sends a run of k - 1 and leaves a gap, the same pattern every
 * second-window: its requests mostly find the slots its own requests freed one window earlier, and
 * the gap lets a desk whose slot another took find one. Measured on the fake-clock model
 * (test/bench/shared-ip-sim.ts) against the alternatives: evenly spaced whole slots (an exact lock)
 * starved one desk of three at Altegio's 5/s; a fractional rate drifts against the window, which
 * with jitter is close to random arrivals: the window goes short after each slot frees, and
 * requests collide often.
 *
 * Steady, not a sawtooth. A refused request does not count in the server's window, so holding a
 * little MORE than the share costs only the refusals, while holding less leaves the window short:
 * the old AIMD rule (cut ×0.7, back to full rate in 3 s) measured 0.85–0.89 of the limit with three
 * desks at 20/s and 12–14 % of requests refused. So a desk with a big share keeps its slots while
 * 429s are occasional (the desks together about one slot over the limit):
 * - Discovery: the first 429 at full rate (a desk meeting others) sets k to our part of what the
 *   server counted (our grants in its second-window up to the refused one), but at least a quarter
 *   of the full rate (a desk that had sent one request into a full window).
 * - Step down: a 429 mostly lands on the desk whose slot a climbing neighbour took, not on the
 *   neighbour, so counting 429s alike (the rule before: three within four second-windows, or every
 *   one below six slots) shrank the small desk and let the big one grow (fake-clock model, three
 *   desks at 20/s: 11 / 6.9 / 1.2 requests a second; one desk of three starved at Altegio's 5/s).
 *   Two rules make the bigger share yield first:
 *   - weighted: each 429 within `horizonWindows` second-windows counts as our part of the server's
 *     window when it came (our grants in it / the full rate's slots); when they add up to
 *     `yieldAt` we give up one slot: holding half the window at our second 429, a tenth at our
 *     eighth.
 *   - held long: a desk holding a part p of the full rate that has not given up a slot for
 *     `holdWindows` / p second-windows gives one up at its next 429 (another desk's requests are
 *     being refused while we hold a share that was never tested: with few slots a 429 almost never
 *     reaches the big desk).
 *   At most one step per second-window: until then the server still counts what we sent before.
 * - Part floor: desks that met at once (our part of the window at discovery at most half of it)
 *   estimate how many they are (the full rate's slots / ours then, rounded up) and never give up
 *   slots below that part of the window's limit, rounded up (20/s, 3 desks: 7 grants a window each,
 *   21 for 20), where rounding up oversubscribes the window by at most `PART_OVER` (not at 5/s with
 *   3 desks: 6 for 5). The window stays full and the desks near-equal, so none finishes a batch
 *   last, alone at a third of the rate (fake-clock model, 3 desks at 20/s: smallest share /
 *   mean 0.68-0.95 -> 0.90-0.99; bench-like runs 0.932 -> 0.942, slow network 0.906 -> 0.924).
 *   A desk that was alone when another joined (its part above half) sets no floor: it would hold
 *   the half it guessed against later desks.
 * - Quiet: no 429 for `quietWindows` × (k / the full rate's slots), at least `minQuietWindows`,
 *   second-windows takes one more slot (the bigger share waits longer, so shares converge); from
 *   then on the climb accelerates (cubic) to the full rate within `returnMs` (the others have
 *   probably left). A 429 during that climb keeps only the one slot. A desk left alone is back at
 *   full rate within a few seconds, never stuck at the floor (which is one slot while sharing).
 * A pause (Retry-After or the limiter's back-off) stops the quiet clock for its length.
 */

export interface RatePolicyOptions {
  /** The configured rate (req/s): the ceiling. */
  perSecond: number;
  /** Floor. Default 0.5 req/s (or the ceiling if lower). */
  minPerSecond?: number;
  /** The server's second-window with our margin (ms). Default 1020. */
  windowMs?: number;
  /** 429s are counted over this many second-windows. Default 4. */
  horizonWindows?: number;
  /** 429s within the horizon, each counted as our part of the server's window, give up a slot when they add up to this. Default 0.75. */
  yieldAt?: number;
  /** Holding a part p of the full rate for this many second-windows / p without a step: the next 429 gives up a slot. Default 2.7. */
  holdWindows?: number;
  /** Quiet this many second-windows at the full rate's slots (proportionally fewer for fewer slots): one more slot. Default 6. */
  quietWindows?: number;
  /** Never fewer quiet second-windows than this. Default 1.5. */
  minQuietWindows?: number;
  /** After that slot: back at the configured rate within this long. Default 1500 ms. */
  returnMs?: number;
  /** The part floor (see the header). Default true; false only to test the other rules alone. */
  partFloor?: boolean;
}

export interface RatePolicy {
  /** The rate at `now` (req/s): the configured rate, or whole slots per second-window while sharing (see the header). */
  rateAt(now: number): number;
  /**
   * A 429 came at `now` for a request granted at `granted`; `ownInWindow` = our grants in the
   * server's second-window up to and including that one. Returns whether it changed the rate.
   */
  refused(now: number, granted: number, ownInWindow: number): boolean;
  /** Nothing is sent from `from` to `until`: the quiet clock stands still meanwhile. */
  paused(from: number, until: number): void;
  /** A new configured rate: a climb in progress continues toward it from where it is. */
  setCeiling(perSecond: number, now: number): void;
}

/** Discovery never sets fewer slots than this share of the full rate. */
const DISCOVERY_FLOOR = 0.25;
/** The part floor applies where desks × (our part rounded up) exceeds the window by at most this share of it. */
const PART_OVER = 0.05;

const positiveOr = (x: number | undefined, dflt: number) => (x === undefined || !Number.isFinite(x) || x <= 0 ? dflt : x);

export function createRatePolicy(options: RatePolicyOptions): RatePolicy {
  let ceiling = options.perSecond;
  const floorRate = () => Math.min(ceiling, positiveOr(options.minPerSecond, 0.5));
  const windowMs = positiveOr(options.windowMs, 1020);
  const horizonMs = positiveOr(options.horizonWindows, 4) * windowMs;
  const yieldAt = positiveOr(options.yieldAt, 0.75);
  const holdWindows = positiveOr(options.holdWindows, 2.7);
  const quietWindows = positiveOr(options.quietWindows, 6);
  const minQuietWindows = positiveOr(options.minQuietWindows, 1.5);
  const returnMs = positiveOr(options.returnMs, 1500);
  // k slots = k requests per second-window of the server with our margin, paced by the limiter over
  // that window again: one grant every windowMs² / (1000 k) ms, so the desk's pattern repeats every
  // ~1.04 s and drifts slowly against the server's window (see the header).
  const perSecondOf = (slots: number) => (slots * 1000) / windowMs;
  const slotsOf = (rate: number) => (rate * windowMs) / 1000;
  const fullSlots = () => slotsOf(ceiling);
  /** Whole slots (a fraction only below one slot, near the floor). */
  const whole = (s: number) => (s >= 1 ? Math.floor(s) : s);

  /** Slots since the last 429 or step; Infinity when not sharing (the configured rate). */
  let base = Number.POSITIVE_INFINITY;
  /** Origin of the quiet time: the last 429, moved on by pauses. */
  let from = Number.NEGATIVE_INFINITY;
  let steppedDownAt = Number.NEGATIVE_INFINITY;
  let pausedUntil = Number.NEGATIVE_INFINITY;
  /** The 429s within the horizon: when, and our part of the server's window then (see the header). */
  let recent: Array<{ at: number; part: number }> = [];
  /** Desks met at discovery (the full rate's slots / ours then), Infinity when unknown (see the header). */
  let desks = Number.POSITIVE_INFINITY;
  /** Slots never given up while sharing: our part of the window rounded up, where that oversubscribes it little. */
  const partFloor = () => {
    if (options.partFloor === false || !Number.isFinite(desks)) return 0;
    const limit = Math.floor(ceiling);
    const each = Math.ceil(limit / desks);
    return desks * each - limit <= PART_OVER * limit + 1e-9 ? Math.min(Math.floor(fullSlots()), each + 1) : 0;
  };

  /** How long without a 429 before one more slot, holding `slots`. */
  const quietMsAt = (slots: number) => Math.max(minQuietWindows, (quietWindows * slots) / fullSlots()) * windowMs;

  /** Slots at `now` (continuous; the rate uses whole ones), Infinity when back at the configured rate. */
  function slotsAt(now: number): number {
    if (!Number.isFinite(base)) return base;
    const quiet = Math.max(0, Math.max(now, pausedUntil) - from);
    const q = quietMsAt(base);
    if (quiet < q) return base;
    const s = base + 1 + fullSlots() * ((quiet - q) / returnMs) ** 3;
    if (s >= fullSlots()) base = Number.POSITIVE_INFINITY;
    return base === Number.POSITIVE_INFINITY ? base : s;
  }

  return {
    rateAt(now) {
      const s = slotsAt(now);
      return Number.isFinite(s) ? Math.max(floorRate(), Math.min(ceiling, perSecondOf(whole(s)))) : ceiling;
    },
    refused(now, granted, ownInWindow) {
      const s = slotsAt(now);
      if (!Number.isFinite(s)) desks = ownInWindow > fullSlots() / 2 ? Number.POSITIVE_INFINITY : Math.ceil(fullSlots() / Math.max(1, ownInWindow));
      const minSlots = Math.max(slotsOf(floorRate()), Math.min(1, fullSlots()), partFloor());
      let changed = false;
      if (!Number.isFinite(s)) {
        // Discovery: our part of what the server counted.
        const full = Math.floor(fullSlots());
        base = Math.max(minSlots, Math.min(full, Math.max(ownInWindow, Math.ceil(DISCOVERY_FLOOR * full))));
        steppedDownAt = now;
        recent = [];
        changed = base < fullSlots();
      } else {
        // The slot taken in the quiet is kept, the accelerated climb after it is not (it overshot).
        base = whole(Math.min(s, base + 1));
        recent = recent.filter((r) => r.at > now - horizonMs);
        recent.push({ at: now, part: Math.min(1, ownInWindow / fullSlots()) });
        const weighted = recent.reduce((sum, r) => sum + r.part, 0) >= yieldAt - 1e-9;
        const heldLong = now - steppedDownAt >= ((holdWindows * fullSlots()) / base) * windowMs;
        if ((weighted || heldLong) && granted >= steppedDownAt + windowMs) {
          base = Math.max(minSlots, base - 1);
          steppedDownAt = now;
          recent = [];
          changed = true;
        }
      }
      from = Math.max(now, pausedUntil);
      return changed;
    },
    paused(start, until) {
      if (until <= pausedUntil) return;
      const s = Math.max(start, pausedUntil);
      from = from >= s ? Math.max(from, until) : from + (until - s);
      pausedUntil = until;
    },
    setCeiling(perSecond, now) {
      const current = slotsAt(now);
      ceiling = perSecond;
      if (Number.isFinite(current) && current < fullSlots()) {
        base = current;
        from = Math.max(now, pausedUntil);
      } else base = Number.POSITIVE_INFINITY;
    },
  };
}
