/**
 * Scheduled freezes: the scheduler's decisions (common/plan-rules.ts) — not yet / due / missed,
 * with the day read in the plan's location zone (the edges around local midnight), what a missed
 * plan may still do, and which dates may be planned.
 */
import { describe, expect, it } from 'vitest';
import { planDecision, planProblem, plannedFreezeDays, type PlanDates } from '../../common/plan-rules';

const CHICAGO = 'America/Chicago'; // UTC-6 in March before the 8th, UTC-5 after
const TOKYO = 'Asia/Tokyo'; // UTC+9
const away = (timezone = CHICAGO): PlanDates => ({ kind: 'freeze', startDate: '2026-03-10', endDate: '2026-03-20', timezone });
const unfreeze = (timezone = CHICAGO): PlanDates => ({ kind: 'unfreeze', startDate: '2026-03-10', endDate: null, timezone });

describe('planDecision: the day in the location zone', () => {
  it.each([
    ['the day before', away(), '2026-03-09T12:00:00Z', 'not_yet'],
    ['23:59 Chicago on the 9th (already the 10th in UTC)', away(), '2026-03-10T04:59:00Z', 'not_yet'],
    ['00:00 Chicago on the 10th', away(), '2026-03-10T05:00:00Z', 'due'],
    ['23:59 Chicago on the 10th', away(), '2026-03-11T04:59:00Z', 'due'],
    ['00:00 Chicago on the 11th: missed', away(), '2026-03-11T05:00:00Z', 'missed'],
    ['Tokyo: 00:30 on the 10th there is still the 9th in UTC — due', away(TOKYO), '2026-03-09T15:30:00Z', 'due'],
    ['Tokyo: 23:30 on the 9th there', away(TOKYO), '2026-03-09T14:30:00Z', 'not_yet'],
    ['an unfreeze on its day', unfreeze(), '2026-03-10T18:00:00Z', 'due'],
    ['an unfreeze the day after', unfreeze(), '2026-03-11T18:00:00Z', 'missed'],
  ] as const)('%s → %s', (_label, plan, now, want) => {
    expect(planDecision(plan, new Date(now)).kind).toBe(want);
  });

  it('missed freeze: what remains is a freeze from now until the planned end', () => {
    expect(planDecision(away(), new Date('2026-03-12T18:00:00Z'))).toEqual({ kind: 'missed', today: '2026-03-12', remaining: { freezeTill: '2026-03-20' } });
  });
  it('missed freeze on its last day or after: nothing remains (only cancel)', () => {
    expect(planDecision(away(), new Date('2026-03-20T18:00:00Z'))).toMatchObject({ kind: 'missed', remaining: null });
    expect(planDecision(away(), new Date('2026-03-25T18:00:00Z'))).toMatchObject({ kind: 'missed', remaining: null });
  });
  it('missed unfreeze: unfreezing now remains', () => {
    expect(planDecision(unfreeze(), new Date('2026-03-15T18:00:00Z'))).toMatchObject({ kind: 'missed', remaining: { freezeTill: null } });
  });
});

describe('planProblem: which dates may be planned', () => {
  const now = new Date('2026-03-08T18:00:00Z'); // the 8th in Chicago
  it.each([
    [away(), null],
    [{ ...away(), startDate: '2026-03-08' }, null],
    [{ ...away(), startDate: '2026-03-07' }, 'start_in_past'],
    [{ ...away(), startDate: '2026-02-30' }, 'start_not_a_date'],
    [{ ...away(), endDate: null }, 'end_not_a_date'],
    [{ ...away(), endDate: '2026-03-10' }, 'end_not_after_start'],
    [unfreeze(), null],
  ] as const)('%# %j', (plan, want) => {
    expect(planProblem(plan, now)).toBe(want);
  });
  it('"away 10–20 March" freezes 10 days (Altegio counts the end day minus the start day)', () => {
    expect(plannedFreezeDays(away())).toBe(10);
  });
});
