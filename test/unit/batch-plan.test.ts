import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inEnglish } from '../../common/i18n/words';
import type { RowProblem } from '../../main/core/batch/problems';
import type { Membership } from '../../preload/contract';
import { estimateDuration, planCorrections } from '../../main/core/batch/plan';
import { createLookups, type MembershipEntry } from '../../main/core/batch/plan-resolve';
import { guessMapping } from '../../main/core/batch/mapping';
import { parseTable, validateRows } from '../support/batch-views';
import { makeMembership } from '../../scripts/gen-csv-fixture';

const said = (p: RowProblem | undefined) => (p ? inEnglish(p.msg) : '');

const PILATES = { id: 12840551, title: 'Pilates group' };
const YOGA = { id: 9911201, title: 'Yoga' };

/** 1: per-service (Pilates 7, Yoga 3); 2: united 10; 3: per-service single line (Pilates 4). */
function fixture(extra: MembershipEntry[] = [], canEdit: (chainId: number) => boolean = () => true) {
  const entries: MembershipEntry[] = [
    { membership: makeMembership(1, { united: false, lines: [{ ...PILATES, count: 7 }, { ...YOGA, count: 3 }] }), phones: ['79120000001'] },
    { membership: makeMembership(2, { united: true, lines: [{ ...PILATES, count: 0 }], unitedCount: 10 }), phones: ['79120000002'] },
    { membership: makeMembership(3, { united: false, lines: [{ ...PILATES, count: 4 }] }) },
    ...extra,
  ];
  return createLookups(entries, canEdit);
}

const plan = (csv: string, lookups = fixture(), options = {}) => {
  const t = parseTable(csv);
  return planCorrections(validateRows(t, guessMapping(t.header)), lookups, options);
};
const outcomes = (p: ReturnType<typeof plan>) => p.rows.map((r) => [r.line, r.outcome, r.before, r.after, r.problems.map((x) => x.code).join(',')]);

describe('planCorrections', () => {
  it('plans absolute values and deltas, and combines rows of one membership into one operation', () => {
    const p = plan('membership_id;service;service_id;balance;delta;reason\n1;pilates GROUP;;5;;a\n1;;9911201;;+2;b\n2;;;;-3;c\n3;;;4;;same\n');
    expect(outcomes(p)).toEqual([
      [2, 'change', 7, 5, ''],
      [3, 'change', 3, 5, ''],
      [4, 'change', 10, 7, ''],
      [5, 'unchanged', 4, 4, ''],
    ]);
    expect(p.operations.toArray()).toEqual([
      {
        kind: 'set_balance',
        membershipId: 1,
        membershipNumber: '500001',
        chainId: 70114,
        body: { services: [{ serviceId: YOGA.id, balance: 5 }, { serviceId: PILATES.id, balance: 5 }] },
        before: { services: [{ serviceId: YOGA.id, balance: 3 }, { serviceId: PILATES.id, balance: 7 }] },
        after: { services: [{ serviceId: YOGA.id, balance: 5 }, { serviceId: PILATES.id, balance: 5 }] },
        rowLines: [2, 3],
        reason: 'a; b',
      },
      { kind: 'set_balance', membershipId: 2, membershipNumber: '500002', chainId: 70114, body: { united: 7 }, before: { united: 10 }, after: { united: 7 }, rowLines: [4], reason: 'c' },
    ]);
    expect(p.rows.get(0).operation).toBe(0);
    expect(p.rows.get(3).operation).toBe(-1);
    expect(p.totals).toEqual({ rows: 4, toChange: 3, unchanged: 1, invalid: 0, memberships: 2 });
  });

  it('finds memberships by number + phone, also when Excel dropped leading zeros', () => {
    const zero = makeMembership(4, { united: true, lines: [], unitedCount: 1 });
    const p = plan('number;phone;balance\n500001;+7 912 000-00-01;1\n500002;79120000009;1\n12;79120000004;3\n', fixture([{ membership: { ...zero, number: '0012' }, phones: ['79120000004'] }]));
    expect(outcomes(p)).toEqual([
      [2, 'invalid', null, null, 'service_required'],
      [3, 'invalid', null, null, 'unknown_membership'],
      [4, 'change', 1, 3, ''],
    ]);
  });

  it('sums several deltas on the same balance line and refuses a result below zero', () => {
    const p = plan('membership_id;balance;delta;reason\n2;;-4;x\n2;;-4;y\n2;;+1;z\n3;;-3;\n3;;-2;other\n');
    expect(outcomes(p)).toEqual([
      [2, 'change', 10, 3, ''],
      [3, 'change', 10, 3, ''],
      [4, 'change', 10, 3, ''],
      [5, 'invalid', 4, null, 'below_zero'],
      [6, 'invalid', 4, null, 'below_zero'],
    ]);
    expect(p.rows.get(4).problems[0]?.msg).toMatchObject({ key: 'batch.problem.belowZero', params: { calc: '4 − 5 = -1' } });
    expect(said(p.rows.get(4).problems[0])).toMatch(/below zero \(4 − 5 = -1\)/);
    expect(p.operations.map((o) => o.after)).toEqual([{ united: 3 }]);
  });

  it('counts identical rows once and reports the repeats as duplicates', () => {
    const p = plan('membership_id;balance;delta;reason\n2;;+1;r\n2;;+1;r\n3;5;;\n3;5;;\n');
    expect(outcomes(p)).toEqual([
      [2, 'change', 10, 11, ''],
      [3, 'invalid', 10, null, 'duplicate'],
      [4, 'change', 4, 5, ''],
      [5, 'invalid', 4, null, 'duplicate'],
    ]);
    expect(said(p.rows.get(1).problems[0])).toBe('Same as line 2; counted once.');
  });

  it('finds duplicates the same way in long runs of rows for one balance line (pairwise up to 16 rows, by map beyond)', () => {
    // 40 rows for membership 2's shared balance: +1 with reasons a0..a9 repeated 4 times.
    const rows = Array.from({ length: 40 }, (_, i) => `2;;+1;a${i % 10}`);
    const p = plan(`membership_id;balance;delta;reason\n${rows.join('\n')}\n`);
    const out = outcomes(p);
    expect(out.filter((o) => o[4] === '')).toHaveLength(10);
    expect(out.filter((o) => o[4] === 'duplicate')).toHaveLength(30);
    // The first ten count (10 + 10 visits); every repeat names the first row like it.
    expect(out.slice(0, 10).every((o) => o[1] === 'change' && o[3] === 20)).toBe(true);
    expect(said(p.rows.get(25).problems[0])).toBe('Same as line 7; counted once.');
    expect(p.operations.toArray()).toEqual([expect.objectContaining({ membershipId: 2, after: { united: 20 }, rowLines: Array.from({ length: 10 }, (_, i) => i + 2) })]);
    // A short run gives the same verdicts.
    const short = plan('membership_id;balance;delta;reason\n2;;+1;a\n2;;+1;b\n2;;+1;a\n');
    expect(outcomes(short).map((o) => o[4])).toEqual(['', '', 'duplicate']);
    expect(said(short.rows.get(2).problems[0])).toBe('Same as line 2; counted once.');
  });

  it('gives rows and operations as lists built on demand', () => {
    const p = plan('membership_id;balance\n2;5\nx;1\n');
    expect(p.rows).toHaveLength(2);
    expect([...p.rows].map((r) => r.outcome)).toEqual(['change', 'invalid']);
    expect(p.rows.get(1)).toEqual(p.rows.toArray()[1]);
    expect(() => p.rows.get(2)).toThrow(RangeError);
    expect(() => p.operations.get(1)).toThrow(RangeError);
    // A view is a copy: changing it changes nothing in the plan.
    p.rows.get(1).problems.length = 0;
    expect(p.rows.get(1).problems).toHaveLength(1);
  });

  it('uses the latest read of a membership fetched twice (by id and by phone)', () => {
    const stale = makeMembership(9, { united: true, lines: [], unitedCount: 1 });
    const fresh = makeMembership(9, { united: true, lines: [], unitedCount: 4 });
    const lookups = fixture([{ membership: stale, phones: ['79120000009'] }, { membership: fresh }]);
    const p = plan('membership_id;number;phone;delta\n9;;;+1\n;500009;79120000009;+2\n', lookups);
    expect(outcomes(p)).toEqual([
      [2, 'change', 4, 7, ''],
      [3, 'change', 4, 7, ''],
    ]);
  });

  it('refuses contradictory rows for the same balance line (two values, or a value and a delta) but keeps the other lines', () => {
    const p = plan('membership_id;service_id;balance;delta\n1;12840551;5;\n1;12840551;6;\n1;9911201;1;\n2;;4;\n2;;;+1\n');
    expect(outcomes(p)).toEqual([
      [2, 'invalid', 7, null, 'contradiction'],
      [3, 'invalid', 7, null, 'contradiction'],
      [4, 'change', 3, 1, ''],
      [5, 'invalid', 10, null, 'contradiction'],
      [6, 'invalid', 10, null, 'contradiction'],
    ]);
    expect(p.operations).toHaveLength(1);
    expect(p.operations.get(0).body).toEqual({ services: [{ serviceId: YOGA.id, balance: 1 }] });
  });

  it('refuses a balance line whose service ID another line of the membership shares (a request could not tell them apart)', () => {
    const twin = makeMembership(8, { united: false, lines: [{ id: 77, title: 'Gym A', count: 5 }, { id: 77, title: 'Gym B', count: 9 }, { ...YOGA, count: 1 }] });
    const p = plan('membership_id;service;service_id;delta\n8;Gym A;;+1\n8;;77;+1\n8;Yoga;;+1\n', fixture([{ membership: twin }]));
    expect(outcomes(p).map((o) => o[4])).toEqual(['ambiguous_service', 'ambiguous_service', '']);
    expect(said(p.rows.get(0).problems[0])).toMatch(/two balances with service ID 77 \(“Gym A” and “Gym B”\)/);
    expect(p.operations.toArray().map((o) => o.body)).toEqual([{ services: [{ serviceId: YOGA.id, balance: 2 }] }]);
  });

  it('keeps planned values above 2^31 exact (a larger maxCount than the API default)', () => {
    const big = makeMembership(9, { united: true, lines: [], unitedCount: 3_000_000_000 });
    const p = plan('membership_id;delta\n9;+1\n', fixture([{ membership: big }]), { maxCount: 5e9 });
    expect(p.rows.get(0).after).toBe(3_000_000_001);
    expect(p.operations.get(0).body).toEqual({ united: 3_000_000_001 });
  });

  it('warns, without refusing, about changed rows Altegio may refuse: types editable only where sold, expired memberships', () => {
    const sellingOnly = makeMembership(10, { united: true, lines: [], unitedCount: 3, editType: 1 });
    const sellingOnly2 = makeMembership(11, { united: true, lines: [], unitedCount: 3, editType: 1 });
    const expired = { ...makeMembership(12, { united: true, lines: [], unitedCount: 3 }), status: { id: 3, slug: 'expired', title: 'Expired' } } as Membership;
    const both = { ...makeMembership(13, { united: true, lines: [], unitedCount: 3, editType: 1 }), status: { id: 3, slug: 'expired', title: 'Expired' } } as Membership;
    const lookups = fixture([{ membership: sellingOnly }, { membership: sellingOnly2 }, { membership: expired }, { membership: both }]);
    const p = plan('membership_id;balance\n10;5\n11;4\n11;4\n12;1\n2;3\n', lookups);
    expect(outcomes(p).map((o) => o[1])).toEqual(['change', 'change', 'invalid', 'change', 'change']);
    expect(p.notices).toEqual([{ key: 'batch.notice.sellingLocation', params: { count: 2 } }, { key: 'batch.notice.expired', params: { count: 1 } }]);
    expect(p.notices.map((m) => inEnglish(m))).toEqual([
      '2 rows change memberships that can only be changed at the location where they were sold. If that is not this location, Altegio will refuse and the row will be marked failed in the report.',
      '1 row changes a membership that has expired. Altegio may refuse to change expired memberships; a refused row will be marked failed in the report and nothing else changes.',
    ]);
    // A membership can be both: it counts in both.
    expect(plan('membership_id;balance\n13;1\n', lookups).notices.map((m) => inEnglish(m))).toEqual([expect.stringMatching(/^1 row changes a membership that can only be changed/), expect.stringMatching(/^1 row changes a membership that has expired/)]);
    // Unchanged rows and other memberships: nothing to say.
    expect(plan('membership_id;balance\n10;3\n2;3\n', lookups).notices).toEqual([]);
  });

  it('checks services against the membership', () => {
    const p = plan('membership_id;service_id;service;balance\n1;555;;1\n1;;Boxing;1\n2;;Pilates group;1\n1;;;1\n1;12840551;Yoga;1\n3;;;9\n');
    expect(outcomes(p).map((o) => o[4])).toEqual(['unknown_service', 'unknown_service', 'service_on_united', 'service_required', 'service_title_mismatch', '']);
  });

  it('refuses unlimited balances and edits forbidden by type or by right', () => {
    const unlimited = makeMembership(5, { united: true, lines: [], unitedCount: 0 });
    const unlimitedLine = makeMembership(6, { united: false, lines: [{ ...PILATES, count: 0 }] });
    const locked = makeMembership(7, { united: true, lines: [], unitedCount: 3, editType: 0 });
    const otherChain = makeMembership(8, { united: true, lines: [], unitedCount: 3, chainId: 999 });
    const lookups = fixture(
      [
        { membership: { ...unlimited, balance: { kind: 'united', count: 0, unlimited: true, lines: [] } } as Membership },
        { membership: { ...unlimitedLine, balance: { kind: 'per_service', lines: [{ serviceId: PILATES.id, title: PILATES.title, isCategory: false, count: 0, unlimited: true }] } } as Membership },
        { membership: locked },
        { membership: otherChain },
      ],
      (chainId) => chainId !== 999,
    );
    const p = plan('membership_id;balance\n5;1\n6;1\n7;1\n8;1\n', lookups);
    expect(outcomes(p).map((o) => o[4])).toEqual(['unlimited', 'unlimited', 'forbidden_by_type', 'forbidden_by_right']);
  });

  it('keeps invalid rows from validation in place, in line order', () => {
    const p = plan('membership_id;balance\nx;1\n2;5\n');
    expect(outcomes(p)).toEqual([
      [2, 'invalid', null, null, 'bad_membership_id'],
      [3, 'change', 10, 5, ''],
    ]);
    expect(p.rows.get(0).membershipLabel).toBe('x');
  });

  it('uses a default reason when no row gives one', () => {
    expect(plan('membership_id;balance\n2;5\n').operations.get(0).reason).toBe('Batch balance correction');
    expect(plan('membership_id;balance\n2;5\n', fixture(), { defaultReason: 'Migration' }).operations.get(0).reason).toBe('Migration');
  });

  it('estimates the duration at the rate limit', () => {
    expect(estimateDuration(0)).toEqual({ requests: 0, ms: 0 });
    // 200 writes + 10 re-reads at min(5/s, 200/min) = 3.33/s → 63 s
    expect(estimateDuration(200)).toEqual({ requests: 210, ms: 63_000 });
    expect(estimateDuration(100, { perSecond: 50, perMinute: 6000 }, 0)).toEqual({ requests: 100, ms: 2000 });
  });
});

describe('planCorrections (properties)', () => {
  it('delta → target: after = before + sum of deltas (per line), never below zero; one operation per changed membership', () => {
    const arb = fc.record({
      counts: fc.array(fc.nat(20), { minLength: 1, maxLength: 6 }),
      rows: fc.array(fc.record({ m: fc.nat(5), delta: fc.integer({ min: -10, max: 10 }), tag: fc.nat(1000) }), { minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(arb, ({ counts, rows }) => {
        const entries = counts.map((c, i) => ({ membership: makeMembership(i + 1, { united: true, lines: [], unitedCount: c }) }));
        const lookups = createLookups(entries, () => true);
        const valid = rows.filter((r) => r.m < counts.length);
        // unique reasons: no row is an identical duplicate of another
        const csv = `membership_id;delta;reason\n${rows.map((r, i) => `${r.m + 1};${r.delta};t${i}`).join('\n')}\n`;
        const p = plan(csv, lookups);
        const sums = new Map<number, number>();
        for (const r of valid) sums.set(r.m, (sums.get(r.m) ?? 0) + r.delta);
        const changed = [...sums].filter(([m, s]) => s !== 0 && (counts[m] as number) + s >= 0);
        expect(p.operations.map((o) => o.membershipId).sort((a, b) => a - b)).toEqual(changed.map(([m]) => m + 1).sort((a, b) => a - b));
        for (const o of p.operations) {
          const m = o.membershipId - 1;
          expect(o.before).toEqual({ united: counts[m] });
          expect(o.after).toEqual({ united: (counts[m] as number) + (sums.get(m) as number) });
          expect(o.rowLines.length).toBe(valid.filter((r) => r.m === m).length);
        }
        expect(p.totals.toChange + p.totals.unchanged + p.totals.invalid).toBe(rows.length);
        for (const r of p.rows) if (r.after !== null) expect(r.after).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('absolute values: a plan never holds two different targets for one balance line', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ m: fc.integer({ min: 1, max: 3 }), line: fc.constantFrom(PILATES.id, YOGA.id), v: fc.nat(5) }), { maxLength: 30 }), (rows) => {
        const csv = `membership_id;service_id;balance\n${rows.map((r) => `${r.m};${r.m === 2 ? '' : r.line};${r.v}`).join('\n')}\n`;
        const p = plan(csv);
        const seen = new Map<string, number>();
        for (const r of p.rows) {
          if (r.outcome === 'invalid') continue;
          const key = `${r.membershipId}:${r.serviceId}`;
          if (seen.has(key)) expect(r.after).toBe(seen.get(key));
          seen.set(key, r.after as number);
        }
        const ids = p.operations.map((o) => o.membershipId);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });
});
