/**
 * Issue 11: the membership index in the real UI against a sandbox. Read the chain's memberships
 * (progress, then "as of HH:MM"), type a membership number → the card opens; the client seen with
 * a membership is shown with its number afterwards.
 */
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, card, chooseLocation, openClient, results, searchBox } from './helpers';
import { clearKeychainFor, setPartnerToken, signIn } from './session-helpers';

test.use({ shellMode: 'sandbox' });

test.afterEach(async ({ sandbox }) => {
  await clearKeychainFor(sandbox.url);
});

test('read the chain → type a membership number → its card opens; a client seen with it is shown', async ({ app: page, sandbox }) => {
  const alex = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, alex.password);
  await chooseLocation(page, DOWNTOWN);

  const bar = page.getByRole('region', { name: 'Membership numbers' });
  await expect(bar.getByText(/not searchable yet/)).toBeVisible();
  await bar.getByRole('button', { name: 'Read memberships' }).click();
  await expect(bar.getByText(/memberships? of this chain, as of \d\d:\d\d\./)).toBeVisible({ timeout: 60_000 });
  await expect(bar.getByRole('button', { name: 'Refresh' })).toBeVisible();

  // A Tokyo membership, typed at Downtown: the index covers every location of the chain.
  const tokyo = sandbox.control.getMembership(sandbox.control.knownIds.memberships.tokyoFreezable);
  const number = String(tokyo.number);

  await searchBox(page).fill(number);
  const option = results(page).getByRole('option', { name: new RegExp(`№ ${number}`) });
  await expect(option).toBeVisible();
  await expect(option).toContainText('Membership');
  await expect(option).toContainText('client unknown');
  await searchBox(page).press('Enter');
  await expect(card(page)).toHaveAccessibleName(`Membership № ${number}`);
  await expect(page.getByText('client unknown', { exact: true })).toBeVisible();

  // Dana's memberships, once seen through her, come with her name when found by number.
  await openClient(page, 'Dana');
  const danas = sandbox.control.getMembership(sandbox.control.knownIds.memberships.danaUnitedWeeks);
  await searchBox(page).fill(String(danas.number));
  const hers = results(page).getByRole('option', { name: new RegExp(`№ ${String(danas.number)}`) });
  await expect(hers).toContainText(DANA.name);
  await hers.click();
  await expect(card(page)).toHaveAccessibleName(`Membership № ${String(danas.number)}`);
  await expect(page.getByRole('heading', { level: 2, name: DANA.name })).toBeVisible();
});
