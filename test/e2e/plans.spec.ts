/**
 * Issue 11 item 5 in the real UI against a sandbox, on a test clock the app and the sandbox share
 * (`--test-clock`): a freeze planned from the card runs by itself when the clock reaches its day
 * (the sandbox then reports the membership frozen until the planned end); a plan whose day passed
 * while nothing ran is not acted on — the app shows it and asks, and "Freeze now" does what remains.
 * A closure planned for a worklist selection is one plan (listed with its count) that starts one
 * bulk freeze on its day: the sandbox then reports all of them frozen until the planned end.
 */
import { DateTime } from 'luxon';
import { addDays, localDateOf, todayIn } from '../../common/dates';
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, card, chooseLocation, openClient, openMembership } from './helpers';
import { clearKeychainFor, selectAndOpenActions, setPartnerToken, signIn, signedInToAllMemberships } from './session-helpers';
import type { Page } from '@playwright/test';
import type { Sandbox } from '../../main/sandbox/server';

test.use({ shellMode: 'sandbox', testClock: true, viewport: { width: 1366, height: 768 } });

const ZONE = 'America/Chicago';
const typed = (iso: string) => DateTime.fromISO(iso).toFormat('dd/MM/yyyy');
const long = (iso: string) => DateTime.fromISO(iso).setLocale('en-GB').toFormat('d LLLL yyyy');
/** 10:00 on that day in Chicago. */
const morningOf = (iso: string) => DateTime.fromISO(`${iso}T10:00:00`, { zone: ZONE }).toJSDate();

test.afterEach(async ({ sandbox }) => {
  await clearKeychainFor(sandbox.url);
});

async function planFreeze(page: Page, sandbox: Sandbox, start: string, end: string): Promise<void> {
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, sandbox.users[0]!.login, sandbox.users[0]!.password);
  await chooseLocation(page, DOWNTOWN);
  await openClient(page, 'Dana');
  const opened = await openMembership(page, DANA.unitedWeeks);
  await opened.getByRole('button', { name: 'Plan freeze…' }).click();
  const dialog = page.getByRole('dialog', { name: /^Plan for membership № / });
  await expect(dialog.getByRole('note')).toContainText('The plan is kept and run by this PC');
  await dialog.getByLabel('First day away (the freeze starts)').fill(typed(start));
  await dialog.getByLabel('Last frozen day').fill(typed(end));
  await expect(dialog).toContainText(`On ${long(start)} this PC freezes the membership until ${long(end)} (${DateTime.fromISO(end).diff(DateTime.fromISO(start), 'days').days} days).`);
  await dialog.getByRole('button', { name: 'Save plan' }).click();
  await expect(dialog).toBeHidden();
  await expect(card(page).getByRole('list', { name: 'Planned on this PC' })).toContainText(`Freeze ${long(start)} – ${long(end)} · runs from this PC`);
}

test('a scheduled freeze runs by itself when the clock reaches its day', async ({ app: page, sandbox, clock }, info) => {
  const today = todayIn(clock.now(), ZONE);
  const start = addDays(today, 2);
  const end = addDays(start, 5);
  const id = sandbox.control.knownIds.memberships.danaUnitedWeeks;
  await planFreeze(page, sandbox, start, end);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Planned' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Planned freezes' })).toBeVisible();
  const row = page.getByRole('row', { name: /^Plan for № / });
  await expect(row).toContainText('Planned');
  await page.screenshot({ path: info.outputPath('plans-screen.png') });

  // The day before: nothing. Its day: frozen until the end, by itself.
  clock.set(morningOf(addDays(start, -1)));
  await expect(row).toContainText('Planned');
  expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
  clock.set(morningOf(start));
  await expect(page.getByRole('table').last().getByRole('row', { name: /^Plan for № / })).toContainText('Done');
  expect(localDateOf(sandbox.control.getMembership(id).freeze_till as string, ZONE)).toBe(end);
  expect(sandbox.control.stats().writesByAction.freeze).toBe(1);
});

test('a missed plan is not run: the app shows it and asks; "Freeze now" does what remains', async ({ app: page, sandbox, clock }, info) => {
  const today = todayIn(clock.now(), ZONE);
  const start = addDays(today, 1);
  const end = addDays(today, 6);
  const id = sandbox.control.knownIds.memberships.danaUnitedWeeks;
  await planFreeze(page, sandbox, start, end);

  // The app "was not running" on that day: the clock jumps past it.
  clock.set(morningOf(addDays(today, 3)));
  const banner = page.getByRole('alert').filter({ hasText: 'planned change was not run on its day' });
  await expect(banner).toBeVisible();
  expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
  expect(sandbox.control.getMembership(id).is_frozen).toBeFalsy();
  await banner.getByRole('button', { name: 'Review' }).click();
  const missed = page.getByRole('region', { name: 'Missed: not run on their day' });
  await expect(missed).toContainText(`The app was not running on ${long(start)}`);
  await page.screenshot({ path: info.outputPath('plans-missed.png') });
  await missed.getByRole('button', { name: `Freeze now until ${long(end)}` }).click();
  await expect(missed).toBeHidden();
  await expect(page.getByRole('table').last().getByRole('row', { name: /^Plan for № / })).toContainText('Done');
  expect(localDateOf(sandbox.control.getMembership(id).freeze_till as string, ZONE)).toBe(end);
  expect(sandbox.control.stats().writesByAction.freeze).toBe(1);
});

test('a closure planned for 3 memberships from a worklist selection runs as one bulk freeze when the clock reaches its day', async ({ app: page, sandbox, clock }, info) => {
  const today = todayIn(clock.now(), ZONE);
  const start = addDays(today, 2);
  const end = addDays(start, 5);
  const known = sandbox.control.knownIds.memberships;
  const ids = [known.danaPerServiceFreezable, known.danaUnitedWeeks, known.noPhoneClient];
  const numberOf = (id: number) => String(sandbox.control.getMembership(id)['number']);
  const frozenTill = (id: number) => {
    const m = sandbox.control.getMembership(id);
    return m.is_frozen ? localDateOf(m.freeze_till as string, ZONE) : null;
  };

  await signedInToAllMemberships(page, sandbox);
  await selectAndOpenActions(page, ids.map(numberOf));

  const panel = page.getByRole('region', { name: 'Bulk action' });
  await panel.getByRole('radio', { name: 'Plan a closure (freeze on a later day)' }).check();
  await expect(panel.getByRole('note')).toContainText('The plan is kept and run by this PC');
  await panel.getByLabel('First closed day (the freeze starts)').fill(start);
  await panel.getByLabel('Last frozen day').fill(end);
  await panel.getByLabel('Reason (kept in the audit log)').fill('Closed for repairs');
  await expect(panel).toContainText(`On ${long(start)} this PC freezes these memberships until ${long(end)} as one bulk action`);
  await page.screenshot({ path: info.outputPath('closure-panel.png') });
  await panel.getByRole('button', { name: 'Plan the closure' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Closure planned for 3 memberships' })).toBeVisible();
  expect(sandbox.control.stats().writesByAction.freeze).toBe(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Planned' }).click();
  const row = page.getByRole('row', { name: 'Closure plan for 3 memberships' });
  await expect(row).toContainText('Closure: 3 memberships');
  await expect(row).toContainText(`Freeze ${long(start)} – ${long(end)}`);
  await expect(row).toContainText('Planned');
  await page.screenshot({ path: info.outputPath('closure-planned.png') });

  // The day before: nothing. Its day: one bulk freeze, all three frozen until the end.
  clock.set(morningOf(addDays(start, -1)));
  await expect(row).toContainText('Planned');
  expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
  clock.set(morningOf(start));
  await expect(page.getByRole('table').last().getByRole('row', { name: 'Closure plan for 3 memberships' })).toContainText('Done: the bulk freeze started');
  await expect.poll(() => ids.map(frozenTill), { timeout: 60_000 }).toEqual([end, end, end]);
  expect(sandbox.control.stats().writesByAction.freeze).toBe(3);
  await page.screenshot({ path: info.outputPath('closure-done.png') });
});
