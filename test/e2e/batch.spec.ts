/**
 * Issue 5, batch CSV corrections in the demo, through the screen as a person uses it:
 *  - a Russian Excel file (windows-1251, `;`, Russian headers) → encoding, delimiter and mapping
 *    guessed → the invalid row listed with its line → preview totals → apply → done → the report
 *    (BOM, header, one line per row, outcomes) → the audit log shows the batch's rows → the card
 *    shows the new balance → undo the batch → the balance is back;
 *  - Excel "Unicode Text" (UTF-16 LE, tab) whose notes hold commas, so the delimiter guess is wrong:
 *    the user picks Tab, matches two columns by hand, applies; the next time the same columns are
 *    remembered.
 *
 * Demo data (main/sandbox/seed.ts): Dana's 4471900 (per-service, Pilates group 7 visits), 4471901
 * (united, 9), 4471902 (united, 3); Marcus's 4471913 (type forbids balance changes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { expect, test } from './fixtures';
import { DANA, cardSection, chooseLocation, openClient, openMembership } from './helpers';
import type { Page } from '@playwright/test';

// The common office-PC screen: Apply, then the result and Undo, must be in view there without scrolling.
test.use({ shellMode: 'demo', viewport: { width: 1366, height: 768 } });

test.beforeEach(async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
});

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });

async function openBatchScreen(page: Page): Promise<void> {
  await nav(page, 'Batch corrections').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Batch corrections' })).toBeVisible();
}

/** A step of the batch screen, from the "Steps" navigation. */
async function step(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();
  await expect(page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name })).toHaveAttribute('aria-current', 'step');
}

const selected = (page: Page, label: string) => page.getByLabel(label, { exact: true }).locator('option:checked');

async function pilatesBalance(page: Page, visits: number): Promise<void> {
  await nav(page, 'Memberships').click();
  await openClient(page, DANA.name);
  const card = await openMembership(page, DANA.perServiceFreezable);
  await expect(cardSection(card, 'Balance').getByRole('row', { name: `Pilates group ${visits}` })).toBeVisible();
}

test('cp1251 `;` file → guessed mapping → problems → preview → apply → report → audit log → undo', async ({ app: page }) => {
  const csv = [
    'ID абонемента;Услуга;Изменение;Причина',
    '4471900;Pilates group;+3;Перенос из старой системы',
    '4471901;;-2;Спор с клиентом',
    '4471913;;+1;Корпоратив',
    '4471902;;+1;Компенсация',
  ].join('\r\n');
  await openBatchScreen(page);
  await page.getByLabel('Open CSV file').setInputFiles({ name: 'остатки-cp1251.csv', mimeType: 'text/csv', buffer: iconv.encode(`${csv}\r\n`, 'win1251') });

  // A problem in the file: the screen opens on it.
  await expect(page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Problems' })).toHaveAttribute('aria-current', 'step');
  // The chosen file, named.
  await step(page, 'File');
  await expect(page.getByText('остатки-cp1251.csv')).toBeVisible();

  // How the file was read.
  await step(page, 'Columns');
  await expect(page.getByLabel('Encoding', { exact: true })).toHaveValue('windows-1251');
  await expect(selected(page, 'Delimiter')).toHaveText('Semicolon');
  const firstRows = page.getByRole('table', { name: 'First rows of the file' });
  await expect(firstRows.getByRole('row').nth(1)).toContainText('ID абонемента');
  await expect(firstRows.getByRole('row').nth(2)).toContainText('Перенос из старой системы');

  // Mapping guessed from the Russian headers.
  await expect(page.getByText('Guessed from the column names in the file. Check each one.')).toBeVisible();
  await expect(selected(page, 'Membership ID')).toHaveText('Column 1: ID абонемента');
  await expect(selected(page, 'Service')).toHaveText('Column 2: Услуга');
  await expect(selected(page, 'Change (+/−)')).toHaveText('Column 3: Изменение');
  await expect(selected(page, 'Reason')).toHaveText('Column 4: Причина');
  await expect(selected(page, 'New balance')).toHaveText('Not in file');

  // The invalid row, with its line; it does not hold back the others.
  await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Next: Problems' }).click();
  await expect(page.getByRole('heading', { level: 2, name: '1 problem' })).toBeVisible();
  const problems = page.getByRole('region', { name: 'List of problems' }).getByRole('listitem');
  await expect(problems).toHaveCount(1);
  await expect(problems.first()).toHaveText(/^Line 4: .*does not allow balance changes/);

  // Preview: Apply in view without scrolling (the action bar stays at the bottom of the window).
  await step(page, 'Preview');
  await expect(page.getByText('3 rows to change, 0 unchanged, 1 with problems, across 3 memberships.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Apply 3 changes' })).toBeInViewport();
  const planned = page.getByRole('table', { name: 'Planned changes' });
  await expect(planned.getByRole('row').filter({ hasText: 'Перенос из старой системы' })).toContainText('7 → 10');
  await expect(planned.getByRole('row').filter({ hasText: 'Спор с клиентом' })).toContainText('9 → 7');
  await expect(planned.getByRole('row').filter({ hasText: 'Компенсация' })).toContainText('3 → 4');
  await expect(planned.getByRole('row').filter({ hasText: 'Корпоратив' })).toContainText('Problem');

  // Apply.
  await page.getByRole('button', { name: 'Apply 3 changes' }).click();
  const confirm = page.getByRole('dialog', { name: 'Apply 3 changes?' });
  await expect(confirm).toContainText('1 row has a problem and is skipped.');
  await confirm.getByRole('button', { name: 'Apply changes' }).click();
  await expect(confirm).toBeHidden();

  const progress = page.getByRole('region', { name: 'Applying остатки-cp1251.csv' });
  await expect(progress.getByRole('status').first()).toHaveText('Done');
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '3');
  await expect(progress.getByText('Finished: 3 rows changed.')).toBeVisible();
  await expect(progress.getByRole('button', { name: 'Undo this batch' })).toBeInViewport();
  const rows = page.getByRole('table', { name: 'Planned changes' });
  await expect(rows.getByRole('row').filter({ hasText: 'Applied' })).toHaveCount(3);

  // The report: UTF-8 with a BOM, the header, one line per data row, each row's outcome.
  const download = page.waitForEvent('download');
  await progress.getByRole('button', { name: 'Download report' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('остатки-cp1251-report.csv');
  const bytes = readFileSync(await file.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  // English interface: Excel's list separator for English is ',' (issue 12); cells are parsed
  // as CSV, since a message may itself hold the separator.
  const records = Papa.parse<string[]>(bytes.subarray(3).toString('utf8'), { skipEmptyLines: true }).data;
  expect(records[0]).toEqual(['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client']);
  expect(records).toHaveLength(5);
  expect(records.slice(1).map((r) => r[1])).toEqual(['2', '3', '4', '5']);
  expect(records.slice(1).map((r) => r[6])).toEqual(['Applied', 'Applied', 'Problem', 'Applied']);
  expect(records[1]?.slice(3, 8)).toEqual(['Pilates group', '7', '10', 'Applied', 'Перенос из старой системы']);
  // The membership named as its card names it, with the id the file gave (issue 13).
  expect(records[3]?.[7]).toMatch(/^Membership № \d+ \(id 4471913\): its type .* does not allow balance changes\.$/);
  await expect(page.getByText('Saved остатки-cp1251-report.csv to your downloads.')).toBeVisible();

  // The audit log has every applied row, marked as a batch, with its reason.
  await nav(page, 'Audit log').click();
  const audit = page.getByRole('region', { name: 'Audit entries' });
  for (const reason of ['Перенос из старой системы', 'Спор с клиентом', 'Компенсация']) {
    const entry = audit.getByRole('row').filter({ hasText: reason });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText('(batch)');
  }
  await expect(audit.getByRole('row').filter({ hasText: 'Корпоратив' })).toHaveCount(0);

  // The card shows the new balance.
  await pilatesBalance(page, 10);

  // Back to the batch (still on screen) → undo it.
  await openBatchScreen(page);
  await expect(progress.getByText('Finished: 3 rows changed.')).toBeVisible();
  await progress.getByRole('button', { name: 'Undo this batch' }).click();
  const undo = page.getByRole('dialog', { name: 'Undo this batch?' });
  await expect(undo).toContainText('3 rows changed');
  await undo.getByRole('button', { name: 'Confirm undo' }).click();
  await expect(undo).toBeHidden();
  const undoing = page.getByRole('region', { name: 'Undoing a batch: остатки-cp1251.csv' });
  await expect(undoing.getByText('Finished: 3 rows restored.')).toBeVisible();
  const restored = page.getByRole('table', { name: 'Planned changes' });
  await expect(restored.getByRole('row').filter({ hasText: 'Перенос из старой системы' })).toContainText('10 → 7');

  const history = page.getByRole('region', { name: 'Previous batches' });
  await expect(history.getByRole('row').filter({ hasText: 'Corrections · undone' })).toHaveCount(1);
  await expect(history.getByRole('row').filter({ hasText: 'Undo' }).filter({ hasNotText: 'undone' })).toContainText('3 done · 0 failed · 0 conflicts');
  await expect(history.getByRole('button', { name: 'Undo this batch' })).toHaveCount(0);

  await pilatesBalance(page, 7);
});

test('UTF-16 "Unicode Text" with commas in the notes → pick Tab → match columns by hand → apply → remembered next time', async ({ app: page }) => {
  // Excel's "Unicode Text": UTF-16 LE with a BOM, tab-separated. Three commas in every note make
  // the comma look like the delimiter.
  const text = ['Ref\tLeft\tNote, who, when, why', '4471901\t12\tlate, sick, moved, again', '4471902\t4\tgift, promo, spring, sale'].join('\r\n');
  const buffer = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${text}\r\n`, 'utf16le')]);
  const open = () => page.getByLabel('Open CSV file').setInputFiles({ name: 'unicode-text.txt', mimeType: 'text/plain', buffer });
  await openBatchScreen(page);
  await open();

  // The columns need the person first.
  await expect(page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Columns' })).toHaveAttribute('aria-current', 'step');
  await expect(page.getByLabel('Encoding', { exact: true })).toHaveValue('utf-16le');
  await expect(selected(page, 'Delimiter')).toHaveText('Comma');
  await page.getByLabel('Delimiter', { exact: true }).selectOption({ label: 'Tab' });
  const firstRows = page.getByRole('table', { name: 'First rows of the file' });
  await expect(firstRows.getByRole('row').nth(1).getByRole('cell')).toHaveText(['Ref', 'Left', 'Note, who, when, why']);

  // Only the reason is recognised: the rest is for the user to match.
  await expect(selected(page, 'Reason')).toHaveText('Column 3: Note, who, when, why');
  await expect(selected(page, 'Membership ID')).toHaveText('Not in file');
  await step(page, 'Preview');
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview).toContainText('The rows are read once the columns are matched');
  await expect(preview).not.toContainText('The file has no rows.');
  await expect(page.getByRole('button', { name: 'Apply 0 changes' })).toBeDisabled();

  await step(page, 'Columns');
  await page.getByLabel('Membership ID', { exact: true }).selectOption({ label: 'Column 1: Ref' });
  await step(page, 'Problems');
  await expect(page.getByRole('region', { name: 'List of problems' })).toContainText('Choose the column with the new balance or the change');
  await step(page, 'Columns');
  await page.getByLabel('New balance', { exact: true }).selectOption({ label: 'Column 2: Left' });
  await expect(page.getByText('As you chose. It will be remembered for files like this.')).toBeVisible();
  await step(page, 'Problems');
  await expect(page.getByRole('heading', { level: 2, name: 'No problems' })).toBeVisible();
  await step(page, 'Preview');
  await expect(page.getByText('2 rows to change, 0 unchanged, 0 with problems, across 2 memberships.')).toBeVisible();
  const planned = page.getByRole('table', { name: 'Planned changes' });
  await expect(planned.getByRole('row').filter({ hasText: 'late, sick, moved, again' })).toContainText('9 → 12');
  await expect(planned.getByRole('row').filter({ hasText: 'gift, promo, spring, sale' })).toContainText('3 → 4');
  // The delimiter and the hand-made mapping stay chosen.
  await step(page, 'Columns');
  await expect(selected(page, 'Delimiter')).toHaveText('Tab');

  await page.getByRole('button', { name: 'Apply 2 changes' }).click();
  await page.getByRole('dialog', { name: 'Apply 2 changes?' }).getByRole('button', { name: 'Apply changes' }).click();
  const progress = page.getByRole('region', { name: 'Applying unicode-text.txt' });
  await expect(progress.getByText('Finished: 2 rows changed.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Planned changes' }).getByRole('row').filter({ hasText: 'Applied' })).toHaveCount(2);

  // Next time: the same columns, remembered (once the delimiter is right again).
  await progress.getByRole('button', { name: 'Start a new batch' }).click();
  await open();
  await step(page, 'Columns');
  await page.getByLabel('Delimiter', { exact: true }).selectOption({ label: 'Tab' });
  await expect(page.getByText('Remembered from the last time you chose the columns for a file like this.')).toBeVisible();
  await expect(selected(page, 'Membership ID')).toHaveText('Column 1: Ref');
  await expect(selected(page, 'New balance')).toHaveText('Column 2: Left');
  // Planned against the balances the first batch left.
  await step(page, 'Preview');
  await expect(page.getByRole('table', { name: 'Planned changes' }).getByRole('row').filter({ hasText: 'late, sick, moved, again' })).toContainText('12');
  await expect(page.getByText('0 rows to change, 2 unchanged, 0 with problems, across 0 memberships.')).toBeVisible();
});

test('the problems step in Russian: the core’s problems worded in the language in use, and the fix-me file too', async ({ app: page }) => {
  const ru = JSON.parse(readFileSync(join(import.meta.dirname, '../../common/i18n/catalogs/ru.json'), 'utf8')) as Record<string, string>;
  await nav(page, 'Settings').click();
  await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Русский' });
  await page.getByRole('navigation', { name: ru['nav.label'] }).getByRole('button', { name: ru['nav.batch'], exact: true }).click();
  const csv = ['ID абонемента;Изменение;Причина', '4471913;+1;Корпоратив', '4471900;много;Опечатка'].join('\r\n');
  await page.getByLabel(ru['batch.pick.open'] as string).setInputFiles({ name: 'ошибки.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\r\n`) });

  await expect(page.getByRole('navigation', { name: ru['batch.steps'] }).getByRole('button', { name: ru['batch.step.problems'] })).toHaveAttribute('aria-current', 'step');
  const problems = page.getByRole('region', { name: ru['batch.problems.list'] }).getByRole('listitem');
  await expect(problems).toHaveCount(2);
  // The membership by its number, with the id the file gave; the cell's value quoted the Russian way.
  await expect(problems.nth(0)).toHaveText(/^Строка 2: Абонемент № \d+ \(id 4471913\): его тип \(.+\) не позволяет изменять остаток\.$/);
  await expect(problems.nth(1)).toHaveText('Строка 3, столбец Изменение: «много» — не изменение вида +3 или -2.');
  await page.screenshot({ path: test.info().outputPath('batch-problems-ru.png') });

  // The fix-me file: the rows as they were, and the problem column in Russian, split on Russian Excel's ';'.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: ru['batch.problems.fixme'] }).click();
  const file = await download;
  const text = readFileSync(await file.path()).toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toBe('ID абонемента;Изменение;Причина;проблема');
  expect(lines[1]).toMatch(/^4471913;'\+1;Корпоратив;Абонемент № \d+ \(id 4471913\): его тип/);
  expect(lines[2]).toBe('4471900;много;Опечатка;Изменение: «много» — не изменение вида +3 или -2.');
});

test('a file by number + phone: the problems at once, the lookups’ cost asked first, a check that can be stopped', async ({ app: page }) => {
  const lines = ['number;phone;delta;reason'];
  for (let i = 0; i < 30; i++) lines.push(`${700 + i};+1 512 555 ${String(3000 + i)};+1;moved`);
  lines.push('731;+1 512;+1;short phone');
  await openBatchScreen(page);
  await page.getByLabel('Open CSV file').setInputFiles({ name: 'by-phone.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\r\n')}\r\n`) });

  // Nothing read yet: the cost, the suggestion, and the file's own problem already listed.
  const ask = page.getByRole('region', { name: 'Finding these memberships takes a while' });
  await expect(ask).toContainText('This file needs: 30 lookups in Altegio');
  await expect(ask).toContainText('Membership ID column');
  await expect(page.getByRole('region', { name: /1 problem/ })).toContainText('Line 32');
  await expect(page.getByRole('button', { name: 'Apply 0 changes' })).toBeDisabled();

  // Agreed: the lookups run and can be stopped from the screen.
  await ask.getByRole('button', { name: 'Look them up' }).click();
  await page.getByRole('button', { name: 'Stop checking' }).click();
  const stopped = page.getByRole('region', { name: 'Checking stopped before every membership was found' });
  await expect(stopped).toContainText('Still to do:');
  await expect(stopped.getByRole('button', { name: 'Carry on looking up' })).toBeVisible();
});
