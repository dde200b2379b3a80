import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, BalanceTarget, ClientSummary, Membership, Rights } from '../../preload/contract';
import type { AltegioApi } from '../../main/core/altegio/api';
import { DeskFailure } from '../../main/core/errors';
import { createMembershipService, type MembershipService } from '../../main/core/memberships/service';
import { openStore, type Store } from '../../main/core/store';
import type { AuditFilterQuery, AuditRepo, NewAuditEntry } from '../../main/core/store/types';
import { exampleMembership } from '../support/memberships';
import { snap } from '../support/audit-snapshots';

// ---------------------------------------------------------------------------------------------
// Fakes

/** The real audit log of an in-memory store, with its entries in id order (and methods a test may replace). */
class MemoryAudit implements AuditRepo {
  readonly store: Store = openStore(':memory:');
  private readonly real: AuditRepo = this.store.audit;
  get entries(): AuditEntry[] {
    return this.real.list({ limit: 1000 } as AuditFilterQuery).sort((a, b) => a.id - b.id);
  }
  add(e: NewAuditEntry): number {
    return this.real.add(e);
  }
  finish(id: number, outcome: AuditEntry['outcome'], after: AuditEntry['after'], message: string | null): void {
    this.real.finish(id, outcome, after, message);
  }
  markUndone(id: number, undoneBy: number): void {
    this.real.markUndone(id, undoneBy);
  }
  get(id: number): AuditEntry | null {
    return this.real.get(id);
  }
  latestFreezeWord(chainId: number, membershipId: number): { entry: AuditEntry; lifted: boolean } | null {
    return this.real.latestFreezeWord(chainId, membershipId);
  }
  markLifted(chainId: number, membershipId: number, upToId: number, at: string): void {
    this.real.markLifted(chainId, membershipId, upToId, at);
  }
  list(filter: AuditFilterQuery): AuditEntry[] {
    return this.real.list(filter);
  }
  lastId(): number {
    return this.real.lastId();
  }
  clientName(chainId: number, membershipId: number, profileId: string): string | null {
    return this.real.clientName(chainId, membershipId, profileId);
  }
}

const CHAIN = 70114;
const LOC = 512330;
const NOW = new Date('2026-05-06T15:00:00Z'); // 10:00 in Chicago

function makeMembership(over: Partial<Membership> = {}): Membership {
  return exampleMembership({
    chainId: CHAIN,
    balance: {
      kind: 'per_service',
      lines: [
        { serviceId: 101, title: 'Pilates group', isCategory: false, count: 7, unlimited: false },
        { serviceId: 202, title: 'Yoga', isCategory: true, count: 2, unlimited: false },
      ],
    },
    ...over,
  });
}

/** A tiny Altegio: applies writes to its memberships, logs every call, can be told to fail. */
class FakeApi implements AltegioApi {
  memberships = new Map<number, Membership>();
  calls: string[] = [];
  failNext: { op: string; error: Error; apply?: boolean } | null = null;
  /** Runs inside a write, to check what the audit log held at that moment. */
  onWrite: (() => void) | null = null;
  clients = new Map<number, ClientSummary>();

  private maybeFail(op: string, apply: () => void): void {
    this.onWrite?.();
    const f = this.failNext;
    if (f && f.op === op) {
      this.failNext = null;
      if (f.apply) apply();
      throw f.error;
    }
    apply();
  }
  private m(id: number): Membership {
    const m = this.memberships.get(id);
    if (!m) throw DeskFailure.fromServer('not_found', 'Membership not found');
    return m;
  }

  async auth(): Promise<never> {
    throw new Error('not used');
  }
  async chains(): Promise<never> {
    throw new Error('not used');
  }
  async searchClients(): Promise<never> {
    throw new Error('not used');
  }
  async client(_loc: number, clientId: number): Promise<ClientSummary> {
    this.calls.push(`client ${clientId}`);
    const c = this.clients.get(clientId);
    if (!c) throw DeskFailure.fromServer('not_found', 'Client not found');
    return c;
  }
  async membershipsByPhone(_loc: number, phone: string): Promise<Membership[]> {
    this.calls.push(`byPhone ${phone}`);
    return [...this.memberships.values()];
  }
  async membershipsCreated(): Promise<never> {
    throw new Error('not used in these tests');
  }

  async membershipsByIds(_chain: number, ids: readonly number[]): Promise<Membership[]> {
    this.calls.push(`read ${ids.join(',')}`);
    if (this.failNext?.op === 'read') {
      const e = this.failNext.error;
      this.failNext = null;
      throw e;
    }
    return ids.flatMap((id) => {
      const m = this.memberships.get(id);
      return m ? [structuredClone(m)] : [];
    });
  }
  async freeze(_chain: number, id: number, freezeTill: string): Promise<void> {
    this.calls.push(`freeze ${id} ${freezeTill}`);
    this.maybeFail('freeze', () => {
      const m = this.m(id);
      const days = Math.round((Date.parse(freezeTill) - Date.parse('2026-05-06')) / 86_400_000);
      m.isFrozen = true;
      m.freezeTill = `${freezeTill}T23:59:59-05:00`;
      m.freezePeriodDays += days;
      if (m.expirationDate) m.expirationDate = new Date(Date.parse(m.expirationDate) + days * 86_400_000).toISOString();
    });
  }
  async unfreeze(_chain: number, id: number): Promise<void> {
    this.calls.push(`unfreeze ${id}`);
    this.maybeFail('unfreeze', () => {
      const m = this.m(id);
      if (!m.isFrozen) throw DeskFailure.fromServer('validation', 'Subscription is not frozen');
      m.isFrozen = false;
      m.freezeTill = null;
    });
  }
  async setBalance(_chain: number, id: number, body: BalanceTarget): Promise<void> {
    this.calls.push(`set_balance ${id} ${JSON.stringify(body)}`);
    this.maybeFail('set_balance', () => this.applyBalance(id, body));
  }
  async setPeriod(): Promise<void> {
    throw new Error('not used in these tests');
  }
  applyBalance(id: number, body: BalanceTarget): void {
    const m = this.m(id);
    if ('united' in body && m.balance.kind === 'united') m.balance.count = body.united;
    for (const s of 'services' in body ? body.services : []) {
      const line = m.balance.lines.find((l) => l.serviceId === s.serviceId);
      if (!line) throw DeskFailure.fromServer('validation', 'Invalid service ID');
      line.count = s.balance;
    }
  }
}

/** A real in-memory store (the journal of the desk's one-op jobs) with the audit log above. */
function withAudit(a: MemoryAudit): Store {
  return { ...a.store, audit: a } as Store;
}

const allRights: Rights = { loyalty: true, periodEdit: true, balanceEdit: true, history: true };

let api: FakeApi;
let audit: MemoryAudit;
let rights: Rights;
let svc: MembershipService;

beforeEach(() => {
  api = new FakeApi();
  audit = new MemoryAudit();
  rights = { ...allRights };
  api.memberships.set(4471902, makeMembership());
  svc = createMembershipService({
    api: () => api,
    store: withAudit(audit),
    user: () => ({ profileId: 'p1', userId: 77, name: 'Dana Admin' }),
    rights: () => rights,
    timezone: () => 'America/Chicago',
    now: () => NOW,
  });
});

const FREEZE = { chainId: CHAIN, locationId: LOC, membershipId: 4471902, freezeTill: '2026-05-16', reason: 'travelling' };

// ---------------------------------------------------------------------------------------------

describe('look-ups', () => {
  it('get: not found is a not_found failure', async () => {
    await expect(svc.get(CHAIN, 1)).rejects.toMatchObject({ kind: 'not_found' });
    expect((await svc.get(CHAIN, 4471902)).number).toBe('500731');
  });

  it('forClient: reads the client then looks up by phone', async () => {
    api.clients.set(5, { id: 5, name: 'Dana', phone: '+15125550142', card: null });
    const r = await svc.forClient(LOC, 5);
    expect(r.noPhone).toBe(false);
    expect(r.memberships).toHaveLength(1);
    expect(api.calls).toEqual(['client 5', 'byPhone +15125550142']);
  });

  it('forClient: a client without a phone gets no memberships and the flag', async () => {
    api.clients.set(6, { id: 6, name: 'Walk-in', phone: null, card: null });
    const r = await svc.forClient(LOC, 6);
    expect(r).toMatchObject({ noPhone: true, memberships: [] });
    expect(api.calls).toEqual(['client 6']);
  });

  it.each(['12-34', '+1 512 555 0142 ext 3', 'ask at the desk'])('forClient: a phone in Altegio that is no phone by the rule (%s) is no phone: no look-up', async (phone) => {
    api.clients.set(7, { id: 7, name: 'Odd', phone, card: null });
    expect(await svc.forClient(LOC, 7)).toMatchObject({ noPhone: true, memberships: [] });
    expect(api.calls).toEqual(['client 7']);
  });

  it.each([
    ['America/Chicago', '(512) 555-0142', '15125550142'],
    ['America/Chicago', '+1 512 555 0142', '15125550142'],
    ['Europe/Moscow', '8 999 123 45 67', '79991234567'],
    ['Europe/Moscow', '+7 (999) 123-45-67', '79991234567'],
    ['America/Sao_Paulo', '+55 11 91234-5678', '5511912345678'],
    ['Europe/Madrid', '+34 612 34 56 78', '34612345678'],
  ])('byPhone at %s reads %s as the location writes it (%s)', async (zone, typed, digits) => {
    const at = createMembershipService({ api: () => api, store: withAudit(audit), user: () => ({ profileId: 'p1', userId: 77, name: 'Dana Admin' }), rights: () => rights, timezone: () => zone, now: () => NOW });
    await at.byPhone(LOC, typed);
    expect(api.calls).toEqual([`byPhone ${digits}`]);
  });

  it.each(['555-01', 'Dana', '+7 999 CALL-NOW', '1234567890123456'])('byPhone refuses %s with the one not-a-phone failure (as the API layer does), asking nothing', async (typed) => {
    const refused = { kind: 'validation', code: 'app.not_a_phone', origin: 'app', msg: { key: 'error.app.notAPhone', params: { min: 7, max: 15 } }, fieldMsgs: { phone: { key: 'error.app.notAPhoneField' } } };
    await expect(svc.byPhone(LOC, typed)).rejects.toMatchObject(refused);
    expect(api.calls).toEqual([]);
  });
});

describe('freeze', () => {
  it('records the intent before the request, then the outcome and the after-snapshot', async () => {
    let atRequest: AuditEntry[] = [];
    api.onWrite = () => {
      atRequest = structuredClone(audit.entries);
    };
    const { membership: m, auditId } = await svc.freeze(FREEZE);
    expect(m.isFrozen).toBe(true);
    expect(api.calls).toEqual(['read 4471902', 'freeze 4471902 2026-05-16', 'read 4471902']);

    expect(atRequest).toHaveLength(1);
    expect(atRequest[0]).toMatchObject({ action: 'freeze', outcome: 'unknown', after: null, userName: 'Dana Admin', userId: 77, profileId: 'p1', locationId: LOC, membershipNumber: '500731', reason: 'travelling' });
    expect(atRequest[0]!.before).toMatchObject({ isFrozen: false, freezePeriodDays: 0, request: { freezeTill: '2026-05-16' }, services: { '101': 7, '202': 2 } });

    const done = audit.entries[0]!;
    expect(auditId).toBe(done.id); // the write names the entry it made
    expect(done.outcome).toBe('ok');
    expect(done.after).toMatchObject({ isFrozen: true, freezePeriodDays: 10 });
  });

  it('a full disk when recording the outcome: a storage failure that says the freeze WAS made (so nobody repeats it)', async () => {
    audit.finish = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const e = await svc.freeze(FREEZE).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DeskFailure);
    expect(e).toMatchObject({ kind: 'storage', message: expect.stringMatching(/^Frozen until .* in Altegio: do not do it again\. .*disk is full/) });
    expect(api.calls).toEqual(['read 4471902', 'freeze 4471902 2026-05-16', 'read 4471902']);
  });

  it('a full disk before anything is sent: a storage failure, nothing sent', async () => {
    audit.add = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    await expect(svc.freeze(FREEZE)).rejects.toMatchObject({ kind: 'storage', message: expect.stringMatching(/disk is full/) });
    expect(api.calls).toEqual(['read 4471902']);
  });

  it('refuses an illegal date locally (validation on freezeTill) and sends nothing', async () => {
    for (const freezeTill of ['2026-05-06', '2026-05-21', '2026-02-30']) {
      const err = await svc.freeze({ ...FREEZE, freezeTill }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeskFailure);
      expect(err).toMatchObject({ kind: 'validation' });
      expect((err as DeskFailure).fields?.freezeTill).toBeTruthy();
    }
    expect(api.calls.filter((c) => c.startsWith('freeze'))).toEqual([]);
    expect(audit.entries).toEqual([]);
  });

  it('re-reads before checking: a freeze made elsewhere meanwhile is caught locally', async () => {
    api.memberships.get(4471902)!.isFrozen = true;
    await expect(svc.freeze(FREEZE)).rejects.toMatchObject({ kind: 'validation', message: 'Already frozen (until it is unfrozen).' });
  });

  it('without the right: forbidden, nothing sent', async () => {
    rights.periodEdit = false;
    await expect(svc.freeze(FREEZE)).rejects.toMatchObject({ kind: 'forbidden' });
    expect(audit.entries).toEqual([]);
  });

  it('an API refusal is re-thrown and recorded as failed', async () => {
    api.failNext = { op: 'freeze', error: DeskFailure.fromServer('validation', 'Freeze period exceeds limit') };
    await expect(svc.freeze(FREEZE)).rejects.toMatchObject({ kind: 'validation', message: 'Freeze period exceeds limit' });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ action: 'freeze', outcome: 'failed', message: 'Freeze period exceeds limit' });
  });

  it('a refusal that only says the change is already there (a timed-out first try landed late) is recorded ok', async () => {
    api.failNext = { op: 'freeze', error: DeskFailure.fromServer('validation', 'Subscription is already frozen'), apply: true };
    const { membership: m } = await svc.freeze(FREEZE);
    expect(m.isFrozen).toBe(true);
    expect(audit.entries[0]).toMatchObject({ action: 'freeze', outcome: 'ok' });
  });

  it('a lost answer: re-reads and records ok when the freeze did happen', async () => {
    api.failNext = { op: 'freeze', error: DeskFailure.fromServer('offline', 'No connection'), apply: true };
    const { membership: m, auditId } = await svc.freeze(FREEZE);
    expect(m.isFrozen).toBe(true);
    expect(audit.entries[0]).toMatchObject({ id: auditId, outcome: 'ok' });
    expect(audit.entries[0]!.message).toContain('re-reading shows the change was applied');
  });

  it('a failed send the re-read shows did not land is sent again (once read): one 5xx, then done', async () => {
    api.failNext = { op: 'freeze', error: DeskFailure.fromServer('server', 'Altegio did not answer') };
    const { membership: m } = await svc.freeze(FREEZE);
    expect(m.isFrozen).toBe(true);
    expect(api.calls).toEqual(['read 4471902', 'freeze 4471902 2026-05-16', 'read 4471902', 'freeze 4471902 2026-05-16', 'read 4471902']);
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ outcome: 'ok' });
  });

  it('a lost answer: failed when the re-reads keep showing no freeze, unknown when even the re-read fails', async () => {
    const refuse = api.freeze.bind(api);
    api.freeze = async (chain, id, till) => {
      api.failNext = { op: 'freeze', error: DeskFailure.fromServer('server', 'Altegio did not answer') };
      return refuse(chain, id, till);
    };
    await expect(svc.freeze(FREEZE)).rejects.toMatchObject({ kind: 'server' });
    expect(api.calls.filter((c) => c.startsWith('freeze'))).toHaveLength(3);
    expect(audit.entries[0]).toMatchObject({ outcome: 'failed' });

    const flaky = new FakeApi();
    flaky.memberships.set(4471902, makeMembership());
    const timeout = DeskFailure.fromServer('offline', 'No connection');
    flaky.freeze = async () => {
      flaky.failNext = { op: 'read', error: timeout };
      throw timeout;
    };
    const svc2 = createMembershipService({ api: () => flaky, store: withAudit(audit), user: () => ({ profileId: 'p', userId: 1, name: 'X' }), rights: () => rights, timezone: () => 'America/Chicago', now: () => NOW });
    await expect(svc2.freeze(FREEZE)).rejects.toMatchObject({ kind: 'offline' });
    expect(audit.entries[1]).toMatchObject({ outcome: 'unknown' });
  });
});

describe('unfreeze', () => {
  it('unfreezes and records what stays', async () => {
    const frozen = await svc.freeze(FREEZE);
    const { membership: m, auditId } = await svc.unfreeze({ chainId: CHAIN, locationId: LOC, membershipId: 4471902, reason: 'back early' });
    expect(m.isFrozen).toBe(false);
    const e = audit.entries[1]!;
    expect([frozen.auditId, auditId]).toEqual([audit.entries[0]!.id, e.id]);
    expect(e).toMatchObject({ action: 'unfreeze', outcome: 'ok', reason: 'back early', before: expect.objectContaining({ isFrozen: true }), after: expect.objectContaining({ isFrozen: false }) });
    expect(e.message).toContain('extension already earned');
  });

  it('not frozen: validation, nothing sent', async () => {
    await expect(svc.unfreeze({ chainId: CHAIN, locationId: LOC, membershipId: 4471902 })).rejects.toMatchObject({ kind: 'validation' });
    expect(api.calls).toEqual(['read 4471902']);
  });
});

describe('setBalance', () => {
  const base = { chainId: CHAIN, locationId: LOC, membershipId: 4471902, reason: 'dispute' };

  it('sends only the changed lines, re-reads, and records before/after', async () => {
    const { membership: m } = await svc.setBalance({ ...base, services: [{ serviceId: 101, balance: 7 }, { serviceId: 202, balance: 5 }] });
    expect(api.calls).toEqual(['read 4471902', 'set_balance 4471902 {"services":[{"serviceId":202,"balance":5}]}', 'read 4471902']);
    expect(m.balance.lines.find((l) => l.serviceId === 202)?.count).toBe(5);
    expect(audit.entries[0]).toMatchObject({
      action: 'set_balance',
      outcome: 'ok',
      reason: 'dispute',
      before: expect.objectContaining({ services: { '101': 7, '202': 2 }, request: { services: { '202': 5 } } }),
      after: expect.objectContaining({ services: { '101': 7, '202': 5 } }),
    });
    // Titles travel with the ids, for the audit screen.
    const titles = (audit.entries[0]!.before as { serviceTitles?: Record<string, string> }).serviceTitles;
    expect(Object.keys(titles ?? {}).sort()).toEqual(['101', '202']);
  });

  it('validates: reason, unknown service, nothing changed, type prohibits, no right', async () => {
    await expect(svc.setBalance({ ...base, reason: '  ', services: [{ serviceId: 202, balance: 5 }] })).rejects.toMatchObject({ kind: 'validation', fields: { reason: expect.any(String) } });
    await expect(svc.setBalance({ ...base, services: [{ serviceId: 999, balance: 5 }] })).rejects.toMatchObject({ kind: 'validation', fields: { 'services.999': expect.any(String) } });
    await expect(svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 2 }] })).rejects.toMatchObject({ kind: 'validation', message: expect.stringContaining('Nothing to change') });
    await expect(svc.setBalance({ ...base, united: 3 })).rejects.toMatchObject({ kind: 'validation' });
    rights.balanceEdit = false;
    await expect(svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] })).rejects.toMatchObject({ kind: 'forbidden' });
    rights.balanceEdit = true;
    api.memberships.get(4471902)!.type.balanceEditType = 0;
    await expect(svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] })).rejects.toMatchObject({ kind: 'validation', message: 'This membership type does not allow balance changes.' });
    expect(api.calls.some((c) => c.startsWith('set_balance'))).toBe(false);
    expect(audit.entries).toEqual([]);
  });

  it('refusal recorded as failed', async () => {
    api.failNext = { op: 'set_balance', error: DeskFailure.fromServer('validation', "Can't change balance") };
    await expect(svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] })).rejects.toMatchObject({ message: "Can't change balance" });
    expect(audit.entries[0]).toMatchObject({ outcome: 'failed', message: "Can't change balance" });
  });

  it('united balance', async () => {
    api.memberships.set(9, makeMembership({ id: 9, number: '9', balance: { kind: 'united', count: 4, unlimited: false, lines: [] } }));
    const { membership: m } = await svc.setBalance({ ...base, membershipId: 9, united: 10 });
    expect(m.balance).toMatchObject({ kind: 'united', count: 10 });
    expect(audit.entries[0]!.before).toMatchObject({ united: 4, request: { united: 10 } });
  });
});

describe('undo', () => {
  const base = { chainId: CHAIN, locationId: LOC, membershipId: 4471902, reason: 'dispute' };

  it('restores the previous absolute values and links both entries', async () => {
    await svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] });
    const { membership, entry } = await svc.undo(1, 'typo');
    expect(membership.balance.lines.find((l) => l.serviceId === 202)?.count).toBe(2);
    expect(api.calls.at(-2)).toBe('set_balance 4471902 {"services":[{"serviceId":202,"balance":2}]}');
    expect(entry).toMatchObject({ action: 'undo', undoOf: 1, outcome: 'ok', reason: 'typo' });
    expect(audit.get(1)?.undoneBy).toBe(entry.id);
    await expect(svc.undo(1)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('already undone') });
  });

  it('refuses with "changed since" when someone changed the value meanwhile', async () => {
    await svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] });
    api.applyBalance(4471902, { services: [{ serviceId: 202, balance: 4 }] }); // a visit elsewhere
    const err = await svc.undo(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'conflict' });
    expect((err as Error).message).toMatch(/changed since .*Yoga is 4, this change left 5/);
    expect(api.calls.filter((c) => c.startsWith('set_balance'))).toHaveLength(1);
    expect(audit.get(1)?.undoneBy).toBeNull();
    expect(audit.entries).toHaveLength(1);
  });

  it('a change to a line this edit did not touch does not block the undo', async () => {
    await svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] });
    api.applyBalance(4471902, { services: [{ serviceId: 101, balance: 6 }] });
    const { membership } = await svc.undo(1);
    expect(membership.balance.lines.map((l) => l.count)).toEqual([6, 2]);
  });

  it('undo of a freeze is an unfreeze', async () => {
    await svc.freeze(FREEZE);
    const { membership, entry } = await svc.undo(1);
    expect(membership.isFrozen).toBe(false);
    expect(api.calls.at(-2)).toBe('unfreeze 4471902');
    expect(entry).toMatchObject({ action: 'undo', undoOf: 1, outcome: 'ok' });
    expect(entry.message).toContain('extension already earned');
  });

  it('undo of a freeze that was already lifted is a conflict', async () => {
    await svc.freeze(FREEZE);
    await svc.unfreeze({ chainId: CHAIN, locationId: LOC, membershipId: 4471902 });
    await expect(svc.undo(1)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('no longer frozen') });
  });

  it('refuses failed entries, unfreezes, undos and unknown ids', async () => {
    api.failNext = { op: 'set_balance', error: DeskFailure.fromServer('validation', 'nope') };
    await svc.setBalance({ ...base, services: [{ serviceId: 202, balance: 5 }] }).catch(() => undefined);
    await expect(svc.undo(1)).rejects.toMatchObject({ kind: 'validation' });
    await expect(svc.undo(99)).rejects.toMatchObject({ kind: 'not_found' });
    await svc.freeze(FREEZE);
    await svc.unfreeze({ chainId: CHAIN, locationId: LOC, membershipId: 4471902 });
    await expect(svc.undo(3)).rejects.toMatchObject({ kind: 'validation', message: expect.stringContaining('cannot be undone') });
  });
});

describe('undo of entries written elsewhere', () => {
  it('without a recorded request, undoes the lines that differ between before and after', async () => {
    api.applyBalance(4471902, { services: [{ serviceId: 101, balance: 3 }] });
    const id = audit.add({
      userName: 'Batch',
      userId: 77,
      profileId: 'p1',
      chainId: CHAIN,
      locationId: LOC,
      membershipId: 4471902,
      membershipNumber: '500731',
      action: 'set_balance',
      before: snap({ services: { '101': 7, '202': 2 } }),
      after: snap({ services: { '101': 3, '202': 2 } }),
      reason: 'csv',
      outcome: 'ok',
      message: null,
      batchId: 'b1',
      undoOf: null,
    });
    const { membership } = await svc.undo(id);
    expect(membership.balance.lines.map((l) => l.count)).toEqual([7, 2]);
    expect(api.calls.at(-2)).toBe('set_balance 4471902 {"services":[{"serviceId":101,"balance":7}]}');
  });
});
