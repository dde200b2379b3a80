/**
 * Issue 13, the front desk at the common office screen (1366×768): notices belong to the membership
 * they concern, the primary action follows the state, history says what happened in words and
 * offers Undo only where it still makes sense.
 */
import { DateTime } from 'luxon';
import { expect, test } from './fixtures';
import { DANA, card, cardSection, chooseLocation, membershipRow, notice, openClient, openMembership } from './helpers';

test.use({ shellMode: 'demo', viewport: { width: 1366, height: 768 } });

test.beforeEach(async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
});

test('a notice names its membership, offers Undo, fades, and never shows on another card', async ({ app: page }) => {
  await openClient(page, DANA.name);
  const pilates = await openMembership(page, DANA.perServiceFreezable);
  const number = (await pilates.getByRole('heading', { level: 2 }).innerText()).replace('Membership № ', '').trim();

  await pilates.getByRole('button', { name: 'Edit balance' }).click();
  const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
  await editor.getByLabel('New value for Pilates group').fill('8');
  await editor.getByLabel('Reason', { exact: true }).fill('One class given back');
  await editor.getByRole('button', { name: 'Save balance' }).click();
  await expect(editor).toBeHidden();

  const saved = notice(page, `Membership № ${number} (${DANA.perServiceFreezable}): Balance saved.`);
  await expect(saved).toBeVisible();
  await expect(saved.getByRole('button', { name: 'Undo' })).toBeVisible();

  // Another membership's card: nothing there says a balance was saved.
  const gym = await openMembership(page, DANA.unitedWeeks);
  await expect(gym).not.toContainText('Balance saved');
  await expect(gym.getByRole('status').filter({ hasText: 'saved' })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Balance saved.' })).toHaveCount(1);
  await expect(saved).toContainText(`№ ${number}`);

  // Undo from the notice undoes that membership's change, whatever card is open.
  await saved.getByRole('button', { name: 'Undo' }).click();
  const undo = page.getByRole('dialog', { name: 'Undo this change?' });
  await expect(undo).toContainText(`membership № ${number}`);
  await expect(undo).toContainText('Pilates group: 7 → 8');
  await undo.getByRole('button', { name: 'Confirm undo' }).click();
  await expect(undo).toBeHidden();
  const undone = notice(page, `Membership № ${number}: Change undone.`);
  await expect(undone).toBeVisible();
  await expect(card(page)).not.toContainText('Change undone');
  await expect(membershipRow(page, DANA.perServiceFreezable)).toContainText('Pilates group: 7');

  // It fades by itself.
  await expect(undone).toBeHidden({ timeout: 30_000 });
});

test('the primary action follows the state: Unfreeze on a frozen membership, Freeze otherwise', async ({ app: page }) => {
  await openClient(page, DANA.name);
  const frozen = await openMembership(page, DANA.frozen);
  await expect(frozen.getByRole('button', { name: 'Unfreeze' })).toHaveClass(/\bprimary\b/);
  await expect(frozen.getByRole('button', { name: 'Freeze', exact: true })).not.toHaveClass(/\bprimary\b/);
  const open = await openMembership(page, DANA.perServiceFreezable);
  await expect(open.getByRole('button', { name: 'Freeze', exact: true })).toHaveClass(/\bprimary\b/);
  await expect(open.getByRole('button', { name: 'Unfreeze' })).not.toHaveClass(/\bprimary\b/);
});

test('history: a freeze replaced by a later unfreeze offers no Undo, and an undo says what it undid', async ({ app: page }) => {
  await openClient(page, DANA.name);
  const frozen = await openMembership(page, DANA.frozen);
  await frozen.getByRole('button', { name: 'Unfreeze' }).click();
  await page.getByRole('dialog', { name: /^Unfreeze membership/ }).getByRole('button', { name: 'Confirm unfreeze' }).click();
  await expect(frozen.getByRole('button', { name: 'Freeze', exact: true })).toBeEnabled();

  await frozen.getByRole('button', { name: 'Freeze', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /^Freeze membership/ });
  await dialog.getByRole('button', { name: 'Use the latest possible date' }).click();
  await dialog.getByRole('button', { name: 'Confirm freeze' }).click();
  await expect(dialog).toBeHidden();
  const history = cardSection(frozen, 'History');
  const freezeRow = history.getByRole('row').filter({ hasText: /^.*Freeze/ }).filter({ hasNotText: 'Unfreeze' });
  await expect(freezeRow.getByRole('button', { name: /^Undo/ })).toBeVisible();

  await frozen.getByRole('button', { name: 'Unfreeze' }).click();
  await page.getByRole('dialog', { name: /^Unfreeze membership/ }).getByRole('button', { name: 'Confirm unfreeze' }).click();
  await expect(history.getByRole('row').filter({ hasText: 'Unfreeze' })).toHaveCount(2);
  // The freeze was replaced by the unfreeze: undoing it no longer makes sense.
  await expect(freezeRow.getByRole('button', { name: /^Undo/ })).toHaveCount(0);
  await expect(history).not.toContainText('#');
});

test('the audit log finds an entry by number, by id, by part of a user name and by the day shown on screen, at the current location, with the client', async ({ app: page }) => {
  await openClient(page, DANA.name);
  const pilates = await openMembership(page, DANA.perServiceFreezable);
  await pilates.getByRole('button', { name: 'Edit balance' }).click();
  const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
  await editor.getByLabel('New value for Pilates group').fill('+1');
  await editor.getByLabel('Reason', { exact: true }).fill('Audit filter check');
  await editor.getByRole('button', { name: 'Save balance' }).click();
  await expect(editor).toBeHidden();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Audit log' }).click();
  const filters = page.getByRole('form', { name: 'Filter the audit log' });
  const entries = page.getByRole('region', { name: 'Audit entries' });
  const row = entries.getByRole('row').filter({ hasText: 'Audit filter check' });
  // The current location by default, and it says so (and which zone days are in).
  await expect(filters.getByLabel('Location')).toHaveValue(/\d+/);
  await expect(filters.getByLabel('Location').locator('option:checked')).toHaveText('Northside Fitness — Downtown');
  await expect(filters).toContainText("Days and times are Northside Fitness — Downtown's (America/Chicago).");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('№ 270709');
  await expect(row).toContainText(DANA.name);

  const show = async (label: string, value: string) => {
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await filters.getByLabel(label, { exact: true }).fill(value);
    await filters.getByRole('button', { name: 'Show' }).click();
  };
  await show('Membership', '270709');
  await expect(row).toHaveCount(1);
  await show('Membership', '4471900');
  await expect(row).toHaveCount(1);
  await show('User', 'alex');
  await expect(row).toHaveCount(1);
  await show('User', 'nobody-of-that-name');
  await expect(entries.getByText('No entries match.')).toBeVisible();

  // The day the entry shows (in the location's zone), in From and To.
  await show('Membership', '270709');
  const when = (await row.getByRole('cell').first().innerText()).trim();
  const day = DateTime.fromFormat(when, 'd LLL yyyy, HH:mm', { locale: 'en-GB' }).toISODate();
  expect(day, `"${when}" reads as a day`).toBeTruthy();
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await filters.getByLabel('From').fill(day ?? '');
  await filters.getByLabel('To').fill(day ?? '');
  await filters.getByRole('button', { name: 'Show' }).click();
  await expect(row).toHaveCount(1);
});

test('the location name is never cut without its full text at hand', async ({ app: page }) => {
  // A select's width cannot be measured against its chosen text: the full name is its tooltip.
  const picker = page.getByLabel('Location', { exact: true });
  await expect(picker).toHaveAttribute('title', 'Northside Fitness — Downtown');
});
