import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Chain, SessionState } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { DeskFailure } from '../../main/core/errors';
import { msg } from '../../common/i18n/translate';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { partnerAccount, userAccount } from '../../main/core/session/secret-store';
import {
  createSessionService,
  normalizeServerUrl,
  profileIdFor,
  SETTINGS_CURRENT_PROFILE,
  type SessionDeps,
} from '../../main/core/session/session';
import { openStore, type Store } from '../../main/core/store/store';

// ---------------------------------------------------------------------------------------------
// A fake Altegio: users with passwords, tokens that can be invalidated, an offline switch.

const SERVER = 'https://api.alteg.io/api';
const OTHER_SERVER = 'http://127.0.0.1:8123/api';
const PARTNER = 'partner-token-0123456789abcd';
const PASSWORD_DANA = 'Dana-S3cret-Passw0rd!';
const PASSWORD_SAM = 'Sam-0ther-Secret#42';

const chainsFor = (userId: number): Chain[] => [
  {
    id: 70114,
    title: 'Northside Fitness',
    locations: [
      { id: 512330, title: 'Downtown', timezone: 'America/Chicago' },
      { id: 512331, title: 'Riverside', timezone: 'America/New_York' },
    ],
    rights: { loyalty: true, periodEdit: true, balanceEdit: userId !== 2, history: true },
  },
  {
    id: 70200,
    title: 'Lakeside Spa',
    locations: [{ id: 600001, title: 'Lakeside', timezone: 'Europe/Berlin' }],
    rights: { loyalty: true, periodEdit: false, balanceEdit: false, history: false },
  },
];

interface User {
  id: number;
  name: string;
  password: string;
}

class FakeAltegio {
  users = new Map<string, User>([
    ['+15125550142', { id: 1, name: 'Dana Whitfield', password: PASSWORD_DANA }],
    ['sam@studio.test', { id: 2, name: 'Sam Ortiz', password: PASSWORD_SAM }],
  ]);
  partnerTokens = new Set([PARTNER]);
  /** token -> user id */
  tokens = new Map<string, number>();
  offline = false;
  issued = 0;
  /** Every call with the credentials it carried (tokens only; the password is not recorded). */
  calls: Array<{ method: string; credentials: Credentials }> = [];
  /** When set, searchClients waits for it before answering. */
  gate: Promise<void> | null = null;
  /** How many searchClients calls have reached the gate (with the credentials they started with). */
  atGate = 0;

  invalidate(userId: number) {
    for (const [t, id] of this.tokens) if (id === userId) this.tokens.delete(t);
  }

  apiFor = (credentials: () => Credentials): AltegioApi => {
    const begin = (method: string) => {
      const c = { ...credentials() };
      this.calls.push({ method, credentials: c });
      if (this.offline) throw DeskFailure.fromServer('offline', 'No connection to Altegio.');
      if (!c.partnerToken || !this.partnerTokens.has(c.partnerToken)) throw DeskFailure.fromServer('forbidden', 'The partner token was refused.');
      return c;
    };
    const authed = (method: string) => {
      const c = begin(method);
      const userId = c.userToken ? this.tokens.get(c.userToken) : undefined;
      if (userId === undefined) throw DeskFailure.fromServer('auth_expired', 'Authentication needed.');
      return userId;
    };
    const unused = async (): Promise<never> => {
      throw new Error('not used in these tests');
    };
    return {
      auth: async (login, password) => {
        begin('auth');
        const user = this.users.get(login);
        if (!user || user.password !== password) throw DeskFailure.fromServer('validation', 'Wrong login or password.');
        const userToken = `utok-${user.id}-${++this.issued}-ffffffff`;
        this.tokens.set(userToken, user.id);
        return { userToken, userId: user.id, name: user.name, login };
      },
      chains: async () => chainsFor(authed('chains')),
      searchClients: async () => {
        const c = { ...credentials() };
        if (this.gate) {
          this.atGate++;
          await this.gate;
        }
        const userToken = c.userToken;
        this.calls.push({ method: 'searchClients', credentials: c });
        if (this.offline) throw DeskFailure.fromServer('offline', 'No connection to Altegio.');
        if (!userToken || !this.tokens.has(userToken)) throw DeskFailure.fromServer('auth_expired', 'Authentication needed.');
        return { clients: [], total: this.tokens.get(userToken) ?? 0 };
      },
      client: unused,
      membershipsByPhone: unused,
      membershipsByIds: unused,
      membershipsCreated: unused,
      freeze: unused,
      unfreeze: unused,
      setBalance: unused,
      setPeriod: unused,
    };
  };
}

// ---------------------------------------------------------------------------------------------

let store: Store;
let secrets: MemorySecretStore;
let fake: FakeAltegio;
let states: SessionState[];

const make = (over: Partial<SessionDeps> = {}) =>
  createSessionService({ store, secrets, apiFor: fake.apiFor, onChange: (s) => states.push(s), ...over });

/** Every row of every table, as text: what would be on disk. */
const dumpStore = () =>
  store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((r) => (r as { name: string }).name)
    .map((t) => JSON.stringify(store.db.prepare(`SELECT * FROM "${t}"`).all()))
    .join('\n');

const expectKind = async (p: Promise<unknown>, kind: string) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DeskFailure);
  expect((e as DeskFailure).kind).toBe(kind);
  return e as DeskFailure;
};

const danaId = profileIdFor(SERVER, 1);
const samId = profileIdFor(SERVER, 2);

beforeEach(async () => {
  store = openStore(':memory:');
  secrets = new MemorySecretStore();
  fake = new FakeAltegio();
  states = [];
  await secrets.set(partnerAccount(SERVER), PARTNER);
});

describe('server URLs and profile ids', () => {
  it('normalises http(s) URLs and rejects anything else', () => {
    expect(normalizeServerUrl(' https://API.alteg.io/api/ ')).toBe('https://api.alteg.io/api');
    expect(normalizeServerUrl('http://127.0.0.1:8123/api')).toBe('http://127.0.0.1:8123/api');
    for (const bad of ['ftp://x.example', 'http://x.example/api', 'api.alteg.io', 'javascript:alert(1)', 'https://u:p@x.example/api', 'https://x.example/api?x=1', '']) {
      expect(() => normalizeServerUrl(bad), bad).toThrow(DeskFailure);
    }
  });

  it('derives the same profile id for the same server and user, a different one otherwise', () => {
    expect(profileIdFor('https://api.alteg.io/api/', 1)).toBe(profileIdFor('https://api.alteg.io/api', 1));
    expect(profileIdFor(SERVER, 1)).not.toBe(profileIdFor(SERVER, 2));
    expect(profileIdFor(SERVER, 1)).not.toBe(profileIdFor(OTHER_SERVER, 1));
  });
});

describe('partner token settings', () => {
  it('shows only the last four characters, can be replaced and removed', async () => {
    const s = make();
    expect(await s.settings()).toEqual({ serverUrl: SERVER, partnerTokenHint: 'abcd' });
    const replaced = await s.setPartnerToken('  another-partner-token-WXYZ ');
    expect(replaced).toEqual({ serverUrl: SERVER, partnerTokenHint: 'WXYZ' });
    expect(await secrets.get(partnerAccount(SERVER))).toBe('another-partner-token-WXYZ');
    expect(JSON.stringify(await s.settings())).not.toContain('another-partner');
    expect(await s.removePartnerToken()).toEqual({ serverUrl: SERVER, partnerTokenHint: null });
    expect(await secrets.get(partnerAccount(SERVER))).toBeNull();
    expect(dumpStore()).not.toContain('another-partner');
  });

  it('accepts a custom server and files the token under it', async () => {
    const s = make();
    const st = await s.setPartnerToken('custom-partner-1234', 'http://127.0.0.1:8123/api/');
    expect(st).toEqual({ serverUrl: OTHER_SERVER, partnerTokenHint: '1234' });
    expect(await secrets.get(partnerAccount(OTHER_SERVER))).toBe('custom-partner-1234');
    expect(await secrets.get(partnerAccount(SERVER))).toBe(PARTNER); // the other server's token untouched
    expect((await s.settings()).serverUrl).toBe(OTHER_SERVER);
  });

  it('rejects a bad URL or a token with spaces without storing anything', async () => {
    const s = make();
    const e = await expectKind(s.setPartnerToken('good-token-1234', 'ftp://nope'), 'bad_input');
    expect(e.fields).toHaveProperty('serverUrl');
    await expectKind(s.setPartnerToken('has space inside'), 'bad_input');
    expect(secrets.accounts()).toEqual([partnerAccount(SERVER)]);
  });
});

describe('sign-in', () => {
  it('signs in, reads chains with rights, stores the user token in the keychain and metadata in the store', async () => {
    const s = make();
    const st = await s.signIn({ login: ' +15125550142 ', password: PASSWORD_DANA });
    expect(st.status).toBe('signed_in');
    expect(st.profile).toMatchObject({ id: danaId, name: 'Dana Whitfield', login: '+15125550142', userId: 1, serverUrl: SERVER, demo: false });
    expect(st.chains.map((c) => c.id)).toEqual([70114, 70200]);
    expect(st.profiles.map((p) => p.id)).toEqual([danaId]);
    expect(await secrets.get(userAccount(danaId))).toMatch(/^utok-1-/);
    expect(store.profiles.chains(danaId)).toEqual(st.chains);
    expect(store.settings.get(SETTINGS_CURRENT_PROFILE)).toBe(danaId);
    expect(states.at(-1)?.status).toBe('signed_in');

    expect(s.currentUser()).toEqual({ profileId: danaId, userId: 1, name: 'Dana Whitfield' });
    expect(s.rightsFor(70114)).toEqual({ loyalty: true, periodEdit: true, balanceEdit: true, history: true });
    expect(s.rightsFor(1)).toBeNull();
    expect(s.locationTimezone(512331)).toBe('America/New_York');
    expect(s.locationTimezone(1)).toBeNull();

    const r = await s.api().searchClients(512330, 'x');
    expect(r.total).toBe(1);
    const last = fake.calls.at(-1);
    expect(last?.credentials).toMatchObject({ baseUrl: SERVER, partnerToken: PARTNER });
    expect(last?.credentials.userToken).toBe(await secrets.get(userAccount(danaId)));
  });

  it('passes the client errors through and records nothing on failure', async () => {
    const s = make();
    await expectKind(s.signIn({ login: '+15125550142', password: 'wrong' }), 'validation');
    fake.offline = true;
    await expectKind(s.signIn({ login: '+15125550142', password: PASSWORD_DANA }), 'offline');
    fake.offline = false;
    await expectKind(s.signIn({ login: '+15125550142', password: PASSWORD_DANA, serverUrl: OTHER_SERVER }), 'validation'); // no partner token there
    expect((await s.getState()).status).toBe('signed_out');
    expect(store.profiles.list()).toEqual([]);
    expect(secrets.accounts()).toEqual([partnerAccount(SERVER)]);
  });

  it('a refused partner token is the client error, unchanged', async () => {
    await secrets.set(partnerAccount(SERVER), 'revoked-partner-token');
    const e = await expectKind(make().signIn({ login: '+15125550142', password: PASSWORD_DANA }), 'forbidden');
    expect(e.message).toMatch(/partner token/);
  });

  it('signing in again as the same user reuses the profile and keeps its last location', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await s.selectLocation(70114, 512331);
    const st = await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    expect(st.profiles).toHaveLength(1);
    expect(st.selection).toEqual({ chainId: 70114, locationId: 512331 });
    expect(secrets.accounts()).toEqual([partnerAccount(SERVER), userAccount(danaId)].sort());
  });

  it('the same user on another server is another profile', async () => {
    await secrets.set(partnerAccount(OTHER_SERVER), PARTNER);
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    const st = await s.signIn({ login: '+15125550142', password: PASSWORD_DANA, serverUrl: OTHER_SERVER + '/' });
    expect(st.profiles.map((p) => p.serverUrl).sort()).toEqual([OTHER_SERVER, SERVER].sort());
    expect(st.profile?.serverUrl).toBe(OTHER_SERVER);
  });
});

describe('profiles', () => {
  it('switches between users; each keeps its token and its last chain/location; writes are attributed to the current one', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await s.selectLocation(70200, 600001);
    await s.signIn({ login: 'sam@studio.test', password: PASSWORD_SAM });
    expect(s.currentUser().name).toBe('Sam Ortiz');
    expect(s.rightsFor(70114)?.balanceEdit).toBe(false);
    await s.selectLocation(70114, 512330);

    const callsBefore = fake.calls.length;
    let st = await s.switchProfile(danaId);
    expect(fake.calls.length).toBe(callsBefore); // switching needs no network
    expect(st.status).toBe('signed_in');
    expect(st.profile?.id).toBe(danaId);
    expect(st.selection).toEqual({ chainId: 70200, locationId: 600001 });
    expect(s.currentUser()).toEqual({ profileId: danaId, userId: 1, name: 'Dana Whitfield' });
    expect((await s.api().searchClients(600001, 'x')).total).toBe(1);

    st = await s.switchProfile(samId);
    expect(st.selection).toEqual({ chainId: 70114, locationId: 512330 });
    expect((await s.api().searchClients(512330, 'x')).total).toBe(2);
    expect(store.settings.get(SETTINGS_CURRENT_PROFILE)).toBe(samId);

    await expectKind(s.switchProfile('nobody'), 'not_found');
  });

  it('rejects a chain or location the user does not have', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await expectKind(s.selectLocation(99, 512330), 'not_found');
    await expectKind(s.selectLocation(70114, 600001), 'not_found');
    expect((await s.getState()).selection).toBeNull();
  });

  it('a call that started for one profile and fails after a switch does not expire the new session', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await s.signIn({ login: 'sam@studio.test', password: PASSWORD_SAM });
    await s.switchProfile(danaId);
    let open!: () => void;
    fake.gate = new Promise((r) => (open = r));
    const pending = s.api().searchClients(512330, 'x');
    // The call holds Dana's token and waits at the gate before the switch.
    await vi.waitFor(() => expect(fake.atGate, 'the search never reached the fake Altegio').toBe(1), { timeout: 10_000, interval: 1 });
    await s.switchProfile(samId);
    fake.invalidate(1);
    open();
    await expectKind(pending, 'auth_expired');
    fake.gate = null;
    expect((await s.getState()).status).toBe('signed_in');
    expect((await s.getState()).profile?.id).toBe(samId);
  });
});

describe('sign-out', () => {
  it('removes the user token and every cache of that profile; another profile is untouched', async () => {
    const onSignedOut = vi.fn();
    const s = make({ onSignedOut });
    await s.signIn({ login: 'sam@studio.test', password: PASSWORD_SAM });
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await s.selectLocation(70114, 512331);
    const samToken = await secrets.get(userAccount(samId));

    const st = await s.signOut();
    expect(st.status).toBe('signed_out');
    expect(st.profile).toBeNull();
    expect(st.chains).toEqual([]);
    expect(st.selection).toBeNull();
    expect(st.profiles.map((p) => p.id)).toEqual([samId]);
    expect(onSignedOut).toHaveBeenCalledWith(danaId);
    expect(await secrets.get(userAccount(danaId))).toBeNull();
    expect(await secrets.get(userAccount(samId))).toBe(samToken);
    expect(store.profiles.get(danaId)).toBeNull();
    expect(store.profiles.chains(danaId)).toEqual([]);
    expect(store.settings.get(SETTINGS_CURRENT_PROFILE)).toBeNull();
    expect(dumpStore()).not.toContain('Dana');
    await expectKind(s.api().searchClients(512330, 'x'), 'auth_expired');
    expect(() => s.currentUser()).toThrow(DeskFailure);
    expect(s.rightsFor(70114)).toBeNull();

    // A restart after sign-out is signed out.
    const restarted = make();
    expect((await restarted.getState()).status).toBe('signed_out');
  });

  it('can sign out a profile that is not the current one', async () => {
    const s = make();
    await s.signIn({ login: 'sam@studio.test', password: PASSWORD_SAM });
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    const st = await s.signOut(samId);
    expect(st.status).toBe('signed_in');
    expect(st.profile?.id).toBe(danaId);
    expect(st.profiles.map((p) => p.id)).toEqual([danaId]);
    expect(await secrets.get(userAccount(samId))).toBeNull();
  });

  it('with the keychain unavailable, sign-out says so and changes nothing', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    secrets.unavailable = true;
    await expectKind(s.signOut(), 'keychain_unavailable');
    secrets.unavailable = false;
    expect((await s.getState()).status).toBe('signed_in');
    expect(await secrets.get(userAccount(danaId))).not.toBeNull();
  });
});

describe('expiry and re-authentication', () => {
  it('auth_expired turns the session expired; the password restores it and waiting work resumes', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    const oldToken = await secrets.get(userAccount(danaId));
    fake.invalidate(1); // password changed elsewhere

    await expectKind(s.api().searchClients(512330, 'x'), 'auth_expired');
    expect((await s.getState()).status).toBe('expired');
    expect(states.at(-1)?.status).toBe('expired');
    expect((await s.getState()).profile?.id).toBe(danaId);
    // A second call fails fast, without reaching the server.
    const calls = fake.calls.length;
    await expectKind(s.api().searchClients(512330, 'x'), 'auth_expired');
    expect(fake.calls.length).toBe(calls);
    // The dead token is forgotten, so a restart asks for the password at once.
    await vi.waitFor(async () => expect(await secrets.get(userAccount(danaId))).toBeNull());

    let resumed = false;
    const waiting = s.waitForSignedIn().then(() => (resumed = true));
    await expectKind(s.reauthenticate('wrong password'), 'validation');
    expect((await s.getState()).status).toBe('expired');
    expect(resumed).toBe(false);

    const st = await s.reauthenticate(PASSWORD_DANA);
    expect(st.status).toBe('signed_in');
    await waiting;
    expect(resumed).toBe(true);
    const newToken = await secrets.get(userAccount(danaId));
    expect(newToken).not.toBeNull();
    expect(newToken).not.toBe(oldToken);
    // The renderer retries the interrupted action: it works now.
    expect((await s.api().searchClients(512330, 'x')).total).toBe(1);
  });

  it('an auth_expired answer to any call expires it; waitForSignedIn can be aborted', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await expect(s.waitForSignedIn()).resolves.toBeUndefined();
    fake.invalidate(1); // the token refused: Altegio answers 401
    await expectKind(s.api().searchClients(512330, 'x'), 'auth_expired');
    expect(s.snapshot().status).toBe('expired');
    const ac = new AbortController();
    const w = s.waitForSignedIn(ac.signal);
    ac.abort(new Error('batch cancelled'));
    await expect(w).rejects.toThrow('batch cancelled');
  });

  it('re-authentication keeps the cached chains if /groups fails right after', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    fake.invalidate(1); // the token refused: Altegio answers 401
    await expectKind(s.api().searchClients(512330, 'x'), 'auth_expired');
    const realApiFor = fake.apiFor;
    let chainsCalls = 0;
    fake.apiFor = (c) => {
      const api = realApiFor(c);
      return {
        ...api,
        chains: async () => {
          chainsCalls++;
          throw DeskFailure.fromServer('server', 'boom');
        },
      };
    };
    // The expired token is removed, so a restart finds the profile expired.
    await vi.waitFor(async () => expect(await secrets.get(userAccount(danaId))).toBeNull());
    const s3 = make({ apiFor: (c) => fake.apiFor(c) });
    expect((await s3.getState()).status).toBe('expired');
    const st = await s3.reauthenticate(PASSWORD_DANA);
    expect(chainsCalls).toBe(1);
    expect(st.status).toBe('signed_in');
    expect(st.chains.map((c) => c.id)).toEqual([70114, 70200]);
  });
});

describe('offline start and connectivity', () => {
  it('starts signed in from the keychain and the cached chains without any network call', async () => {
    const first = make();
    await first.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await first.selectLocation(70114, 512331);

    fake.offline = true;
    fake.calls = [];
    const apiFor = vi.fn(fake.apiFor);
    const s = make({ apiFor });
    const st = await s.getState();
    expect(st.status).toBe('signed_in');
    expect(st.profile?.name).toBe('Dana Whitfield');
    expect(st.chains.map((c) => c.id)).toEqual([70114, 70200]);
    expect(st.selection).toEqual({ chainId: 70114, locationId: 512331 });
    expect(s.locationTimezone(512331)).toBe('America/New_York');
    expect(fake.calls).toEqual([]);

    // An action while offline fails with `offline` and leaves the session signed in (online/offline
    // is the Connectivity's, tested in connectivity.test.ts); it works again once the network is back.
    await expectKind(s.api().searchClients(512331, 'x'), 'offline');
    expect((await s.getState()).status).toBe('signed_in');
    fake.offline = false;
    await s.api().searchClients(512331, 'x');
  });

  it('a profile whose token is gone from the keychain starts as expired', async () => {
    await make().signIn({ login: '+15125550142', password: PASSWORD_DANA });
    await secrets.delete(userAccount(danaId));
    const st = await make().getState();
    expect(st.status).toBe('expired');
    expect(st.profile?.id).toBe(danaId);
  });
});

describe('keychain unavailable', () => {
  it('setting the partner token or signing in fails with keychain_unavailable and writes no secret anywhere', async () => {
    const s = make();
    secrets.unavailable = true;
    const e1 = await expectKind(s.setPartnerToken('brand-new-partner-token-9999'), 'keychain_unavailable');
    expect(e1.message).not.toContain('brand-new-partner');
    await expectKind(s.signIn({ login: '+15125550142', password: PASSWORD_DANA }), 'keychain_unavailable');

    // The keychain answers reads but refuses the write of the user token.
    secrets.unavailable = false;
    const realSet = secrets.set.bind(secrets);
    secrets.set = async (account, secret) => {
      if (account.startsWith('user:')) throw new DeskFailure('keychain_unavailable', msg('error.app.keychainRetry'));
      return realSet(account, secret);
    };
    await expectKind(s.signIn({ login: '+15125550142', password: PASSWORD_DANA }), 'keychain_unavailable');
    const st = await s.getState();
    expect(st.status).toBe('signed_out');
    expect(st.profiles).toEqual([]);
    const dump = dumpStore();
    expect(dump).not.toContain('brand-new-partner');
    expect(dump).not.toContain('utok-');
    expect(dump).not.toContain(PARTNER);
    expect(dump).not.toContain(PASSWORD_DANA);
  });

  it('start-up with a locked keychain shows the profile as expired instead of failing', async () => {
    await make().signIn({ login: '+15125550142', password: PASSWORD_DANA });
    secrets.unavailable = true;
    const s = make();
    const st = await s.getState();
    expect(st.status).toBe('expired');
    expect(st.profile?.id).toBe(danaId);
    await expectKind(s.reauthenticate(PASSWORD_DANA), 'keychain_unavailable');
  });
});

describe('the password is not retained', () => {
  it('appears in no state, event, store row or secret after sign-in and re-authentication', async () => {
    const s = make();
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    fake.invalidate(1); // the token refused: Altegio answers 401
    await expectKind(s.api().searchClients(512330, 'x'), 'auth_expired');
    await s.reauthenticate(PASSWORD_DANA);
    await s.signIn({ login: 'sam@studio.test', password: PASSWORD_SAM });

    const texts = [
      JSON.stringify(await s.getState()),
      JSON.stringify(states),
      JSON.stringify(await s.settings()),
      JSON.stringify(s.currentUser()),
      dumpStore(),
      JSON.stringify(await Promise.all(secrets.accounts().map((a) => secrets.get(a)))),
      JSON.stringify(fake.calls),
      JSON.stringify(s),
    ];
    for (const t of texts) {
      expect(t).not.toContain(PASSWORD_DANA);
      expect(t).not.toContain(PASSWORD_SAM);
    }
    // No token reaches what the renderer sees either.
    for (const t of [JSON.stringify(await s.getState()), JSON.stringify(states), JSON.stringify(await s.settings())]) {
      expect(t).not.toContain('utok-');
      expect(t).not.toContain(PARTNER);
    }
    // The service object has no field holding either.
    const own = Object.values(s).filter((v) => typeof v !== 'function');
    expect(own).toEqual([]);
  });
});

describe('demo mode', () => {
  it('works without any keychain, keeps demo secrets in memory and writes no profile to the store', async () => {
    secrets.unavailable = true;
    const start = vi.fn(async () => ({ serverUrl: 'http://127.0.0.1:45678/api', partnerToken: PARTNER, login: '+15125550142', password: PASSWORD_DANA }));
    const s = make({ demo: { start } });
    secrets.calls.length = 0;
    const st = await s.startDemo();
    expect(st.status).toBe('signed_in');
    expect(st.profile).toMatchObject({ demo: true, userId: 1, serverUrl: 'http://127.0.0.1:45678/api' });
    // The name is the user's; the renderer marks it as the demo (profile.demoMark), once.
    expect(st.profile?.name).toBe('Dana Whitfield');
    expect(st.profiles.map((p) => p.demo)).toEqual([true]);
    // Opens at the first location of the first chain, so there is data on screen at once.
    const firstChain = st.chains[0];
    expect(st.selection).toEqual({ chainId: firstChain?.id, locationId: firstChain?.locations[0]?.id });
    expect(store.profiles.list()).toEqual([]);
    expect(secrets.calls.filter((c) => c.op === 'set')).toEqual([]);
    expect((await s.api().searchClients(512330, 'x')).total).toBe(1);
    await s.selectLocation(70114, 512331);
    expect((await s.getState()).selection).toEqual({ chainId: 70114, locationId: 512331 });
    expect(dumpStore()).not.toContain('demo');

    const out = await s.signOut();
    expect(out.status).toBe('signed_out');
    expect(out.profiles).toEqual([]);
  });

  it('without a demo backend says it is not available', async () => {
    await expectKind(make().startDemo(), 'not_found');
  });

  it('a real profile and the demo can be switched between', async () => {
    const s = make({ demo: { start: async () => ({ serverUrl: OTHER_SERVER, partnerToken: PARTNER, login: 'sam@studio.test', password: PASSWORD_SAM }) } });
    await s.signIn({ login: '+15125550142', password: PASSWORD_DANA });
    const demo = await s.startDemo();
    expect(demo.profiles).toHaveLength(2);
    expect(store.settings.get(SETTINGS_CURRENT_PROFILE)).toBe(danaId);
    const back = await s.switchProfile(danaId);
    expect(back.profile?.demo).toBe(false);
    const again = await s.switchProfile(demo.profile?.id ?? '');
    expect(again.status).toBe('signed_in');
    expect((await s.api().searchClients(512330, 'x')).total).toBe(2);
    expect(secrets.accounts().some((a) => a.includes('demo'))).toBe(false);
  });
});
