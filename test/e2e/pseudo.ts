/**
 * The pseudo-language check shared by the e2e runs of issue 12 (i18n-path, i18n-screens): every
 * text a person or a screen reader gets, and what is left of it once the catalog-marked parts
 * (⟦…⟧), the demo's data, names no language translates and Intl's date words are taken out.
 * Allowed besides marked text (anything else is text that did not come from a catalog):
 *   1. the demo's own data, read from the sandbox seed the demo runs on: chain, location, service,
 *      category and membership type titles, client names, phones and e-mails, user names;
 *   2. names no language translates: the brands Altegio and YCLIENTS and their API hosts
 *      (common/servers.ts), the custom server field's example address, the encodings' names; each language's own name in the language switch (English, Русский, …)
 *      and the pseudo-language's entry;
 *   3. what Intl writes for dates in the language: month and weekday names;
 *   4. digits, white space, punctuation and symbols (№, →, ·, ‹ ›…);
 *   5. Altegio's own words, shown as such under the app's worded heading (`.server-words`).
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_LOCALE, LANGUAGE_NAMES, languageOf, PSEUDO_LANGUAGE, type UiLanguage } from '../../common/i18n/languages';
import { createTranslator, type Catalog, type MessageKey } from '../../common/i18n/translate';
import { ENCODING_CHOICES } from '../../common/encodings';
import { EXAMPLE_SERVER_URL, KNOWN_SERVERS } from '../../common/servers';
import { buildState } from '../../main/sandbox/seed';

const catalogDir = join(import.meta.dirname, '../../common/i18n/catalogs');
export const catalogOf = (lang: string): Catalog => JSON.parse(readFileSync(join(catalogDir, `${lang}.json`), 'utf8')) as Catalog;
export const english = catalogOf('en');

/** The words the app shows for `key` in `ui` (marked in the pseudo-language). */
export function wordsFor(ui: UiLanguage): (key: MessageKey, params?: Record<string, unknown>) => string {
  const lang = languageOf(ui);
  const translate = createTranslator(lang, catalogOf(lang), english) as (key: string, params?: Record<string, unknown>) => string;
  return (key: string, params?: Record<string, unknown>) => {
    const text = translate(key, params);
    return ui === PSEUDO_LANGUAGE ? `⟦${text}⟧` : text;
  };
}

/** Every text on the page a person or a screen reader gets, with where it is. */
export async function shownTexts(page: Page): Promise<Array<{ text: string; where: string }>> {
  return page.evaluate(() => {
    const out: Array<{ text: string; where: string }> = [];
    const where = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}`;
    const seen = (el: Element) => el.checkVisibility({ visibilityProperty: true }) || el.closest('select') !== null;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || el.closest('script, style, template, .server-words')) continue;
      if (!seen(el)) continue;
      out.push({ text, where: where(el) });
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt], [aria-valuetext]')) {
      if (!seen(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'aria-valuetext']) {
        const v = el.getAttribute(attr)?.trim();
        if (v) out.push({ text: v, where: `${where(el)}[${attr}]` });
      }
    }
    return out;
  });
}

// 1. The demo's data (the demo is the sandbox, seed 1).
const seed = buildState({ seed: 1, now: new Date(), extraMemberships: 0, newToken: () => 'token' }).state;
const DATA = [
  ...seed.chains.map((c) => c.title),
  ...[...seed.locations.values()].flatMap((l) => [l.title, l.city, l.address, l.phone]),
  ...[...seed.services.values()].map((s) => s.title),
  ...[...seed.categories.values()].map((c) => c.title),
  ...[...seed.types.values()].map((t) => t.title),
  ...[...seed.clients.values()].flatMap((c) => [c.name, c.phone ?? '', c.email ?? '']),
  ...seed.users.flatMap((u) => [u.name, u.login, u.email]),
  // 2. Names no language translates: the brands and their API hosts (the server choice shows them).
  ...KNOWN_SERVERS.flatMap((k) => [k.brand, k.url, new URL(k.url).host]),
  EXAMPLE_SERVER_URL,
  // Encodings by their names (UTF-8, Windows-1251…): what each is for comes from the catalog.
  ...ENCODING_CHOICES.map((e) => e.name),
  ...Object.values(LANGUAGE_NAMES),
  'Pseudo (en-XA)',
].filter((s) => s.trim().length > 0);

// 3. Month and weekday names as Intl writes them in the language.
function dateWords(locale: string): string[] {
  const words: string[] = [];
  for (let m = 0; m < 12; m++) {
    const d = new Date(Date.UTC(2026, m, 15));
    for (const month of ['long', 'short'] as const) {
      words.push(new Intl.DateTimeFormat(locale, { month, timeZone: 'UTC' }).format(d));
      words.push(...new Intl.DateTimeFormat(locale, { day: 'numeric', month, timeZone: 'UTC' }).formatToParts(d).filter((p) => p.type === 'month').map((p) => p.value));
    }
  }
  for (let day = 0; day < 7; day++) {
    const d = new Date(Date.UTC(2026, 0, 4 + day));
    for (const weekday of ['long', 'short', 'narrow'] as const) words.push(new Intl.DateTimeFormat(locale, { weekday, timeZone: 'UTC' }).format(d));
  }
  return words;
}

/** What is left of a text once marked parts, data and date words are taken out (empty: fine). */
export function unmarked(text: string, allowed: readonly string[]): string {
  let rest = text;
  // Innermost first: a marked text can carry another (a parameter worded by the catalog too).
  for (let prev = ''; prev !== rest; ) {
    prev = rest;
    rest = rest.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  }
  for (const word of allowed) rest = rest.split(word).join(' ');
  // 4. Digits, spaces, punctuation and symbols.
  return rest.replace(/[\s\d\p{P}\p{S}]+/gu, ' ').trim();
}

export const allowedIn = (ui: UiLanguage) => [...DATA, ...dateWords(FORMAT_LOCALE[languageOf(ui)])].sort((a, b) => b.length - a.length);

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Each text on the page (in the pseudo-language) with something left that is neither marked nor
 * data, as "screen · where: text". `data`: what the test itself brought (a file's cells, a reason
 * typed), as texts or patterns.
 */
export async function unmarkedTexts(page: Page, screen: string, data: ReadonlyArray<string | RegExp> = []): Promise<string[]> {
  // Longest first, the test's data with the rest: "-2" in a file must not cut "ISO-8859-2" short.
  const allowed = [...allowedIn(PSEUDO_LANGUAGE), ...data.filter((d) => typeof d === 'string')].sort((a, b) => b.length - a.length);
  const patterns = data.filter((d) => d instanceof RegExp);
  const found: string[] = [];
  for (const { text, where } of await shownTexts(page)) {
    const rest = unmarked(patterns.reduce((t, p) => t.replace(new RegExp(p.source, 'g'), ' '), text), allowed);
    if (rest) found.push(`${screen} · ${where}: "${text}" (unmarked: "${rest}")`);
  }
  return found;
}
