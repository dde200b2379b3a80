/**
 * The servers the desk can sign in to: Altegio and YCLIENTS (the same API on its own host) by
 * name, or any other address someone gives (a partner's own installation, the sandbox). One rule
 * for that address, used by the sign-in form, the contract and the core: a full https:// URL
 * (plain http:// only on this computer: localhost, 127.x.x.x, [::1]), with no user name,
 * password, query or fragment in it.
 */
import { msg, type Msg } from './i18n/translate';

export const KNOWN_SERVERS = [
  { id: 'altegio', brand: 'Altegio', url: 'https://api.alteg.io/api' },
  { id: 'yclients', brand: 'YCLIENTS', url: 'https://api.yclients.com/api' },
] as const;
/** The example the custom server field shows (an address, the same in every language). */
export const EXAMPLE_SERVER_URL = 'https://api.example.com/api';
export type KnownServerId = (typeof KNOWN_SERVERS)[number]['id'];

export type ServerUrlProblem = 'not_url' | 'not_https' | 'credentials' | 'query';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function parse(raw: string): URL | null {
  try {
    return new URL(raw.trim());
  } catch {
    return null;
  }
}

/** What is wrong with an address typed for the server, or null when it can be used. */
export function serverUrlProblem(raw: string): ServerUrlProblem | null {
  const url = parse(raw);
  if (url === null || !url.host) return 'not_url';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return 'not_https';
  if (url.username || url.password) return 'credentials';
  if (url.search || url.hash || raw.trim().endsWith('?') || raw.trim().endsWith('#')) return 'query';
  return null;
}

/** The problem in words, by reference. */
export function serverUrlProblemMsg(problem: ServerUrlProblem): Msg {
  switch (problem) {
    case 'not_url':
      return msg('signin.serverInvalid');
    case 'not_https':
      return msg('signin.server.notHttps');
    case 'credentials':
      return msg('signin.server.credentials');
    case 'query':
      return msg('signin.server.query');
  }
}

/** The canonical form of a usable address: lower-case host, no trailing slash ("https://api.alteg.io/api"). */
export function canonicalServerUrl(raw: string): string {
  const url = new URL(raw.trim());
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Which named server an address is, if any. */
export function knownServerOf(raw: string | null | undefined): KnownServerId | null {
  if (!raw || serverUrlProblem(raw) !== null) return null;
  const url = canonicalServerUrl(raw);
  return KNOWN_SERVERS.find((s) => s.url === url)?.id ?? null;
}
