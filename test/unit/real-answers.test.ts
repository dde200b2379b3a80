/**
 * Issue 15: what the documented examples (the YCLIENTS API Blueprint, Altegio's own API docs) send
 * that the app used to misread. One block per point, with fixtures written from those shapes (own
 * values). Each test failed before its fix.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAltegioClient } from '../../main/core/altegio/client';
import { failureFromHttp, isRightRefusal } from '../../main/core/altegio/failures';
import { chainsFromWire, decodeAuth, decodeCompanies, decodeGroups, decodeMemberships, needsCompanyTimezones } from '../../main/core/altegio/mapping';
import { DeskFailure, withServerWords } from '../../main/core/errors';
import { describeError, errorLine } from '../../renderer/src/lib/errors';
import { freezeRuleWords, membershipDate, notGivenText } from '../../renderer/src/lib/format';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { UNREADABLE, parseEnvelope } from '../../main/core/altegio/wire';
import type { Chain } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { balanceEditability } from '../../common/balance-rules';
import { freezeAvailability } from '../../common/freeze-rules';
import { cardActions } from '../../renderer/src/lib/actions';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { partnerAccount, userAccount } from '../../main/core/session/secret-store';
import { createSessionService, normalizeLogin, profileIdFor } from '../../main/core/session/session';
import { openStore } from '../../main/core/store';
import { exampleMembership } from '../support/memberships';
import { failure, failureOf } from '../support/failures';

/** A membership as Altegio's docs print it in the chain list (own values). */
const wireMembership = {
  id: 4471902,
  number: '500731',
  balance_string: 'Pilates group (x7)',
  created_date: '2026-03-02T10:14:00-06:00',
  activated_date: '2026-03-05T18:00:00-06:00',
  expiration_date: '2026-06-05T23:59:59-05:00',
  is_frozen: false,
  freeze_period: 0,
  period: 3,
  period_unit_id: 3,
  status: { id: 2, title: 'Active', extended_title: 'Active', slug: 'active' },
  is_united_balance: false,
  is_united_balance_unlimited: false,
  united_balance_services_count: 0,
  balance_container: { links: [{ count: 7, is_unlimited: false, service: { id: 12840551, category_id: 12840500, title: 'Pilates group' } }] },
  type: { id: 30218, salon_group_id: 70114, title: 'Pilates 10-pack / 3 months', period: 3, period_unit_id: 3, allow_freeze: true, freeze_limit: 14, freeze_limit_unit_id: 1, balance_edit_type_id: 2 },
};

// ------------------------------------------------------------------------------------------------
// A scriptable stand-in on a real socket, for what the client does with an answer

let server: Server;
let port: number;
let answer: { status: number; body: unknown } = { status: 200, body: null };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});

function client() {
  return createAltegioClient({
    credentials: () => ({ baseUrl: `http://127.0.0.1:${port}/api`, partnerToken: 'partner-token-x1', userToken: 'user-token-y2' }),
    limiter: createRateLimiter({ perSecond: 1000, perMinute: 100_000 }),
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
  });
}

// ------------------------------------------------------------------------------------------------

describe('3. an envelope inside a one-element array', () => {
  it('the chain list as Altegio prints it ([{success, data, meta}]) reads as its memberships, not as none', () => {
    const body = [{ success: true, data: [wireMembership], meta: { count: 1 } }];
    const list = decodeMemberships(body, 70114);
    expect(list.map((m) => m.id)).toEqual([4471902]);
    expect(list[0]?.balance).toMatchObject({ kind: 'per_service', lines: [{ serviceId: 12840551, count: 7 }] });
  });

  it('success:false inside such an array is read as a refusal, with the server text', () => {
    const env = parseEnvelope([{ success: false, data: null, meta: { message: 'Subscription is already frozen' } }]);
    expect(env.success).toBe(false);
    expect(env.meta.message).toBe('Subscription is already frozen');
  });

  it('a freeze answered 200 with [{success:false}] fails, it does not count as done', async () => {
    answer = { status: 200, body: [{ success: false, data: null, meta: { message: 'Subscription is already frozen' } }] };
    const f = await failure(client().freeze(70114, 4471902, '2026-05-20'));
    expect(f.kind).toBe('validation');
    expect(f.message).toContain('Subscription is already frozen');
  });

  it('a set_balance refusal in an array keeps its message', async () => {
    answer = { status: 400, body: [{ success: false, data: null, meta: { message: "Can't change balance" } }] };
    const f = await failure(client().setBalance(70114, 4471902, { united: 3 }));
    expect(f.kind).toBe('validation');
    expect(f.message).toContain("Can't change balance");
  });

  it('a list the app cannot read is an error the person sees, never an empty result', () => {
    // Items that are not memberships (here: an envelope nested one level deeper, and junk).
    for (const body of [
      { success: true, data: [[{ success: true, data: [wireMembership] }]], meta: [] },
      { success: true, data: [{ abonement: wireMembership }], meta: [] },
      { success: true, data: [{ id: 'x' }, 'junk'], meta: [] },
    ]) {
      const f = failureOf(() => decodeMemberships(body, 70114));
      expect(f.kind).toBe('server');
      expect(f.msg).toEqual(UNREADABLE);
    }
    // An empty list is still simply empty.
    expect(decodeMemberships({ success: true, data: [], meta: { count: 0 } }, 70114)).toEqual([]);
  });

  it('a chain list read through the client from an array envelope gives the membership', async () => {
    answer = { status: 200, body: [{ success: true, data: [wireMembership], meta: { count: 1 } }] };
    const list = await client().membershipsByIds(70114, [4471902]);
    expect(list.map((m) => m.number)).toEqual(['500731']);
  });
});

describe('4. timezone as a zone name', () => {
  // The Blueprint's /companies example: "timezone": "Europe/Moscow", no timezone_name.
  const blueprintCompanies = { success: true, data: [{ id: 41, title: 'Салон на Арбате', timezone: 'Europe/Moscow' }], meta: [] };
  // Both docs' /groups examples: locations with no zone at all.
  const groups = { success: true, data: [{ id: 7, title: 'Сеть', companies: [{ id: 41, title: 'Салон на Арбате' }], access: {} }], meta: [] };

  it('a zone name in `timezone` is the location zone, not an assumed UTC', () => {
    const g = decodeGroups(groups);
    expect(needsCompanyTimezones(g)).toBe(true);
    const [chain] = chainsFromWire(g, decodeCompanies(blueprintCompanies));
    expect(chain?.locations[0]).toEqual({ id: 41, title: 'Салон на Арбате', timezone: 'Europe/Moscow' });
  });

  it('current docs: hours plus timezone_name still read by name; a name in /groups needs no /companies', () => {
    const companies = decodeCompanies({ success: true, data: [{ id: 41, title: 'A', timezone: 3, timezone_name: 'Europe/Moscow' }], meta: [] });
    expect(chainsFromWire(decodeGroups(groups), companies)[0]?.locations[0]?.timezone).toBe('Europe/Moscow');
    const named = decodeGroups({ data: [{ id: 7, companies: [{ id: 41, timezone: 'Asia/Tokyo' }] }] });
    expect(needsCompanyTimezones(named)).toBe(false);
    expect(chainsFromWire(named)[0]?.locations[0]?.timezone).toBe('Asia/Tokyo');
  });

  it('hours alone give their fixed offset; UTC is assumed only when nothing gives a zone', () => {
    const hoursOnly = decodeCompanies({ data: [{ id: 41, timezone: '3' }] });
    expect(chainsFromWire(decodeGroups(groups), hoursOnly)[0]?.locations[0]).toMatchObject({ timezone: 'Etc/GMT-3' });
    expect(chainsFromWire(decodeGroups(groups), decodeCompanies({ data: [{ id: 41, timezone: -5 }] }))[0]?.locations[0]?.timezone).toBe('Etc/GMT+5');
    const none = chainsFromWire(decodeGroups(groups), decodeCompanies({ data: [{ id: 41, timezone: 'Mars/Olympus' }] }))[0]?.locations[0];
    expect(none).toMatchObject({ timezone: 'UTC', timezoneAssumed: true });
  });
});

describe("5. the server's own words", () => {
  const env = (message: string) => ({ success: false, data: null, meta: { message } });
  const ctx = { isAuth: false, secrets: ['partner-token-x1'] };

  it('a 400 "Can\'t change balance" keeps those words for the person and the audit log', () => {
    const f = failureFromHttp(400, env("Can't change balance"), ctx);
    expect(f.kind).toBe('validation');
    expect(f.serverMessage).toBe("Can't change balance");
    expect(f.toData().serverMessage).toBe("Can't change balance");
  });

  it('402 and 401 keep the server text beside the app explanation', () => {
    const licence = failureFromHttp(402, env('Renew the licence for branch 512330'), ctx);
    expect(licence.kind).toBe('licence_expired');
    expect(licence.serverMessage).toBe('Renew the licence for branch 512330');
    expect(withServerWords(licence)).toBe(`${licence.message} Altegio said: "Renew the licence for branch 512330"`);
    const expired = failureFromHttp(401, env('The session has expired, sign in again'), ctx);
    expect(expired.kind).toBe('auth_expired');
    expect(expired.serverMessage).toBe('The session has expired, sign in again');
    // Secrets never come back, even inside the server's words.
    expect(failureFromHttp(401, env('Bad token partner-token-x1'), ctx).serverMessage).toBe('Bad token [hidden]');
  });

  it('the renderer shows them beside its explanation, once', () => {
    const data = failureFromHttp(402, env('Renew the licence for branch 512330'), ctx).toData();
    const text = describeError(data);
    expect(text.serverWords).toBe('Altegio said: "Renew the licence for branch 512330"');
    expect(errorLine(data)).toContain('Renew the licence for branch 512330');
    // Not repeated when the message already is the server text.
    expect(describeError(failureFromHttp(400, env("Can't change balance"), ctx).toData()).serverWords).toBeNull();
  });

  it('a 403 saying the licence must be renewed is licence_expired, not missing rights', () => {
    for (const text of ['Необходимо продлить лицензию', 'Необходимо продлить лицензию филиала 41', 'Please renew the licence', 'License expired']) {
      const f = failureFromHttp(403, env(text), ctx);
      expect(f.kind, text).toBe('licence_expired');
      expect(f.serverMessage).toBe(text);
      expect(isRightRefusal(f)).toBe(false);
    }
    const denied = failureFromHttp(403, env('Access denied.'), ctx);
    expect(denied.kind).toBe('forbidden');
    expect(isRightRefusal(denied)).toBe(true);
    expect(isRightRefusal(DeskFailure.fromServer('forbidden', 'x'))).toBe(false);
  });
});

describe('1. missing access flags are unknown', () => {
  // Both docs' /groups examples: an access object without the loyalty_abonement_* flags.
  const docsGroups = {
    success: true,
    data: [{ id: 70114, title: 'Northside', companies: [{ id: 512330, title: 'Downtown', timezone_name: 'America/Chicago' }], access: { settings_access: 1, clients_access: 1, loyalty_access: 1, loyalty_abonement_types_access: 1 } }],
    meta: [],
  };
  const NOW = new Date('2026-04-10T15:00:00Z');

  it('read as null (unknown), not as "no right"', () => {
    const [chain] = chainsFromWire(decodeGroups(docsGroups));
    expect(chain?.rights).toEqual({ loyalty: true, periodEdit: null, balanceEdit: null, history: null });
  });

  it('unknown rights offer freeze, unfreeze and balance edits: Altegio decides', () => {
    const rights = chainsFromWire(decodeGroups(docsGroups))[0]!.rights;
    expect(freezeAvailability(exampleMembership(), rights, NOW, 'America/Chicago').allowed).toBe(true);
    expect(balanceEditability(exampleMembership(), rights).editable).toBe(true);
    const actions = cardActions(exampleMembership({ isFrozen: true, freezeTill: '2026-04-20' }), rights, NOW, 'America/Chicago');
    expect(actions.unfreeze.enabled).toBe(true);
  });

  it('an action Altegio refused is off, with its words; the other stays offered', () => {
    const rights = { loyalty: true, periodEdit: null, balanceEdit: null, history: null, refused: { periodEdit: 'Access denied.' } };
    const freeze = freezeAvailability(exampleMembership(), rights, NOW, 'America/Chicago');
    expect(freeze.allowed).toBe(false);
    expect(!freeze.allowed && freeze.reason).toContain('"Access denied."');
    const actions = cardActions(exampleMembership({ isFrozen: true, freezeTill: '2026-04-20' }), rights, NOW, 'America/Chicago');
    expect(actions.unfreeze).toMatchObject({ enabled: false, reason: expect.stringContaining('Access denied.') });
    expect(actions.editBalance.enabled).toBe(true);
  });

  it('a 403 on a freeze turns that action off on that chain until the next sign-in (kept over a restart)', async () => {
    const SERVER = 'https://api.alteg.io/api';
    const chains = (): Chain[] => chainsFromWire(decodeGroups(docsGroups));
    let signIns = 0;
    const apiFor = (_c: () => Credentials): AltegioApi => {
      const no = async (): Promise<never> => {
        throw new Error('unused');
      };
      return {
        auth: async (login) => ({ userToken: `tok-${++signIns}-abcdef`, userId: 5, name: 'Dana', login }),
        chains: async () => chains(),
        freeze: async () => {
          throw failureFromHttp(403, { success: false, data: null, meta: { message: 'Нет прав на заморозку' } }, { isAuth: false, secrets: [] });
        },
        searchClients: no,
        client: no,
        membershipsByPhone: no,
        membershipsByIds: no,
        unfreeze: no,
        setBalance: no,
        setPeriod: no,
        membershipsCreated: no,
      };
    };
    const store = openStore(':memory:');
    const secrets = new MemorySecretStore();
    await secrets.set(partnerAccount(SERVER), 'partner-token-123456');
    const session = createSessionService({ store, secrets, apiFor });
    await session.signIn({ login: 'dana@x.test', password: 'pw', serverUrl: SERVER });
    expect(session.rightsFor(70114)?.periodEdit).toBeNull();

    const f = await failure(session.api().freeze(70114, 4471902, '2026-05-20'));
    expect(f.kind).toBe('forbidden');
    expect(session.rightsFor(70114)?.refused).toEqual({ periodEdit: 'Нет прав на заморозку' });
    expect(session.snapshot().chains[0]?.rights.refused?.periodEdit).toBe('Нет прав на заморозку');

    // A restart reads the cached chains: still off.
    const restarted = createSessionService({ store, secrets, apiFor });
    await restarted.ready();
    expect(restarted.rightsFor(70114)?.refused?.periodEdit).toBe('Нет прав на заморозку');
    // The next sign-in reads the rights again.
    await restarted.signIn({ login: 'dana@x.test', password: 'pw', serverUrl: SERVER });
    expect(restarted.rightsFor(70114)?.refused).toBeUndefined();
    store.close();
  });
});

describe('2. /auth without an id', () => {
  const SERVER = 'https://api.yclients.com/api';
  // The Blueprint's /auth answer: only the user token.
  const bare = (token: string) => ({ user_token: token });

  it('gives no user id (0) and names the person by the login they typed', () => {
    expect(decodeAuth(bare('tok-1234567890'), '+7 999 123-45-67')).toEqual({ userToken: 'tok-1234567890', userId: 0, name: '+7 999 123-45-67', login: '+7 999 123-45-67' });
    // A name the server gives is used.
    expect(decodeAuth({ user_token: 'tok-1234567890', name: 'Ольга' }, 'olga@x.test').name).toBe('Ольга');
  });

  it('profiles are keyed by server + the normalised login', () => {
    expect(profileIdFor(SERVER, 0, '+7 (999) 123-45-67')).toBe(profileIdFor(SERVER, 0, '79991234567'));
    expect(profileIdFor(SERVER, 0, 'Olga@X.test ')).toBe(profileIdFor(SERVER, 0, 'olga@x.test'));
    expect(profileIdFor(SERVER, 0, 'olga@x.test')).not.toBe(profileIdFor(SERVER, 0, 'ivan@x.test'));
    expect(profileIdFor(SERVER, 0, 'olga@x.test')).not.toBe(profileIdFor('https://api.alteg.io/api', 0, 'olga@x.test'));
    expect(normalizeLogin(' +1 (512) 555-0142 ')).toBe('15125550142');
    // With an id, the id decides (as before).
    expect(profileIdFor(SERVER, 884213, 'a')).toBe(profileIdFor(SERVER, 884213, 'b'));
  });

  it('two people whose /auth gives no id keep separate profiles, tokens and names; re-authentication stays with its person', async () => {
    const passwords: Record<string, string> = { 'olga@x.test': 'pw-olga', '+79990000002': 'pw-ivan' };
    let n = 0;
    const apiFor = (_c: () => Credentials): AltegioApi => {
      const no = async (): Promise<never> => {
        throw new Error('unused');
      };
      return {
        auth: async (login, password) => {
          if (passwords[login] !== password) throw DeskFailure.fromServer('validation', 'Wrong login or password.');
          return decodeAuth(bare(`tok-${login}-${++n}`), login);
        },
        chains: async () => [],
        freeze: no,
        // Every token refused from here on (re-authentication is /auth): a 401 expires the session.
        searchClients: async () => {
          throw DeskFailure.fromServer('auth_expired', 'Authentication needed.');
        },
        client: no,
        membershipsByPhone: no,
        membershipsByIds: no,
        unfreeze: no,
        setBalance: no,
        setPeriod: no,
        membershipsCreated: no,
      };
    };
    const store = openStore(':memory:');
    const secrets = new MemorySecretStore();
    await secrets.set(partnerAccount(SERVER), 'partner-token-123456');
    const session = createSessionService({ store, secrets, apiFor });
    const olga = (await session.signIn({ login: 'olga@x.test', password: 'pw-olga', serverUrl: SERVER })).profile!;
    const olgaUser = session.currentUser();
    const ivan = (await session.signIn({ login: '+79990000002', password: 'pw-ivan', serverUrl: SERVER })).profile!;
    const ivanUser = session.currentUser();
    expect(olga.id).not.toBe(ivan.id);
    expect(session.snapshot().profiles.map((p) => p.name).sort()).toEqual(['+79990000002', 'olga@x.test']);
    expect(await secrets.get(userAccount(olga.id))).toMatch(/^tok-olga@x.test-/);
    expect(await secrets.get(userAccount(ivan.id))).toMatch(/^tok-\+79990000002-/);
    expect([olgaUser.name, ivanUser.name]).toEqual(['olga@x.test', '+79990000002']);
    expect(olgaUser.profileId).not.toBe(ivanUser.profileId);

    // Re-authenticating Olga's profile signs Olga in again (her login, her token), not Ivan.
    await session.switchProfile(olga.id);
    await expect(session.api().searchClients(1, 'x')).rejects.toMatchObject({ kind: 'auth_expired' });
    expect(session.snapshot().status).toBe('expired');
    await session.reauthenticate('pw-olga');
    expect(session.currentUser()).toMatchObject({ profileId: olga.id, name: 'olga@x.test' });
    expect(await secrets.get(userAccount(ivan.id))).toMatch(/^tok-\+79990000002-/);
    store.close();
  });
});

describe('6. fields no real example carries', () => {
  // Memberships by phone as the examples print them: no created/activated/expiration dates, a type
  // without freeze_limit_unit_id and balance_edit_type_id, a status without slug.
  const sparse = {
    id: 4471902,
    number: '500731',
    is_frozen: false,
    freeze_period: 0,
    status: { id: 2, title: 'Активен' },
    is_united_balance: true,
    united_balance_services_count: 6,
    balance_container: { links: [] },
    type: { id: 30218, salon_group_id: 70114, title: 'Абонемент 8', allow_freeze: true, freeze_limit: 14, is_united_balance: true },
  };
  const [m] = decodeMemberships({ success: true, data: [sparse], meta: { count: 1 } });

  it('the membership still reads, and lists what Altegio did not send', () => {
    expect(m).toBeDefined();
    expect(m!.status).toEqual({ id: 2, slug: 'active', title: 'Активен' });
    expect(m!.notGiven).toEqual(['createdDate', 'activatedDate', 'expirationDate', 'freezeLimitUnit', 'balanceEditType']);
    expect(m!.type.balanceEditType).toBeNull();
    // A null that was sent is not "not given".
    const [withNulls] = decodeMemberships({ data: [{ ...sparse, created_date: '2026-03-02T10:14:00+03:00', activated_date: null, expiration_date: null, type: { ...sparse.type, freeze_limit_unit_id: 2, balance_edit_type_id: 2 } }] });
    expect(withNulls!.notGiven).toBeUndefined();
  });

  it('shows "unknown" for them, never a guess', () => {
    expect(membershipDate(m!, 'activatedDate', 'Europe/Moscow', 'Not activated yet')).toBe(notGivenText());
    expect(membershipDate(m!, 'expirationDate', 'Europe/Moscow', 'No expiry date yet')).toBe(notGivenText());
    expect(freezeRuleWords(m!.type, m!.notGiven?.includes('freezeLimitUnit'))).toContain('did not send the unit: counted as days');
  });

  it('work without them: freeze within the allowance counted in days, balance edits offered', () => {
    const rights = { loyalty: true, periodEdit: true, balanceEdit: true, history: true };
    const freeze = freezeAvailability(m!, rights, new Date('2026-04-10T12:00:00Z'), 'Europe/Moscow');
    expect(freeze.allowed && freeze.lastDate).toBe('2026-04-24');
    expect(balanceEditability(m!, rights).editable).toBe(true);
  });
});
