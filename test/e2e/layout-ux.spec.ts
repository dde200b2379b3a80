/**
 * Issue 13 item 5, layout: at the office screen (1366×768) the header stays one line with "Signed in
 * as", the card's actions and its History are on screen without scrolling; at 1920×1080 the card
 * sits beside the list; a client's name is never clipped. Issue 12: the header stays one line in
 * every language (Russian, Spanish and Portuguese words are longer), and nothing runs off the side.
 */
import type { Locator, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_LOCALE, LANGUAGES } from '../../common/i18n/languages';
import { createTranslator, type Catalog } from '../../common/i18n/translate';
import { expect, test } from './fixtures';
import { DANA, cardSection, chooseLocation, openClient, openMembership } from './helpers';

test.use({ shellMode: 'demo' });

test('1366×768: who is signed in, the card’s actions and its history are in view', async ({ app: page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
  await openClient(page, DANA.name);
  const card = await openMembership(page, DANA.perServiceFreezable);

  const header = page.getByRole('banner');
  await expect(header.getByText('Signed in as')).toBeInViewport({ ratio: 1 });
  await expect(header.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
  // One line: the header does not wrap.
  const box = await header.boundingBox();
  expect(box?.height ?? 999).toBeLessThan(72);

  for (const action of ['Freeze', 'Unfreeze', 'Edit balance']) {
    await expect(card.getByRole('button', { name: action, exact: true })).toBeInViewport({ ratio: 1 });
  }
  await expect(cardSection(card, 'History').getByRole('heading', { name: 'History' })).toBeInViewport({ ratio: 1 });

  const name = page.getByRole('heading', { level: 2, name: DANA.name });
  const clipped = await name.evaluate((el) => el.scrollWidth > el.clientWidth && !el.getAttribute('title'));
  expect(clipped).toBe(false);
});

test('1920×1080: the card beside the list, both in view', async ({ app: page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
  const list = await openClient(page, DANA.name);
  const card = await openMembership(page, DANA.perServiceFreezable);
  const l = await list.boundingBox();
  const c = await card.boundingBox();
  expect(c && l && c.x >= l.x + l.width).toBe(true);
  await expect(card).toBeInViewport({ ratio: 1 });
  await expect(list).toBeInViewport({ ratio: 1 });
});

const catalogOf = (lang: string): Catalog => JSON.parse(readFileSync(join(import.meta.dirname, '../../common/i18n/catalogs', `${lang}.json`), 'utf8')) as Catalog;

/** What the page runs off its right edge, in px (0: nothing scrolls sideways). */
const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * The header's layout: the texts of its parts that sit below the first line (none: one line — every
 * part overlaps every other vertically), how far its content runs past its width, and any control or
 * name in it whose text is cut (a visually hidden text, 1 px wide on purpose, is not "cut").
 */
function headerLayout(header: Locator) {
  return header.evaluate((h) => {
    const parts = [...h.children].map((el) => ({ el, box: el.getBoundingClientRect() })).filter((p) => p.box.width > 0 && p.box.height > 0);
    const firstBottom = Math.min(...parts.map((p) => p.box.bottom));
    const below = parts.filter((p) => p.box.top >= firstBottom).map((p) => (p.el as HTMLElement).innerText.trim());
    const cut = [...h.querySelectorAll<HTMLElement>('button, select, label, strong, span, .badge')]
      .filter((el) => el.checkVisibility() && el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.innerText.trim());
    return { below, overflow: h.scrollWidth - h.clientWidth, cut };
  });
}

for (const lang of LANGUAGES) {
  test.describe(`the header in ${lang}`, () => {
    test.use({ shellMode: 'plain', shellArgs: ['--language', lang], locale: FORMAT_LOCALE[lang], viewport: { width: 1366, height: 768 } });

    test(`1366×768 in ${lang}: the sign-in screen fits, the header is one line, the card and its history fit`, async ({ app: page }) => {
      const t = createTranslator(lang, catalogOf(lang), catalogOf('en')) as (key: string, params?: Record<string, unknown>) => string;
      const demo = page.getByRole('button', { name: t('signin.demo') });
      await expect(demo).toBeVisible();
      expect(await pageOverflow(page)).toBeLessThanOrEqual(0);

      await demo.click();
      const header = page.getByRole('banner');
      await expect(header.getByRole('button', { name: t('header.signOut'), exact: true })).toBeVisible();
      await expect(header.getByRole('button', { name: t('header.switchUser'), exact: true })).toBeVisible();
      await expect(header.getByLabel(t('header.location'), { exact: true }).locator('option:checked')).toHaveText(/\S/);
      await expect(header.getByText(t('header.signedInAs'), { exact: true })).toBeInViewport({ ratio: 1 });
      await expect(header.getByText(t('header.demo'), { exact: true })).toBeVisible();

      expect(await headerLayout(header)).toEqual({ below: [], overflow: 0, cut: [] });
      expect(await pageOverflow(page)).toBeLessThanOrEqual(0);

      // The card with an entry in its history: the longer column words made the page scroll sideways,
      // and action labels broke inside their buttons.
      await page.getByRole('combobox', { name: t('search.label') }).fill('Dana');
      await page.getByRole('listbox', { name: t('search.results') }).getByRole('option', { name: new RegExp(DANA.name) }).first().click();
      await page.getByRole('list', { name: t('list.label'), exact: true }).getByRole('button').filter({ hasText: DANA.perServiceFreezable }).click();
      const card = page.getByRole('article');
      await card.getByRole('button', { name: t('card.editBalance'), exact: true }).click();
      const editor = page.getByRole('dialog');
      await editor.getByRole('textbox').first().fill('6');
      await editor.getByLabel(t('common.reason'), { exact: true }).fill('Проверка: длинная причина для истории');
      await editor.getByRole('button', { name: t('balance.save'), exact: true }).click();
      await expect(page.getByRole('dialog')).toHaveCount(0);
      await expect(card.getByRole('region', { name: t('history.title'), exact: true }).getByRole('row')).toHaveCount(2);
      expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
      const brokenLabels = await card.getByRole('region', { name: t('card.actions'), exact: true }).evaluate((actions) =>
        [...actions.querySelectorAll('button')].filter((b) => b.getBoundingClientRect().height > 44).map((b) => b.innerText),
      );
      expect(brokenLabels).toEqual([]);
    });
  });
}

test.describe('1024×768, in Russian (the longest words)', () => {
  test.use({ shellArgs: ['--language', 'ru'], locale: FORMAT_LOCALE.ru });

  test('the header may wrap, but nothing overlaps, is cut or runs off the side', async ({ app: page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    const t = createTranslator('ru', catalogOf('ru'), catalogOf('en')) as (key: string) => string;
    const header = page.getByRole('banner');
    await expect(header.getByRole('button', { name: t('header.signOut'), exact: true })).toBeVisible();
    const { overflow, cut } = await headerLayout(header);
    expect({ overflow, cut }).toEqual({ overflow: 0, cut: [] });
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    const overlaps = await header.evaluate((h) => {
      const boxes = [...h.children].map((el) => ({ text: (el as HTMLElement).innerText.trim(), box: el.getBoundingClientRect() })).filter((p) => p.box.width > 0 && p.box.height > 0);
      const hit = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      return boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => hit(a.box, b.box)).map((b) => `${a.text} / ${b.text}`));
    });
    expect(overlaps).toEqual([]);
  });
});

test.describe('the batch screen in Spanish (longer column words)', () => {
  test.use({ shellArgs: ['--language', 'es'], locale: FORMAT_LOCALE.es, viewport: { width: 1366, height: 768 } });

  test('column heads are whole and a cut column name has its tooltip', async ({ app: page }) => {
    const t = createTranslator('es', catalogOf('es'), catalogOf('en')) as (key: string) => string;
    await page.getByRole('navigation', { name: t('nav.label') }).getByRole('button', { name: t('nav.batch') }).click();
    const csv = ['ID abono de la sucursal principal;Cambio;Motivo', '4471900;+1;Regalo', '4471901;-1;Corrección'].join('\r\n');
    await page.getByLabel(t('batch.pick.open')).setInputFiles({ name: 'saldos.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\r\n`) });
    const steps = page.getByRole('navigation', { name: t('batch.steps') });

    await steps.getByRole('button', { name: t('batch.step.columns') }).click();
    const idColumn = page.getByLabel(t('batch.field.membership_id'), { exact: true });
    await expect(idColumn.locator('option:checked')).toContainText('ID abono de la sucursal principal');
    await expect(idColumn).toHaveAttribute('title', (await idColumn.locator('option:checked').textContent()) ?? '');

    await steps.getByRole('button', { name: t('batch.step.preview') }).click();
    const heads = page.getByRole('table', { name: t('batch.preview.planned') }).getByRole('columnheader');
    await expect(heads).toHaveCount(6);
    const cut = await heads.evaluateAll((els) => els.filter((h) => h.scrollWidth > h.clientWidth).map((h) => h.textContent));
    expect(cut).toEqual([]);
  });
});
