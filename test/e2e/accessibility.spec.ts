/**
 * Accessibility (issue 4, issue 13): axe on the sign-in screen, the search results, the membership
 * card, the freeze calendar, the balance editor and every other screen (worklists, planned freezes, audit log, batch,
 * settings) — no 'serious' or 'critical' violations. A failure lists
 * every such violation with the elements it found.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DANA, card, chooseLocation, openClient, openMembership, results, searchBox } from './helpers';

async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map((v) => `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`).join('\n')}`)
    .join('\n');
  expect(serious, `axe found serious/critical violations on ${what}:\n${report}`).toEqual([]);
}

test.describe('sign-in screen', () => {
  test.use({ shellMode: 'plain' });

  test('no serious or critical violations', async ({ app: page }) => {
    await expect(page.getByRole('button', { name: 'Try the demo' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the sign-in screen');

    // With the custom server field and field errors showing.
    await page.getByLabel('Custom server').check();
    await expect(page.getByLabel('Server address')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByLabel('Login')).toHaveAttribute('aria-invalid', 'true');
    await expectNoSeriousViolations(page, 'the sign-in screen with field errors');
  });
});

test.describe('the desk (demo)', () => {
  test.use({ shellMode: 'demo' });

  test('search results, membership card, freeze calendar and balance editor: no serious or critical violations', async ({ app: page }) => {
    // Seven full axe runs: on a loaded machine each can take several seconds.
    test.setTimeout(240_000);
    await expect(page.getByText('DEMO DATA')).toBeVisible();
    await chooseLocation(page);

    await searchBox(page).fill('Dana');
    await expect(results(page).getByRole('option').first()).toBeVisible();
    await expectNoSeriousViolations(page, 'the search results');

    await openClient(page, DANA.phone);
    const opened = await openMembership(page, DANA.perServiceFreezable);
    await expectNoSeriousViolations(page, 'the membership card');

    await opened.getByRole('button', { name: 'Freeze', exact: true }).click();
    const freeze = page.getByRole('dialog', { name: /^Freeze membership/ });
    await expect(freeze.getByRole('application', { name: /^Freeze end date/ })).toBeVisible();
    await expectNoSeriousViolations(page, 'the freeze calendar dialog');
    await freeze.getByRole('button', { name: 'Use the latest possible date' }).click();
    await expect(freeze.getByText(/^New expiry date:/)).toBeVisible();
    await expectNoSeriousViolations(page, 'the freeze calendar dialog with a date picked');
    await freeze.getByRole('button', { name: 'Cancel' }).click();
    await expect(freeze).toBeHidden();

    await card(page).getByRole('button', { name: 'Edit balance' }).click();
    const editor = page.getByRole('dialog', { name: /^Edit balance/ });
    await expect(editor.getByLabel('New value for Pilates group')).toBeVisible();
    await expectNoSeriousViolations(page, 'the balance editor dialog');
    // With a preview and the "reason required" error.
    await editor.getByLabel('New value for Pilates group').fill('+2');
    await editor.getByRole('button', { name: 'Save balance' }).click();
    await expect(editor.getByText('Say why the balance changes.')).toBeVisible();
    await expectNoSeriousViolations(page, 'the balance editor dialog with an error');

    // The notice after a change, with its Undo, and the undo confirmation.
    await editor.getByLabel('Reason', { exact: true }).fill('Accessibility check');
    await editor.getByRole('button', { name: 'Save balance' }).click();
    await expect(editor).toBeHidden();
    const saved = page.getByRole('region', { name: 'Notifications' }).getByRole('status', { name: /Balance saved/ });
    await expect(saved).toBeVisible();
    await saved.hover(); // a notice stays while the pointer is on it (axe takes longer than it lasts)
    await expectNoSeriousViolations(page, 'the card with a notice');
    await saved.getByRole('button', { name: 'Undo' }).click();
    await expect(page.getByRole('dialog', { name: 'Undo this change?' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the undo dialog');
  });

  test('every other screen (worklists, planned freezes, audit log, batch corrections, settings) and the demo note: no serious or critical violations', async ({ app: page }) => {
    test.setTimeout(240_000);
    await expect(page.getByText('DEMO DATA')).toBeVisible();
    await chooseLocation(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('button', { name: 'Sign in with your account' })).toBeVisible();

    await nav.getByRole('button', { name: 'Worklists' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Worklists' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the worklists screen');

    await nav.getByRole('button', { name: /^Planned/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Planned freezes' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the planned freezes screen');

    await nav.getByRole('button', { name: 'Audit log' }).click();
    await expect(page.getByRole('form', { name: 'Filter the audit log' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Audit entries' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the audit log');

    await nav.getByRole('button', { name: 'Batch corrections' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Batch corrections' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the batch screen');

    await nav.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expectNoSeriousViolations(page, 'the settings screen');
  });
});
