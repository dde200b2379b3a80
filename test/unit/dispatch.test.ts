import { describe, expect, it } from 'vitest';
import { dispatch, fieldKey, type Handlers } from '../../main/core/dispatch';
import { DeskFailure } from '../../main/core/errors';
import { msg } from '../../common/i18n/translate';

const handlers = {
  'memberships.get': async ({ membershipId }: { membershipId: number }) => {
    if (membershipId === 404) throw new DeskFailure('not_found', msg('error.app.membershipNotFound', { id: 404 }));
    if (membershipId === 410) throw new DeskFailure('not_found', msg('error.app.auditGone'));
    if (membershipId === 422) throw DeskFailure.fromServer('not_found', 'Абонемент не найден');
    if (membershipId === 500) throw new Error('secret internals /home/x Bearer abc');
    if (membershipId === 507) throw Object.assign(new Error('database or disk is full /home/x/desk.db'), { code: 'SQLITE_FULL' });
    return { nope: true };
  },
} as unknown as Handlers;

describe('dispatch', () => {
  it('rejects unknown channels as bad_input', async () => {
    const r = await dispatch(handlers, 'fs.readFile', {});
    expect(r).toEqual({ ok: false, error: { kind: 'bad_input', code: 'app.unknown_channel', origin: 'app', message: 'The app does not know this request. Restart the app; if it keeps happening, update it.', msg: { key: 'error.app.unknownRequest' } } });
  });

  it('rejects prototype keys as channel names', async () => {
    const r = await dispatch(handlers, '__proto__', {});
    expect(r.ok).toBe(false);
  });

  it('validates arguments and names the bad field', async () => {
    const r = await dispatch(handlers, 'memberships.get', { chainId: 'x', membershipId: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('bad_input');
      expect(Object.keys(r.error.fields ?? {})).toContain('chainId');
    }
  });

  it('names a list item by its id, as the core does (services.<serviceId>), never by its position', async () => {
    const r = await dispatch(handlers, 'memberships.setBalance', { chainId: 1, locationId: 2, membershipId: 3, reason: 'fix', services: [{ serviceId: 12840551, balance: 7 }, { serviceId: 12840552, balance: -1 }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'app.bad_arguments', origin: 'app' });
      expect(Object.keys(r.error.fields ?? {})).toEqual(['services.12840552']);
      expect(Object.keys(r.error.fieldIssues ?? {})).toEqual(['services.12840552']);
    }
    expect(fieldKey(['services', 1, 'balance'], { services: [{}, { serviceId: 9 }] })).toBe('services.9');
    expect(fieldKey(['rows', 0], { rows: ['a'] })).toBe('rows.0');
    expect(fieldKey([], {})).toBe('_');
  });

  it('says what is wrong with each field as a code for the catalogs, never only in the schema’s English (issue 13 item 8)', async () => {
    const long = await dispatch(handlers, 'session.signIn', { login: 'a'.repeat(201), password: 'pw' });
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.error.fieldIssues).toEqual({ login: { code: 'too_long', limit: 200 } });
    const several = await dispatch(handlers, 'session.signIn', { login: 'ab', password: '' });
    if (!several.ok) expect(several.error.fieldIssues).toEqual({ login: { code: 'too_short', limit: 3 }, password: { code: 'required' } });
    const wrongType = await dispatch(handlers, 'memberships.get', { chainId: 'x' });
    if (!wrongType.ok) expect(wrongType.error.fieldIssues).toEqual({ chainId: { code: 'invalid' }, membershipId: { code: 'required' } });
    const big = await dispatch(handlers, 'clients.search', { locationId: 1, query: 'dana', limit: 51 });
    if (!big.ok) expect(big.error.fieldIssues).toEqual({ limit: { code: 'too_big', limit: 50 } });
    expect.assertions(5);
  });

  it('rejects unexpected extra keys', async () => {
    const r = await dispatch(handlers, 'memberships.get', { chainId: 1, membershipId: 2, evil: true });
    expect(r.ok).toBe(false);
  });

  it('passes typed failures through as data', async () => {
    const r = await dispatch(handlers, 'memberships.get', { chainId: 1, membershipId: 404 });
    expect(r).toEqual({ ok: false, error: { kind: 'not_found', code: 'error.app.membershipNotFound', origin: 'app', message: 'Membership 404 was not found in this chain. It may have been deleted, or it belongs to another chain.', msg: { key: 'error.app.membershipNotFound', params: { id: 404 } } } });
  });

  it('two different failures of one kind never share a code: the app’s carries its message’s catalog key, Altegio’s words `altegio.<kind>`', async () => {
    const codes = await Promise.all([404, 410, 422].map(async (membershipId) => {
      const r = await dispatch(handlers, 'memberships.get', { chainId: 1, membershipId });
      return r.ok ? null : [r.error.kind, r.error.origin, r.error.code];
    }));
    expect(codes).toEqual([
      ['not_found', 'app', 'error.app.membershipNotFound'],
      ['not_found', 'app', 'error.app.auditGone'],
      ['not_found', 'altegio', 'altegio.not_found'],
    ]);
  });

  it('hides the text of unexpected errors', async () => {
    const r = await dispatch(handlers, 'memberships.get', { chainId: 1, membershipId: 500 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('server');
      expect(r.error.message).not.toContain('Bearer');
    }
  });

  it('a write the database refused (full disk) is a storage error saying what to do, without internals', async () => {
    const r = await dispatch(handlers, 'memberships.get', { chainId: 1, membershipId: 507 });
    expect(r).toEqual({ ok: false, error: { kind: 'storage', code: 'disk_full', origin: 'app', message: expect.stringMatching(/disk is full.*Free some space/), msg: { key: 'error.app.storageFault', params: { code: 'disk_full' } } } });
    if (!r.ok) expect(r.error.message).not.toContain('/home/x');
  });

  it('refuses a handler result that breaks the contract', async () => {
    const r = await dispatch(handlers, 'memberships.get', { chainId: 1, membershipId: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('server');
  });
});
