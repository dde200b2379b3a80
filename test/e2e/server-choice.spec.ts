/**
 * Issue 12 item 5: the sign-in screen names both brands (Altegio and YCLIENTS, each with its API
 * host) beside a custom address. The custom address must be https:// (plain http:// only on this
 * computer), checked before anything is sent; the server in the settings is preselected (the
 * sandbox's loopback address here), and signing in to it works.
 */
import { expect, test } from './fixtures';
import { clearKeychainFor, setPartnerToken, signIn } from './session-helpers';

test.describe('without a server in the settings', () => {
  test.use({ shellMode: 'plain' });

  test('Altegio, YCLIENTS and a custom address; http:// to another computer is refused before sending', async ({ app: page }) => {
    const group = page.getByRole('group', { name: 'Server' });
    const altegio = group.getByRole('radio', { name: /^Altegio api\.alteg\.io$/ });
    const yclients = group.getByRole('radio', { name: /^YCLIENTS api\.yclients\.com$/ });
    const custom = group.getByRole('radio', { name: 'Custom server' });
    await expect(altegio).toBeChecked();
    await expect(yclients).not.toBeChecked();
    await expect(group.getByRole('radio')).toHaveCount(3);

    await yclients.check();
    await expect(yclients).toBeChecked();
    await expect(page.getByLabel('Server address')).toHaveCount(0);

    await custom.check();
    const address = page.getByLabel('Server address');
    await address.fill('http://api.example.com/api');
    await signIn(page, 'dana@example.com', 'secret');
    await expect(address).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Use an address starting with https:// (http:// only for this computer: localhost or 127.0.0.1).')).toBeVisible();

    await address.fill('https://api.example.com/api?key=1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByText('The address cannot contain “?” or “#”.')).toBeVisible();
  });
});

test.describe('with the sandbox as the server in the settings', () => {
  test.use({ shellMode: 'sandbox' });
  test.afterEach(async ({ sandbox }) => {
    await clearKeychainFor(sandbox.url);
  });

  test('the custom address is preselected with the loopback http:// address, and signing in to it works', async ({ app: page, sandbox }) => {
    const [alex] = sandbox.users;
    if (!alex) throw new Error('the sandbox should seed Alex');
    const group = page.getByRole('group', { name: 'Server' });
    await expect(group.getByRole('radio', { name: 'Custom server' })).toBeChecked();
    await expect(page.getByLabel('Server address')).toHaveValue(sandbox.url);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);

    await setPartnerToken(page, sandbox.partnerToken);
    await signIn(page, alex.login, alex.password);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  });
});
