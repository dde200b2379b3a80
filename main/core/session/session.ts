/**
 * The session: partner token, profiles (several Altegio users / servers on one PC), sign-in and
 * sign-out, expiry and re-authentication, offline start. Online/offline is not the session's: the
 * transport reports it to the one Connectivity (connectivity.ts).
 *
 * Where things live:
 * - partner token  -> SecretStore account `partner:<serverUrl>`   (OS keychain)
 * - user tokens    -> SecretStore account `user:<profileId>`      (OS keychain)
 * - profile metadata, last chain/location, cached chains + rights -> the store (no secrets)
 * - demo mode      -> everything in memory only (no keychain, nothing written to the store)
 * The password is handed straight to `api.auth` and is not kept anywhere: no field, no closure
 * that outlives the call.
 *
 * Every mutating operation runs one at a time (a small promise queue), so a sign-in racing a
 * profile switch cannot leave a mixed state. Each change of credentials bumps a generation
 * number: a call that started under an older generation and then fails with `auth_expired`
 * does not expire the newer session.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_SERVER_URL,
  type Chain,
  type Profile,
  type Rights,
  type SessionState,
  type Settings,
} from '../../../preload/contract';
import type { RightName } from '../../../common/rights';
import type { AltegioApi, Credentials } from '../altegio/api';
import { isRightRefusal } from '../altegio/failures';
import { DeskFailure, isDeskFailure } from '../errors';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { MemorySecretStore } from './memory-secret-store';
import { partnerAccount, userAccount, type SecretStore } from './secret-store';

/** Settings keys used by the session. */
export const SETTINGS_SERVER_URL = 'server.url';
export const SETTINGS_CURRENT_PROFILE = 'session.profileId';

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
  /** Called when any call fails with auth_expired (the api() wrapper does it by itself). */
  markExpired(): void;
  /** Resolves when the session is (again) signed in; rejects with the signal's reason on abort. */
  waitForSignedIn(signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

const badUrl = (message: string) => new DeskFailure('bad_input', message, { fields: { serverUrl: message } });

/** Validates an http(s) base URL and returns its canonical form (no trailing slash). */
export function normalizeServerUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUrl('Enter a full address starting with https://');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUrl('Only http:// and https:// addresses are allowed');
  if (url.username || url.password) throw badUrl('Leave the user name and password out of the address');
  if (url.search || url.hash) throw badUrl('The address cannot contain "?" or "#"');
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * A login as the person identity: e-mail case and a phone's formatting do not matter
 * ("+7 (999) 123-45-67" and "79991234567" are one login).
 */
export function normalizeLogin(login: string): string {
  const t = login.trim().toLowerCase();
  return /^[+\d\s().-]+$/.test(t) && /\d/.test(t) ? t.replace(/\D+/g, '') : t;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * Same server + same Altegio user -> same profile, so signing in again reuses it. The user is
 * Altegio's id when /auth gives one (userId > 0); the Blueprint's bare answer gives none, and then
 * the normalised login is the user (two people on one PC never share a profile, a token or a name).
 */
export function profileIdFor(serverUrl: string, userId: number, login = ''): string {
  const server = shortHash(normalizeServerUrl(serverUrl));
  return userId > 0 ? `u${userId}-${server}` : `l${shortHash(normalizeLogin(login))}-${server}`;
}

const demoProfileId = (userId: number, login: string) => (userId > 0 ? `demo-${userId}` : `demo-l${shortHash(normalizeLogin(login))}`);

/** Last four characters of a token: the only part ever shown back. */
export const tokenHint = (token: string | null): string | null => (token ? token.slice(-4) : null);

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

const NOT_SIGNED_IN = () => new DeskFailure('auth_expired', 'You are not signed in. Sign in to continue.');
const EXPIRED = () => new DeskFailure('auth_expired', 'Your session has expired. Enter your password to continue.');
const NO_PARTNER_TOKEN = () =>
  new DeskFailure('validation', 'The partner token for this server is not set. Add it in Settings, then sign in.', {
    fields: { partnerToken: 'Add the partner token in Settings' },
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
  const { store, secrets, log } = deps;
  const demoSecrets = new MemorySecretStore();
  const demoProfiles = new Map<string, { profile: Profile; chains: Chain[] }>();

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

  const profilesList = (): Profile[] => [...store.profiles.list(), ...[...demoProfiles.values()].map((d) => d.profile)];
  const profileById = (id: string): Profile | null => demoProfiles.get(id)?.profile ?? store.profiles.get(id);
  const secretsFor = (p: Pick<Profile, 'demo'>): SecretStore => (p.demo ? demoSecrets : secrets);
  const cachedChains = (p: Profile): Chain[] => (p.demo ? (demoProfiles.get(p.id)?.chains ?? []) : store.profiles.chains(p.id));

  const snapshot = (): SessionState => ({
    status: active.status,
    profile: active.profile,
    profiles: profilesList(),
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

  /** Loads a profile's tokens from its secret store (no network) and makes it the active one. */
  const activate = async (profile: Profile): Promise<void> => {
    const sec = secretsFor(profile);
    const userToken = await sec.get(userAccount(profile.id));
    const partnerToken = await sec.get(partnerAccount(profile.serverUrl));
    const chains = cachedChains(profile);
    setActive(activeFor(userToken ? 'signed_in' : 'expired', profile, chains, partnerToken, userToken));
  };

  const saveProfile = (profile: Profile, chains: Chain[] | null) => {
    if (profile.demo) {
      demoProfiles.set(profile.id, { profile, chains: chains ?? demoProfiles.get(profile.id)?.chains ?? [] });
      return;
    }
    store.transaction(() => {
      store.profiles.upsert(profile);
      if (chains) store.profiles.setChains(profile.id, chains);
    });
  };

  const settingsServerUrl = () => store.settings.get(SETTINGS_SERVER_URL) ?? DEFAULT_SERVER_URL;

  const currentSettings = async (): Promise<Settings> => {
    const serverUrl = settingsServerUrl();
    return { serverUrl, partnerTokenHint: tokenHint(await secrets.get(partnerAccount(serverUrl))) };
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
    return {
      auth,
      partnerToken,
      chains: () => client.chains(),
    };
  };

  // --- start-up: store + keychain only, never the network ----------------------------------------

  const startup = exclusive(async () => {
    const id = store.settings.get(SETTINGS_CURRENT_PROFILE);
    if (!id) return;
    const profile = store.profiles.get(id);
    if (!profile) {
      store.settings.delete(SETTINGS_CURRENT_PROFILE);
      return;
    }
    try {
      await activate(profile);
    } catch (e) {
      // Keychain missing or locked: show the profile as expired; re-authenticating will say plainly
      // what is wrong with the keychain. Nothing falls back to plain-text storage.
      log?.warn('keychain not readable at start-up', { kind: isDeskFailure(e) ? e.kind : 'unknown' });
      const chains = cachedChains(profile);
      setActive(activeFor('expired', profile, chains, null, null));
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
        await secretsFor(profile).delete(userAccount(profile.id));
      } catch (e) {
        log?.warn('could not forget an expired token', { kind: isDeskFailure(e) ? e.kind : 'unknown' });
      }
    });
  };

  /** Which chain right a write needs (a 403 on it turns that right off on the chain). */
  const RIGHT_OF: Partial<Record<string, RightName>> = { freeze: 'periodEdit', unfreeze: 'periodEdit', setPeriod: 'periodEdit', setBalance: 'balanceEdit' };

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
      saveProfile(profile, chains);
    } catch (e) {
      log?.warn('could not keep a refused right', { kind: isDeskFailure(e) ? e.kind : 'unknown' });
    }
    emit();
  };

  const guarded = new Proxy({} as AltegioApi, {
    get(_target, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return async (...args: unknown[]) => {
        await startup.catch(() => undefined);
        if (active.status === 'signed_out' || !active.profile) throw NOT_SIGNED_IN();
        if (active.status === 'expired') throw EXPIRED();
        if (!active.credentials.partnerToken) throw NO_PARTNER_TOKEN();
        const gen = generation;
        const api = innerApi() as unknown as Record<string, unknown>;
        const fn = api[method];
        if (typeof fn !== 'function') throw new Error(`AltegioApi has no method ${method}`);
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>).apply(api, args);
        } catch (e) {
          if (isDeskFailure(e)) {
            const right = RIGHT_OF[method];
            if (right && isRightRefusal(e) && typeof args[0] === 'number') refuseRight(gen, args[0], right, e.serverMessage ?? e.message);
            if (e.kind === 'auth_expired') markExpiredAt(gen);
          }
          throw e;
        }
      };
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
      return currentSettings();
    },

    setPartnerToken: (rawToken, rawServerUrl) =>
      exclusive(async () => {
        const token = rawToken.trim();
        if (token.length < 8 || !TOKEN_SHAPE.test(token)) {
          const message = 'Paste the whole partner token: at least 8 characters, no spaces.';
          throw new DeskFailure('bad_input', message, { fields: { token: message } });
        }
        const serverUrl = normalizeServerUrl(rawServerUrl ?? settingsServerUrl());
        await secrets.set(partnerAccount(serverUrl), token);
        store.settings.set(SETTINGS_SERVER_URL, serverUrl);
        if (active.profile && !active.profile.demo && active.profile.serverUrl === serverUrl) {
          setActive({ ...active, credentials: Object.freeze({ ...active.credentials, partnerToken: token }) });
        }
        return { serverUrl, partnerTokenHint: tokenHint(token) };
      }),

    removePartnerToken: () =>
      exclusive(async () => {
        const serverUrl = settingsServerUrl();
        await secrets.delete(partnerAccount(serverUrl));
        if (active.profile && !active.profile.demo && active.profile.serverUrl === serverUrl) {
          setActive({ ...active, credentials: Object.freeze({ ...active.credentials, partnerToken: null }) });
        }
        return { serverUrl, partnerTokenHint: null };
      }),

    signIn: (args) =>
      exclusive(async () => {
        const serverUrl = normalizeServerUrl(args.serverUrl ?? settingsServerUrl());
        const login = args.login.trim();
        const { auth, partnerToken, chains: readChains } = await authenticate(secrets, serverUrl, login, args.password);
        const chains = await readChains();
        const id = profileIdFor(serverUrl, auth.userId, login);
        const previous = store.profiles.get(id);
        const profile: Profile = {
          id,
          name: auth.name.trim() || login,
          login, // what the person typed: /auth accepts it again on re-authentication
          userId: auth.userId,
          serverUrl,
          demo: false,
          lastChainId: previous?.lastChainId ?? null,
          lastLocationId: previous?.lastLocationId ?? null,
        };
        // Keychain first: if it is unavailable nothing at all is recorded.
        await secrets.set(userAccount(id), auth.userToken);
        store.transaction(() => {
          saveProfile(profile, chains);
          store.settings.set(SETTINGS_CURRENT_PROFILE, id);
        });
        setActive(activeFor('signed_in', profile, chains, partnerToken, auth.userToken));
        return snapshot();
      }),

    reauthenticate: (password) =>
      exclusive(async () => {
        const profile = active.profile;
        if (!profile) throw NOT_SIGNED_IN();
        const sec = secretsFor(profile);
        const { auth, partnerToken, chains: readChains } = await authenticate(sec, profile.serverUrl, profile.login, password);
        // Without ids on either side the login (the same one) names the user.
        if (auth.userId > 0 && profile.userId > 0 && auth.userId !== profile.userId) {
          throw new DeskFailure('validation', `This password belongs to a different Altegio user than ${profile.name}.`, {
            fields: { password: 'Enter the password of the signed-in user' },
          });
        }
        await sec.set(userAccount(profile.id), auth.userToken);
        // Rights may have changed; but the interrupted action matters more than a fresh list.
        let chains = active.chains;
        try {
          chains = await readChains();
        } catch {
          /* keep the cached chains */
        }
        const updated: Profile = { ...profile, name: auth.name.trim() || profile.name };
        saveProfile(updated, chains);
        setActive(activeFor('signed_in', updated, chains, partnerToken, auth.userToken));
        return snapshot();
      }),

    startDemo: () =>
      exclusive(async () => {
        if (!deps.demo) throw new DeskFailure('not_found', 'The demo is not available in this version of the app.');
        const demo = await deps.demo.start();
        const serverUrl = normalizeServerUrl(demo.serverUrl);
        await demoSecrets.set(partnerAccount(serverUrl), demo.partnerToken);
        const login = demo.login;
        const { auth, partnerToken, chains: readChains } = await authenticate(demoSecrets, serverUrl, login, demo.password);
        const chains = await readChains();
        const id = demoProfileId(auth.userId, login);
        const previous = demoProfiles.get(id)?.profile;
        const profile: Profile = {
          id,
          // The renderer marks a demo profile itself (profile.demoMark): no suffix in the name.
          name: auth.name.trim() || 'Demo user',
          login,
          userId: auth.userId,
          serverUrl,
          demo: true,
          lastChainId: previous?.lastChainId ?? null,
          lastLocationId: previous?.lastLocationId ?? null,
        };
        await demoSecrets.set(userAccount(id), auth.userToken);
        saveProfile(profile, chains);
        setActive(activeFor('signed_in', profile, chains, partnerToken, auth.userToken));
        return snapshot();
      }),

    switchProfile: (profileId) =>
      exclusive(async () => {
        const profile = profileById(profileId);
        if (!profile) throw new DeskFailure('not_found', 'This profile is no longer on this computer. Sign in again.');
        await activate(profile);
        if (!profile.demo) store.settings.set(SETTINGS_CURRENT_PROFILE, profile.id);
        return snapshot();
      }),

    signOut: (profileId) =>
      exclusive(async () => {
        const id = profileId ?? active.profile?.id;
        if (!id) return snapshot();
        const profile = profileById(id);
        if (profile) {
          // If the keychain cannot be reached the token stays: say so and change nothing.
          await secretsFor(profile).delete(userAccount(id));
          if (profile.demo) demoProfiles.delete(id);
        }
        store.transaction(() => {
          store.profiles.remove(id);
          if (store.settings.get(SETTINGS_CURRENT_PROFILE) === id) store.settings.delete(SETTINGS_CURRENT_PROFILE);
        });
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
        if (!chain) throw new DeskFailure('not_found', 'This chain is not available to the signed-in user.');
        if (!chain.locations.some((l) => l.id === locationId)) {
          throw new DeskFailure('not_found', 'This location does not belong to the chosen chain.');
        }
        const updated: Profile = { ...profile, lastChainId: chainId, lastLocationId: locationId };
        if (profile.demo) saveProfile(updated, null);
        else store.profiles.setSelection(profile.id, chainId, locationId);
        // Same credentials: no generation bump needed, but listeners must hear about it.
        active = { ...active, profile: updated, selection: { chainId, locationId } };
        emit();
        return snapshot();
      }),

    api: () => guarded,

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

    markExpired: () => markExpiredAt(generation),

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
