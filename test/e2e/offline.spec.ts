/**
 * Issue 3, item 7 — offline. The network "goes away" by closing the sandbox the web shell talks to
 * and "comes back" by starting a new sandbox on the same port (its seed hands out the same user
 * tokens, so the session stays valid). The sandbox and the web shell are run by the test itself
 * (not the `shell` fixture), since both are stopped and started again mid-test.
 *
 * 1. Signed in, the server goes away: a search fails fast with a clear message (no endless
 *    "Searching…"), the header says Offline; the server comes back: the Offline mark clears by
 *    itself (the connectivity probe, no reload, no user action) and the search works.
 * 2. Offline start: signed in, the app and the server stop; the app starts again on the same data
 *    folder with nothing listening → the signed-in user and the remembered location are shown
 *    (tokens from the keychain, nothing fetched), a search says Offline; the server comes back →
 *    online again without a restart.
 */
import { rmSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { expect, startWebShellProcess, test, type WebShellProcess } from './fixtures';
import { DANA, DOWNTOWN, chooseLocation, results, searchBox } from './helpers';
import { clearKeychainFor, setPartnerToken, signIn } from './session-helpers';

/** What the search says when Altegio cannot be reached (lib/errors.ts, kind `offline`). */
const OFFLINE_LINE = /No connection to Altegio/;
/**
 * A search must give up within this: the 250 ms typing debounce plus the client's retries of a
 * network failure (3 backoffs of at most 0.5 + 1 + 2 s; a refused connection fails at once), with
 * room to spare. Measured: about 3 s.
 */
const FAIL_FAST_MS = 6_000;

const portOf = (sandbox: Sandbox) => Number(new URL(sandbox.url).port);
const offlineMark = (page: Page) => page.getByRole('banner').getByRole('status').filter({ hasText: 'Offline' });

interface Run {
  sandbox: Sandbox | null;
  shells: WebShellProcess[];
  serverUrl: string | null;
}

/** Starts a sandbox and a web shell pointed at it, signs in as the sandbox owner, picks Downtown. */
async function signedIn(page: Page, run: Run): Promise<{ sandbox: Sandbox; shell: WebShellProcess; name: string }> {
  const sandbox = await startSandbox();
  run.sandbox = sandbox;
  run.serverUrl = sandbox.url;
  const shell = await startWebShellProcess(['--api-base', sandbox.url]);
  run.shells.push(shell);
  const owner = sandbox.users[0];
  if (!owner) throw new Error('the sandbox should seed a user');

  await page.goto(shell.url);
  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, owner.login, owner.password);
  await expect(page.getByRole('banner').getByText(owner.name, { exact: true })).toBeVisible();
  await chooseLocation(page, DOWNTOWN);
  await expect(offlineMark(page)).toHaveCount(0);
  return { sandbox, shell, name: owner.name };
}

/** Types a search with the server gone: the offline message comes quickly and the header says Offline. */
async function searchFailsFastOffline(page: Page): Promise<void> {
  const started = Date.now();
  await searchBox(page).fill(DANA.name);
  const status = page.getByRole('status').filter({ hasText: OFFLINE_LINE });
  await expect(status).toBeVisible({ timeout: FAIL_FAST_MS });
  expect(Date.now() - started, 'the offline failure should come quickly').toBeLessThan(FAIL_FAST_MS);
  await expect(page.getByText('Searching…')).toHaveCount(0);
  await expect(offlineMark(page)).toBeVisible();
  await expect(results(page).getByRole('option')).toHaveCount(0);
}

/** The server is back: the mark clears on its own (probe every 5 s), then a search finds Dana. */
async function backOnlineByItself(page: Page): Promise<void> {
  // Marks this document: if the page were reloaded, the mark would be gone.
  await page.evaluate(() => ((window as { offlineSpecMark?: boolean }).offlineSpecMark = true));
  await expect(offlineMark(page)).toHaveCount(0, { timeout: 12_000 });
  expect(await page.evaluate(() => (window as { offlineSpecMark?: boolean }).offlineSpecMark), 'no reload').toBe(true);
  await searchBox(page).fill('');
  await searchBox(page).fill('Dana');
  await expect(results(page).getByRole('option', { name: new RegExp(DANA.name) })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: OFFLINE_LINE })).toHaveCount(0);
}

async function cleanUp(run: Run): Promise<void> {
  for (const shell of run.shells) {
    await shell.stop();
    rmSync(shell.dataDir, { recursive: true, force: true });
  }
  await run.sandbox?.close().catch(() => undefined);
  if (run.serverUrl) await clearKeychainFor(run.serverUrl);
}

test('the server goes away and comes back: fail fast, Offline shown, cleared by itself', async ({ page }) => {
  const run: Run = { sandbox: null, shells: [], serverUrl: null };
  try {
    const { sandbox } = await signedIn(page, run);
    const port = portOf(sandbox);

    await sandbox.close();
    run.sandbox = null;
    await searchFailsFastOffline(page);

    // The same page, no reload: the network returns.
    run.sandbox = await startSandbox({ port });
    await backOnlineByItself(page);
  } finally {
    await cleanUp(run);
  }
});

test('offline start: the signed-in profile opens from the keychain and the store, online again later', async ({ page }) => {
  const run: Run = { sandbox: null, shells: [], serverUrl: null };
  try {
    const { sandbox, shell, name } = await signedIn(page, run);
    const port = portOf(sandbox);

    // Quit the app, then lose the network; start the app again on the same data folder.
    await shell.stop();
    await sandbox.close();
    run.sandbox = null;
    const again = await startWebShellProcess(['--api-base', sandbox.url], shell.dataDir);
    run.shells.push(again);
    await page.goto(again.url);

    await expect(page.getByRole('banner').getByText(name, { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toHaveCount(0);
    await expect(page.getByLabel('Location', { exact: true }).locator('option:checked')).toHaveText(DOWNTOWN);
    await expect(searchBox(page)).toBeVisible();
    // Starting reads the store and the keychain only: not one request was tried.
    expect(again.logs.join('')).not.toMatch(/altegio: network failure/);

    await searchFailsFastOffline(page);
    await expect(page.getByRole('banner').getByText(name, { exact: true })).toBeVisible();
    // (The log line checked above is what a failed request leaves.)
    expect(again.logs.join('')).toMatch(/altegio: network failure/);

    run.sandbox = await startSandbox({ port });
    await backOnlineByItself(page);
  } finally {
    await cleanUp(run);
  }
});
