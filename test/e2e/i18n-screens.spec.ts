/**
 * Issue 12: the pseudo-language run (every catalog text marked ⟦…⟧, ./pseudo.ts) on the screens
 * the desk path (i18n-path.spec.ts) does not reach — the batch screen with a checked file, its
 * problems, preview, apply dialog, progress and history; the audit log with its filters, a refused
 * day and the export notice; Settings and its confirm dialog; the worklists, "All memberships" with
 * a selection, the bulk panel's preview and a planned closure; the planned freezes; a notice with
 * Undo and the undo dialog; the sign-in screen's field errors and a refused sign-in; a failure from
 * the core (a sandbox fault). Any text there that is neither marked nor data fails the test, with
 * the screen, the element and the text. And in Russian: the bulk panel's days are typed as the
 * language writes them, not in the browser's own date format.
 */
import type { Page } from '@playwright/test';
import { addDays, todayIn } from '../../common/dates';
import { formatDayNumericIn } from '../../common/i18n/formats';
import { PSEUDO_LANGUAGE } from '../../common/i18n/languages';
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN } from './helpers';
import { clearKeychainFor, setPartnerToken } from './session-helpers';
import { escapeRe, unmarkedTexts, wordsFor } from './pseudo';

const w = wordsFor(PSEUDO_LANGUAGE);

test.use({ viewport: { width: 1366, height: 768 }, shellArgs: ['--language', PSEUDO_LANGUAGE] });

/** Collects what is not marked on each screen; `data` are texts the test itself brought (a file's cells). */
function checker(page: Page) {
  const found: string[] = [];
  return {
    found,
    check: async (screen: string, data: ReadonlyArray<string | RegExp> = []) => {
      found.push(...(await unmarkedTexts(page, screen, data)));
    },
  };
}

const nav = (page: Page, key: Parameters<typeof w>[0]) => page.getByRole('navigation', { name: w('nav.label') }).getByRole('button', { name: w(key), exact: true });

async function demoAtDowntown(page: Page, words = w): Promise<void> {
  await expect(page.getByText(words('header.demo'))).toBeVisible();
  const picker = page.getByLabel(words('header.location'), { exact: true });
  await picker.selectOption({ label: DOWNTOWN });
  await expect(page.getByRole('combobox', { name: words('search.label') })).toBeVisible();
}

/** Worklists → read the chain → "All memberships" → the first `count` rows ticked → the bulk panel; `check` on the way. */
async function bulkPanelFor(page: Page, count: number, words = w, check: (screen: string) => Promise<void> = async () => {}) {
  await page.getByRole('navigation', { name: words('nav.label') }).getByRole('button', { name: words('worklist.title'), exact: true }).click();
  const bar = page.getByRole('region', { name: words('index.region') });
  await bar.getByRole('button', { name: words('index.build') }).click();
  await expect(bar.getByRole('button', { name: words('index.forget') })).toBeVisible({ timeout: 60_000 });
  await check('worklists, read');
  await page.getByRole('button', { name: words('worklist.kind.all') }).click();
  const [before = '', after = ''] = words('bulk.select.row', { number: '\u0000' }).split('\u0000');
  const boxes = page.getByRole('checkbox', { name: new RegExp(`^${escapeRe(before)}\\S+${escapeRe(after)}$`) });
  for (let i = 0; i < count; i++) await boxes.nth(i).check();
  await expect(page.getByText(words('bulk.selected', { count }))).toBeVisible();
  await check(`all memberships, ${count} selected`);
  await page.getByRole('button', { name: words('bulk.actions') }).click();
  return { bar, panel: page.getByRole('region', { name: words('bulk.title') }) };
}

test.describe('the demo', () => {
  test.use({ shellMode: 'demo' });

  test('batch corrections: a checked file, its problems, preview, apply dialog, progress and history', async ({ app: page }) => {
    const { found, check } = checker(page);
    await demoAtDowntown(page);
    await nav(page, 'nav.batch').click();
    await expect(page.getByRole('heading', { level: 1, name: w('nav.batch') })).toBeVisible();
    await check('batch, no file');

    const cells = [
      ['ID абонемента', 'Услуга', 'Изменение', 'Причина'],
      ['4471900', 'Pilates group', '+3', 'Moved over'],
      ['4471913', '', '+1', 'Team event'],
      ['4471902', '', 'lots', 'Typo'],
      ['4471901', '', '-2', 'Dispute'],
    ];
    const file = 'corrections.csv';
    const data = [file, 'corrections-report.csv', ...cells.flat().filter(Boolean)];
    await page.getByLabel(w('batch.pick.open')).setInputFiles({ name: file, mimeType: 'text/csv', buffer: Buffer.from(`${cells.map((r) => r.join(';')).join('\r\n')}\r\n`) });
    const steps = page.getByRole('navigation', { name: w('batch.steps') });
    await expect(steps.getByRole('button', { name: w('batch.step.problems') })).toHaveAttribute('aria-current', 'step');
    await expect(page.getByRole('region', { name: w('batch.problems.list') }).getByRole('listitem')).toHaveCount(2);
    await check('batch, problems', data);
    for (const name of ['batch.step.file', 'batch.step.columns', 'batch.step.preview'] as const) {
      await steps.getByRole('button', { name: w(name) }).click();
      await expect(steps.getByRole('button', { name: w(name) })).toHaveAttribute('aria-current', 'step');
      await check(`batch, step ${name}`, data);
    }

    await page.getByRole('button', { name: w('batch.apply', { count: 2 }) }).click();
    const confirm = page.getByRole('dialog');
    await expect(confirm.getByRole('button', { name: w('batch.applyDialog.confirm') })).toBeVisible();
    await check('batch, apply dialog', data);
    await confirm.getByRole('button', { name: w('batch.applyDialog.confirm') }).click();
    await expect(confirm).toBeHidden();
    const progress = page.getByRole('region', { name: w('batch.progress.applying', { file }) });
    await expect(progress.getByRole('status').first()).toHaveText(w('batch.progress.done'));
    await check('batch, done', data);

    await progress.getByRole('button', { name: w('batch.report') }).click();
    await expect(page.getByText(w('download.saved', { file: 'corrections-report.csv' }))).toBeVisible();
    await check('batch, report saved', data);

    await progress.getByRole('button', { name: w('batch.undo') }).click();
    const undo = page.getByRole('dialog');
    await expect(undo.getByRole('button', { name: w('undo.confirm') })).toBeVisible();
    await check('batch, undo dialog', data);
    await undo.getByRole('button', { name: w('batch.undoDialog.keep') }).click();
    await expect(undo).toBeHidden();
    expect([...new Set(found)]).toEqual([]);
  });

  test('audit log with filters, a refused day and an export; settings and the forget dialog; planned freezes', async ({ app: page }) => {
    const { found, check } = checker(page);
    await demoAtDowntown(page);
    // An entry to show: a balance saved from the card, its notice with Undo, the undo dialog.
    await page.getByRole('combobox', { name: w('search.label') }).fill('Dana');
    await page.getByRole('listbox', { name: w('search.results') }).getByRole('option', { name: new RegExp(DANA.name) }).first().click();
    await page.getByRole('list', { name: w('list.label'), exact: true }).getByRole('button').filter({ hasText: DANA.perServiceFreezable }).click();
    await page.getByRole('button', { name: w('card.editBalance'), exact: true }).click();
    const editor = page.getByRole('dialog');
    await editor.getByLabel(w('balance.newValueFor', { title: 'Pilates group' })).fill('+1');
    await editor.getByLabel(w('common.reason'), { exact: true }).fill('Checked');
    await editor.getByRole('button', { name: w('balance.save') }).click();
    await expect(editor).toBeHidden();
    const saved = page.getByRole('region', { name: w('notices.label') }).getByRole('status').filter({ hasText: w('card.done.balance') });
    await expect(saved).toBeVisible();
    await saved.hover(); // a notice stays while the pointer is on it
    await check('card, notice', ['Checked']);
    await saved.getByRole('button', { name: w('audit.undo') }).click();
    await expect(page.getByRole('dialog').getByRole('button', { name: w('undo.confirm') })).toBeVisible();
    await check('undo dialog', ['Checked']);
    await page.getByRole('dialog').getByRole('button', { name: w('common.cancel') }).click();

    await nav(page, 'nav.audit').click();
    const filters = page.getByRole('form', { name: w('audit.filter.label') });
    const entries = page.getByRole('region', { name: w('audit.entries') });
    await expect(entries.getByRole('row').filter({ hasText: 'Checked' })).toHaveCount(1);
    await check('audit log', ['Checked']);
    await filters.getByLabel(w('audit.filter.from'), { exact: true }).fill('31.31.2026');
    await filters.getByRole('button', { name: w('audit.filter.show') }).click();
    await expect(filters.getByLabel(w('audit.filter.from'), { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await check('audit log, a refused day', ['Checked', '31.31.2026']);
    await filters.getByRole('button', { name: w('audit.filter.clear') }).click();
    await filters.getByLabel(w('audit.filter.user'), { exact: true }).fill('nobody-of-that-name');
    await filters.getByRole('button', { name: w('audit.filter.show') }).click();
    await expect(entries.getByText(w('audit.noEntries'))).toBeVisible();
    await check('audit log, nothing found', ['nobody-of-that-name']);
    await filters.getByRole('button', { name: w('audit.filter.clear') }).click();
    await filters.getByRole('button', { name: w('audit.export') }).click();
    await expect(page.getByRole('status').filter({ hasText: /⟦.*\.csv.*⟧/ })).toBeVisible();
    await check('audit log, exported', ['Checked', /\S+\.csv/]);

    await nav(page, 'nav.settings').click();
    await expect(page.getByRole('heading', { level: 1, name: w('nav.settings') })).toBeVisible();
    await check('settings');

    await nav(page, 'nav.plans').click();
    await expect(page.getByRole('heading', { level: 1, name: w('plan.screen') })).toBeVisible();
    await check('planned freezes');
    expect([...new Set(found)]).toEqual([]);
  });

  test('worklists, all memberships with a selection, the bulk preview and a planned closure', async ({ app: page }) => {
    const { found, check } = checker(page);
    await demoAtDowntown(page);
    await nav(page, 'worklist.title').click();
    await expect(page.getByRole('heading', { level: 1, name: w('worklist.title') })).toBeVisible();
    await check('worklists, nothing read');
    const { bar, panel } = await bulkPanelFor(page, 2, w, check);
    await expect(panel.getByRole('radio', { name: w('bulk.action.freeze') })).toBeChecked();
    await check('bulk panel');
    await panel.getByLabel(w('bulk.reason')).fill('Repairs');
    await panel.getByRole('button', { name: w('bulk.preview') }).click();
    await expect(panel.getByRole('table', { name: w('bulk.table') })).toBeVisible({ timeout: 60_000 });
    await check('bulk preview', ['Repairs']);

    await panel.getByRole('radio', { name: w('bulk.action.closure') }).check();
    await check('bulk panel, closure', ['Repairs']);
    await panel.getByRole('button', { name: w('bulk.closure.save') }).click();
    await expect(panel.getByRole('status').filter({ hasText: w('bulk.closure.saved', { count: 2, start: '\u0000', end: '\u0000' }).split('\u0000')[0] as string })).toBeVisible();
    await check('bulk panel, closure planned', ['Repairs']);

    await bar.getByRole('button', { name: w('index.forget') }).click();
    const forget = page.getByRole('dialog');
    await expect(forget.getByRole('button', { name: w('index.forgetDialog.keep') })).toBeVisible();
    await check('forget dialog', ['Repairs']);
    await forget.getByRole('button', { name: w('index.forgetDialog.keep') }).click();
    await expect(forget).toBeHidden();

    await nav(page, 'nav.plans').click();
    await expect(page.getByRole('row', { name: w('plan.closure.row', { count: 2 }) })).toBeVisible();
    await check('planned freezes, a closure', ['Repairs']);
    expect([...new Set(found)]).toEqual([]);
  });
});

test.describe('in Russian', () => {
  test.use({ shellMode: 'demo', shellArgs: ['--language', 'ru'], locale: 'ru-RU' });

  test('the bulk panel takes days as Russian staff type them (31.12.2026), not in the browser’s date format', async ({ app: page }) => {
    const r = wordsFor('ru');
    await demoAtDowntown(page, r);
    const { panel } = await bulkPanelFor(page, 1, r);
    const till = panel.getByLabel(r('bulk.freezeTill'));
    await expect(till).toHaveValue(/^\d\d\.\d\d\.\d{4}$/);
    await expect(till).toHaveAttribute('placeholder', '31.12.2026');
    const day = addDays(todayIn(new Date(), 'America/Chicago'), 5);
    await till.fill(formatDayNumericIn('ru', day));
    await panel.getByRole('button', { name: r('bulk.preview') }).click();
    // Read as a day (else the panel says to choose one and previews nothing).
    await expect(panel.getByRole('table', { name: r('bulk.table') })).toBeVisible({ timeout: 60_000 });
    await expect(panel).not.toContainText(r('bulk.badDate'));

    await panel.getByRole('radio', { name: r('bulk.action.closure') }).check();
    const start = addDays(day, 1);
    await panel.getByLabel(r('bulk.closure.start')).fill(formatDayNumericIn('ru', start));
    await panel.getByLabel(r('bulk.closure.end')).fill(formatDayNumericIn('ru', addDays(start, 3)));
    await expect(panel).toContainText(r('bulk.closure.what', { start: formatDayNumericIn('ru', start), end: formatDayNumericIn('ru', addDays(start, 3)) }));
  });
});

test.describe('signing in to a server', () => {
  test.use({ shellMode: 'sandbox' });

  test.afterEach(async ({ sandbox }) => {
    await clearKeychainFor(sandbox.url);
  });

  test('field errors, a refused password, a partner token, and a failure from the core', async ({ app: page, sandbox }) => {
    const { found, check } = checker(page);
    const alex = sandbox.users[0]!;
    await expect(page.getByRole('button', { name: w('signin.submit'), exact: true })).toBeVisible();
    await page.getByRole('button', { name: w('signin.submit'), exact: true }).click();
    await expect(page.getByLabel(w('signin.login'), { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await check('sign-in, field errors', [sandbox.url]);

    await setPartnerToken(page, sandbox.partnerToken);
    await page.getByLabel(w('signin.login'), { exact: true }).fill(alex.login);
    await page.getByLabel(w('signin.password'), { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: w('signin.submit'), exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Incorrect login or password' })).toBeVisible();
    // The detail is Altegio's own words when it sent some (here the sandbox's, standing in for it).
    await check('sign-in, refused', [sandbox.url, alex.login, 'Incorrect login or password']);

    await page.getByLabel(w('signin.password'), { exact: true }).fill(alex.password);
    await page.getByRole('button', { name: w('signin.submit'), exact: true }).click();
    const picker = page.getByLabel(w('header.location'), { exact: true });
    await picker.selectOption({ label: DOWNTOWN });
    await page.getByRole('combobox', { name: w('search.label') }).fill('Dana');
    await page.getByRole('listbox', { name: w('search.results') }).getByRole('option', { name: new RegExp(DANA.name) }).first().click();
    await page.getByRole('list', { name: w('list.label'), exact: true }).getByRole('button').filter({ hasText: DANA.frozen }).click();
    await page.getByRole('button', { name: w('card.unfreeze'), exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('button', { name: w('unfreeze.confirm') })).toBeVisible();
    await check('unfreeze dialog', [sandbox.url, alex.name]);
    // The server fails the write: the failure is worded from the catalog too.
    sandbox.control.setFaults([{ route: /\/freeze$|\/unfreeze$/, probability: 1, kind: 'http500' }]);
    await dialog.getByRole('button', { name: w('unfreeze.confirm') }).click();
    await expect(page.getByRole('alert').filter({ hasText: w('error.server') }).first()).toBeVisible();
    await check('a failure from the core', [sandbox.url, alex.name]);
    expect([...new Set(found)]).toEqual([]);
  });
});
