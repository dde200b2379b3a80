/**
 * A full disk during a batch pauses it with a clear message instead of taking the app down; reads
 * keep being served; after space is freed, resume finishes it exactly (each membership written
 * once, final balances as planned). The batch runs in a CHILD process: before the fix, the SQLite
 * error escaped the engine and the process exited.
 *
 * Two real ways to run out of space: SQLite's size limit on the database (`max_page_count`, runs
 * everywhere) and a real full file system (a 16 MB tmpfs filled up; needs root to mount, as in CI).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { Membership } from '../../preload/contract';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { checkText, correctionsFor, createHarness, csvOf, sameBalances, tempDbPath, type Harness } from '../support/batch-harness';

const CHILD = join(import.meta.dirname, '../support/storage-fault-child.ts');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let sandbox: Sandbox | undefined;
let h: Harness | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sandbox?.close();
  sandbox = undefined;
  for (const c of cleanups.splice(0).reverse()) c();
});

interface Step {
  step: string;
  [k: string]: unknown;
}

function runChild(args: unknown): Promise<{ code: number | null; steps: Step[]; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const steps: Step[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) steps.push(JSON.parse(line) as Step);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, steps, stderr: stderr.slice(-3000) })));
}

async function prepareBatch(dbPath: string, memberships: number) {
  sandbox = await startSandbox({ rate: null, extraMemberships: memberships });
  const k = sandbox.control.knownIds;
  h = await createHarness(sandbox, { dbPath });
  const ids = k.extra.slice(0, memberships);
  const before = new Map((await h.api.membershipsByIds(k.chains.northside, ids)).map((m) => [m.id, m]));
  const { rows, expected } = correctionsFor([...before.values()], { pool: k.services.pool, sauna: k.services.sauna });
  const place = { chainId: k.chains.northside, locationId: k.locations.chicago };
  const csv = csvOf(rows);
  const prep = await checkText(h.svc, place, csv, { lookups: true });
  expect(prep.totals.memberships).toBe(memberships);
  await h.close();
  h = undefined;
  sandbox.control.resetStats();
  const conn = { url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password };
  // The child checks the file again and applies it (a check lives in the process that made it).
  return { k, ids, expected, file: { csv, ...place }, conn };
}

async function expectExact(dbPath: string, batch: Awaited<ReturnType<typeof prepareBatch>>, batchId: string) {
  const s = sandbox as Sandbox;
  const stats = s.control.stats();
  for (const id of batch.ids) expect(stats.writes[id], `membership ${id} written once`).toBe(1);
  h = await createHarness(s, { dbPath });
  const after = new Map((await h.api.membershipsByIds(batch.k.chains.northside, batch.ids)).map((m) => [m.id, m]));
  for (const id of batch.ids) expect(sameBalances(after.get(id) as Membership, batch.expected.get(id) as never), `membership ${id}`).toBe(true);
  const counts = h.svc.journal.counts(batchId);
  expect(counts.applied.ops).toBe(batch.ids.length);
  const audit = h.store.audit.list({ limit: 5000 }).filter((e) => e.batchId === batchId);
  expect(audit).toHaveLength(batch.ids.length);
  expect(audit.every((e) => e.outcome === 'ok')).toBe(true);
}

function expectPausedThenDone(run: { code: number | null; steps: Step[]; stderr: string }) {
  expect(run.code, run.stderr).toBe(0);
  const paused = run.steps.find((s) => s.step === 'paused') as Step & { state: string; summary: { state: string; message: string; done: number; totals: { toChange: number } }; lastEvent: { state: string; message: string } };
  expect(paused.state).toBe('paused');
  expect(paused.summary.state).toBe('paused');
  expect(paused.summary.message).toMatch(/disk is full.*paused and will continue exactly where it stopped/s);
  expect(paused.lastEvent).toMatchObject({ state: 'paused', message: paused.summary.message });
  // It stopped part-way (else the fault proves nothing).
  expect(paused.summary.done).toBeLessThan(paused.summary.totals.toChange);
  const reads = run.steps.find((s) => s.step === 'reads') as Step & { batches: number; audit: number; rows: number; reportLines: number };
  expect(reads.batches).toBeGreaterThanOrEqual(1);
  expect(reads.rows).toBeGreaterThan(0);
  expect(reads.reportLines).toBeGreaterThan(paused.summary.totals.toChange);
  expect(run.steps.find((s) => s.step === 'done')).toMatchObject({ state: 'done' });
}

/** The batch the child created, from its "applied" step. */
function appliedBatch(run: { steps: Step[] }): string {
  const step = run.steps.find((s) => s.step === 'applied') as { batchId?: string } | undefined;
  return step?.batchId ?? '';
}

describe('storage faults during a batch', () => {
  it("SQLite's size limit reached: the batch pauses with a clear message, reads go on, resume is exact", async () => {
    const dbPath = tempDbPath('disk-full-');
    const batch = await prepareBatch(dbPath, 60);
    const run = await runChild({ conn: batch.conn, dbPath, file: batch.file, extraPages: 6 });
    expectPausedThenDone(run);
    await expectExact(dbPath, batch, appliedBatch(run));
  });

  it.skipIf(!isRoot)('a real full file system (tmpfs; needs root to mount): pauses, reads go on, resume after freeing space is exact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'disk-full-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    const dbPath = join(dir, 'desk.db');
    const batch = await prepareBatch(dbPath, 60);
    // The child fills the file system once the batch is created, leaving 64 KB.
    const run = await runChild({ conn: batch.conn, dbPath, file: batch.file, filler: join(dir, 'filler.bin') });
    expectPausedThenDone(run);
    await expectExact(dbPath, batch, appliedBatch(run));
  });
});
