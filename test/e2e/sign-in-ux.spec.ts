/**
 * Issue 13 item 8, sign-in as a newcomer meets it (1366×768): the login field has the focus, a too
 * long login is said in the app's words (not the schema's), the demo is marked once, the desk opens
 * ready to type, and the demo offers the way to a real account.
 */
import { expect, test } from './fixtures';
import { searchBox } from './helpers';

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
