/**
 * Issue 13 item 12, search at the desk (1366×768): it says which location the results cover, offers
 * the chain's other locations when nothing is found here, shows phones the way the location's
 * country writes them, and reads a domestic form ("8 495 …" in Moscow) as the same number.
 */
import { expect, test } from './fixtures';
import { DANA, chooseLocation, results, searchBox, searchClient } from './helpers';

test.use({ shellMode: 'demo', viewport: { width: 1366, height: 768 } });

test.beforeEach(async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
});

test('results say their location, phones are formatted for it, and the other locations are one click away', async ({ app: page }) => {
  await chooseLocation(page);
  const dana = await searchClient(page, 'Dana');
  await expect(page.getByText('Clients at Northside Fitness — Downtown')).toBeVisible();
  await expect(dana).toContainText('(512) 555-0142');
  await expect(dana).not.toContainText(DANA.phone);

  // A client of another location of the chain.
  await searchBox(page).fill('Haruto');
  await expect(page.getByRole('status').filter({ hasText: 'No clients or memberships found at Northside Fitness — Downtown.' })).toBeVisible();
  await page.getByRole('button', { name: 'Search the other 2 locations of the chain' }).click();
  const haruto = results(page).getByRole('option', { name: /Haruto Sato/ });
  await expect(haruto).toContainText('Northside Fitness — Shibuya');
  await expect(haruto).toContainText('+81 3 5550 0142');
  await haruto.click();
  await expect(page.getByLabel('Location', { exact: true }).locator('option:checked')).toHaveText('Northside Fitness — Shibuya');
  await expect(page.getByRole('heading', { level: 2, name: 'Haruto Sato' })).toBeVisible();
});

test('a Russian domestic phone (8 495 …) finds the client written +7 (495) …', async ({ app: page }) => {
  await chooseLocation(page, 'Lotus Yoga Studio — Arbat');
  const olga = await searchClient(page, '8 495 555 01 42', 'Ольга Смирнова');
  await expect(olga).toContainText('+7 495 555-01-42');
  await expect(page.getByText('Clients at Lotus Yoga Studio — Arbat')).toBeVisible();
});
