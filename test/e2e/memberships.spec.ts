/**
 * Issue 4, the desk in the demo: find by name, the freeze calendar to the last legal date and the
 * new expiry, unfreeze, a per-service balance edit with a reason, its history and undo, a type that
 * forbids freezing, and the keyboard path through the search.
 *
 * Expected dates are worked out here independently of the app: Dana's Pilates membership
 * (per-service, 14 freeze days, 4 used) at Downtown (America/Chicago) may be frozen from tomorrow
 * until today + 10 days, and that freeze moves the expiry 10 days later.
 */
import { DateTime } from 'luxon';
import { expect, test } from './fixtures';
import { DANA, cardSection, chooseLocation, fact, membershipRow, notice, openClient, openMembership, results, searchBox } from './helpers';

test.use({ shellMode: 'demo' });

const ZONE = 'America/Chicago';
const long = (d: DateTime) => d.setLocale('en-GB').toFormat('d LLLL yyyy');
const withWeekday = (d: DateTime) => d.setLocale('en-GB').toFormat('cccc, d LLLL yyyy');
const parseLong = (text: string) => DateTime.fromFormat(text.trim(), 'd LLLL yyyy', { locale: 'en-GB', zone: 'utc' });

test.beforeEach(async ({ app: page }) => {
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await chooseLocation(page);
});

test('search by name → freeze to the last legal date → frozen with the new expiry → unfreeze', async ({ app: page }) => {
  await openClient(page, 'Dana');
  const card = await openMembership(page, DANA.perServiceFreezable);

  await expect(fact(card, 'Frozen')).toHaveText('No');
  await expect(fact(card, 'Freeze used')).toHaveText('Used 4 of 14 days, 10 days left.');
  const expiresBefore = parseLong(await fact(card, 'Expires').innerText());
  expect(expiresBefore.isValid, 'the card shows the expiry as "d Month yyyy"').toBe(true);

  const today = DateTime.now().setZone(ZONE).startOf('day');
  const first = today.plus({ days: 1 });
  const last = today.plus({ days: 10 });
  const newExpiry = expiresBefore.plus({ days: 10 });

  await card.getByRole('button', { name: 'Freeze', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /^Freeze membership № / });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText('Allowance: used 4 of 14 days, 10 days left.')).toBeVisible();
  await expect(dialog.getByText(`Possible: ${long(first)} to ${long(last)}.`)).toBeVisible();
  const calendar = dialog.getByRole('application', { name: /^Freeze end date/ });
  await expect(calendar).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Confirm freeze' })).toBeDisabled();
  // The calendar opens on the first legal month: nothing earlier to go back to.
  await expect(calendar.getByRole('button', { name: 'Previous month' })).toBeDisabled();
  await expect(calendar.getByRole('button', { name: 'Next month' })).toBeVisible();

  // Today is not a legal end date; tomorrow is.
  await expect(calendar.getByRole('button', { name: withWeekday(today), exact: true })).toBeDisabled();
  await expect(calendar.getByRole('button', { name: withWeekday(first), exact: true })).toBeEnabled();

  // Keyboard: from the first legal day, a week down and three days right = today + 10 (the last
  // legal day, possibly in the next month), Enter picks it.
  await calendar.getByRole('button', { name: withWeekday(first), exact: true }).focus();
  await page.keyboard.press('ArrowDown');
  for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowRight');
  await expect(calendar.getByRole('button', { name: withWeekday(last), exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(calendar.getByRole('button', { name: withWeekday(last), exact: true })).toHaveAttribute('data-selected', /.*/);
  // Nothing after the last legal day is offered.
  await expect(calendar.getByRole('button', { name: withWeekday(last.plus({ days: 1 })), exact: true })).toBeDisabled();

  await expect(dialog.getByText(`Frozen until ${withWeekday(last)}`)).toBeVisible();
  await expect(dialog.getByText(`New expiry date: ${long(newExpiry)}`)).toBeVisible();
  await expect(dialog.getByText('Frozen for 10 days; 0 days of the freeze allowance will be left.')).toBeVisible();

  // "Use the latest possible date" picks the same day.
  await dialog.getByRole('button', { name: 'Use the latest possible date' }).click();
  await expect(dialog.getByText(`Frozen until ${withWeekday(last)}`)).toBeVisible();
  await expect(dialog.getByText(`New expiry date: ${long(newExpiry)}`)).toBeVisible();

  await dialog.getByLabel('Reason (optional)').fill('Travelling for work');
  await dialog.getByRole('button', { name: 'Confirm freeze' }).click();
  await expect(dialog).toBeHidden();

  const frozenNotice = notice(page, /^Membership № \d+ \(Pilates.*Frozen until/);
  await expect(frozenNotice).toContainText(`Frozen until ${long(last)}.`);
  // The freeze can be undone from its notice; the unfreeze below cannot (common/undo-rules.ts).
  await expect(frozenNotice.getByRole('button', { name: 'Undo' })).toBeVisible();
  await expect(fact(card, 'Frozen')).toHaveText(`Yes, until ${long(last)}`);
  await expect(fact(card, 'Expires')).toHaveText(long(newExpiry));
  await expect(card.getByText(`Frozen until ${long(last)}`, { exact: true })).toBeVisible();
  await expect(card.getByRole('button', { name: 'Freeze', exact: true })).toBeDisabled();
  await expect(card.getByText(`Already frozen until ${long(last)}.`)).toBeVisible();
  // The list row says so too.
  await expect(membershipRow(page, DANA.perServiceFreezable)).toContainText(`Frozen until ${long(last)}`);

  const history = cardSection(card, 'History');
  await expect(history.getByRole('row').filter({ hasText: 'Travelling for work' })).toContainText('Freeze');

  await card.getByRole('button', { name: 'Unfreeze' }).click();
  const unfreeze = page.getByRole('dialog', { name: /^Unfreeze membership № / });
  await expect(unfreeze).toBeVisible();
  await unfreeze.getByRole('button', { name: 'Confirm unfreeze' }).click();
  await expect(unfreeze).toBeHidden();

  await expect(fact(card, 'Frozen')).toHaveText('No');
  const unfrozenNotice = notice(page, /^Membership № \d+ \(Pilates.*Unfrozen\.$/);
  await expect(unfrozenNotice).toBeVisible();
  await expect(unfrozenNotice.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  await expect(card.getByRole('button', { name: 'Unfreeze' })).toBeDisabled();
  await expect(card.getByText('Not frozen.')).toBeVisible();
  await expect(membershipRow(page, DANA.perServiceFreezable)).not.toContainText('Frozen');
  await expect(history.getByRole('row').filter({ hasText: 'Unfreeze' })).toHaveCount(1);
});

test('edit a per-service balance with a reason → history shows it → undo restores it', async ({ app: page }) => {
  await openClient(page, DANA.name);
  const card = await openMembership(page, DANA.perServiceFreezable);
  const balance = cardSection(card, 'Balance');
  await expect(balance.getByRole('row', { name: 'Pilates group 7' })).toBeVisible();

  await card.getByRole('button', { name: 'Edit balance' }).click();
  const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
  await expect(editor).toBeVisible();
  await editor.getByLabel('New value for Pilates group').fill('9');
  await expect(editor.getByRole('row', { name: /^Pilates group/ })).toContainText('7 → 9');
  await editor.getByLabel('Reason', { exact: true }).fill('Two classes cancelled by the studio');
  await editor.getByRole('button', { name: 'Save balance' }).click();
  await expect(editor).toBeHidden();

  await expect(balance.getByRole('row', { name: 'Pilates group 9' })).toBeVisible();
  const history = cardSection(card, 'History');
  const change = history.getByRole('row').filter({ hasText: 'Balance change' }).filter({ hasNotText: 'Undo of' });
  await expect(change).toHaveCount(1);
  await expect(change).toContainText('Two classes cancelled by the studio');
  await expect(change).toContainText('Balance change');
  await expect(change).toContainText('Pilates group: 7 → 9');
  await expect(change).toContainText('Alex Morgan');

  await change.getByRole('button', { name: /^Undo/ }).click();
  const undo = page.getByRole('dialog', { name: 'Undo this change?' });
  await expect(undo).toBeVisible();
  await expect(undo).toContainText('Pilates group: 7 → 9');
  await undo.getByRole('button', { name: 'Confirm undo' }).click();
  await expect(undo).toBeHidden();

  await expect(balance.getByRole('row', { name: 'Pilates group 7' })).toBeVisible();
  await expect(notice(page, /^Membership № \d+: Change undone\.$/)).toBeVisible();
  // The notice of the change just undone (and its Undo) is gone.
  await expect(notice(page, /Balance saved/)).toHaveCount(0);
  await expect(change).toContainText(/Done; undone by Alex Morgan, \d+ \w+ \d{4}, \d\d:\d\d/);
  await expect(change.getByRole('button', { name: /^Undo/ })).toHaveCount(0);
  const undoRow = history.getByRole('row').filter({ hasText: /Undo of the balance change made \d+ \w+ \d{4}, \d\d:\d\d/ });
  await expect(undoRow).toHaveCount(1);
  await expect(undoRow).toContainText('Pilates group: 9 → 7');
});

test('a membership whose type forbids freezing shows Freeze disabled with the reason', async ({ app: page }) => {
  await openClient(page, DANA.phone);
  const card = await openMembership(page, DANA.notFreezable);
  const freeze = card.getByRole('button', { name: 'Freeze', exact: true });
  await expect(freeze).toBeDisabled();
  await expect(card.getByText('This membership type cannot be frozen.')).toBeVisible();
  await expect(freeze).toHaveAccessibleDescription('This membership type cannot be frozen.');
  await expect(cardSection(card, 'Type rules')).toContainText('Freezing not allowed');

  // An already frozen one says until when.
  const frozen = await openMembership(page, DANA.frozen);
  await expect(frozen.getByRole('button', { name: 'Freeze', exact: true })).toBeDisabled();
  await expect(frozen.getByText(/^Already frozen until \d{1,2} \w+ \d{4}\.$/)).toBeVisible();
  await expect(frozen.getByRole('button', { name: 'Unfreeze' })).toBeEnabled();
});

test('keyboard: type in the search, ArrowDown, Enter opens', async ({ app: page }) => {
  await searchBox(page).focus();
  await page.keyboard.type('Dana');
  const list = results(page);
  await expect(list.getByRole('option').first()).toBeVisible();
  const count = await list.getByRole('option').count();

  // ArrowDown moves the highlight (wrapping); go down until Dana Whitfield is the highlighted one.
  const selected = list.getByRole('option', { selected: true });
  for (let i = 0; i <= count; i++) {
    await page.keyboard.press('ArrowDown');
    await expect(selected).toHaveCount(1);
    if ((await selected.innerText()).includes(DANA.name)) break;
  }
  await expect(selected).toContainText(DANA.name);
  await expect(searchBox(page)).toBeFocused();
  await expect(searchBox(page)).toHaveAttribute('aria-activedescendant', (await selected.getAttribute('id')) ?? 'missing');
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 2, name: DANA.name })).toBeVisible();
  await expect(membershipRow(page, DANA.perServiceFreezable)).toBeVisible();
  // And on into a card without the mouse.
  await membershipRow(page, DANA.perServiceFreezable).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('article', { name: /^Membership № / })).toContainText(DANA.perServiceFreezable);
});
