/**
 * Scheduled freezes (issue 11 item 5): what a plan kept on this PC means today. Pure; `now` is
 * injected and every date is a `YYYY-MM-DD` calendar day in the plan's LOCATION zone.
 *
 * - A freeze plan "away S–E" freezes on day S until E (Altegio's freeze always starts now; E is the
 *   last frozen day). An unfreeze plan unfreezes on day S.
 * - On S, with the app running, it is `due`: the app runs it by itself.
 * - Before S it is `not_yet`. After S, never run: `missed` — the app never acts silently then; it
 *   shows the plan and asks: run now for what remains (a freeze from today until E, when E is still
 *   after today; an unfreeze now), or cancel.
 */
import { compareDates, daysBetween, isCalendarDate, todayIn } from './dates';

export type PlanKind = 'freeze' | 'unfreeze';

export interface PlanDates {
  kind: PlanKind;
  /** The day it runs. */
  startDate: string;
  /** Freeze: the last frozen day. Unfreeze: null. */
  endDate: string | null;
  timezone: string;
}

export type PlanDecision =
  | { kind: 'not_yet'; today: string }
  | { kind: 'due'; today: string }
  /** `remaining`: what running it now would do; null when nothing is left (the freeze's end has passed). */
  | { kind: 'missed'; today: string; remaining: { freezeTill: string | null } | null };

export function planDecision(plan: PlanDates, now: Date): PlanDecision {
  const today = todayIn(now, plan.timezone);
  const c = compareDates(today, plan.startDate);
  if (c < 0) return { kind: 'not_yet', today };
  if (c === 0) return { kind: 'due', today };
  if (plan.kind === 'unfreeze') return { kind: 'missed', today, remaining: { freezeTill: null } };
  const end = plan.endDate;
  return { kind: 'missed', today, remaining: end !== null && compareDates(end, today) > 0 ? { freezeTill: end } : null };
}

export type PlanProblem = 'start_not_a_date' | 'start_in_past' | 'end_not_a_date' | 'end_not_after_start';

/** Why these dates cannot be planned today (null: they can). A plan may start today (it then runs at once). */
export function planProblem(plan: PlanDates, now: Date): PlanProblem | null {
  if (!isCalendarDate(plan.startDate)) return 'start_not_a_date';
  if (compareDates(plan.startDate, todayIn(now, plan.timezone)) < 0) return 'start_in_past';
  if (plan.kind === 'unfreeze') return null;
  if (plan.endDate === null || !isCalendarDate(plan.endDate)) return 'end_not_a_date';
  if (compareDates(plan.endDate, plan.startDate) <= 0) return 'end_not_after_start';
  return null;
}

/** The number of days a planned freeze covers when it starts on its day (E − S, as Altegio counts). */
export function plannedFreezeDays(plan: PlanDates): number | null {
  if (plan.kind !== 'freeze' || plan.endDate === null) return null;
  return daysBetween(plan.startDate, plan.endDate);
}
