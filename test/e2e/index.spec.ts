/**
 * Issue 11: the membership index in the real UI against a sandbox. Read the chain's memberships
 * (progress, then "as of HH:MM"), type a membership number → the card opens; the client seen with
 * a membership is shown with its number afterwards.
 */
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, card, chooseLocation, openClient, results, searchBox } from './helpers';
import { clearKeychainFor, fetchSandbox, setPartnerToken, signIn, signedInToAllMemberships, userTokenOf } from './session-helpers';
import { addDays, todayIn } from '../../common/dates';

test.use({ shellMode: 'sandbox' });

test.afterEach(async ({ sandbox }) => {
  await clearKeychainFor(sandbox.url);
});

test('read the chain → type a membership number → its card opens; a client seen with it is shown', async ({ app: page, sandbox }) => {
  const alex = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, alex.password);
  await chooseLocation(page, DOWNTOWN);

  const bar = page.getByRole('region', { name: 'Membership numbers' });
  await expect(bar.getByText(/not searchable yet/)).toBeVisible();
  await bar.getByRole('button', { name: 'Read memberships' }).click();
  await expect(bar.getByText(/memberships? of this chain, as of \d\d:\d\d\./)).toBeVisible({ timeout: 60_000 });
  await expect(bar.getByRole('button', { name: 'Refresh' })).toBeVisible();

  // A Tokyo membership, typed at Downtown: the index covers every location of the chain.
  const tokyo = sandbox.control.getMembership(sandbox.control.knownIds.memberships.tokyoFreezable);
  const number = String(tokyo.number);

  await searchBox(page).fill(number);
  const option = results(page).getByRole('option', { name: new RegExp(`№ ${number}`) });
  await expect(option).toBeVisible();
  await expect(option).toContainText('Membership');
  await expect(option).toContainText('client unknown');
  await searchBox(page).press('Enter');
  await expect(card(page)).toHaveAccessibleName(`Membership № ${number}`);
  await expect(page.getByText('client unknown', { exact: true })).toBeVisible();

  // Dana's memberships, once seen through her, come with her name when found by number.
  await openClient(page, 'Dana');
  const danas = sandbox.control.getMembership(sandbox.control.knownIds.memberships.danaUnitedWeeks);
  await searchBox(page).fill(String(danas.number));
  const hers = results(page).getByRole('option', { name: new RegExp(`№ ${String(danas.number)}`) });
  await expect(hers).toContainText(DANA.name);
  await hers.click();
  await expect(card(page)).toHaveAccessibleName(`Membership № ${String(danas.number)}`);
  await expect(page.getByRole('heading', { level: 2, name: DANA.name })).toBeVisible();
});

test('worklist "expiring in 14 days" shows exactly the sandbox\'s memberships; a row opens its card', async ({ app: page, sandbox }) => {
  const alex = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, alex.password);
  await chooseLocation(page, DOWNTOWN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Worklists' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Worklists' })).toBeVisible();
  const bar = page.getByRole('region', { name: 'Membership numbers' });
  await bar.getByRole('button', { name: 'Read memberships' }).click();
  await expect(bar.getByText(/of this chain, as of \d\d:\d\d\./)).toBeVisible({ timeout: 60_000 });

  // What the sandbox holds: active memberships whose expiry day is today … today + 14 (Downtown's days).
  const token = await userTokenOf(sandbox, alex.login, alex.password);
  const north = sandbox.control.knownIds.chains.northside;
  type Wire = { number: string; status: { slug: string }; expiration_date: string | null };
  const all: Wire[] = [];
  for (let page = 1; ; page++) {
    const res = await fetchSandbox(`${sandbox.url}/v1/chain/${north}/loyalty/abonements?count=200&page=${page}`, {
      headers: { Accept: 'application/vnd.api.v2+json', Authorization: `Bearer ${sandbox.partnerToken}, User ${token}` },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const data = ((await res.json()) as { data: Wire[] }).data;
    all.push(...data);
    if (data.length < 200) break;
  }
  const today = todayIn(new Date(), 'America/Chicago');
  const until = addDays(today, 14);
  const expected = all
    .filter((m) => m.status.slug === 'active' && m.expiration_date !== null && m.expiration_date.slice(0, 10) >= today && m.expiration_date.slice(0, 10) <= until)
    .map((m) => `№ ${m.number}`)
    .sort();
  expect(expected.length).toBeGreaterThan(0);

  const expiring = page.getByRole('button', { name: /^Expiring soon/ });
  await expect(expiring).toHaveAttribute('aria-pressed', 'true');
  await expect(expiring).toContainText(String(expected.length));
  await expect(page.getByLabel('Within days')).toHaveValue('14');
  const table = page.getByRole('table', { name: 'Memberships in this list' });
  const numbers = table.getByRole('row').getByRole('button', { name: /^Open membership/ });
  await expect(numbers).toHaveCount(expected.length);
  expect((await numbers.allInnerTexts()).map((t) => t.trim()).sort()).toEqual(expected);

  // Sortable: by number, then the first row opens its card on the desk.
  await table.getByRole('button', { name: 'Number' }).click();
  await expect(table.getByRole('columnheader', { name: /Number/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(numbers.first()).toHaveText(expected[0]!);
  await numbers.first().click();
  await expect(card(page)).toHaveAccessibleName(`Membership ${expected[0]}`);
});

test('"Forget this chain\'s data" asks in the app\'s own dialog; keeping changes nothing, forgetting empties the index', async ({ app: page, sandbox }) => {
  const alex = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, alex.password);
  await chooseLocation(page, DOWNTOWN);
  const bar = page.getByRole('region', { name: 'Membership numbers' });
  await bar.getByRole('button', { name: 'Read memberships' }).click();
  await expect(bar.getByText(/of this chain, as of \d\d:\d\d\./)).toBeVisible({ timeout: 60_000 });
  // No browser confirm() may appear: a native dialog would fail the test.
  page.on('dialog', (d) => {
    throw new Error(`a browser dialog appeared: ${d.message()}`);
  });

  await bar.getByRole('button', { name: 'Forget this chain’s data' }).click();
  const dialog = page.getByRole('dialog', { name: 'Forget this chain’s data on this PC?' });
  await expect(dialog).toContainText('Nothing changes in Altegio');
  await dialog.getByRole('button', { name: 'Keep the data' }).click();
  await expect(dialog).toBeHidden();
  await expect(bar.getByText(/of this chain, as of/)).toBeVisible();

  await bar.getByRole('button', { name: 'Forget this chain’s data' }).click();
  await dialog.getByRole('button', { name: 'Forget the data' }).click();
  await expect(dialog).toBeHidden();
  await expect(bar.getByText(/not searchable yet/)).toBeVisible();
  await expect(bar.getByRole('button', { name: 'Read memberships' })).toBeVisible();
});

test('"client unknown" offers "Find the client": a worklist row learns its client; a card whose client cannot be found says so and points to the search box', async ({ app: page, sandbox }) => {
  await signedInToAllMemberships(page, sandbox);

  const known = sandbox.control.knownIds.memberships;
  const numberOf = (id: number) => String(sandbox.control.getMembership(id)['number']);
  const danas = numberOf(known.danaUnitedWeeks);
  await page.getByLabel('Filter (number, type, client)').fill(danas);
  const table = page.getByRole('table', { name: 'Memberships in this list' });
  const row = table.getByRole('row').filter({ has: page.getByRole('button', { name: `Open membership № ${danas}` }) });
  await expect(row).toContainText('client unknown');
  await row.getByRole('button', { name: `Find the client of membership № ${danas}` }).click();
  await expect(row).toContainText(DANA.name);
  await expect(row).not.toContainText('client unknown');
  await expect(row.getByRole('button', { name: /^Find the client/ })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('find-client-row.png') });

  // Jordan has no phone: the lookup cannot confirm a client, and says what to do instead.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Memberships' }).click();
  const jordans = numberOf(known.noPhoneClient);
  await searchBox(page).fill(jordans);
  await expect(results(page).getByRole('option', { name: new RegExp(`№ ${jordans}`) })).toBeVisible();
  await searchBox(page).press('Enter');
  await expect(card(page)).toHaveAccessibleName(`Membership № ${jordans}`);
  await expect(page.getByText('client unknown', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: `Find the client of membership № ${jordans}` }).click();
  await expect(page.getByRole('status').filter({ hasText: /^No client found/ })).toContainText('Search the client’s name or phone in the search box instead.');
  await page.screenshot({ path: test.info().outputPath('find-client-card.png') });
});
