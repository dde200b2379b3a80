/**
 * Scheduled freezes against the sandbox over real sockets (real client, store, memberships service;
 * one clock shared by the sandbox and the app): a plan runs only on its day in the location's
 * zone, through the one write path (journaled desk job + its audit entry); a missed plan is never
 * run by a tick, only by runNow for what remains; create/change/cancel/run are in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDateOf, todayIn } from '../../common/dates';
import type { Chain, SessionState } from '../../preload/contract';
import type { Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createMembershipService } from '../../main/core/memberships/service';
import { createPlansService, type PlansService } from '../../main/core/plans/service';
import { openStore, type Store } from '../../main/core/store';
import { startSandbox } from '../../main/sandbox/server';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
const ZONE = 'America/Chicago';

let now = new Date('2026-03-02T18:00:00Z'); // noon on 2 March in Chicago
let sandbox: Sandbox;
let store: Store;
let plans: PlansService;
let chains: Chain[];

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => now, rate: null });
  const creds: Credentials = { baseUrl: sandbox.url, partnerToken: sandbox.partnerToken, userToken: null };
  const api = createAltegioClient({ credentials: () => creds, limiter: createRateLimiter({ perSecond: 50, perMinute: 3000 }), retry: { attempts: 2, baseMs: 10, maxMs: 50 } });
  const auth = await api.auth(sandbox.login, sandbox.password);
  creds.userToken = auth.userToken;
  chains = await api.chains();
  store = openStore(':memory:');
  const user = { profileId: 'it', userId: auth.userId, name: auth.name };
  const zone = (locationId: number) => chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? null;
  const rightsFor = (chainId: number) => chains.find((c) => c.id === chainId)?.rights ?? null;
  const memberships = createMembershipService({ api: () => api, store, user: () => user, rights: (c) => rightsFor(c)!, timezone: (l) => zone(l) ?? 'UTC', now: () => now });
  plans = createPlansService({
    store,
    memberships,
    clock: { now: () => now, tickMs: 1000 },
    schedule: false,
    session: { currentUser: () => user, rightsFor, locationTimezone: zone, snapshot: () => ({ status: 'signed_in' }) as SessionState },
  });
});

afterAll(async () => {
  await plans?.close();
  store?.close();
  await sandbox?.close();
});

const ids = () => sandbox.control.knownIds;
const frozen = (id: number) => sandbox.control.getMembership(id);

describe('scheduled freezes against the sandbox', () => {
  it('a freeze plan waits until its day in the location zone, then freezes until its end (one write)', async () => {
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const start = addDays(todayIn(now, ZONE), 3);
    const end = addDays(start, 7);
    const plan = await plans.create({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, kind: 'freeze', startDate: start, endDate: end, reason: 'away' });
    expect(plan).toMatchObject({ state: 'planned', missed: false });

    // 23:59 on the day before, in Chicago: nothing.
    now = new Date(`${addDays(start, -1)}T23:59:00-06:00`);
    await plans.tick();
    expect(frozen(id).is_frozen).toBeFalsy();
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);

    // 00:01 on its day: frozen until the end.
    now = new Date(`${start}T00:01:00-06:00`);
    await plans.tick();
    await plans.tick();
    expect(frozen(id).is_frozen).toBeTruthy();
    expect(localDateOf(frozen(id).freeze_till as string, ZONE)).toBe(end);
    expect(sandbox.control.stats().writesByAction.freeze).toBe(1);
    expect(plans.list().plans.find((p) => p.id === plan.id)).toMatchObject({ state: 'done' });
    const entries = store.audit.list({ membershipId: id });
    expect(entries.map((e) => e.action)).toEqual(['plan_run', 'freeze', 'plan_create']);
    // The plan keeps the entry its freeze made (the id the write answered with).
    expect(store.db.prepare('SELECT audit_id FROM plans WHERE id = ?').get(plan.id)).toMatchObject({ audit_id: entries[1]!.id });
  });

  it('a missed plan is not run by the scheduler; it asks, and runNow freezes for what remains', async () => {
    const { haruto, dana, memberships } = ids();
    const id = memberships.tokyoFreezable;
    const today = todayIn(now, 'Asia/Tokyo');
    const plan = await plans.create({ chainId: dana.chainId, locationId: haruto.locationId, membershipId: id, kind: 'freeze', startDate: addDays(today, 1), endDate: addDays(today, 6) });
    // The app was not running on that day: two days later.
    now = new Date(now.getTime() + 3 * 86_400_000);
    const writes = sandbox.control.stats().writeLog.length;
    await plans.tick();
    expect(sandbox.control.stats().writeLog.length).toBe(writes);
    const listed = plans.list().plans.find((p) => p.id === plan.id);
    expect(listed).toMatchObject({ state: 'planned', missed: true, remaining: { freezeTill: addDays(today, 6) } });

    const ran = await plans.runNow(plan.id);
    expect(ran).toMatchObject({ state: 'done', missed: false });
    expect(localDateOf(frozen(id).freeze_till as string, 'Asia/Tokyo')).toBe(addDays(today, 6));
  });

  it('change and cancel are audited; a cancelled plan never runs', async () => {
    const { dana, memberships } = ids();
    const id = memberships.perCategory;
    const start = addDays(todayIn(now, ZONE), 2);
    const plan = await plans.create({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, kind: 'freeze', startDate: start, endDate: addDays(start, 3) });
    plans.update({ planId: plan.id, kind: 'freeze', startDate: start, endDate: addDays(start, 5) });
    plans.cancel(plan.id);
    now = new Date(`${start}T12:00:00-05:00`);
    const writes = sandbox.control.stats().writeLog.length;
    await plans.tick();
    expect(sandbox.control.stats().writeLog.length).toBe(writes);
    expect(store.audit.list({ membershipId: id }).map((e) => e.action)).toEqual(['plan_cancel', 'plan_change', 'plan_create']);
    expect(() => plans.update({ planId: plan.id, kind: 'freeze', startDate: start, endDate: addDays(start, 6) })).toThrow(/already run or was cancelled/);
  });
});

describe('a plan the app stopped during', () => {
  it('is not run again at the next start: it says so and waits for a person', async () => {
    const { dana, memberships } = ids();
    const start = addDays(todayIn(now, ZONE), 1);
    const plan = await plans.create({ chainId: dana.chainId, locationId: dana.locationId, membershipId: memberships.noPhoneClient, kind: 'unfreeze', startDate: start, endDate: null });
    // As if the app was killed between marking it running and its outcome.
    store.db.prepare("UPDATE plans SET state = 'running' WHERE id = ?").run(plan.id);
    const again = createPlansService({
      store,
      memberships: { get: () => Promise.reject(new Error('unused')), freeze: () => Promise.reject(new Error('must not run')), unfreeze: () => Promise.reject(new Error('must not run')) },
      clock: { now: () => new Date(`${start}T12:00:00-05:00`), tickMs: 1000 },
      schedule: false,
      session: { currentUser: () => ({ profileId: 'it', userId: 1, name: 'x' }), rightsFor: () => chains[0]!.rights, locationTimezone: () => ZONE, snapshot: () => ({ status: 'signed_in' }) as SessionState },
    });
    await again.tick();
    expect(again.list().plans.find((p) => p.id === plan.id)).toMatchObject({ state: 'failed', message: expect.stringContaining('stopped while this plan was running') });
    await again.close();
  });
});
