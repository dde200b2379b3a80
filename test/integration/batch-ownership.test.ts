/**
 * Found in review (probes turned into tests): a running batch must not carry on under another
 * user who signs in on the same PC, and a refused undo must leave nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { applyCheck, checkText, createHarness, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';

let sandbox: Sandbox | undefined;
let core: Core | undefined;
let harness: Harness | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await harness?.close();
  await core?.close();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  sandbox = core = harness = dataDir = undefined;
});

async function call<T = unknown>(c: Core, channel: string, args: unknown): Promise<T> {
  const reply = await dispatch(c.handlers, channel, args);
  if (!reply.ok) throw new Error(`${channel}: ${JSON.stringify(reply.error)}`);
  return reply.value as T;
}

describe('batch ownership', () => {
  it('a running batch pauses when someone else signs in; nothing is written under their token', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 120 });
    dataDir = mkdtempSync(join(tmpdir(), 'desk-own-'));
    core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore(), apiBase: sandbox.url, rate: { perSecond: 20, perMinute: 1200 } });
    const c = core;
    const [alex, priya] = sandbox.users;
    const { chains, locations, extra } = sandbox.control.knownIds;
    await call(c, 'settings.setPartnerToken', { token: sandbox.partnerToken });
    await call(c, 'session.signIn', { login: alex!.login, password: alex!.password });
    await call(c, 'session.selectLocation', { chainId: chains.northside, locationId: locations.chicago });
    const united = (await c.session.api().membershipsByIds(chains.northside, extra.slice(0, 100))).filter((m) => m.balance.kind === 'united');
    const csv = 'membership_id;delta;reason\r\n' + united.map((m) => `${m.id};+1;ownership`).join('\r\n') + '\r\n';
    // Through the contract as the shells call it: the bytes as a Uint8Array, then a check of them.
    const { fileId } = await call<{ fileId: string }>(c, 'batch.open', { fileName: 'own.csv', bytes: new TextEncoder().encode(csv) });
    const checked = await call<{ checkId: string }>(c, 'batch.check', { fileId, chainId: chains.northside, locationId: locations.chicago });
    sandbox.control.resetStats();
    const prep = await call<{ batchId: string }>(c, 'batch.apply', { checkId: checked.checkId });
    const box = sandbox;
    const stateOf = async (batchId: string): Promise<string | undefined> =>
      (await call<{ batches: Array<{ batchId: string; state: string }> }>(c, 'batch.list', {})).batches.find((b) => b.batchId === batchId)?.state;
    // Let a few rows go out (observed at the sandbox), then Priya signs in on the same PC.
    await vi.waitFor(() => expect(box.control.stats().writesByAction.set_balance, 'the batch never wrote its first 3 rows').toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 5 });
    await call(c, 'session.signIn', { login: priya!.login, password: priya!.password });
    const writesAtSwitch = sandbox.control.stats().writesByAction.set_balance;
    await vi.waitFor(async () => expect(await stateOf(prep.batchId), 'the batch did not pause when Priya signed in').toBe('paused'), { timeout: 20_000, interval: 20 });
    // Resuming is for the batch's owner only.
    const refused = await dispatch(c.handlers, 'batch.resume', { batchId: prep.batchId });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'forbidden', msg: { key: 'error.app.batchOtherUser', params: { user: alex!.name } } } });
    // At most the requests already under way when she signed in (they carry Alex's token).
    expect(sandbox.control.stats().writesByAction.set_balance).toBeLessThanOrEqual(writesAtSwitch + 8);
    const audit = c.store.audit.list({ limit: 5000 }).filter((e) => e.batchId === prep.batchId);
    expect(audit.filter((e) => e.outcome === 'failed')).toEqual([]);

    // Alex back: the batch carries on and finishes, every row once, all in his name.
    const alexProfile = c.session.snapshot().profiles.find((p) => p.login === alex!.login)!;
    await call(c, 'session.switchProfile', { profileId: alexProfile.id });
    await call(c, 'batch.resume', { batchId: prep.batchId });
    await vi.waitFor(async () => expect(await stateOf(prep.batchId), 'the resumed batch never finished').toBe('done'), { timeout: 40_000, interval: 20 });
    const stats = sandbox.control.stats();
    expect(united.every((m) => stats.writes[m.id] === 1)).toBe(true);
    const final = c.store.audit.list({ limit: 5000 }).filter((e) => e.batchId === prep.batchId);
    expect(final).toHaveLength(united.length);
    expect(new Set(final.map((e) => e.userName))).toEqual(new Set([alexProfile.name]));
  }, 90_000);

  it('undo refused because another batch runs leaves the original undoable', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 200 });
    harness = await createHarness(sandbox, { limiter: { perSecond: 10, perMinute: 600 } });
    const h = harness;
    const { chains, locations, extra } = sandbox.control.knownIds;
    const united = (await h.api.membershipsByIds(chains.northside, extra)).filter((m) => m.balance.kind === 'united');
    const csvFor = (list: typeof united) => 'membership_id;delta;reason\r\n' + list.map((m) => `${m.id};+1;x`).join('\r\n') + '\r\n';
    const run = async (list: typeof united, name: string) =>
      applyCheck(h.svc, await checkText(h.svc, { chainId: chains.northside, locationId: locations.chicago }, csvFor(list), { fileName: name, lookups: true }));

    const small = await run(united.slice(0, 2), 'small.csv');
    await expect(settledBatch(h, small.batchId)).resolves.toBe('done');
    const big = await run(united.slice(2, 80), 'big.csv');
    await expect(h.svc.undo({ batchId: small.batchId })).rejects.toMatchObject({ kind: 'conflict' });
    expect(h.svc.journal.job(small.batchId)?.undoneBy).toBeNull();

    await h.svc.pause({ batchId: big.batchId });
    await expect(settledBatch(h, big.batchId)).resolves.toBe('paused');
    const undo = await h.svc.undo({ batchId: small.batchId });
    await expect(settledBatch(h, undo.batchId)).resolves.toBe('done');
    expect(h.svc.journal.job(small.batchId)?.undoneBy).toBe(undo.batchId);
  });
});
