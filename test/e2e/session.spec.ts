/**
 * Issue 3, sessions against a real server: a sandbox runs in the test process and the web shell
 * signs in to it (`--api-base`, no demo), with the partner token and user tokens in the real
 * keychain (gnome-keyring under dbus-run-session, as `npm test` runs it).
 *
 * Partner token in Settings (only its last 4 characters shown) → wrong password → sign in → choose
 * location → search → the sandbox invalidates the user's token (a password change elsewhere) →
 * opening the client asks for the password in place → the interrupted call is retried and the
 * memberships open without a new search. Then: a second user through "Switch user" → "Sign in as
 * someone else", back to the first in two clicks (location remembered), and sign out (the user
 * token leaves the keychain; the other profile's stays).
 */
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, card, cardSection, chooseLocation, membershipRow, openMembership, results, searchBox } from './helpers';
import { keychainFor, setPartnerToken, signIn, userTokenOf } from './session-helpers';

test.use({ shellMode: 'sandbox' });

test('partner token, sign-in, expiry with re-auth and retry, switch user, sign out', async ({ app: page, sandbox }) => {
  const [alex, priya] = sandbox.users;
  if (!alex || !priya) throw new Error('the sandbox should seed Alex and Priya');
  expect(alex.name).toBe('Alex Morgan');
  expect(priya.name).toBe('Priya Nair');

  // Without a partner token, sign-in says what is missing.
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await signIn(page, alex.login, alex.password);
  await expect(page.getByRole('alert').filter({ hasText: /partner token/i })).toBeVisible();

  await setPartnerToken(page, sandbox.partnerToken);

  // A wrong password: a clear message, still on the sign-in screen, nothing typed is lost but the password.
  await signIn(page, alex.login, 'not-the-password');
  await expect(page.getByText(/(wrong|incorrect).*(login|password)|password.*(wrong|incorrect)/i).first()).toBeVisible();
  await expect(page.getByLabel('Login')).toHaveValue(alex.login);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

  await signIn(page, alex.login, alex.password);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('banner').getByText('Alex Morgan', { exact: true })).toBeVisible();
  await expect(page.getByText('DEMO DATA')).toHaveCount(0);
  await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);

  await chooseLocation(page, DOWNTOWN);

  // Count the searches the page makes from here on.
  let searches = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/rpc/clients.search') searches += 1;
  });
  await searchBox(page).fill('Dana');
  const dana = results(page).getByRole('option', { name: new RegExp(DANA.name) });
  await expect(dana).toBeVisible();
  const searchesBefore = searches;
  expect(searchesBefore).toBeGreaterThan(0);

  // The password was changed elsewhere: every token the app holds is now refused.
  sandbox.control.invalidateUserTokens(alex.login);
  await dana.click();

  const reauth = page.getByRole('dialog', { name: 'Sign in again' });
  await expect(reauth).toBeVisible();
  await expect(reauth).toContainText('Alex Morgan');
  // A wrong password here is refused in place, the dialog stays.
  await reauth.getByLabel('Password').fill('still-wrong');
  await reauth.getByRole('button', { name: 'Sign in again' }).click();
  await expect(reauth.getByRole('alert').filter({ hasText: /incorrect login or password/i })).toBeVisible();
  await expect(reauth).toBeVisible();
  await reauth.getByLabel('Password').fill(alex.password);
  await reauth.getByRole('button', { name: 'Sign in again' }).click();
  await expect(reauth).toBeHidden();

  // The interrupted "open the client" went through by itself: her memberships are listed.
  await expect(page.getByRole('heading', { level: 2, name: DANA.name })).toBeVisible();
  const opened = await openMembership(page, DANA.perServiceFreezable);
  await expect(cardSection(opened, 'Balance').getByRole('row', { name: 'Pilates group 7' })).toBeVisible();
  await expect(searchBox(page)).toHaveValue('Dana');
  expect(searches, 'no new search after signing in again').toBe(searchesBefore);

  const alexToken = await userTokenOf(sandbox, alex.login, alex.password);
  const secretsOf = async () => (await keychainFor(sandbox.url)).map((e) => e.secret);
  expect(await secretsOf()).toEqual(expect.arrayContaining([sandbox.partnerToken, alexToken]));

  // Switch profile: a second user signs in through "Switch user" → "Sign in as someone else".
  await page.getByRole('button', { name: 'Switch user' }).click();
  await page.getByRole('menuitem', { name: 'Sign in as someone else' }).click();
  await expect(page.getByRole('button', { name: /^Continue as Alex Morgan/ })).toBeVisible();
  await signIn(page, priya.login, priya.password);
  await expect(page.getByRole('banner').getByText('Priya Nair', { exact: true })).toBeVisible();
  await chooseLocation(page, DOWNTOWN);
  await searchBox(page).fill(DANA.phone);
  await results(page).getByRole('option', { name: new RegExp(DANA.name) }).click();
  const priyaCard = await openMembership(page, DANA.perServiceFreezable);
  // Her role may not change balances at Northside: the card says so.
  await expect(priyaCard.getByRole('button', { name: 'Edit balance' })).toBeDisabled();
  await expect(priyaCard.getByText(/not allow.*balance/i)).toBeVisible();

  // Back to Alex in two clicks; his location is remembered.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await page.getByRole('menuitem', { name: 'Alex Morgan' }).click();
  await expect(page.getByRole('banner').getByText('Alex Morgan', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Location', { exact: true }).locator('option:checked')).toHaveText(DOWNTOWN);
  await expect(searchBox(page)).toBeVisible();
  await expect(card(page)).toHaveCount(0);

  // Sign out: back to the sign-in screen; Alex's token leaves the keychain, Priya's stays.
  const priyaToken = await userTokenOf(sandbox, priya.login, priya.password);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Continue as Priya Nair/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Continue as Alex Morgan/ })).toHaveCount(0);
  expect((await secretsOf()).sort()).toEqual([sandbox.partnerToken, priyaToken].sort());

  // Priya is one click away again, without a password.
  await page.getByRole('button', { name: /^Continue as Priya Nair/ }).click();
  await expect(page.getByRole('banner').getByText('Priya Nair', { exact: true })).toBeVisible();
  await expect(membershipRow(page, DANA.perServiceFreezable)).toHaveCount(0);

  // Leave the keychain as we found it.
  await page.getByRole('button', { name: 'Sign out' }).click();
  // The sign-in screen first: a Settings click while the signed-in screen is still there opens a
  // dialog that leaves with that screen.
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Remove partner token' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' }).getByText('Partner token removed.')).toBeVisible();
  expect(await keychainFor(sandbox.url)).toEqual([]);
});
