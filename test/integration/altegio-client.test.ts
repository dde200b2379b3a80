/**
 * The Altegio client against the sandbox over real HTTP on loopback, with the real rate limiter at
 * the documented limits (5/s, 200/min) and the sandbox enforcing the same limits: every request of
 * this file must pass without a 429 caused by our own pacing.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chain, ClientSummary, Membership } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter, type RateLimiter } from '../../main/core/altegio/rate-limiter';
import { startSandbox } from '../../main/sandbox/server';
import { failure } from '../support/failures';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

let sandbox: Sandbox;
let api: AltegioApi;
let limiter: RateLimiter;
const creds: Credentials = { baseUrl: '', partnerToken: null, userToken: null };
const network: boolean[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ extraMemberships: 120 });
  creds.baseUrl = sandbox.url;
  creds.partnerToken = sandbox.partnerToken;
  limiter = createRateLimiter(); // 5/s, 200/min: the documented limit, as the sandbox enforces it
  api = createAltegioClient({ credentials: () => creds, limiter, retry: { attempts: 4, baseMs: 20, maxMs: 200 }, connectivity: { online: () => network.at(-1) ?? true, report: (r) => void (r !== (network.at(-1) ?? true) && network.push(r)) } });
});

afterAll(async () => {
  await sandbox?.close();
});

describe('Altegio client ↔ sandbox', () => {
  it('auth: wrong password is a validation error, the right one gives a user token', async () => {
    const f = await failure(api.auth(sandbox.login, 'not-the-password'));
    expect(f.kind).toBe('validation');
    expect(f.message).not.toContain('not-the-password');
    const a = await api.auth(sandbox.login, sandbox.password);
    expect(a.userToken.length).toBeGreaterThan(8);
    expect(a.name).toBe(sandbox.users[0]!.name);
    expect(a.userId).toBe(sandbox.users[0]!.id);
    creds.userToken = a.userToken;
  });

  it('chains: rights and every location time zone (filled from /companies when /groups lacks it)', async () => {
    const chains = await api.chains();
    for (const c of chains) Chain.parse(c);
    const ids = sandbox.control.knownIds;
    const northside = chains.find((c) => c.id === ids.chains.northside);
    expect(northside).toBeDefined();
    const zones = Object.fromEntries(northside!.locations.map((l) => [l.id, l.timezone]));
    expect(zones[ids.locations.chicago]).toBe('America/Chicago');
    expect(zones[ids.locations.berlin]).toBe('Europe/Berlin');
    expect(zones[ids.locations.tokyo]).toBe('Asia/Tokyo');
    expect(northside!.rights.periodEdit).toBe(true);
    const lotus = chains.find((c) => c.id === ids.chains.lotus);
    expect(lotus?.locations.map((l) => l.id)).toContain(ids.locations.moscowArbat);
    for (const c of chains) for (const l of c.locations) expect(l.timezone).not.toBe('UTC');
  });

  it('chains: when /companies cannot be read, the zones /groups lacks fall back to UTC, marked as assumed', async () => {
    sandbox.control.setFaults([{ route: 'GET /api/v1/companies', probability: 1, kind: 'malformed' }]);
    try {
      const chains = await api.chains();
      const ids = sandbox.control.knownIds;
      const locations = new Map(chains.flatMap((c) => c.locations).map((l) => [l.id, l]));
      expect(locations.get(ids.locations.chicago)).toEqual({ id: ids.locations.chicago, title: expect.any(String), timezone: 'America/Chicago' });
      expect(locations.get(ids.locations.berlin)).toMatchObject({ timezone: 'UTC', timezoneAssumed: true });
      for (const c of chains) Chain.parse(c);
    } finally {
      sandbox.control.clearFaults();
    }
  });

  it('search and client card', async () => {
    const { dana } = sandbox.control.knownIds;
    const r = await api.searchClients(dana.locationId, 'whitfield');
    expect(r.clients.map((c) => c.id)).toContain(dana.clientId);
    expect(r.total).toBeGreaterThanOrEqual(1);
    for (const c of r.clients) ClientSummary.parse(c);
    const byPhone = await api.searchClients(dana.locationId, dana.phone);
    expect(byPhone.clients.map((c) => c.id)).toContain(dana.clientId);
    const card = await api.client(dana.locationId, dana.clientId);
    expect(card).toMatchObject({ id: dana.clientId, name: dana.name, phone: dana.phone });
    expect((await failure(api.client(dana.locationId, 999_999_999))).kind).toBe('not_found');
  });

  it('memberships by phone (formatted phone reduced to digits)', async () => {
    const { dana, memberships, olga } = sandbox.control.knownIds;
    const ms = await api.membershipsByPhone(dana.locationId, dana.phone);
    for (const m of ms) Membership.parse(m);
    const ids = ms.map((m) => m.id);
    expect(ids).toContain(memberships.danaPerServiceFreezable);
    expect(ids).toContain(memberships.danaFrozen);
    const frozen = ms.find((m) => m.id === memberships.danaFrozen)!;
    expect(frozen.isFrozen).toBe(true);
    expect(frozen.freezeTill).not.toBeNull();
    const freezable = ms.find((m) => m.id === memberships.danaPerServiceFreezable)!;
    expect(freezable.chainId).toBe(dana.chainId);
    expect(freezable.type.allowFreeze).toBe(true);
    expect(freezable.balance.kind).toBe('per_service');
    const lotus = await api.membershipsByPhone(olga.locationId, olga.phone);
    expect(lotus.length).toBeGreaterThan(0);
  });

  it('memberships by ids: pages of 50, missing ids absent', async () => {
    const { chains, memberships, extra } = sandbox.control.knownIds;
    expect(extra.length).toBe(120);
    sandbox.control.resetStats();
    const wanted = [...extra, memberships.unlimitedUnited, memberships.wasted, memberships.expired, 987_654_321];
    const ms = await api.membershipsByIds(chains.northside, wanted);
    expect(ms.map((m) => m.id)).toEqual(wanted.slice(0, -1));
    expect(sandbox.control.stats().requests).toBe(3);
    const byId = new Map(ms.map((m) => [m.id, m]));
    expect(byId.get(memberships.unlimitedUnited)!.balance).toMatchObject({ kind: 'united', unlimited: true });
    expect(byId.get(memberships.wasted)!.status.slug).toBe('wasted');
    expect(byId.get(memberships.expired)!.status.slug).toBe('expired');
  });

  it('freeze → unfreeze → set_balance round trip, re-read after each write', async () => {
    const { chains, memberships, services, dana } = sandbox.control.knownIds;
    const id = memberships.danaPerServiceFreezable;
    const till = DateTime.now().setZone('America/Chicago').plus({ days: 3 }).toISODate()!;
    const read = async () => (await api.membershipsByIds(chains.northside, [id]))[0]!;
    const before = await read();
    expect(before.isFrozen).toBe(false);

    await api.freeze(chains.northside, id, till);
    const frozen = await read();
    expect(frozen.isFrozen).toBe(true);
    expect(frozen.freezeTill?.slice(0, 10)).toBe(till);
    expect(frozen.freezePeriodDays).toBe(before.freezePeriodDays + 3);

    const again = await failure(api.freeze(chains.northside, id, till));
    expect(again.kind).toBe('validation');
    expect(again.message).toMatch(/already frozen/i);

    await api.unfreeze(chains.northside, id);
    expect((await read()).isFrozen).toBe(false);

    const line = before.balance.kind === 'per_service' ? before.balance.lines.find((l) => l.serviceId === services.pilates) : undefined;
    expect(line).toBeDefined();
    await api.setBalance(chains.northside, id, { services: [{ serviceId: services.pilates, balance: line!.count + 2 }] });
    const after = await read();
    expect(after.balance.kind === 'per_service' && after.balance.lines.find((l) => l.serviceId === services.pilates)?.count).toBe(line!.count + 2);
    await api.setBalance(chains.northside, id, { services: [{ serviceId: services.pilates, balance: line!.count }] });

    // a refused write: over the freeze allowance → validation with the field
    const far = DateTime.now().setZone('America/Chicago').plus({ days: 400 }).toISODate()!;
    const over = await failure(api.freeze(chains.northside, id, far));
    expect(over.kind).toBe('validation');
    expect(over.fields?.freezeTill).toBeTruthy();
    expect(dana.chainId).toBe(chains.northside);
  });

  it('5xx, dropped connections and unreadable answers on reads are retried', async () => {
    const { chains, extra } = sandbox.control.knownIds;
    sandbox.control.setFaults(
      [
        { route: /GET .*\/loyalty\/abonements/, probability: 0.15, kind: 'http500' },
        { route: /GET .*\/loyalty\/abonements/, probability: 0.05, kind: 'drop' },
        { route: /GET .*\/loyalty\/abonements/, probability: 0.05, kind: 'html' },
        { route: /GET .*\/loyalty\/abonements/, probability: 0.05, kind: 'empty' },
      ],
      7,
    );
    sandbox.control.resetStats();
    for (let i = 0; i < 12; i++) {
      const ms = await api.membershipsByIds(chains.northside, extra.slice(i * 10, i * 10 + 10));
      expect(ms).toHaveLength(10);
      expect(ms[0]!.id).toBe(extra[i * 10]);
    }
    expect(sandbox.control.stats().faultsInjected).toBeGreaterThanOrEqual(2);
    sandbox.control.clearFaults();
    expect(network.at(-1) ?? true).toBe(true);
  });

  it('a write is sent once and never judged by the client: a lost answer is thrown, the write stays done', async () => {
    const { chains, memberships } = sandbox.control.knownIds;
    const id = memberships.tokyoFreezable;
    const till = DateTime.now().setZone('Asia/Tokyo').plus({ days: 2 }).toISODate()!;
    sandbox.control.setFaults([{ route: /POST .*\/freeze$/, probability: 1, kind: 'http500', when: 'after' }]);
    sandbox.control.resetStats();
    expect((await failure(api.freeze(chains.northside, id, till))).kind).toBe('server');
    sandbox.control.clearFaults();
    const stats = sandbox.control.stats();
    expect(stats.writesByAction.freeze).toBe(1);
    expect(stats.requests).toBe(1); // no read: deciding whether it landed is the runner's (jobs/)
    expect((await api.membershipsByIds(chains.northside, [id]))[0]!.isFrozen).toBe(true);
  });

  it('a token invalidated elsewhere → auth_expired; signing in again resumes', async () => {
    const { chains, memberships } = sandbox.control.knownIds;
    sandbox.control.invalidateUserTokens();
    const f = await failure(api.membershipsByIds(chains.northside, [memberships.danaFrozen]));
    expect(f.kind).toBe('auth_expired');
    expect(f.message).toBe('Your sign-in has expired. Enter your password again.');
    expect(JSON.stringify(f.toData())).not.toContain(creds.userToken!);
    creds.userToken = (await api.auth(sandbox.login, sandbox.password)).userToken;
    expect(await api.membershipsByIds(chains.northside, [memberships.danaFrozen])).toHaveLength(1);
  });

  it('a refused partner token is reported as such', async () => {
    const real = creds.partnerToken;
    creds.partnerToken = 'definitely-not-the-partner-token';
    try {
      const f = await failure(api.chains());
      expect(f.kind).toBe('forbidden');
      expect(f.message).toMatch(/partner token/);
      expect(f.message).not.toContain('definitely-not-the-partner-token');
    } finally {
      creds.partnerToken = real;
    }
  });

  it('our own pacing never caused a 429', () => {
    expect(sandbox.control.stats().rejected429).toBe(0);
    expect(limiter.stats().penalties).toBe(0);
  });
});
