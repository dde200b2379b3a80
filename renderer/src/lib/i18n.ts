/**
 * The renderer's words: `t(key, params)` in the language in use, `tm(msg)` for a message the core
 * or a shared rule returned by reference, and the locale for dates and numbers. English is bundled;
 * the other catalogs are loaded when first chosen (they stay out of the first screen's bundle).
 *
 * Plain TypeScript (unit-testable without Svelte): the language comes from a source function that
 * `language.svelte.ts` binds to its reactive state, so every template that calls `t()` re-renders
 * at once when the language changes.
 */
import en from '../../../common/i18n/catalogs/en.json';
import { csvSeparator, FORMAT_LOCALE, languageOf, PSEUDO_LANGUAGE, type Language, type UiLanguage } from '../../../common/i18n/languages';
import { createTranslator, type Catalog, type MessageKey, type Msg, type ParamsArg, type Translate } from '../../../common/i18n/translate';

export type { Msg } from '../../../common/i18n/translate';

// One dynamic import per language: Vite puts each catalog in its own chunk, fetched when first chosen.
// Typed over every language but English: tsc refuses a language added to LANGUAGES without its loader.
const loaders: Record<Exclude<Language, 'en'>, () => Promise<{ default: Catalog }>> = {
  ru: () => import('../../../common/i18n/catalogs/ru.json'),
  es: () => import('../../../common/i18n/catalogs/es.json'),
  'pt-BR': () => import('../../../common/i18n/catalogs/pt-BR.json'),
};

const translators = new Map<Language, Translate>([['en', createTranslator('en', en)]]);
let source: () => UiLanguage = () => 'en';

/** Where the language in use is read from (a reactive getter, so templates follow it). */
export function bindLanguage(get: () => UiLanguage): void {
  source = get;
}

/** The language in use; only a loaded language is ever returned. */
export function currentLanguage(): Language {
  const lang = languageOf(source());
  return translators.has(lang) ? lang : 'en';
}

/** The BCP 47 locale for dates and numbers in the language in use. */
export function locale(): string {
  return FORMAT_LOCALE[currentLanguage()];
}

/** The list separator Excel expects in a CSV for the language in use (every export passes it). */
export function exportDelimiter(): ',' | ';' {
  return csvSeparator(currentLanguage());
}

/** Loads a language's catalog (once); call before switching to it. */
export async function loadLanguage(ui: UiLanguage): Promise<void> {
  const lang = languageOf(ui);
  if (lang === 'en' || translators.has(lang)) return;
  const load = loaders[lang];
  const catalog = (await load()).default;
  translators.set(lang, createTranslator(lang, catalog, en));
}

export const t: Translate = <K extends MessageKey>(key: K, ...params: ParamsArg<K>): string => {
  const translate = translators.get(currentLanguage()) ?? (translators.get('en') as Translate);
  const text = translate(key, ...params);
  // The pseudo-language marks every catalog text, so a test sees any text that bypassed the catalogs.
  return source() === PSEUDO_LANGUAGE ? `⟦${text}⟧` : text;
};

/** A message returned by reference (from the core or a shared rule) in words. */
export function tm(m: Msg): string {
  return (t as (key: string, params?: unknown) => string)(m.key, m.params);
}
