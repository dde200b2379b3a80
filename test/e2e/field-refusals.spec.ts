/**
 * Issue 10 item 6 in the real UI against a sandbox: Altegio refuses a balance edit with a field
 * error about the second service sent (`[services_balance_count][1][balance]`), and the balance
 * dialog shows Altegio's words beside that service's input — not beside the first, not lost. A
 * freeze refused about its date shows beside the calendar (several of its keys: each sentence on a
 * line of its own); about no field of ours, in the box.
 */
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, chooseLocation, membershipRow, openClient, openMembership } from './helpers';
import { clearKeychainFor, setPartnerToken, signIn } from './session-helpers';

test.use({ shellMode: 'sandbox', viewport: { width: 1366, height: 768 } });

test.afterEach(async ({ sandbox }) => {
  await clearKeychainFor(sandbox.url);
});

test("Altegio's refusal of one service's balance is shown beside that service's field", async ({ app: page, sandbox }, info) => {
  const { memberships, services } = sandbox.control.knownIds;
  const words = 'The balance may not exceed the number of visits sold.';
  sandbox.control.refuseWrites([{ action: 'set_balance', membershipId: memberships.lotusPerService, serviceId: services.meditation, words }]);

  const owner = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, owner.login, owner.password);
  await chooseLocation(page, 'Lotus Yoga Studio — Arbat');
  await openClient(page, '8 495 555 01 42', 'Ольга Смирнова');
  const card = await openMembership(page, 'Хатха + медитация');
  await card.getByRole('button', { name: 'Edit balance' }).click();

  const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
  const hatha = editor.getByLabel('New value for Хатха-йога');
  const meditation = editor.getByLabel('New value for Медитация');
  await hatha.fill('7');
  await meditation.fill('5');
  await editor.getByLabel('Reason', { exact: true }).fill('Visits from the paper log');
  await editor.getByRole('button', { name: 'Save balance' }).click();

  // Beside the meditation input (its description), the first service untouched, no general box.
  await expect(meditation).toHaveAttribute('aria-invalid', 'true');
  await expect(meditation).toHaveAccessibleDescription(words);
  await expect(hatha).not.toHaveAttribute('aria-invalid', 'true');
  await expect(editor.locator('.error-box')).toHaveCount(0);
  await expect(editor).toBeVisible();
  await page.screenshot({ path: info.outputPath('balance-field-refusal.png') });
  expect(sandbox.control.stats().writesByAction.set_balance).toBe(0);
  await expect(membershipRow(page, 'Хатха + медитация')).toContainText('Медитация: 4');
});

test("a freeze Altegio refuses about its date is told beside the calendar; about no field of ours, in the dialog's box", async ({ app: page, sandbox }, info) => {
  const { memberships } = sandbox.control.knownIds;
  const other = 'The membership is being transferred to another client.';
  sandbox.control.refuseWrites([{ action: 'freeze', membershipId: memberships.danaPerServiceFreezable, field: '[abonement][transfer]', words: other }]);

  const owner = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, owner.login, owner.password);
  await chooseLocation(page, DOWNTOWN);
  await openClient(page, 'Dana');
  const card = await openMembership(page, DANA.perServiceFreezable);
  await card.getByRole('button', { name: 'Freeze', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /^Freeze membership № / });
  await dialog.getByRole('button', { name: 'Use the latest possible date' }).click();
  const confirm = dialog.getByRole('button', { name: 'Confirm freeze' });
  await confirm.click();

  // No field of ours: Altegio's words in the dialog's box, under the heading.
  const box = dialog.locator('.error-box');
  await expect(box).toContainText('Altegio did not accept this.');
  await expect(box).toContainText(other);
  await expect(dialog.locator('.field-error')).toHaveCount(0);

  // About the date it was sent: beside the calendar, and the box gives way.
  const words = 'The freeze may not end on a public holiday.';
  sandbox.control.refuseWrites([{ action: 'freeze', membershipId: memberships.danaPerServiceFreezable, field: '[freeze_till]', words }]);
  await confirm.click();
  await expect(dialog.locator('.field-error')).toHaveText(words);
  await expect(box).toHaveCount(0);

  // Two of Altegio's keys for that one date (its end, its length): both sentences beside the calendar, one a line.
  const length = 'The freeze may not last more than 30 days.';
  sandbox.control.refuseWrites([
    { action: 'freeze', membershipId: memberships.danaPerServiceFreezable, field: '[freeze_till]', words },
    { action: 'freeze', membershipId: memberships.danaPerServiceFreezable, field: '[freeze_period]', words: length },
  ]);
  await confirm.click();
  await expect.poll(() => dialog.locator('.field-error').evaluate((el) => (el as HTMLElement).innerText)).toBe(`${words}\n${length}`);
  await expect(box).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('freeze-two-sentences.png') });
  expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
});
