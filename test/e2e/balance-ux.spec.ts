/**
 * Issue 13 item 11, the balance editor at the front desk (1366×768): it opens on the value, says
 * the selling-location rule calmly, and asks once before a jump like 7 → 1000.
 */
import { expect, test } from './fixtures';
import { DANA, chooseLocation, membershipRow, notice, openClient, openMembership } from './helpers';

test.use({ shellMode: 'demo', viewport: { width: 1366, height: 768 } });

test.beforeEach(async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
  await openClient(page, DANA.name);
});

test('the editor opens on the value and words the selling-location rule for the desk', async ({ app: page }) => {
  const gym = await openMembership(page, DANA.unitedWeeks);
  await gym.getByRole('button', { name: 'Edit balance' }).click();
  const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
  await expect(editor.getByLabel('New value for Shared balance (all services)')).toBeFocused();
  await expect(editor.getByRole('note')).toHaveText(
    'Balance changes for this membership type are accepted only at the location where it was sold. If it was sold at another location, Altegio will say so and nothing changes.',
  );
  await expect(editor).not.toContainText('does not tell the app');
});

test('a jump over ×10 or +100 visits is asked about once before it is saved', async ({ app: page }) => {
  const pilates = await openMembership(page, DANA.perServiceFreezable);
  const number = (await pilates.getByRole('heading', { level: 2 }).innerText()).replace('Membership № ', '').trim();
  await pilates.getByRole('button', { name: 'Edit balance' }).click();
  const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
  const value = editor.getByLabel('New value for Pilates group');
  await expect(value).toBeFocused();
  await value.fill('1000');
  await editor.getByLabel('Reason', { exact: true }).fill('Typed by mistake?');
  await editor.getByRole('button', { name: 'Save balance' }).click();

  const ask = editor.getByRole('alert').filter({ hasText: 'big change' });
  await expect(ask).toContainText('Pilates group: 7 → 1,000 visits is a big change.');
  await expect(editor).toBeVisible();
  await expect(membershipRow(page, DANA.perServiceFreezable)).toContainText('Pilates group: 7');

  // A small change is not asked about.
  await value.fill('9');
  await expect(editor.getByRole('button', { name: 'Save balance' })).toBeVisible();
  await expect(ask).toHaveCount(0);

  await value.fill('1000');
  await editor.getByRole('button', { name: 'Save balance' }).click();
  await editor.getByRole('button', { name: 'Yes, save this balance' }).click();
  await expect(editor).toBeHidden();
  await expect(notice(page, `Membership № ${number} (${DANA.perServiceFreezable}): Balance saved.`)).toBeVisible();
  await expect(membershipRow(page, DANA.perServiceFreezable)).toContainText('Pilates group: 1,000');
});
