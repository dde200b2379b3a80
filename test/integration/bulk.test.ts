/**
 * Bulk actions against the sandbox over real sockets (issue 11 item 4): the preview reads every
 * membership and says per row what will happen or why not; the apply is a batch job (same runner,
 * journal, undo); the sandbox's own state and write counts are the proof.
 */
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, localDateOf, todayIn } from '../../common/dates';
import type { Membership } from '../../preload/contract';
import { formatDayIn } from '../../common/i18n/formats';
import { wordsIn } from '../../main/core/words';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { createHarness, tempDbPath, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';
import { runTsChild, until } from '../support/child-run';
import { createBulkHarness } from '../support/bulk-harness';

let sandbox: Sandbox | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

const unitedOf = (m: Membership | undefined): number => (m?.balance.kind === 'united' ? m.balance.count : Number.NaN);

async function readAll(api: Harness['api'], chainId: number, ids: readonly number[]): Promise<Map<number, Membership>> {
  return new Map((await api.membershipsByIds(chainId, ids)).map((m) => [m.id, m]));
}

describe('bulk actions', () => {
  it('freeze: one row refused (type forbids freezing) → apply → exactly the others frozen → undo → all unfrozen', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 12 });
    const k = sandbox.control.knownIds;
    h = await createHarness(sandbox);
    const { bulk } = createBulkHarness(h);
    const chainId = k.chains.northside;
    const locationId = k.locations.chicago;
    const tz = h.chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? 'UTC';
    const freezeTill = addDays(todayIn(new Date(), tz), 5);
    // The united extras (even positions) are of a freezable type; Dana's drop-in type forbids it.
    const freezable = k.extra.filter((_, i) => i % 2 === 0);
    const refused = k.memberships.danaNotFreezable;
    const ids = [...freezable.slice(0, 3), refused, ...freezable.slice(3)];

    const preview = await bulk.preview({ chainId, locationId, action: { kind: 'freeze', freezeTill }, ids, reason: 'closed for repairs' });
    expect(preview.totals).toEqual({ rows: ids.length, change: freezable.length, refused: 1 });
    const row = preview.rows.find((r) => r.membershipId === refused);
    expect(row).toMatchObject({ outcome: 'refused', code: 'type_forbids' });
    for (const r of preview.rows.filter((x) => x.membershipId !== refused)) expect(r).toMatchObject({ outcome: 'change', code: 'freeze', params: { till: freezeTill } });
    // Nothing was sent by the preview.
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);

    const started = await bulk.apply({ previewId: preview.previewId });
    expect(await settledBatch(h, started.batchId)).toBe('done');
    const summary = (await h.svc.list()).batches.find((b) => b.batchId === started.batchId);
    expect(summary).toMatchObject({ done: freezable.length, failed: 0, conflicts: 0, totals: { invalid: 1, toChange: freezable.length } });
    // Its name in the batch list: what it does, by reference (the renderer words it), not the file-like name.
    expect(summary?.fileName).toBe(`bulk-freeze-until-${freezeTill}`);
    expect(wordsIn('ru').say(summary!.title!)).toBe(`Массовая заморозка до ${formatDayIn('ru', freezeTill)}`);
    const after = await readAll(h.api, chainId, ids);
    for (const id of freezable) {
      const m = after.get(id) as Membership;
      expect(m.isFrozen, `membership ${id}`).toBe(true);
      expect(localDateOf(m.freezeTill, tz)).toBe(freezeTill);
    }
    expect(after.get(refused)?.isFrozen).toBe(false);
    const stats = sandbox.control.stats();
    expect(stats.writesByAction.freeze).toBe(freezable.length);
    expect(stats.writes[refused]).toBeUndefined();
    // The report names the refused row with its code.
    const report = await h.svc.report({ batchId: started.batchId });
    expect(report.csv).toContain('type_forbids');

    const undo = await h.svc.undo({ batchId: started.batchId, language: 'ru' });
    expect(await settledBatch(h, undo.batchId)).toBe('done');
    const undoReasons = new Set(h.store.audit.list({ limit: 100 }).filter((e) => e.batchId === undo.batchId).map((e) => e.reason));
    expect([...undoReasons]).toEqual([`Отмена пакета «Массовая заморозка до ${formatDayIn('ru', freezeTill)}»: closed for repairs`]);
    const undone = await readAll(h.api, chainId, ids);
    for (const id of ids) expect(undone.get(id)?.isFrozen, `membership ${id}`).toBe(false);
    expect(sandbox.control.stats().writesByAction.unfreeze).toBe(freezable.length);
    const audit = h.store.audit.list({ limit: 100 }).filter((e) => e.batchId === started.batchId);
    expect(audit).toHaveLength(freezable.length);
    expect(audit.every((e) => e.action === 'freeze' && e.outcome === 'ok' && e.reason === 'closed for repairs' && e.undoneBy !== null)).toBe(true);
  }, 60_000);

  it('pasted numbers resolve through the index; unknown and repeated ones are row problems; visits are added relative to each balance', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 6 });
    const k = sandbox.control.knownIds;
    h = await createHarness(sandbox);
    const b = createBulkHarness(h);
    const chainId = k.chains.northside;
    const before = await readAll(h.api, chainId, k.extra);
    b.index([...before.values()]);
    const [a, c] = [before.get(k.extra[0] as number) as Membership, before.get(k.extra[1] as number) as Membership];
    // A united and a per-service membership by number, one by id, an unknown number, a repeat.
    const text = `№${a.number}\n${c.number}; ${k.extra[2]} 99999999, ${a.number}`;
    const preview = await b.bulk.preview({ chainId, locationId: k.locations.chicago, action: { kind: 'visits', delta: 2 }, text, reason: 'goodwill' });
    expect(preview.rows.map((r) => [r.membershipId, r.outcome, r.code])).toEqual([
      [a.id, 'change', 'visits'],
      [c.id, 'change', 'visits'],
      [k.extra[2], 'change', 'visits'],
      [null, 'refused', 'unknown_ref'],
      [a.id, 'refused', 'duplicate'],
    ]);
    expect(preview.rows[0]?.params).toMatchObject({ before: String(unitedOf(a)), after: String(unitedOf(a) + 2) });

    const job = await b.bulk.apply({ previewId: preview.previewId });
    expect(await settledBatch(h, job.batchId)).toBe('done');
    const after = await readAll(h.api, chainId, [a.id, c.id]);
    expect(unitedOf(after.get(a.id))).toBe(unitedOf(a) + 2);
    const lines = after.get(c.id)?.balance.lines ?? [];
    for (const l of c.balance.lines.filter((x) => !x.unlimited)) expect(lines.find((x) => x.serviceId === l.serviceId)?.count).toBe(l.count + 2);
    expect(sandbox.control.stats().writesByAction.set_balance).toBe(3);
    // A preview is applied once.
    await expect(b.bulk.apply({ previewId: preview.previewId })).rejects.toMatchObject({ kind: 'not_found' });
  }, 60_000);

  it('extend validity by N days: each expiry moves N days later in the sandbox; undo restores every one', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 6 });
    const k = sandbox.control.knownIds;
    h = await createHarness(sandbox);
    const { bulk } = createBulkHarness(h);
    const chainId = k.chains.northside;
    const locationId = k.locations.chicago;
    const tz = h.chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? 'UTC';
    const ids = k.extra.slice(0, 4);
    const before = await readAll(h.api, chainId, ids);
    const preview = await bulk.preview({ chainId, locationId, action: { kind: 'extend', days: 10 }, ids, reason: 'closure' });
    expect(preview.totals).toEqual({ rows: 4, change: 4, refused: 0 });
    const job = await bulk.apply({ previewId: preview.previewId });
    expect(await settledBatch(h, job.batchId)).toBe('done');
    const after = await readAll(h.api, chainId, ids);
    for (const id of ids) {
      const was = localDateOf(before.get(id)?.expirationDate, tz) as string;
      expect(localDateOf(after.get(id)?.expirationDate, tz), `membership ${id}`).toBe(addDays(was, 10));
    }
    expect(sandbox.control.stats().writesByAction.set_period).toBe(4);
    const undo = await h.svc.undo({ batchId: job.batchId });
    expect(await settledBatch(h, undo.batchId)).toBe('done');
    const undone = await readAll(h.api, chainId, ids);
    for (const id of ids) expect(localDateOf(undone.get(id)?.expirationDate, tz), `membership ${id}`).toBe(localDateOf(before.get(id)?.expirationDate, tz));
  }, 60_000);

  it('refuses what the rules refuse: removing more visits than are left, unfreezing what is not frozen', async () => {
    sandbox = await startSandbox({ rate: null, extraMemberships: 2 });
    const k = sandbox.control.knownIds;
    h = await createHarness(sandbox);
    const { bulk } = createBulkHarness(h);
    const chainId = k.chains.northside;
    const ids = [k.extra[0] as number, k.memberships.danaFrozen, k.memberships.unlimitedUnited, k.memberships.balanceEditProhibited];
    const minus = await bulk.preview({ chainId, locationId: k.locations.chicago, action: { kind: 'visits', delta: -100 }, ids });
    expect(minus.rows.map((r) => r.code)).toEqual(['not_enough_visits', expect.any(String), 'unlimited', 'balance_edit_forbidden']);
    const unfreeze = await bulk.preview({ chainId, locationId: k.locations.chicago, action: { kind: 'unfreeze' }, ids });
    expect(unfreeze.rows.map((r) => r.code)).toEqual(['not_frozen', 'unfreeze', 'not_frozen', 'not_frozen']);
    await expect(bulk.apply({ previewId: minus.previewId })).rejects.toMatchObject({ kind: 'validation' });
  }, 60_000);

  it('survives SIGKILLs of the applying process (each once the journal shows more applied): resumed exactly, none lost, none twice', async () => {
    const N = 120;
    sandbox = await startSandbox({ rate: null, extraMemberships: 2 * N });
    const k = sandbox.control.knownIds;
    const chainId = k.chains.northside;
    const locationId = k.locations.chicago;
    const ids = k.extra.filter((_, i) => i % 2 === 0);
    expect(ids).toHaveLength(N);
    const dbPath = tempDbPath('bulk-crash-');
    const probe = await createHarness(sandbox, { dbPath });
    const tz = probe.chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? 'UTC';
    await probe.close();
    const freezeTill = addDays(todayIn(new Date(), tz), 3);
    const conn = { url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password };
    const CHILD = join(import.meta.dirname, '../support/batch-child.ts');
    let childArgs: Record<string, unknown> = { conn, dbPath, bulk: { chainId, locationId, ids, action: { kind: 'freeze', freezeTill } }, limiter: { perSecond: 60, perMinute: 3600 } };
    // The journal as the parent sees it on disk (the child writes it; WAL lets us read alongside).
    const applied = (batchId: string): number => {
      const db = new Database(dbPath, { readonly: true });
      try {
        const row = db.prepare("SELECT COUNT(*) AS n FROM batch_ops WHERE batch_id = ? AND state = 'applied'").get(batchId) as { n: number } | undefined;
        return Number(row?.n ?? 0);
      } finally {
        db.close();
      }
    };
    let batchId = '';
    for (const target of [15, 50, 85]) {
      const run = runTsChild(CHILD, childArgs);
      await run.started;
      const line = run.lines.find((l) => l.startsWith('batch '));
      if (line) batchId = line.slice('batch '.length);
      childArgs = { ...childArgs, bulk: undefined, batchId };
      await until(() => applied(batchId) >= target, () => run.lines.join('\n'));
      run.kill();
      const exit = await run.exit;
      expect(exit.signal, run.lines.join('\n')).toBe('SIGKILL');
      expect(sandbox.control.stats().writesByAction.freeze, `killed at ${target} applied`).toBeLessThan(N);
    }
    const last = runTsChild(CHILD, childArgs);
    const exit = await last.exit;
    expect(exit.code, last.lines.join('\n')).toBe(0);
    expect(last.lines).toContain('ready paused');
    expect(last.lines).toContain('state done');

    const stats = sandbox.control.stats();
    for (const id of ids) expect(stats.writes[id], `membership ${id}`).toBe(1);
    expect(stats.writesByAction.freeze).toBe(N);
    h = await createHarness(sandbox, { dbPath });
    const after = await readAll(h.api, chainId, ids);
    for (const id of ids) expect(localDateOf(after.get(id)?.freezeTill, tz), `membership ${id}`).toBe(freezeTill);
    const counts = h.svc.journal.counts(batchId);
    expect(counts.applied.ops).toBe(N);
    expect(counts.intent.ops + counts.pending.ops + counts.failed.ops + counts.conflict.ops).toBe(0);
    const audit = h.store.audit.list({ limit: 5000 }).filter((e) => e.batchId === batchId);
    expect(audit).toHaveLength(N);
    expect(audit.every((e) => e.outcome === 'ok')).toBe(true);
  }, 240_000);
});
