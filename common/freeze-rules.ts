/**
 * Freeze rules for a sold membership, evaluated exactly as the front desk needs them:
 * may it be frozen at all, which end dates the calendar may offer, what the allowance looks like,
 * and what expiry the freeze will produce. Pure functions; `now` is always injected and every date
 * is a `YYYY-MM-DD` calendar date in the LOCATION's time zone (see ./dates).
 *
 * Rules (ALTEGIO.md §4.1, §4.3, §4.6; DESIGN.md §5):
 * - allowance = `freeze_limit` × unit (`freeze_limit_unit_id`: day, week, month, year). Days and
 *   weeks are exact (N, 7N days). Months and years are measured on the calendar from today
 *   (today + N months − today), so "1 month" from 31 January is 28/29 days and from 1 March 31.
 * - used = `freeze_period` (days frozen so far, in total); remaining = max(0, allowance − used).
 * - a freeze ending on date D, requested today T, consumes D − T days: legal end dates are
 *   T+1 … T+remaining, both inclusive.
 * - the new expiry is the current expiry date + the frozen days.
 */
import type { Membership, MembershipType, PeriodUnit, Rights } from '../preload/contract';
import { addDays, addUnits, compareDates, daysBetween, formatDate, isCalendarDate, localDateOf, todayIn } from './dates';
import { rightAllows } from './rights';

/** The membership fields the freeze rules read (a full `Membership` fits). */
export type FreezeMembership = Pick<Membership, 'status' | 'isFrozen' | 'freezePeriodDays' | 'freezeTill' | 'expirationDate'> & {
  type: Pick<MembershipType, 'allowFreeze' | 'freezeLimit' | 'freezeLimitUnit'>;
};

export type FreezeRights = Pick<Rights, 'periodEdit' | 'refused'>;

export interface FreezeAllowance {
  /** `freeze_limit` as configured on the type, in `unit`s. */
  limit: number;
  unit: PeriodUnit;
  /** The allowance in days (for month/year units: measured from today). */
  limitDays: number;
  /** Days already frozen (`freeze_period`). */
  usedDays: number;
  /** max(0, limitDays − usedDays) */
  remainingDays: number;
}

/** Why freezing is not possible (stable codes for tests and UI logic; `reason` is for people). */
export type FreezeBlock =
  | 'type_forbids'
  | 'no_allowance'
  | 'already_frozen'
  | 'not_activated'
  | 'expired'
  | 'used_up'
  | 'status_unknown'
  | 'no_days_left'
  | 'no_right';

export type FreezeAvailability =
  | {
      allowed: true;
      /** Today in the location's zone. */
      today: string;
      /** First legal end date: tomorrow. */
      firstDate: string;
      /** Last legal end date: today + remainingDays. */
      lastDate: string;
      allowance: FreezeAllowance;
    }
  | {
      allowed: false;
      code: FreezeBlock;
      /** Plain words for a front-desk person. */
      reason: string;
      today: string;
      /** Null when the type does not allow freezing at all. */
      allowance: FreezeAllowance | null;
    };

// ---------------------------------------------------------------------------------------------

/**
 * The freeze allowance of a type for a membership that has already been frozen
 * `freezePeriodDays` days, seen on `today` (location date; matters for month/year units only).
 */
export function freezeAllowance(
  type: Pick<MembershipType, 'freezeLimit' | 'freezeLimitUnit'>,
  freezePeriodDays: number,
  today: string,
): FreezeAllowance {
  const limit = Math.max(0, Math.trunc(type.freezeLimit));
  const unit = type.freezeLimitUnit;
  let limitDays: number;
  switch (unit) {
    case 'day':
      limitDays = limit;
      break;
    case 'week':
      limitDays = 7 * limit;
      break;
    case 'month':
    case 'year':
      limitDays = daysBetween(today, addUnits(today, limit, unit));
      break;
  }
  const usedDays = Math.max(0, Math.trunc(freezePeriodDays));
  return { limit, unit, limitDays, usedDays, remainingDays: Math.max(0, limitDays - usedDays) };
}

function unitWord(unit: PeriodUnit, n: number): string {
  return n === 1 ? unit : `${unit}s`;
}

function daysWord(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

/**
 * "Allowance: used 3 of 14 days, 11 days left." For month/year units the configured limit is
 * named too: "Allowance: used 3 of 31 days (1 month from today), 28 days left."
 */
export function allowanceText(a: FreezeAllowance): string {
  return `Allowance: used ${usage(a)}`;
}

/** The same without the "Allowance:" label, as a sentence ("Used 3 of 14 days, 11 days left."). */
export function allowanceUsageText(a: FreezeAllowance): string {
  return `Used ${usage(a)}`;
}

function usage(a: FreezeAllowance): string {
  const of = a.unit === 'day' ? daysWord(a.limitDays) : `${daysWord(a.limitDays)} (${a.limit} ${unitWord(a.unit, a.limit)}${a.unit === 'week' ? '' : ' from today'})`;
  return `${a.usedDays} of ${of}, ${daysWord(a.remainingDays)} left.`;
}

/**
 * May this membership be frozen now, and until which dates? Checks, in this order (the first
 * that applies is reported): the type allows freezing; the status (active only); not already
 * frozen; days left in the allowance; the user's right to edit periods.
 */
export function freezeAvailability(m: FreezeMembership, rights: FreezeRights, now: Date, timezone: string): FreezeAvailability {
  const today = todayIn(now, timezone);
  const no = (code: FreezeBlock, reason: string, allowance: FreezeAllowance | null): FreezeAvailability => ({
    allowed: false,
    code,
    reason,
    today,
    allowance,
  });

  if (!m.type.allowFreeze) return no('type_forbids', 'This membership type cannot be frozen.', null);
  const allowance = freezeAllowance(m.type, m.freezePeriodDays, today);
  if (allowance.limit === 0) return no('no_allowance', 'This membership type allows no freeze days.', allowance);

  const expiry = localDateOf(m.expirationDate, timezone);
  switch (m.status.slug) {
    case 'created':
      return no('not_activated', 'Not activated yet: a membership can be frozen once it is in use.', allowance);
    case 'expired':
      return no('expired', expiry ? `Expired on ${formatDate(expiry)}: an expired membership cannot be frozen.` : 'Expired: an expired membership cannot be frozen.', allowance);
    case 'wasted':
      return no('used_up', 'Used up (no visits left): there is nothing to freeze.', allowance);
    case 'active':
      break;
    default:
      return no('status_unknown', 'Altegio reports a status the app does not know, so freezing is not offered.', allowance);
  }
  if (m.isFrozen) {
    const till = localDateOf(m.freezeTill, timezone);
    return no('already_frozen', till ? `Already frozen until ${formatDate(till)}.` : 'Already frozen (until it is unfrozen).', allowance);
  }
  // Active but its last valid day is behind us (the status may lag a day behind the calendar).
  if (expiry !== null && compareDates(expiry, today) < 0) {
    return no('expired', `Expired on ${formatDate(expiry)}: an expired membership cannot be frozen.`, allowance);
  }
  if (allowance.remainingDays <= 0) {
    return no('no_days_left', `No freeze days left: used ${allowance.usedDays} of ${allowance.limitDays}.`, allowance);
  }
  const right = rightAllows(rights, 'periodEdit', 'Your Altegio role does not allow freezing memberships.');
  if (!right.allowed) return no('no_right', right.reason, allowance);

  return { allowed: true, today, firstDate: addDays(today, 1), lastDate: addDays(today, allowance.remainingDays), allowance };
}

/** Is `date` an end date the calendar may offer (tomorrow … lastDate, inclusive)? */
export function isLegalFreezeDate(availability: FreezeAvailability, date: string): boolean {
  if (!availability.allowed || !isCalendarDate(date)) return false;
  return compareDates(date, availability.firstDate) >= 0 && compareDates(date, availability.lastDate) <= 0;
}

/** Why `date` is not a legal end date (for the field error), or null when it is. */
export function freezeDateProblem(availability: FreezeAvailability, date: string): string | null {
  if (!availability.allowed) return availability.reason;
  if (!isCalendarDate(date)) return 'Pick a date on the calendar.';
  if (compareDates(date, availability.firstDate) < 0) return `The freeze must end tomorrow (${formatDate(availability.firstDate)}) or later.`;
  if (compareDates(date, availability.lastDate) > 0) {
    return `The freeze can last until ${formatDate(availability.lastDate)} at most: ${daysWord(availability.allowance.remainingDays)} left in the allowance.`;
  }
  return null;
}

/** Days a freeze from `today` until `freezeTill` consumes (freezeTill − today). */
export function freezeDays(today: string, freezeTill: string): number {
  return daysBetween(today, freezeTill);
}

/**
 * The expiry date a freeze from `today` until `freezeTill` produces: the current expiry date (in
 * the location's zone) + the frozen days. Null when the membership has no expiry date yet.
 */
export function expiryAfterFreeze(expirationDate: string | null, today: string, freezeTill: string, timezone: string): string | null {
  const expiry = localDateOf(expirationDate, timezone);
  if (expiry === null) return null;
  return addDays(expiry, Math.max(0, freezeDays(today, freezeTill)));
}

export interface FreezePreview {
  days: number;
  /** New expiry date, or null when the membership has no expiry date yet. */
  newExpiry: string | null;
  currentExpiry: string | null;
  /** The allowance once this freeze is applied. */
  usedAfter: number;
  remainingAfter: number;
  /** Ready to show above the Confirm button. */
  text: string;
}

/** Everything the confirmation shows before a freeze until `freezeTill` (assumed legal). */
export function freezePreview(m: FreezeMembership, availability: FreezeAvailability & { allowed: true }, freezeTill: string, timezone: string): FreezePreview {
  const days = freezeDays(availability.today, freezeTill);
  const currentExpiry = localDateOf(m.expirationDate, timezone);
  const newExpiry = expiryAfterFreeze(m.expirationDate, availability.today, freezeTill, timezone);
  const usedAfter = availability.allowance.usedDays + days;
  const remainingAfter = Math.max(0, availability.allowance.limitDays - usedAfter);
  const expiryText =
    newExpiry && currentExpiry
      ? `The membership will then expire on ${formatDate(newExpiry)} instead of ${formatDate(currentExpiry)}.`
      : 'The membership has no expiry date yet, so no expiry changes.';
  const text = `Frozen for ${daysWord(days)}, until ${formatDate(freezeTill)} inclusive. ${expiryText} ${daysWord(remainingAfter)} of the freeze allowance will be left.`;
  return { days, newExpiry, currentExpiry, usedAfter, remainingAfter, text };
}

export interface UnfreezeEffect {
  today: string;
  /** The last day of the current freeze, in the location's zone (null: frozen until unfrozen). */
  freezeTill: string | null;
  /** Days from today to the planned end that will not be frozen after all (0 if it ends today or earlier). */
  unusedDays: number;
  /** Freeze days that stay counted (and stay added to the expiry): freeze_period − unused days. */
  frozenDaysKept: number;
  /** The expiry date now (it already includes the whole planned freeze). */
  expirationDate: string | null;
  /** The expiry date after unfreezing: the unused days come off again; the days already frozen stay. */
  expiryAfter: string | null;
  /** Ready to show in the confirmation dialog. */
  text: string;
}

/**
 * What unfreezing now means, for the confirmation dialog (and the undo of a freeze).
 *
 * Model (ALTEGIO.md §4.6, the sandbox's rules): a freeze adds its whole length to `freeze_period`
 * and to the expiry when it starts; unfreezing early gives back the unused days (today … last
 * frozen day) — both the allowance and the expiry shrink by them — while the extension earned by
 * the days already frozen stays.
 */
export function unfreezeEffect(
  m: Pick<Membership, 'isFrozen' | 'freezeTill' | 'freezePeriodDays' | 'expirationDate'>,
  now: Date,
  timezone: string,
): UnfreezeEffect {
  const today = todayIn(now, timezone);
  const freezeTill = localDateOf(m.freezeTill, timezone);
  const expirationDate = localDateOf(m.expirationDate, timezone);
  const unusedDays = !m.isFrozen || freezeTill === null ? 0 : Math.max(0, daysBetween(today, freezeTill));
  const frozenDaysKept = Math.max(0, m.freezePeriodDays - unusedDays);
  const expiryAfter = expirationDate === null ? null : addDays(expirationDate, -unusedDays);
  const parts: string[] = [];
  if (!m.isFrozen) {
    parts.push('This membership is not frozen.');
  } else {
    parts.push(
      freezeTill === null
        ? 'The freeze ends today.'
        : unusedDays > 0
          ? `The freeze ends today instead of after ${formatDate(freezeTill)}.`
          : 'The freeze ends today, as planned.',
    );
    parts.push('The extension already earned for the days frozen so far stays.');
    if (unusedDays > 0) {
      parts.push(
        expirationDate !== null && expiryAfter !== null
          ? `The ${daysWord(unusedDays)} not used go back to the freeze allowance, so the expiry date moves from ${formatDate(expirationDate)} to ${formatDate(expiryAfter)}.`
          : `The ${daysWord(unusedDays)} not used go back to the freeze allowance.`,
      );
    } else if (expirationDate !== null) {
      parts.push(`The expiry date stays ${formatDate(expirationDate)}.`);
    }
  }
  return { today, freezeTill, unusedDays, frozenDaysKept, expirationDate, expiryAfter, text: parts.join(' ') };
}
