/**
 * The memberships service against the sandbox over real HTTP on loopback, with the real Altegio
 * client, the real rate limiter and the real store (SQLite in memory). The point: the rules the
 * app applies locally (legal freeze dates, new expiry, what an unfreeze gives back, balance
 * checks) agree with what the server enforces and produces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chain, Membership } from '../../preload/contract';
import { addDays } from '../../common/dates';
import { expiryAfterFreeze, freezeAvailability, unfreezeEffect } from '../../common/freeze-rules';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { DeskFailure } from '../../main/core/errors';
import { formatMomentIn } from '../../common/i18n/formats';
import { wordsIn } from '../../main/core/words';
import { createMembershipService, type MembershipService } from '../../main/core/memberships/service';
import { openStore, type Store } from '../../main/core/store';
import { startSandbox } from '../../main/sandbox/server';
import { signedInApi } from '../support/signed-in-api';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * One fixed clock for the sandbox and the service: 23:30 on 7 March in Chicago (already 8 March in
 * UTC, 14:30 on 8 March in Tokyo), a few hours before Chicago's spring-forward DST change.
 */
const NOW = new Date('2026-03-08T05:30:00Z');

let sandbox: Sandbox;
let store: Store;
let api: AltegioApi;
let chains: Chain[];
let user: { userId: number; name: string };
let zoneOf: (locationId: number) => string;
let svc: MembershipService;

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => NOW, rate: null });
  ({ api, user, chains, zoneOf } = await signedInApi(sandbox));
  store = openStore(':memory:');
  svc = createMembershipService({
    api: () => api,
    store,
    user: () => ({ profileId: 'it', ...user }),
    rights: (chainId) => {
      const c = chains.find((x) => x.id === chainId);
      if (!c) throw new Error(`unknown chain ${chainId}`);
      return c.rights;
    },
    timezone: zoneOf,
    now: () => NOW,
  });
});

afterAll(async () => {
  store?.close();
  await sandbox?.close();
});

const ids = () => sandbox.control.knownIds;

describe('memberships against the sandbox', () => {
  it('finds a client’s memberships by phone, and flags a client without a phone', async () => {
    const { dana, clientNoPhone } = ids();
    const r = await svc.forClient(dana.locationId, dana.clientId);
    expect(r.noPhone).toBe(false);
    expect(r.memberships.map((m) => m.id)).toContain(ids().memberships.danaPerServiceFreezable);
    const none = await svc.forClient(clientNoPhone.locationId, clientNoPhone.clientId);
    expect(none).toMatchObject({ noPhone: true, memberships: [] });
  });

  it('the last legal date is accepted by the server and one day more is refused', async () => {
    const { dana, memberships } = ids();
    const id = memberships.danaPerServiceFreezable;
    const before = await svc.get(dana.chainId, id);
    const zone = zoneOf(dana.locationId);
    const a = freezeAvailability(before, { periodEdit: true }, NOW, zone);
    if (!a.allowed) throw new Error(`expected freezable: ${a.reason}`);

    // The server agrees on the boundary (sent directly, bypassing the local check).
    const tooFar = await api.freeze(dana.chainId, id, addDays(a.lastDate, 1)).catch((e: unknown) => e);
    expect(tooFar).toBeInstanceOf(DeskFailure);
    expect((tooFar as DeskFailure).kind).toBe('validation');
    // …and the service refuses it locally, without a request or an audit entry.
    await expect(svc.freeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, freezeTill: addDays(a.lastDate, 1), reason: 'x' })).rejects.toMatchObject({
      kind: 'validation',
      fields: { freezeTill: expect.any(String) },
    });
    expect(store.audit.list({ membershipId: id })).toEqual([]);

    const { membership: after, auditId } = await svc.freeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, freezeTill: a.lastDate, reason: 'travelling' });
    expect(after.isFrozen).toBe(true);
    expect(after.freezePeriodDays).toBe(a.allowance.usedDays + a.allowance.remainingDays);
    // The preview was right.
    const preview = expiryAfterFreeze(before.expirationDate, a.today, a.lastDate, zone);
    expect(expiryAfterFreeze(after.expirationDate, a.today, a.today, zone)).toBe(preview);

    const [entry] = store.audit.list({ membershipId: id });
    expect(entry).toMatchObject({ id: auditId, action: 'freeze', outcome: 'ok', reason: 'travelling', locationId: dana.locationId });
    expect(entry?.before).toMatchObject({ isFrozen: false, request: { freezeTill: a.lastDate } });
    expect(entry?.after).toMatchObject({ isFrozen: true });
  });

  it('unfreeze gives back exactly what unfreezeEffect announced', async () => {
    const { dana, memberships } = ids();
    const id = memberships.danaPerServiceFreezable;
    const zone = zoneOf(dana.locationId);
    const frozen = await svc.get(dana.chainId, id);
    expect(frozen.isFrozen).toBe(true);
    const effect = unfreezeEffect(frozen, NOW, zone);
    const { membership: after } = await svc.unfreeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, reason: 'back early' });
    expect(after.isFrozen).toBe(false);
    expect(after.freezePeriodDays).toBe(effect.frozenDaysKept);
    expect(expiryAfterFreeze(after.expirationDate, effect.today, effect.today, zone)).toBe(effect.expiryAfter);
  });

  it('a freeze made elsewhere meanwhile is caught by the re-read before sending', async () => {
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const m = await svc.get(dana.chainId, id);
    const a = freezeAvailability(m, { periodEdit: true }, NOW, zoneOf(dana.locationId));
    if (!a.allowed) throw new Error(a.reason);
    await api.freeze(dana.chainId, id, a.firstDate); // someone else freezes it
    sandbox.control.resetStats();
    await expect(svc.freeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, freezeTill: a.firstDate })).rejects.toMatchObject({
      kind: 'validation',
      message: expect.stringContaining('Already frozen'),
    });
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
    await api.unfreeze(dana.chainId, id);
  });

  it('a refusal by the server is re-thrown and audited as failed', async () => {
    // The front-desk user may not edit balances at Northside; a service that wrongly believes it
    // may sends the request, and the server's 403 must end up in the audit log.
    const frontDesk = sandbox.users[1]!;
    const fdCreds: Credentials = { baseUrl: sandbox.url, partnerToken: sandbox.partnerToken, userToken: null };
    const fdApi = createAltegioClient({ credentials: () => fdCreds, limiter: createRateLimiter({ perSecond: 50, perMinute: 3000 }), retry: { attempts: 1 } });
    const fdAuth = await fdApi.auth(frontDesk.login, frontDesk.password);
    fdCreds.userToken = fdAuth.userToken;
    const fdSvc = createMembershipService({
      api: () => fdApi,
      store,
      user: () => ({ profileId: 'fd', userId: fdAuth.userId, name: fdAuth.name }),
      rights: () => ({ loyalty: true, periodEdit: true, balanceEdit: true, history: true }),
      timezone: zoneOf,
      now: () => NOW,
    });
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const m = await fdSvc.get(dana.chainId, id);
    if (m.balance.kind !== 'united') throw new Error('expected a united balance');
    const err = await fdSvc.setBalance({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, reason: 'try', united: m.balance.count + 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeskFailure);
    expect((err as DeskFailure).kind).toBe('forbidden');
    const entry = store.audit.list({ membershipId: id }).find((e) => e.userName === fdAuth.name);
    // The audit entry keeps Altegio's own words beside the app's explanation.
    expect(entry).toMatchObject({ action: 'set_balance', outcome: 'failed', message: `${(err as DeskFailure).message} Altegio said: "Access denied."` });
    expect((await svc.get(dana.chainId, id)).balance).toMatchObject({ count: m.balance.count });
  });

  it('a 500 on freeze: the service re-reads and records failed; the membership stays unfrozen', async () => {
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const m = await svc.get(dana.chainId, id);
    const a = freezeAvailability(m, { periodEdit: true }, NOW, zoneOf(dana.locationId));
    if (!a.allowed) throw new Error(a.reason);
    sandbox.control.setFaults([{ route: '/freeze', probability: 1, kind: 'http500' }]);
    try {
      await expect(svc.freeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, freezeTill: a.firstDate, reason: 'flaky' })).rejects.toMatchObject({ kind: 'server' });
    } finally {
      sandbox.control.clearFaults();
    }
    const entry = store.audit.list({ membershipId: id }).find((e) => e.reason === 'flaky');
    expect(entry).toMatchObject({ action: 'freeze', outcome: 'failed' });
    expect((await svc.get(dana.chainId, id)).isFrozen).toBe(false);
  });

  it('freeze in Tokyo uses Tokyo’s date', async () => {
    const { haruto, memberships } = ids();
    const chainId = ids().chains.northside;
    const m = await svc.get(chainId, memberships.tokyoFreezable);
    const a = freezeAvailability(m, { periodEdit: true }, NOW, 'Asia/Tokyo');
    if (!a.allowed) throw new Error(a.reason);
    const { membership: after } = await svc.freeze({ chainId, locationId: haruto.locationId, membershipId: m.id, freezeTill: a.firstDate });
    expect(after.isFrozen).toBe(true);
    expect(after.freezePeriodDays).toBe(a.allowance.usedDays + 1);
    const frozen = store.audit.list({ membershipId: m.id })[0]!;
    const undone = await svc.undo(frozen.id, undefined, 'ru');
    expect(undone.membership.isFrozen).toBe(false);
    // No reason given: the one kept says what was undone, in the language of the person who undid it and Tokyo's time.
    expect(undone.entry).toMatchObject({ action: 'undo', outcome: 'ok', reason: `Отмена заморозки, сделанной ${formatMomentIn('ru', frozen.at, 'Asia/Tokyo')}` });
  });

  it('set balance, then undo; undo refuses after an intervening change', async () => {
    const { dana, memberships, services } = ids();
    const id = memberships.danaPerServiceFreezable;
    const before = await svc.get(dana.chainId, id);
    const line = before.balance.lines.find((l) => l.serviceId === services.pilates);
    if (!line) throw new Error('no pilates line');
    const { membership: m1 } = await svc.setBalance({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, reason: 'dispute', services: [{ serviceId: services.pilates, balance: line.count + 3 }] });
    expect(m1.balance.lines.find((l) => l.serviceId === services.pilates)?.count).toBe(line.count + 3);
    const entry = store.audit.list({ membershipId: id }).find((e) => e.action === 'set_balance');
    expect(entry).toMatchObject({ outcome: 'ok', reason: 'dispute' });

    const undone = await svc.undo(entry!.id, 'typo');
    expect(undone.membership.balance.lines.find((l) => l.serviceId === services.pilates)?.count).toBe(line.count);
    expect(store.audit.get(entry!.id)?.undoneBy).toBe(undone.entry.id);

    // Again, but someone changes it in between.
    // The write names the entry it made, among this membership's earlier set_balance and undo entries.
    const { auditId: secondId } = await svc.setBalance({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, reason: 'second', services: [{ serviceId: services.pilates, balance: 1 }] });
    expect(store.audit.list({ membershipId: id }).length).toBeGreaterThan(2);
    const second = store.audit.get(secondId)!;
    expect(second).toMatchObject({ action: 'set_balance', reason: 'second', outcome: 'ok', undoneBy: null });
    sandbox.control.setBalanceDirect(id, { services: [{ serviceId: services.pilates, balance: 2 }] });
    const refused: unknown = await svc.undo(second.id).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'conflict', message: expect.stringContaining('changed since') });
    // "Since" that change: the moment it was made, in the location's zone and the reader's language.
    const when = formatMomentIn('ru', second.at, zoneOf(dana.locationId));
    expect(when).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    expect(wordsIn('ru').say((refused as DeskFailure).msg!)).toMatch(new RegExp(`^Остаток изменился после ${when.replace(/\./g, '\\.')}: Pilates`));
    const now: Membership = await svc.get(dana.chainId, id);
    expect(now.balance.lines.find((l) => l.serviceId === services.pilates)?.count).toBe(2);
  });

  it('balance edits forbidden by the type are refused locally', async () => {
    const { memberships, marcus } = ids();
    const chainId = ids().chains.northside;
    await expect(
      svc.setBalance({ chainId, locationId: marcus.locationId, membershipId: memberships.balanceEditProhibited, reason: 'x', united: 1 }),
    ).rejects.toMatchObject({ kind: 'validation', message: 'This membership type does not allow balance changes.' });
  });
});
