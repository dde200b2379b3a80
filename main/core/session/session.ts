/**
 * The session: partner token, profiles (several Altegio users / servers on one PC), sign-in and
 * sign-out, expiry and re-authentication, offline start. Online/offline is not the session's: the
 * transport reports it to the one Connectivity (connectivity.ts).
 *
 * Where things live:
 * - server URL + partner token (`partner:<serverUrl>`, OS keychain) -> settings.ts
 * - profiles: stored (metadata, last chain/location, cached chains + rights in the store; user
 *   tokens `user:<profileId>` in the OS keychain) or demo (all in memory) -> profiles.ts
 * - the signed-in client the core calls -> authenticated-api.ts (the gate is here)
 * Sign-in and the demo take one path (`signInWith`), differing only in the profile storage.
 * The password is handed straight to `api.auth` and is not kept anywhere: no field, no closure
 * that outlives the call.
 *
 * Every mutating operation runs one at a time (a small promise queue), so a sign-in racing a
 * profile switch cannot leave a mixed state. Each change of credentials bumps a generation
 * number: a call that started under an older generation and then fails with `auth_expired`
 * does not expire the newer session.
 */
import { DEFAULT_SERVER_URL, type Chain, type Profile, type Rights, type SessionState, type Settings } from '../../../preload/contract';
import type { RightName } from '../../../common/rights';
import type { AltegioApi, Credentials } from '../altegio/api';
import { isRightRefusal } from '../altegio/failures';
import { DeskFailure, isDeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { authenticatedApi, type WriteRight } from './authenticated-api';
import { demoProfiles, storedProfiles, type ProfileStorage } from './profiles';
import { partnerAccount, userAccount, type SecretStore } from './secret-store';
import { createSessionSettings, normalizeServerUrl, tokenHint } from './settings';

export { SETTINGS_SERVER_URL, normalizeServerUrl, tokenHint } from './settings';
export { SETTINGS_CURRENT_PROFILE, normalizeLogin, profileIdFor } from './profiles';

export interface DemoBackend {
  /** Starts (or reuses) the in-process sandbox and says how to reach it. */
  start(): Promise<{ serverUrl: string; partnerToken: string; login: string; password: string }>;
}

export interface SessionDeps {
  store: Store;
  secrets: SecretStore;
  /** Builds an Altegio client reading its credentials through the getter on every request. */
  apiFor: (credentials: () => Credentials) => AltegioApi;
  onChange?: (state: SessionState) => void;
  demo?: DemoBackend;
  /** Told after a profile was signed out, so other parts of the core drop their caches for it. */
  onSignedOut?: (profileId: string) => void;
  log?: Logger;
}

export interface CurrentUser {
  profileId: string;
  userId: number;
  name: string;
}

export interface SessionService {
  /** Resolves once the start-up load (store + keychain, no network) is done. */
  ready(): Promise<void>;
  getState(): Promise<SessionState>;
  /** The state as it is right now (before `ready()` resolves: signed out). */
  snapshot(): SessionState;
  settings(): Promise<Settings>;
  setPartnerToken(token: string, serverUrl?: string): Promise<Settings>;
  removePartnerToken(): Promise<Settings>;
  signIn(args: { login: string; password: string; serverUrl?: string | undefined }): Promise<SessionState>;
  reauthenticate(password: string): Promise<SessionState>;
  startDemo(): Promise<SessionState>;
  switchProfile(profileId: string): Promise<SessionState>;
  signOut(profileId?: string): Promise<SessionState>;
  selectLocation(chainId: number, locationId: number): Promise<SessionState>;

  /** The signed-in client. Each call checks the session first (auth_expired if not signed in) and
   *  turns the session `expired` on an `auth_expired` answer. */
  api(): AltegioApi;
  /** Who every write is attributed to; throws auth_expired when nobody is signed in. */
  currentUser(): CurrentUser;
  rightsFor(chainId: number): Rights | null;
  locationTimezone(locationId: number): string | null;
  /** Resolves when the session is (again) signed in; rejects with the signal's reason on abort. */
  waitForSignedIn(signal?: AbortSignal): Promise<void>;
}

const NOT_SIGNED_IN = () => new DeskFailure('auth_expired', msg('error.app.notSignedIn'));
const EXPIRED = () => new DeskFailure('auth_expired', msg('error.app.sessionExpired'));
const NO_PARTNER_TOKEN = () =>
  new DeskFailure('validation', msg('error.app.partnerTokenNotSet'), {
    fields: { partnerToken: msg('error.app.partnerTokenField') },
  });

function pickSelection(profile: Profile, chains: Chain[]): SessionState['selection'] {
  const chain = chains.find((c) => c.id === profile.lastChainId);
  if (chain && chain.locations.some((l) => l.id === profile.lastLocationId) && profile.lastLocationId !== null) {
    return { chainId: chain.id, locationId: profile.lastLocationId };
  }
  // The demo opens at its first location so a newcomer sees data at once.
  const first = chains[0]?.locations[0];
  if (profile.demo && chains[0] && first) return { chainId: chains[0].id, locationId: first.id };
  // One chain with one location: nothing to choose.
  const only = chains.length === 1 ? chains[0] : undefined;
  const loc = only && only.locations.length === 1 ? only.locations[0] : undefined;
  return only && loc ? { chainId: only.id, locationId: loc.id } : null;
}

interface Active {
  status: SessionState['status'];
  profile: Profile | null;
  chains: Chain[];
  selection: SessionState['selection'];
  /** In memory only while this profile is active. */
  credentials: Readonly<Credentials>;
}

/** The session of `profile` with the given tokens, opened at its remembered (or only) location. */
function activeFor(status: Active['status'], profile: Profile, chains: Chain[], partnerToken: string | null, userToken: string | null): Active {
  return {
    status,
    profile,
    chains,
    selection: pickSelection(profile, chains),
    credentials: Object.freeze({ baseUrl: profile.serverUrl, partnerToken, userToken }),
  };
}

const SIGNED_OUT: Active = {
  status: 'signed_out',
  profile: null,
  chains: [],
  selection: null,
  credentials: Object.freeze({ baseUrl: DEFAULT_SERVER_URL, partnerToken: null, userToken: null }),
};

export function createSessionService(deps: SessionDeps): SessionService {
  const { store, log } = deps;
  const settings = createSessionSettings(store, deps.secrets);
  const stored = storedProfiles(store, deps.secrets);
  const demo = demoProfiles();
  const storageOf = (p: Pick<Profile, 'demo'>): ProfileStorage => (p.demo ? demo : stored);

  let active: Active = SIGNED_OUT;
  let generation = 0;
  let waiters: Array<() => void> = [];

  // --- plumbing --------------------------------------------------------------------------------

  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const profileById = (id: string): Profile | null => demo.get(id) ?? stored.get(id);

  const snapshot = (): SessionState => ({
    status: active.status,
    profile: active.profile,
    profiles: [...stored.list(), ...demo.list()],
    chains: active.chains,
    selection: active.selection,
  });

  const emit = () => {
    if (!deps.onChange) return;
    try {
      deps.onChange(snapshot());
    } catch (e) {
      log?.warn('session listener failed', { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const setActive = (next: Active) => {
    active = next;
    generation++;
    if (next.status === 'signed_in') {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
    emit();
  };

  /** The active profile's credentials with another partner token (set or removed in Settings). */
  const partnerTokenChanged = (serverUrl: string, partnerToken: string | null) => {
    if (active.profile && !active.profile.demo && active.profile.serverUrl === serverUrl) {
      setActive({ ...active, credentials: Object.freeze({ ...active.credentials, partnerToken }) });
    }
  };

  /** Loads a profile's tokens from its secret store (no network) and makes it the active one. */
  const activate = async (profile: Profile): Promise<void> => {
    const sec = storageOf(profile).secrets;
    const userToken = await sec.get(userAccount(profile.id));
    const partnerToken = await sec.get(partnerAccount(profile.serverUrl));
    setActive(activeFor(userToken ? 'signed_in' : 'expired', profile, storageOf(profile).chains(profile.id), partnerToken, userToken));
  };

  /**
   * POST /auth then GET /groups on `serverUrl`, with a client of its own (the active session is
   * untouched until both succeeded). The password is only passed through.
   */
  const authenticate = async (sec: SecretStore, serverUrl: string, login: string, password: string) => {
    const partnerToken = await sec.get(partnerAccount(serverUrl));
    if (!partnerToken) throw NO_PARTNER_TOKEN();
    let userToken: string | null = null;
    const client = deps.apiFor(() => ({ baseUrl: serverUrl, partnerToken, userToken }));
    const auth = await client.auth(login, password);
    userToken = auth.userToken;
    return { auth, partnerToken, chains: () => client.chains() };
  };

  /** The one sign-in path (a person's sign-in and the demo's differ only in `storage`). */
  const signInWith = async (storage: ProfileStorage, serverUrl: string, login: string, password: string): Promise<SessionState> => {
    const { auth, partnerToken, chains: readChains } = await authenticate(storage.secrets, serverUrl, login, password);
    const chains = await readChains();
    const id = storage.idFor(serverUrl, auth.userId, login);
    const previous = storage.get(id);
    const profile: Profile = {
      id,
      name: storage.nameFor(auth.name, login),
      login, // what the person typed: /auth accepts it again on re-authentication
      userId: auth.userId,
      serverUrl,
      demo: storage.demo,
      lastChainId: previous?.lastChainId ?? null,
      lastLocationId: previous?.lastLocationId ?? null,
    };
    // Keychain first: if it is unavailable nothing at all is recorded.
    await storage.secrets.set(userAccount(id), auth.userToken);
    storage.save(profile, chains, { current: true });
    setActive(activeFor('signed_in', profile, chains, partnerToken, auth.userToken));
    return snapshot();
  };

  // --- start-up: store + keychain only, never the network ----------------------------------------

  const startup = exclusive(async () => {
    const profile = stored.current();
    if (!profile) return;
    try {
      await activate(profile);
    } catch (e) {
      // Keychain missing or locked: show the profile as expired; re-authenticating will say plainly
      // what is wrong with the keychain. Nothing falls back to plain-text storage.
      log?.warn('keychain not readable at start-up', { kind: isDeskFailure(e) ? e.kind : 'unknown' });
      setActive(activeFor('expired', profile, stored.chains(profile.id), null, null));
    }
  });

  // --- the signed-in client ------------------------------------------------------------------------

  let inner: { generation: number; api: AltegioApi } | null = null;
  const innerApi = (): AltegioApi => {
    if (!inner || inner.generation !== generation) {
      const credentials = active.credentials; // frozen per generation: a call never mixes two sessions
      inner = { generation, api: deps.apiFor(() => credentials) };
    }
    return inner.api;
  };

  const markExpiredAt = (gen: number) => {
    if (gen !== generation || active.status !== 'signed_in' || !active.profile) return;
    const profile = active.profile;
    setActive({ ...active, status: 'expired', credentials: Object.freeze({ ...active.credentials, userToken: null }) });
    const expiredGen = generation;
    // The token no longer works: forget it, so a restart asks for the password straight away.
    void exclusive(async () => {
      if (generation !== expiredGen) return;
      try {
        await storageOf(profile).secrets.delete(userAccount(profile.id));
      } catch (e) {
        log?.warn('could not forget an expired token', { kind: isDeskFailure(e) ? e.kind : 'unknown' });
      }
    });
  };

  /**
   * Altegio refused a write for lack of a right: that action stays off on that chain, with its
   * words, until the next sign-in reads the rights again (kept with the cached chains meanwhile).
   */
  const refuseRight = (gen: number, chainId: number, right: RightName, words: string) => {
    const profile = active.profile;
    if (gen !== generation || !profile) return;
    const chain = active.chains.find((c) => c.id === chainId);
    if (!chain || chain.rights.refused?.[right] === words) return;
    const chains = active.chains.map((c) => (c.id === chainId ? { ...c, rights: { ...c.rights, refused: { ...c.rights.refused, [right]: words } } } : c));
    active = { ...active, chains };
    try {
      storageOf(profile).save(profile, chains);
    } catch (e) {
      log?.warn('could not keep a refused right', { kind: isDeskFailure(e) ? e.kind : 'unknown' });
    }
    emit();
  };

  const api = authenticatedApi({
    open: async () => {
      await startup.catch(() => undefined);
      if (active.status === 'signed_out' || !active.profile) throw NOT_SIGNED_IN();
      if (active.status === 'expired') throw EXPIRED();
      if (!active.credentials.partnerToken) throw NO_PARTNER_TOKEN();
      return { api: innerApi(), generation };
    },
    failed: (gen: number, e: unknown, write: WriteRight | null) => {
      if (!isDeskFailure(e)) return;
      if (write && isRightRefusal(e)) refuseRight(gen, write.chainId, write.right, e.serverMessage ?? e.message);
      if (e.kind === 'auth_expired') markExpiredAt(gen);
    },
  });

  // --- the service -----------------------------------------------------------------------------------

  const service: SessionService = {
    ready: () => startup.catch(() => undefined),

    getState: async () => {
      await service.ready();
      return snapshot();
    },

    snapshot,

    settings: async () => {
      await service.ready();
      return settings.get();
    },

    setPartnerToken: (rawToken, rawServerUrl) =>
      exclusive(async () => {
        const { serverUrl, token } = await settings.setPartnerToken(rawToken, rawServerUrl);
        partnerTokenChanged(serverUrl, token);
        return { serverUrl, partnerTokenHint: tokenHint(token) };
      }),

    removePartnerToken: () =>
      exclusive(async () => {
        const serverUrl = await settings.removePartnerToken();
        partnerTokenChanged(serverUrl, null);
        return { serverUrl, partnerTokenHint: null };
      }),

    signIn: (args) => exclusive(() => signInWith(stored, normalizeServerUrl(args.serverUrl ?? settings.serverUrl()), args.login.trim(), args.password)),

    startDemo: () =>
      exclusive(async () => {
        if (!deps.demo) throw new DeskFailure('not_found', msg('error.app.demoUnavailable'));
        const sandbox = await deps.demo.start();
        const serverUrl = normalizeServerUrl(sandbox.serverUrl);
        await demo.secrets.set(partnerAccount(serverUrl), sandbox.partnerToken);
        return signInWith(demo, serverUrl, sandbox.login, sandbox.password);
      }),

    reauthenticate: (password) =>
      exclusive(async () => {
        const profile = active.profile;
        if (!profile) throw NOT_SIGNED_IN();
        const storage = storageOf(profile);
        const { auth, partnerToken, chains: readChains } = await authenticate(storage.secrets, profile.serverUrl, profile.login, password);
        // Without ids on either side the login (the same one) names the user.
        if (auth.userId > 0 && profile.userId > 0 && auth.userId !== profile.userId) {
          throw new DeskFailure('validation', msg('error.app.otherUser', { name: profile.name }), {
            fields: { password: msg('error.app.otherUserField') },
          });
        }
        await storage.secrets.set(userAccount(profile.id), auth.userToken);
        // Rights may have changed; but the interrupted action matters more than a fresh list.
        let chains = active.chains;
        try {
          chains = await readChains();
        } catch {
          /* keep the cached chains */
        }
        const updated: Profile = { ...profile, name: auth.name.trim() || profile.name };
        storage.save(updated, chains);
        setActive(activeFor('signed_in', updated, chains, partnerToken, auth.userToken));
        return snapshot();
      }),

    switchProfile: (profileId) =>
      exclusive(async () => {
        const profile = profileById(profileId);
        if (!profile) throw new DeskFailure('not_found', msg('error.app.profileGone'));
        await activate(profile);
        storageOf(profile).makeCurrent(profile.id);
        return snapshot();
      }),

    signOut: (profileId) =>
      exclusive(async () => {
        const id = profileId ?? active.profile?.id;
        if (!id) return snapshot();
        const profile = profileById(id);
        // If the keychain cannot be reached the token stays: say so and change nothing.
        if (profile) await storageOf(profile).secrets.delete(userAccount(id));
        storageOf(profile ?? { demo: false }).remove(id);
        if (active.profile?.id === id) setActive(SIGNED_OUT);
        else emit();
        try {
          deps.onSignedOut?.(id);
        } catch (e) {
          log?.warn('sign-out listener failed', { error: e instanceof Error ? e.message : String(e) });
        }
        return snapshot();
      }),

    selectLocation: (chainId, locationId) =>
      exclusive(async () => {
        const profile = active.profile;
        if (!profile) throw NOT_SIGNED_IN();
        const chain = active.chains.find((c) => c.id === chainId);
        if (!chain) throw new DeskFailure('not_found', msg('error.app.chainUnavailable'));
        if (!chain.locations.some((l) => l.id === locationId)) {
          throw new DeskFailure('not_found', msg('error.app.locationNotInChain'));
        }
        storageOf(profile).setSelection(profile, chainId, locationId);
        // Same credentials: no generation bump needed, but listeners must hear about it.
        active = { ...active, profile: { ...profile, lastChainId: chainId, lastLocationId: locationId }, selection: { chainId, locationId } };
        emit();
        return snapshot();
      }),

    api: () => api,

    currentUser: () => {
      const p = active.profile;
      if (!p || active.status === 'signed_out') throw NOT_SIGNED_IN();
      return { profileId: p.id, userId: p.userId, name: p.name };
    },

    rightsFor: (chainId) => active.chains.find((c) => c.id === chainId)?.rights ?? null,

    locationTimezone: (locationId) => {
      for (const c of active.chains) {
        const l = c.locations.find((x) => x.id === locationId);
        if (l) return l.timezone;
      }
      return null;
    },


    waitForSignedIn: (signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        if (active.status === 'signed_in') return resolve();
        const done = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          waiters = waiters.filter((w) => w !== done);
          reject(signal?.reason);
        };
        waiters.push(done);
        signal?.addEventListener('abort', abort, { once: true });
      }),
  };

  return service;
}
