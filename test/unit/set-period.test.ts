/**
 * Change validity: the rules (common/period-rules.ts — who may, which dates, the days sent for an
 * expiry with the activation day as day 0) and the op (main/core/ops/set-period.ts — state() in
 * the location's zone, precheck, codec, inverse). Tables; the sandbox agreement is checked in
 * test/integration/set-period.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { currentValidity, expiryFor, periodAvailability, periodDateProblem, periodDaysFor, periodPreview } from '../../common/period-rules';
import type { Membership, Rights } from '../../preload/contract';
import { decodePayload, opKind, setPeriodOp, type SetPeriodPayload } from '../../main/core/ops';
import { exampleMembership } from '../support/memberships';

const ZONE = 'America/Chicago';
// 18:00 on 20 March in Chicago (already the 21st in UTC).
const NOW = new Date('2026-03-21T00:00:00Z');
const ALL: Rights = { periodEdit: true, balanceEdit: true } as Rights;
// The §4.1 example: activated 5 March (Chicago), expires 5 June 23:59:59 -05:00, 3 months.
const M = exampleMembership();

const PAYLOAD: SetPeriodPayload = {
  expect: { period: 3, unit: 'month', expiry: '2026-06-05' },
  target: { period: 107, unit: 'day', expiry: '2026-06-20' },
  timezone: ZONE,
};

describe('period rules', () => {
  it('the activation day is day 0 (the documented off-by-one): 30 days from 5 March end on 4 April', () => {
    expect(expiryFor('2026-03-05', 0, 30, 'day')).toBe('2026-04-04');
    expect(periodDaysFor('2026-03-05', 0, '2026-04-04')).toBe(30);
    // Not the inclusive count (E − A + 1 = 31), which would land one day late.
    expect(expiryFor('2026-03-05', 0, periodDaysFor('2026-03-05', 0, '2026-04-04') + 1, 'day')).toBe('2026-04-05');
  });
  it('frozen days come on top of the period', () => {
    expect(periodDaysFor('2026-03-05', 4, '2026-04-08')).toBe(30);
    expect(expiryFor('2026-03-05', 4, 3, 'month')).toBe('2026-06-09');
  });
  it('the example membership: 3 months from 5 March is 5 June, as its expiration_date says', () => {
    expect(expiryFor('2026-03-05', 0, 3, 'month')).toBe('2026-06-05');
  });

  it.each([
    ['active, with the right', M, ALL, true, null],
    ['right unknown (null): offered, Altegio decides', M, { periodEdit: null, balanceEdit: null } as unknown as Rights, true, null],
    ['right absent', M, {} as Rights, true, null],
    ['right false', M, { periodEdit: false, balanceEdit: true } as Rights, false, 'no_right'],
    ['refused by Altegio this session', M, { periodEdit: true, balanceEdit: true, refused: { periodEdit: 'Нет прав' } } as Rights, false, 'no_right'],
    ['not activated', exampleMembership({ status: { id: 1, slug: 'created', title: 'Issued' }, activatedDate: null, expirationDate: null }), ALL, false, 'not_activated'],
    ['activation date not sent', exampleMembership({ activatedDate: null, notGiven: ['activatedDate'] }), ALL, false, 'activation_unknown'],
    ['no expiry date', exampleMembership({ expirationDate: null }), ALL, false, 'expiry_unknown'],
    ['used up', exampleMembership({ status: { id: 4, slug: 'wasted', title: 'Used up' } }), ALL, false, 'used_up'],
    ['expired: may be extended', exampleMembership({ status: { id: 3, slug: 'expired', title: 'Expired' }, expirationDate: '2026-03-10T23:59:59-05:00' }), ALL, true, null],
  ] as const)('availability: %s', (_label, m, rights, allowed, code) => {
    const a = periodAvailability(m as Membership, rights, NOW, ZONE);
    expect(a.allowed).toBe(allowed);
    if (!a.allowed) expect(a.code).toBe(code);
  });

  it('dates in the location zone: today is the 20th in Chicago, the first offered expiry', () => {
    const a = periodAvailability(M, ALL, NOW, ZONE);
    if (!a.allowed) throw new Error('allowed');
    expect(a).toMatchObject({ today: '2026-03-20', activated: '2026-03-05', expiry: '2026-06-05', firstDate: '2026-03-20' });
    // In Tokyo it is already the 21st.
    const tokyo = periodAvailability(M, ALL, NOW, 'Asia/Tokyo');
    expect(tokyo.allowed && tokyo.firstDate).toBe('2026-03-21');
  });

  it.each([
    ['2026-06-20', null],
    ['2026-03-20', null],
    ['2026-03-19', 'too_early'],
    ['2026-06-05', 'unchanged'],
    ['2026-02-30', 'not_a_date'],
    ['20.06.2026', 'not_a_date'],
  ] as const)('new expiry %s → %s', (date, problem) => {
    const a = periodAvailability(M, ALL, NOW, ZONE);
    if (!a.allowed) throw new Error('allowed');
    expect(periodDateProblem(a, date)).toBe(problem);
  });

  it('the preview: days sent and the change', () => {
    const a = periodAvailability(M, ALL, NOW, ZONE);
    if (!a.allowed) throw new Error('allowed');
    expect(periodPreview(a, '2026-06-20')).toEqual({ expiry: '2026-06-20', days: 107, change: 15 });
  });

  it('current validity: its own period and unit when they explain the expiry, else days', () => {
    const a = periodAvailability(M, ALL, NOW, ZONE);
    if (!a.allowed) throw new Error('allowed');
    expect(currentValidity(M, a)).toEqual({ period: 3, unit: 'month' });
    expect(currentValidity(exampleMembership({ period: 92, periodUnit: 'day' }), a)).toEqual({ period: 92, unit: 'day' });
    // Its own says 2 months, which does not give 5 June: the days that do.
    expect(currentValidity(exampleMembership({ period: 2, periodUnit: 'month' }), a)).toEqual({ period: 92, unit: 'day' });
  });
});

describe('set_period.state: one date comparison, in the location zone', () => {
  const at = (expirationDate: string | null) => exampleMembership({ expirationDate });
  it.each([
    ['the old expiry', at('2026-06-05T23:59:59-05:00'), 'before'],
    ['the new expiry in the location offset', at('2026-06-20T23:59:59-05:00'), 'after'],
    ['the same instant in UTC (its date part says the 21st)', at('2026-06-21T04:59:59Z'), 'after'],
    ['+03:00 just after midnight: still the 20th in Chicago', at('2026-06-21T00:30:00+03:00'), 'after'],
    ['-10:00 late evening: the 21st in Chicago (one day off)', at('2026-06-20T23:00:00-10:00'), 'other'],
    ['a bare date', at('2026-06-20'), 'after'],
    ['a day late (an inclusive count)', at('2026-06-21T23:59:59-05:00'), 'other'],
    ['no expiry', at(null), 'other'],
  ] as const)('%s', (_label, m, want) => {
    expect(setPeriodOp.state(m, PAYLOAD)).toBe(want);
  });
});

describe('set_period.precheck', () => {
  const ctx = (rights: Rights = ALL) => ({ rights, now: NOW, timezone: ZONE });
  it.each([
    ['allowed', M, PAYLOAD, ALL, null],
    ['no right', M, PAYLOAD, { periodEdit: false, balanceEdit: true } as Rights, 'forbidden'],
    ['right unknown: allowed', M, PAYLOAD, { periodEdit: null } as unknown as Rights, null],
    ['not activated', exampleMembership({ status: { id: 1, slug: 'created', title: 'Issued' }, activatedDate: null, expirationDate: null }), PAYLOAD, ALL, 'validation'],
    ['the expiry changed since the plan', exampleMembership({ expirationDate: '2026-06-09T23:59:59-05:00' }), PAYLOAD, ALL, 'conflict'],
    ['target is the current expiry', M, { ...PAYLOAD, target: { period: 92, unit: 'day', expiry: '2026-06-05' } }, ALL, 'validation'],
    ['a period of 0', M, { ...PAYLOAD, target: { period: 0, unit: 'day', expiry: '2026-03-05' } }, ALL, 'validation'],
    // The undo may restore a date in the past (the desk's "not before today" is the dialog's rule).
    ['an undo back to a past expiry', exampleMembership({ expirationDate: '2026-06-20T23:59:59-05:00' }), { ...PAYLOAD, expect: PAYLOAD.target, target: { period: 3, unit: 'day', expiry: '2026-03-08' } }, ALL, null],
  ] as const)('%s', (_label, m, p, rights, kind) => {
    const problem = setPeriodOp.precheck(m as Membership, p as SetPeriodPayload, ctx(rights as Rights));
    expect(problem?.kind ?? null).toBe(kind);
  });
});

describe('set_period journal codec and inverse', () => {
  it('encodes and decodes (never cast)', () => {
    const kind = opKind('set_period');
    expect(decodePayload(kind, kind.encode(PAYLOAD))).toEqual(PAYLOAD);
  });
  it('a stored row whose request differs from its target, or with a bad date, is refused', () => {
    const kind = opKind('set_period');
    const stored = kind.encode(PAYLOAD);
    expect(() => decodePayload(kind, { ...stored, body: { period: 5, unit: 'day', timezone: ZONE } })).toThrow(/could not be read/);
    expect(() => decodePayload(kind, { ...stored, target: { ...PAYLOAD.target, expiry: '2026-06-31' } })).toThrow(/could not be read/);
  });
  it('the inverse restores the previous period and unit, expecting the new expiry', () => {
    expect(setPeriodOp.inverse(PAYLOAD)).toEqual({ kind: 'set_period', payload: { expect: PAYLOAD.target, target: PAYLOAD.expect, timezone: ZONE } });
  });
});
