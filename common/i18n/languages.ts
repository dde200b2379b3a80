/**
 * The languages the app speaks, how one is picked from what the system or browser prefers, and
 * the per-language conventions that are not words (the list separator Excel expects in a CSV).
 */

// Each language has its catalog in catalogs/<language>.json (the catalog test checks all of them).
export const LANGUAGES = ['en', 'ru', 'es', 'pt-BR'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Each language's own name, as its speakers look for it in a list. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  ru: 'Русский',
  es: 'Español',
  'pt-BR': 'Português (Brasil)',
};

/**
 * The BCP 47 locale used for dates and numbers. English keeps `en-GB` (day-first dates, 24-hour
 * times): the desk's English users are mostly outside the US, and the app always wrote "20 May 2026".
 */
export const FORMAT_LOCALE: Readonly<Record<Language, string>> = {
  en: 'en-GB',
  ru: 'ru-RU',
  es: 'es-ES',
  'pt-BR': 'pt-BR',
};

/**
 * The pseudo-language for tests and development: English with every catalog text marked ⟦…⟧, so
 * any text on screen that does not come from a catalog stands out. Never offered to staff: the
 * core accepts it only when started with it (the web shell's `--language en-XA`).
 */
export const PSEUDO_LANGUAGE = 'en-XA';
/** What the interface can be set to: a language, or (tests, development) the pseudo-language. */
export type UiLanguage = Language | typeof PSEUDO_LANGUAGE;

export function isUiLanguage(value: unknown): value is UiLanguage {
  return value === PSEUDO_LANGUAGE || isLanguage(value);
}

/** The language whose catalog and formats a UI language uses (the pseudo-language is marked English). */
export function languageOf(ui: UiLanguage): Language {
  return ui === PSEUDO_LANGUAGE ? DEFAULT_LANGUAGE : ui;
}

/**
 * The first day of the week in each language's calendar (0 Sunday, 1 Monday), as its staff's
 * calendars show it: Monday in Britain, Russia and Spain, Sunday in Brazil.
 */
const WEEK_STARTS: Readonly<Record<Language, 0 | 1>> = { en: 1, ru: 1, es: 1, 'pt-BR': 0 };
export function weekStart(language: Language): 0 | 1 {
  return WEEK_STARTS[language];
}

const baseOf = (tag: string) => tag.trim().toLowerCase().replace('_', '-').split('-')[0] ?? '';

/**
 * The first of `preferred` (BCP 47 tags, most preferred first: Electron's app.getLocale(), the
 * browser's navigator.languages) that the app speaks, by language: any Portuguese counts as
 * Brazilian (the one Portuguese the app is written in), any Spanish as Spanish. English when none matches.
 */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const found = LANGUAGES.find((l) => baseOf(l) === baseOf(tag));
    if (found) return found;
  }
  return DEFAULT_LANGUAGE;
}

/**
 * The list separator Excel uses for CSV in that language's regional settings: where the decimal
 * separator is a comma (ru, es, pt-BR), Excel splits on `;`.
 */
export function csvSeparator(language: Language): ',' | ';' {
  return language === 'en' ? ',' : ';';
}
