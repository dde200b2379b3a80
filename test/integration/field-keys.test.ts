/**
 * Issue 10 item 6 through the whole core: a field-level refusal from the sandbox, keyed as Altegio
 * keys its request (`[services_balance_count][1][balance]`, `[freeze_till]`), reaches the contract
 * (dispatch's reply) under the key the dialog shows beside its field — `services.<serviceId>`,
 * `freezeTill` — with Altegio's own words; a key of no field of ours stays in the general message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeskError, Membership } from '../../preload/contract';
import { createCore, type Core } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';

let sandbox: Sandbox;
let core: Core;
let dataDir: string;

async function call<T>(channel: string, args: unknown): Promise<T> {
  const reply = await dispatch(core.handlers, channel, args);
  if (!reply.ok) throw new Error(`${channel}: ${JSON.stringify(reply.error)}`);
  return reply.value as T;
}

async function refused(channel: string, args: unknown): Promise<DeskError> {
  const reply = await dispatch(core.handlers, channel, args);
  if (reply.ok) throw new Error(`${channel} was not refused`);
  return reply.error;
}

beforeAll(async () => {
  sandbox = await startSandbox({ rate: null });
  dataDir = mkdtempSync(join(tmpdir(), 'desk-field-keys-'));
  core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore(), apiBase: sandbox.url, rate: { perSecond: 50, perMinute: 3000 } });
  const owner = sandbox.users[0]!;
  await call('settings.setPartnerToken', { token: sandbox.partnerToken });
  await call('session.signIn', { login: owner.email, password: owner.password });
}, 60_000);

afterAll(async () => {
  await core?.close();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  sandbox.control.refuseWrites([]);
  sandbox.control.resetStats();
});

const ids = () => sandbox.control.knownIds;

describe("Altegio's field-level refusal reaches the contract under our field keys", () => {
  it('a balance refused for the second service sent is beside that service (services.<id>), not the first, nor lost', async () => {
    const { chains, locations, services, memberships } = ids();
    await call('session.selectLocation', { chainId: chains.lotus, locationId: locations.moscowArbat });
    const at = { chainId: chains.lotus, locationId: locations.moscowArbat, membershipId: memberships.lotusPerService };
    const before = await call<Membership>('memberships.get', { chainId: at.chainId, membershipId: at.membershipId });
    const count = (m: Membership, id: number) => m.balance.lines.find((l) => l.serviceId === id)?.count;
    const words = 'The balance may not exceed the number of visits sold.';
    sandbox.control.refuseWrites([{ action: 'set_balance', membershipId: at.membershipId, serviceId: services.meditation, words }]);

    const error = await refused('memberships.setBalance', {
      ...at,
      reason: 'field keys',
      services: [
        { serviceId: services.hatha, balance: count(before, services.hatha)! + 1 },
        { serviceId: services.meditation, balance: count(before, services.meditation)! + 1 },
      ],
    });
    expect(error).toMatchObject({ kind: 'validation', origin: 'altegio', code: 'altegio.validation', message: words, messageIsServers: true, serverMessage: 'An error occurred' });
    expect(error.fields).toEqual({ [`services.${services.meditation}`]: words });
    expect(sandbox.control.stats().writesByAction.set_balance).toBe(0);
    const after = await call<Membership>('memberships.get', { chainId: at.chainId, membershipId: at.membershipId });
    expect(after.balance).toEqual(before.balance);
  }, 30_000);

  it('a freeze refused on its date is beside the freeze dialog’s date (freezeTill)', async () => {
    const { dana, memberships } = ids();
    await call('session.selectLocation', { chainId: dana.chainId, locationId: dana.locationId });
    const words = 'The freeze may not end on a public holiday.';
    sandbox.control.refuseWrites([{ action: 'freeze', field: '[freeze_till]', message: 'Freeze date is not allowed', words }]);
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/Chicago' });
    const error = await refused('memberships.freeze', { chainId: dana.chainId, locationId: dana.locationId, membershipId: memberships.danaPerServiceFreezable, freezeTill: tomorrow });
    expect(error).toMatchObject({ kind: 'validation', origin: 'altegio', message: 'Freeze date is not allowed', fields: { freezeTill: words } });
    expect(Object.keys(error.fields ?? {})).toEqual(['freezeTill']);
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
  }, 30_000);

  it('a freeze refused on its end and on its length: both sentences beside the date, one a line, nothing general', async () => {
    const { dana, memberships } = ids();
    await call('session.selectLocation', { chainId: dana.chainId, locationId: dana.locationId });
    sandbox.control.refuseWrites([
      { action: 'freeze', field: '[freeze_till]', words: 'Date is after the limit' },
      { action: 'freeze', field: '[freeze_period]', words: 'Freeze period exceeds 30 days' },
    ]);
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/Chicago' });
    const error = await refused('memberships.freeze', { chainId: dana.chainId, locationId: dana.locationId, membershipId: memberships.danaPerServiceFreezable, freezeTill: tomorrow });
    expect(error).toMatchObject({ kind: 'validation', origin: 'altegio', fields: { freezeTill: 'Date is after the limit\nFreeze period exceeds 30 days' } });
    expect(Object.keys(error.fields ?? {})).toEqual(['freezeTill']);
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
  }, 30_000);

  it('a key of no field of ours stays in the general message, under _ (never beside a service)', async () => {
    const { dana, memberships } = ids();
    await call('session.selectLocation', { chainId: dana.chainId, locationId: dana.locationId });
    const words = 'The membership is being transferred to another client.';
    sandbox.control.refuseWrites([{ action: 'set_balance', field: '[abonement][transfer]', words }]);
    const m = await call<Membership>('memberships.get', { chainId: dana.chainId, membershipId: memberships.danaUnitedWeeks });
    if (m.balance.kind !== 'united') throw new Error('a united balance expected');
    const error = await refused('memberships.setBalance', { chainId: dana.chainId, locationId: dana.locationId, membershipId: m.id, reason: 'field keys', united: m.balance.count + 1 });
    expect(error).toMatchObject({ kind: 'validation', origin: 'altegio', message: words, fields: { _: words } });
    expect(Object.keys(error.fields ?? {})).toEqual(['_']);
  }, 30_000);
});
