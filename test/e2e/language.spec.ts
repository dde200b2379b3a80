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
    const select = page.getByRole('combobox', { name: 'Language' });
    await expect(select).toHaveValue('en-XA');
    await expect(page.locator('label', { hasText: 'Language' })).toHaveText('⟦Language⟧');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');
  });
});

test.describe('chosen on the sign-in screen', () => {
  test.use({ shellMode: 'plain' });

  test('follows the browser, switches at once without a reload, and is remembered on this PC', async ({ app: page }) => {
    // The browser says en-US: English.
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    const marker = await page.evaluate(() => ((window as unknown as { stillHere: number }).stillHere = 42));
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Русский' });
    await expect(page.getByRole('button', { name: 'Войти' })).toBeVisible();
    await expect(page.getByLabel('Пароль')).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Язык' })).toHaveValue('ru');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru-RU');
    // The same page (no reload happened): the marker set before the switch is still there.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: number }).stillHere)).toBe(marker);
    await expect(page.getByText('Sign in', { exact: true })).toHaveCount(0);

    await page.reload();
    await expect(page.getByRole('button', { name: 'Войти' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Язык' }).selectOption({ label: 'Español' });
    await expect(page.getByRole('button', { name: 'Iniciar sesión' })).toBeVisible();
  });
});

test.describe('from the browser languages', () => {
  test.use({ shellMode: 'plain', locale: 'pt-BR' });

  test('a Portuguese browser opens in Portuguese (Brazil) until another language is chosen', async ({ app: page }) => {
    await expect(page.getByRole('button', { name: 'Entrar' })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Idioma' })).toHaveValue('pt-BR');
  });
});

test.describe('in Settings', () => {
  test('switches the signed-in desk at once, navigation and all', async ({ app: page }) => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Español' });
    await expect(page.getByRole('heading', { level: 1, name: 'Configuración' })).toBeVisible();
    await expect(page.getByRole('navigation').getByRole('button', { name: 'Abonos' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption({ label: 'English' });
    await expect(page.getByRole('navigation').getByRole('button', { name: 'Memberships' })).toBeVisible();
  });
});
