import { describe, expect, it } from 'vitest';
import { KNOWN_SERVERS, canonicalServerUrl, knownServerOf, serverUrlProblem } from '../../common/servers';
import { ServerUrl } from '../../preload/contract';
import { normalizeServerUrl } from '../../main/core/session/settings';
import { DeskFailure } from '../../main/core/errors';
import { CODE_WORDS } from '../../renderer/src/lib/errors';

describe('server choice', () => {
  it('names both brands with their own API hosts', () => {
    expect(KNOWN_SERVERS.map((s) => [s.brand, s.url])).toEqual([
      ['Altegio', 'https://api.alteg.io/api'],
      ['YCLIENTS', 'https://api.yclients.com/api'],
    ]);
    expect(knownServerOf('https://API.alteg.io/api/')).toBe('altegio');
    expect(knownServerOf(' https://api.yclients.com/api ')).toBe('yclients');
    expect(knownServerOf('https://api.example.com/api')).toBeNull();
    expect(knownServerOf('http://127.0.0.1:8123/api')).toBeNull();
    expect(knownServerOf(null)).toBeNull();
  });

  it.each([
    ['https://api.example.com/api', null],
    ['https://api.example.com:8443/api/', null],
    ['http://localhost:8123/api', null],
    ['http://127.0.0.1:8123/api', null],
    ['http://127.10.0.1/api', null],
    ['http://[::1]:9000/api', null],
    ['http://api.example.com/api', 'not_https'],
    ['http://localhost.example.com/api', 'not_https'],
    ['http://127.0.0.1.example.com/api', 'not_https'],
    ['ftp://api.example.com', 'not_https'],
    ['javascript:alert(1)', 'not_url'],
    ['api.alteg.io', 'not_url'],
    ['', 'not_url'],
    ['https://', 'not_url'],
    ['https://u:p@api.example.com/api', 'credentials'],
    ['https://api.example.com/api?x=1', 'query'],
    ['https://api.example.com/api#top', 'query'],
    ['https://api.example.com/api?', 'query'],
  ])('%s → %s', (url, problem) => {
    expect(serverUrlProblem(url)).toBe(problem);
    // The contract (every IPC argument) and the core apply the same rule.
    expect(ServerUrl.safeParse(url).success).toBe(problem === null);
    if (problem === null) expect(normalizeServerUrl(url)).toBe(canonicalServerUrl(url));
    else expect(() => normalizeServerUrl(url)).toThrow(DeskFailure);
  });

  it('the core says what is wrong, in the catalog\'s English', () => {
    try {
      normalizeServerUrl('http://api.example.com/api');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DeskFailure);
      expect((e as DeskFailure).message).toBe('Use an address starting with https:// (http:// only for this computer: localhost or 127.0.0.1).');
      expect((e as DeskFailure).code).toBe('app.server_url.not_https');
      expect(CODE_WORDS['app.server_url.not_https']).toBe('signin.server.notHttps');
    }
  });
});
