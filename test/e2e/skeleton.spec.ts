/**
 * Issue 2, the walking skeleton end to end: the sign-in screen → "Try the demo" → choose a
 * location → search by a seeded phone → open the client → open a membership card and see its
 * balance. And `--demo` opens the app already signed in to the demo.
 */
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, card, cardSection, chooseLocation, openClient, openMembership } from './helpers';

test.describe('without --demo', () => {
  test.use({ shellMode: 'plain' });

  test('Try the demo → location → search by phone → membership card with its balance', async ({ app: page }) => {
    await expect(page.getByRole('heading', { name: 'Membership Desk' })).toBeVisible();
    await expect(page.getByLabel('Login')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await expect(page.getByText('DEMO DATA')).toHaveCount(0);

    await page.getByRole('button', { name: 'Try the demo' }).click();
    await expect(page.getByText('DEMO DATA')).toBeVisible();
    await expect(page.getByText('Alex Morgan (demo)')).toBeVisible();

    await chooseLocation(page, DOWNTOWN);
    // Digits only, as a person often types a phone.
    await openClient(page, DANA.phone.replace(/\D/g, ''));
    // Shown the way the location's country writes it (common/phone.ts): a Chicago number, no +1.
    await expect(page.getByText('(512) 555-0142').first()).toBeVisible();

    const opened = await openMembership(page, DANA.perServiceFreezable);
    const balance = cardSection(opened, 'Balance');
    await expect(balance.getByRole('row', { name: /Pilates group\s+7/ })).toBeVisible();
    await expect(cardSection(opened, 'Type rules')).toBeVisible();
    await expect(cardSection(opened, 'Dates')).toBeVisible();
    await expect(card(page).getByRole('heading', { level: 2 })).toHaveText(/^Membership № \S+/);
  });
});

test.describe('with --demo', () => {
  test.use({ shellMode: 'demo' });

  test('opens signed in to the demo, marked DEMO DATA', async ({ app: page }) => {
    await expect(page.getByText('DEMO DATA')).toBeVisible();
    await expect(page.getByText('Alex Morgan (demo)')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Memberships' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('button', { name: 'Try the demo' })).toHaveCount(0);
  });
});
