/**
 * The port through which the session keeps tokens: the OS keychain in the app (keytar adapter),
 * an in-memory fake in unit tests and for demo mode. Implementations throw
 * `DeskFailure('keychain_unavailable', …)` when the secret storage cannot be used, and never put
 * a secret into an error message. There is deliberately no plain-text fallback.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** true if something was deleted. */
  delete(account: string): Promise<boolean>;
}

/** The service name under which every secret of the app is filed in the OS keychain. */
export const KEYCHAIN_SERVICE = 'Membership Desk';

/** Keychain account of the partner token of one server (`serverUrl` already normalised). */
export const partnerAccount = (serverUrl: string): string => `partner:${serverUrl}`;

/** Keychain account of the user token of one profile. */
export const userAccount = (profileId: string): string => `user:${profileId}`;
