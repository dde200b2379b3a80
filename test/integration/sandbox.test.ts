/**
 * The sandbox over real HTTP on loopback: envelopes, auth, reads, the freeze/balance rules, rate
 * limit, token invalidation, fault injection and write statistics. A fixed clock makes every date
 * assertion exact; each test gets a fresh sandbox so writes do not leak between tests.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../main/sandbox/server';

const NOW = new Date('2026-03-10T15:00:00Z'); // 10:00 in Chicago (CDT), 00:00 on the 11th in Tokyo
const CHICAGO = 'America/Chicago';
const todayIn = (zone: string, now = NOW): DateTime => DateTime.fromJSDate(now).setZone(zone).startOf('day');
const dayPlus = (days: number, zone = CHICAGO): string => todayIn(zone).plus({ days }).toISODate() ?? '';

// Wire JSON is inspected loosely here, exactly as the server sent it (quirks included).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Answer {
  status: number;
  text: string;
  json: Json;
  headers: Headers;
}

class Api {
  token: string | null = null;
  constructor(readonly sb: Sandbox) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const auth = `Bearer ${this.sb.partnerToken}${this.token ? `, User ${this.token}` : ''}`;
    return { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: auth, ...extra };
  }

  async call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${this.sb.url}/v1${path}`, {
      method,
      headers: headers ?? this.headers(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, text, json, headers: res.headers };
  }

  get(path: string): Promise<Answer> {
    return this.call('GET', path);
  }

  post(path: string, body: unknown = {}): Promise<Answer> {
    return this.call('POST', path, body);
  }

  async signIn(login = this.sb.login, password = this.sb.password): Promise<this> {
    this.token = null;
    const r = await this.post('/auth', { login, password });
    if (r.status !== 201) throw new Error(`auth failed: ${r.status} ${r.text}`);
    this.token = r.json.data.user_token;
    return this;
  }

  async membership(chainId: number, id: number): Promise<Json> {
    const r = await this.get(`/chain/${chainId}/loyalty/abonements?abonements_ids[]=${id}&page=1&count=1`);
    expect(r.status).toBe(200);
    return r.json.data[0];
  }
}

let sb: Sandbox;
let api: Api;
const started: Sandbox[] = [];

async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const s = await startSandbox({ rate: null, now: () => NOW, ...options });
  started.push(s);
  return s;
}

beforeEach(async () => {
  sb = await sandbox();
  api = await new Api(sb).signIn();
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

const ids = () => sb.control.knownIds;
const NORTH = () => ids().chains.northside;
const LOTUS = () => ids().chains.lotus;
const freezePath = (chain: number, id: number, action: string) => `/chain/${chain}/loyalty/abonements/${id}/${action}`;

describe('headers and authentication', () => {
  it('requires the vnd.api Accept header', async () => {
    const r = await api.call('GET', '/groups', undefined, { ...api.headers(), Accept: 'application/json' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ success: false, data: null, meta: { message: expect.stringContaining('application/vnd.api.v2+json') } });
  });

  it('answers 401 without or with wrong tokens', async () => {
    const none = await api.call('GET', '/groups', undefined, { Accept: 'application/vnd.api.v2+json' });
    expect(none.status).toBe(401);
    expect(none.json.meta.message).toBe('Authentication needed.');

    const badPartner = await api.call('GET', '/groups', undefined, { ...api.headers(), Authorization: `Bearer nope, User ${api.token}` });
    expect(badPartner.status).toBe(401);
    expect(badPartner.json.meta.message).toMatch(/partner token/i);

    const badUser = await api.call('GET', '/groups', undefined, { ...api.headers(), Authorization: `Bearer ${sb.partnerToken}, User nope` });
    expect(badUser.status).toBe(401);

    const partnerOnly = await api.call('GET', '/groups', undefined, { ...api.headers(), Authorization: `Bearer ${sb.partnerToken}` });
    expect(partnerOnly.status).toBe(401);
  });

  it('signs in by phone or e-mail, returning the same current token; wrong password is 401', async () => {
    const anon = new Api(sb);
    const byPhone = await anon.post('/auth', { login: sb.login, password: sb.password });
    expect(byPhone.status).toBe(201);
    expect(byPhone.json).toMatchObject({ success: true, meta: [], data: { id: 884213, name: 'Alex Morgan', user_token: api.token } });
    const owner = sb.users[0]!;
    const byEmail = await anon.post('/auth', { login: owner.email.toUpperCase(), password: owner.password });
    expect(byEmail.json.data.user_token).toBe(api.token);

    const wrong = await anon.post('/auth', { login: sb.login, password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ success: false, data: null, meta: { message: 'Incorrect login or password' } });

    const missing = await anon.post('/auth', { login: sb.login });
    expect(missing.status).toBe(422);
    expect(missing.json.meta.errors).toHaveProperty('[password]');
  });

  it('accepts the comma-without-space Authorization form', async () => {
    const r = await api.call('GET', '/groups', undefined, { ...api.headers(), Authorization: `Bearer ${sb.partnerToken},User ${api.token}` });
    expect(r.status).toBe(200);
  });

  it('invalidateUserTokens makes old tokens 401 until the user signs in again', async () => {
    const old = api.token;
    sb.control.invalidateUserTokens(sb.login);
    const r = await api.get('/groups');
    expect(r.status).toBe(401);
    await api.signIn();
    expect(api.token).not.toBe(old);
    expect((await api.get('/groups')).status).toBe(200);
  });

  it('answers 404 with a message for unknown routes', async () => {
    const r = await api.get('/no/such/thing');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ success: false, data: null, meta: { message: expect.any(String) } });
  });
});

describe('reads', () => {
  it('lists chains with locations and access flags (some as strings, some zones missing)', async () => {
    const r = await api.get('/groups');
    expect(r.status).toBe(200);
    expect(r.json.meta).toEqual([]);
    const [north, lotus] = r.json.data;
    expect(north.title).toBe('Northside Fitness');
    expect(north.companies).toHaveLength(3);
    expect(north.companies[0].timezone_name).toBe('America/Chicago');
    expect(north.companies.some((c: Json) => c.timezone_name === undefined)).toBe(true);
    expect(north.access.loyalty_abonement_period_edit_access).toBe(1);
    expect(lotus.title).toBe('Lotus Yoga Studio');
    expect(lotus.access.loyalty_abonement_balance_edit_access).toBe('1');

    const companies = await api.get('/companies?my=1');
    expect(companies.json.data).toHaveLength(5);
    for (const c of companies.json.data) expect(c.timezone_name).toMatch(/^[A-Z][a-z]+\/[A-Za-z_]+$/);
    expect(companies.json.data.find((c: Json) => c.timezone_name === 'Asia/Tokyo').timezone).toBe(9);
  });

  it('the front-desk user has no balance right at Northside', async () => {
    const desk = await new Api(sb).signIn(sb.users[1]!.login, sb.users[1]!.password);
    const r = await desk.get('/groups');
    const north = r.json.data.find((c: Json) => c.id === NORTH());
    const lotus = r.json.data.find((c: Json) => Number(c.id) === LOTUS());
    expect(Number(north.access.loyalty_abonement_balance_edit_access)).toBe(0);
    expect(Number(lotus.access.loyalty_abonement_balance_edit_access)).toBe(1);
  });

  it('searches clients by name, phone digits and card, with fields and paging', async () => {
    const loc = ids().locations.chicago;
    const byName = await api.post(`/company/${loc}/clients/search`, { fields: ['id', 'name', 'phone'], filters: [{ type: 'quick_search', state: { value: 'whitfield' } }] });
    expect(byName.json).toEqual({ success: true, data: [{ id: ids().dana.clientId, name: 'Dana Whitfield', phone: '+15125550142' }], meta: { total_count: 1 } });

    const byPhone = await api.post(`/company/${loc}/clients/search`, { filters: [{ type: 'quick_search', state: { value: '512 555-0142' } }] });
    expect(byPhone.json.data).toEqual([{ id: ids().dana.clientId }]); // without fields only ids come back

    const byCard = await api.post(`/company/${loc}/clients/search`, { fields: ['name', 'card'], filters: [{ type: 'quick_search', state: { value: ids().clientNoPhone.card } }] });
    expect(byCard.json.data).toEqual([{ id: ids().clientNoPhone.clientId, name: 'Jordan Blake', card: 'NF-104233' }]);

    const all = await api.post(`/company/${loc}/clients/search`, { page: 1, page_size: 200, fields: ['name'] });
    expect(all.json.meta.total_count).toBe(110);
    const page2 = await api.post(`/company/${loc}/clients/search`, { page: 2, page_size: 50 });
    expect(page2.json.data.map((c: Json) => c.id)).toEqual(all.json.data.slice(50, 100).map((c: Json) => c.id));

    const tooBig = await api.post(`/company/${loc}/clients/search`, { page_size: 201 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.meta.errors).toHaveProperty('[page_size]');
  });

  it('reads a client card and refuses a client of another location', async () => {
    const { dana, locations } = ids();
    const card = await api.get(`/client/${dana.locationId}/${dana.clientId}`);
    expect(card.json.data).toMatchObject({ id: dana.clientId, name: 'Dana Whitfield', phone: '+15125550142' });
    expect((await api.get(`/client/${locations.berlin}/${dana.clientId}`)).status).toBe(404);
  });

  it('lists current memberships by phone (digits or with +), not expired or used up', async () => {
    const { dana, marcus, memberships: m, locations } = ids();
    const r = await api.get(`/loyalty/abonements?company_id=${dana.locationId}&phone=${dana.phoneDigits}`);
    expect(r.status).toBe(200);
    expect(r.json.meta).toEqual({ count: 4 });
    expect(r.json.data.map((x: Json) => x.id)).toEqual([m.danaPerServiceFreezable, m.danaUnitedWeeks, m.danaNotFreezable, m.danaFrozen]);
    const plus = await api.get(`/loyalty/abonements?company_id=${dana.locationId}&phone=%2B${dana.phoneDigits}`);
    expect(plus.json.meta.count).toBe(4);
    // Same chain, other location: memberships follow the phone across the chain.
    expect((await api.get(`/loyalty/abonements?company_id=${locations.berlin}&phone=${dana.phoneDigits}`)).json.meta.count).toBe(4);

    const marcusList = await api.get(`/loyalty/abonements?company_id=${marcus.locationId}&phone=${marcus.phoneDigits}`);
    const listed = marcusList.json.data.map((x: Json) => x.id);
    expect(listed).toContain(m.created);
    expect(listed).not.toContain(m.expired);
    expect(listed).not.toContain(m.wasted);
    const created = marcusList.json.data.find((x: Json) => x.id === m.created);
    expect(created).toMatchObject({ status: { id: 1, slug: 'created' }, activated_date: null, expiration_date: null });

    const missing = await api.get(`/loyalty/abonements?company_id=${dana.locationId}`);
    expect(missing.status).toBe(400);
  });

  it('finds a formatted Russian phone by its digits', async () => {
    const { olga, memberships } = ids();
    expect(olga.phone).toBe('+7 (495) 555-01-42');
    const r = await api.get(`/loyalty/abonements?company_id=${olga.locationId}&phone=${olga.phoneDigits}`);
    expect(r.json.data.map((x: Json) => x.id)).toEqual([memberships.lotusUnited, memberships.lotusPerService]);
    expect(r.json.data[0].type.salon_group_id).toBe(String(LOTUS())); // loose ids in this endpoint
  });

  it('reads memberships by ids in every query style, paged', async () => {
    const { memberships: m } = ids();
    const base = `/chain/${NORTH()}/loyalty/abonements`;
    const brackets = await api.get(`${base}?abonements_ids[]=${m.danaFrozen}&abonements_ids[]=${m.danaUnitedWeeks}&abonements_ids[]=999`);
    expect(brackets.json.data.map((x: Json) => x.id)).toEqual([m.danaUnitedWeeks, m.danaFrozen]);
    expect(brackets.json.meta).toEqual({ count: 2 });
    const indexed = await api.get(`${base}?abonements_ids[0]=${m.danaFrozen}&abonements_ids[1]=${m.danaUnitedWeeks}`);
    expect(indexed.json.data).toHaveLength(2);
    const repeated = await api.get(`${base}?abonements_ids=${m.danaFrozen}&abonements_ids=${m.danaUnitedWeeks}`);
    expect(repeated.json.data).toHaveLength(2);
    const paged = await api.get(`${base}?abonements_ids[]=${m.danaFrozen}&abonements_ids[]=${m.danaUnitedWeeks}&page=2&count=1`);
    expect(paged.json.data.map((x: Json) => x.id)).toEqual([m.danaFrozen]);
    // A Lotus id asked at Northside is simply absent.
    expect((await api.get(`${base}?abonements_ids[]=${m.lotusUnited}`)).json.data).toEqual([]);

    const frozen = brackets.json.data[1];
    expect(frozen).toMatchObject({ is_frozen: true, freeze_till: `${dayPlus(5)}T23:59:59-05:00`, freeze_period: 10, type: { salon_group_id: NORTH() } });
  });

  it('filters the chain list by creation date', async () => {
    const base = `/chain/${NORTH()}/loyalty/abonements`;
    const all = await api.get(`${base}?count=200`);
    const recent = await api.get(`${base}?count=200&created_after=${dayPlus(-5)}`);
    expect(recent.json.meta.count).toBeGreaterThan(0);
    expect(recent.json.meta.count).toBeLessThan(all.json.meta.count);
    for (const x of recent.json.data) expect(DateTime.fromISO(x.created_date) >= todayIn(CHICAGO).minus({ days: 5 })).toBe(true);
  });

  it('pages a large chain by creation-date windows: date-only and datetime bounds, every membership once', async () => {
    const large = await sandbox({ chainMemberships: 1500 });
    const client = await new Api(large).signIn();
    const base = `/chain/${large.control.knownIds.chains.northside}/loyalty/abonements`;
    const all = await client.get(`${base}?count=1`);
    const expected = new Set(large.control.knownIds.largeChain);
    expect(expected.size).toBe(1500);
    // Sold over three years, denser lately: some in the oldest year, some in the last month.
    const created = await Promise.all(
      [large.control.knownIds.largeChain[0]!, large.control.knownIds.largeChain[1499]!].map(async (id) => (await client.membership(NORTH(), id)).created_date as string),
    );
    expect(DateTime.fromJSDate(NOW).diff(DateTime.fromISO(created[0]!), 'days').days).toBeGreaterThan(2 * 365);
    expect(DateTime.fromJSDate(NOW).diff(DateTime.fromISO(created[1]!), 'days').days).toBeLessThan(2);
    // Whole years by date-only bounds (created_before is inclusive of its day), paged by 200.
    const seen = new Map<number, number>();
    let requests = 0;
    for (const [after, before] of [['2000-01-01', '2024-12-31'], ['2025-01-01', '2025-12-31'], ['2026-01-01', '2026-12-31']] as const) {
      for (let page = 1; ; page++) {
        const r = await client.get(`${base}?created_after=${after}&created_before=${before}&page=${page}&count=200`);
        requests++;
        expect(r.status).toBe(200);
        for (const m of r.json.data as Json[]) seen.set(Number(m.id), (seen.get(Number(m.id)) ?? 0) + 1);
        if (r.json.data.length < 200) break;
      }
    }
    expect(seen.size).toBe(all.json.meta.count);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const id of expected) expect(seen.has(id)).toBe(true);
    expect(requests).toBeLessThan(Math.ceil(all.json.meta.count / 200) + 4);
    // Datetime bounds with an offset cut inside a day.
    const cut = DateTime.fromISO(created[1]!).minus({ minutes: 1 }).toISO() ?? '';
    const tail = await client.get(`${base}?created_after=${encodeURIComponent(cut)}&count=200`);
    expect(tail.json.data.map((m: Json) => m.id)).toContain(large.control.knownIds.largeChain[1499]);
    expect(tail.json.data.every((m: Json) => DateTime.fromISO(m.created_date) >= DateTime.fromISO(cut))).toBe(true);
    const bad = await client.get(`${base}?created_after=yesterday`);
    expect(bad.status).toBe(400);
  });

  it('lists membership types with limit paging and total_count', async () => {
    const r = await api.get(`/chain/${NORTH()}/loyalty/abonement_types?page=1&limit=4`);
    expect(r.json.data).toHaveLength(4);
    expect(r.json.meta).toEqual({ total_count: 9 });
    const archived = await api.get(`/chain/${NORTH()}/loyalty/abonement_types?is_archived=1`);
    expect(archived.json.data.map((t: Json) => t.id)).toEqual([ids().types.introArchived]);
  });
});

describe('freeze and unfreeze', () => {
  it('freezes within the allowance and refuses one day beyond it', async () => {
    // Pilates: 14-day limit, 4 used → 10 left.
    const id = ids().memberships.danaPerServiceFreezable;
    const before = await api.membership(NORTH(), id);
    const beyond = await api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(11) });
    expect(beyond.status).toBe(422);
    expect(beyond.json.meta.message).toBe('Freeze period exceeds limit');
    expect(beyond.json.meta.errors['[freeze_till]'][0]).toContain('10');

    const r = await api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(10) });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      success: true,
      data: { id, number: String(before.number), is_frozen: true, freeze_period: 14, freeze_till: `${dayPlus(10)}T23:59:59-05:00` },
      meta: [],
    });
    const after = await api.membership(NORTH(), id);
    expect(DateTime.fromISO(after.expiration_date).diff(DateTime.fromISO(before.expiration_date), 'days').days).toBe(10);
    expect(Boolean(after.is_frozen)).toBe(true);
  });

  it('counts a limit in weeks, and in months on the calendar', async () => {
    const weeks = ids().memberships.danaUnitedWeeks; // 2 weeks, none used
    expect((await api.post(freezePath(NORTH(), weeks, 'freeze'), { freeze_till: dayPlus(15) })).status).toBe(422);
    expect((await api.post(freezePath(NORTH(), weeks, 'freeze'), { freeze_till: dayPlus(14) })).status).toBe(200);

    const months = ids().memberships.unlimitedUnited; // 1 month, 5 days used
    const monthDays = todayIn(CHICAGO).plus({ months: 1 }).diff(todayIn(CHICAGO), 'days').days;
    expect((await api.post(freezePath(NORTH(), months, 'freeze'), { freeze_till: dayPlus(monthDays - 5 + 1) })).status).toBe(422);
    expect((await api.post(freezePath(NORTH(), months, 'freeze'), { freeze_till: dayPlus(monthDays - 5) })).status).toBe(200);
  });

  it('accepts an ISO date-time and reads its day in the location zone', async () => {
    const id = ids().memberships.danaUnitedWeeks;
    const r = await api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: `${dayPlus(3)}T23:59:59-05:00` });
    expect(r.json.data.freeze_till).toBe(`${dayPlus(3)}T23:59:59-05:00`);
    expect(r.json.data.freeze_period).toBe(3);
  });

  it('refuses non-freezable, already frozen, not active, past dates and a missing right', async () => {
    const m = ids().memberships;
    const notFreezable = await api.post(freezePath(NORTH(), m.danaNotFreezable, 'freeze'), { freeze_till: dayPlus(2) });
    expect([notFreezable.status, notFreezable.json.meta.message]).toEqual([400, 'Subscription cannot be frozen']);

    const already = await api.post(freezePath(NORTH(), m.danaFrozen, 'freeze'), { freeze_till: dayPlus(2) });
    expect([already.status, already.json.meta.message]).toEqual([400, 'Subscription is already frozen']);

    expect((await api.post(freezePath(NORTH(), m.created, 'freeze'), { freeze_till: dayPlus(2) })).status).toBe(400);
    expect((await api.post(freezePath(NORTH(), m.expired, 'freeze'), { freeze_till: dayPlus(2) })).status).toBe(400);

    const today = await api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'freeze'), { freeze_till: dayPlus(0) });
    expect(today.status).toBe(422);
    expect(today.json.meta.errors).toHaveProperty('[freeze_till]');
    expect((await api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'freeze'), { freeze_till: dayPlus(-3) })).status).toBe(422);
    expect((await api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'freeze'), {})).status).toBe(422);

    const trainee = await new Api(sb).signIn(sb.users[2]!.login, sb.users[2]!.password);
    const denied = await trainee.post(freezePath(NORTH(), m.danaUnitedWeeks, 'freeze'), { freeze_till: dayPlus(2) });
    expect([denied.status, denied.json.meta.message]).toEqual([403, 'Access denied.']);

    expect((await api.post(freezePath(NORTH(), 123, 'freeze'), { freeze_till: dayPlus(2) })).status).toBe(404);
    expect(sb.control.stats().writesByAction.freeze).toBe(0);
  });

  it('uses the location’s date: in Tokyo tomorrow is already a day later', async () => {
    const id = ids().memberships.tokyoFreezable;
    // NOW is the 11th at 00:00 in Tokyo, the 10th in Chicago: the Chicago "tomorrow" is Tokyo's today.
    const r = await api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(1) });
    expect(r.status).toBe(422);
    expect((await api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(1, 'Asia/Tokyo') })).status).toBe(200);
  });

  it('unfreezes early, giving back the unused days; unfreezing twice is refused', async () => {
    const id = ids().memberships.danaFrozen; // frozen 2 days ago until today+5; freeze_period 10
    const before = await api.membership(NORTH(), id);
    const r = await api.post(freezePath(NORTH(), id, 'unfreeze'), {});
    expect(r.json).toEqual({ success: true, data: { id, number: before.number, is_frozen: false, freeze_period: 5 }, meta: [] });
    const after = await api.membership(NORTH(), id);
    expect(after).toMatchObject({ is_frozen: false, freeze_till: null, freeze_period: 5 });
    expect(DateTime.fromISO(before.expiration_date).diff(DateTime.fromISO(after.expiration_date), 'days').days).toBe(5);

    const again = await api.post(freezePath(NORTH(), id, 'unfreeze'), {});
    expect([again.status, again.json.meta.message]).toEqual([400, 'Subscription is not frozen']);
  });

  it('a freeze ends by itself after its last day', async () => {
    let now = NOW;
    const s = await sandbox({ now: () => now });
    const client = await new Api(s).signIn();
    const id = s.control.knownIds.memberships.danaFrozen;
    expect((await client.membership(NORTH(), id)).is_frozen).toBe(true);
    now = new Date(NOW.getTime() + 6 * 86_400_000);
    const m = await client.membership(NORTH(), id);
    expect(m).toMatchObject({ is_frozen: false, freeze_till: null, freeze_period: 10 });
  });
});

describe('set_balance', () => {
  it('sets a united balance with an empty 200 answer', async () => {
    const id = ids().memberships.danaUnitedWeeks;
    const r = await api.post(freezePath(NORTH(), id, 'set_balance'), { united_balance_services_count: 6, services_balance_count: [] });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    const m = await api.membership(NORTH(), id);
    expect(m.united_balance_services_count).toBe(6);
    expect(m.balance_string).toContain('x6');
  });

  it('sets per-service balances and keeps services not listed', async () => {
    const { memberships, services } = ids();
    const id = memberships.lotusPerService;
    const r = await api.post(freezePath(LOTUS(), id, 'set_balance'), { services_balance_count: [{ service_id: services.meditation, balance: 9 }] });
    expect([r.status, r.text]).toEqual([200, '']);
    const m = await api.membership(LOTUS(), id);
    const counts = Object.fromEntries(m.balance_container.links.map((l: Json) => [l.service.id, l.count]));
    expect(counts).toEqual({ [services.hatha]: 6, [services.meditation]: 9 });
  });

  it('refuses negatives, unknown services, unlimited balances, prohibited types and a missing right', async () => {
    const { memberships: m, services } = ids();
    const path = (id: number) => freezePath(NORTH(), id, 'set_balance');
    const negative = await api.post(path(m.danaUnitedWeeks), { united_balance_services_count: -1 });
    expect(negative.status).toBe(422);

    const unknown = await api.post(path(m.perServiceUnlimitedLink), { services_balance_count: [{ service_id: services.sauna, balance: 2 }] });
    expect([unknown.status, unknown.json.meta.message]).toEqual([422, 'Invalid service ID']);

    const unlimitedLink = await api.post(path(m.perServiceUnlimitedLink), { services_balance_count: [{ service_id: services.pool, balance: 2 }] });
    expect([unlimitedLink.status, unlimitedLink.json.meta.message]).toEqual([400, "Can't change balance"]);

    const unlimitedUnited = await api.post(path(m.unlimitedUnited), { united_balance_services_count: 3 });
    expect([unlimitedUnited.status, unlimitedUnited.json.meta.message]).toEqual([400, "Can't change balance"]);

    const prohibited = await api.post(path(m.balanceEditProhibited), { united_balance_services_count: 3 });
    expect([prohibited.status, prohibited.json.meta.message]).toEqual([400, "Can't change balance"]);

    const desk = await new Api(sb).signIn(sb.users[1]!.login, sb.users[1]!.password);
    const denied = await desk.post(path(m.danaUnitedWeeks), { united_balance_services_count: 3 });
    expect([denied.status, denied.json.meta.message]).toEqual([403, 'Access denied.']);
    // The same user may edit balances at Lotus.
    expect((await desk.post(freezePath(LOTUS(), m.lotusUnited, 'set_balance'), { united_balance_services_count: 2 })).status).toBe(200);

    // A valid link next to a bad one changes nothing.
    const before = await api.membership(NORTH(), m.perServiceUnlimitedLink);
    await api.post(path(m.perServiceUnlimitedLink), { services_balance_count: [{ service_id: services.personalTraining, balance: 1 }, { service_id: services.pool, balance: 1 }] });
    expect((await api.membership(NORTH(), m.perServiceUnlimitedLink)).balance_container).toEqual(before.balance_container);
    expect(sb.control.stats().writesByAction.set_balance).toBe(1);
  });

  it('0 everywhere makes a membership used up, and visits again reactivate it', async () => {
    const { memberships: m, dana } = ids();
    await api.post(freezePath(NORTH(), m.danaNotFreezable, 'set_balance'), { united_balance_services_count: 0 });
    expect((await api.membership(NORTH(), m.danaNotFreezable)).status).toMatchObject({ id: 4, slug: 'wasted' });
    const list = await api.get(`/loyalty/abonements?company_id=${dana.locationId}&phone=${dana.phoneDigits}`);
    expect(list.json.data.map((x: Json) => x.id)).not.toContain(m.danaNotFreezable);

    await api.post(freezePath(NORTH(), m.danaNotFreezable, 'set_balance'), { united_balance_services_count: 2 });
    expect((await api.membership(NORTH(), m.danaNotFreezable)).status).toMatchObject({ id: 2, slug: 'active' });
  });

  it('setBalanceDirect changes a balance out of band without counting as a write', async () => {
    const { memberships: m, services } = ids();
    sb.control.setBalanceDirect(m.danaPerServiceFreezable, { services: [{ serviceId: services.pilates, balance: 2 }] });
    const wire = sb.control.getMembership(m.danaPerServiceFreezable) as Json;
    expect(wire.balance_container.links[0].count).toBe(2);
    sb.control.setBalanceDirect(m.balanceEditProhibited, { united_balance_services_count: 1 });
    expect((sb.control.getMembership(m.balanceEditProhibited) as Json).united_balance_services_count).toBe(1);
    expect(sb.control.stats().writesByAction.set_balance).toBe(0);
    expect(() => sb.control.setBalanceDirect(m.danaUnitedWeeks, { united: -1 })).toThrow(/refused/);
  });
});

describe('rate limit, faults and stats', () => {
  it('answers 429 beyond the per-second window and recovers when it slides', async () => {
    const s = await sandbox({ rate: { perSecond: 3, perMinute: 100 }, retryAfterHeader: true });
    const client = new Api(s);
    const answers = await Promise.all(Array.from({ length: 6 }, () => client.post('/auth', { login: s.login, password: s.password })));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(3);
    expect(limited[0]!.json).toEqual({ success: false, data: null, meta: { message: 'Too many requests' } });
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(s.control.stats()).toMatchObject({ requests: 6, rejected429: 3 });
    await new Promise((r) => setTimeout(r, 1050));
    expect((await client.post('/auth', { login: s.login, password: s.password })).status).toBe(201);
  });

  it('enforces the per-minute window and sends no Retry-After by default', async () => {
    const s = await sandbox({ rate: { perSecond: 100, perMinute: 4 } });
    const client = new Api(s);
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const a = await client.post('/auth', { login: s.login, password: s.password });
      statuses.push(a.status);
      if (a.status === 429) expect(a.headers.get('retry-after')).toBeNull();
    }
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
    s.control.setRate(null);
    expect((await client.post('/auth', { login: s.login, password: s.password })).status).toBe(201);
  });

  it('a 503 before the write leaves the membership unchanged', async () => {
    const id = ids().memberships.danaUnitedWeeks;
    sb.control.setFaults([{ route: /set_balance$/, probability: 1, kind: 'http503' }]);
    const r = await api.post(freezePath(NORTH(), id, 'set_balance'), { united_balance_services_count: 1 });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('text/html');
    sb.control.clearFaults();
    expect((await api.membership(NORTH(), id)).united_balance_services_count).toBe(9);
    expect(sb.control.stats()).toMatchObject({ writes: {}, faultsInjected: 1 });
  });

  it('a dropped connection after the write still applies it (the idempotency trap)', async () => {
    const id = ids().memberships.danaUnitedWeeks;
    sb.control.setFaults([{ route: 'POST /api/v1/chain', probability: 1, kind: 'drop', when: 'after' }]);
    await expect(api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(3) })).rejects.toThrow();
    sb.control.clearFaults();
    expect(Boolean((await api.membership(NORTH(), id)).is_frozen)).toBe(true);
    expect(sb.control.stats().writes).toEqual({ [id]: 1 });
  });

  it('a hold keeps matching requests waiting, unprocessed, until release(); the rule stays until the faults are cleared', async () => {
    const m = ids().memberships;
    const frozen = async (id: number) => Boolean((await api.membership(NORTH(), id)).is_frozen);
    sb.control.setFaults([{ route: /POST .*\/freeze$/, probability: 1, kind: 'hold' }]);
    let answered = false;
    const first = api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'freeze'), { freeze_till: dayPlus(3) }).finally(() => (answered = true));
    await vi.waitFor(() => expect(sb.control.held()).toBe(1), { timeout: 10_000, interval: 5 });
    // Other requests pass (a read answered after the held write arrived); the held one is neither processed nor answered.
    expect(await frozen(m.danaUnitedWeeks)).toBe(false);
    expect(answered).toBe(false);
    expect(sb.control.release()).toBe(1);
    expect((await first).status).toBe(200);
    expect(await frozen(m.danaUnitedWeeks)).toBe(true);
    expect(sb.control.held()).toBe(0);

    // The rule is still in force: the next matching request waits again, until the faults are cleared.
    const second = api.post(freezePath(NORTH(), m.danaPerServiceFreezable, 'freeze'), { freeze_till: dayPlus(3) });
    await vi.waitFor(() => expect(sb.control.held()).toBe(1), { timeout: 10_000, interval: 5 });
    sb.control.clearFaults();
    expect((await second).status).toBe(200);
    expect(sb.control.held()).toBe(0);
    expect(sb.control.stats()).toMatchObject({ writes: { [m.danaUnitedWeeks]: 1, [m.danaPerServiceFreezable]: 1 }, faultsInjected: 0 });
  });

  it("a hold with when: 'after' applies the write and keeps the answer until release()", async () => {
    const id = ids().memberships.danaUnitedWeeks;
    sb.control.setFaults([{ route: /POST .*\/freeze$/, probability: 1, kind: 'hold', when: 'after' }]);
    let answered = false;
    const freeze = api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(3) }).finally(() => (answered = true));
    await vi.waitFor(() => expect(sb.control.held()).toBe(1), { timeout: 10_000, interval: 5 });
    expect(Boolean((await api.membership(NORTH(), id)).is_frozen)).toBe(true);
    expect(answered).toBe(false);
    sb.control.release();
    expect(await freeze).toMatchObject({ status: 200, json: { success: true, data: { id, is_frozen: true } } });
  });

  it('closing the sandbox ends held requests unanswered and unprocessed: a close never waits for a release', async () => {
    const own = started.splice(started.indexOf(sb), 1)[0]!;
    const id = ids().memberships.danaUnitedWeeks;
    own.control.setFaults([{ route: /POST .*\/freeze$/, probability: 1, kind: 'hold' }]);
    const outcome = api.post(freezePath(NORTH(), id, 'freeze'), { freeze_till: dayPlus(3) }).then(
      (a) => `answered ${a.status}`,
      () => 'ended',
    );
    await vi.waitFor(() => expect(own.control.held()).toBe(1), { timeout: 10_000, interval: 5 });
    await own.close();
    expect(await outcome).toBe('ended');
    expect(own.control.held()).toBe(0);
    expect(Boolean(own.control.getMembership(id)['is_frozen'])).toBe(false);
    expect(own.control.stats().writes).toEqual({});
  });

  it('malformed, html, empty and latency faults are deterministic for a seed', async () => {
    const run = async (): Promise<string[]> => {
      sb.control.setFaults(
        [
          { route: 'GET /api/v1/groups', probability: 0.5, kind: 'malformed' },
          { route: 'GET /api/v1/groups', probability: 0.3, kind: 'html' },
          { route: 'GET /api/v1/groups', probability: 0.3, kind: 'empty' },
        ],
        42,
      );
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        const a = await api.get('/groups');
        out.push(a.json?.success === true ? 'ok' : a.text === '' ? 'empty' : a.text.startsWith('<') ? 'html' : 'malformed');
      }
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThanOrEqual(3);

    sb.control.setFaults([{ probability: 1, kind: 'latency', latencyMs: 150 }]);
    const t0 = performance.now();
    expect((await api.get('/groups')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('counts successful writes per membership and per action', async () => {
    const m = ids().memberships;
    await api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'freeze'), { freeze_till: dayPlus(2) });
    await api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'unfreeze'), {});
    await api.post(freezePath(NORTH(), m.danaUnitedWeeks, 'set_balance'), { united_balance_services_count: 3 });
    await api.post(freezePath(NORTH(), m.danaPerServiceFreezable, 'set_balance'), { services_balance_count: [{ service_id: ids().services.pilates, balance: 1 }] });
    await api.post(freezePath(NORTH(), m.danaNotFreezable, 'freeze'), { freeze_till: dayPlus(2) }); // refused: not counted
    const stats = sb.control.stats();
    expect(stats.writes).toEqual({ [m.danaUnitedWeeks]: 3, [m.danaPerServiceFreezable]: 1 });
    expect(stats.writesByAction).toEqual({ freeze: 1, unfreeze: 1, set_balance: 2, set_period: 0 });
    expect(stats.writeLog.map((w) => w.action)).toEqual(['freeze', 'unfreeze', 'set_balance', 'set_balance']);
    sb.control.resetStats();
    expect(sb.control.stats()).toMatchObject({ requests: 0, writes: {} });
  });
});

describe('seed and CLI', () => {
  it('is deterministic per seed and adds extra memberships on request', async () => {
    const a = await sandbox({ seed: 7, extraMemberships: 10 });
    const b = await sandbox({ seed: 7, extraMemberships: 10 });
    const c = await sandbox({ seed: 8 });
    expect(a.partnerToken).toBe(b.partnerToken);
    expect(a.partnerToken).not.toBe(c.partnerToken);
    const generated = 4472000;
    expect(a.control.getMembership(generated)).toEqual(b.control.getMembership(generated));
    expect(a.control.getMembership(generated)).not.toEqual(c.control.getMembership(generated));

    const extra = a.control.knownIds.extra;
    expect(extra).toHaveLength(10);
    const client = await new Api(a).signIn();
    const r = await client.get(`/chain/${NORTH()}/loyalty/abonements?${extra.map((id) => `abonements_ids[]=${id}`).join('&')}&count=100`);
    expect(r.json.data).toHaveLength(10);
    expect(r.json.data.every((m: Json) => m.status.id === 2)).toBe(true);
    expect(new Set(r.json.data.map((m: Json) => Boolean(m.is_united_balance)))).toEqual(new Set([true, false]));
  });

  it('the CLI prints one JSON line and serves until SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/sandbox/cli.ts', '--port', '0', '--rate', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const info = JSON.parse(line);
      expect(Object.keys(info).sort()).toEqual(['login', 'partnerToken', 'password', 'url']);
      const r = await fetch(`${info.url}/v1/auth`, {
        method: 'POST',
        headers: { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: `Bearer ${info.partnerToken}` },
        body: JSON.stringify({ login: info.login, password: info.password }),
      });
      expect(r.status).toBe(201);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('the CLI rejects bad arguments with exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/sandbox/cli.ts', '--rate', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--rate needs a whole number');
  });
});
