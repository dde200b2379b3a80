import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chain, ClientSummary, Membership } from '../../preload/contract';
import { failureFromHttp, parseRetryAfter, cleanServerText } from '../../main/core/altegio/failures';
import { FREEZE_FIELDS } from '../../main/core/altegio/field-keys';
import {
  chainsFromWire,
  decodeAuth,
  decodeClient,
  decodeClientSearch,
  decodeCompanies,
  decodeGroups,
  decodeMemberships,
  decodeMembershipsPaced,
  freezeUnit,
  needsCompanyTimezones,
  periodUnit,
  statusSlug,
} from '../../main/core/altegio/mapping';
import { UNREADABLE, cleanFieldKey, parseEnvelope, parseErrorInfo } from '../../main/core/altegio/wire';
import { DeskFailure } from '../../main/core/errors';
import { exampleMembership } from '../support/memberships';
import { failureOf } from '../support/failures';

// ALTEGIO.md §4.1 example (own values)
const docMembership = {
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
  goods_transaction_id: 91822341,
  balance_container: {
    links: [{ count: 7, is_unlimited: false, service: { id: 12840551, category_id: 12840500, title: 'Pilates group' } }],
  },
  type: {
    id: 30218,
    salon_group_id: 70114,
    title: 'Pilates 10-pack / 3 months',
    period: 3,
    period_unit_id: 3,
    allow_freeze: true,
    freeze_limit: 14,
    freeze_limit_unit_id: 1,
    is_united_balance: false,
    united_balance_services_count: 0,
    is_allow_empty_code: true,
    is_code_required: false,
    cost: 180,
    balance_container: { links: [{ count: 10, service: { id: 12840551, title: 'Pilates group' } }] },
  },
};

// ALTEGIO.md §3.1 example
const docGroups = {
  success: true,
  data: [
    {
      id: 70114,
      title: 'Northside Fitness',
      companies: [
        { id: 512330, title: 'Northside Fitness — Downtown', timezone_name: 'America/Chicago' },
        { id: 512331, title: 'Northside Fitness — Riverside' },
      ],
      access: {
        settings_access: 1,
        clients_access: 1,
        users_access: 0,
        loyalty_access: 1,
        loyalty_abonement_types_access: 1,
        loyalty_abonement_balance_edit_access: 1,
        loyalty_abonement_period_edit_access: 1,
        loyalty_abonement_history_access: 1,
        loyalty_cards_manual_transactions_access: 0,
      },
    },
  ],
  meta: [],
};

describe('envelope', () => {
  it('reads meta as object or array and success as bool or "true"', () => {
    expect(parseEnvelope({ success: 'true', data: [], meta: [] })).toMatchObject({ success: true, meta: {}, bare: false });
    expect(parseEnvelope({ success: true, data: [], meta: { count: '3' } }).meta.count).toBe(3);
    expect(parseEnvelope({ success: false, data: null, meta: { message: 'x' } })).toMatchObject({ success: false, meta: { message: 'x' } });
    expect(parseEnvelope([1, 2]).bare).toBe(true);
    expect(parseEnvelope({ id: 1, user_token: 't' }).bare).toBe(true);
  });

  it('extracts error messages and fields from every documented error shape', () => {
    const v = parseErrorInfo({
      success: false,
      data: null,
      meta: { message: 'An error occurred', errors: { '[is_archived]': ['The value you selected is invalid'] } },
    });
    expect(v).toEqual({ message: 'An error occurred', fields: { is_archived: 'The value you selected is invalid' }, errorCode: undefined });
    expect(parseErrorInfo({ meta: { message: 'Not found', errors: [{ message: 'Client not found' }] } }).message).toBe('Not found');
    expect(parseErrorInfo({ meta: { errors: [{ message: 'Client not found' }] } }).message).toBe('Client not found');
    expect(parseErrorInfo({ errors: [{ title: 'Bad', detail: 'Date is in the past' }] }).message).toBe('Date is in the past');
    expect(parseErrorInfo({ error_code: 20, error_message: 'Invalid partner token' })).toMatchObject({ errorCode: 20, message: 'Invalid partner token' });
    expect(parseErrorInfo({ meta: { errors: { filters: 'bad filter' } } }).fields).toEqual({ filters: 'bad filter' });
    expect(cleanFieldKey('[services_balance_count][0][balance]')).toBe('services_balance_count.0.balance');
  });
});

describe('memberships', () => {
  it('maps the documented example (per-service balance, freeze rules, chain from type)', () => {
    const [m] = decodeMemberships({ success: true, data: [docMembership], meta: { count: 1 } });
    // The wire example names no balance_edit_type: null, and said to be not given.
    expect(Membership.parse(m)).toEqual(exampleMembership({ notGiven: ['balanceEditType'], period: 3, periodUnit: 'month' }, { balanceEditType: null }));
  });

  it('tolerates the loose types of the docs: string ids, numeric titles, "1" flags, string numbers', () => {
    const loose = {
      ...docMembership,
      id: '4471902',
      number: 500731,
      is_frozen: '1',
      freeze_period: '14',
      freeze_till: '2026-05-20T23:59:59-05:00',
      status: { id: '4', title: 'Used', slug: 'wasted' },
      type: { ...docMembership.type, id: '30218', salon_group_id: '70114', title: 2026, allow_freeze: 'true', freeze_limit: '2', freeze_limit_unit_id: '2' },
      unknown_extra: { deep: [1, 2, 3] },
    };
    const [m] = decodeMemberships({ success: 'true', data: [loose], meta: [] });
    expect(m).toMatchObject({
      id: 4471902,
      number: '500731',
      chainId: 70114,
      isFrozen: true,
      freezePeriodDays: 14,
      freezeTill: '2026-05-20T23:59:59-05:00',
      status: { id: 4, slug: 'wasted' },
      type: { id: 30218, title: '2026', allowFreeze: true, freezeLimit: 2, freezeLimitUnit: 'week' },
    });
  });

  it('maps united balances (limited and unlimited) and category links', () => {
    const united = {
      ...docMembership,
      is_united_balance: true,
      is_united_balance_unlimited: 0,
      united_balance_services_count: 6,
      balance_container: {
        links: [
          { count: 0, category: { id: 9911201, category_id: 1, title: 'Yoga', is_category: true } },
          { count: 0, service: { id: 12840551, title: 'Pilates group', is_category: 0 } },
        ],
      },
    };
    const [m] = decodeMemberships({ data: [united] });
    expect(m!.balance).toEqual({
      kind: 'united',
      count: 6,
      unlimited: false,
      lines: [
        { serviceId: 9911201, title: 'Yoga', isCategory: true, count: 0, unlimited: false },
        { serviceId: 12840551, title: 'Pilates group', isCategory: false, count: 0, unlimited: false },
      ],
    });
    const [u] = decodeMemberships({ data: [{ ...united, is_united_balance_unlimited: true }] });
    expect(u!.balance).toMatchObject({ kind: 'united', unlimited: true });
  });

  it('falls back to the requested chain, drops unusable items, unwraps the old [[...]] wrapper', () => {
    const noChain = { ...docMembership, id: 1, type: { ...docMembership.type, salon_group_id: undefined } };
    const noId = { ...docMembership, id: null };
    const body = { success: true, data: [[noChain, noId, 'junk', null, docMembership]], meta: { count: 3 } };
    expect(decodeMemberships(body).map((m) => m.id)).toEqual([4471902]);
    expect(decodeMemberships(body, 555).map((m) => [m.id, m.chainId])).toEqual([
      [1, 555],
      [4471902, 70114],
    ]);
  });

  it('decodes a background page a slice at a time into the same memberships (duplicates across slices, unusable slices, nothing usable)', async () => {
    const noChain = { ...docMembership, id: 1, type: { ...docMembership.type, salon_group_id: undefined } };
    const noId = { ...docMembership, id: null };
    const many = Array.from({ length: 7 }, (_, i) => ({ ...docMembership, id: 100 + i, number: String(600 + i) }));
    // Slices of 2: [noId, junk] has nothing usable, docMembership comes again in a later slice.
    const body = { success: true, data: [docMembership, noChain, noId, 'junk', ...many, docMembership, null], meta: { count: 12 } };
    for (const fallback of [undefined, 555]) {
      expect(await decodeMembershipsPaced(body, fallback, 2)).toEqual(decodeMemberships(body, fallback));
    }
    // It lets the event loop turn between slices: an immediate queued before it runs before it resolves.
    let turned = false;
    setImmediate(() => (turned = true));
    expect(await decodeMembershipsPaced({ data: many }, undefined, 2).then(() => turned)).toBe(true);
    await expect(decodeMembershipsPaced({ data: [noId, 'junk', null] }, undefined, 1)).rejects.toMatchObject({ msg: UNREADABLE });
    expect(await decodeMembershipsPaced({ data: [] }, undefined, 2)).toEqual([]);
  });

  it('maps status ids/slugs and unit ids', () => {
    expect([1, 2, 3, 4, 5].map((id) => statusSlug(id, undefined))).toEqual(['created', 'active', 'expired', 'wasted', 'unknown']);
    expect(statusSlug(undefined, 'expired')).toBe('expired');
    expect(statusSlug(undefined, 'frozen')).toBe('unknown');
    expect([0, 1, 2, 3, 4, 9, undefined].map(freezeUnit)).toEqual(['day', 'day', 'week', 'month', 'year', 'day', 'day']);
    expect([0, 1, 2, 3, 4, undefined].map(periodUnit)).toEqual([null, 'day', 'week', 'month', 'year', null]);
  });

  it('says "could not read" when data is not a list', () => {
    for (const body of [undefined, null, 'html', 42, { success: true, data: { id: 1 } }, { success: true, data: null }]) {
      const f = failureOf(() => decodeMemberships(body));
      expect(f.kind).toBe('server');
      expect(f.msg).toEqual(UNREADABLE);
    }
  });
});

describe('chains', () => {
  it('maps groups with rights and time zones, asking /companies only when a zone is missing', () => {
    const groups = decodeGroups(docGroups);
    expect(needsCompanyTimezones(groups)).toBe(true);
    const companies = decodeCompanies({ success: true, data: [{ id: '512331', title: 'Riverside', timezone_name: 'America/New_York', timezone: '-5' }], meta: [] });
    const chains = chainsFromWire(groups, companies);
    expect(chains.map((c) => Chain.parse(c))).toEqual([
      {
        id: 70114,
        title: 'Northside Fitness',
        locations: [
          { id: 512330, title: 'Northside Fitness — Downtown', timezone: 'America/Chicago' },
          { id: 512331, title: 'Northside Fitness — Riverside', timezone: 'America/New_York' },
        ],
        rights: { loyalty: true, periodEdit: true, balanceEdit: true, history: true },
      },
    ]);
    // without a companies answer: UTC, and marked as an assumption
    expect(chainsFromWire(groups)[0]!.locations[1]).toMatchObject({ timezone: 'UTC', timezoneAssumed: true });
    expect(chainsFromWire(groups)[0]!.locations[0]).not.toHaveProperty('timezoneAssumed');
  });

  it('reads access flags given as strings, a missing flag as unknown (null); rejects bad zones', () => {
    const groups = decodeGroups({
      data: [
        { id: '1', title: 7, companies: [{ id: 2, timezone_name: 'Mars/Olympus' }], access: { loyalty_access: '1', loyalty_abonement_balance_edit_access: '0' } },
        { id: 3, title: 'No access' },
      ],
    });
    expect(needsCompanyTimezones(groups)).toBe(true);
    const chains = chainsFromWire(groups);
    expect(chains[0]).toEqual({
      id: 1,
      title: '7',
      locations: [{ id: 2, title: 'Location 2', timezone: 'UTC', timezoneAssumed: true }],
      rights: { loyalty: true, periodEdit: null, balanceEdit: false, history: null },
    });
    expect(chains[1]!.rights).toEqual({ loyalty: null, periodEdit: null, balanceEdit: null, history: null });
  });
});

describe('clients and auth', () => {
  it('maps the documented search answer and the client card', () => {
    const r = decodeClientSearch({ success: true, data: [{ id: 3310455, name: 'Dana Whitfield', phone: '+15125550142' }], meta: { total_count: 1 } });
    expect(r).toEqual({ clients: [{ id: 3310455, name: 'Dana Whitfield', phone: '+15125550142', card: null }], total: 1 });
    const c = decodeClient({ success: true, data: { id: '3310455', name: 'Dana', surname: 'Whitfield', phone: '', card: 12345, spent: 10 }, meta: [] });
    expect(ClientSummary.parse(c)).toEqual({ id: 3310455, name: 'Dana Whitfield', phone: null, card: '12345' });
  });

  it('reads the user token enveloped or bare', () => {
    const enveloped = { success: true, data: { id: 884213, user_token: 'c7e1b9a04d2f6e8a13b5f0d2', name: 'Dana Whitfield', login: 'dana.w' }, meta: [] };
    expect(decodeAuth(enveloped, '+15125550142')).toEqual({ userToken: 'c7e1b9a04d2f6e8a13b5f0d2', userId: 884213, name: 'Dana Whitfield', login: 'dana.w' });
    expect(decodeAuth({ id: '5', user_token: 'tok-bare' }, 'x@y.z')).toEqual({ userToken: 'tok-bare', userId: 5, name: 'x@y.z', login: 'x@y.z' });
    expect(decodeAuth({ success: true, data: [], user_token: 'top' }, 'l').userToken).toBe('top');
    expect(failureOf(() => decodeAuth({ success: true, data: {}, meta: [] }, 'l')).msg).toEqual(UNREADABLE);
  });
});

describe('HTTP failures', () => {
  const ctx = { isAuth: false, secrets: ['PARTNER-SECRET-1', 'USER-SECRET-2'] };

  it('maps statuses to kinds with plain messages', () => {
    expect(failureFromHttp(401, { meta: { message: 'Authentication needed.' } }, ctx).kind).toBe('auth_expired');
    expect(failureFromHttp(402, { meta: { message: 'Renew the licence for branch 1' } }, ctx).kind).toBe('licence_expired');
    expect(failureFromHttp(403, { meta: { message: 'Access denied.' } }, ctx).message).toMatch(/does not have the right/);
    expect(failureFromHttp(404, { meta: [] }, ctx).kind).toBe('not_found');
    expect(failureFromHttp(409, {}, ctx).kind).toBe('conflict');
    expect(failureFromHttp(429, undefined, { ...ctx, retryAfterMs: 2000 }).toData()).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
    expect(failureFromHttp(503, '<html>', ctx).kind).toBe('server');
    const v = failureFromHttp(422, { meta: { message: 'An error occurred', errors: { '[freeze_till]': ['Freeze period exceeds limit'] } } }, { ...ctx, fieldKeys: FREEZE_FIELDS });
    expect(v.toData()).toEqual({
      kind: 'validation',
      code: 'altegio.validation',
      origin: 'altegio',
      message: 'Freeze period exceeds limit',
      messageIsServers: true,
      fields: { freezeTill: 'Freeze period exceeds limit' },
      serverMessage: 'An error occurred',
    });
    expect(failureFromHttp(400, { meta: { message: 'Subscription cannot be frozen' } }, ctx).message).toBe('Subscription cannot be frozen');
  });

  it('on /auth: wrong credentials are a validation error; partner-token refusals are forbidden', () => {
    const auth = { ...ctx, isAuth: true };
    expect(failureFromHttp(401, { meta: { message: 'Authentication needed.' } }, auth).toData()).toEqual({
      kind: 'validation',
      code: 'altegio.wrong_credentials',
      origin: 'altegio',
      message: 'Wrong login or password. Check them and try again.',
      msg: { key: 'error.code.wrongCredentials' },
      serverMessage: 'Authentication needed.',
    });
    expect(failureFromHttp(422, { meta: { message: 'Incorrect password' } }, auth)).toMatchObject({ message: 'Incorrect password', messageIsServers: true, code: 'altegio.wrong_credentials' });
    expect(failureFromHttp(403, { meta: { message: 'Access denied.' } }, auth).kind).toBe('validation');
    expect(failureFromHttp(401, { meta: { message: 'Partner token is invalid' } }, auth).kind).toBe('forbidden');
    expect(failureFromHttp(401, { error_code: 20, error_message: 'x' }, auth).kind).toBe('forbidden');
    expect(failureFromHttp(404, {}, auth).kind).toBe('not_found');
  });

  it('never repeats a secret from the server text', () => {
    const f = failureFromHttp(400, { meta: { message: 'Token USER-SECRET-2 with Bearer PARTNER-SECRET-1 refused', errors: { 'USER-SECRET-2': 'PARTNER-SECRET-1' } } }, ctx);
    const text = JSON.stringify(f.toData());
    expect(text).not.toContain('SECRET');
    expect(cleanServerText('Authorization: Bearer abc, User def', [])).toBe('Authorization: Bearer [hidden], User [hidden]');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5000)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('property: arbitrary JSON never crashes the decoders', () => {
  const anyValue = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(0, 1, '1', '0', 'true', true, false, null, '', '12', -3, 1.5, '2026-05-20', [], {}),
  );
  // Ids: mostly plausible (number or numeric string), sometimes anything
  const idish = fc.oneof(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }).map(String), anyValue);
  // Membership-ish objects whose fields have arbitrary types
  const membershipish = fc.record(
    {
      id: idish,
      number: anyValue,
      is_frozen: anyValue,
      freeze_period: anyValue,
      freeze_till: anyValue,
      status: fc.oneof(anyValue, fc.record({ id: anyValue, slug: anyValue, title: anyValue }, { requiredKeys: [] })),
      is_united_balance: anyValue,
      united_balance_services_count: anyValue,
      balance_container: fc.oneof(
        anyValue,
        fc.record({ links: fc.oneof(anyValue, fc.array(fc.record({ count: anyValue, service: fc.oneof(anyValue, fc.record({ id: idish, title: anyValue })), category: anyValue }, { requiredKeys: [] }))) }),
      ),
      type: fc.oneof(
        anyValue,
        fc.record(
          { id: idish, salon_group_id: idish, title: anyValue, allow_freeze: anyValue, freeze_limit: anyValue, freeze_limit_unit_id: anyValue, period_unit_id: anyValue, balance_edit_type_id: anyValue },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  const bodies = fc.oneof(
    anyValue,
    fc.record({ success: anyValue, data: fc.oneof(anyValue, fc.array(membershipish)), meta: anyValue }, { requiredKeys: [] }),
  );

  const onlyDeskFailure = (fn: () => unknown) => {
    try {
      return fn();
    } catch (e) {
      expect(e).toBeInstanceOf(DeskFailure);
      expect((e as DeskFailure).kind).toBe('server');
      return undefined;
    }
  };

  it('memberships: valid contract objects or DeskFailure', () => {
    let mapped = 0;
    fc.assert(
      fc.property(bodies, fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: undefined }), (body, chain) => {
        const r = onlyDeskFailure(() => decodeMemberships(body, chain)) as Membership[] | undefined;
        for (const m of r ?? []) expect(Membership.safeParse(m).success).toBe(true);
        mapped += r?.length ?? 0;
      }),
      { numRuns: 1500 },
    );
    // the generator must actually reach the mapping, not only the error paths
    expect(mapped).toBeGreaterThan(100);
  }, 60_000);

  it('groups, companies, clients, auth, errors', () => {
    fc.assert(
      fc.property(bodies, anyValue, (body, other) => {
        const groups = onlyDeskFailure(() => decodeGroups({ data: [body, other] })) as ReturnType<typeof decodeGroups> | undefined;
        const companies = onlyDeskFailure(() => decodeCompanies(other)) as ReturnType<typeof decodeCompanies> | undefined;
        if (groups) {
          needsCompanyTimezones(groups);
          for (const c of chainsFromWire(groups, companies)) expect(Chain.safeParse(c).success).toBe(true);
        }
        const s = onlyDeskFailure(() => decodeClientSearch(body)) as ReturnType<typeof decodeClientSearch> | undefined;
        for (const c of s?.clients ?? []) expect(ClientSummary.safeParse(c).success).toBe(true);
        onlyDeskFailure(() => decodeClient(body));
        onlyDeskFailure(() => decodeAuth(body, 'login'));
        for (const status of [400, 401, 402, 403, 404, 409, 422, 429, 500]) {
          const f = failureFromHttp(status, body, { isAuth: false, secrets: [] });
          expect(f).toBeInstanceOf(DeskFailure);
          expect(typeof f.message).toBe('string');
        }
      }),
      { numRuns: 1500 },
    );
  }, 60_000);
});
