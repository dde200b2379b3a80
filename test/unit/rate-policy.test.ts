/**
 * The rate rule after 429s (main/core/altegio/rate-policy.ts), pure logic on plain numbers as the
 * clock: rates are in slots (k × 1000 / 1020 requests a second while sharing).
 */
import { describe, expect, it } from 'vitest';
import { createRatePolicy } from '../../main/core/altegio/rate-policy';

const W = 1020;
const slots = (rate: number) => Math.round((rate * W) / 1000);
/** A policy at 20/s that met two others: 7 of the server's window were ours at t = 0. */
function sharing(opts: Parameters<typeof createRatePolicy>[0] = { perSecond: 20, partFloor: false }) {
  const p = createRatePolicy(opts);
  expect(p.refused(0, 0, 7)).toBe(true);
  return p;
}

describe('rate policy: discovery', () => {
  it('alone it is the configured rate; the first 429 sets whole slots to our part of what the server counted', () => {
    const p = createRatePolicy({ perSecond: 20, partFloor: false });
    expect(p.rateAt(0)).toBe(20);
    expect(p.refused(100, 90, 7)).toBe(true);
    expect(p.rateAt(100)).toBeCloseTo((7 * 1000) / W, 9);
  });

  it('never below a quarter of the full rate at discovery (one request into a full window), nor more than the full rate', () => {
    const a = createRatePolicy({ perSecond: 20 });
    a.refused(0, 0, 1);
    expect(slots(a.rateAt(0))).toBe(5);
    const b = createRatePolicy({ perSecond: 20 });
    b.refused(0, 0, 40);
    expect(slots(b.rateAt(0))).toBe(20);
  });
});

describe('rate policy: steps down', () => {
  it('each 429 counts as our part of the server\'s window: holding 7 of 20, the third within four second-windows gives up one slot', () => {
    const p = sharing();
    expect(p.refused(1500, 1400, 7)).toBe(false);
    expect(p.refused(3000, 2900, 7)).toBe(false);
    expect(slots(p.rateAt(3000))).toBe(7);
    expect(p.refused(4500, 4400, 7)).toBe(true);
    expect(slots(p.rateAt(4500))).toBe(6);
    // the count starts again after a step
    expect(p.refused(5600, 5500, 6)).toBe(false);
    expect(slots(p.rateAt(5600))).toBe(6);
  });

  it('the bigger part yields first: holding half the window at the second 429, a tenth only at the eighth', () => {
    // The rule before counted 429s alike: both gave up a slot at the third (and it is the small desk that sees most of them).
    const big = createRatePolicy({ perSecond: 20, partFloor: false });
    big.refused(0, 0, 10);
    expect(big.refused(1100, 1050, 10)).toBe(false);
    expect(big.refused(1400, 1350, 10)).toBe(true);
    expect(slots(big.rateAt(1400))).toBe(9);
    const small = createRatePolicy({ perSecond: 20, partFloor: false });
    small.refused(0, 0, 5);
    const steps = [];
    for (let i = 1; i <= 8; i++) steps.push(small.refused(1000 + 300 * i, 990 + 300 * i, 2));
    expect(steps).toEqual([false, false, false, false, false, false, false, true]);
    expect(slots(small.rateAt(3400))).toBe(4);
  });

  it('holding most of a small limit, every 429 gives one up, at most once per second-window', () => {
    const p = createRatePolicy({ perSecond: 5 });
    p.refused(0, 0, 4);
    expect(slots(p.rateAt(0))).toBe(4);
    expect(p.refused(1100, 1050, 4)).toBe(true);
    expect(slots(p.rateAt(1100))).toBe(3);
    // sent before the server could see the step: old news
    expect(p.refused(1500, 1400, 3)).toBe(false);
    expect(slots(p.rateAt(1500))).toBe(3);
    expect(p.refused(2300, 2200, 3)).toBe(true);
    expect(slots(p.rateAt(2300))).toBe(2);
  });

  it('a share held long without a step gives up a slot at the next 429, however small its part then (the bigger share sooner)', () => {
    // 5 of 20.4 slots held: 2.7 / (5 / 20.4) = 11 second-windows; 10 slots: 5.5.
    const atFive = createRatePolicy({ perSecond: 20, quietWindows: 1000, partFloor: false });
    atFive.refused(0, 0, 5);
    expect(atFive.refused(10 * W, 10 * W - 10, 1)).toBe(false);
    expect(atFive.refused(11.1 * W, 11.1 * W - 10, 1)).toBe(true);
    expect(slots(atFive.rateAt(11.1 * W))).toBe(4);
    const atTen = createRatePolicy({ perSecond: 20, quietWindows: 1000, partFloor: false });
    atTen.refused(0, 0, 10);
    expect(atTen.refused(5 * W, 5 * W - 10, 1)).toBe(false);
    expect(atTen.refused(5.6 * W, 5.6 * W - 10, 1)).toBe(true);
    expect(slots(atTen.rateAt(5.6 * W))).toBe(9);
  });

  it('never below one slot while sharing', () => {
    const p = createRatePolicy({ perSecond: 5, minPerSecond: 0.2 });
    p.refused(0, 0, 1);
    for (let t = 1100; t < 20_000; t += 1100) p.refused(t, t - 10, 1);
    expect(p.rateAt(20_000)).toBeCloseTo(1000 / W, 9);
  });
});

describe('rate policy: part floor', () => {
  it('desks that met at once never give up slots below their part of the window rounded up (20/s, three desks: 8 slots, 7 a window)', () => {
    const p = createRatePolicy({ perSecond: 20 });
    expect(p.refused(0, 0, 7)).toBe(true);
    expect(slots(p.rateAt(0))).toBe(8);
    for (let i = 1; i <= 20; i++) p.refused(1100 * i, 1100 * i - 10, 2);
    expect(slots(p.rateAt(22_000))).toBe(8);
    // the same 429s without the floor: down to the one slot
    const q = createRatePolicy({ perSecond: 20, partFloor: false });
    q.refused(0, 0, 7);
    for (let i = 1; i <= 20; i++) q.refused(1100 * i, 1100 * i - 10, 2);
    expect(slots(q.rateAt(22_000))).toBeLessThan(7);
  });

  it('no floor where rounding up oversubscribes the window (5/s, three desks: 6 for 5), nor for a desk that was alone when another joined', () => {
    const atFive = createRatePolicy({ perSecond: 5 });
    atFive.refused(0, 0, 2);
    for (let i = 1; i <= 20; i++) atFive.refused(1100 * i, 1100 * i - 10, 2);
    expect(slots(atFive.rateAt(22_000))).toBe(1);
    const alone = createRatePolicy({ perSecond: 20 });
    alone.refused(0, 0, 15);
    for (let i = 1; i <= 40; i++) alone.refused(600 * i, 600 * i - 10, 5);
    expect(slots(alone.rateAt(24_000))).toBeLessThan(8);
  });
});

describe('rate policy: climbs', () => {
  it('takes one more slot after a quiet time proportional to its share (the bigger share waits longer), then accelerates to the full rate', () => {
    const small = createRatePolicy({ perSecond: 20 });
    small.refused(0, 0, 5); // quiet needed: max(1.5, 6 × 5 / 20.4) windows = 1.5 windows
    const big = createRatePolicy({ perSecond: 20 });
    big.refused(0, 0, 10); // 6 × 10 / 20.4 = 2.94 windows
    expect(slots(small.rateAt(1.5 * W - 1))).toBe(5);
    expect(slots(small.rateAt(1.5 * W))).toBe(6);
    expect(slots(big.rateAt(1.5 * W))).toBe(10);
    const bigQuiet = (6 * 10 * W) / 20.4;
    expect(slots(big.rateAt(bigQuiet - 1))).toBe(10);
    expect(slots(big.rateAt(bigQuiet + 1))).toBe(11);
    // back at the full rate within returnMs (1.5 s) of that slot
    expect(small.rateAt(1.5 * W + 500)).toBeLessThan(20);
    expect(small.rateAt(1.5 * W + 1500)).toBe(20);
    expect(big.rateAt(bigQuiet + 1500)).toBe(20);
    // and stays there (not sharing any more: the next 429 is a discovery again)
    expect(small.rateAt(60_000)).toBe(20);
    expect(small.refused(60_000, 59_990, 9)).toBe(true);
    expect(slots(small.rateAt(60_000))).toBe(9);
  });

  it('a 429 during the accelerated climb keeps only the slot taken in the quiet', () => {
    const p = sharing();
    const quiet = Math.max(1.5, (6 * 7) / 20.4) * W;
    expect(slots(p.rateAt(quiet + 1000))).toBeGreaterThan(9);
    p.refused(quiet + 1000, quiet + 990, 9);
    expect(slots(p.rateAt(quiet + 1000))).toBe(8);
  });

  it('a pause stops the quiet clock for its length', () => {
    const p = sharing();
    const quiet = Math.max(1.5, (6 * 7) / 20.4) * W;
    p.paused(500, 2500);
    expect(slots(p.rateAt(quiet + 1998))).toBe(7);
    expect(slots(p.rateAt(quiet + 2001))).toBe(8);
  });

  it('a new configured rate while sharing keeps the share and climbs towards the new rate', () => {
    const p = sharing();
    p.setCeiling(40, 100);
    expect(slots(p.rateAt(100))).toBe(7);
    expect(p.rateAt(20_000)).toBe(40);
  });
});
