/**
 * Issue 12, "done means": the desk path — sign in to the demo, search, open a card, the freeze
 * calendar, the balance editor — in the pseudo-language and in each real language, at 1366x768.
 *
 * Pseudo-language (en-XA, tests only): every catalog text is shown as ⟦…⟧, so whatever text on
 * screen is not marked did not come from a catalog. The check collects every text a person or a
 * screen reader gets — visible text nodes (visually-hidden ones included), option texts, and the
 * aria-label / title / placeholder / alt attributes of visible elements — removes the marked
 * parts, and what is left must be DATA, defined here as:
 *   1. the demo's own data, read from the sandbox seed the demo runs on: chain, location, service,
 *      category and membership type titles, client names, phones and e-mails, user names;
 *   2. names no language translates: the brands Altegio and YCLIENTS and their API hosts
 *      (common/servers.ts); each language's own name in the language switch (English, Русский, …)
 *      and the pseudo-language's entry;
 *   3. what Intl writes for dates in the language: month and weekday names;
 *   4. digits, white space, punctuation and symbols (№, →, ·, ‹ ›…).
 * Anything else fails the test with the text and where it was found.
 *
 * Real languages: the same path, found by the language's own labels (from its catalog, so the
 * words on the buttons are checked), and no text on screen may be an English catalog message that
 * the language writes differently.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_LOCALE, LANGUAGE_NAMES, LANGUAGES, languageOf, PSEUDO_LANGUAGE, type UiLanguage } from '../../common/i18n/languages';
import { createTranslator, type Catalog } from '../../common/i18n/translate';
import { KNOWN_SERVERS } from '../../common/servers';
import { buildState } from '../../main/sandbox/seed';
import { expect, test } from './fixtures';
import { DANA } from './helpers';

const catalogDir = join(import.meta.dirname, '../../common/i18n/catalogs');
const catalogOf = (lang: string): Catalog => JSON.parse(readFileSync(join(catalogDir, `${lang}.json`), 'utf8')) as Catalog;
const english = catalogOf('en');

/** The words the app shows for `key` in `ui` (marked in the pseudo-language). */
function wordsFor(ui: UiLanguage) {
  const lang = languageOf(ui);
  const translate = createTranslator(lang, catalogOf(lang), english) as (key: string, params?: Record<string, unknown>) => string;
  return (key: string, params?: Record<string, unknown>) => {
    const text = translate(key, params);
    return ui === PSEUDO_LANGUAGE ? `⟦${text}⟧` : text;
  };
}

/** Every text on the page a person or a screen reader gets, with where it is. */
async function shownTexts(page: Page): Promise<Array<{ text: string; where: string }>> {
  return page.evaluate(() => {
    const out: Array<{ text: string; where: string }> = [];
    const where = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}`;
    const seen = (el: Element) => el.checkVisibility({ visibilityProperty: true }) || el.closest('select') !== null;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || el.closest('script, style, template')) continue;
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
function unmarked(text: string, allowed: readonly string[]): string {
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

const allowedIn = (ui: UiLanguage) => [...DATA, ...dateWords(FORMAT_LOCALE[languageOf(ui)])].sort((a, b) => b.length - a.length);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The desk path, by role and label in the language; `check` runs on each screen on the way. */
async function deskPath(page: Page, ui: UiLanguage, check: (screen: string) => Promise<void>): Promise<void> {
  const w = wordsFor(ui);
  await expect(page.getByRole('button', { name: w('signin.demo') })).toBeVisible();
  await check('sign-in');

  await page.getByRole('button', { name: w('signin.demo') }).click();
  const search = page.getByRole('combobox', { name: w('search.label') });
  await expect(search).toBeVisible();
  await expect(page.getByRole('navigation').getByRole('button', { name: w('nav.memberships'), exact: true })).toBeVisible();
  await check('desk');

  await search.fill('Dana');
  const option = page.getByRole('listbox', { name: w('search.results') }).getByRole('option', { name: new RegExp(DANA.name) });
  await expect(option.first()).toBeVisible();
  await check('search results');
  await option.first().click();
  await expect(page.getByRole('heading', { level: 2, name: DANA.name })).toBeVisible();
  const list = page.getByRole('list', { name: w('list.label'), exact: true });
  await list.getByRole('button').filter({ hasText: DANA.perServiceFreezable }).click();
  const [before = '', after = ''] = w('membership.number', { number: '\u0000' }).split('\u0000');
  const card = page.getByRole('article', { name: new RegExp(`^${escapeRe(before)}\\S+${escapeRe(after)}$`) });
  await expect(card.getByText(DANA.perServiceFreezable, { exact: true })).toBeVisible();
  await check('card');

  await card.getByRole('button', { name: w('card.freeze'), exact: true }).click();
  const freeze = page.getByRole('dialog');
  await expect(freeze.getByRole('grid')).toBeVisible();
  await expect(freeze.getByRole('button', { name: w('common.cancel'), exact: true })).toBeVisible();
  await check('freeze calendar');
  await freeze.getByRole('button', { name: w('common.cancel'), exact: true }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await card.getByRole('button', { name: w('card.editBalance'), exact: true }).click();
  const balance = page.getByRole('dialog');
  await expect(balance.getByRole('button', { name: w('common.cancel'), exact: true })).toBeVisible();
  await check('balance editor');
  // A value the editor refuses: its explanation is worded in the language too.
  const value = balance.getByRole('textbox').first();
  await value.fill('1.5');
  await expect(value).toHaveAttribute('aria-invalid', 'true');
  await expect(balance.getByText(w('balance.input.fraction'))).toBeVisible();
  await check('balance editor, a refused value');
  await balance.getByRole('button', { name: w('common.cancel'), exact: true }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

test.use({ viewport: { width: 1366, height: 768 }, shellMode: 'plain' });

test.describe('pseudo-language', () => {
  test.use({ shellArgs: ['--language', PSEUDO_LANGUAGE] });

  test('every text on the desk path comes from a catalog (or is data)', async ({ app: page }) => {
    const allowed = allowedIn(PSEUDO_LANGUAGE);
    const found: string[] = [];
    await deskPath(page, PSEUDO_LANGUAGE, async (screen) => {
      for (const { text, where } of await shownTexts(page)) {
        const rest = unmarked(text, allowed);
        if (rest) found.push(`${screen} · ${where}: "${text}" (unmarked: "${rest}")`);
      }
    });
    expect([...new Set(found)]).toEqual([]);
  });
});

/** The words of a catalog's messages (ICU syntax and parameter names left out), lower case. */
function catalogWords(catalog: Catalog): Set<string> {
  const words = new Set<string>();
  for (const text of Object.values(catalog)) {
    const plain = text.replace(/\{\s*\w+\s*(,\s*\w+\s*,?)?/g, ' ').replace(/(=\d+|zero|one|two|few|many|other|\w+)\s*\{/g, ' ');
    for (const w of plain.toLowerCase().match(/\p{L}{3,}/gu) ?? []) words.add(w);
  }
  return words;
}

/** A few labels as staff know them, written here by hand (not read from the catalogs). */
const KNOWN: Record<(typeof LANGUAGES)[number], { nav: string; freeze: string; balance: string }> = {
  en: { nav: 'Memberships', freeze: 'Freeze', balance: 'Edit balance' },
  ru: { nav: 'Абонементы', freeze: 'Заморозить', balance: 'Изменить остаток' },
  es: { nav: 'Abonos', freeze: 'Congelar', balance: 'Editar saldo' },
  'pt-BR': { nav: 'Assinaturas', freeze: 'Congelar', balance: 'Editar saldo' },
};

for (const lang of LANGUAGES) {
  test.describe(`${lang}`, () => {
    test.use({ shellArgs: ['--language', lang], locale: FORMAT_LOCALE[lang] });

    test(`the desk path in ${LANGUAGE_NAMES[lang]}: its own labels, no English text`, async ({ app: page }) => {
      // English words the language's catalog never uses ("days", "left", "Allowance" in Spanish):
      // any of them on screen outside data is English that escaped the catalogs.
      const own = catalogWords(catalogOf(lang));
      const englishOnly = new Set([...catalogWords(english)].filter((w) => !own.has(w)));
      const allowed = allowedIn(lang);
      const found: string[] = [];
      await deskPath(page, lang, async (screen) => {
        await expect(page.locator('html')).toHaveAttribute('lang', FORMAT_LOCALE[lang]);
        if (screen === 'card') {
          await expect(page.getByRole('navigation').getByRole('button', { name: KNOWN[lang].nav, exact: true })).toBeVisible();
          await expect(page.getByRole('article').getByRole('button', { name: KNOWN[lang].freeze, exact: true })).toBeVisible();
          await expect(page.getByRole('article').getByRole('button', { name: KNOWN[lang].balance, exact: true })).toBeVisible();
        }
        if (lang === 'en') return;
        for (const { text, where } of await shownTexts(page)) {
          let rest = text;
          for (const word of allowed) rest = rest.split(word).join(' ');
          const english = (rest.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((w) => englishOnly.has(w));
          if (english.length) found.push(`${screen} · ${where}: "${text}" (English: ${english.join(', ')})`);
        }
      });
      expect([...new Set(found)]).toEqual([]);
    });
  });
}
