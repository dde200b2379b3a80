/**
 * Issue 15 point 2 against a REAL Secret Service and the sandbox answering /auth as the YCLIENTS
 * Blueprint prints it (`{"user_token": "…"}`: no id, no name). Two receptionists on one PC must
 * keep separate profiles, separate tokens in the keychain and their own names in the audit log.
 * Run under dbus-run-session + gnome-keyring (the keychain stage of `npm test`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createMembershipService } from '../../main/core/memberships/service';
import { createKeytarSecretStore } from '../../main/core/session/keytar-secret-store';
import { partnerAccount, userAccount } from '../../main/core/session/secret-store';
import { createSessionService, profileIdFor } from '../../main/core/session/session';
import { openStore } from '../../main/core/store/store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';

const SERVICE = `Membership Desk (auth without id ${process.pid}-${Date.now()})`;
const keychain = createKeytarSecretStore({ service: SERVICE, timeoutMs: 10_000 });

type Keytar = { findCredentials(service: string): Promise<Array<{ account: string; password: string }>> };
const everything = async () => {
  const mod = (await import('keytar')) as Keytar & { default?: Keytar };
  return (await (mod.default ?? mod).findCredentials(SERVICE)).map((c) => c.account).sort();
};

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ rate: null, realShapes: ['bare-auth'] });
});

afterAll(async () => {
  for (const account of await everything().catch(() => [] as string[])) await keychain.delete(account).catch(() => false);
  await sandbox?.close();
});

/** What the sandbox hands out for these credentials now (the Blueprint shape: a bare user_token). */
async function tokenOf(login: string, password: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/v1/auth`, {
    method: 'POST',
    headers: { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: `Bearer ${sandbox.partnerToken}` },
    body: JSON.stringify({ login, password }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['user_token']);
  return String(body['user_token']);
}

describe('/auth without an id, on a real keychain', () => {
  it('two users keep separate profiles, tokens and audit names', async () => {
    const [owner, frontDesk] = sandbox.users;
    if (!owner || !frontDesk) throw new Error('sandbox users missing');
    const store = openStore(':memory:');
    const limiter = createRateLimiter({ perSecond: 100, perMinute: 6000 });
    const session = createSessionService({ store, secrets: keychain, apiFor: (c) => createAltegioClient({ credentials: c, limiter, retry: { attempts: 1 } }) });
    const memberships = createMembershipService({
      api: () => session.api(),
      store,
      user: () => session.currentUser(),
      rights: (chainId) => session.rightsFor(chainId)!,
      timezone: (locationId) => session.locationTimezone(locationId) ?? 'UTC',
    });
    await session.setPartnerToken(sandbox.partnerToken, sandbox.url);
    const { dana, memberships: ids } = sandbox.control.knownIds;

    // The owner signs in and edits a balance.
    const first = (await session.signIn({ login: owner.email, password: owner.password })).profile!;
    expect(first).toMatchObject({ userId: 0, name: owner.email, login: owner.email });
    const m = await memberships.get(dana.chainId, ids.danaUnitedWeeks);
    if (m.balance.kind !== 'united') throw new Error('expected a united balance');
    await memberships.setBalance({ chainId: dana.chainId, locationId: dana.locationId, membershipId: m.id, reason: 'owner fix', united: m.balance.count + 1 });

    // The front desk signs in on the same PC and edits a balance where it may (Lotus).
    const second = (await session.signIn({ login: frontDesk.login, password: frontDesk.password })).profile!;
    expect(second.id).not.toBe(first.id);
    expect(second).toMatchObject({ userId: 0, name: frontDesk.login });
    const olga = sandbox.control.knownIds.olga;
    const [lotus] = await memberships.byPhone(olga.locationId, olga.phone).then((r) => r.memberships);
    if (!lotus) throw new Error('no Lotus membership');
    const lotusBalance = lotus.balance.kind === 'united' ? { united: lotus.balance.count + 1 } : { services: [{ serviceId: lotus.balance.lines[0]!.serviceId, balance: lotus.balance.lines[0]!.count + 1 }] };
    await memberships.setBalance({ chainId: lotus.chainId, locationId: olga.locationId, membershipId: lotus.id, reason: 'desk fix', ...lotusBalance });

    // Separate entries in the real keychain, each holding its own user's token.
    expect(first.id).toBe(profileIdFor(sandbox.url, 0, owner.email));
    expect(await everything()).toEqual([partnerAccount(sandbox.url), userAccount(first.id), userAccount(second.id)].sort());
    expect(await keychain.get(userAccount(first.id))).toBe(await tokenOf(owner.email, owner.password));
    expect(await keychain.get(userAccount(second.id))).toBe(await tokenOf(frontDesk.login, frontDesk.password));

    // The audit log names each person.
    const entries = store.audit.list({});
    expect(entries.find((e) => e.reason === 'owner fix')).toMatchObject({ userName: owner.email, profileId: first.id, outcome: 'ok' });
    expect(entries.find((e) => e.reason === 'desk fix')).toMatchObject({ userName: frontDesk.login, profileId: second.id, outcome: 'ok' });

    // Switching back and re-authenticating keeps the owner the owner.
    await session.switchProfile(first.id);
    sandbox.control.invalidateUserTokens(owner.email); // the owner's token refused: a 401 expires the session
    await expect(session.api().chains()).rejects.toMatchObject({ kind: 'auth_expired' });
    await session.reauthenticate(owner.password);
    expect(session.currentUser()).toMatchObject({ profileId: first.id, name: owner.email });
    expect(await keychain.get(userAccount(second.id))).toBe(await tokenOf(frontDesk.login, frontDesk.password));

    await session.signOut(first.id);
    await session.signOut(second.id);
    await session.removePartnerToken();
    expect(await everything()).toEqual([]);
    store.close();
  });
});
