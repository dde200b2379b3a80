/**
 * The core's words for the files it writes in the language in use (the batch report, the fix-me
 * file, the audit export): the renderer says which language, the core words column names and
 * messages from that language's catalog (English for a key it lacks), and days and moments by the
 * same rule as the renderer (common/i18n/formats.ts).
 */
import en from '../../common/i18n/catalogs/en.json';
import es from '../../common/i18n/catalogs/es.json';
import ptBR from '../../common/i18n/catalogs/pt-BR.json';
import ru from '../../common/i18n/catalogs/ru.json';
import { ENGLISH_AUDIT_WORDS, type AuditWords } from '../../common/audit-words';
import { type Language } from '../../common/i18n/languages';
import { formatDayIn, formatMomentIn } from '../../common/i18n/formats';
import { createTranslator, type Catalog, type MessageKey, type Msg, type Translate } from '../../common/i18n/translate';
import { wordMsg } from '../../common/i18n/words';
import type { MsgData } from '../../preload/contract';

const CATALOGS: Readonly<Record<Language, Catalog>> = { en, ru, es, 'pt-BR': ptBR };

export interface Words {
  language: Language;
  t: Translate;
  /** A message by reference in words. */
  say(m: Msg | MsgData): string;
  /** Audit entries in words (common/audit-words.ts). */
  audit: AuditWords;
}

const made = new Map<Language, Words>();

/** A key without parameters whose name is built (a status slug): its words, or null when the catalog has none. */
function known(t: Translate, key: string): string | null {
  return key in en ? (t as (key: string) => string)(key) : null;
}

function make(language: Language): Words {
  const t = createTranslator(language, CATALOGS[language], en);
  const day = (isoDay: string): string => formatDayIn(language, isoDay);
  const moment = (value: string, timezone?: string): string => formatMomentIn(language, value, timezone);
  const audit: AuditWords = { t, day, moment, status: (slug) => known(t, `status.${slug}` as MessageKey) ?? slug };
  return { language, t, say: (m) => wordMsg(t, m, day, moment), audit };
}

/** The words of `language` (English when absent: English days are "20 May 2026", as the core always wrote). */
export function wordsIn(language: Language = 'en'): Words {
  let words = made.get(language);
  if (!words) {
    words = language === 'en' ? { language, t: ENGLISH_AUDIT_WORDS.t, say: (m) => wordMsg(ENGLISH_AUDIT_WORDS.t, m, ENGLISH_AUDIT_WORDS.day, ENGLISH_AUDIT_WORDS.moment), audit: ENGLISH_AUDIT_WORDS } : make(language);
    made.set(language, words);
  }
  return words;
}
