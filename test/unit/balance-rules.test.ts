import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Membership } from '../../preload/contract';
import { MAX_BALANCE } from '../../common/limits';
import { balanceEditability, isLargeBalanceJump, balanceLines, parseBalanceInput, planBalanceEdit, planBalanceTargets, type BalanceKey } from '../../common/balance-rules';

type M = Pick<Membership, 'balance' | 'type'>;
const type = (balanceEditType: number | null = 2): Membership['type'] => ({
  id: 1,
  title: 'T',
  allowFreeze: true,
  freezeLimit: 14,
  freezeLimitUnit: 'day',
  balanceEditType,
  period: 3,
  periodUnit: 'month',
});
const united = (count: number, unlimited = false, editType: number | null = 2): M => ({ type: type(editType), balance: { kind: 'united', count, unlimited, lines: [] } });
const perService = (editType: number | null = 2): M => ({
  type: type(editType),
  balance: {
    kind: 'per_service',
    lines: [
      { serviceId: 101, title: 'Pilates group', isCategory: false, count: 7, unlimited: false },
      { serviceId: 202, title: 'Yoga', isCategory: true, count: 0, unlimited: false },
      { serviceId: 303, title: 'Sauna', isCategory: false, count: 0, unlimited: true },
    ],
  },
});
const RIGHT = { balanceEdit: true };

describe('balanceEditability', () => {
  it('editable with the right and type 2 or unknown', () => {
    expect(balanceEditability(united(5), RIGHT)).toEqual({ editable: true });
    expect(balanceEditability(united(5, false, null), RIGHT)).toEqual({ editable: true });
    expect(balanceEditability(perService(), RIGHT)).toEqual({ editable: true });
  });

  it('type 0 prohibits, type 1 warns about the selling location', () => {
    expect(balanceEditability(united(5, false, 0), RIGHT)).toEqual({
      editable: false,
      reason: 'This membership type does not allow balance changes.',
      why: { key: 'balance.block.typeForbids' },
    });
    const one = balanceEditability(united(5, false, 1), RIGHT);
    expect(one.editable).toBe(true);
    expect(one.warning).toMatch(/only at the location where it was sold\. If it was sold at another location, Altegio will say so and nothing changes\./);
  });

  it('an expired membership stays editable, with a warning (Altegio may refuse it)', () => {
    const expired = { ...united(5), status: { slug: 'expired' as const } };
    expect(balanceEditability(expired, RIGHT)).toEqual({
      editable: true,
      warning: 'This membership has expired. Altegio may refuse to change its balance; if it does, nothing changes.',
      warnings: [{ key: 'balance.warn.expired' }],
    });
    expect(balanceEditability({ ...united(5), status: { slug: 'active' as const } }, RIGHT)).toEqual({ editable: true });
    const both = balanceEditability({ ...united(5, false, 1), status: { slug: 'expired' as const } }, RIGHT);
    expect(both.warning).toMatch(/only at the location where it was sold.*has expired/);
  });

  it('unlimited and missing balances are read-only; the right is required', () => {
    expect(balanceEditability(united(0, true), RIGHT)).toMatchObject({ editable: false, reason: expect.stringContaining('unlimited') });
    const allUnlimited: M = { type: type(), balance: { kind: 'per_service', lines: [{ serviceId: 1, title: 'A', isCategory: false, count: 0, unlimited: true }] } };
    expect(balanceEditability(allUnlimited, RIGHT).editable).toBe(false);
    expect(balanceEditability({ type: type(), balance: { kind: 'per_service', lines: [] } }, RIGHT).editable).toBe(false);
    expect(balanceEditability(united(5), { balanceEdit: false })).toMatchObject({ editable: false, reason: 'Your Altegio role does not allow changing membership balances.' });
  });
});

describe('messages by reference (the renderer words them in the language in use)', () => {
  it('carries the key and parameters beside the English words', () => {
    const big = parseBalanceInput('1000000', 3);
    expect(big).toEqual({ ok: false, message: 'That is too large: at most 100,000 visits.', why: { key: 'balance.input.tooLarge', params: { max: 100_000 } } });
    const below = parseBalanceInput('-5', 3);
    expect(below).toMatchObject({ ok: false, why: { key: 'balance.input.belowZero', params: { value: -2 } } });
    const plan = planBalanceEdit(united(5), new Map([[7, '1']]));
    expect(plan.errors).toEqual([{ key: '7', message: 'This membership has no balance for service 7.', why: { key: 'balance.input.noService', params: { service: 7 } } }]);
  });
});

describe('parseBalanceInput', () => {
  it.each([
    ['7', 3, 7, 'absolute'],
    [' 7 ', 3, 7, 'absolute'],
    ['0', 3, 0, 'absolute'],
    ['+2', 3, 5, 'delta'],
    ['+ 2', 3, 5, 'delta'],
    ['-1', 3, 2, 'delta'],
    ['−1', 3, 2, 'delta'], // U+2212
    ['–3', 3, 0, 'delta'], // en dash
    ['1 000', 0, 1000, 'absolute'],
    ['1\u00A0000', 0, 1000, 'absolute'],
    ['-0', 3, 3, 'delta'],
  ])('%j with current %i -> %i (%s)', (text, current, value, mode) => {
    expect(parseBalanceInput(text, current)).toEqual({ ok: true, value, mode, delta: value - current });
  });

  it.each([
    ['', 'Enter a number'],
    ['   ', 'Enter a number'],
    ['abc', 'whole number'],
    ['2.5', 'whole numbers'],
    ['2,5', 'whole numbers'],
    ['+', 'whole number'],
    ['--1', 'whole number'],
    ['1e3', 'whole number'],
    ['-4', 'below 0'],
    ['100001', 'too large'],
    ['99999999999999999999', 'too large'],
  ])('%j is refused (%s)', (text, fragment) => {
    const r = parseBalanceInput(text, 3);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(fragment);
  });

  it('property: any value or adjustment within range round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_BALANCE }), fc.integer({ min: -MAX_BALANCE, max: MAX_BALANCE }), fc.constantFrom('-', '−', '–'), (current, delta, minus) => {
        const text = delta >= 0 ? `+${delta}` : `${minus}${-delta}`;
        const r = parseBalanceInput(text, current);
        const expected = current + delta;
        if (expected < 0 || expected > MAX_BALANCE) expect(r.ok).toBe(false);
        else expect(r).toEqual({ ok: true, value: expected, mode: 'delta', delta });
        const abs = parseBalanceInput(String(current), 12);
        expect(abs).toMatchObject({ ok: true, value: current, mode: 'absolute' });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('planBalanceEdit', () => {
  it('united: one line, body with the new value', () => {
    const plan = planBalanceEdit(united(5), new Map<BalanceKey, string>([['united', '+2']]));
    expect(plan.lines).toEqual([{ key: 'united', title: 'Shared balance (all services)', isCategory: false, unlimited: false, before: 5, after: 7, changed: true }]);
    expect(plan.body).toEqual({ united: 7 });
    expect(plan.errors).toEqual([]);
    expect(plan.changedCount).toBe(1);
  });

  it('per service: only changed lines go into the body', () => {
    const plan = planBalanceEdit(perService(), new Map<BalanceKey, string>([[101, '7'], [202, '+3']]));
    expect(plan.lines.map((l) => [l.key, l.before, l.after, l.changed])).toEqual([
      [101, 7, 7, false],
      [202, 0, 3, true],
      [303, 0, 0, false],
    ]);
    expect(plan.body).toEqual({ services: [{ serviceId: 202, balance: 3 }] });
  });

  it('nothing changed -> no body', () => {
    const plan = planBalanceEdit(perService(), new Map<BalanceKey, string>([[101, ''], [202, '0']]));
    expect(plan.body).toBeNull();
    expect(plan.errors).toEqual([]);
    expect(plan.changedCount).toBe(0);
  });

  it('collects every error, keeps the other lines, and sends nothing', () => {
    const plan = planBalanceEdit(
      perService(),
      new Map<BalanceKey, string>([
        [101, '-9'],
        [202, '1.5'],
        [303, '4'],
        [404, '1'],
        ['united', '3'],
      ]),
    );
    expect(plan.body).toBeNull();
    expect(plan.changedCount).toBe(0);
    expect(Object.fromEntries(plan.errors.map((e) => [e.key, e.message]))).toEqual({
      '101': 'That would leave -2 visits: a balance cannot go below 0.',
      '202': 'Visits are whole numbers.',
      '303': 'Unlimited: this balance cannot be changed.',
      '404': 'This membership has no balance for service 404.',
      united: 'This membership has per-service balances, not a shared one.',
    });
    expect(plan.lines.find((l) => l.key === 303)?.error).toContain('Unlimited');
  });

  it('an unlimited united balance cannot be planned', () => {
    expect(planBalanceEdit(united(0, true), new Map<BalanceKey, string>([['united', '5']])).errors).toHaveLength(1);
  });

  it('absolute targets: same checks', () => {
    expect(planBalanceTargets(perService(), { services: [{ serviceId: 101, balance: 4 }] }).body).toEqual({ services: [{ serviceId: 101, balance: 4 }] });
    expect(planBalanceTargets(perService(), { services: [{ serviceId: 101, balance: -1 }] }).errors[0]?.message).toContain('below 0');
    expect(planBalanceTargets(perService(), { services: [{ serviceId: 101, balance: 2.5 }] }).errors[0]?.message).toContain('whole');
    expect(planBalanceTargets(perService(), { services: [{ serviceId: 101, balance: 1 }, { serviceId: 101, balance: 2 }] }).errors[0]?.message).toContain('twice');
    expect(planBalanceTargets(united(3), { united: MAX_BALANCE + 1 }).errors[0]?.message).toContain('too large');
    expect(planBalanceTargets(united(3), { united: 3 }).body).toBeNull();
  });

  it('property: body holds exactly the lines whose after differs from before', () => {
    const m = perService();
    const editable = balanceLines(m).filter((l) => !l.unlimited);
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), { minLength: editable.length, maxLength: editable.length }), (values) => {
        const inputs = new Map<BalanceKey, string>();
        editable.forEach((l, i) => {
          const v = values[i];
          if (v !== undefined) inputs.set(l.key, String(v));
        });
        const plan = planBalanceEdit(m, inputs);
        const expected = editable.flatMap((l, i) => (values[i] !== undefined && values[i] !== l.count ? [{ serviceId: l.key as number, balance: values[i]! }] : []));
        expect(plan.body).toEqual(expected.length > 0 ? { services: expected } : null);
        for (const line of plan.lines) expect(line.changed).toBe(line.after !== line.before);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a large jump asks for a second look (issue 13 item 11)', () => {
  it('more than ten times the balance, or more than 100 visits added; never a decrease', () => {
    expect(isLargeBalanceJump(12, 1000)).toBe(true);
    expect(isLargeBalanceJump(5, 51)).toBe(true); // ×10.2
    expect(isLargeBalanceJump(5, 50)).toBe(false); // ×10 exactly
    expect(isLargeBalanceJump(200, 301)).toBe(true); // +101
    expect(isLargeBalanceJump(200, 300)).toBe(false); // +100 exactly
    expect(isLargeBalanceJump(0, 100)).toBe(false);
    expect(isLargeBalanceJump(0, 101)).toBe(true);
    expect(isLargeBalanceJump(1000, 12)).toBe(false);
    expect(isLargeBalanceJump(7, 7)).toBe(false);
  });
});
