/**
 * The op kinds (main/core/ops/): `state()` — the one "did it land?" — with freeze dates in offsets
 * other than the location's zone, the journal codecs (decoded, never cast) and the inverses.
 */
import { describe, expect, it } from 'vitest';
import type { Membership } from '../../preload/contract';
import { decodePayload, freezeOp, opKind, setBalanceOp, unfreezeOp, type FreezePayload, type UnfreezePayload } from '../../main/core/ops';
import { exampleMembership } from '../support/memberships';

const ZONE = 'America/Chicago'; // UTC-5 in May
const FREEZE: FreezePayload = { freezeTill: '2026-05-16', timezone: ZONE };
const frozen = (freezeTill: string | null, isFrozen = true): Membership => exampleMembership({ isFrozen, freezeTill });

describe('freeze.state: one date comparison, in the location zone', () => {
  it.each([
    ['not frozen', frozen(null, false), 'before'],
    ['the location offset', frozen('2026-05-16T23:59:59-05:00'), 'after'],
    ['the same instant in UTC (its date part says the 17th)', frozen('2026-05-17T04:59:59Z'), 'after'],
    ['+03:00, the 17th there, the 16th in Chicago', frozen('2026-05-17T00:30:00+03:00'), 'after'],
    ['-10:00, the 16th there, the 17th in Chicago', frozen('2026-05-16T23:00:00-10:00'), 'other'],
    ['a bare date', frozen('2026-05-16'), 'after'],
    ['another date', frozen('2026-05-20T23:59:59-05:00'), 'other'],
    ['frozen without freeze_till (Altegio documents it only in the freeze answer): landed', frozen(null), 'after'],
  ] as const)('%s', (_label, m, want) => {
    expect(freezeOp.state(m, FREEZE)).toBe(want);
  });
});

describe('unfreeze.state', () => {
  it('plain: frozen → before, not frozen → after', () => {
    expect(unfreezeOp.state(frozen('2026-05-16'), {})).toBe('before');
    expect(unfreezeOp.state(frozen(null, false), {})).toBe('after');
  });
  it("as a freeze's undo: only while it is still that freeze (compared in the location zone)", () => {
    const inverse = freezeOp.inverse(FREEZE) as { kind: string; payload: UnfreezePayload } | { kind: string; message: string };
    if (!('payload' in inverse)) throw new Error('freeze has an inverse');
    expect(inverse.kind).toBe('unfreeze');
    expect(unfreezeOp.state(frozen('2026-05-17T04:59:59Z'), inverse.payload)).toBe('before');
    expect(unfreezeOp.state(frozen('2026-05-16T23:00:00-10:00'), inverse.payload)).toBe('other');
    expect(unfreezeOp.state(frozen(null), inverse.payload)).toBe('before');
    expect(unfreezeOp.state(frozen(null, false), inverse.payload)).toBe('after');
  });
  it('an unfreeze has no automatic inverse', () => {
    expect(unfreezeOp.inverse({})).toMatchObject({ kind: 'validation' });
  });
});

describe('set_balance.state and inverse', () => {
  const united = (count: number, unlimited = false) => exampleMembership({ balance: { kind: 'united', count, unlimited, lines: [] } });
  const payload = { expect: { united: 5 }, target: { united: 3 } };
  it.each([
    [united(5), 'before'],
    [united(3), 'after'],
    [united(4), 'other'],
    [united(5, true), 'other'],
  ] as const)('united %#', (m, want) => expect(setBalanceOp.state(m, payload)).toBe(want));
  it('the inverse swaps before and after', () => {
    expect(setBalanceOp.inverse(payload)).toEqual({ kind: 'set_balance', payload: { expect: { united: 3 }, target: { united: 5 } } });
  });
});

describe('journal codecs: rows are decoded, never cast', () => {
  it('round-trips every kind', () => {
    for (const [kind, p] of [
      [freezeOp, FREEZE],
      [unfreezeOp, { freezeTill: '2026-05-16', timezone: ZONE, note: 'ends today' }],
      [unfreezeOp, {}],
      [setBalanceOp, { expect: { services: [{ serviceId: 4, balance: 1 }] }, target: { services: [{ serviceId: 4, balance: 2 }] } }],
    ] as const) {
      const k = opKind(kind.name);
      expect(decodePayload(k, k.encode(p))).toEqual(p);
    }
  });
  it('refuses a row that does not fit, with a clear error', () => {
    expect(() => decodePayload(opKind('freeze'), { body: { freezeTill: '2026-02-30', timezone: ZONE }, expect: null, target: null })).toThrow(/freeze operation could not be read/);
    expect(() => decodePayload(opKind('set_balance'), { body: null, expect: { united: -1 }, target: { united: 2 } })).toThrow(/set_balance/);
    expect(() => decodePayload(opKind('unfreeze'), { body: { freezeTill: '2026-05-16' }, expect: null, target: null })).toThrow(/unfreeze/);
    expect(() => opKind('set_period_nope')).toThrow(/unknown kind/);
  });
});
