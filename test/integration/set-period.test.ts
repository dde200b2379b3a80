/**
 * Change validity against the sandbox over real sockets (real client, limiter and SQLite store):
 * the expiry the desk asks for is the one Altegio's re-read reports (the off-by-one between
 * period days and expiration_date is where the app and the server agree), undo restores the
 * previous period and unit, a refusal for lack of the right is Altegio's, and the sandbox itself
 * counts the activation day as day 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDateOf } from '../../common/dates';
import type { Chain } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createMembershipService, type MembershipService } from '../../main/core/memberships/service';
import { openStore, type Store } from '../../main/core/store';
import { startSandbox } from '../../main/sandbox/server';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

// 23:30 on 7 March in Chicago (8 March in UTC).
const NOW = new Date('2026-03-08T05:30:00Z');
const ZONE = 'America/Chicago';

let sandbox: Sandbox;
let store: Store;
let chains: Chain[];

async function signIn(login: string, password: string): Promise<{ api: AltegioApi; svc: MembershipService }> {
  const creds: Credentials = { baseUrl: sandbox.url, partnerToken: sandbox.partnerToken, userToken: null };
  const api = createAltegioClient({ credentials: () => creds, limiter: createRateLimiter({ perSecond: 50, perMinute: 3000 }), retry: { attempts: 2, baseMs: 10, maxMs: 50 } });
  const auth = await api.auth(login, password);
  creds.userToken = auth.userToken;
  chains = await api.chains();
  const svc = createMembershipService({
    api: () => api,
    store,
    user: () => ({ profileId: login, userId: auth.userId, name: auth.name }),
    rights: (chainId) => chains.find((c) => c.id === chainId)?.rights ?? ({ periodEdit: null, balanceEdit: null } as unknown as Chain['rights']),
    timezone: (locationId) => chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? 'UTC',
    now: () => NOW,
  });
  return { api, svc };
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => NOW, rate: null });
  store = openStore(':memory:');
});

afterAll(async () => {
  store?.close();
  await sandbox?.close();
});

const ids = () => sandbox.control.knownIds;
const sandboxExpiry = (id: number) => localDateOf(sandbox.control.getMembership(id).expiration_date as string, ZONE);

describe('set_period against the sandbox', () => {
  it('sets a new expiry: the re-read reports that date; undo restores the old expiry, period and unit', async () => {
    const { svc } = await signIn(sandbox.login, sandbox.password);
    const { dana, memberships } = ids();
    const id = memberships.danaPerServiceFreezable;
    const before = sandbox.control.getMembership(id);
    const oldExpiry = sandboxExpiry(id) as string;
    const wanted = addDays(oldExpiry, 17);

    const { membership: after, auditId } = await svc.setPeriod({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, expiry: wanted, reason: 'closure' });
    expect(localDateOf(after.expirationDate, ZONE)).toBe(wanted);
    expect(sandboxExpiry(id)).toBe(wanted);
    const sent = sandbox.control.stats().writeLog.filter((w) => w.action === 'set_period');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({ period_unit_id: 1 });
    expect(after).toMatchObject({ periodUnit: 'day', period: (sent[0]?.body as { period: number }).period });

    const entry = store.audit.list({ membershipId: id }).find((e) => e.action === 'set_period');
    expect(entry).toMatchObject({ id: auditId, outcome: 'ok', reason: 'closure' });
    expect(localDateOf((entry?.after as { expirationDate: string }).expirationDate, ZONE)).toBe(wanted);

    const undone = await svc.undo(entry!.id);
    expect(localDateOf(undone.membership.expirationDate, ZONE)).toBe(oldExpiry);
    const restored = sandbox.control.getMembership(id);
    expect(sandboxExpiry(id)).toBe(oldExpiry);
    expect({ period: restored.period, unit: restored.period_unit_id }).toEqual({ period: before.period, unit: before.period_unit_id });
    expect(undone.entry).toMatchObject({ action: 'undo', outcome: 'ok', undoOf: entry!.id });
    expect(store.audit.get(entry!.id)?.undoneBy).toBe(undone.entry.id);
  });

  it('undo refuses when the expiry has changed since (a freeze moved it): nothing is sent', async () => {
    const { svc } = await signIn(sandbox.login, sandbox.password);
    const { dana, memberships } = ids();
    const id = memberships.tokyoFreezable;
    const haruto = ids().haruto;
    const TOKYO = 'Asia/Tokyo';
    const wanted = addDays(localDateOf(sandbox.control.getMembership(id).expiration_date as string, TOKYO) as string, 5);
    await svc.setPeriod({ chainId: dana.chainId, locationId: haruto.locationId, membershipId: id, expiry: wanted });
    const entry = store.audit.list({ membershipId: id }).find((e) => e.action === 'set_period');
    await svc.freeze({ chainId: dana.chainId, locationId: haruto.locationId, membershipId: id, freezeTill: addDays('2026-03-07', 3) });
    const writes = sandbox.control.stats().writeLog.length;
    await expect(svc.undo(entry!.id)).rejects.toMatchObject({ kind: 'conflict' });
    expect(sandbox.control.stats().writeLog.length).toBe(writes);
  });

  it('a user without the right: the sandbox refuses with 403 and the expiry stays', async () => {
    const trainee = sandbox.users[2]!;
    const { api } = await signIn(trainee.login, trainee.password);
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const old = sandboxExpiry(id);
    await expect(api.setPeriod(dana.chainId, id, { period: 90, unit: 'day' })).rejects.toMatchObject({ kind: 'forbidden' });
    expect(sandboxExpiry(id)).toBe(old);
  });

  it('the sandbox counts the activation day as day 0, in the location zone, frozen days on top', async () => {
    const { api } = await signIn(sandbox.login, sandbox.password);
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const m = sandbox.control.getMembership(id);
    const activated = localDateOf(m.activated_date as string, ZONE) as string;
    await api.setPeriod(dana.chainId, id, { period: 30, unit: 'day' });
    expect(sandboxExpiry(id)).toBe(addDays(activated, 30 + Number(m.freeze_period)));
    // Shorter than today: expired; longer again: active.
    await api.setPeriod(dana.chainId, id, { period: 1, unit: 'day' });
    expect(sandbox.control.getMembership(id).status).toMatchObject({ id: 3 });
    await api.setPeriod(dana.chainId, id, { period: 1, unit: 'month' });
    expect(sandbox.control.getMembership(id).status).toMatchObject({ id: 2 });
    // Not activated: the period is kept, no date until activation.
    const created = memberships.created;
    await api.setPeriod(dana.chainId, created, { period: 10, unit: 'day' });
    expect(sandbox.control.getMembership(created)).toMatchObject({ expiration_date: null, period: 10, period_unit_id: 1 });
  });
});
