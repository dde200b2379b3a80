/**
 * Issue 11 item 4 in the real UI against a sandbox (1366x768, by role and label): read the chain →
 * worklist → select three memberships, one of a type that forbids freezing → freeze until a date →
 * the preview says why for that row → apply → the sandbox shows exactly the others frozen → undo →
 * all unfrozen.
 */
import { expect, test } from './fixtures';
import { clearKeychainFor, selectAndOpenActions, signedInToAllMemberships } from './session-helpers';
import { addDays, todayIn } from '../../common/dates';

test.use({ shellMode: 'sandbox', viewport: { width: 1366, height: 768 } });

test.afterEach(async ({ sandbox }) => {
  await clearKeychainFor(sandbox.url);
});

test('bulk freeze of a worklist selection: one row refused with its reason, the others frozen, then all undone', async ({ app: page, sandbox }) => {
  await signedInToAllMemberships(page, sandbox);
  const frozenNow = page.getByRole('button', { name: /^Frozen now/ });
  const frozenCount = async () => Number((await frozenNow.innerText()).replace(/\D+/g, ''));
  const frozenBefore = await frozenCount();

  const known = sandbox.control.knownIds.memberships;
  const ids = [known.danaPerServiceFreezable, known.danaUnitedWeeks, known.danaNotFreezable];
  const numberOf = (id: number) => String(sandbox.control.getMembership(id)['number']);
  const frozen = (id: number) => [true, 1, '1'].includes(sandbox.control.getMembership(id)['is_frozen'] as never);
  await selectAndOpenActions(page, ids.map(numberOf));

  const panel = page.getByRole('region', { name: 'Bulk action' });
  await expect(panel.getByText('For 3 memberships selected in the list.')).toBeVisible();
  await panel.getByRole('radio', { name: 'Freeze until a date' }).check();
  const till = addDays(todayIn(new Date(), 'America/Chicago'), 5);
  await panel.getByLabel('Frozen until (the last frozen day)').fill(till);
  await panel.getByLabel('Reason (kept in the audit log)').fill('Closed for repairs');
  await panel.getByRole('button', { name: 'Preview' }).click();

  const table = panel.getByRole('table', { name: 'What will happen to each membership' });
  await expect(panel.getByText('2 will change, 1 cannot.')).toBeVisible();
  await expect(table.getByRole('row', { name: new RegExp(`№ ${numberOf(known.danaNotFreezable)}`) })).toContainText('Not possible: its type cannot be frozen');
  for (const id of [known.danaPerServiceFreezable, known.danaUnitedWeeks]) {
    await expect(table.getByRole('row', { name: new RegExp(`№ ${numberOf(id)}`) })).toContainText('Will be frozen until');
  }
  // Nothing sent by the preview.
  expect(ids.some(frozen)).toBe(false);
  await page.screenshot({ path: 'test-results/bulk-preview.png', fullPage: true });

  await panel.getByRole('button', { name: 'Apply to 2 memberships' }).click();
  await expect(panel.getByRole('status').filter({ hasText: /^Done$/ })).toBeVisible({ timeout: 60_000 });
  expect(frozen(known.danaPerServiceFreezable)).toBe(true);
  expect(frozen(known.danaUnitedWeeks)).toBe(true);
  expect(frozen(known.danaNotFreezable)).toBe(false);
  expect(String(sandbox.control.getMembership(known.danaUnitedWeeks)['freeze_till']).slice(0, 10)).toBe(till);
  // The index learns what the job changed: the worklist (unfiltered) counts the two frozen.
  await page.getByLabel('Filter (number, type, client)').fill('');
  await expect(frozenNow).toContainText(String(frozenBefore + 2));
  await page.screenshot({ path: 'test-results/bulk-done.png', fullPage: false });

  await panel.getByRole('button', { name: 'Undo this batch' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm undo' }).click();
  await expect(panel.getByRole('heading', { name: /^Undoing a batch/ })).toBeVisible();
  await expect(panel.getByRole('status').filter({ hasText: /^Done$/ })).toBeVisible({ timeout: 60_000 });
  for (const id of ids) expect(frozen(id), `membership ${id}`).toBe(false);
  await expect.poll(frozenCount).toBe(frozenBefore);
});

test('cancelling a running bulk batch: the danger confirmation, Escape keeps it going with the focus back on Cancel, confirming cancels it', async ({ app: page, sandbox }) => {
  await signedInToAllMemberships(page, sandbox);

  const known = sandbox.control.knownIds.memberships;
  const ids = [known.danaPerServiceFreezable, known.danaUnitedWeeks];
  await selectAndOpenActions(page, ids.map((id) => String(sandbox.control.getMembership(id)['number'])));
  const panel = page.getByRole('region', { name: 'Bulk action' });
  await panel.getByRole('radio', { name: 'Freeze until a date' }).check();
  await panel.getByLabel('Frozen until (the last frozen day)').fill(addDays(todayIn(new Date(), 'America/Chicago'), 5));
  await panel.getByRole('button', { name: 'Preview' }).click();
  await expect(panel.getByText('2 will change, 0 cannot.')).toBeVisible();

  // The sandbox holds the freeze requests until released: the batch is still running while the person decides.
  sandbox.control.setFaults([{ route: /POST .*\/freeze$/, probability: 1, kind: 'hold' }]);
  await panel.getByRole('button', { name: 'Apply to 2 memberships' }).click();
  await expect(panel.getByRole('status').filter({ hasText: /^Running$/ })).toBeVisible();
  await expect.poll(() => sandbox.control.held(), { message: 'no freeze reached the sandbox' }).toBeGreaterThan(0);

  const cancel = panel.getByRole('button', { name: 'Cancel', exact: true });
  await cancel.click();
  const confirm = page.getByRole('dialog', { name: 'Cancel this batch?' });
  await expect(confirm.getByText(/^Rows not sent yet will not be sent/)).toBeVisible();
  await expect(confirm.getByRole('button', { name: 'Cancel the batch' })).toHaveClass(/\bdanger\b/);
  await page.screenshot({ path: 'test-results/batch-cancel-confirm.png' });
  // Escape keeps the batch going; the focus is back where it was.
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(cancel).toBeFocused();
  // "Keep going" too.
  await cancel.click();
  await confirm.getByRole('button', { name: 'Keep going' }).click();
  await expect(confirm).toBeHidden();
  await expect(cancel).toBeFocused();
  await expect(panel.getByRole('status').filter({ hasText: /^Running$/ })).toBeVisible();

  await cancel.click();
  await confirm.getByRole('button', { name: 'Cancel the batch' }).click();
  await expect(confirm).toBeHidden({ timeout: 30_000 });
  // The held writes go on now. The rule stays: a freeze sent after the cancel would be held again.
  expect(sandbox.control.release()).toBeGreaterThan(0);
  await expect(panel.getByRole('status').filter({ hasText: /^Cancelled$/ })).toBeVisible({ timeout: 60_000 });
  expect(sandbox.control.held(), 'a freeze was sent after the cancel').toBe(0);
  sandbox.control.clearFaults();
});
