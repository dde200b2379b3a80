/**
 * The PC's settings the session reads: which Altegio server to sign in to (the store) and that
 * server's partner token (the OS keychain, `partner:<serverUrl>`; only its last four characters
 * are ever shown back).
 */
import { canonicalServerUrl, serverUrlProblem, serverUrlProblemMsg } from '../../../common/servers';
import { DEFAULT_SERVER_URL, type Settings } from '../../../preload/contract';
import { DeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import type { Store } from '../store/store';
import { partnerAccount, type SecretStore } from './secret-store';

/** Settings key of the server to sign in to. */
export const SETTINGS_SERVER_URL = 'server.url';

/**
 * Validates a server address (common/servers.ts: https, or http on this computer only) and returns
 * its canonical form (no trailing slash).
 */
export function normalizeServerUrl(raw: string): string {
  const problem = serverUrlProblem(raw);
  if (problem !== null) {
    const message = serverUrlProblemMsg(problem);
    throw new DeskFailure('bad_input', message, { code: `app.server_url.${problem}`, fields: { serverUrl: message } });
  }
  return canonicalServerUrl(raw);
}

/** Last four characters of a token: the only part ever shown back. */
export const tokenHint = (token: string | null): string | null => (token ? token.slice(-4) : null);

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

export interface SessionSettings {
  /** The server to sign in to (canonical form). */
  serverUrl(): string;
  get(): Promise<Settings>;
  /** Keeps the token for `serverUrl` (default: the current server), which becomes the server to sign in to. */
  setPartnerToken(rawToken: string, rawServerUrl?: string): Promise<{ serverUrl: string; token: string }>;
  /** Forgets the current server's partner token; returns that server. */
  removePartnerToken(): Promise<string>;
}

export function createSessionSettings(store: Store, secrets: SecretStore): SessionSettings {
  const serverUrl = () => store.settings.get(SETTINGS_SERVER_URL) ?? DEFAULT_SERVER_URL;
  return {
    serverUrl,
    async get() {
      const url = serverUrl();
      return { serverUrl: url, partnerTokenHint: tokenHint(await secrets.get(partnerAccount(url))) };
    },
    async setPartnerToken(rawToken, rawServerUrl) {
      const token = rawToken.trim();
      if (token.length < 8 || !TOKEN_SHAPE.test(token)) {
        const message = msg('error.app.tokenShape');
        throw new DeskFailure('bad_input', message, { fields: { token: message } });
      }
      const url = normalizeServerUrl(rawServerUrl ?? serverUrl());
      await secrets.set(partnerAccount(url), token);
      store.settings.set(SETTINGS_SERVER_URL, url);
      return { serverUrl: url, token };
    },
    async removePartnerToken() {
      const url = serverUrl();
      await secrets.delete(partnerAccount(url));
      return url;
    },
  };
}
