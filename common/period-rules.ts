/**
 * Change validity (set_period, ALTEGIO.md §4.6): may this membership's expiry be changed, which
 * new expiry dates the desk may pick, and the period in days that gives a chosen expiry. Pure;
 * `now` injected; every date a `YYYY-MM-DD` calendar date in the LOCATION's zone.
 *
 * The app's model of Altegio (the sandbox implements the same, main/sandbox/rules.ts
 * `expirationOf`): expiry = activation day + period (in its unit) + days frozen so far. The
 * activation day is day 0 — the documented off-by-one between `period` days and
 * `expiration_date`: 30 days from an activation on 5 March end on 4 April (31 calendar days of
 * validity), so the days for an expiry E are E − A − frozen days, not E − A + 1. The card never
 * trusts this model alone: the result it shows is the membership read back from Altegio.
 */
import type { Membership, PeriodUnit, Rights } from '../preload/contract';
import { addDays, addUnits, compareDates, daysBetween, isCalendarDate, localDateOf, todayIn } from './dates';
import { msg, type Msg } from './i18n/translate';
import { inEnglish } from './i18n/words';
import { rightAllows } from './rights';

export type PeriodMembership = Pick<Membership, 'status' | 'activatedDate' | 'expirationDate' | 'freezePeriodDays' | 'notGiven'> &
  Partial<Pick<Membership, 'period' | 'periodUnit'>> & { type: Pick<Membership['type'], 'period' | 'periodUnit'> };

export type PeriodBlock =
  /** issued, not activated: Altegio gives it no date until activation */
  | 'not_activated'
  /** Altegio did not send the activation date: the days cannot be counted */
  | 'activation_unknown'
  /** no expiry date to compare a change against (not sent, or none) */
  | 'expiry_unknown'
  | 'used_up'
  | 'no_right';

export type PeriodAvailability =
  | {
      allowed: true;
      today: string;
      /** Activation day in the location's zone. */
      activated: string;
      /** Current expiry day in the location's zone. */
      expiry: string;
      freezeDays: number;
      /** Earliest new expiry the desk offers: today, and at least one day of period. */
      firstDate: string;
    }
  | {
      allowed: false;
      code: PeriodBlock;
      /** Plain words for a front-desk person, by reference (the renderer words it). */
      why: Msg;
      /** The same in English (the core's messages and logs). */
      reason: string;
    };

const ROLE_SAYS_NO = 'rights.periodValidity';

export function periodAvailability(m: PeriodMembership, rights: Pick<Rights, 'periodEdit' | 'refused'> | null | undefined, now: Date, timezone: string): PeriodAvailability {
  const no = (code: PeriodBlock, why: Msg): PeriodAvailability => ({ allowed: false, code, why, reason: inEnglish(why) });
  if (m.status.slug === 'wasted') return no('used_up', msg('action.period.usedUp'));
  if (m.notGiven?.includes('activatedDate')) return no('activation_unknown', msg('action.period.activationUnknown'));
  const activated = localDateOf(m.activatedDate, timezone);
  if (m.status.slug === 'created' || activated === null) return no('not_activated', msg('action.period.notActivated'));
  const expiry = localDateOf(m.expirationDate, timezone);
  if (expiry === null) return no('expiry_unknown', msg('action.period.expiryUnknown'));
  const right = rightAllows(rights, 'periodEdit', ROLE_SAYS_NO);
  if (!right.allowed) return no('no_right', right.why);
  const today = todayIn(now, timezone);
  const freezeDays = m.freezePeriodDays;
  const minimal = addDays(activated, freezeDays + 1);
  return { allowed: true, today, activated, expiry, freezeDays, firstDate: compareDates(today, minimal) >= 0 ? today : minimal };
}

/** The expiry a validity gives under the app's model (see the header). */
export function expiryFor(activated: string, freezeDays: number, period: number, unit: PeriodUnit): string {
  return addDays(addUnits(activated, period, unit), freezeDays);
}

/** The period in days that gives `expiry` (activation day = day 0; frozen days come on top). */
export function periodDaysFor(activated: string, freezeDays: number, expiry: string): number {
  return daysBetween(activated, expiry) - freezeDays;
}

export type PeriodDateProblem = 'not_a_date' | 'too_early' | 'unchanged';

/** Why `date` cannot be the new expiry at the desk (null: it can). */
export function periodDateProblem(a: PeriodAvailability & { allowed: true }, date: string): PeriodDateProblem | null {
  if (!isCalendarDate(date)) return 'not_a_date';
  if (compareDates(date, a.firstDate) < 0) return 'too_early';
  if (date === a.expiry) return 'unchanged';
  return null;
}

export interface PeriodPreview {
  /** The new expiry and the period in days sent for it. */
  expiry: string;
  days: number;
  /** Days between the current and the new expiry (negative: shortened). */
  change: number;
}

export function periodPreview(a: PeriodAvailability & { allowed: true }, date: string): PeriodPreview {
  return { expiry: date, days: periodDaysFor(a.activated, a.freezeDays, date), change: daysBetween(a.expiry, date) };
}

/**
 * The membership's validity now, as the undo will send it back: its own period and unit when they
 * explain its expiry under the model, else the days that give that expiry.
 */
export function currentValidity(m: PeriodMembership, a: PeriodAvailability & { allowed: true }): { period: number; unit: PeriodUnit } {
  const period = m.period ?? m.type.period;
  const unit = m.period === undefined ? m.type.periodUnit : (m.periodUnit ?? null);
  if (period > 0 && unit !== null && expiryFor(a.activated, a.freezeDays, period, unit) === a.expiry) return { period, unit };
  return { period: periodDaysFor(a.activated, a.freezeDays, a.expiry), unit: 'day' };
}
