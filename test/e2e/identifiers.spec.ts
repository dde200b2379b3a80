/**
 * Issue 13 items 2 and 3 at the common office-PC size (1366×768), in the demo: a batch file that
 * names a membership by the number on its card (№ 270709, no client phone) is checked through the
 * chain's membership index once it has been read on this computer (no lookup per phone), the
 * preview names the client the desk has seen with it, and the audit log finds the batch's entry by
 * that number and by the internal id, showing both (the id labelled) and the client's name.
 *
 * Demo data (main/sandbox/seed.ts): Dana's membership № 270709 is id 4471900 (Pilates group, 7 visits).
 */
import { expect, test } from './fixtures';
import { DANA, chooseLocation, openClient } from './helpers';
import type { Page } from '@playwright/test';

test.use({ shellMode: 'demo', viewport: { width: 1366, height: 768 } });

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });

test('a batch file by membership number alone resolves through the read index; preview and audit log name the client', async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
  const bar = page.getByRole('region', { name: 'Membership numbers' });
  await bar.getByRole('button', { name: 'Read memberships' }).click();
  await expect(bar.getByText(/memberships? of this chain, as of \d\d:\d\d\./)).toBeVisible({ timeout: 60_000 });
  // The desk sees Dana with her memberships (the index remembers her with them).
  await openClient(page, DANA.name);

  await nav(page, 'Batch corrections').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Batch corrections' })).toBeVisible();
  const csv = 'Membership number;Service;Change;Reason\r\n№ 270709;Pilates group;+2;Card number only\r\n';
  await page.getByLabel('Open CSV file').setInputFiles({ name: 'by-number.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByText('1 row to change, 0 unchanged, 0 with problems, across 1 membership.')).toBeVisible();
  const planned = page.getByRole('table', { name: 'Planned changes' });
  const row = planned.getByRole('row').filter({ hasText: 'Card number only' });
  await expect(row).toContainText('270709');
  await expect(row).toContainText(DANA.name);
  await expect(row).toContainText('7 → 9');
  // The internal id, labelled, in the cell's full text (the file may name either).
  await expect(row.getByRole('cell').nth(1)).toHaveAttribute('title', `270709 · id 4471900 · ${DANA.name}`);
  await expect(page.getByRole('button', { name: 'Apply 1 change' })).toBeInViewport();
  await page.screenshot({ path: '.tmp/ux13/batch-by-number.png' });

  await page.getByRole('button', { name: 'Apply 1 change' }).click();
  await page.getByRole('dialog', { name: 'Apply 1 change?' }).getByRole('button', { name: 'Apply changes' }).click();
  const progress = page.getByRole('region', { name: 'Applying by-number.csv' });
  await expect(progress.getByText('Finished: 1 row changed.')).toBeVisible();

  await nav(page, 'Audit log').click();
  const filters = page.getByRole('form', { name: 'Filter the audit log' });
  const entry = page.getByRole('region', { name: 'Audit entries' }).getByRole('row').filter({ hasText: 'Card number only' });
  for (const ref of ['270709', '4471900']) {
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await filters.getByLabel('Membership', { exact: true }).fill(ref);
    await filters.getByRole('button', { name: 'Show' }).click();
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText('№ 270709');
    await expect(entry).toContainText('id 4471900');
    await expect(entry).toContainText(DANA.name);
  }
  await page.screenshot({ path: '.tmp/ux13/audit-by-id.png' });
});

test('an entry made before the client was known names her once the desk has seen her (audit log, batch result)', async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);

  // A file by id: the app has not seen whose membership 4471900 is.
  await nav(page, 'Batch corrections').click();
  const csv = 'Membership ID;Service;Change;Reason\r\n4471900;Pilates group;+1;Named later\r\n';
  await page.getByLabel('Open CSV file').setInputFiles({ name: 'by-id.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Preview' }).click();
  const planned = page.getByRole('table', { name: 'Planned changes' });
  const row = planned.getByRole('row').filter({ hasText: 'Named later' });
  await expect(row).toContainText('270709');
  await expect(row).not.toContainText(DANA.name);
  await page.getByRole('button', { name: 'Apply 1 change' }).click();
  await page.getByRole('dialog', { name: 'Apply 1 change?' }).getByRole('button', { name: 'Apply changes' }).click();
  await expect(page.getByRole('region', { name: 'Applying by-id.csv' }).getByText('Finished: 1 row changed.')).toBeVisible();

  await nav(page, 'Audit log').click();
  const entry = page.getByRole('region', { name: 'Audit entries' }).getByRole('row').filter({ hasText: 'Named later' });
  await expect(entry).toContainText('№ 270709');
  await expect(entry).not.toContainText(DANA.name);

  // The desk finds Dana: from now on the entry (written without her name) shows it.
  await nav(page, 'Memberships').click();
  await openClient(page, DANA.name);
  await nav(page, 'Audit log').click();
  await expect(entry).toContainText(DANA.name);
  await page.screenshot({ path: '.tmp/ux13/audit-named-later.png' });
  // And the batch's rows.
  await nav(page, 'Batch corrections').click();
  await expect(page.getByRole('table', { name: 'Planned changes' }).getByRole('row').filter({ hasText: 'Named later' })).toContainText(DANA.name);
});
