/**
 * Steps a person takes again and again, written the way they see the screen: by role and label.
 */
import { expect, type Locator, type Page } from '@playwright/test';

export const DOWNTOWN = 'Northside Fitness — Downtown';

/** Seeded client Dana Whitfield (3310455 at Downtown) and her memberships, by type title. */
export const DANA = {
  name: 'Dana Whitfield',
  phone: '+15125550142',
  /** 4471900: per-service, freezable 14 days (4 used), Pilates group 7 visits left. */
  perServiceFreezable: 'Pilates 10-pack / 3 months',
  /** 4471901: united, freezable 2 weeks. */
  unitedWeeks: 'Gym monthly — 12 visits',
  /** 4471902: the type forbids freezing. */
  notFreezable: 'Drop-in 5 classes',
  /** 4471903: frozen now. */
  frozen: 'Any group class — 20 visits',
};

export async function chooseLocation(page: Page, title = DOWNTOWN): Promise<void> {
  const picker = page.getByLabel('Location', { exact: true });
  await picker.selectOption({ label: title });
  await expect(picker.locator('option:checked')).toHaveText(title);
  await expect(page.getByRole('combobox', { name: 'Search clients' })).toBeVisible();
}

export function searchBox(page: Page): Locator {
  return page.getByRole('combobox', { name: 'Search clients' });
}

export function results(page: Page): Locator {
  return page.getByRole('listbox', { name: 'Clients found' });
}

/** Types into "Search clients" and waits for the client in "Clients found". */
export async function searchClient(page: Page, query: string, name = DANA.name): Promise<Locator> {
  await searchBox(page).fill(query);
  const option = results(page).getByRole('option', { name: new RegExp(name) });
  await expect(option.first()).toBeVisible();
  return option.first();
}

/** Search → open the client → the list of their memberships. */
export async function openClient(page: Page, query: string, name = DANA.name): Promise<Locator> {
  const option = await searchClient(page, query, name);
  await option.click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
  const list = page.getByRole('list', { name: 'Memberships' });
  await expect(list.getByRole('button').first()).toBeVisible();
  return list;
}

/** The client's membership of this type in the list. */
export function membershipRow(page: Page, typeTitle: string): Locator {
  return page.getByRole('list', { name: 'Memberships' }).getByRole('button').filter({ hasText: typeTitle });
}

/** Opens a membership (by its type title) from the client's list; returns its card. */
export async function openMembership(page: Page, typeTitle: string): Promise<Locator> {
  await membershipRow(page, typeTitle).click();
  const opened = card(page);
  await expect(opened).toBeVisible();
  await expect(opened.getByText(typeTitle, { exact: true })).toBeVisible();
  return opened;
}

/** The open membership card ("Membership № …"). */
export function card(page: Page): Locator {
  return page.getByRole('article', { name: /^Membership № / });
}

export function cardSection(cardLocator: Locator, heading: string): Locator {
  return cardLocator.getByRole('region', { name: heading });
}

/** The text of one fact in the card's "Dates" list (e.g. "Expires", "Frozen"). */
export function fact(cardLocator: Locator, term: string): Locator {
  return cardLocator.locator('dl div').filter({ has: cardLocator.page().getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }) }).getByRole('definition');
}

/** A notice after a change (bottom right), named "Membership № … (type): what happened". */
export function notice(page: Page, name: RegExp | string): Locator {
  return page.getByRole('region', { name: 'Notifications' }).getByRole('status', { name });
}
