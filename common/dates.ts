/**
 * Calendar dates (`YYYY-MM-DD`) as the membership rules see them: a day in a location's time zone.
 *
 * Two steps, kept apart on purpose:
 * 1. an instant (`now`, or an API timestamp with an offset) becomes a calendar date by looking at
 *    it in the location's IANA zone (luxon knows every zone's DST rules);
 * 2. arithmetic on calendar dates (add N days/months, count days between) is pure calendar math.
 *    It is done on luxon dates in UTC, where every day has 24 hours, so a DST change in the
 *    location can never make a "day" 23 or 25 hours long or skip a date. Never +86 400 000 ms on
 *    an instant in the location's zone.
 *
 * Pure: luxon only, no Node, DOM or core imports (the renderer uses this too).
 */
import { DateTime } from 'luxon';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as a luxon DateTime at midnight UTC (arithmetic only; never shown as a time). */
function cal(date: string): DateTime {
  const d = DateTime.fromISO(date, { zone: 'utc' });
  if (!DATE_RE.test(date) || !d.isValid) throw new RangeError(`Not a calendar date: ${date}`);
  return d;
}

function iso(d: DateTime): string {
  const s = d.toISODate();
  if (s === null) throw new RangeError('Invalid date');
  return s;
}

/** True for a real calendar date written `YYYY-MM-DD` (rejects 2026-02-30, 2026-5-1, …). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_RE.test(value)) return false;
  return DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/** Today's date in `timezone` at the instant `now`. Throws on an unknown zone (never guesses UTC). */
export function todayIn(now: Date, timezone: string): string {
  const d = DateTime.fromJSDate(now).setZone(timezone);
  if (!d.isValid) throw new RangeError(`Unknown time zone: ${timezone}`);
  return iso(d);
}

/**
 * The calendar date, in `timezone`, of an API date/time. `2026-06-05T23:59:59-05:00` is first
 * placed on the time line by its own offset, then read in the location's zone. A bare
 * `YYYY-MM-DD` is taken as that date. Null/empty/unparseable → null.
 */
export function localDateOf(value: string | null | undefined, timezone: string): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const v = value.trim();
  if (DATE_RE.test(v)) return isCalendarDate(v) ? v : null;
  // Some servers answer "2026-06-05 23:59:59" (no T, no offset): read it as location-local time.
  const d = DateTime.fromISO(v.replace(' ', 'T'), { zone: timezone });
  if (!d.isValid) return null;
  return d.setZone(timezone).toISODate();
}

/**
 * The instant of an API date/time that carries its offset (`…+09:00`, `…Z`), in UTC to the second
 * (`2026-06-05T14:59:59Z`, sortable as text); null for a bare date, a time without an offset (both
 * read as written by `localDateOf`) or nothing. `localDateOf(v, zone)` is the day of this instant in `zone`.
 */
export function instantOf(value: string | null | undefined): string | null {
  const v = value?.trim() ?? '';
  if (!/T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(v)) return null;
  const fast = plainInstant(v);
  if (fast !== undefined) return fast;
  const d = DateTime.fromISO(v, { setZone: true });
  return d.isValid ? d.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'") : null;
}

const PLAIN_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:Z|([+-])(\d{2}):?(\d{2}))$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `instantOf` for the shape Altegio sends (`2026-06-05T23:59:59+09:00`, `…Z`) without luxon: the
 * index writes one per membership, and luxon's parse and format took ~0.1 ms each (a 100-row page
 * blocked the event loop ~10 ms more). Anything else (fractions, years before 1000, out-of-range
 * fields) is undefined: luxon decides. Same answers as luxon (test: dates-instant.test.ts).
 */
function plainInstant(v: string): string | null | undefined {
  const m = PLAIN_INSTANT.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, oh, om] = [m[1], m[2], m[3], m[4], m[5], m[6], m[8], m[9]].map((x) => Number(x ?? 0)) as number[] as [number, number, number, number, number, number, number, number];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (oh * 60 + om);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000);
  if (t.getUTCFullYear() < 1000 || t.getUTCFullYear() > 9999) return undefined;
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}Z`;
}

/** The instant `date` begins in `timezone` (its 00:00 there), in UTC as `instantOf` writes it. */
export function dayStartIn(date: string, timezone: string): string {
  const d = DateTime.fromISO(date, { zone: timezone }).startOf('day');
  if (!DATE_RE.test(date) || !d.isValid) throw new RangeError(`Not a calendar date in ${timezone}: ${date}`);
  return d.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** `date` + `days` calendar days (days may be negative). */
export function addDays(date: string, days: number): string {
  return iso(cal(date).plus({ days }));
}

/** `date` + `n` calendar units; months/years clamp to the month's end (31 Jan + 1 month = 28/29 Feb). */
export function addUnits(date: string, n: number, unit: 'day' | 'week' | 'month' | 'year'): string {
  const d = cal(date);
  switch (unit) {
    case 'day':
      return iso(d.plus({ days: n }));
    case 'week':
      return iso(d.plus({ weeks: n }));
    case 'month':
      return iso(d.plus({ months: n }));
    case 'year':
      return iso(d.plus({ years: n }));
  }
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round(cal(to).diff(cal(from), 'days').days);
}

/** Compares two calendar dates: <0, 0, >0. (Plain string compare works for YYYY-MM-DD.) */
export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "20 May 2026": unambiguous for front-desk staff in any country. */
export function formatDate(date: string): string {
  return cal(date).setLocale('en-GB').toFormat('d LLLL yyyy');
}
