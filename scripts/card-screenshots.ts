/**
 * `npm run docs:screenshots`: the membership card in Russian and Spanish for the README
 * (docs/card-ru.png, docs/card-es.png), taken from the built app (run `npm run build` first) in
 * the web shell with the demo, at 1366x768, through Debian's Chromium. Found by role and label in
 * the language, as a person sees it.
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_LOCALE, type Language } from '../common/i18n/languages';
import { createTranslator, type Catalog } from '../common/i18n/translate';
import { startWebShellProcess } from '../test/e2e/fixtures';

const root = join(import.meta.dirname, '..');
const catalog = (lang: string) => JSON.parse(readFileSync(join(root, 'common/i18n/catalogs', `${lang}.json`), 'utf8')) as Catalog;

async function shoot(lang: Language): Promise<string> {
  const t = createTranslator(lang, catalog(lang), catalog('en')) as (key: string, params?: Record<string, unknown>) => string;
  const dataDir = mkdtempSync(join(tmpdir(), 'desk-shots-'));
  const shell = await startWebShellProcess(['--demo', '--language', lang], dataDir);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: FORMAT_LOCALE[lang] });
    await page.goto(shell.url);
    await page.getByRole('combobox', { name: t('search.label') }).fill('Dana');
    await page.getByRole('listbox', { name: t('search.results') }).getByRole('option', { name: /Dana Whitfield/ }).first().click();
    await page.getByRole('list', { name: t('list.label'), exact: true }).getByRole('button').filter({ hasText: 'Pilates 10-pack / 3 months' }).click();
    await page.getByRole('article').getByRole('button', { name: t('card.freeze'), exact: true }).waitFor();
    const file = join(root, 'docs', `card-${lang}.png`);
    await page.screenshot({ path: file });
    return file;
  } finally {
    await browser.close();
    await shell.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

for (const lang of ['ru', 'es'] as const) console.log(await shoot(lang));
