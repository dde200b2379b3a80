/**
 * Sandbox pieces without HTTP: the sliding-window limiter on a fake clock, fault determinism, the
 * freeze model's bookkeeping (property-tested) and CLI argument validation.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../main/sandbox/cli';
import { REAL_SHAPES } from '../../main/sandbox/real-shapes';
import { FaultInjector } from '../../main/sandbox/faults';
import { SlidingWindowLimiter } from '../../main/sandbox/rate-limit';
import * as rules from '../../main/sandbox/rules';
import { buildState } from '../../main/sandbox/seed';

describe('SlidingWindowLimiter', () => {
  it('allows perSecond in any 1 s window and perMinute in any 60 s window', () => {
    let t = 0;
    const limiter = new SlidingWindowLimiter({ perSecond: 5, perMinute: 12 }, () => t);
    const burst = Array.from({ length: 7 }, () => limiter.tryAcquire().ok);
    expect(burst).toEqual([true, true, true, true, true, false, false]);
    const refused = limiter.tryAcquire();
    expect(refused).toEqual({ ok: false, retryAfterMs: 1000 });
    t = 999;
    expect(limiter.tryAcquire().ok).toBe(false);
    t = 1000;
    expect(Array.from({ length: 6 }, () => limiter.tryAcquire().ok)).toEqual([true, true, true, true, true, false]);
    t = 2500;
    expect(limiter.tryAcquire().ok).toBe(true);
    expect(limiter.tryAcquire().ok).toBe(true); // 12 accepted in the minute
    const minute = limiter.tryAcquire();
    expect(minute).toEqual({ ok: false, retryAfterMs: 60_000 - 2500 });
    t = 60_000;
    expect(limiter.tryAcquire().ok).toBe(true);
  });

  it('never accepts more than the limits in any window (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        let t = 0;
        const limiter = new SlidingWindowLimiter({ perSecond: 4, perMinute: 30 }, () => t);
        const accepted: number[] = [];
        for (const gap of gaps) {
          t += gap;
          if (limiter.tryAcquire().ok) accepted.push(t);
        }
        for (const at of accepted) {
          expect(accepted.filter((x) => x > at - 1000 && x <= at).length).toBeLessThanOrEqual(4);
          expect(accepted.filter((x) => x > at - 60_000 && x <= at).length).toBeLessThanOrEqual(30);
        }
      }),
    );
  });

  it('null means unlimited', () => {
    const limiter = new SlidingWindowLimiter(null, () => 0);
    expect(Array.from({ length: 1000 }, () => limiter.tryAcquire().ok).every(Boolean)).toBe(true);
  });
});

describe('FaultInjector', () => {
  it('repeats the same decisions for the same seed and matches routes', () => {
    const decide = (seed: number) => {
      const f = new FaultInjector();
      f.set([{ route: /freeze$/, probability: 0.5, kind: 'http500' }], seed);
      return Array.from({ length: 40 }, (_, i) => f.decide(i % 2 ? 'POST /api/v1/chain/1/loyalty/abonements/2/freeze' : 'GET /api/v1/groups').fault?.kind ?? '-');
    };
    const a = decide(3);
    expect(decide(3)).toEqual(a);
    expect(a.filter((_, i) => i % 2 === 0).every((k) => k === '-')).toBe(true);
    expect(a.filter((k) => k === 'http500').length).toBeGreaterThan(5);
  });

  it('rejects probabilities outside 0..1', () => {
    expect(() => new FaultInjector().set([{ probability: 1.5, kind: 'drop' }])).toThrow(/probability/);
  });
});

describe('freeze model', () => {
  const now = new Date('2026-03-10T15:00:00Z');
  // Seeding once and restoring the one membership keeps 60 runs fast.
  const seeded = buildState({ seed: 1, now, extraMemberships: 0, newToken: () => 't' });
  const original = { ...seeded.state.memberships.get(seeded.knownIds.memberships.danaUnitedWeeks)! };
  const fresh = () => {
    Object.assign(seeded.state.memberships.get(original.id)!, original);
    return seeded;
  };

  it('freeze then unfreeze after k days keeps exactly k frozen days (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 20 }), (days, k) => {
        const { state, knownIds } = fresh();
        const m = state.memberships.get(knownIds.memberships.danaUnitedWeeks);
        if (!m || !m.expiration) throw new Error('fixture missing');
        const expiration0 = m.expiration;
        const today = DateTime.fromJSDate(now).setZone('America/Chicago').startOf('day');
        const frozen = rules.freeze(state, m, { freeze_till: today.plus({ days }).toISODate() }, now);
        expect(frozen.ok).toBe(true);
        expect(m.freezePeriod).toBe(days);
        const later = today.plus({ days: k, hours: 12 }).toJSDate();
        const thawed = rules.unfreeze(state, m, later);
        const kept = Math.min(days, k);
        if (k > days) {
          // The freeze ended by itself; nothing left to lift.
          expect(thawed.ok).toBe(false);
        } else {
          expect(thawed).toEqual({ ok: true, value: { returnedDays: days - k } });
        }
        expect(m.freezePeriod).toBe(kept);
        expect(Math.round(m.expiration.diff(expiration0, 'days').days)).toBe(kept);
        expect(m.isFrozen).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('sandbox CLI arguments', () => {
  it('maps --rate R to R/s and R×60/min, 0 to unlimited', () => {
    expect(parseArgs(['--port', '4010', '--rate', '8'])).toEqual({ port: 4010, rate: { perSecond: 8, perMinute: 480 } });
    expect(parseArgs(['--rate=0'])).toEqual({ rate: null });
    expect(parseArgs([])).toEqual({});
    expect(parseArgs(['--seed', '3', '--extra', '2000', '--retry-after'])).toEqual({ seed: 3, extraMemberships: 2000, retryAfterHeader: true });
    expect(parseArgs(['--memberships', '20000'])).toEqual({ chainMemberships: 20000 });
    expect(() => parseArgs(['--memberships', 'many'])).toThrow('--memberships needs a whole number');
  });

  it('refuses bad values and unknown flags with a clear message', () => {
    expect(() => parseArgs(['--port', '70000'])).toThrow('--port must be between 0 and 65535');
    expect(() => parseArgs(['--port'])).toThrow('--port needs a whole number, got nothing');
    expect(() => parseArgs(['--rate', '-1'])).toThrow('--rate needs a whole number');
    expect(() => parseArgs(['--verbose'])).toThrow('Unknown argument "--verbose"');
  });

  it('--real-shapes takes a list of documented shapes or "all", and refuses an unknown one', () => {
    expect(parseArgs(['--real-shapes', 'bare-auth,array-envelope'])).toEqual({ realShapes: ['bare-auth', 'array-envelope'] });
    expect(parseArgs(['--real-shapes=all']).realShapes).toEqual([...REAL_SHAPES]);
    expect(() => parseArgs(['--real-shapes', 'bare-auth,nope'])).toThrow('Unknown shape "nope"');
    expect(() => parseArgs(['--real-shapes'])).toThrow('--real-shapes needs a list');
  });
});
