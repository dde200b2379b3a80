/**
 * Steps of a real sign-in against the sandbox, shared by the session and secrets tests.
 */
import { expect, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import type { Sandbox } from '../../main/sandbox/server';
import { DOWNTOWN, chooseLocation } from './helpers';

const KEYCHAIN_SERVICE = 'Membership Desk';

/** The user token the sandbox hands out now for these credentials (what the app was given). */
/** A test's own request to the rate-limited sandbox, often right after the app's reads: a 429 is
 *  waited out as the server says (Retry-After), as any client must; every other answer is returned. */
export async function fetchSandbox(url: string, init: RequestInit): Promise<Response> {
  for (;;) {
    const res = await fetch(url, init);
    if (res.status !== 429) return res;
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? '1')));
  }
}

export async function userTokenOf(sandbox: Sandbox, login: string, password: string): Promise<string> {
  const res = await fetchSandbox(`${sandbox.url}/v1/auth`, {
    method: 'POST',
    headers: { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: `Bearer ${sandbox.partnerToken}` },
    body: JSON.stringify({ login, password }),
  });
  const body = (await res.json()) as { data?: { user_token?: string } };
  if (!body.data?.user_token) throw new Error(`sandbox /auth answered ${res.status}`);
  return body.data.user_token;
}

/**
 * The secrets the app filed in the keychain (under its service name) for one server: its partner
 * token (`partner:<url>`) and its profiles' user tokens (`user:u<userId>-<sha256(url)[0..12]>`, or
 * `user:l<sha256(login)[0..12]>-…` when /auth gave no id).
 * Scoped to the server because the keyring outlives a test run and every sandbox seeds the same
 * tokens; each test's sandbox has its own port, so its own accounts.
 */
export async function keychainFor(serverUrl: string): Promise<Array<{ account: string; secret: string }>> {
  const keytar = (await import('keytar')).default;
  const hash = createHash('sha256').update(serverUrl).digest('hex').slice(0, 12);
  return (await keytar.findCredentials(KEYCHAIN_SERVICE))
    .filter((c) => c.account === `partner:${serverUrl}` || (/^user:[ul]/.test(c.account) && c.account.endsWith(`-${hash}`)))
    .map((c) => ({ account: c.account, secret: c.password }));
}

export async function setPartnerToken(page: Page, token: string): Promise<void> {
  const settings = page.getByRole('dialog', { name: 'Settings' });
  // On a loaded machine the first click can land while the start screen is still being replaced
  // (the dialog then never opens: CI at load ~6 failed here once); click again until it is open.
  await expect(async () => {
    if (!(await settings.isVisible())) await page.getByRole('button', { name: 'Settings' }).click();
    await expect(settings).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(settings.getByText('No partner token is saved yet.')).toBeVisible();
  await settings.getByLabel('Partner token').fill(token);
  await settings.getByRole('button', { name: 'Save partner token' }).click();
  await expect(settings.getByText('Partner token saved.')).toBeVisible();
  await expect(settings.getByText(`A partner token is saved (ends in …${token.slice(-4)}).`)).toBeVisible();
  await expect(settings.getByLabel('Partner token')).toHaveValue('');
  await expect(settings.getByRole('button', { name: 'Remove partner token' })).toBeEnabled();
  // Never shown back in full, anywhere on the page.
  expect(await page.content()).not.toContain(token);
  await settings.getByRole('button', { name: 'Close' }).click();
  await expect(settings).toBeHidden();
}

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Removes what the app left in the keychain for this server (tests that end signed in). */
export async function clearKeychainFor(serverUrl: string): Promise<void> {
  const keytar = (await import('keytar')).default;
  for (const { account } of await keychainFor(serverUrl)) await keytar.deletePassword(KEYCHAIN_SERVICE, account);
}

/** Worklists → "Read memberships" → wait for the "as of HH:MM" line → the "All memberships" list. */
export async function readChainToAllMemberships(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Worklists' }).click();
  const bar = page.getByRole('region', { name: 'Membership numbers' });
  await bar.getByRole('button', { name: 'Read memberships' }).click();
  await expect(bar.getByText(/of this chain, as of \d\d:\d\d\./)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: /^All memberships/ }).click();
}

/** The partner token, sign-in as the sandbox's first user, Downtown, then the chain read into "All memberships". */
export async function signedInToAllMemberships(page: Page, sandbox: Sandbox): Promise<void> {
  const user = sandbox.users[0]!;
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, user.login, user.password);
  await chooseLocation(page, DOWNTOWN);
  await readChainToAllMemberships(page);
}

/** Ticks each number in the worklist (the selection stays while the list is filtered), then opens the bulk actions. */
export async function selectAndOpenActions(page: Page, numbers: string[]): Promise<void> {
  const filter = page.getByLabel('Filter (number, type, client)');
  for (const number of numbers) {
    await filter.fill(number);
    const box = page.getByRole('checkbox', { name: `Select membership № ${number}` });
    await box.check();
    await expect(box).toBeChecked();
  }
  await expect(page.getByText(`${numbers.length} selected`)).toBeVisible();
  await page.getByRole('button', { name: 'Actions for the selection…' }).click();
}
