/**
 * Fault injection for tests: each rule matching "METHOD /api/v1/path" fires with its probability,
 * decided by a seeded PRNG so a failing test replays the same faults.
 *
 * A 'hold' keeps a request waiting — before it is processed, or after it with `when: 'after'` —
 * until the test says so: `release()` lets every held request go on, and so does replacing or
 * clearing the rules; `close()` (the sandbox closing) ends them unanswered. A test that needs a
 * request "in flight" holds it, acts, then releases it: no delay to guess.
 */
import { createRng, type Rng } from './prng';

export type FaultKind = 'latency' | 'hold' | 'http500' | 'http502' | 'http503' | 'drop' | 'malformed' | 'html' | 'empty' | '429';

export interface FaultRule {
  /** RegExp tested against, or substring of, "METHOD /api/v1/path" (no query string). Omitted = every request. */
  route?: RegExp | string;
  /** 0..1 */
  probability: number;
  kind: FaultKind;
  /** For 'latency' only. */
  latencyMs?: number;
  /** 'before' (default): the request is not processed. 'after': it is processed (writes applied), then the fault replaces the answer. */
  when?: 'before' | 'after';
}

/** What a request meets at one phase: before it is processed, or after (before its answer goes). */
export interface FaultPhase {
  delayMs: number;
  hold: boolean;
}

export interface FaultDecision {
  before: FaultPhase;
  after: FaultPhase;
  fault: { kind: Exclude<FaultKind, 'latency' | 'hold'>; when: 'before' | 'after' } | null;
}

/** How a held request's wait ended. */
type HoldEnd = 'released' | 'closed';

const KINDS: readonly FaultKind[] = ['latency', 'hold', 'http500', 'http502', 'http503', 'drop', 'malformed', 'html', 'empty', '429'];

export class FaultInjector {
  private rules: FaultRule[] = [];
  private rng: Rng = createRng(1);
  private waiting: Array<(end: HoldEnd) => void> = [];
  private closed = false;

  set(rules: FaultRule[], seed = 1): void {
    for (const rule of rules) {
      if (!KINDS.includes(rule.kind)) throw new Error(`Unknown fault kind: ${String(rule.kind)}`);
      if (!(rule.probability >= 0 && rule.probability <= 1)) throw new Error(`Fault probability must be within 0..1, got ${rule.probability}`);
    }
    this.rules = [...rules];
    this.rng = createRng(seed);
    this.release();
  }

  clear(): void {
    this.rules = [];
    this.release();
  }

  /** Requests a 'hold' keeps waiting now (one whose client gave up counts until it is released). */
  held(): number {
    return this.waiting.length;
  }

  /** Waits until release(), set(), clear() ('released') or close() ('closed'). */
  hold(): Promise<HoldEnd> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Waits out one phase of a request (its latency, then its hold); false when the sandbox closed meanwhile (drop the request). */
  async wait(phase: FaultPhase): Promise<boolean> {
    if (phase.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, phase.delayMs));
    return !phase.hold || (await this.hold()) === 'released';
  }

  /** Lets every held request go on; answers how many there were. */
  release(): number {
    return this.end('released');
  }

  /** Ends every hold, now and later, with 'closed': nothing waits on a closed sandbox. */
  close(): void {
    this.closed = true;
    this.end('closed');
  }

  private end(how: HoldEnd): number {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(how);
    return waiting.length;
  }

  decide(routeKey: string): FaultDecision {
    const decision: FaultDecision = { before: { delayMs: 0, hold: false }, after: { delayMs: 0, hold: false }, fault: null };
    for (const rule of this.rules) {
      if (rule.route instanceof RegExp) rule.route.lastIndex = 0; // a /g regexp keeps state between tests
      const matches = rule.route === undefined || (typeof rule.route === 'string' ? routeKey.includes(rule.route) : rule.route.test(routeKey));
      if (!matches) continue;
      // One draw per matching rule keeps the sequence reproducible whatever fires.
      const fires = this.rng.next() < rule.probability;
      if (!fires) continue;
      const when = rule.when ?? 'before';
      if (rule.kind === 'latency') decision[when].delayMs += rule.latencyMs ?? 0;
      else if (rule.kind === 'hold') decision[when].hold = true;
      else if (!decision.fault) {
        decision.fault = { kind: rule.kind, when };
      }
    }
    return decision;
  }
}
