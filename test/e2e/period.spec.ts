/**
 * Issue 11 item 6 in the real UI against a sandbox: "Change expiry date" on the card → a typed day
 * → the preview (new expiry, the days sent) → confirm → the card shows what Altegio reports, and
 * the sandbox reports that date → undo from the history → the old expiry is back in the sandbox
 * and on the card. A user without the right sees the button disabled with the reason.
 */
import { DateTime } from 'luxon';
import { localDateOf } from '../../common/dates';
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, cardSection, chooseLocation, fact, notice, openClient, openMembership } from './helpers';
import { clearKeychainFor, setPartnerToken, signIn } from './session-helpers';

test.use({ shellMode: 'sandbox', viewport: { width: 1366, height: 768 } });

const ZONE = 'America/Chicago';
const long = (iso: string) => DateTime.fromISO(iso).setLocale('en-GB').toFormat('d LLLL yyyy');
const typed = (iso: string) => DateTime.fromISO(iso).toFormat('dd/MM/yyyy');

test.afterEach(async ({ sandbox }) => {
  await clearKeychainFor(sandbox.url);
});

test('set a new expiry on the card → the sandbox reports it → undo → the old expiry is back', async ({ app: page, sandbox }, info) => {
  const alex = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, alex.password);
  await chooseLocation(page, DOWNTOWN);
  await openClient(page, 'Dana');
  const card = await openMembership(page, DANA.perServiceFreezable);

  const id = sandbox.control.knownIds.memberships.danaPerServiceFreezable;
  const sandboxExpiry = () => localDateOf(sandbox.control.getMembership(id).expiration_date as string, ZONE);
  const before = sandboxExpiry()!;
  const wanted = DateTime.fromISO(before).plus({ days: 21 }).toISODate()!;
  await expect(fact(card, 'Expires')).toHaveText(long(before));

  await card.getByRole('button', { name: 'Change expiry date' }).click();
  const dialog = page.getByRole('dialog', { name: /^Change expiry date of membership № / });
  await expect(dialog).toBeVisible();
  const input = dialog.getByLabel('New expiry date (the last valid day)');
  await expect(input).toBeFocused();
  await input.fill(typed(wanted));
  await expect(dialog).toContainText(`New expiry date: ${DateTime.fromISO(wanted).setLocale('en-GB').toFormat('cccc, d LLLL yyyy')}`);
  await expect(dialog).toContainText('21 days later than now.');
  await expect(dialog).toContainText(/Sent to Altegio as a validity of \d+ days from the activation date\./);
  await dialog.getByLabel(/^Reason/).fill('Studio closed for repairs');
  await page.screenshot({ path: info.outputPath('period-dialog.png') });
  await input.press('Enter');
  await expect(dialog).toBeHidden();

  // The card shows what Altegio reports after the change; the sandbox reports the date asked for.
  await expect(fact(card, 'Expires')).toHaveText(long(wanted));
  expect(sandboxExpiry()).toBe(wanted);
  await expect(notice(page, new RegExp(`Now expires on ${long(wanted)} \\(as Altegio reports it\\)\\.`))).toBeVisible();

  const history = cardSection(card, 'History');
  const change = history.getByRole('row').filter({ hasText: 'Expiry change' }).filter({ hasNotText: 'Undo of' });
  await expect(change).toHaveCount(1);
  await expect(change).toContainText('Studio closed for repairs');
  await expect(change).toContainText(`Expires: ${long(before)} → ${long(wanted)}`);
  await page.screenshot({ path: info.outputPath('period-card.png') });

  await change.getByRole('button', { name: /^Undo/ }).click();
  const undo = page.getByRole('dialog', { name: 'Undo this change?' });
  await expect(undo).toContainText('The previous validity is sent back');
  await undo.getByRole('button', { name: 'Confirm undo' }).click();
  await expect(undo).toBeHidden();
  await expect(fact(card, 'Expires')).toHaveText(long(before));
  expect(sandboxExpiry()).toBe(before);
  const writes = sandbox.control.stats().writeLog.filter((w) => w.action === 'set_period');
  expect(writes).toHaveLength(2);
});

test('without the right the button is disabled and says why', async ({ app: page, sandbox }) => {
  const trainee = sandbox.users[2]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, trainee.login, trainee.password);
  await chooseLocation(page, DOWNTOWN);
  await openClient(page, 'Dana');
  const card = await openMembership(page, DANA.perServiceFreezable);
  const button = card.getByRole('button', { name: 'Change expiry date' });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription('Your Altegio role does not allow changing the validity of memberships.');
  expect(sandbox.control.stats().writesByAction.set_period).toBe(0);
});

test('a day before today is refused in the dialog, nothing is sent', async ({ app: page, sandbox }) => {
  const alex = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, alex.password);
  await chooseLocation(page, DOWNTOWN);
  await openClient(page, 'Dana');
  const card = await openMembership(page, DANA.perServiceFreezable);
  await card.getByRole('button', { name: 'Change expiry date' }).click();
  const dialog = page.getByRole('dialog', { name: /^Change expiry date of membership № / });
  const yesterday = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;
  await dialog.getByLabel('New expiry date (the last valid day)').fill(typed(yesterday));
  await expect(dialog.getByText(/^The new expiry date cannot be before /)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Confirm new expiry date' })).toBeDisabled();
  expect(sandbox.control.stats().writesByAction.set_period).toBe(0);
});
