/**
 * Fault injection for tests: each rule matching "METHOD /api/v1/path" fires with its probability,
 * decided by a seeded PRNG so a failing test replays the same faults.
 */
import { createRng, type Rng } from './prng';

export type FaultKind = 'latency' | 'http500' | 'http502' | 'http503' | 'drop' | 'malformed' | 'html' | 'empty' | '429';

export interface FaultRule {
  /** RegExp tested against, or substring of, "METHOD /api/v1/path" (no query string). Omitted = every request. */
  route?: RegExp | string;
  /** 0..1 */
  probability: number;
  kind: FaultKind;
  latencyMs?: number;
  /** 'before' (default): the request is not processed. 'after': it is processed (writes applied), then the fault replaces the answer. */
  when?: 'before' | 'after';
}

export interface FaultDecision {
  delayBeforeMs: number;
  delayAfterMs: number;
  fault: { kind: Exclude<FaultKind, 'latency'>; when: 'before' | 'after' } | null;
}

const KINDS: readonly FaultKind[] = ['latency', 'http500', 'http502', 'http503', 'drop', 'malformed', 'html', 'empty', '429'];

export class FaultInjector {
  private rules: FaultRule[] = [];
  private rng: Rng = createRng(1);

  set(rules: FaultRule[], seed = 1): void {
    for (const rule of rules) {
      if (!KINDS.includes(rule.kind)) throw new Error(`Unknown fault kind: ${String(rule.kind)}`);
      if (!(rule.probability >= 0 && rule.probability <= 1)) throw new Error(`Fault probability must be within 0..1, got ${rule.probability}`);
    }
    this.rules = [...rules];
    this.rng = createRng(seed);
  }

  clear(): void {
    this.rules = [];
  }

  decide(routeKey: string): FaultDecision {
    const decision: FaultDecision = { delayBeforeMs: 0, delayAfterMs: 0, fault: null };
    for (const rule of this.rules) {
      if (rule.route instanceof RegExp) rule.route.lastIndex = 0; // a /g regexp keeps state between tests
      const matches = rule.route === undefined || (typeof rule.route === 'string' ? routeKey.includes(rule.route) : rule.route.test(routeKey));
      if (!matches) continue;
      // One draw per matching rule keeps the sequence reproducible whatever fires.
      const fires = this.rng.next() < rule.probability;
      if (!fires) continue;
      const when = rule.when ?? 'before';
      if (rule.kind === 'latency') {
        if (when === 'before') decision.delayBeforeMs += rule.latencyMs ?? 0;
        else decision.delayAfterMs += rule.latencyMs ?? 0;
      } else if (!decision.fault) {
        decision.fault = { kind: rule.kind, when };
      }
    }
    return decision;
  }
}
