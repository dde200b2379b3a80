/**
 * Where profiles live, behind one interface: stored profiles (metadata and cached chains in the
 * store, tokens in the OS keychain; the last one opens at the next start) and demo profiles
 * (everything in memory: no keychain, nothing written to the store, gone with the run).
 */
import { createHash } from 'node:crypto';
import type { Chain, Profile } from '../../../preload/contract';
import type { Store } from '../store/store';
import { MemorySecretStore } from './memory-secret-store';
import type { SecretStore } from './secret-store';
import { normalizeServerUrl } from './settings';

/** Settings key of the profile to open at start-up. */
export const SETTINGS_CURRENT_PROFILE = 'session.profileId';

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

export interface ProfileStorage {
  readonly demo: boolean;
  /** Where this storage's tokens are kept. */
  readonly secrets: SecretStore;
  list(): Profile[];
  get(id: string): Profile | null;
  /** The chains (with rights) cached for the profile. */
  chains(id: string): Chain[];
  /** The profile and its chains (null: keep the cached ones); `current`: open it at the next start. */
  save(profile: Profile, chains: Chain[] | null, options?: { current?: boolean }): void;
  setSelection(profile: Profile, chainId: number, locationId: number): void;
  /** Open this profile at the next start (demo profiles never are). */
  makeCurrent(id: string): void;
  /** The profile to open at start-up, if any (a stale reference is forgotten). */
  current(): Profile | null;
  remove(id: string): void;
  /** The profile id and the name shown for an /auth answer. */
  idFor(serverUrl: string, userId: number, login: string): string;
  nameFor(authName: string, login: string): string;
}

export function storedProfiles(store: Store, secrets: SecretStore): ProfileStorage {
  return {
    demo: false,
    secrets,
    list: () => store.profiles.list(),
    get: (id) => store.profiles.get(id),
    chains: (id) => store.profiles.chains(id),
    save: (profile, chains, options) =>
      store.transaction(() => {
        store.profiles.upsert(profile);
        if (chains) store.profiles.setChains(profile.id, chains);
        if (options?.current) store.settings.set(SETTINGS_CURRENT_PROFILE, profile.id);
      }),
    setSelection: (profile, chainId, locationId) => store.profiles.setSelection(profile.id, chainId, locationId),
    makeCurrent: (id) => store.settings.set(SETTINGS_CURRENT_PROFILE, id),
    current: () => {
      const id = store.settings.get(SETTINGS_CURRENT_PROFILE);
      if (!id) return null;
      const profile = store.profiles.get(id);
      if (!profile) store.settings.delete(SETTINGS_CURRENT_PROFILE);
      return profile;
    },
    remove: (id) =>
      store.transaction(() => {
        store.profiles.remove(id);
        if (store.settings.get(SETTINGS_CURRENT_PROFILE) === id) store.settings.delete(SETTINGS_CURRENT_PROFILE);
      }),
    idFor: profileIdFor,
    nameFor: (authName, login) => authName.trim() || login,
  };
}

export function demoProfiles(): ProfileStorage {
  const secrets = new MemorySecretStore();
  const profiles = new Map<string, { profile: Profile; chains: Chain[] }>();
  return {
    demo: true,
    secrets,
    list: () => [...profiles.values()].map((d) => d.profile),
    get: (id) => profiles.get(id)?.profile ?? null,
    chains: (id) => profiles.get(id)?.chains ?? [],
    save: (profile, chains) => void profiles.set(profile.id, { profile, chains: chains ?? profiles.get(profile.id)?.chains ?? [] }),
    setSelection: (profile, chainId, locationId) => {
      const held = profiles.get(profile.id);
      if (held) profiles.set(profile.id, { ...held, profile: { ...held.profile, lastChainId: chainId, lastLocationId: locationId } });
    },
    makeCurrent: () => undefined,
    current: () => null,
    remove: (id) => void profiles.delete(id),
    idFor: (_serverUrl, userId, login) => (userId > 0 ? `demo-${userId}` : `demo-l${shortHash(normalizeLogin(login))}`),
    // The renderer marks a demo profile itself (profile.demoMark): no suffix in the name.
    nameFor: (authName) => authName.trim() || 'Demo user',
  };
}
