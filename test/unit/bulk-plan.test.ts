import { describe, expect, it } from 'vitest';
import type { Rights } from '../../preload/contract';
import { bulkVerdict, splitRefs } from '../../main/core/bulk/plan';
import { exampleMembership } from '../support/memberships';

const rights: Rights = { loyalty: true, periodEdit: true, balanceEdit: true, history: true };
const ctx = { rights, now: new Date('2026-04-01T15:00:00Z'), timezone: 'America/Chicago' };

describe('bulk verdicts (the common rules, as codes)', () => {
  it('freeze: allowed within the allowance; each refusal has its code and parameters', () => {
    expect(bulkVerdict(exampleMembership(), { kind: 'freeze', freezeTill: '2026-04-06' }, ctx)).toMatchObject({ ok: true, code: 'freeze', params: { till: '2026-04-06', days: 5 } });
    expect(bulkVerdict(exampleMembership({}, { allowFreeze: false }), { kind: 'freeze', freezeTill: '2026-04-06' }, ctx)).toMatchObject({ ok: false, code: 'type_forbids' });
    expect(bulkVerdict(exampleMembership({ isFrozen: true, freezeTill: '2026-04-10' }), { kind: 'freeze', freezeTill: '2026-04-06' }, ctx)).toMatchObject({ ok: false, code: 'already_frozen', params: { till: '2026-04-10' } });
    expect(bulkVerdict(exampleMembership(), { kind: 'freeze', freezeTill: '2026-04-30' }, ctx)).toEqual({ ok: false, code: 'too_long', params: { lastDate: '2026-04-15', daysLeft: 14 } });
    expect(bulkVerdict(exampleMembership(), { kind: 'freeze', freezeTill: '2026-04-01' }, ctx)).toEqual({ ok: false, code: 'date_too_early', params: { firstDate: '2026-04-02' } });
    expect(bulkVerdict(exampleMembership({ freezePeriodDays: 14 }), { kind: 'freeze', freezeTill: '2026-04-06' }, ctx)).toMatchObject({ ok: false, code: 'no_days_left', params: { used: 14, limit: 14 } });
    expect(bulkVerdict(exampleMembership({ status: { id: 3, slug: 'expired', title: 'Expired' } }), { kind: 'freeze', freezeTill: '2026-04-06' }, ctx)).toMatchObject({ ok: false, code: 'expired' });
    expect(bulkVerdict(exampleMembership(), { kind: 'freeze', freezeTill: '2026-04-06' }, { ...ctx, rights: { ...rights, periodEdit: false } })).toMatchObject({ ok: false, code: 'no_right' });
  });

  it('unfreeze: only what is frozen, carrying the date it was frozen until', () => {
    expect(bulkVerdict(exampleMembership(), { kind: 'unfreeze' }, ctx)).toEqual({ ok: false, code: 'not_frozen', params: {} });
    const v = bulkVerdict(exampleMembership({ isFrozen: true, freezeTill: '2026-04-10' }), { kind: 'unfreeze' }, ctx);
    expect(v).toMatchObject({ ok: true, code: 'unfreeze', params: { till: '2026-04-10' }, payload: { freezeTill: '2026-04-10', timezone: 'America/Chicago' } });
  });

  it('visits: relative to each line, never below 0, refused where the type or the role forbids it', () => {
    const united = exampleMembership({ balance: { kind: 'united', count: 3, unlimited: false, lines: [] } });
    expect(bulkVerdict(united, { kind: 'visits', delta: 2 }, ctx)).toMatchObject({ ok: true, payload: { expect: { united: 3 }, target: { united: 5 } }, before: 3, after: 5 });
    expect(bulkVerdict(united, { kind: 'visits', delta: -4 }, ctx)).toEqual({ ok: false, code: 'not_enough_visits', params: { have: 3, remove: 4 } });
    const perService = exampleMembership({
      balance: {
        kind: 'per_service',
        lines: [
          { serviceId: 1, title: 'Pool', isCategory: false, count: 4, unlimited: false },
          { serviceId: 2, title: 'Sauna', isCategory: false, count: 0, unlimited: true },
        ],
      },
    });
    expect(bulkVerdict(perService, { kind: 'visits', delta: -1 }, ctx)).toMatchObject({ ok: true, payload: { expect: { services: [{ serviceId: 1, balance: 4 }] }, target: { services: [{ serviceId: 1, balance: 3 }] } }, params: { before: 'Pool 4', after: 'Pool 3' } });
    expect(bulkVerdict(united, { kind: 'visits', delta: 1 }, { ...ctx, rights: { ...rights, balanceEdit: false } })).toMatchObject({ ok: false, code: 'no_right' });
    expect(bulkVerdict(exampleMembership({}, { balanceEditType: 0 }), { kind: 'visits', delta: 1 }, ctx)).toMatchObject({ ok: false, code: 'balance_edit_forbidden' });
    expect(bulkVerdict(exampleMembership({ balance: { kind: 'united', count: 0, unlimited: true, lines: [] } }), { kind: 'visits', delta: 1 }, ctx)).toMatchObject({ ok: false, code: 'unlimited' });
  });

  it('extend: the expiry moves N days later (period in days from activation, as the card sends it); refused where the rules say', () => {
    const v = bulkVerdict(exampleMembership(), { kind: 'extend', days: 10 }, ctx);
    expect(v).toMatchObject({ ok: true, code: 'extend', params: { from: '2026-06-05', to: '2026-06-15' }, payload: { expect: { period: 3, unit: 'month', expiry: '2026-06-05' }, target: { period: 102, unit: 'day', expiry: '2026-06-15' } } });
    expect(bulkVerdict(exampleMembership({ status: { id: 1, slug: 'created', title: 'Issued' }, activatedDate: null }), { kind: 'extend', days: 10 }, ctx)).toMatchObject({ ok: false, code: 'not_activated' });
    expect(bulkVerdict(exampleMembership(), { kind: 'extend', days: 10 }, { ...ctx, rights: { ...rights, periodEdit: false } })).toMatchObject({ ok: false, code: 'no_right' });
  });

  it('splits a pasted list on spaces, commas, semicolons and lines', () => {
    expect(splitRefs(' 500731,500732;\r\n№500733\t4471902  ')).toEqual(['500731', '500732', '№500733', '4471902']);
  });
});
