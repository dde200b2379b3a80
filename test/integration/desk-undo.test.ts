/**
 * The desk's undo of an audit entry against the sandbox over real HTTP, with the real client and a
 * store in a real SQLite file: the undo is the inverse of the journal op the entry records (built by
 * the op kind's `inverse`, as a batch undo builds its ops), run as a one-op job; an entry older than
 * the journal, or whose op is not its own or cannot be decoded, is undone from its snapshots, the op
 * kind's state() deciding whether it still can be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, Chain, Membership } from '../../preload/contract';
import { freezeAvailability } from '../../common/freeze-rules';
import type { AltegioApi } from '../../main/core/altegio/api';
import { createJournal } from '../../main/core/batch/journal';
import { createMembershipService, type MembershipService } from '../../main/core/memberships/service';
import { UNDO_OP_MISMATCH } from '../../main/core/memberships/undo';
import { UNREADABLE_STORED_OP } from '../../main/core/ops';
import { openStore, type Store } from '../../main/core/store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { snap } from '../support/audit-snapshots';
import { failure } from '../support/failures';
import { signedInApi } from '../support/signed-in-api';

/** 10:00 on 6 May in Chicago, for the sandbox and the service alike. */
const NOW = new Date('2026-05-06T15:00:00Z');

let sandbox: Sandbox;
let api: AltegioApi;
let chains: Chain[];
let user: { userId: number; name: string };
let zoneOf: (locationId: number) => string;
let dir: string;
let store: Store;
let svc: MembershipService;

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => NOW, rate: null });
  ({ api, user, chains, zoneOf } = await signedInApi(sandbox));
  dir = mkdtempSync(join(tmpdir(), 'desk-undo-'));
});

afterAll(async () => {
  store?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the service logged: the undo's fallbacks are logged by code. */
const logged: { message: string; details: Record<string, unknown> | undefined }[] = [];
const keep = (message: string, details?: Record<string, unknown>) => void logged.push({ message, details });

let n = 0;
beforeEach(() => {
  logged.length = 0;
  store?.close();
  store = openStore(join(dir, `desk-${++n}.sqlite`));
  svc = createMembershipService({
    api: () => api,
    store,
    user: () => ({ profileId: 'it', ...user }),
    rights: (chainId) => chains.find((c) => c.id === chainId)!.rights,
    timezone: zoneOf,
    log: { info: keep, warn: keep, error: keep },
    now: () => NOW,
  });
  sandbox.control.resetStats();
});

const ids = () => sandbox.control.knownIds;
const writes = () => sandbox.control.stats().writesByAction;
const pilatesOf = (m: Membership) => m.balance.lines.find((l) => l.serviceId === ids().services.pilates)?.count;

/** An audit entry of a freeze the app made before it kept a journal (or another feature wrote): no journal op. */
function oldFreezeEntry(m: Membership, request?: { freezeTill: string }): number {
  const { dana } = ids();
  return store.audit.add({
    userName: user.name,
    userId: user.userId,
    profileId: 'it',
    chainId: dana.chainId,
    locationId: dana.locationId,
    membershipId: m.id,
    membershipNumber: m.number,
    action: 'freeze',
    before: snap({ isFrozen: false, ...(request && { request }) }),
    after: snap({ isFrozen: true }),
    reason: 'before the journal',
    outcome: 'ok',
    message: null,
    batchId: null,
    undoOf: null,
  });
}

describe('undo of a desk set_balance', () => {
  it('sends the inverse of its journal op, once, even when the entry’s snapshots cannot be read', async () => {
    const { dana, memberships, services } = ids();
    const id = memberships.danaPerServiceFreezable;
    const was = pilatesOf(await svc.get(dana.chainId, id))!;
    await svc.setBalance({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, reason: 'dispute', services: [{ serviceId: services.pilates, balance: was + 3 }] });
    const entry = store.audit.list({ membershipId: id }).find((e) => e.action === 'set_balance')!;
    const journal = createJournal(store.db);
    const done = journal.opOfAudit(entry.id);
    expect(done).toMatchObject({ kind: 'set_balance', state: 'applied', membershipId: id });
    // The entry's snapshots lost (an entry written by an older version, a damaged row): the journal
    // op still says what was done.
    store.db.prepare('UPDATE audit SET before_json = NULL, after_json = NULL WHERE id = ?').run(entry.id);
    sandbox.control.resetStats();

    const undone = await svc.undo(entry.id, 'typo');
    expect(pilatesOf(undone.membership)).toBe(was);
    expect(writes()).toMatchObject({ set_balance: 1, freeze: 0, unfreeze: 0, set_period: 0 });
    expect(undone.entry).toMatchObject({ action: 'undo', undoOf: entry.id, outcome: 'ok', reason: 'typo' });
    expect(store.audit.get(entry.id)?.undoneBy).toBe(undone.entry.id);
    // Its own journal op: the kind's inverse of the original (expect and target swapped), pointing at the entry.
    expect(journal.opOfAudit(undone.entry.id)).toMatchObject({ kind: 'set_balance', state: 'applied', sourceAuditId: entry.id, expect: done!.target, target: done!.expect });
  });

  it('is a conflict, with nothing sent or recorded, when the value moved since', async () => {
    const { dana, memberships, services } = ids();
    const id = memberships.danaPerServiceFreezable;
    const was = pilatesOf(await svc.get(dana.chainId, id))!;
    await svc.setBalance({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, reason: 'second', services: [{ serviceId: services.pilates, balance: was + 2 }] });
    const entry = store.audit.list({ membershipId: id }).find((e) => e.action === 'set_balance')!;
    sandbox.control.setBalanceDirect(id, { services: [{ serviceId: services.pilates, balance: was + 1 }] }); // a visit elsewhere
    sandbox.control.resetStats();
    const entries = store.audit.list({}).length;

    const refused = await failure(svc.undo(entry.id));
    expect(refused).toMatchObject({ kind: 'conflict' });
    expect(refused.message).toMatch(new RegExp(`changed since .*Pilates.* is ${was + 1}, this change left ${was + 2}`));
    expect(writes().set_balance).toBe(0);
    expect(store.audit.list({}).length).toBe(entries);
    expect(store.audit.get(entry.id)?.undoneBy).toBeNull();
    sandbox.control.setBalanceDirect(id, { services: [{ serviceId: services.pilates, balance: was }] });
  });
});

describe('undo of a freeze entry older than the journal', () => {
  /** The membership frozen outside the app until its first legal day; that day. */
  async function frozenElsewhere(id: number): Promise<{ m: Membership; till: string }> {
    const { dana } = ids();
    const m = await svc.get(dana.chainId, id);
    const a = freezeAvailability(m, { periodEdit: true }, NOW, zoneOf(dana.locationId));
    if (!a.allowed) throw new Error(`expected freezable: ${a.reason}`);
    await api.freeze(dana.chainId, id, a.firstDate);
    sandbox.control.resetStats();
    return { m, till: a.firstDate };
  }

  const undoOk = async (auditId: number): Promise<AuditEntry> => {
    const { membership, entry } = await svc.undo(auditId);
    expect(membership.isFrozen).toBe(false);
    return entry;
  };

  it('with its date: one unfreeze while frozen until that date; a conflict when the freeze changed since', async () => {
    const { dana, memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const { m, till } = await frozenElsewhere(id);
    const other = oldFreezeEntry(m, { freezeTill: '2026-05-30' });
    const moved = await failure(svc.undo(other));
    expect(moved).toMatchObject({ kind: 'conflict' });
    expect(moved.msg).toMatchObject({ key: 'error.app.undoFreezeChanged', params: { requested: '2026-05-30' } });
    expect(writes().unfreeze).toBe(0);

    const entryId = oldFreezeEntry(m, { freezeTill: till });
    const entry = await undoOk(entryId);
    expect(entry).toMatchObject({ action: 'undo', undoOf: entryId, outcome: 'ok' });
    expect(writes()).toMatchObject({ unfreeze: 1, freeze: 0, set_balance: 0 });
    expect((await svc.get(dana.chainId, id)).isFrozen).toBe(false);
  });

  it('without its date: one unfreeze while frozen at all; a conflict once it is no longer frozen', async () => {
    const { memberships } = ids();
    const id = memberships.danaUnitedWeeks;
    const { m } = await frozenElsewhere(id);
    const entryId = oldFreezeEntry(m);
    await undoOk(entryId);
    expect(writes()).toMatchObject({ unfreeze: 1, freeze: 0 });

    const again = oldFreezeEntry(m);
    sandbox.control.resetStats();
    const refused = await failure(svc.undo(again));
    expect(refused).toMatchObject({ kind: 'conflict', msg: { key: 'error.app.undoNotFrozen' } });
    expect(writes().unfreeze).toBe(0);
    expect(store.audit.get(again)?.undoneBy).toBeNull();
  });
});

describe('undo of a desk freeze whose journal op cannot be trusted: from the entry’s snapshots', () => {
  // A failed case leaves nothing frozen for the next one.
  afterEach(async () => {
    const { dana, memberships } = ids();
    for (const id of [memberships.danaUnitedWeeks, memberships.danaPerServiceFreezable]) {
      if ((await svc.get(dana.chainId, id)).isFrozen) await api.unfreeze(dana.chainId, id);
    }
  });

  /** A desk freeze of the membership until its first (or last) legal day; that day and the entry. */
  async function deskFreeze(id: number, day: 'first' | 'last'): Promise<{ till: string; entryId: number }> {
    const { dana } = ids();
    const a = freezeAvailability(await svc.get(dana.chainId, id), { periodEdit: true }, NOW, zoneOf(dana.locationId));
    if (!a.allowed) throw new Error(`expected freezable: ${a.reason}`);
    const till = day === 'first' ? a.firstDate : a.lastDate;
    const { auditId } = await svc.freeze({ chainId: dana.chainId, locationId: dana.locationId, membershipId: id, freezeTill: till, reason: 'trip' });
    return { till, entryId: auditId };
  }

  it.each([
    ['no JSON', '{"freezeTill": "2026-05-'],
    ['JSON of another shape', '{"freezeTill":"soon","timezone":""}'],
  ])('a stored body that is %s: one unfreeze, the undo’s op built from the snapshots, logged by code', async (_what, damaged) => {
    const id = ids().memberships.danaUnitedWeeks;
    const { till, entryId } = await deskFreeze(id, 'first');
    const journal = createJournal(store.db);
    expect(journal.opOfAudit(entryId)).toMatchObject({ kind: 'freeze', membershipId: id, body: { freezeTill: till } });
    store.db.prepare('UPDATE batch_ops SET body_json = ? WHERE audit_id = ?').run(damaged, entryId);
    sandbox.control.resetStats();

    const { membership, entry } = await svc.undo(entryId);
    expect(membership.isFrozen).toBe(false);
    expect(writes()).toMatchObject({ unfreeze: 1, freeze: 0, set_balance: 0, set_period: 0 });
    expect(entry).toMatchObject({ action: 'undo', undoOf: entryId, outcome: 'ok' });
    expect(store.audit.get(entryId)?.undoneBy).toBe(entry.id);
    // The unfreeze of the date the entry's snapshot says the freeze asked for.
    expect(journal.opOfAudit(entry.id)).toMatchObject({ kind: 'unfreeze', state: 'applied', sourceAuditId: entryId, body: { freezeTill: till } });
    expect(logged).toContainEqual(expect.objectContaining({ details: { auditId: entryId, code: UNREADABLE_STORED_OP, kind: 'freeze' } }));
  });

  it('an op of another membership under the entry’s id: the entry’s own freeze is undone, the other left alone', async () => {
    const { dana, memberships } = ids();
    const mine = memberships.danaUnitedWeeks;
    const other = memberships.danaPerServiceFreezable;
    const { till, entryId } = await deskFreeze(mine, 'first');
    const theirs = await deskFreeze(other, 'last');
    expect(theirs.till).not.toBe(till);
    // The journal's op for the entry is now the other membership's (matched on audit_id alone).
    store.db.prepare('UPDATE batch_ops SET audit_id = NULL WHERE audit_id = ?').run(entryId);
    store.db.prepare('UPDATE batch_ops SET audit_id = ? WHERE audit_id = ?').run(entryId, theirs.entryId);
    expect(createJournal(store.db).opOfAudit(entryId)).toMatchObject({ kind: 'freeze', membershipId: other, body: { freezeTill: theirs.till } });
    sandbox.control.resetStats();

    const { membership, entry } = await svc.undo(entryId);
    expect(membership).toMatchObject({ id: mine, isFrozen: false });
    expect(writes()).toMatchObject({ unfreeze: 1, freeze: 0, set_balance: 0, set_period: 0 });
    expect(entry).toMatchObject({ action: 'undo', undoOf: entryId, membershipId: mine, outcome: 'ok' });
    expect((await svc.get(dana.chainId, other)).isFrozen).toBe(true);
    expect(logged).toContainEqual(expect.objectContaining({ details: { auditId: entryId, code: UNDO_OP_MISMATCH, differs: ['membership'] } }));
  });
});
