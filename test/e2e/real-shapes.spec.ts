/**
 * Issue 15: the whole desk against a sandbox answering in every documented shape at once
 * (main/sandbox/real-shapes.ts): /auth with only a user token, /groups without the membership
 * rights or zones, "timezone": "Europe/Moscow"-style locations, envelopes inside arrays, memberships
 * without the fields no real example carries, a licence 403. Sign in, search, card, freeze,
 * unfreeze, balance edit and a batch apply must all work.
 */
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, card, cardSection, chooseLocation, fact, openClient, openMembership } from './helpers';
import { clearKeychainFor, keychainFor, setPartnerToken, signIn } from './session-helpers';
import { REAL_SHAPES } from '../../main/sandbox/real-shapes';

test.use({ shellMode: 'sandbox' });

test('every documented shape on: sign in, search, card, freeze, unfreeze, balance edit, batch apply', async ({ app: page, sandbox }) => {
  sandbox.control.setRealShapes([...REAL_SHAPES]);
  const owner = sandbox.users[0]!;
  try {
    await setPartnerToken(page, sandbox.partnerToken);
    // /auth gives no id and no name: the person is named by the login typed.
    await signIn(page, owner.email, owner.password);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(page.getByRole('banner').getByText(owner.email, { exact: true })).toBeVisible();
    const accounts = (await keychainFor(sandbox.url)).map((a) => a.account);
    expect(accounts.some((a) => a.startsWith('user:l'))).toBe(true);

    await chooseLocation(page, DOWNTOWN);
    await openClient(page, 'Whitfield');
    const opened = await openMembership(page, DANA.perServiceFreezable);
    // Fields Altegio did not send are "unknown", not guessed.
    await expect(fact(opened, 'Expires')).toHaveText('Unknown (Altegio did not send it)');
    await expect(opened.getByText(/did not send the unit: counted as days/)).toBeVisible();
    // The time zone came from "timezone": "America/Chicago": no UTC warning.
    await expect(page.getByText(/counted in UTC/i)).toHaveCount(0);

    // Freeze (offered although /groups did not carry the right), to the first legal day.
    await opened.getByRole('button', { name: 'Freeze', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: /^Freeze membership № / });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Use the latest possible date' }).click();
    await dialog.getByRole('button', { name: 'Confirm freeze' }).click();
    await expect(dialog).toBeHidden();
    // The read says frozen without freeze_till (no-freeze-till): the date the app sent, marked so.
    await expect(fact(opened, 'Frozen')).toHaveText(/^Yes, until .+ \(as sent by this app\)$/);

    await opened.getByRole('button', { name: 'Unfreeze' }).click();
    const unfreeze = page.getByRole('dialog', { name: /^Unfreeze membership № / });
    await unfreeze.getByRole('button', { name: 'Confirm unfreeze' }).click();
    await expect(unfreeze).toBeHidden();
    await expect(fact(opened, 'Frozen')).toHaveText('No');

    // Balance edit.
    await opened.getByRole('button', { name: 'Edit balance' }).click();
    const editor = page.getByRole('dialog', { name: /^Edit balance of membership № / });
    await editor.getByLabel('New value for Pilates group').fill('8');
    await editor.getByLabel('Reason', { exact: true }).fill('Shapes check');
    await editor.getByRole('button', { name: 'Save balance' }).click();
    await expect(editor).toBeHidden();
    await expect(cardSection(card(page), 'Balance').getByRole('row', { name: 'Pilates group 8' })).toBeVisible();
    await expect(cardSection(card(page), 'History').getByRole('row').filter({ hasText: 'Shapes check' })).toContainText(owner.email);

    // Batch apply: +1 on the same membership.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Batch corrections', exact: true }).click();
    await page.getByLabel('Open CSV file').setInputFiles({ name: 'shapes.csv', mimeType: 'text/csv', buffer: Buffer.from('membership_id;service_id;delta;reason\r\n4471900;12840551;+1;Shapes batch\r\n') });
    await page.getByRole('button', { name: 'Apply 1 change' }).click();
    const confirm = page.getByRole('dialog', { name: 'Apply 1 change?' });
    await confirm.getByRole('button', { name: 'Apply changes' }).click();
    const progress = page.getByRole('region', { name: 'Applying shapes.csv' });
    await expect(progress.getByText('Finished: 1 row changed.')).toBeVisible();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Memberships', exact: true }).click();
    await openClient(page, DANA.name);
    const again = await openMembership(page, DANA.perServiceFreezable);
    await expect(cardSection(again, 'Balance').getByRole('row', { name: 'Pilates group 9' })).toBeVisible();

    // A licence that ran out answers 403 "Необходимо продлить лицензию": a licence problem, in Altegio's words.
    sandbox.control.expireLicence(sandbox.control.knownIds.dana.locationId);
    await page.getByRole('combobox', { name: 'Search clients' }).fill('Marcus');
    await expect(page.getByText(/licence has expired/i).first()).toBeVisible();
    await expect(page.getByText('Altegio said: "Необходимо продлить лицензию"').first()).toBeVisible();
  } finally {
    await clearKeychainFor(sandbox.url);
  }
});
