/**
 * The apply engine's logic with a fake Altegio API (in memory) and the real store in memory:
 * intent-before-request and outcome-after-response ordering, the conflict check, recovery of
 * 'intent' operations in all three cases, pause / resume / cancel, waiting_auth and offline.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Membership, MsgData } from '../../preload/contract';
import type { AltegioApi } from '../../main/core/altegio/api';
import type { BalanceTarget } from '../../preload/contract';
import type { JobProgress as EngineProgress } from '../../main/core/jobs/progress';
import { createMembershipClaims } from '../../main/core/jobs/claims';
import { createDeskJobs } from '../../main/core/jobs/desk';
import { startRunner, type RunnerDeps as EngineDeps } from '../../main/core/jobs/runner';
import { createJournal, type Journal, type NewOp } from '../../main/core/batch/journal';
import { DeskFailure } from '../../main/core/errors';
import { openStore, type Store } from '../../main/core/store';
import { makeMembership } from '../../scripts/gen-csv-fixture';

const CHAIN = 70114;
const POOL = 501;
const SAUNA = 502;

/** Memberships 1..n: odd = united (count 5), even = per-service pool 3 / sauna 4. */
function makeWorld(n: number): Map<number, Membership> {
  const world = new Map<number, Membership>();
  for (let id = 1; id <= n; id++) {
    world.set(
      id,
      id % 2 === 1
        ? makeMembership(id, { united: true, lines: [], unitedCount: 5 })
        : makeMembership(id, { united: false, lines: [{ id: POOL, title: 'Pool', count: 3 }, { id: SAUNA, title: 'Sauna', count: 4 }] }),
    );
  }
  return world;
}

function setBalance(m: Membership, body: BalanceTarget): Membership {
  if ('united' in body && m.balance.kind === 'united') return { ...m, balance: { ...m.balance, count: body.united } };
  if ('services' in body && m.balance.kind === 'per_service') {
    const lines = m.balance.lines.map((l) => {
      const s = body.services.find((x) => x.serviceId === l.serviceId);
      return s ? { ...l, count: s.balance } : l;
    });
    return { ...m, balance: { kind: 'per_service', lines } };
  }
  throw DeskFailure.fromServer('validation', 'bad body');
}

interface FakeApi extends AltegioApi {
  world: Map<number, Membership>;
  reads: number[][];
  writes: Array<{ id: number; body: BalanceTarget }>;
  /** Called before a write is applied; may throw or await. */
  beforeWrite?: (id: number) => Promise<void> | void;
  /** Called after a write was applied (the answer can still be lost by throwing). */
  afterWrite?: (id: number) => Promise<void> | void;
  beforeRead?: () => Promise<void> | void;
}

function fakeApi(world: Map<number, Membership>): FakeApi {
  const api = {
    world,
    reads: [] as number[][],
    writes: [] as Array<{ id: number; body: BalanceTarget }>,
    async membershipsByIds(_chain: number, ids: readonly number[]) {
      await api.beforeRead?.();
      api.reads.push([...ids]);
      return ids.flatMap((id) => {
        const m = world.get(id);
        return m ? [m] : [];
      });
    },
    async setBalance(_chain: number, id: number, body: BalanceTarget) {
      await api.beforeWrite?.(id);
      const m = world.get(id);
      if (!m) throw DeskFailure.fromServer('not_found', 'gone');
      world.set(id, setBalance(m, body));
      api.writes.push({ id, body });
      await api.afterWrite?.(id);
    },
  } as unknown as FakeApi;
  return api;
}

const unitedOp = (seq: number, id: number, from: number, to: number): NewOp => ({
  seq,
  kind: 'set_balance',
  membershipId: id,
  membershipNumber: String(500000 + id),
  chainId: CHAIN,
  body: { united: to } satisfies BalanceTarget,
  expect: { united: from } satisfies BalanceTarget,
  target: { united: to } satisfies BalanceTarget,
  rowLines: [seq + 2],
  rowCount: 1,
  reason: `row ${seq}`,
  sourceAuditId: null,
});
const serviceOp = (seq: number, id: number, pool: [number, number], sauna: [number, number]): NewOp => ({
  seq,
  kind: 'set_balance',
  membershipId: id,
  membershipNumber: String(500000 + id),
  chainId: CHAIN,
  body: { services: [{ serviceId: POOL, balance: pool[1] }, { serviceId: SAUNA, balance: sauna[1] }] },
  expect: { services: [{ serviceId: POOL, balance: pool[0] }, { serviceId: SAUNA, balance: sauna[0] }] },
  target: { services: [{ serviceId: POOL, balance: pool[1] }, { serviceId: SAUNA, balance: sauna[1] }] },
  rowLines: [seq + 2, seq + 3],
  rowCount: 2,
  reason: `rows ${seq}`,
  sourceAuditId: null,
});

/** n ops over memberships 1..n: united 5 → 6, per-service pool 3 → 2, sauna 4 → 7. */
function opsFor(n: number): NewOp[] {
  return Array.from({ length: n }, (_, i) => (i % 2 === 0 ? unitedOp(i, i + 1, 5, 6) : serviceOp(i, i + 1, [3, 2], [4, 7])));
}

interface Setup {
  store: Store;
  journal: Journal;
  api: FakeApi;
  progress: EngineProgress[];
  deps: EngineDeps;
  signIn(profile?: string): void;
  signOut(): void;
}

function setup(n: number, ops: NewOp[] = opsFor(n), options: EngineDeps['options'] = {}): Setup {
  const store = openStore(':memory:');
  const journal = createJournal(store.db);
  const api = fakeApi(makeWorld(n));
  journal.createJob(
    {
      id: 'job-1',
      kind: 'apply',
      opKind: 'set_balance',
      fileName: 'f.csv',
      createdAt: new Date().toISOString(),
      profileId: 'p1',
      userId: 7,
      userName: 'Ann',
      chainId: CHAIN,
      locationId: 1,
      state: 'planned',
      delimiter: ';',
      totals: { rows: ops.reduce((s, o) => s + o.rowCount, 0), toChange: ops.reduce((s, o) => s + o.rowCount, 0), unchanged: 0, invalid: 0, memberships: ops.length },
      undoOf: null,
    },
    [],
    ops,
  );
  const progress: EngineProgress[] = [];
  let profile: string | null = 'p1';
  let waiters: Array<() => void> = [];
  const deps: EngineDeps = {
    store,
    journal,
    api: () => api,
    waitForSignedIn: (signal) =>
      new Promise<void>((resolve, reject) => {
        if (profile !== null) return resolve();
        waiters.push(resolve);
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      }),
    currentProfileId: () => profile,
    onProgress: (p) => progress.push(p),
    options: { offlinePollMs: 5, retryBaseMs: 1, retryMaxMs: 5, progressIntervalMs: 0, flushMs: 1, ...options },
  };
  return {
    store,
    journal,
    api,
    progress,
    deps,
    signIn(p = 'p1') {
      profile = p;
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    },
    signOut() {
      profile = null;
    },
  };
}

const stateOf = (s: Setup, seq: number) => s.journal.op('job-1', seq)?.state;
const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));

describe('batch engine', () => {
  it('commits intent (with an audit entry) before each request and applied only after its answer', async () => {
    const s = setup(4);
    const seen: Array<{ id: number; state: string | undefined; audit: string | undefined; said: MsgData | null | undefined }> = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    s.api.beforeWrite = async (id) => {
      const op = s.journal.op('job-1', id - 1);
      const entry = op?.auditId ? s.store.audit.get(op.auditId) : null;
      seen.push({ id, state: op?.state, audit: entry?.outcome, said: entry?.msg });
      if (id === 1) await gate;
    };
    s.api.afterWrite = (id) => {
      // The answer is not back yet: the journal still says intent.
      expect(stateOf(s, id - 1)).toBe('intent');
    };
    const runner = startRunner(s.deps, 'job-1');
    // The first write waits at the gate (observed): its answer is not back, so the journal says intent.
    await vi.waitFor(() => expect(seen.map((x) => x.id), 'the first write never reached the gate').toContain(1), { timeout: 10_000, interval: 1 });
    expect(stateOf(s, 0)).toBe('intent');
    release();
    await expect(runner.finished).resolves.toBe('done');
    expect(seen).toHaveLength(4);
    expect(seen.every((x) => x.state === 'intent' && x.audit === 'unknown')).toBe(true);
    // While it is out, the audit log says "Sending…" by reference (worded in the language in use).
    expect(seen.every((x) => x.said?.key === 'audit.message.sending')).toBe(true);
    for (let seq = 0; seq < 4; seq++) expect(stateOf(s, seq)).toBe('applied');
    expect(s.api.reads).toEqual([[1, 2, 3, 4]]);
    expect(s.api.writes.map((w) => w.id).sort()).toEqual([1, 2, 3, 4]);
    const audit = s.store.audit.list({});
    expect(audit).toHaveLength(4);
    expect(audit.every((e) => e.outcome === 'ok' && e.batchId === 'job-1' && e.action === 'set_balance')).toBe(true);
    const united = audit.find((e) => e.membershipId === 1);
    expect(united?.before).toMatchObject({ united: 5, request: { united: 6 } });
    expect(united?.after).toMatchObject({ united: 6 });
    const last = s.progress[s.progress.length - 1];
    expect(last).toMatchObject({ state: 'done', total: 6, done: 6, failed: 0, conflicts: 0, etaMs: 0 });
  });

  it('reads once per 50 operations (1 write + 1/50 read per membership)', async () => {
    const s = setup(120);
    await startRunner(s.deps, 'job-1').finished;
    expect(s.api.reads.map((r) => r.length)).toEqual([50, 50, 20]);
    expect(s.api.writes).toHaveLength(120);
  });

  it('marks a membership changed since the plan as a conflict and never writes it', async () => {
    const s = setup(4);
    s.api.world.set(1, setBalance(s.api.world.get(1) as Membership, { united: 9 }));
    s.api.world.set(2, setBalance(s.api.world.get(2) as Membership, { services: [{ serviceId: SAUNA, balance: 1 }] }));
    await expect(startRunner(s.deps, 'job-1').finished).resolves.toBe('done');
    expect(stateOf(s, 0)).toBe('conflict');
    expect(stateOf(s, 1)).toBe('conflict');
    expect(s.api.writes.map((w) => w.id).sort()).toEqual([3, 4]);
    expect(s.api.world.get(1)?.balance).toMatchObject({ count: 9 });
    expect(s.journal.op('job-1', 0)?.message).toMatch(/now shared balance 9, the plan expected shared balance 5/);
    expect(s.journal.op('job-1', 1)?.message).toMatch(/Sauna 1/);
    expect(s.journal.counts('job-1').conflict).toEqual({ ops: 2, rows: 3 });
    const entry = s.store.audit.list({ membershipId: 1 })[0];
    expect(entry).toMatchObject({ outcome: 'failed', batchId: 'job-1' });
  });

  it('recovers intent operations: after → applied without writing; before → written again; else → conflict', async () => {
    const s = setup(6);
    // A previous run committed intent for ops 0..2 and was killed: op 0's write landed, op 1's did
    // not, and someone else changed op 2's membership since.
    for (const seq of [0, 1, 2]) s.journal.markIntent('job-1', seq, null);
    s.journal.setState('job-1', 'paused', 'interrupted');
    s.api.world.set(1, setBalance(s.api.world.get(1) as Membership, { united: 6 }));
    s.api.world.set(3, setBalance(s.api.world.get(3) as Membership, { united: 11 }));
    await expect(startRunner(s.deps, 'job-1').finished).resolves.toBe('done');
    expect(s.api.writes.map((w) => w.id).sort()).toEqual([2, 4, 5, 6]);
    expect(stateOf(s, 0)).toBe('applied');
    expect(stateOf(s, 1)).toBe('applied');
    expect(stateOf(s, 2)).toBe('conflict');
    expect(s.api.world.get(3)?.balance).toMatchObject({ count: 11 });
    const recovered = s.store.audit.list({ membershipId: 1 })[0];
    expect(recovered).toMatchObject({ outcome: 'ok' });
    expect(recovered?.message).toMatch(/confirmed by re-reading/);
    const conflicted = s.store.audit.list({ membershipId: 3 })[0];
    expect(conflicted).toMatchObject({ outcome: 'unknown' });
  });

  it('a lost answer (write landed, then an error) is re-checked by reading and not written again', async () => {
    const s = setup(3);
    let failed = false;
    s.api.afterWrite = (id) => {
      if (id === 2 && !failed) {
        failed = true;
        throw DeskFailure.fromServer('server', 'Altegio is having trouble answering right now.');
      }
    };
    await expect(startRunner(s.deps, 'job-1').finished).resolves.toBe('done');
    expect(s.api.writes.filter((w) => w.id === 2)).toHaveLength(1);
    expect(stateOf(s, 1)).toBe('applied');
    expect(s.api.reads).toHaveLength(2);
    expect(s.store.audit.list({ membershipId: 2 })[0]?.message).toMatch(/answer was lost/);
  });

  it('a refusal is re-checked and marked failed with its message; 5xx beyond maxAttempts fails too', async () => {
    const s = setup(3, opsFor(3), { maxAttempts: 2 });
    s.api.beforeWrite = (id) => {
      if (id === 1) throw DeskFailure.fromServer('validation', "Can't change balance");
      if (id === 2) throw DeskFailure.fromServer('server', 'Altegio is having trouble answering right now.');
    };
    await expect(startRunner(s.deps, 'job-1').finished).resolves.toBe('done');
    expect(s.journal.op('job-1', 0)).toMatchObject({ state: 'failed', message: "Can't change balance", attempts: 1 });
    expect(s.journal.op('job-1', 1)).toMatchObject({ state: 'failed', attempts: 2 });
    expect(stateOf(s, 2)).toBe('applied');
    expect(s.store.audit.list({ membershipId: 1 })[0]).toMatchObject({ outcome: 'failed', message: "Can't change balance" });
  });

  it('pauses at an operation boundary and resumes from the journal; cancel skips the rest', async () => {
    const s = setup(30, opsFor(30), { concurrency: 2 });
    let count = 0;
    let runner = startRunner(s.deps, 'job-1');
    s.api.beforeWrite = async () => {
      count++;
      if (count === 5) runner.pause();
      await tick(1);
    };
    await expect(runner.finished).resolves.toBe('paused');
    const afterPause = s.api.writes.length;
    expect(afterPause).toBeGreaterThanOrEqual(5);
    expect(afterPause).toBeLessThan(30);
    // Nothing in flight: every op is pending or finished.
    expect(s.journal.counts('job-1').intent.ops).toBe(0);
    expect(s.journal.job('job-1')?.state).toBe('paused');

    count = 0;
    runner = startRunner(s.deps, 'job-1');
    s.api.beforeWrite = async () => {
      count++;
      if (count === 5) runner.cancel();
      await tick(1);
    };
    await expect(runner.finished).resolves.toBe('cancelled');
    const c = s.journal.counts('job-1');
    expect(c.applied.ops).toBe(s.api.writes.length);
    expect(c.applied.ops + c.skipped.ops).toBe(30);
    expect(c.skipped.ops).toBeGreaterThan(0);
    expect(new Set(s.api.writes.map((w) => w.id)).size).toBe(s.api.writes.length);
  });

  it('cancel while writes wait for a re-check counts each of them once (found in review)', async () => {
    const s = setup(6, opsFor(6), { concurrency: 1 });
    const runner = startRunner(s.deps, 'job-1');
    let n = 0;
    // The first two writes land but their answers are lost: they wait as 'intent' for a re-check.
    s.api.afterWrite = async () => {
      n++;
      if (n <= 2) throw DeskFailure.fromServer('server', 'Altegio did not answer');
    };
    s.api.beforeWrite = async () => {
      if (n >= 2) runner.cancel();
    };
    await expect(runner.finished).resolves.toBe('cancelled');
    const c = s.journal.counts('job-1');
    const last = s.progress.at(-1)!;
    expect(last.done).toBe(c.applied.rows);
    expect(c.applied.ops).toBe(new Set(s.api.writes.map((w) => w.id)).size);
    // One audit outcome per operation tried, never two.
    const audited = s.store.audit.list({ limit: 100 }).filter((e) => e.batchId === 'job-1');
    expect(new Set(audited.map((e) => e.membershipId)).size).toBe(audited.length);
  });

  it('cancel resolves intent operations by reading: applied if they landed, skipped if not', async () => {
    const s = setup(4);
    for (const seq of [0, 1]) s.journal.markIntent('job-1', seq, null);
    s.api.world.set(1, setBalance(s.api.world.get(1) as Membership, { united: 6 }));
    await expect(startRunner(s.deps, 'job-1', 'cancel').finished).resolves.toBe('cancelled');
    expect(s.api.writes).toEqual([]);
    expect(stateOf(s, 0)).toBe('applied');
    expect(stateOf(s, 1)).toBe('skipped');
    expect(stateOf(s, 2)).toBe('skipped');
    expect(s.journal.job('job-1')?.state).toBe('cancelled');
  });

  it('waits for sign-in on auth_expired (waiting_auth), then continues by itself', async () => {
    const s = setup(6);
    let expired = true;
    s.api.beforeWrite = (id) => {
      if (id === 3 && expired) {
        s.signOut();
        throw DeskFailure.fromServer('auth_expired', 'Your sign-in has expired.');
      }
    };
    s.api.beforeRead = () => {
      if (expired && s.deps.currentProfileId() === null) throw DeskFailure.fromServer('auth_expired', 'Your sign-in has expired.');
    };
    const runner = startRunner(s.deps, 'job-1');
    await vi.waitFor(() => expect(runner.state(), 'the run never waited for a sign-in').toBe('waiting_auth'), { timeout: 10_000, interval: 2 });
    expect(s.journal.job('job-1')?.state).toBe('waiting_auth');
    expect(s.progress.some((p) => p.state === 'waiting_auth')).toBe(true);
    expired = false;
    s.signIn('p1');
    await expect(runner.finished).resolves.toBe('done');
    expect(s.journal.counts('job-1').applied.ops).toBe(6);
    expect(s.api.writes.filter((w) => w.id === 3)).toHaveLength(1);
  });

  it('pauses instead of continuing when a different user signs in', async () => {
    const s = setup(4);
    s.signOut();
    s.api.beforeRead = () => {
      if (s.deps.currentProfileId() !== 'p1') throw DeskFailure.fromServer('auth_expired', 'Your sign-in has expired.');
    };
    const runner = startRunner(s.deps, 'job-1');
    await vi.waitFor(() => expect(runner.state(), 'the run never waited for a sign-in').toBe('waiting_auth'), { timeout: 10_000, interval: 2 });
    s.signIn('someone-else');
    await expect(runner.finished).resolves.toBe('paused');
    expect(s.journal.job('job-1')?.message).toMatch(/Sign in as Ann/);
    // By reference: the batch screen words it in the language in use.
    expect(s.journal.job('job-1')?.msg).toEqual({ key: 'error.app.batchOtherUser', params: { user: 'Ann' } });
    expect(s.api.writes).toEqual([]);
  });

  it('goes offline when the network drops and continues by itself when it is back', async () => {
    const s = setup(8, opsFor(8), { concurrency: 1 });
    let online = true;
    let offlineReads = 0;
    s.api.beforeWrite = (id) => {
      if (id === 3 && online && offlineReads === 0) {
        online = false;
        throw DeskFailure.fromServer('offline', 'Cannot reach Altegio.');
      }
    };
    s.api.beforeRead = () => {
      if (!online) {
        offlineReads++;
        if (offlineReads >= 4) online = true;
        throw DeskFailure.fromServer('offline', 'Cannot reach Altegio.');
      }
    };
    const runner = startRunner(s.deps, 'job-1');
    await expect(runner.finished).resolves.toBe('done');
    expect(s.progress.some((p) => p.state === 'offline')).toBe(true);
    expect(offlineReads).toBe(4);
    expect(s.journal.counts('job-1').applied.ops).toBe(8);
    expect(new Set(s.api.writes.map((w) => w.id)).size).toBe(8);
    expect(s.api.writes).toHaveLength(8);
  });

  it('emits progress at most every progressIntervalMs', async () => {
    const s = setup(60, opsFor(60), { progressIntervalMs: 50 });
    s.api.beforeWrite = () => tick(2);
    const t0 = Date.now();
    await startRunner(s.deps, 'job-1').finished;
    const elapsed = Date.now() - t0;
    // States (running, done) plus throttled updates.
    expect(s.progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 4);
    expect(s.progress.some((p) => p.requestsPerMinute > 0)).toBe(true);
  });

  it('does not extrapolate a short start into an inflated requests-per-minute figure', async () => {
    const s = setup(4, opsFor(4));
    await startRunner(s.deps, 'job-1').finished;
    // 4 writes + 1 read within well under a second: over a 10 s floor that is at most 30/min.
    const last = s.progress.at(-1);
    expect(last?.requestsPerMinute).toBeGreaterThan(0);
    expect(last?.requestsPerMinute).toBeLessThanOrEqual(30);
  });
});

describe('a desk write racing a queued batch op (one MembershipClaims for the app)', () => {
  async function race(shared: boolean) {
    const s = setup(4, opsFor(4), { concurrency: 1 });
    const claims = createMembershipClaims();
    s.deps.claims = claims;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let started: () => void = () => undefined;
    const firstWrite = new Promise<void>((r) => (started = r));
    s.api.beforeWrite = async (id) => {
      if (id !== 1) return;
      started();
      await gate;
    };
    const runner = startRunner(s.deps, 'job-1');
    // The batch has read memberships 1..4 (all at their before values) and is writing the first.
    await firstWrite;
    const desk = createDeskJobs({ store: s.store, api: () => s.api, currentProfileId: () => 'p1', claims: shared ? claims : createMembershipClaims() });
    const generation = desk.claims.generation(3);
    const m3 = (await s.api.membershipsByIds(CHAIN, [3]))[0]!;
    const r = await desk.run({ kind: 'set_balance', payload: { expect: { united: 5 }, target: { united: 9 } }, chainId: CHAIN, locationId: 1, membership: m3, generation, reason: 'at the desk', user: { profileId: 'p1', userId: 7, name: 'Ann' } });
    expect(r.outcome.state).toBe('applied');
    release();
    await runner.finished;
    return s;
  }

  it('the batch op ends as a conflict; the desk value stays', async () => {
    const s = await race(true);
    const op = s.journal.op('job-1', 2)!;
    expect(op.state).toBe('conflict');
    expect(op.message).toMatch(/shared balance 9/);
    expect(s.api.world.get(3)!.balance).toMatchObject({ kind: 'united', count: 9 });
    expect(s.api.writes.filter((w) => w.id === 3)).toHaveLength(1);
    expect(s.journal.counts('job-1').applied.ops).toBe(3);
  });

  it('(control) without shared claims the queued batch op would overwrite it', async () => {
    const s = await race(false);
    expect(s.api.world.get(3)!.balance).toMatchObject({ kind: 'united', count: 6 });
  });
});
