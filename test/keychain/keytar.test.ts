/**
 * The keytar adapter against a REAL Secret Service. Run under
 *   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec npx vitest run --project keychain'
 * Entries are filed under a per-run service name so a developer's real keychain is never touched.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Chain } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { DeskFailure } from '../../main/core/errors';
import { createKeytarSecretStore } from '../../main/core/session/keytar-secret-store';
import { partnerAccount, userAccount } from '../../main/core/session/secret-store';
import { createSessionService, profileIdFor } from '../../main/core/session/session';
import { openStore } from '../../main/core/store/store';

const root = resolve(import.meta.dirname, '../..');
const SERVICE = `Membership Desk (test ${process.pid}-${Date.now()})`;
const keychain = createKeytarSecretStore({ service: SERVICE, timeoutMs: 10_000 });

type Keytar = { findCredentials(service: string): Promise<Array<{ account: string; password: string }>> };
const raw = async (): Promise<Keytar> => {
  const mod = (await import('keytar')) as Keytar & { default?: Keytar };
  return mod.default ?? mod;
};
const everything = async () => (await (await raw()).findCredentials(SERVICE)).map((c) => c.account).sort();

afterAll(async () => {
  for (const account of await everything().catch(() => [] as string[])) await keychain.delete(account).catch(() => false);
});

describe('keytar adapter on a real Secret Service', () => {
  it('stores, reads, replaces and deletes per profile', async () => {
    expect(await keychain.get('user:p1')).toBeNull();
    await keychain.set('user:p1', 'token-one-aaaa');
    await keychain.set('user:p2', 'token-two-bbbb');
    expect(await keychain.get('user:p1')).toBe('token-one-aaaa');
    await keychain.set('user:p1', 'token-one-replaced');
    expect(await keychain.get('user:p1')).toBe('token-one-replaced');
    expect(await keychain.get('user:p2')).toBe('token-two-bbbb');
    expect(await keychain.delete('user:p1')).toBe(true);
    expect(await keychain.delete('user:p1')).toBe(false);
    expect(await keychain.get('user:p1')).toBeNull();
    expect(await keychain.get('user:p2')).toBe('token-two-bbbb');
    expect(await keychain.delete('user:p2')).toBe(true);
    expect(await everything()).toEqual([]);
  });

  it('sign-out through the session leaves no secret of that profile behind; the second profile is untouched', async () => {
    const store = openStore(':memory:');
    const SERVER = 'https://api.alteg.io/api';
    const PARTNER = 'keychain-suite-partner-token';
    const users: Record<string, { id: number; name: string; password: string }> = {
      'a@x.test': { id: 11, name: 'Ann', password: 'pw-ann-1' },
      'b@x.test': { id: 12, name: 'Ben', password: 'pw-ben-2' },
    };
    const chains: Chain[] = [
      { id: 1, title: 'C', locations: [{ id: 2, title: 'L', timezone: 'UTC' }], rights: { loyalty: true, periodEdit: true, balanceEdit: true, history: true } },
    ];
    let n = 0;
    const apiFor = (c: () => Credentials): AltegioApi => {
      const no = async (): Promise<never> => {
        throw new Error('unused');
      };
      return {
        auth: async (login, password) => {
          const u = users[login];
          if (!u || u.password !== password || c().partnerToken !== PARTNER) throw DeskFailure.fromServer('validation', 'Wrong login or password.');
          return { userToken: `kc-user-token-${u.id}-${++n}`, userId: u.id, name: u.name, login };
        },
        chains: async () => chains,
        searchClients: no,
        client: no,
        membershipsByPhone: no,
        membershipsByIds: no,
        membershipsCreated: no,
        freeze: no,
        unfreeze: no,
        setBalance: no,
        setPeriod: no,
      };
    };
    const session = createSessionService({ store, secrets: keychain, apiFor });
    await session.setPartnerToken(PARTNER, SERVER);
    await session.signIn({ login: 'a@x.test', password: 'pw-ann-1' });
    await session.signIn({ login: 'b@x.test', password: 'pw-ben-2' });
    const ann = profileIdFor(SERVER, 11);
    const ben = profileIdFor(SERVER, 12);
    expect(await everything()).toEqual([partnerAccount(SERVER), userAccount(ann), userAccount(ben)].sort());
    const benToken = await keychain.get(userAccount(ben));

    // A restart reads the tokens back from the real keychain.
    const restarted = createSessionService({ store, secrets: keychain, apiFor });
    expect((await restarted.getState()).status).toBe('signed_in');
    expect((await restarted.switchProfile(ann)).status).toBe('signed_in');

    const st = await restarted.signOut(ann);
    expect(st.status).toBe('signed_out');
    expect(await everything()).toEqual([partnerAccount(SERVER), userAccount(ben)].sort());
    expect(await keychain.get(userAccount(ann))).toBeNull();
    expect(await keychain.get(userAccount(ben))).toBe(benToken);
    expect((await restarted.switchProfile(ben)).status).toBe('signed_in');

    // Nothing secret went to the database.
    const dump = JSON.stringify(['settings', 'profiles', 'audit', 'mapping_memory'].map((t) => store.db.prepare(`SELECT * FROM ${t}`).all()));
    for (const s of [PARTNER, 'kc-user-token', 'pw-ann-1', 'pw-ben-2']) expect(dump).not.toContain(s);

    await restarted.signOut(ben);
    await restarted.removePartnerToken();
    expect(await everything()).toEqual([]);
    store.close();
  });
});

describe('without a Secret Service', () => {
  it('the real adapter reports keychain_unavailable (in a child process with no D-Bus), never hangs, never leaks the token', async () => {
    const secret = 'child-process-secret-token-77';
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/membership-desk-test-bus' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, 'test/keychain/fixtures/keychain-unavailable.ts'), secret], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | string>((done) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done('timeout');
      }, 25_000);
      child.on('exit', (c, signal) => {
        clearTimeout(timer);
        done(c ?? String(signal));
      });
    });
    expect(code, err).toBe(0);
    const results = JSON.parse(out.trim()) as Array<{ op: string; ok: boolean; kind?: string; message?: string }>;
    expect(results.map((r) => r.op)).toEqual(['set', 'get', 'delete']);
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.kind).toBe('keychain_unavailable');
      // The heading (error.keychain_unavailable) names the keychain; the message is the remedy only (issue 13 item 8).
      expect(r.message).toMatch(/keyring/i);
      expect(r.message).toMatch(/gnome-keyring|KWallet/);
    }
    expect(out + err).not.toContain(secret);
  }, 30_000);
});
