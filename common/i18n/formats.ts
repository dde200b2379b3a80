/**
 * Days and moments in a language's way, one rule for the renderer (renderer/src/lib/format.ts) and
 * the core's files (main/core/words.ts): English spells the month out; the other languages write
 * day-first numbers, as their staff do ("20.05.2026", "20/05/2026").
 */
import { isCalendarDate } from '../dates';
import { FORMAT_LOCALE, type Language } from './languages';

const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcDay(isoDay: string): Date {
  const [, y, m, d] = CALENDAR_DAY.exec(isoDay) ?? [];
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per language, kind and zone (building one costs far more than using it). */
export function dateFormatIn(language: Language, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${language}|${kind}|${options.timeZone ?? ''}`;
  let f = formats.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(FORMAT_LOCALE[language], options);
    formats.set(id, f);
  }
  return f;
}

/** A `YYYY-MM-DD` calendar day: "20 May 2026" / "20.05.2026"; anything else as it is. */
export function formatDayIn(language: Language, isoDay: string): string {
  if (!isCalendarDate(isoDay)) return isoDay;
  const options: Intl.DateTimeFormatOptions =
    language === 'en' ? { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' } : { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' };
  return dateFormatIn(language, 'day', options).format(utcDay(isoDay));
}

/** A `YYYY-MM-DD` day with its weekday: "Wednesday, 20 May 2026" / "среда, 20 мая 2026 г.". */
export function formatDayLongIn(language: Language, isoDay: string): string {
  if (!isCalendarDate(isoDay)) return isoDay;
  return dateFormatIn(language, 'long', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(utcDay(isoDay));
}

/** A `YYYY-MM-DD` day as staff type it: "31/12/2026" (en, es, pt-BR), "31.12.2026" (ru). */
export function formatDayNumericIn(language: Language, isoDay: string): string {
  if (!isCalendarDate(isoDay)) return isoDay;
  return dateFormatIn(language, 'numeric', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }).format(utcDay(isoDay));
}

/** An ISO moment as "20 May 2026, 14:05" / "20.05.2026, 14:05" in `timezone` (default: this computer's). */
export function formatMomentIn(language: Language, value: string, timezone?: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const day: Intl.DateTimeFormatOptions =
    language === 'en' ? { day: 'numeric', month: 'short', year: 'numeric' } : { day: '2-digit', month: '2-digit', year: 'numeric' };
  return dateFormatIn(language, 'moment', { ...day, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timezone ? { timeZone: timezone } : {}) }).format(date);
}
