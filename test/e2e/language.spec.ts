/**
 * The interface language (issue 12): chosen from the browser's languages, switched on the sign-in
 * screen and in Settings (applies at once), remembered on this PC; the pseudo-language marks every
 * catalog text.
 */
import { expect, test } from './fixtures';

test.describe('the pseudo-language (tests only)', () => {
  test.use({ shellMode: 'plain', shellArgs: ['--language', 'en-XA'] });

  test('marks every catalog text on the sign-in screen', async ({ app: page }) => {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('⟦Membership Desk⟧');
    const select = page.getByLabel('Language');
    await expect(select).toHaveValue('en-XA');
    await expect(page.locator('label', { hasText: 'Language' })).toHaveText('⟦Language⟧');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');
  });
});
