/**
 * A message by reference (`Msg`) in words. Calendar days travel in a Msg's parameters as
 * `YYYY-MM-DD` and are written the reader's way (`day`): the shared rules return a Msg, the
 * renderer words it in the language in use, the core in English for its own messages and logs.
 */
import en from './catalogs/en.json';
import { formatDate } from '../dates';
import { createTranslator, isMsg, type Msg, type Translate } from './translate';
import type { MsgData } from '../../preload/contract';

const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `m`: a Msg, or one that came through the contract (`MsgData`: its key is not checked against the
 * catalog by type). A parameter that is itself a message is worded first, the same way.
 */
export function wordMsg(translate: Translate, m: Msg | MsgData, day: (isoDay: string) => string): string {
  const word = (value: unknown): unknown => (typeof value === 'string' && CALENDAR_DAY.test(value) ? day(value) : isMsg(value) ? wordMsg(translate, value, day) : value);
  const params = m.params === undefined ? undefined : Object.fromEntries(Object.entries(m.params).map(([name, value]) => [name, word(value)]));
  return (translate as (key: string, params?: unknown) => string)(m.key, params);
}

const english = createTranslator('en', en);

/** The English words of a Msg (dates as "20 May 2026"), for the core's messages and logs. */
export function inEnglish(m: Msg | MsgData): string {
  return wordMsg(english, m, formatDate);
}
