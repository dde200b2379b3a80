/**
 * The web shell must not be an open door: secret cookie, Host and Origin checks, loopback only,
 * CSP on every answer, contract validation. Real sockets, real HTTP.
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

const rendererDir = mkdtempSync(join(tmpdir(), 'desk-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'desk-secret.txt'), 'outside the renderer folder');

const events = createEventHub();
const handlers = {
  'memberships.get': async ({ membershipId }: { membershipId: number }) => {
    throw new DeskFailure('not_found', `No membership ${membershipId}.`);
  },
} as unknown as Handlers;

let shell: WebShell;
let cookie = '';

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
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
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
  const answer = await send(start.pathname + start.search);
  expect(answer.status).toBe(302);
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
    expect((await send('/')).status).toBe(403);
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
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ chainId: 1, membershipId: 2 }),
    });
    expect(answer.status).toBe(403);
  });

  it('runs the contract with validation and errors as data', async () => {
    const post = (body: string) =>
      send('/rpc/memberships.get', { method: 'POST', headers: { cookie, origin: shell.origin, 'content-type': 'application/json' }, body });
    const ok = JSON.parse((await post(JSON.stringify({ chainId: 1, membershipId: 2 }))).body);
    expect(ok).toEqual({ ok: false, error: { kind: 'not_found', message: 'No membership 2.' } });
    const bad = JSON.parse((await post(JSON.stringify({ chainId: -1, membershipId: 'x' }))).body);
    expect(bad.ok).toBe(false);
    expect(bad.error.kind).toBe('bad_input');
    const garbage = JSON.parse((await post('{not json')).body);
    expect(garbage.error.kind).toBe('bad_input');
    const unknown = await send('/rpc/os.exec', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(JSON.parse(unknown.body).error.kind).toBe('bad_input');
  });

  it('does not serve files outside the renderer folder', async () => {
    const answer = await send('/..%2f..%2fdesk-secret.txt', { headers: { cookie } });
    expect(answer.body).not.toContain('outside the renderer folder');
    expect((await send('/assets/app.js', { headers: { cookie } })).status).toBe(200);
    expect((await send('/assets/missing.js', { headers: { cookie } })).status).toBe(404);
  });

  it('streams core events to the page', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: shell.port, path: '/events', headers: { cookie } }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
          if (text.includes('network.status')) {
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
});
