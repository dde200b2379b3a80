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
import { addDays, addUnits, compareDates, daysBetween, isCalendarDate, localDateOf, todayIn } from './dates';
import { msg, type Msg } from './i18n/translate';
import { inEnglish } from './i18n/words';
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

/** Why freezing is not possible (stable codes for tests and UI logic; `why` is for people). */
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
      /** Plain words for a front-desk person, by reference (the renderer words it). */
      why: Msg;
      /** The same in English (the core's messages and logs). */
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

/**
 * "Allowance: used 3 of 14 days, 11 days left." For other units the configured limit is named
 * too: "Allowance: used 3 of 31 days (1 month from today), 28 days left."
 */
export function allowanceMsg(a: FreezeAllowance): Msg {
  return msg('freeze.allowance', { used: a.usedDays, limitDays: a.limitDays, unit: a.unit, limit: a.limit, remaining: a.remainingDays });
}

/** The same without the "Allowance:" label, as a sentence ("Used 3 of 14 days, 11 days left."). */
export function allowanceUsageMsg(a: FreezeAllowance): Msg {
  return msg('freeze.allowanceUsed', { used: a.usedDays, limitDays: a.limitDays, unit: a.unit, limit: a.limit, remaining: a.remainingDays });
}

/**
 * May this membership be frozen now, and until which dates? Checks, in this order (the first
 * that applies is reported): the type allows freezing; the status (active only); not already
 * frozen; days left in the allowance; the user's right to edit periods.
 */
export function freezeAvailability(m: FreezeMembership, rights: FreezeRights, now: Date, timezone: string): FreezeAvailability {
  const today = todayIn(now, timezone);
  const no = (code: FreezeBlock, why: Msg, allowance: FreezeAllowance | null): FreezeAvailability => ({
    allowed: false,
    code,
    why,
    reason: inEnglish(why),
    today,
    allowance,
  });

  if (!m.type.allowFreeze) return no('type_forbids', msg('freeze.block.type_forbids'), null);
  const allowance = freezeAllowance(m.type, m.freezePeriodDays, today);
  if (allowance.limit === 0) return no('no_allowance', msg('freeze.block.no_allowance'), allowance);

  const expiry = localDateOf(m.expirationDate, timezone);
  switch (m.status.slug) {
    case 'created':
      return no('not_activated', msg('freeze.block.not_activated'), allowance);
    case 'expired':
      return no('expired', expiry ? msg('freeze.block.expiredOn', { date: expiry }) : msg('freeze.block.expired'), allowance);
    case 'wasted':
      return no('used_up', msg('freeze.block.used_up'), allowance);
    case 'active':
      break;
    default:
      return no('status_unknown', msg('freeze.block.status_unknown'), allowance);
  }
  if (m.isFrozen) {
    const till = localDateOf(m.freezeTill, timezone);
    return no('already_frozen', till ? msg('freeze.block.frozenUntil', { date: till }) : msg('freeze.block.frozenOpen'), allowance);
  }
  // Active but its last valid day is behind us (the status may lag a day behind the calendar).
  if (expiry !== null && compareDates(expiry, today) < 0) {
    return no('expired', msg('freeze.block.expiredOn', { date: expiry }), allowance);
  }
  if (allowance.remainingDays <= 0) {
    return no('no_days_left', msg('freeze.block.no_days_left', { used: allowance.usedDays, limit: allowance.limitDays }), allowance);
  }
  const right = rightAllows(rights, 'periodEdit', 'freeze.block.no_right');
  if (!right.allowed) return no('no_right', right.why, allowance);

  return { allowed: true, today, firstDate: addDays(today, 1), lastDate: addDays(today, allowance.remainingDays), allowance };
}

/** Is `date` an end date the calendar may offer (tomorrow … lastDate, inclusive)? */
export function isLegalFreezeDate(availability: FreezeAvailability, date: string): boolean {
  if (!availability.allowed || !isCalendarDate(date)) return false;
  return compareDates(date, availability.firstDate) >= 0 && compareDates(date, availability.lastDate) <= 0;
}

/** Why `date` is not a legal end date (for the field error), or null when it is. */
export function freezeDateProblemMsg(availability: FreezeAvailability, date: string): Msg | null {
  if (!availability.allowed) return availability.why;
  if (!isCalendarDate(date)) return msg('freeze.date.pick');
  if (compareDates(date, availability.firstDate) < 0) return msg('freeze.date.tooEarly', { date: availability.firstDate });
  if (compareDates(date, availability.lastDate) > 0) {
    return msg('freeze.date.tooLate', { date: availability.lastDate, count: availability.allowance.remainingDays });
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
  /** Ready to show above the Confirm button: sentences by reference, and in English. */
  sentences: Msg[];
  text: string;
}

/** Everything the confirmation shows before a freeze until `freezeTill` (assumed legal). */
export function freezePreview(m: FreezeMembership, availability: FreezeAvailability & { allowed: true }, freezeTill: string, timezone: string): FreezePreview {
  const days = freezeDays(availability.today, freezeTill);
  const currentExpiry = localDateOf(m.expirationDate, timezone);
  const newExpiry = expiryAfterFreeze(m.expirationDate, availability.today, freezeTill, timezone);
  const usedAfter = availability.allowance.usedDays + days;
  const remainingAfter = Math.max(0, availability.allowance.limitDays - usedAfter);
  const sentences: Msg[] = [
    msg('freeze.preview.days', { days, date: freezeTill }),
    newExpiry && currentExpiry ? msg('freeze.preview.expiry', { date: newExpiry, before: currentExpiry }) : msg('freeze.preview.noExpiry'),
    msg('freeze.preview.left', { count: remainingAfter }),
  ];
  return { days, newExpiry, currentExpiry, usedAfter, remainingAfter, sentences, text: sentences.map(inEnglish).join(' ') };
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
  /** Ready to show in the confirmation dialog: sentences by reference, and in English. */
  sentences: Msg[];
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
  const parts: Msg[] = [];
  if (!m.isFrozen) {
    parts.push(msg('unfreeze.effect.notFrozen'));
  } else {
    parts.push(
      freezeTill === null
        ? msg('unfreeze.effect.endsToday')
        : unusedDays > 0
          ? msg('unfreeze.effect.endsEarly', { date: freezeTill })
          : msg('unfreeze.effect.endsAsPlanned'),
    );
    parts.push(msg('unfreeze.effect.kept'));
    if (unusedDays > 0) {
      parts.push(
        expirationDate !== null && expiryAfter !== null
          ? msg('unfreeze.effect.giveBack', { count: unusedDays, from: expirationDate, to: expiryAfter })
          : msg('unfreeze.effect.giveBackNoExpiry', { count: unusedDays }),
      );
    } else if (expirationDate !== null) {
      parts.push(msg('unfreeze.effect.expiryStays', { date: expirationDate }));
    }
  }
  return { today, freezeTill, unusedDays, frozenDaysKept, expirationDate, expiryAfter, sentences: parts, text: parts.map(inEnglish).join(' ') };
}
