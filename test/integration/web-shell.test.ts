/**
 * The web shell must not be an open door: secret cookie, the tab key header on the API, Host and
 * Origin checks, loopback only, CSP on every answer, contract validation. Real sockets, real HTTP.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebShell, type WebShell } from '../../main/web/server';
import { createEventHub } from '../../main/core/events';
import type { Handlers } from '../../main/core/dispatch';
import { DeskFailure } from '../../main/core/errors';
import { msg } from '../../common/i18n/translate';
import { createHttpDesk } from '../../renderer/src/lib/desk';

const rendererDir = mkdtempSync(join(tmpdir(), 'desk-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'desk-secret.txt'), 'outside the renderer folder');

const events = createEventHub();
/** What `batch.open` received, for the bytes test. */
const opened: Array<{ fileName: string; bytes: Uint8Array }> = [];
const handlers = {
  'batch.open': async (args: { fileName: string; bytes: Uint8Array }) => {
    opened.push(args);
    return { fileId: 'file-000001', fileName: args.fileName, size: args.bytes.byteLength };
  },
  'memberships.get': async ({ membershipId }: { membershipId: number }) => {
    throw new DeskFailure('not_found', msg('error.app.membershipNotFound', { id: membershipId }));
  },
} as unknown as Handlers;

/** What the page gets for memberships.get of membership 2: the failure, its English and its words by reference. */
const NOT_FOUND_2 = { kind: 'not_found', code: 'error.app.membershipNotFound', origin: 'app', message: 'Membership 2 was not found in this chain. It may have been deleted, or it belongs to another chain.', msg: { key: 'error.app.membershipNotFound', params: { id: 2 } } };

let shell: WebShell;
let cookie = '';
/** The start URL's fragment key, sent as `x-desk-key` (the fragment never reaches the server). */
let key = '';
/** Every answer the shell gave in this file: none may carry the key back. */
const answers: Answer[] = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; port?: number; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: options.host ?? '127.0.0.1', port: options.port ?? shell.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          const answer = { status: res.statusCode ?? 0, headers: res.headers, body };
          answers.push(answer);
          resolve(answer);
        });
      },
    );
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

beforeAll(async () => {
  shell = await startWebShell({ handlers, events, rendererDir });
  const start = new URL(shell.url);
  key = new URLSearchParams(start.hash.slice(1)).get('t') ?? '';
  const answer = await send(start.pathname + start.search);
  expect(answer.status).toBe(302);
  // No fragment in Location: the browser keeps the start URL's `#t=` across the redirect.
  expect(answer.headers.location).toBe('/');
  const setCookie = answer.headers['set-cookie']?.[0] ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  cookie = setCookie.split(';')[0] ?? '';
});

afterAll(async () => {
  await shell.close();
});

describe('web shell', () => {
  it('binds to 127.0.0.1 only', async () => {
    expect(new URL(shell.url).hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: external.address, port: shell.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });

  it('refuses requests without the secret', async () => {
    const refused = await send('/');
    expect(refused.status).toBe(403);
    expect(refused.body).toBe('This tab is not connected to Membership Desk. Open the address printed when it started.');
    // The person who opened it sees why in their browser's language.
    expect((await send('/', { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' } })).body).toBe('Эта вкладка не подключена к Membership Desk. Откройте адрес, показанный при запуске.');
    expect((await send('/', { headers: { 'accept-language': 'pt-PT;q=1' } })).body).toMatch(/^Esta aba não está conectada/);
    expect((await send('/rpc/memberships.get', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await send('/?k=wrong')).status).toBe(403);
  });

  it('serves the app with the cookie, with the CSP header', async () => {
    const answer = await send('/', { headers: { cookie } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<title>desk</title>');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const answer = await send('/', { headers: { cookie, host: `evil.example:${shell.port}` } });
    expect(answer.status).toBe(403);
  });

  it('refuses a foreign Origin', async () => {
    const answer = await send('/rpc/memberships.get', {
      method: 'POST',
      headers: { cookie, 'x-desk-key': key, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ chainId: 1, membershipId: 2 }),
    });
    expect(answer.status).toBe(403);
  });

  it('runs the contract with validation and errors as data', async () => {
    const post = (body: string) =>
      send('/rpc/memberships.get', { method: 'POST', headers: { cookie, 'x-desk-key': key, origin: shell.origin, 'content-type': 'application/json' }, body });
    const ok = JSON.parse((await post(JSON.stringify({ chainId: 1, membershipId: 2 }))).body);
    expect(ok).toEqual({ ok: false, error: NOT_FOUND_2 });
    const bad = JSON.parse((await post(JSON.stringify({ chainId: -1, membershipId: 'x' }))).body);
    expect(bad.ok).toBe(false);
    expect(bad.error.kind).toBe('bad_input');
    const garbage = JSON.parse((await post('{not json')).body);
    expect(garbage.error.kind).toBe('bad_input');
    const unknown = await send('/rpc/os.exec', { method: 'POST', headers: { cookie, 'x-desk-key': key, 'content-type': 'application/json' }, body: '{}' });
    expect(JSON.parse(unknown.body).error.kind).toBe('bad_input');
  });

  it('takes a file as the raw request body (no base64), through the renderer\'s own transport', async () => {
    const desk = createHttpDesk({ base: shell.origin, key, fetch: (url, init) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } }) });
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff); // every byte value, also 0x00 and 0xff
    const reply = await desk.invoke('batch.open', { fileName: 'остатки март.csv', bytes });
    expect(reply).toEqual({ ok: true, value: { fileId: 'file-000001', fileName: 'остатки март.csv', size: 70_000 } });
    const got = opened.at(-1);
    expect(got?.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);

    // The argument is still validated by the contract: an unknown extra field is refused.
    const headers = { cookie, 'x-desk-key': key, 'content-type': 'application/octet-stream', 'x-desk-bytes': 'bytes' };
    const extra = await send('/rpc/batch.open', { method: 'POST', headers: { ...headers, 'x-desk-args': encodeURIComponent(JSON.stringify({ fileName: 'a.csv', path: '/etc' })) }, body: 'x' });
    expect(JSON.parse(extra.body)).toMatchObject({ ok: false, error: { kind: 'bad_input' } });
    // A bytes field name that is not a plain name, or args that are no object: refused as unreadable.
    for (const bad of [{ 'x-desk-bytes': '__proto__' }, { 'x-desk-args': encodeURIComponent('[1]') }, { 'x-desk-args': '%E0%A4%A' }]) {
      const answer = await send('/rpc/batch.open', { method: 'POST', headers: { ...headers, 'x-desk-args': encodeURIComponent('{"fileName":"a.csv"}'), ...bad }, body: 'x' });
      // Worded by the renderer in the person's language: the failure carries its message by reference.
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { kind: 'bad_input', code: 'shell.unreadable_request', origin: 'shell', msg: { key: 'error.shell.unreadableRequest' } } });
    }
    expect(opened).toHaveLength(1);
  });

  it('does not serve files outside the renderer folder', async () => {
    const answer = await send('/..%2f..%2fdesk-secret.txt', { headers: { cookie } });
    expect(answer.body).not.toContain('outside the renderer folder');
    expect((await send('/assets/app.js', { headers: { cookie } })).status).toBe(200);
    expect((await send('/assets/missing.js', { headers: { cookie } })).status).toBe(404);
  });

  it('streams core events to the page', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: shell.port, path: '/events', headers: { cookie, 'x-desk-key': key } }, (res) => {
        answers.push({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        let text = '';
        res.on('data', (c) => {
          text += c;
          if (text.includes('network.status')) {
            answers.at(-1)!.body = text;
            req.destroy();
            resolve(text);
          }
        });
        setTimeout(() => events.emit('network.status', { online: false }), 50);
      });
      req.on('error', reject);
      req.end();
    });
    expect(received).toContain('event: network.status');
    expect(received).toContain('"online":false');
  });

  // A cookie alone may have been replayed by another server on 127.0.0.1 (cookies ignore ports).
  it('refuses the API with the right cookie but no or a wrong key header', async () => {
    expect(key.length).toBeGreaterThanOrEqual(40);
    const rpc = (headers: Record<string, string>) =>
      send('/rpc/memberships.get', { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ chainId: 1, membershipId: 2 }) });
    const wrongSameLength = (key[0] === 'A' ? 'B' : 'A') + key.slice(1);
    const secret = cookie.slice(cookie.indexOf('=') + 1);
    const refused: Array<Record<string, string>> = [{}, { 'x-desk-key': '' }, { 'x-desk-key': wrongSameLength }, { 'x-desk-key': secret }, { 'x-desk-key': key + 'x' }];
    for (const headers of refused) {
      const answer = await rpc(headers);
      expect(answer.status).toBe(403);
      expect(answer.body).toBe('Forbidden');
    }
    expect((await send('/events', { headers: { cookie } })).status).toBe(403);
    expect((await send('/events', { headers: { cookie, 'x-desk-key': wrongSameLength } })).status).toBe(403);
    // The key without the cookie is not enough either.
    expect((await rpc({ cookie: '', 'x-desk-key': key })).status).toBe(403);
    // With both, it works.
    const ok = await rpc({ 'x-desk-key': key });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: false, error: NOT_FOUND_2 });
  });

  it('serves the static app with the cookie alone (it holds no data)', async () => {
    expect((await send('/', { headers: { cookie } })).status).toBe(200);
    expect((await send('/assets/app.js', { headers: { cookie } })).status).toBe(200);
  });

  // Runs last: looks at every answer given above.
  it('never sends the key back: no answer body or header carries it', () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      expect(answer.body).not.toContain(key);
      expect(JSON.stringify(answer.headers)).not.toContain(key);
    }
  });
});

describe('web shell shutdown', () => {
  it('closes while a call is still waiting for its answer (it used to wait for that call to end)', async () => {
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((r) => (entered = r));
    const waiting = {
      // A call that waits on Altegio forever.
      'memberships.get': () => {
        entered();
        return new Promise(() => {});
      },
    } as unknown as Handlers;
    const other = await startWebShell({ handlers: waiting, events: createEventHub(), rendererDir });
    const start = new URL(other.url);
    const tabKey = new URLSearchParams(start.hash.slice(1)).get('t') ?? '';
    const first = await fetch(`${start.origin}${start.pathname}${start.search}`, { redirect: 'manual' });
    const tabCookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const call = fetch(`${start.origin}/rpc/memberships.get`, {
      method: 'POST',
      headers: { cookie: tabCookie, 'x-desk-key': tabKey, 'content-type': 'application/json' },
      body: JSON.stringify({ chainId: 1, membershipId: 2 }),
    }).then(
      () => 'answered',
      () => 'cut',
    );
    await inFlight;
    await other.close();
    expect(await call).toBe('cut');
  });
});
