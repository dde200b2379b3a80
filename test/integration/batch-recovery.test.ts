/**
 * Exactly once under crashes and faults, proven by the sandbox's write counts:
 * - crash-resume: the apply runs in a CHILD process (the sandbox stays here) that is SIGKILLed three
 *   times at seeded random points and restarted until the batch is done → final balances exact,
 *   each membership written exactly once, the journal and the audit log complete;
 * - faults: 10% HTTP 500 + 5% dropped connections (half before, half after the server processed the
 *   request) + 429 bursts from a server limit below our limiter's → exact balances, nothing lost,
 *   nothing written twice.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Membership } from '../../preload/contract';
import { createJournal } from '../../main/core/batch/journal';
import { openStore } from '../../main/core/store';
import { startSandbox, type FaultRule, type Sandbox } from '../../main/sandbox/server';
import { rng } from '../../scripts/gen-csv-fixture';
import { runTsChild, until, type ChildRun } from '../support/child-run';
import { applyCheck, checkText, correctionsFor, createHarness, csvOf, sameBalances, tempDbPath, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';

let sandbox: Sandbox | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

const CHILD = join(import.meta.dirname, '../support/batch-child.ts');
const runChild = (args: unknown): ChildRun => runTsChild(CHILD, args);

async function readAll(api: Harness['api'], chainId: number, ids: readonly number[]): Promise<Map<number, Membership>> {
  return new Map((await api.membershipsByIds(chainId, ids)).map((m) => [m.id, m]));
}

describe('batch exactly once', () => {
  it('survives three SIGKILLs of the applying process: exact balances, every membership written exactly once', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 200 });
    const k = sandbox.control.knownIds;
    const dbPath = tempDbPath('batch-crash-');
    h = await createHarness(sandbox, { dbPath });
    const ids = k.extra.slice(0, 200);
    const before = await readAll(h.api, k.chains.northside, ids);
    const { rows, expected } = correctionsFor([...before.values()], { pool: k.services.pool, sauna: k.services.sauna });
    const place = { chainId: k.chains.northside, locationId: k.locations.chicago };
    const csv = csvOf(rows);
    const prep = await checkText(h.svc, place, csv, { lookups: true });
    expect(prep.totals.memberships).toBe(200);
    await h.close();
    h = undefined;
    sandbox.control.resetStats();

    const conn = { url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password };
    // The first run checks the file and applies it (the batch exists from then on); the others resume it.
    let childArgs: Record<string, unknown> = { conn, dbPath, file: { csv, ...place }, limiter: { perSecond: 80, perMinute: 4800 } };
    // Each kill comes once the sandbox has taken a given number of writes (observed state, not a
    // fixed delay: a loaded machine only changes how long that takes), at a seeded random point.
    const random = rng(20260310);
    const kills: number[] = [];
    let target = 0;
    for (let i = 0; i < 3; i++) {
      target += 20 + Math.floor(random() * 40);
      const run = runChild(childArgs);
      await run.started;
      const batchLine = run.lines.find((line) => line.startsWith('batch '));
      if (batchLine) childArgs = { ...childArgs, file: undefined, batchId: batchLine.slice('batch '.length) };
      const box = sandbox;
      await until(() => box.control.stats().writesByAction.set_balance >= target, () => run.lines.join('\n'));
      run.kill();
      const exit = await run.exit;
      kills.push(target);
      expect(exit.signal, run.lines.join('\n')).toBe('SIGKILL');
      // Each run made progress but the batch is not finished yet (else the kills prove nothing).
      const writes = sandbox.control.stats().writesByAction.set_balance;
      expect(writes, `after kill ${i + 1} at ${target} writes`).toBeLessThan(200);
    }
    expect(sandbox.control.stats().writesByAction.set_balance).toBeGreaterThan(0);

    const last = runChild(childArgs);
    const exit = await last.exit;
    expect(exit.code, last.lines.join('\n')).toBe(0);
    expect(last.lines).toContain('ready paused');
    expect(last.lines).toContain('state done');

    const stats = sandbox.control.stats();
    for (const id of ids) expect(stats.writes[id], `membership ${id}`).toBe(1);
    expect(stats.writesByAction.set_balance).toBe(200);

    const check = await createHarness(sandbox, { dbPath });
    h = check;
    const after = await readAll(check.api, k.chains.northside, ids);
    for (const id of ids) expect(sameBalances(after.get(id) as Membership, expected.get(id) as never), `membership ${id}`).toBe(true);
    const counts = check.svc.journal.counts(childArgs['batchId'] as string);
    expect(counts.applied).toEqual({ ops: 200, rows: rows.length });
    expect(counts.intent.ops + counts.pending.ops + counts.failed.ops + counts.conflict.ops).toBe(0);
    const audit = check.store.audit.list({ limit: 5000 }).filter((e) => e.batchId === childArgs['batchId']);
    expect(audit).toHaveLength(200);
    expect(audit.every((e) => e.outcome === 'ok')).toBe(true);
  }, 240_000);

  const FAULTS: FaultRule[] = [
    { probability: 0.01, kind: '429', when: 'before' },
    { probability: 0.05, kind: 'http500', when: 'before' },
    { probability: 0.05, kind: 'http500', when: 'after' },
    { probability: 0.025, kind: 'drop', when: 'before' },
    { probability: 0.025, kind: 'drop', when: 'after' },
  ];

  async function faultRun(retry: { attempts: number }, memberships = 200) {
    sandbox = await startSandbox({ rate: null, extraMemberships: memberships });
    const k = sandbox.control.knownIds;
    h = await createHarness(sandbox, {
      retry: { ...retry, baseMs: 10, maxMs: 50 },
      limiter: { perSecond: 120, perMinute: 100_000, backoffBaseMs: 100, backoffMaxMs: 400, policy: { returnMs: 500 } },
      engine: { maxAttempts: 10 },
      timeoutMs: 2000,
    });
    const ids = k.extra.slice(0, memberships);
    const before = await readAll(h.api, k.chains.northside, ids);
    const { rows, expected } = correctionsFor([...before.values()], { pool: k.services.pool, sauna: k.services.sauna });
    const prep = await checkText(h.svc, { chainId: k.chains.northside, locationId: k.locations.chicago }, csvOf(rows), { fileName: 'faults.csv', lookups: true });
    // 429 bursts: the server allows less than our limiter sends; plus 5xx and dropped connections.
    sandbox.control.setRate({ perSecond: 70, perMinute: 100_000 });
    sandbox.control.setFaults(FAULTS, 7);
    sandbox.control.resetStats();
    const { batchId } = await applyCheck(h.svc, prep);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');
    const stats = sandbox.control.stats();
    sandbox.control.clearFaults();
    sandbox.control.setRate(null);
    const after = await readAll(h.api, k.chains.northside, ids);
    const lost = ids.filter((id) => !sameBalances(after.get(id) as Membership, expected.get(id) as never));
    return { batchId, rows, stats, lost, ids, expected };
  }

  it('2,000 rows under 5xx, dropped connections and 429 bursts: exact balances, 0 lost, 0 written twice (engine owns the retries)', async () => {
    // 1,334 memberships alternating united (1 row) and per-service (2 rows): 2,001 rows.
    const { batchId, rows, stats, lost, ids } = await faultRun({ attempts: 1 }, 1334);
    expect(rows.length).toBeGreaterThanOrEqual(2000);
    expect(stats.faultsInjected).toBeGreaterThan(50);
    // 429 bursts: injected (a loaded machine may never reach the server's own limit), plus any the
    // server's limit answered; each paused the shared limiter.
    expect((h as Harness).limiter.stats().penalties).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    const twice = ids.filter((id) => (stats.writes[id] ?? 0) !== 1);
    expect(twice).toEqual([]);
    const counts = (h as Harness).svc.journal.counts(batchId);
    expect(counts.applied).toEqual({ ops: ids.length, rows: rows.length });
    // The audit log tells what happened to each membership, once.
    const audit = (h as Harness).store.audit.list({ limit: 5000 }).filter((e) => e.batchId === batchId);
    expect(audit).toHaveLength(ids.length);
    expect(audit.every((e) => e.outcome === 'ok')).toBe(true);
  }, 300_000); // heavy: its own limit (a loaded machine runs it at a fraction of its pace)

  it('with the client’s own write retries too (it re-reads before repeating): exact balances, 0 lost, 0 written twice', async () => {
    const { stats, lost, ids, expected } = await faultRun({ attempts: 4 });
    expect(lost).toEqual([]);
    for (const id of ids) {
      const bodies = stats.writeLog.filter((w) => w.membershipId === id).map((w) => JSON.stringify(w.body));
      expect(bodies, `membership ${id}`).toHaveLength(1);
      const e = expected.get(id);
      if (e?.united !== undefined) expect(JSON.parse(bodies[0] as string)).toEqual({ united_balance_services_count: e.united });
    }
  });
});

// The journal module is importable on its own (no store import cycle with migrations).
it('journal tables exist after migration', () => {
  const s = openStore(':memory:');
  const j = createJournal(s.db);
  expect(j.listStarted()).toEqual([]);
  s.close();
});
