/**
 * Issue 13 item 5, layout: at the office screen (1366×768) the header stays one line with "Signed in
 * as", the card's actions and its History are on screen without scrolling; at 1920×1080 the card
 * sits beside the list; a client's name is never clipped.
 */
import { expect, test } from './fixtures';
import { DANA, cardSection, chooseLocation, openClient, openMembership } from './helpers';

test.use({ shellMode: 'demo' });

test('1366×768: who is signed in, the card’s actions and its history are in view', async ({ app: page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
  await openClient(page, DANA.name);
  const card = await openMembership(page, DANA.perServiceFreezable);

  const header = page.getByRole('banner');
  await expect(header.getByText('Signed in as')).toBeInViewport({ ratio: 1 });
  await expect(header.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
  // One line: the header does not wrap.
  const box = await header.boundingBox();
  expect(box?.height ?? 999).toBeLessThan(72);

  for (const action of ['Freeze', 'Unfreeze', 'Edit balance']) {
    await expect(card.getByRole('button', { name: action, exact: true })).toBeInViewport({ ratio: 1 });
  }
  await expect(cardSection(card, 'History').getByRole('heading', { name: 'History' })).toBeInViewport({ ratio: 1 });

  const name = page.getByRole('heading', { level: 2, name: DANA.name });
  const clipped = await name.evaluate((el) => el.scrollWidth > el.clientWidth && !el.getAttribute('title'));
  expect(clipped).toBe(false);
});

test('1920×1080: the card beside the list, both in view', async ({ app: page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
  const list = await openClient(page, DANA.name);
  const card = await openMembership(page, DANA.perServiceFreezable);
  const l = await list.boundingBox();
  const c = await card.boundingBox();
  expect(c && l && c.x >= l.x + l.width).toBe(true);
  await expect(card).toBeInViewport({ ratio: 1 });
  await expect(list).toBeInViewport({ ratio: 1 });
});
