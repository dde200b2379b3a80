/**
 * The store's repositories as the rest of the core sees them. One SQLite database (libsql,
 * WAL, synchronous FULL) implements all of them in `store.ts`; migrations are versioned in
 * `migrations.ts`. No secret is ever written here.
 */
import type { AuditEntry, AuditFilter, Chain, Profile } from '../../../preload/contract';

/** `clientName` when the writer knows it; otherwise the store takes the client the app last saw the membership with. */
/** `message`: as stored (common/i18n/stored.ts storedText: a message by reference as its JSON). */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'undoneBy' | 'at' | 'clientName' | 'msg'> & { at?: string; clientName?: string | null };

/** The audit log's filter: the contract's `audit.list` argument (days in `timezone`, this computer's when absent; see store.ts). */
export type AuditFilterQuery = AuditFilter;

export interface AuditRepo {
  /** Records an intent or a finished write; returns its id. */
  add(entry: NewAuditEntry): number;
  /** Sets the outcome of an entry recorded before its request went out (`message` as stored, as in `add`). */
  finish(id: number, outcome: AuditEntry['outcome'], after: AuditEntry['after'], message: string | null): void;
  markUndone(id: number, undoneBy: number): void;
  get(id: number): AuditEntry | null;
  /** The app's newest applied freeze or unfreeze of a membership (its latest word on it), and whether a read has seen that freeze lifted (memberships/sent-freeze.ts). */
  latestFreezeWord(chainId: number, membershipId: number): { entry: AuditEntry; lifted: boolean } | null;
  /** A read begun after entry `upToId` saw the membership not frozen: the app's freezes up to it are over (`lifted_at`). */
  markLifted(chainId: number, membershipId: number, upToId: number, at: string): void;
  list(filter: AuditFilterQuery): AuditEntry[];
  /** The newest entry's id (0 when empty): changes with every write this app starts. */
  lastId(): number;
  /** The client the app last saw a membership with (what `add` records when the writer names none), or null. */
  clientName(chainId: number, membershipId: number, profileId: string): string | null;
}

export interface ProfilesRepo {
  list(): Profile[];
  get(id: string): Profile | null;
  /** Inserts or updates the metadata; keeps the profile's cached chains. */
  upsert(profile: Profile): void;
  /** Removes the profile and every cache kept for it. */
  remove(id: string): void;
  /** The chains (with locations and rights) cached at the last sign-in; [] if none. */
  chains(id: string): Chain[];
  setChains(id: string, chains: Chain[]): void;
  /** Remembers the last chosen chain/location of a profile. */
  setSelection(id: string, chainId: number | null, locationId: number | null): void;
}

/** Column-mapping memory for CSV imports, keyed by a signature of the header row. */
export interface MappingsRepo {
  get<T = unknown>(signature: string): T | null;
  set(signature: string, mapping: unknown): void;
  delete(signature: string): void;
}

export interface SettingsRepo {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** Where the store says what it could not do and did otherwise (the core's Logger fits; no paths, no data). */
export interface StoreLog {
  warn(message: string, details?: Record<string, unknown>): void;
}
