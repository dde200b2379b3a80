/**
 * Issue 12, "done means": the desk path — sign in to the demo, search, open a card, the freeze
 * calendar, the balance editor — in the pseudo-language and in each real language, at 1366x768.
 *
 * Pseudo-language (en-XA, tests only): every catalog text is shown as ⟦…⟧, so whatever text on
 * screen is not marked did not come from a catalog. The check collects every text a person or a
 * screen reader gets — visible text nodes (visually-hidden ones included), option texts, and the
 * aria-label / title / placeholder / alt attributes of visible elements — removes the marked
 * parts, and what is left must be data (./pseudo.ts says what counts). Anything else fails the
 * test with the text and where it was found. The other screens: i18n-screens.spec.ts.
 *
 * Real languages: the same path, found by the language's own labels (from its catalog, so the
 * words on the buttons are checked), and no text on screen may be an English catalog message that
 * the language writes differently.
 */
import type { Page } from '@playwright/test';
import { FORMAT_LOCALE, LANGUAGE_NAMES, LANGUAGES, PSEUDO_LANGUAGE, type UiLanguage } from '../../common/i18n/languages';
import type { Catalog } from '../../common/i18n/translate';
import { expect, test } from './fixtures';
import { DANA } from './helpers';
import { allowedIn, catalogOf, english, escapeRe, shownTexts, unmarkedTexts, wordsFor } from './pseudo';

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
    const found: string[] = [];
    await deskPath(page, PSEUDO_LANGUAGE, async (screen) => {
      found.push(...(await unmarkedTexts(page, screen)));
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
