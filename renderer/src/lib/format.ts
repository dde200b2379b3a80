/**
 * Formatting for the desk: dates in the location's time zone, statuses and balances in words.
 * Pure functions (no DOM), unit-tested.
 */
import { DateTime } from 'luxon';
import { formatDate as formatCalendarDate, isCalendarDate, localDateOf } from '../../../common/dates';
import { STATUS_WORDS } from '../../../common/statuses';
import type { Balance, BalanceLine, Location, Membership, NotGivenField, PeriodUnit } from '../../../preload/contract';

const LOCALE = 'en-GB';

/** "20 May 2026": the calendar day of an API date/datetime in the location's zone; "—" when none. */
export function formatDate(value: string | null | undefined, timezone: string): string {
  if (!value) return '—';
  const day = localDateOf(value, timezone);
  return day ? formatDay(day) : value;
}

/** A `YYYY-MM-DD` calendar day as "20 May 2026". */
export function formatDay(isoDay: string): string {
  return isCalendarDate(isoDay) ? formatCalendarDate(isoDay) : isoDay;
}

/** A `YYYY-MM-DD` calendar day as "Wednesday, 20 May 2026". */
export function formatDayLong(isoDay: string): string {
  const dt = DateTime.fromISO(isoDay, { zone: 'utc' });
  return isCalendarDate(isoDay) ? dt.setLocale(LOCALE).toFormat('cccc, d LLLL yyyy') : isoDay;
}

/** A moment (audit entry time) as "20 May 2026, 14:05" in `timezone` (default: this computer's). */
export { formatMoment } from '../../../common/audit-words';


export function statusLabel(status: Membership['status']): string {
  if (status.slug === 'unknown') return status.title || STATUS_WORDS.unknown;
  return STATUS_WORDS[status.slug];
}

const unitWords: Record<PeriodUnit, [string, string]> = {
  day: ['day', 'days'],
  week: ['week', 'weeks'],
  month: ['month', 'months'],
  year: ['year', 'years'],
};

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function periodWords(n: number, unit: PeriodUnit): string {
  const [one, many] = unitWords[unit];
  return plural(n, one, many);
}

/** What the desk shows for a field Altegio did not send (never a guess). */
export const NOT_GIVEN_TEXT = 'Unknown (Altegio did not send it)';

export function notGiven(m: Pick<Membership, 'notGiven'>, field: NotGivenField): boolean {
  return m.notGiven?.includes(field) ?? false;
}

/** A membership date for display: "unknown" when Altegio did not send it, `whenNull` when it sent none. */
export function membershipDate(m: Membership, field: 'createdDate' | 'activatedDate' | 'expirationDate', timezone: string, whenNull = '—'): string {
  if (notGiven(m, field)) return NOT_GIVEN_TEXT;
  const value = m[field];
  return value ? formatDate(value, timezone) : whenNull;
}

/** The type's freeze rule in words. */
export function freezeRuleWords(type: Membership['type'], unitNotGiven = false): string {
  if (!type.allowFreeze) return 'Freezing not allowed';
  if (type.freezeLimit <= 0) return 'Freezing allowed, but with no days allowance';
  if (unitNotGiven) return `Freezing allowed, up to ${type.freezeLimit} in total (Altegio did not send the unit: counted as days, the shortest)`;
  return `Freezing allowed, up to ${periodWords(type.freezeLimit, type.freezeLimitUnit)} in total`;
}

export function lineWords(line: BalanceLine): string {
  return `${line.title}: ${line.unlimited ? 'Unlimited' : line.count}`;
}

/** A one-line summary for a list row. */
export function balanceSummary(balance: Balance): string {
  if (balance.kind === 'united') {
    return balance.unlimited ? 'Unlimited visits (shared)' : `${plural(balance.count, 'visit', 'visits')} left (shared)`;
  }
  if (balance.lines.length === 0) return 'No services on this membership';
  return balance.lines.map(lineWords).join(' · ');
}

/** What staff should know when a location's days are counted in an assumed zone; null when nothing. */
export function assumedZoneNote(location: Pick<Location, 'timezone' | 'timezoneAssumed'> | null): string | null {
  // Earlier versions cached the UTC fallback without the flag; a real location's zone names a place.
  if (location === null || (location.timezoneAssumed !== true && location.timezone !== 'UTC')) return null;
  return 'Altegio did not give the app this location’s time zone, so days here are counted in UTC. If dates look a day off, ask whoever manages Altegio to set the location’s time zone, then sign in again.';
}

/** Digits-and-plus view of a phone for display ("+1 312 555 0101" stays as given). */
export function phoneOrNone(phone: string | null): string {
  return phone && phone.trim() ? phone : 'No phone';
}
