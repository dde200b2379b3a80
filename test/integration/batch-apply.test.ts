/**
 * Batch corrections end to end against the sandbox over real HTTP, with the real client, rate
 * limiter and store (SQLite file): prepare (plan) → apply → exact final balances and write counts;
 * conflicts (a balance changed between plan and apply is not overwritten); the report CSV; undo of a
 * batch with one conflicting change; the audit log.
 */
import { csvSeparator, LANGUAGES } from '../../common/i18n/languages';
import Papa from 'papaparse';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Membership } from '../../preload/contract';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { isDeskFailure } from '../../main/core/errors';
import { auditCsv } from '../../main/core/audit-export';
import { until } from '../support/child-run';
import { applyCheck, checkText, correctionsFor, createHarness, csvOf, sameBalances, type CheckOptions, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';

let sandbox: Sandbox;
let h: Harness;

beforeEach(async () => {
  sandbox = await startSandbox({ rate: null, extraMemberships: 120 });
  h = await createHarness(sandbox);
});
afterEach(async () => {
  await h?.close();
  await sandbox?.close();
});

const ids = () => sandbox.control.knownIds;
const services = () => ({ pool: ids().services.pool, sauna: ids().services.sauna });
const chainId = () => ids().chains.northside;
const locationId = () => ids().locations.chicago;

async function read(idList: readonly number[]): Promise<Map<number, Membership>> {
  return new Map((await h.api.membershipsByIds(chainId(), idList)).map((m) => [m.id, m]));
}

const place = () => ({ chainId: chainId(), locationId: locationId() });

async function prepare(csv: string, options: CheckOptions = {}) {
  return checkText(h.svc, place(), csv, options);
}

describe('batch apply against the sandbox', () => {
  it('plans, applies every operation exactly once, and ends with the exact planned balances', async () => {
    const extra = ids().extra.slice(0, 100);
    const before = await read(extra);
    const { rows, expected } = correctionsFor([...before.values()], services());
    const invalid = `${csvOf(rows)}999999999;;5;;nope\r\n${extra[0]};;;;empty\r\n`;
    const prep = await prepare(invalid);
    expect(prep.totals).toEqual({ rows: rows.length + 2, toChange: rows.length, unchanged: 0, invalid: 2, memberships: 100 });
    expect(prep.problemCount).toBe(2);
    expect(prep.problems.map((p) => p.line)).toEqual([rows.length + 2, rows.length + 3]);
    expect(prep.estimateMs).toBeGreaterThan(0);

    const page = await h.svc.rows({ checkId: prep.checkId as string, offset: 0, limit: 5 });
    expect(page.total).toBe(rows.length + 2);
    expect(page.rows.every((r) => r.status === 'change')).toBe(true);
    const problems = await h.svc.rows({ checkId: prep.checkId as string, offset: 0, limit: 50, onlyProblems: true });
    expect(problems.total).toBe(2);

    sandbox.control.resetStats();
    const started = await applyCheck(h.svc, prep);
    const batchId = started.batchId;
    expect(started.state).toBe('running');
    await expect(settledBatch(h, batchId)).resolves.toBe('done');

    const stats = sandbox.control.stats();
    expect(stats.writesByAction.set_balance).toBe(100);
    for (const id of extra) expect(stats.writes[id]).toBe(1);
    // 1 write per membership + one re-read per 50.
    expect(stats.requests).toBe(100 + 2);

    const after = await read(extra);
    for (const id of extra) expect(sameBalances(after.get(id) as Membership, expected.get(id) as never)).toBe(true);

    const list = await h.svc.list();
    expect(list.batches).toHaveLength(1);
    expect(list.batches[0]).toMatchObject({ batchId, kind: 'apply', state: 'done', done: rows.length, failed: 0, conflicts: 0 });

    const last = h.progress[h.progress.length - 1];
    expect(last).toMatchObject({ batchId, state: 'done', total: rows.length, done: rows.length, etaMs: 0 });

    const audit = h.store.audit.list({ limit: 5000 }).filter((e) => e.batchId === batchId);
    expect(audit).toHaveLength(100);
    expect(audit.every((e) => e.outcome === 'ok' && e.action === 'set_balance')).toBe(true);
    const one = audit.find((e) => e.membershipId === extra[0]);
    expect(one?.reason).toBe('top-up 0');
    expect(one?.after).toMatchObject({ united: expected.get(extra[0] as number)?.united });
  });

  it('marks a balance changed between plan and apply as a conflict and does not overwrite it', async () => {
    const extra = ids().extra.slice(0, 10);
    const before = await read(extra);
    const { rows } = correctionsFor([...before.values()], services());
    const prep = await prepare(csvOf(rows));
    const united = extra[0] as number; // united
    const perService = extra[1] as number; // pool + sauna
    sandbox.control.setBalanceDirect(united, { united: 42 });
    sandbox.control.setBalanceDirect(perService, { services: [{ serviceId: services().sauna, balance: 33 }] });
    sandbox.control.resetStats();

    const { batchId } = await applyCheck(h.svc, prep);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');

    const stats = sandbox.control.stats();
    expect(stats.writes[united]).toBeUndefined();
    expect(stats.writes[perService]).toBeUndefined();
    expect(stats.writesByAction.set_balance).toBe(8);
    const now = await read([united, perService]);
    expect(now.get(united)?.balance).toMatchObject({ kind: 'united', count: 42 });
    expect(now.get(perService)?.balance.lines.find((l) => l.serviceId === services().sauna)?.count).toBe(33);

    const summary = (await h.svc.list()).batches[0];
    expect(summary).toMatchObject({ done: rows.length - 3, conflicts: 3, failed: 0 });
    const table = await h.svc.rows({ batchId, offset: 0, limit: 100 });
    const conflicts = table.rows.filter((r) => r.status === 'conflict');
    expect(conflicts).toHaveLength(3);
    expect(conflicts[0]?.message).toMatch(/Changed since the plan: now shared balance 42/);
    // "Only rows with problems" after the apply: the conflicts are problems too (not only invalid rows).
    const problems = await h.svc.rows({ batchId, offset: 0, limit: 100, onlyProblems: true });
    expect(problems.total).toBe(3);
    expect(problems.rows.map((r) => r.status)).toEqual(['conflict', 'conflict', 'conflict']);
    const audit = h.store.audit.list({ membershipId: united });
    expect(audit[0]).toMatchObject({ outcome: 'failed', batchId: batchId });
    expect(audit[0]?.message).toMatch(/^Conflict: Changed since the plan: now shared balance 42/);
    // The audit log keeps it by reference: its export (and screen) word it in the language in use.
    const exported = auditCsv(audit, { language: 'ru', delimiter: ';' }).csv;
    expect(exported).toContain(';Конфликт: Изменился после планирования: сейчас общий остаток 42');
    expect(exported).not.toContain('Conflict');
    // The report in Russian words the conflicts too (the journal keeps them by reference).
    const ru = (await h.svc.report({ batchId, delimiter: ';', language: 'ru' })).csv.slice(1).split('\r\n');
    const conflictLines = ru.filter((line) => line.includes(';Изменено кем-то другим;'));
    expect(conflictLines.length, ru.join('\n')).toBe(3);
    expect(conflictLines.every((line) => !/Changed since the plan/.test(line))).toBe(true);
  });

  it('reports every row (invalid ones included) as formula-safe CSV with a BOM', async () => {
    const extra = ids().extra.slice(0, 4);
    const before = await read(extra);
    const { rows } = correctionsFor([...before.values()], services());
    const csv = `${csvOf(rows)}${extra[0]};;=1+1;;=HYPERLINK("x")\r\n`;
    const prep = await prepare(csv, { fileName: 'march.csv' });
    const { batchId } = await applyCheck(h.svc, prep);
    await settledBatch(h, batchId);
    const report = await h.svc.report({ batchId });
    expect(report.fileName).toBe('march-report.csv');
    expect(report.csv.startsWith('\uFEFF')).toBe(true);
    const parsed = Papa.parse<string[]>(report.csv.slice(1), { delimiter: ';' }).data.filter((r) => r.length > 1);
    expect(parsed[0]).toEqual(['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client']);
    expect(parsed).toHaveLength(rows.length + 2);
    expect(parsed.slice(1, -1).every((r) => r[6] === 'Applied')).toBe(true);
    const bad = parsed[parsed.length - 1] as string[];
    expect(bad[6]).toBe('Problem');
    expect(bad[7]).toBe('“=1+1” is not a number of visits.');
    expect(bad[1]).toBe(String(rows.length + 2));
    for (const cell of parsed.flat()) expect(/^[=+\-@]/.test(cell)).toBe(false);
    // In the interface language's separator when the renderer names it (issue 12): BOM always.
    for (const lang of LANGUAGES) {
      const d = csvSeparator(lang);
      const inLang = await h.svc.report({ batchId, delimiter: d });
      expect(inLang.csv.startsWith(`\uFEFFrow${d}line${d}membership${d}`), lang).toBe(true);
    }
    // In the language in use (issue 12): the journal keeps the rows' problems by reference.
    const ru = Papa.parse<string[]>((await h.svc.report({ batchId, delimiter: ';', language: 'ru' })).csv.slice(1), { delimiter: ';' }).data.filter((r) => r.length > 1);
    expect(ru[0]).toEqual(['№ строки', 'строка файла', 'абонемент', 'услуга', 'было', 'стало', 'результат', 'сообщение', 'клиент']);
    expect(ru.slice(1, -1).every((r) => r[6] === 'Применено')).toBe(true);
    expect(ru.at(-1)?.slice(6, 8)).toEqual(['Проблема', '«=1+1» — не число визитов.']);
  });

  it('undoes a batch: restores the before values, leaves a balance someone changed since, and is itself journaled', async () => {
    const extra = ids().extra.slice(0, 12);
    const before = await read(extra);
    const { rows } = correctionsFor([...before.values()], services());
    const prep = await prepare(csvOf(rows));
    const { batchId } = await applyCheck(h.svc, prep);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');

    const touched = extra[2] as number; // united, changed by someone after the batch
    sandbox.control.setBalanceDirect(touched, { united: 77 });
    sandbox.control.resetStats();
    const undo = await h.svc.undo({ batchId });
    expect(undo).toMatchObject({ kind: 'undo', undoOf: batchId, state: 'running' });
    await expect(settledBatch(h, undo.batchId)).resolves.toBe('done');

    const now = await read(extra);
    for (const id of extra) {
      if (id === touched) expect(now.get(id)?.balance).toMatchObject({ count: 77 });
      else expect(sameBalances(now.get(id) as Membership, { ...balancesOfMembership(before.get(id) as Membership) })).toBe(true);
    }
    expect(sandbox.control.stats().writesByAction.set_balance).toBe(11);

    const list = (await h.svc.list()).batches;
    const orig = list.find((b) => b.batchId === batchId);
    const u = list.find((b) => b.batchId === undo.batchId);
    expect(orig?.undoneBy).toBe(undo.batchId);
    expect(u).toMatchObject({ conflicts: 1, failed: 0, done: rows.length - 1 });
    await expect(h.svc.undo({ batchId })).rejects.toMatchObject({ kind: 'conflict', msg: { key: 'error.app.batchAlreadyUndone' } });

    // The audit log links each restored entry to the entry it undid.
    const entries = h.store.audit.list({ limit: 5000 });
    const undone = entries.filter((e) => e.batchId === batchId && e.undoneBy !== null);
    expect(undone).toHaveLength(11);
    const undoEntries = entries.filter((e) => e.batchId === undo.batchId && e.action === 'undo' && e.outcome === 'ok');
    expect(undoEntries).toHaveLength(11);
    expect(undoEntries.every((e) => e.undoOf !== null)).toBe(true);
  });

  it('a row without a reason keeps one worded in the language of the person who checked the file; a batch undo words its reasons in the language it was asked in', async () => {
    const [united, other] = [...(await read(ids().extra.slice(0, 10))).values()].filter((m) => m.balance.kind === 'united').map((m) => m.id) as [number, number];
    const prep = await prepare(`membership_id;delta;reason\r\n${united};+1;\r\n${other};+1;пересчёт\r\n`, { language: 'ru' });
    const { batchId } = await applyCheck(h.svc, prep);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');
    const reasons = (batch: string) => new Map(h.store.audit.list({ limit: 100 }).filter((e) => e.batchId === batch).map((e) => [e.membershipId, e.reason]));
    expect(reasons(batchId)).toEqual(new Map([[united, 'Массовое исправление остатков'], [other, 'пересчёт']]));
    // The undo, asked for in Spanish: its reasons say so in Spanish around the reasons kept.
    const undo = await h.svc.undo({ batchId, language: 'es' });
    await expect(settledBatch(h, undo.batchId)).resolves.toBe('done');
    expect(reasons(undo.batchId)).toEqual(
      new Map([
        [united, 'Se deshizo el lote «corrections.csv»: Массовое исправление остатков'],
        [other, 'Se deshizo el lote «corrections.csv»: пересчёт'],
      ]),
    );
  });

  it('finds memberships by number and client phone (as written in the file: +, spaces, dashes) and applies them', async () => {
    const { dana } = ids();
    const m = (await read([ids().memberships.danaUnitedWeeks])).get(ids().memberships.danaUnitedWeeks)!;
    expect(m.balance.kind).toBe('united');
    const phone = dana.phone.replace(/^(\+\d)(\d{3})(\d{3})(\d+)$/, '$1 ($2) $3-$4');
    const prep = await prepare(`number;phone;delta;reason\r\n${m.number};${phone};+1;by number\r\n${m.number};+10000000000;+1;wrong phone\r\n`);
    expect(prep).toMatchObject({ problemCount: 1, totals: { toChange: 1, invalid: 1, memberships: 1 } });
    expect(prep.problems[0]?.msg).toEqual({ key: 'batch.problem.unknownNumber', params: { number: m.number, phone: '10000000000' } });
    expect(prep.problems[0]?.message).toBe(`No membership № ${m.number} was found for phone 10000000000.`);
    const { batchId } = await applyCheck(h.svc, prep);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');
    const after = (await read([m.id])).get(m.id)!;
    expect(after.balance.kind === 'united' && after.balance.count).toBe(m.balance.kind === 'united' ? m.balance.count + 1 : -1);
  });

  it('reports progress while it reads the memberships a file names, and a newer check stops an older one', async () => {
    const big = await startSandbox({ rate: null, extraMemberships: 1000 });
    // What the reads of a check fail with, as the session's guard sees it (it takes a DeskFailure
    // other than "offline" as proof the server answered).
    const readErrors: unknown[] = [];
    const fresh = await createHarness(big, {
      readCacheMs: 0, // every check reads
      wrapApi: (api) => ({
        ...api,
        membershipsByIds: (...a: Parameters<typeof api.membershipsByIds>) => api.membershipsByIds(...a).catch((e: unknown) => Promise.reject((readErrors.push(e), e))),
      }),
    });
    const bigIds = big.control.knownIds;
    const check = (csv: string) => checkText(fresh.svc, { chainId: bigIds.chains.northside, locationId: bigIds.locations.chicago }, csv, { fileName: 'p.csv', lookups: true });
    try {
      const prep = await check(`number;phone;delta\r\n1;${bigIds.dana.phone};+1\r\n`);
      expect(prep.totals.rows).toBe(1);
      expect(fresh.checkProgress.map((p) => [p.done, p.total])).toEqual([
        [0, 1],
        [1, 1],
      ]);
      fresh.checkProgress.length = 0;
      const extra = bigIds.extra.slice(0, 120); // 3 pages of ids
      await check(`membership_id;delta\r\n${extra.map((id) => `${id};+1`).join('\r\n')}\r\n`);
      const seen = fresh.checkProgress.map((p) => [p.done, p.total]);
      expect(seen[0]).toEqual([0, 3]);
      expect(seen.at(-1)).toEqual([3, 3]);
      expect(fresh.checkProgress.every((p, i, all) => i === 0 || p.done >= (all[i - 1] as { done: number }).done)).toBe(true);
      expect(fresh.checkProgress.every((p) => typeof p.etaMs === 'number' && p.etaMs >= 0)).toBe(true);

      // A slow limit: the first check is still waiting for the limiter when the second one starts.
      const many = bigIds.extra.slice(0, 1000); // 20 pages
      expect(many).toHaveLength(1000);
      fresh.limiter.setLimits({ perSecond: 5, perMinute: 300 });
      big.control.resetStats();
      const first = check(`membership_id;delta\r\n${many.map((id) => `${id};+1`).join('\r\n')}\r\n`);
      // Started: its first pages went out (it reads 20 pages at 5 per second).
      await vi.waitFor(() => expect(fresh.checkProgress.at(-1)).toMatchObject({ done: expect.any(Number), total: 20 }), { timeout: 5000 });
      const eventsBefore = fresh.checkProgress.length;
      const second = check(`membership_id;delta\r\n${many[0]};+1\r\n`);
      await expect(first).rejects.toMatchObject({ kind: 'conflict', message: expect.stringMatching(/another file/) });
      await expect(second).resolves.toMatchObject({ totals: { toChange: 1 } });
      // The first stopped reading: far fewer than its 20 pages went out; after the second check
      // started, every progress event was the second's (total 1).
      expect(big.control.stats().requests).toBeLessThan(15);
      expect(fresh.checkProgress.slice(eventsBefore).every((p) => p.total === 1)).toBe(true);
      expect(fresh.limiter.stats().queued).toBe(0);
      // The stopped reads failed with something that is no verdict on the network.
      expect(readErrors.length).toBeGreaterThan(0);
      for (const e of readErrors) expect(isDeskFailure(e)).toBe(false);
    } finally {
      await fresh.close();
      await big.close();
    }
  });

  it('a new check of the same file reuses the memberships just read, until something is written', async () => {
    const extra = ids().extra.slice(0, 120); // 3 pages
    const csv = `membership_id;delta;reason\r\n${extra.map((id) => `${id};+1;r`).join('\r\n')}\r\n`;
    sandbox.control.resetStats();
    const first = await prepare(csv);
    expect(sandbox.control.stats().requests).toBe(3);
    // Other settings, same place: no request; same plan.
    const again = await prepare(csv, { mapping: { membership_id: 0, delta: 1 } });
    expect(sandbox.control.stats().requests).toBe(3);
    expect(again.totals).toEqual(first.totals);
    // Another location: read again.
    await checkText(h.svc, { chainId: chainId(), locationId: ids().locations.berlin }, csv);
    expect(sandbox.control.stats().requests).toBe(6);
    // A write (a batch applied here) makes the next check read again.
    const one = await prepare(`membership_id;delta\r\n${extra[0]};+1\r\n`);
    const applied = await applyCheck(h.svc, one);
    await expect(settledBatch(h, applied.batchId)).resolves.toBe('done');
    sandbox.control.resetStats();
    const after = await prepare(csv);
    expect(sandbox.control.stats().requests).toBe(3);
    expect(after.totals.toChange).toBe(first.totals.toChange);
  });

  it('remembers a delimiter chosen by hand for files that start with the same line', async () => {
    const id = ids().extra[0] as number;
    // Both ";" and "," split this file consistently; detection takes ";", the user means ",".
    const csv = `membership_id;note,balance\r\n${id};x,5\r\n`;
    const detected = await prepare(csv);
    expect(detected).toMatchObject({ delimiter: ';', delimiterSource: 'detected' });
    const chosen = await prepare(csv, { delimiter: ',' });
    expect(chosen).toMatchObject({ delimiter: ',', delimiterSource: 'chosen', headers: ['membership_id;note', 'balance'] });
    // The next file starting with the same line is read with ",", and says why.
    const again = await prepare(`membership_id;note,balance\r\n${id};y,6\r\n`);
    expect(again).toMatchObject({ delimiter: ',', delimiterSource: 'remembered', headers: ['membership_id;note', 'balance'] });
    // Another first line: detected as before.
    expect(await prepare(`membership_id;balance\r\n${id};5\r\n`)).toMatchObject({ delimiter: ';', delimiterSource: 'detected' });
    // Choosing the detected one again replaces the memory.
    await prepare(csv, { delimiter: ';' });
    expect(await prepare(csv)).toMatchObject({ delimiter: ';', delimiterSource: 'detected' });
  });

  it('remembers a manual column mapping for files with the same header, and starts interrupted jobs paused', async () => {
    const id = ids().extra[0] as number;
    const csv = `Абонемент;Сколько;Зачем\r\n${id};5;fix\r\n`;
    const first = await prepare(csv);
    expect(first.mappingSource).toBe('auto');
    expect(first.problemCount).toBeGreaterThan(0);
    const manual = await prepare(csv, { mapping: { membership_id: 0, balance: 1, reason: 2 } });
    expect(manual).toMatchObject({ mappingSource: 'manual', problemCount: 0, totals: { toChange: 1 } });
    const again = await prepare(csv);
    expect(again.mappingSource).toBe('remembered');
    expect(again.mapping).toMatchObject({ membership_id: 0, balance: 1, reason: 2, delta: null });

    // A job the journal shows as running when the app starts was interrupted: it becomes paused.
    const { batchId } = await applyCheck(h.svc, again);
    const path = h.store.path;
    await h.close();
    const reopened = await createHarness(sandbox, { dbPath: path });
    reopened.svc.journal.setState(batchId, 'running'); // as a crash leaves it
    await reopened.close();
    h = await createHarness(sandbox, { dbPath: path });
    const list = (await h.svc.list()).batches;
    expect(list.find((b) => b.batchId === batchId)).toMatchObject({ state: 'paused' });
    expect(h.svc.journal.job(batchId)?.message).toMatch(/Interrupted/);
    await h.svc.resume({ batchId: batchId });
    await expect(settledBatch(h, batchId)).resolves.toBe('done');
    expect((await read([id])).get(id)?.balance).toMatchObject({ count: 5 });
  });

  it('pauses at an operation boundary, resumes from the journal, and cancels with the rest skipped', async () => {
    await h.close();
    h = await createHarness(sandbox, { limiter: { perSecond: 40, perMinute: 2400 } });
    const extra = ids().extra.slice(0, 120);
    const before = await read(extra);
    const { rows } = correctionsFor([...before.values()], services());
    const prep = await prepare(csvOf(rows));
    sandbox.control.resetStats();
    const { batchId } = await applyCheck(h.svc, prep);
    const writes = () => sandbox.control.stats().writesByAction.set_balance;
    // A few rows out (observed, not a fixed delay: a busy machine may take longer), then pause.
    await until(() => writes() >= 5, () => '');
    const paused = await h.svc.pause({ batchId });
    expect(paused.state).toBe('paused');
    const writesAtPause = writes();
    expect(writesAtPause).toBeGreaterThan(0);
    expect(writesAtPause).toBeLessThan(120);
    // Paused sends nothing more: an absence has no state to wait for, so look again a moment later.
    await new Promise((r) => setTimeout(r, 200));
    expect(writes()).toBe(writesAtPause);

    await h.svc.resume({ batchId });
    // Running again (observed), then cancel while most rows are still to go.
    await until(() => writes() >= writesAtPause + 5, () => '');
    const cancelled = await h.svc.cancel({ batchId });
    expect(cancelled.state).toBe('cancelled');
    const stats = sandbox.control.stats();
    const written = Object.keys(stats.writes).map(Number);
    for (const id of written) expect(stats.writes[id]).toBe(1);
    const table = await h.svc.rows({ batchId, offset: 0, limit: 1000 });
    const byStatus = (s: string) => table.rows.filter((r) => r.status === s).length;
    expect(byStatus('applied') + byStatus('skipped')).toBe(rows.length);
    expect(byStatus('skipped')).toBeGreaterThan(0);
    expect(cancelled.done).toBe(byStatus('applied'));
    // What was applied is exactly what the sandbox received.
    const now = await read(extra);
    const expected = correctionsFor([...before.values()], services()).expected;
    for (const id of extra) {
      const m = now.get(id) as Membership;
      if (written.includes(id)) expect(sameBalances(m, expected.get(id) as never)).toBe(true);
      else expect(sameBalances(m, balancesOfMembership(before.get(id) as Membership))).toBe(true);
    }
  });
});

function balancesOfMembership(m: Membership) {
  if (m.balance.kind === 'united') return { united: m.balance.count, services: {} };
  return { services: Object.fromEntries(m.balance.lines.map((l) => [l.serviceId, l.count])) };
}
