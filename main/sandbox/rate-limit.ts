/**
 * The documented Altegio limit: N requests per second and M per minute, per IP — modelled as two
 * sliding windows shared by every request to the sandbox. Refused requests do not count towards
 * the windows, so a client that backs off recovers as soon as the window slides.
 */
export interface RateLimit {
  perSecond: number;
  perMinute: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

export class SlidingWindowLimiter {
  private stamps: number[] = [];
  private head = 0;

  constructor(
    private limit: RateLimit | null,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  setLimit(limit: RateLimit | null): void {
    this.limit = limit;
    this.stamps = [];
    this.head = 0;
  }

  tryAcquire(): RateDecision {
    if (!this.limit) return { ok: true };
    const now = this.clock();
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? 0) <= now - 60_000) this.head++;
    if (this.head > 4096 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    const inMinute = this.stamps.length - this.head;
    const { perSecond, perMinute } = this.limit;
    if (inMinute >= perMinute) {
      const oldest = this.stamps[this.stamps.length - perMinute] ?? now;
      return { ok: false, retryAfterMs: Math.max(1, oldest + 60_000 - now) };
    }
    if (inMinute >= perSecond) {
      const nth = this.stamps[this.stamps.length - perSecond] ?? 0;
      if (nth > now - 1000) return { ok: false, retryAfterMs: Math.max(1, nth + 1000 - now) };
    }
    this.stamps.push(now);
    return { ok: true };
  }
}
