/**
 * Issue 10 item 7, the one phone rule (common/phone.ts) through the whole core, over real HTTP to
 * the sandbox: the search finds a client by the phone in the forms the desk types it, at a US and a
 * Russian location; a membership look-up by phone reads the phone the same way and refuses a text
 * that is no phone with the one failure (validation, app, app.not_a_phone, field phone); a batch
 * file's phone column is read by the same rule at the location (one client's phone written two ways
 * is one look-up), and a bad phone is a row problem with its line, column and field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import type { BatchCheck, DeskError, Membership } from '../../preload/contract';

let sandbox: Sandbox;
let core: Core;
let dataDir: string;

async function reply(channel: string, args: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: DeskError }> {
  return (await dispatch(core.handlers, channel, args)) as { ok: true; value: unknown } | { ok: false; error: DeskError };
}
async function call<T>(channel: string, args: unknown): Promise<T> {
  const r = await reply(channel, args);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.value as T;
}
const phoneLookups = () => sandbox.control.stats().requestLog.filter((line) => /loyalty\/abonements\?.*phone=/.test(line));

beforeAll(async () => {
  sandbox = await startSandbox({ rate: null });
  dataDir = mkdtempSync(join(tmpdir(), 'desk-phone-'));
  core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore(), apiBase: sandbox.url, rate: { perSecond: 50, perMinute: 3000 } });
  const owner = sandbox.users[0]!;
  await call('settings.setPartnerToken', { token: sandbox.partnerToken });
  await call('session.signIn', { login: owner.email, password: owner.password });
});
afterAll(async () => {
  await core?.close();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the search finds a client by phone as the desk types it', () => {
  it.each(['+1 (512) 555-0142', '(512) 555-0142', '512.555.0142', '512-555-0142', '1 512 555 0142', '15125550142', '+1\u00a0512\u00a0555\u00a00142'])('Dana at Chicago by %s', async (query) => {
    const { dana } = sandbox.control.knownIds;
    const found = await call<{ clients: Array<{ id: number }> }>('clients.search', { locationId: dana.locationId, query });
    expect(found.clients.map((c) => c.id)).toContain(dana.clientId);
  });

  it.each(['+7 (495) 555-01-42', '8 (495) 555-01-42', '8 495 555 01 42', '8-495-555-01-42', '84955550142', '74955550142', '495 555 01 42'])('Olga at Moscow by %s', async (query) => {
    const { olga } = sandbox.control.knownIds;
    const found = await call<{ clients: Array<{ id: number }> }>('clients.search', { locationId: olga.locationId, query });
    expect(found.clients.map((c) => c.id)).toContain(olga.clientId);
  });
});

describe('memberships by phone: the same rule, one refusal', () => {
  it.each(['8 (495) 555-01-42', '+7 495 555 01 42', '84955550142'])('Olga’s memberships at Moscow by %s', async (phone) => {
    const { olga, memberships: M } = sandbox.control.knownIds;
    const found = await call<{ memberships: Membership[] }>('memberships.byPhone', { locationId: olga.locationId, phone });
    expect(found.memberships.map((m) => m.id).sort()).toEqual([M.lotusUnited, M.lotusPerService].sort());
  });

  it.each(['12-34', 'Olga', '+7 495 CALL-NOW', '8 495 555 01 42 12 34 56'])('%s is refused as no phone, asking Altegio nothing', async (phone) => {
    const { olga } = sandbox.control.knownIds;
    const before = phoneLookups().length;
    const r = await reply('memberships.byPhone', { locationId: olga.locationId, phone });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ kind: 'validation', origin: 'app', code: 'app.not_a_phone', msg: { key: 'error.app.notAPhone', params: { min: 7, max: 15 } }, fieldMsgs: { phone: { key: 'error.app.notAPhoneField' } } });
    expect(phoneLookups().length).toBe(before);
  });
});

describe('a batch file’s phone column: the same rule at the location', () => {
  it('reads one client’s phone written two ways as one look-up, and a bad phone is a problem with line, column and field', async () => {
    const { olga, memberships: M, chains } = sandbox.control.knownIds;
    const { memberships: numbers } = await call<{ memberships: Membership[] }>('memberships.byPhone', { locationId: olga.locationId, phone: olga.phone });
    const united = numbers.find((m) => m.id === M.lotusUnited)!;
    const perService = numbers.find((m) => m.id === M.lotusPerService)!;
    const csv = `Номер;Телефон;Услуга;Изменение;Причина\r\n${united.number};8 (495) 555-01-42;;+1;fix\r\n${perService.number};+7 495 555 01 42;Хатха-йога;+1;fix\r\n${united.number};8 495 ЗВОНИТЬ;;+1;fix\r\n`;
    const { fileId } = await call<{ fileId: string }>('batch.open', { fileName: 'lotus.csv', bytes: new TextEncoder().encode(csv) });
    const before = phoneLookups().length;
    const check = await call<BatchCheck>('batch.check', { fileId, chainId: chains.lotus, locationId: olga.locationId, lookups: true });
    // Both spellings are 74955550142 at a Russian location: one look-up, both rows found.
    expect(phoneLookups().slice(before)).toHaveLength(1);
    expect(phoneLookups().at(-1)).toContain('phone=74955550142');
    expect(check.lookups).toMatchObject({ state: 'done', phones: 1 });
    expect(check.totals).toMatchObject({ toChange: 2, invalid: 1 });
    expect(check.problems.map((p) => [p.line, p.column, p.columnNumber, p.field, p.msg])).toEqual([
      [4, 'Телефон', 2, 'phone', { key: 'batch.problem.badPhone', params: { value: '8 495 ЗВОНИТЬ', min: 7, max: 15 } }],
    ]);
  });
});
