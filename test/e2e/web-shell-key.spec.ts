/**
 * The web shell's second secret, in a real browser. Cookies ignore ports, so any other server on
 * 127.0.0.1 the browser visits receives the shell's cookie; the API also wants the tab key, which
 * arrives in the start URL's fragment (kept by the browser across the shell's 302), lives in the
 * tab's sessionStorage and travels as `x-desk-key`. Here: the key reaches the page and leaves the
 * address bar, a reload keeps working, a new tab on the bare address does not, and a cookie
 * captured by another local server is useless to replay.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures';

test.use({ shellMode: 'demo' });

function post(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

test('the tab key: from the fragment to a header, kept over a reload, absent from a new tab and from other ports', async ({ page, shell }) => {
  const key = new URLSearchParams(new URL(shell.url).hash.slice(1)).get('t') ?? '';
  expect(key.length).toBeGreaterThanOrEqual(40);

  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/events');
  await page.goto(shell.url);
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  // Neither secret stays in the address bar.
  expect(page.url()).toBe(`${shell.origin}/`);
  const events = await stream;
  expect(events.status()).toBe(200);
  expect(events.request().headers()['x-desk-key']).toBe(key);

  // A reload: the tab's sessionStorage still has the key.
  await page.reload();
  await expect(page.getByText('DEMO DATA')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // A new tab on the bare address has the cookie (same browser) but not the key.
  const other = await page.context().newPage();
  await other.goto(`${shell.origin}/`);
  await expect(other.getByRole('alert')).toContainText('This tab is not connected to Membership Desk');
  await expect(other.getByText('DEMO DATA')).toHaveCount(0);
  await other.close();

  // Another server on 127.0.0.1 (another port) receives the cookie, and nothing else of ours.
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const snoop = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.end('hello');
  });
  await new Promise<void>((r) => snoop.listen(0, '127.0.0.1', () => r()));
  try {
    const snoopPage = await page.context().newPage();
    await snoopPage.goto(`http://127.0.0.1:${(snoop.address() as AddressInfo).port}/`);
    await snoopPage.close();
    const cookie = seen[0]?.headers.cookie ?? '';
    expect(cookie, 'the browser sends the cookie to other ports (the reason for the key)').toMatch(/desk_key=/);
    expect(JSON.stringify(seen)).not.toContain(key);
    // Replayed with the right Host, the cookie alone is refused; with the key, it is accepted.
    expect(await post(`${shell.origin}/rpc/session.get`, { cookie })).toBe(403);
    expect(await post(`${shell.origin}/rpc/session.get`, { cookie, 'x-desk-key': key })).toBe(200);
  } finally {
    await new Promise((r) => snoop.close(r));
  }
});
