/**
 * The web shell: the built renderer and the contract over HTTP on loopback, for machines where
 * Electron's runtime cannot run and for the end-to-end tests. Same handlers, same validation as
 * the Electron shell (`dispatch`).
 *
 * It must not be an open door on the machine:
 *  - binds to 127.0.0.1 only;
 *  - a per-run secret travels once in the start URL (`/?k=<secret>`), becomes an HttpOnly,
 *    SameSite=Strict cookie, and every other request must carry it;
 *  - cookies ignore ports, so the browser would also hand that cookie to any other server on
 *    127.0.0.1 it visits. So a second per-run secret travels in the start URL's fragment
 *    (`#t=<key>`: never sent to a server, kept by the browser across our 302), the page keeps it in
 *    sessionStorage (per tab, per origin including the port) and sends it as `X-Desk-Key` on every
 *    contract call and the event stream (a fetch, not EventSource, so it can carry the header).
 *    Static files stay cookie-only: they hold no data;
 *  - `Host` must be this loopback origin (defeats DNS rebinding) and `Origin`, when sent, too
 *    (defeats cross-site requests from other pages in the same browser);
 *  - the same CSP as the Electron window;
 *  - limits, so nobody on the machine can starve the real tab (no secret is needed to connect):
 *    at most `maxConnections` sockets, and when a new one arrives at the cap the oldest socket
 *    with no request under way (idle or half-open) is closed to make room; headers must arrive
 *    within `headersTimeoutMs` and a whole request within `requestTimeoutMs` (the event stream's
 *    long answer is not a request being received, so it is not cut).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { dispatch, type Handlers } from '../core/dispatch';
import { DeskFailure } from '../core/errors';
import { msg } from '../../common/i18n/translate';
import { pickLanguage } from '../../common/i18n/languages';
import { wordsIn } from '../core/words';
import type { EventHub } from '../core/events';
import type { Logger } from '../core/log';
import { CONTENT_SECURITY_POLICY } from '../core/csp';

export interface WebShellOptions {
  handlers: Handlers;
  events: EventHub;
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  log?: Logger;
  /** Largest accepted request body; a CSV file travels as the raw body of one call (`batch.open`). */
  maxBodyBytes?: number;
  /** Fixed secret (tests); random per run otherwise. */
  secret?: string;
  /** Open sockets at most (a browser uses about 6 per site). Default 256. */
  maxConnections?: number;
  /** A request's headers must arrive within this. Default 10 s. */
  headersTimeoutMs?: number;
  /** A whole request (a CSV upload included) must arrive within this. Default 120 s. */
  requestTimeoutMs?: number;
}

/** The request header carrying the start URL's fragment key (`#t=`) on every API request. */
export const KEY_HEADER = 'x-desk-key';
/**
 * A call whose argument holds bytes (a file) sends them as the raw body (`application/octet-stream`,
 * no base64: a 50 MB file stays 50 MB), the rest of the argument as JSON in `X-Desk-Args`
 * (percent-encoded) and the name of the bytes' field in `X-Desk-Bytes`.
 */
export const ARGS_HEADER = 'x-desk-args';
export const BYTES_FIELD_HEADER = 'x-desk-bytes';

export interface WebShell {
  /** Start URL, carrying both secrets (`/?k=<cookie secret>#t=<header key>`). */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'desk_key';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function secretsEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Every value of the cookie `name`: another server on 127.0.0.1 (cookies ignore ports) can set its
 * own `desk_key`, and the browser may send that one first.
 */
function readCookies(req: IncomingMessage, name: string): string[] {
  const header = req.headers.cookie;
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
    if (values.length >= 16) break;
  }
  return values;
}

function baseHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/** The browser's languages from `Accept-Language` ("ru-RU,ru;q=0.9,en;q=0.8"), in its order. */
function acceptedLanguages(req: IncomingMessage): string[] {
  return (req.headers['accept-language'] ?? '').split(',').map((part) => part.split(';')[0]?.trim() ?? '').filter((tag) => tag !== '');
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message);
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The call's argument: a JSON body, or bytes with the rest in headers (see ARGS_HEADER). */
async function readArgs(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/octet-stream')) {
    const field = req.headers[BYTES_FIELD_HEADER];
    const rest = req.headers[ARGS_HEADER];
    if (typeof field !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(field)) throw new SyntaxError('bytes field');
    const args: unknown = typeof rest === 'string' && rest.length > 0 ? JSON.parse(decodeURIComponent(rest)) : {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new SyntaxError('args');
    const body = await readBody(req, limit);
    // A view of exactly the body's bytes (a Buffer may sit in a larger shared pool).
    return { ...args, [field]: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  }
  const text = (await readBody(req, limit)).toString('utf8');
  return text.length === 0 ? {} : JSON.parse(text);
}

export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  // Independent of the cookie secret: whoever replays a leaked cookie still lacks this one.
  const headerKey = randomBytes(32).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const maxBody = options.maxBodyBytes ?? 100 * 1024 * 1024;
  const log = options.log;
  let origin = '';
  let allowedHosts: string[] = [];
  let allowedOrigins: string[] = [];
  const sseClients = new Set<ServerResponse>();

  const unsubscribe = options.events.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const client of sseClients) client.write(frame);
  });

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return refuse(res, 400, 'Bad path');
    }
    const target = normalize(join(rendererDir, rel));
    if (target !== rendererDir && !target.startsWith(rendererDir + sep)) return refuse(res, 403, 'Forbidden');
    let file = target;
    try {
      const info = await stat(file);
      if (info.isDirectory()) file = join(file, 'index.html');
    } catch {
      // Unknown paths fall back to the app (client-side navigation), assets do not.
      if (extname(rel) !== '') return refuse(res, 404, 'Not found');
      file = join(rendererDir, 'index.html');
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'private, max-age=3600',
      });
      res.end(body);
    } catch {
      refuse(res, 404, 'Not found');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    baseHeaders(res);
    const host = req.headers.host ?? '';
    if (!allowedHosts.includes(host)) return refuse(res, 403, 'Forbidden host');
    const requestOrigin = req.headers.origin;
    if (requestOrigin !== undefined && !allowedOrigins.includes(requestOrigin)) return refuse(res, 403, 'Forbidden origin');
    const url = new URL(req.url ?? '/', `http://${host}`);

    // The start URL: trade the secret for a cookie, then drop it from the address bar. The
    // Location has no fragment, so the browser keeps the start URL's `#t=` for the page to take.
    const offered = url.searchParams.get('k');
    if (req.method === 'GET' && url.pathname === '/' && offered !== null) {
      if (!secretsEqual(offered, secret)) return refuse(res, 403, 'Wrong key');
      res.writeHead(302, {
        'Set-Cookie': `${COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
        'Cache-Control': 'no-store',
      });
      return void res.end();
    }
    if (!readCookies(req, COOKIE).some((cookie) => secretsEqual(cookie, secret))) {
      // A person opened the shell's address without its key (a bookmark, another browser): say so in their language.
      return refuse(res, 403, wordsIn(pickLanguage(acceptedLanguages(req))).t('shell.notThisTab'));
    }

    // The API needs the tab's key as well; a cookie alone may have been replayed from elsewhere.
    const api = url.pathname.startsWith('/rpc/') || url.pathname === '/events';
    if (api) {
      const key = req.headers[KEY_HEADER];
      if (typeof key !== 'string' || !secretsEqual(key, headerKey)) return refuse(res, 403, 'Forbidden');
    }

    if (url.pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return refuse(res, 405, 'Use POST');
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('application/json') && !type.startsWith('application/octet-stream')) return refuse(res, 415, 'Use JSON');
      let args: unknown;
      try {
        args = await readArgs(req, maxBody);
      } catch (e) {
        const words = msg(e instanceof BodyTooLarge ? 'error.shell.tooLarge' : 'error.shell.unreadableRequest');
        return sendJson(res, 200, { ok: false, error: new DeskFailure('bad_input', words, { code: 'shell.unreadable_request', origin: 'shell' }).toData() });
      }
      const channel = url.pathname.slice('/rpc/'.length);
      return sendJson(res, 200, await dispatch(options.handlers, channel, args, log));
    }

    if (url.pathname === '/events') {
      if (req.method !== 'GET') return refuse(res, 405, 'Use GET');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    return serveStatic(res, url.pathname);
  }

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server: Server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, options.requestTimeoutMs ?? 120_000),
      // How often Node looks for requests past those timeouts (30 s by default).
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (req, res) => {
      const socket = sockets.get(req.socket);
      if (socket) {
        socket.requests++;
        res.once('close', () => socket.requests--);
      }
      handle(req, res).catch((e: unknown) => {
        log?.error('web shell request failed', { error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) refuse(res, 500, 'Internal error');
        else res.end();
      });
    },
  );

  // Oldest first (a Map keeps insertion order). `requests`: answers under way on that socket.
  const sockets = new Map<Socket, { requests: number }>();
  const cap = Math.max(8, options.maxConnections ?? 256);
  server.on('connection', (socket: Socket) => {
    if (sockets.size >= cap) {
      let victim: Socket | null = null;
      for (const [s, state] of sockets) {
        if (state.requests === 0) {
          victim = s;
          break;
        }
      }
      if (victim === null) {
        socket.destroy(); // every socket is busy answering: the newcomer waits for a retry
        return;
      }
      sockets.delete(victim);
      victim.destroy();
    }
    sockets.set(socket, { requests: 0 });
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  allowedOrigins = allowedHosts.map((h) => `http://${h}`);

  return {
    url: `${origin}/?k=${secret}#t=${headerKey}`,
    origin,
    port,
    async close() {
      unsubscribe();
      for (const client of sseClients) client.end();
      sseClients.clear();
      // close() calls back only when every connection has ended: end them now, or a request still
      // in flight (a call waiting on Altegio) holds the shutdown open.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
