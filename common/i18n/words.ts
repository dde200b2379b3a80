/**
 * A message by reference (`Msg`) in words. Calendar days travel in a Msg's parameters as
 * `YYYY-MM-DD`, moments as `momentParam()` (an ISO moment with its time zone), and are written the
 * reader's way (`day`, `moment`): the shared rules return a Msg, the renderer words it in the
 * language in use, the core in English for its own messages and logs.
 */
import en from './catalogs/en.json';
import { formatDate } from '../dates';
import { formatMomentIn } from './formats';
import { createTranslator, isMsg, type Msg, type Translate } from './translate';
import type { MsgData } from '../../preload/contract';

const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A moment with its zone as RFC 9557 writes it: `2026-12-31T11:05:00.000Z[Europe/Moscow]`. */
const MOMENT = /^(\d{4}-\d{2}-\d{2}T[^[\]]+)\[([^[\]]+)\]$/;

/**
 * A moment as a Msg parameter: the reader writes it in its language and in `timezone` (the
 * location's, as every moment on the desk), e.g. "31.12.2026, 14:05" in Russian.
 */
export function momentParam(iso: string, timezone: string): string {
  return `${iso}[${timezone}]`;
}

/** How a moment parameter is written: the moment and its zone → words. */
export type MomentWords = (iso: string, timezone: string) => string;

const englishMoment: MomentWords = (iso, timezone) => formatMomentIn('en', iso, timezone);

/**
 * `m`: a Msg, or one that came through the contract (`MsgData`: its key is not checked against the
 * catalog by type). A parameter that is itself a message is worded first, the same way.
 */
export function wordMsg(translate: Translate, m: Msg | MsgData, day: (isoDay: string) => string, moment: MomentWords = englishMoment): string {
  const word = (value: unknown): unknown => {
    if (isMsg(value)) return wordMsg(translate, value, day, moment);
    if (typeof value !== 'string') return value;
    if (CALENDAR_DAY.test(value)) return day(value);
    const at = MOMENT.exec(value);
    return at ? moment(at[1] as string, at[2] as string) : value;
  };
  const params = m.params === undefined ? undefined : Object.fromEntries(Object.entries(m.params).map(([name, value]) => [name, word(value)]));
  return (translate as (key: string, params?: unknown) => string)(m.key, params);
}

const english = createTranslator('en', en);

/** The English words of a Msg (dates as "20 May 2026"), for the core's messages and logs. */
export function inEnglish(m: Msg | MsgData): string {
  return wordMsg(english, m, formatDate);
}
