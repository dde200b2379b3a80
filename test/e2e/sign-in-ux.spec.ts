/**
 * Issue 13 item 8, sign-in as a newcomer meets it (1366×768): the login field has the focus, a too
 * long login is said in the app's words (not the schema's), the demo is marked once, the desk opens
 * ready to type, and the demo offers the way to a real account.
 */
import type { Page } from '@playwright/test';
import { expect, startWebShellProcess, test } from './fixtures';
import { searchBox } from './helpers';
import { clearKeychainFor, setPartnerToken, signIn } from './session-helpers';

test.use({ shellMode: 'plain', viewport: { width: 1366, height: 768 } });

test('sign-in: focus on Login, a too-long login in plain words, the demo marked once and one click from a real sign-in', async ({ app: page }) => {
  const login = page.getByLabel('Login');
  await expect(page.getByRole('button', { name: 'Try the demo' })).toBeVisible();
  await expect(login).toBeFocused();

  await login.fill('a'.repeat(201) + '@example.com');
  await page.getByLabel('Password', { exact: true }).fill('secret');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(login).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Too long: at most 200 characters.')).toBeVisible();
  await expect(page.locator('body')).not.toContainText('Too big');
  await expect(page.locator('body')).not.toContainText('expected string');

  await page.getByRole('button', { name: 'Try the demo' }).click();
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  // Ready to type: the search box has the focus.
  await expect(searchBox(page)).toBeFocused();
  const header = page.getByRole('banner');
  await expect(header).toContainText('Alex Morgan (demo)');
  await expect(header).not.toContainText('(demo)(demo)');
  await expect(header).not.toContainText('(demo) (demo)');

  // The demo says how to sign in for real.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign in with your account' }).click();
  await expect(login).toBeFocused();
  await expect(page.getByRole('button', { name: 'Continue as Alex Morgan (demo)', exact: true })).toBeVisible();
});

test.describe('without a keychain', () => {
  test.use({ shellMode: 'sandbox' });
  test.afterEach(async ({ sandbox }) => {
    await clearKeychainFor(sandbox.url);
  });

  // The same app without a keyring: no D-Bus session to reach one (keytar then fails at once).
  const noKeyring = (): NodeJS.ProcessEnv => {
    const { DBUS_SESSION_BUS_ADDRESS: _bus, DISPLAY: _display, ...env } = process.env;
    return env;
  };
  const warning = (page: Page) => page.getByText('The computer’s password store (keychain) is not available', { exact: false });

  test('the keychain warning waits for a sign-in that needs it, and shows once', async ({ app: page, shell, sandbox }) => {
    const alex = sandbox.users[0];
    if (!alex) throw new Error('the sandbox should seed Alex');
    await setPartnerToken(page, sandbox.partnerToken);
    await signIn(page, alex.login, alex.password);
    await expect(page.getByRole('banner')).toContainText(`Signed in as ${alex.name}`);

    // The next start finds no keyring: the profile opens asking for the password, no warning yet.
    await shell.stop();
    const again = await startWebShellProcess(['--api-base', sandbox.url], shell.dataDir, noKeyring());
    try {
      await page.goto(again.url);
      const dialog = page.getByRole('dialog', { name: 'Sign in again' });
      await expect(dialog.getByLabel('Password')).toBeFocused();
      await expect(warning(page)).toHaveCount(0);
      // Signing in needs the keychain (the partner token is kept there): now it says so, once.
      await dialog.getByLabel('Password').fill(alex.password);
      await dialog.getByRole('button', { name: 'Sign in again' }).click();
      await expect(warning(page)).toHaveCount(1);
      await expect(dialog.getByRole('alert')).toContainText('Install and start a keyring');
      await dialog.getByRole('button', { name: 'Sign in again' }).click();
      await expect(dialog.getByRole('button', { name: 'Sign in again' })).toBeEnabled();
      await expect(warning(page)).toHaveCount(1);
      await page.screenshot({ path: '.tmp/ux13/reauth-no-keychain.png' });
    } finally {
      await again.stop();
    }

    // A first start without a keyring: the sign-in screen reads the settings quietly; the warning
    // comes with the first Sign in, once.
    const fresh = await startWebShellProcess(['--api-base', sandbox.url], undefined, noKeyring());
    try {
      const settingsRead = page.waitForResponse((r) => r.url().endsWith('/rpc/settings.get'));
      await page.goto(fresh.url);
      await settingsRead;
      await expect(page.getByLabel('Login')).toBeFocused();
      await expect(warning(page)).toHaveCount(0);
      await signIn(page, alex.login, alex.password);
      await expect(warning(page)).toHaveCount(1);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
      await expect(warning(page)).toHaveCount(1);
      await page.screenshot({ path: '.tmp/ux13/signin-no-keychain.png' });
    } finally {
      await fresh.stop();
    }
  });
});
