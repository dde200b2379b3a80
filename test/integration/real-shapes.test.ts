/**
 * Issue 15: the Altegio client against the sandbox answering in the documented shapes
 * (main/sandbox/real-shapes.ts), one switch at a time, over real HTTP on loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createMembershipService } from '../../main/core/memberships/service';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { partnerAccount } from '../../main/core/session/secret-store';
import { createSessionService } from '../../main/core/session/session';
import { openStore } from '../../main/core/store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { failure } from '../support/failures';

let sandbox: Sandbox;
let api: AltegioApi;
const creds: Credentials = { baseUrl: '', partnerToken: null, userToken: null };

beforeAll(async () => {
  sandbox = await startSandbox({ rate: null });
  creds.baseUrl = sandbox.url;
  creds.partnerToken = sandbox.partnerToken;
  api = createAltegioClient({ credentials: () => creds, limiter: createRateLimiter({ perSecond: 100, perMinute: 6000 }), retry: { attempts: 2, baseMs: 5, maxMs: 20 } });
  creds.userToken = (await api.auth(sandbox.login, sandbox.password)).userToken;
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.control.setRealShapes([]);
  sandbox.control.expireLicence(null);
});

const ids = () => sandbox.control.knownIds;

describe('array-envelope: [{success, data, meta}]', () => {
  it('the chain list reads as its memberships; freeze, unfreeze and a set_balance refusal keep their meaning', async () => {
    sandbox.control.setRealShapes(['array-envelope']);
    const { chains, memberships } = ids();
    const raw = await fetch(`${sandbox.url}/v1/chain/${chains.northside}/loyalty/abonements?abonements_ids[]=${memberships.danaPerServiceFreezable}`, {
      headers: { Accept: 'application/vnd.api.v2+json', Authorization: `Bearer ${creds.partnerToken}, User ${creds.userToken}` },
    });
    expect(Array.isArray(await raw.json())).toBe(true);

    const [m] = await api.membershipsByIds(chains.northside, [memberships.danaPerServiceFreezable]);
    expect(m?.id).toBe(memberships.danaPerServiceFreezable);

    // Already frozen: the refusal (400 inside an array) is a refusal with the server's words.
    const refused = await failure(api.freeze(chains.northside, memberships.danaFrozen, '2099-01-01'));
    expect(refused.kind).toBe('validation');
    expect(refused.message).toContain('already frozen');

    await api.unfreeze(chains.northside, memberships.danaFrozen);
    const [after] = await api.membershipsByIds(chains.northside, [memberships.danaFrozen]);
    expect(after?.isFrozen).toBe(false);

    const balance = await failure(api.setBalance(chains.northside, memberships.balanceEditProhibited, { united: 3 }));
    expect(balance.kind).toBe('validation');
    expect(balance.message).toContain("Can't change balance");
  });
});

describe('timezone-name: "timezone": "Europe/Moscow", no timezone_name anywhere', () => {
  it('every location gets its real zone, none is assumed UTC', async () => {
    sandbox.control.setRealShapes(['timezone-name']);
    const chains = await api.chains();
    const zones = Object.fromEntries(chains.flatMap((c) => c.locations.map((l) => [l.id, l])));
    const { locations } = ids();
    expect(zones[locations.chicago]).toEqual(expect.objectContaining({ timezone: 'America/Chicago' }));
    expect(zones[locations.tokyo]?.timezone).toBe('Asia/Tokyo');
    expect(zones[locations.moscowArbat]?.timezone).toBe('Europe/Moscow');
    for (const c of chains) for (const l of c.locations) expect(l.timezoneAssumed).toBeUndefined();
  });
});

describe("licence: the server's words, 402 or a 403 that asks to renew the licence", () => {
  it('both are licence_expired, with the server text kept', async () => {
    const { dana } = ids();
    sandbox.control.expireLicence(dana.locationId);
    const f402 = await failure(api.searchClients(dana.locationId, 'Dana'));
    expect(f402.kind).toBe('licence_expired');
    expect(f402.serverMessage).toBe(`Renew the licence for branch ${dana.locationId}`);
    sandbox.control.setRealShapes(['licence-403']);
    const f403 = await failure(api.membershipsByPhone(dana.locationId, dana.phone));
    expect(f403.kind).toBe('licence_expired');
    expect(f403.serverMessage).toBe('Необходимо продлить лицензию');
  });
});

describe('no-loyalty-flags: /groups without the membership rights', () => {
  it('actions are offered; the server refuses a user without the right, and that action turns off on the chain', async () => {
    sandbox.control.setRealShapes(['no-loyalty-flags']);
    const trainee = sandbox.users[2]!; // no freeze, no balance edits
    const store = openStore(':memory:');
    const secrets = new MemorySecretStore();
    await secrets.set(partnerAccount(sandbox.url), sandbox.partnerToken);
    const limiter = createRateLimiter({ perSecond: 100, perMinute: 6000 });
    const session = createSessionService({ store, secrets, apiFor: (c) => createAltegioClient({ credentials: c, limiter, retry: { attempts: 1 } }) });
    await session.signIn({ login: trainee.login, password: trainee.password, serverUrl: sandbox.url });
    const { dana, memberships } = ids();
    expect(session.rightsFor(dana.chainId)).toMatchObject({ periodEdit: null, balanceEdit: null });
    const svc = createMembershipService({
      api: () => session.api(),
      audit: store.audit,
      user: () => session.currentUser(),
      rights: (chainId) => session.rightsFor(chainId)!,
      timezone: (locationId) => session.locationTimezone(locationId) ?? 'UTC',
    });
    const m = await svc.get(dana.chainId, memberships.danaPerServiceFreezable);
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/Chicago' });
    const f = await failure(svc.freeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: m.id, freezeTill: tomorrow }));
    expect(f.kind).toBe('forbidden');
    expect(f.serverMessage).toBe('Access denied.');
    expect(session.rightsFor(dana.chainId)?.refused).toEqual({ periodEdit: 'Access denied.' });
    // Now refused before any request: the unfreeze is off too, with the server's words.
    const again = await failure(svc.unfreeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: memberships.danaFrozen }));
    expect(again.message).toContain('Access denied.');
    store.close();
  });
});
