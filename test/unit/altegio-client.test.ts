import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../main/core/altegio/api';
import { createAltegioClient, type AltegioClientDeps } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createLogger } from '../../main/core/log';
import { failure } from '../support/failures';

// ------------------------------------------------------------------------------------------------
// A scriptable Altegio stand-in on a real socket

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}
type Reply = { status?: number; json?: unknown; raw?: string; headers?: Record<string, string>; drop?: boolean; delayMs?: number };
type Handler = (req: Seen) => Reply | Promise<Reply>;

let server: Server;
let port: number;
let handler: Handler;
let seen: Seen[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body: unknown;
      try {
        body = data ? JSON.parse(data) : undefined;
      } catch {
        body = data;
      }
      const s: Seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body };
      seen.push(s);
      const r = await handler(s);
      if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
      if (r.drop) {
        req.socket.destroy();
        return;
      }
      const text = r.raw ?? (r.json === undefined ? '' : JSON.stringify(r.json));
      res.writeHead(r.status ?? 200, { 'content-type': r.raw ? 'text/html' : 'application/json', ...r.headers });
      res.end(text);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});
beforeEach(() => {
  seen = [];
  handler = () => ({ status: 500, json: { success: false, data: null, meta: { message: 'no handler' } } });
});

const PARTNER = 'partner-tok-9f8e7d6c5b';
const USER = 'user-tok-1a2b3c4d5e6f';
const PASSWORD = 'pa55-Word-Secret';

const ok = (data: unknown, meta: unknown = []) => ({ status: 200, json: { success: true, data, meta } });

function setup(overrides: Partial<AltegioClientDeps> = {}, creds: Partial<Credentials> = {}) {
  const limiter = createRateLimiter({ perSecond: 1000, perMinute: 100_000, backoffBaseMs: 5, policy: { returnMs: 10 } });
  const lines: string[] = [];
  const network: boolean[] = [];
  let reached = true;
  const api = createAltegioClient({
    credentials: () => ({ baseUrl: `http://127.0.0.1:${port}/api/`, partnerToken: PARTNER, userToken: USER, ...creds }),
    limiter,
    log: createLogger((l) => lines.push(l)),
    retry: { attempts: 3, baseMs: 1, maxMs: 5 },
    // Records the transitions the transport reports to the app's Connectivity.
    connectivity: {
      online: () => reached,
      report: (r) => {
        if (r !== reached) network.push((reached = r));
      },
    },
    ...overrides,
  });
  return { api, limiter, lines, network };
}

function membership(id: number, over: Record<string, unknown> = {}) {
  return {
    id,
    number: String(500000 + id),
    is_frozen: false,
    freeze_period: 0,
    freeze_till: null,
    status: { id: 2, slug: 'active', title: 'Active' },
    is_united_balance: true,
    united_balance_services_count: 5,
    balance_container: { links: [] },
    type: { id: 30, salon_group_id: 70114, title: 'Ten visits', allow_freeze: true, freeze_limit: 14, freeze_limit_unit_id: 1 },
    ...over,
  };
}

// ------------------------------------------------------------------------------------------------

describe('requests', () => {
  it('sends the documented headers; /auth without the user part', async () => {
    const { api } = setup();
    handler = (r) => (r.path.endsWith('/auth') ? { status: 201, json: { success: true, data: { id: 9, user_token: 'new-token', name: 'Dana', login: 'dana' }, meta: [] } } : ok([]));
    const a = await api.auth('+15125550142', PASSWORD);
    expect(a).toEqual({ userToken: 'new-token', userId: 9, name: 'Dana', login: 'dana' });
    await api.chains();
    const [auth, groups] = seen;
    expect(auth!.path).toBe('/api/v1/auth');
    expect(auth!.method).toBe('POST');
    expect(auth!.body).toEqual({ login: '+15125550142', password: PASSWORD });
    expect(auth!.headers.authorization).toBe(`Bearer ${PARTNER}`);
    expect(auth!.headers.accept).toBe('application/vnd.api.v2+json');
    expect(auth!.headers['content-type']).toBe('application/json');
    expect(groups!.path).toBe('/api/v1/groups');
    expect(groups!.headers.authorization).toBe(`Bearer ${PARTNER}, User ${USER}`);
  });

  it('chains: asks /companies?my=1 only when a location lacks its time zone', async () => {
    const { api } = setup();
    const group = (tz?: string) => ({ id: 70114, title: 'Chain', companies: [{ id: 1, title: 'A', ...(tz ? { timezone_name: tz } : {}) }], access: { loyalty_access: '1' } });
    handler = (r) => (r.path.endsWith('/groups') ? ok([group('Europe/Berlin')]) : ok([]));
    expect((await api.chains())[0]!.locations[0]!.timezone).toBe('Europe/Berlin');
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/groups']);
    seen = [];
    handler = (r) => (r.path.endsWith('/groups') ? ok([group()]) : ok([{ id: 1, title: 'A', timezone_name: 'Asia/Tokyo' }]));
    expect((await api.chains())[0]!.locations[0]!.timezone).toBe('Asia/Tokyo');
    expect(seen.map((s) => `${s.path}?${s.query}`)).toEqual(['/api/v1/groups?', '/api/v1/companies?my=1']);
  });

  it('searchClients posts a quick_search; membershipsByPhone sends digits only', async () => {
    const { api } = setup();
    handler = (r) =>
      r.path.includes('clients/search') ? ok([{ id: 5, name: 'Dana', phone: '+1 512', card: '77' }], { total_count: 31 }) : ok([membership(1, { type: { id: 3, salon_group_id: 8 } })], { count: 1 });
    expect(await api.searchClients(512330, ' dana ')).toEqual({ clients: [{ id: 5, name: 'Dana', phone: '+1 512', card: '77' }], total: 31 });
    expect(seen[0]!.path).toBe('/api/v1/company/512330/clients/search');
    expect(seen[0]!.body).toMatchObject({ page: 1, page_size: 20, fields: ['id', 'name', 'phone', 'card'], filters: [{ type: 'quick_search', state: { value: 'dana' } }] });
    const ms = await api.membershipsByPhone(512330, '+1 (512) 555-0142');
    expect(ms.map((m) => [m.id, m.chainId])).toEqual([[1, 8]]);
    expect(seen[1]!.path).toBe('/api/v1/loyalty/abonements');
    expect(seen[1]!.query.get('company_id')).toBe('512330');
    expect(seen[1]!.query.get('phone')).toBe('15125550142');
  });

  it.each(['12-34', 'Dana', '+7 999 CALL-NOW', '1234567890123456'])('membershipsByPhone refuses %s with the one not-a-phone failure (as the memberships service does), sending nothing', async (phone) => {
    const { api } = setup();
    handler = () => ok([], { count: 0 });
    const refused = { kind: 'validation', code: 'app.not_a_phone', origin: 'app', msg: { key: 'error.app.notAPhone', params: { min: 7, max: 15 } }, fieldMsgs: { phone: { key: 'error.app.notAPhoneField' } } };
    await expect(api.membershipsByPhone(512330, phone)).rejects.toMatchObject(refused);
    expect(seen).toEqual([]);
  });

  it('membershipsByIds reads pages of 50 ids, keeps the order, omits missing ids', async () => {
    const { api } = setup();
    handler = (r) => ok(r.query.getAll('abonements_ids[]').map(Number).filter((id) => id % 7 !== 0).map((id) => membership(id)), { count: 0 });
    const ids = Array.from({ length: 120 }, (_, i) => 120 - i);
    const ms = await api.membershipsByIds(70114, [...ids, 5, 5]);
    expect(seen).toHaveLength(3);
    expect(seen.map((s) => s.query.getAll('abonements_ids[]').length).sort((a, b) => a - b)).toEqual([20, 50, 50]);
    for (const s of seen) {
      expect(s.path).toBe('/api/v1/chain/70114/loyalty/abonements');
      expect(s.query.get('page')).toBe('1');
      expect(s.query.get('count')).toBe(String(s.query.getAll('abonements_ids[]').length));
    }
    expect(ms.map((m) => m.id)).toEqual(ids.filter((id) => id % 7 !== 0));
    seen = [];
    expect(await api.membershipsByIds(70114, [])).toEqual([]);
    expect(seen).toHaveLength(0);
  });

  it('setBalance sends absolute united or per-service values', async () => {
    const { api } = setup();
    handler = () => ({ status: 200, raw: '' }); // set_balance may answer with no body
    await api.setBalance(70114, 1, { united: 6 });
    await api.setBalance(70114, 1, { services: [{ serviceId: 12840551, balance: 5 }] });
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/api/v1/chain/70114/loyalty/abonements/1/set_balance', { united_balance_services_count: 6 }],
      ['/api/v1/chain/70114/loyalty/abonements/1/set_balance', { services_balance_count: [{ service_id: 12840551, balance: 5 }] }],
    ]);
  });
});

describe('error kinds', () => {
  const cases: Array<[string, Reply, string, RegExp?]> = [
    ['401', { status: 401, json: { success: false, data: null, meta: { message: 'Authentication needed.' } } }, 'auth_expired', /sign-in has expired/],
    ['402', { status: 402, json: { success: false, meta: { message: 'Renew the licence for branch 512330' } } }, 'licence_expired'],
    ['403', { status: 403, json: { success: false, meta: { message: 'Access denied.' } } }, 'forbidden'],
    ['404', { status: 404, json: { success: false, meta: {} } }, 'not_found'],
    ['409', { status: 409, json: { success: false, meta: { message: 'Time is taken' } } }, 'conflict'],
    ['422', { status: 422, json: { success: false, meta: { message: 'An error occurred', errors: { '[filters]': ['bad'] } } } }, 'validation'],
    ['500', { status: 500, raw: '<html><body>oops</body></html>' }, 'server'],
    ['200 html', { status: 200, raw: '<!doctype html><p>captive portal</p>' }, 'server', /could not read/],
    ['200 malformed', { status: 200, raw: '{"success":true,"data":[' }, 'server', /could not read/],
    ['200 empty (read)', { status: 200, raw: '' }, 'server', /could not read/],
  ];
  for (const [name, reply, kind, message] of cases) {
    it(`${name} → ${kind}`, async () => {
      const { api } = setup();
      handler = () => reply;
      const f = await failure(api.searchClients(1, 'x'));
      expect(f.kind).toBe(kind);
      if (message) expect(f.message).toMatch(message);
    });
  }

  it("422 carries field errors under the contract's field keys", async () => {
    const { api } = setup();
    handler = () => ({ status: 422, json: { success: false, data: null, meta: { message: 'An error occurred', errors: { '[freeze_till]': ['Freeze period exceeds limit'] } } } });
    const f = await failure(api.freeze(70114, 1, '2026-05-20'));
    expect(f.toData()).toEqual({
      kind: 'validation',
      code: 'altegio.validation',
      origin: 'altegio',
      message: 'Freeze period exceeds limit',
      messageIsServers: true,
      fields: { freezeTill: 'Freeze period exceeds limit' },
      serverMessage: 'An error occurred',
    });
    expect(seen).toHaveLength(1);
  });

  it('wrong password on /auth → validation; partner token refused → forbidden; never retried on 5xx', async () => {
    const { api } = setup();
    handler = () => ({ status: 401, json: { success: false, data: null, meta: { message: 'Authentication needed.' } } });
    expect((await failure(api.auth('dana', PASSWORD))).toData()).toEqual({
      kind: 'validation',
      code: 'altegio.wrong_credentials',
      origin: 'altegio',
      message: 'Wrong login or password. Check them and try again.',
      msg: { key: 'error.code.wrongCredentials' },
      serverMessage: 'Authentication needed.',
    });
    handler = () => ({ status: 401, json: { success: false, meta: { message: 'Partner token is not valid' } } });
    expect((await failure(api.auth('dana', PASSWORD))).code).toBe('altegio.partner_token_refused');
    seen = [];
    handler = () => ({ status: 502, raw: 'bad gateway' });
    expect((await failure(api.auth('dana', PASSWORD))).kind).toBe('server');
    expect(seen).toHaveLength(1);
  });

  it('missing partner token → forbidden, missing user token → auth_expired, without any request', async () => {
    const noPartner = setup({}, { partnerToken: null });
    expect((await failure(noPartner.api.auth('dana', PASSWORD))).kind).toBe('forbidden');
    expect((await failure(noPartner.api.chains())).message).toMatch(/partner token/);
    const noUser = setup({}, { userToken: null });
    expect((await failure(noUser.api.chains())).kind).toBe('auth_expired');
    expect(seen).toHaveLength(0);
  });

  it('connection refused → offline, and network status goes false then true', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let base = `http://127.0.0.1:${deadPort}/api`;
    const { api, network } = setup({ credentials: () => ({ baseUrl: base, partnerToken: PARTNER, userToken: USER }) });
    const f = await failure(api.chains());
    expect(f.kind).toBe('offline');
    expect(network).toEqual([false]);
    base = `http://127.0.0.1:${port}/api`;
    handler = () => ok([]);
    await api.chains();
    await api.chains();
    expect(network).toEqual([false, true]);
  });

  it('a timeout → offline', async () => {
    const { api } = setup({ timeoutMs: 100, retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
    handler = () => ({ delayMs: 400, ...ok([]) });
    const f = await failure(api.chains());
    expect(f.kind).toBe('offline');
    expect(seen).toHaveLength(2);
  });

  it('never puts a token or the password in error messages or logs', async () => {
    const { api, lines } = setup();
    handler = (r) => ({
      status: r.path.endsWith('auth') ? 422 : 403,
      json: { success: false, meta: { message: `Refused ${String(r.headers.authorization)} ${JSON.stringify(r.body ?? '')}`, errors: { [USER]: PASSWORD } } },
    });
    const f1 = await failure(api.auth('dana', PASSWORD));
    const f2 = await failure(api.chains());
    handler = () => ({ drop: true });
    const f3 = await failure(api.chains());
    const text = JSON.stringify([f1.toData(), f2.toData(), f3.toData(), f1.message, f2.message, String(f3.cause ?? ''), lines]);
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [PARTNER, USER, PASSWORD]) expect(text).not.toContain(secret);
  });
});

describe('retries', () => {
  it('a call that starts while the app knows it is offline fails fast: one attempt', async () => {
    let online = false;
    const { api } = setup({ connectivity: { online: () => online, report: () => undefined } });
    handler = () => ({ drop: true });
    expect((await failure(api.chains())).kind).toBe('offline');
    expect(seen).toHaveLength(1);
    // Online (as far as the app knows): a dropped connection is retried as usual.
    online = true;
    seen.length = 0;
    expect((await failure(api.chains())).kind).toBe('offline');
    expect(seen).toHaveLength(3);
  });

  it('reads retry on 5xx and network drops, then succeed', async () => {
    const { api } = setup();
    let n = 0;
    handler = () => (++n === 1 ? { status: 503, raw: 'busy' } : n === 2 ? { drop: true } : ok([]));
    expect(await api.chains()).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it('an empty or HTML 200 on a read is retried', async () => {
    const { api } = setup();
    let n = 0;
    handler = () => (++n === 1 ? { status: 200, raw: '' } : n === 2 ? { status: 200, raw: '<html>portal</html>' } : ok([]));
    expect(await api.chains()).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it('gives up after the configured attempts with the last failure', async () => {
    const { api } = setup();
    handler = () => ({ status: 500, json: { success: false } });
    expect((await failure(api.membershipsByIds(1, [1]))).kind).toBe('server');
    expect(seen).toHaveLength(3);
  });

  it('429: penalizes the shared limiter (honouring Retry-After) and retries', async () => {
    const { api, limiter } = setup();
    let n = 0;
    handler = () => (++n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : ok([]));
    const t0 = performance.now();
    await api.chains();
    expect(performance.now() - t0).toBeLessThan(900);
    expect(limiter.stats().penalties).toBe(1);
    expect(seen).toHaveLength(2);
  });

  it("429 with a Retry-After date: measured from the server's Date header, not this PC's clock (3 hours behind here)", async () => {
    const { api } = setup();
    const serverNow = Math.floor(Date.now() / 1000) * 1000 + 3 * 3_600_000;
    handler = () => ({ status: 429, headers: { 'retry-after': new Date(serverNow + 1000).toUTCString(), date: new Date(serverNow).toUTCString() } });
    const f = await failure(api.chains());
    expect(f.kind).toBe('rate_limited');
    expect(f.retryAfterMs).toBe(1000);
  });

  it('429 to the end → rate_limited with retryAfterMs', async () => {
    const { api } = setup();
    handler = () => ({ status: 429, headers: { 'retry-after': '0' } });
    const f = await failure(api.chains());
    expect(f.kind).toBe('rate_limited');
    expect(f.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(seen).toHaveLength(3);
  });

  it('/auth is retried on 429 only', async () => {
    const { api } = setup();
    let n = 0;
    handler = () => (++n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 201, json: { success: true, data: { id: 1, user_token: 't' } } });
    expect((await api.auth('dana', PASSWORD)).userToken).toBe('t');
    expect(seen).toHaveLength(2);
    seen = [];
    handler = () => ({ drop: true });
    expect((await failure(api.auth('dana', PASSWORD))).kind).toBe('offline');
    expect(seen).toHaveLength(1);
  });

  it('setBalance: a 5xx is thrown as it is, sent once, nothing read (was: re-read and repeated by the client)', async () => {
    const { api } = setup();
    handler = (r) => (r.method === 'GET' ? ok([membership(1, { is_united_balance: true, united_balance_services_count: 9 })], { count: 1 }) : { status: 500, raw: '' });
    expect((await failure(api.setBalance(70114, 1, { united: 3 }))).kind).toBe('server');
    expect(seen.map((x) => `${x.method} ${x.path.split('/').at(-1)}`)).toEqual(['POST set_balance']);
  });
});

describe('writes: transport only (the runner decides whether a write landed)', () => {
  /** A tiny membership store: freeze/unfreeze change it; faults decide what the client sees. */
  function world(fault: (call: number) => 'none' | 'fail-before' | 'fail-after' | 'drop-after' | '429') {
    const state = { frozen: false, till: null as string | null };
    let writes = 0;
    handler = (r) => {
      if (r.method === 'GET') return ok([membership(1, { is_frozen: state.frozen, freeze_till: state.till })], { count: 1 });
      const f = fault(++writes);
      if (f === '429') return { status: 429, headers: { 'retry-after': '0' } };
      if (f === 'fail-before') return { status: 500, raw: 'oops' };
      const action = r.path.split('/').at(-1);
      if (action === 'freeze') {
        if (state.frozen) return { status: 400, json: { success: false, meta: { message: 'Subscription is already frozen' } } };
        state.frozen = true;
        state.till = `${(r.body as { freeze_till: string }).freeze_till}T23:59:59-05:00`;
      } else {
        if (!state.frozen) return { status: 400, json: { success: false, meta: { message: 'Subscription is not frozen' } } };
        state.frozen = false;
        state.till = null;
      }
      if (f === 'fail-after') return { status: 500, raw: 'oops' };
      if (f === 'drop-after') return { drop: true };
      return ok({ id: 1, is_frozen: state.frozen });
    };
    return state;
  }
  const calls = () => seen.map((s) => `${s.method} ${s.path.split('/').at(-1)}`);

  it('applied but answered 500: thrown as a server failure, sent once, not read back', async () => {
    const { api } = setup();
    const state = world((n) => (n === 1 ? 'fail-after' : 'none'));
    expect((await failure(api.freeze(70114, 1, '2026-05-20'))).kind).toBe('server');
    expect(state.frozen).toBe(true);
    expect(calls()).toEqual(['POST freeze']);
  });

  it('a dropped connection: offline, sent once', async () => {
    const { api } = setup();
    world((n) => (n === 1 ? 'drop-after' : 'none'));
    expect((await failure(api.freeze(70114, 1, '2026-05-20'))).kind).toBe('offline');
    expect(calls()).toEqual(['POST freeze']);
  });

  it('429 is retried (not processed), without a read', async () => {
    const { api } = setup();
    world((n) => (n === 1 ? '429' : 'none'));
    await api.freeze(70114, 1, '2026-05-20');
    expect(calls()).toEqual(['POST freeze', 'POST freeze']);
  });
});
