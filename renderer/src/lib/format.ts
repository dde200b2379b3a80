/**
 * Formatting for the desk in the language in use: dates as calendar days in the location's time
 * zone (English "20 May 2026"; Russian "20.05.2026", Spanish and Brazilian "20/05/2026"), numbers
 * by the language's rules ("1 000"), statuses and balances in words. Pure functions (no DOM).
 */
import { formatPhone } from '../../../common/phone';
import { isCalendarDate, localDateOf } from '../../../common/dates';
import type { Balance, BalanceLine, Location, Membership, MsgData, NotGivenField, PeriodUnit } from '../../../preload/contract';
import { wordMsg } from '../../../common/i18n/words';
import { statusWordIn } from '../../../common/statuses';
import { formatDayIn, formatDayLongIn, formatDayNumericIn, formatMomentIn } from '../../../common/i18n/formats';
import type { AuditWords } from '../../../common/audit-words';
import { currentLanguage, locale, t, type Msg } from './i18n';

/** The calendar day of an API date/datetime in the location's zone; "—" when none. */
export function formatDate(value: string | null | undefined, timezone: string): string {
  if (!value) return '—';
  const day = localDateOf(value, timezone);
  return day ? formatDay(day) : value;
}

/** A `YYYY-MM-DD` calendar day: "20 May 2026" / "20.05.2026". */
export function formatDay(isoDay: string): string {
  return formatDayIn(currentLanguage(), isoDay);
}

/** A message by reference (from a shared rule or the core) in words, its calendar days written as formatDay does and its moments as formatMoment. */
export function says(m: Msg | MsgData): string {
  return wordMsg(t, m, formatDay, formatMoment);
}

/** A `YYYY-MM-DD` calendar day with its weekday: "Wednesday, 20 May 2026" / "среда, 20 мая 2026 г.". */
export function formatDayLong(isoDay: string): string {
  return formatDayLongIn(currentLanguage(), isoDay);
}

/** A moment (audit entry time) as "20 May 2026, 14:05" / "20.05.2026, 14:05" in `timezone` (default: this computer's). */
export function formatMoment(value: string, timezone?: string): string {
  return formatMomentIn(currentLanguage(), value, timezone);
}

/** Audit entries (common/audit-words.ts) in the language in use: its messages, days, moments and status words. */
export function auditWords(): AuditWords {
  return { t, day: formatDay, moment: formatMoment, status: statusWord };
}

/** A `YYYY-MM-DD` day written as staff type it in the language: "31/12/2026" (en, es, pt-BR), "31.12.2026" (ru). */
export function formatDayNumeric(isoDay: string): string {
  return formatDayNumericIn(currentLanguage(), isoDay);
}

/**
 * A day typed in a date field → `YYYY-MM-DD`, or null when it is not a real day. Every language the
 * app speaks writes day, month, year ("31.12.2026", "31/12/2026", "1-2-2026"); `2026-12-31` is
 * accepted too. (A text field, not `<input type="date">`: the browser's picker follows the
 * system's format — "mm/dd/yyyy" on an English Windows — not the language chosen here.)
 */
export function parseDayInput(text: string): string | null {
  const s = text.trim();
  const iso = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$/.exec(s);
  const dmy = /^(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})$/.exec(s);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!y || !m || !d) return null;
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isCalendarDate(day) ? day : null;
}

/** A number by the language's rules: "1,000" / "1 000" / "1.000". */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

export function statusLabel(status: Membership['status']): string {
  if (status.slug === 'unknown') return status.title || t('status.unknown');
  return statusWord(status.slug);
}

/** A status slug in words ("Active", "Used up"): the one slug → key table (common/statuses.ts); an unknown slug as given. */
export function statusWord(slug: string): string {
  return statusWordIn(t, slug);
}

/** "14 days", "1 month": a count of a period unit, with the language's plural forms. */
export function periodWords(count: number, unit: PeriodUnit): string {
  return t('period.count', { count, unit });
}

/** "3 visits", "21 визит". */
export function visitsWords(count: number): string {
  return t('visits.count', { count });
}

/** "5 days", "5 дней". */
export function daysWords(count: number): string {
  return t('days.count', { count });
}

/** What the desk shows for a field Altegio did not send (never a guess). */
export function notGivenText(): string {
  return t('card.notSent');
}

export function notGiven(m: Pick<Membership, 'notGiven'>, field: NotGivenField): boolean {
  return m.notGiven?.includes(field) ?? false;
}

/** A membership date for display: "unknown" when Altegio did not send it, `whenNull` when it sent none. */
export function membershipDate(m: Membership, field: 'createdDate' | 'activatedDate' | 'expirationDate', timezone: string, whenNull = '—'): string {
  if (notGiven(m, field)) return notGivenText();
  const value = m[field];
  return value ? formatDate(value, timezone) : whenNull;
}

/**
 * Whether and until when a membership is frozen. A date the app sent itself (a read said frozen
 * without `freeze_till`: freezeTillSource 'app') is marked as such, never passed off as Altegio's.
 */
export function frozenWords(m: Pick<Membership, 'isFrozen' | 'freezeTill' | 'freezeTillSource'>, timezone: string): string {
  if (!m.isFrozen) return t('card.notFrozen');
  if (!m.freezeTill) return t('card.frozenOpen');
  const date = formatDate(m.freezeTill, timezone);
  return m.freezeTillSource === 'app' ? t('card.frozenUntilSent', { date }) : t('card.frozenUntil', { date });
}

/** The type's freeze rule in words. */
export function freezeRuleWords(type: Membership['type'], unitNotGiven = false): string {
  if (!type.allowFreeze) return t('card.rule.freezeNotAllowed');
  if (type.freezeLimit <= 0) return t('card.rule.freezeNoAllowance');
  if (unitNotGiven) return t('card.rule.freezeUnitNotSent', { limit: type.freezeLimit });
  return t('card.rule.freezeUpTo', { period: periodWords(type.freezeLimit, type.freezeLimitUnit) });
}

export function lineWords(line: BalanceLine): string {
  return t('balance.line', { title: line.title, value: line.unlimited ? t('balance.unlimited') : formatNumber(line.count) });
}

/** A one-line summary for a list row. */
export function balanceSummary(balance: Balance): string {
  if (balance.kind === 'united') {
    return balance.unlimited ? t('balance.summary.sharedUnlimited') : t('balance.summary.sharedLeft', { count: balance.count });
  }
  if (balance.lines.length === 0) return t('balance.summary.none');
  return balance.lines.map(lineWords).join(' · ');
}

/** What staff should know when a location's days are counted in an assumed zone; null when nothing. */
export function assumedZoneNote(location: Pick<Location, 'timezone' | 'timezoneAssumed'> | null): string | null {
  // Earlier versions cached the UTC fallback without the flag; a real location's zone names a place.
  if (location === null || (location.timezoneAssumed !== true && location.timezone !== 'UTC')) return null;
  return t('zone.assumed');
}

/** A phone for display, grouped the way the location's country (its calling code) reads it. */
export function phoneOrNone(phone: string | null, callingCode: string | null = null): string {
  return phone && phone.trim() ? formatPhone(phone, callingCode) : t('client.noPhone');
}
