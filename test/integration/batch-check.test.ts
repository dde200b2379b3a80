/**
 * Checking a file (batch.open once, batch.check per setting) against the sandbox over real HTTP:
 * no batch job until Apply; a file by phone says what its lookups cost and asks first (its own
 * problems shown at once); a stopped check stops its reads, as the sandbox's request log shows.
 */
import iconv from 'iconv-lite';
import { csvSeparator } from '../../common/i18n/languages';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { applyCheck, checkText, createHarness, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';

let sandbox: Sandbox;
let h: Harness;

beforeEach(async () => {
  sandbox = await startSandbox({ rate: null, extraMemberships: 60 });
  h = await createHarness(sandbox, { askAboveRequests: 20, readCacheMs: 0 });
});
afterEach(async () => {
  await h?.close();
  await sandbox?.close();
});

const ids = () => sandbox.control.knownIds;
const place = () => ({ chainId: ids().chains.northside, locationId: ids().locations.chicago });
const jobCount = () => Number((h.store.db.prepare('SELECT count(*) AS n FROM batch_jobs').get() as { n: number }).n);
const phoneLookups = (log: readonly string[]) => log.filter((line) => /^GET \/api(\/v1)?\/loyalty\/abonements\?.*phone=/.test(line)).length;
const idPageReads = (log: readonly string[]) => log.filter((line) => /^GET \/api(\/v1)?\/chain\/\d+\/loyalty\/abonements\?.*abonements_ids/.test(line)).length;

/** `n` rows naming memberships by number + phone, each phone different (one lookup each). */
function byPhone(n: number, extra = ''): string {
  const lines = ['number;phone;delta;reason'];
  for (let i = 0; i < n; i++) lines.push(`${100 + i};+1 555 010 ${String(1000 + i)};+1;r`);
  return `${lines.join('\r\n')}\r\n${extra}`;
}

describe('batch check', () => {
  // Issue 12: files as Spanish and Brazilian staff save them from Excel (Windows-1252, ';', their
  // own words in the header row, accents included): every column is found by its header alone.
  for (const [lang, header] of [
    ['es', 'ID del abono;Servicio;Cambio (+/−);Motivo'],
    ['pt-BR', 'ID da assinatura;Serviço;Alteração;Observações'],
  ] as const) {
    it(`${lang}: a Windows-1252 file with the language's headers maps every column and plans its rows`, async () => {
      const extra = [0, 2].map((i) => ids().extra[i] as number); // plain united memberships
      const csv = `${header}\r\n${extra.map((id) => `${id};;+1;Compensação ação`).join('\r\n')}\r\n`;
      const { fileId } = await h.svc.open({ fileName: `${lang}.csv`, bytes: iconv.encode(csv.replace('−', '-'), 'win1252') });
      const check = await h.svc.check({ fileId, ...place(), language: lang });
      expect(check.delimiter).toBe(';');
      expect(check.headers[3]).toBe(header.split(';')[3]);
      expect(check.mapping).toEqual({ membership_id: 0, service: 1, delta: 2, reason: 3, balance: null, number: null, phone: null, service_id: null });
      expect(check.mappingSource).toBe('auto');
      expect(check.problems).toEqual([]);
      expect(check.totals).toMatchObject({ rows: 2, invalid: 0, toChange: 2 });
    });
  }

  it('opens a file once, checks it with other settings without sending it again, and creates the batch only at apply', async () => {
    const extra = [0, 2, 4].map((i) => ids().extra[i] as number); // plain united memberships
    const csv = `membership_id;delta;reason\r\n${extra.map((id) => `${id};+1;r`).join('\r\n')}\r\n`;
    const { fileId, size } = await h.svc.open({ fileName: 'a.csv', bytes: new TextEncoder().encode(csv) });
    expect(size).toBe(csv.length);
    const first = await h.svc.check({ fileId, ...place() });
    const second = await h.svc.check({ fileId, ...place(), mapping: { membership_id: 0, delta: 1 } });
    expect(second.totals).toEqual(first.totals);
    expect(second.checkId).not.toBe(first.checkId);
    expect(jobCount()).toBe(0);

    // The rows of the latest check page from memory; an older check is no longer current.
    const rows = await h.svc.rows({ checkId: second.checkId as string, offset: 1, limit: 5 });
    expect(rows).toMatchObject({ total: 3, rows: [{ line: 3, status: 'change' }, { line: 4, status: 'change' }] });
    await expect(h.svc.rows({ checkId: first.checkId as string, offset: 0, limit: 5 })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(h.svc.apply({ checkId: first.checkId as string })).rejects.toMatchObject({ kind: 'not_found' });

    const job = await applyCheck(h.svc, second);
    expect(jobCount()).toBe(1);
    await expect(settledBatch(h, job.batchId)).resolves.toBe('done');
    // One check makes one batch.
    await expect(h.svc.apply({ checkId: second.checkId as string })).rejects.toMatchObject({ kind: 'not_found' });
    expect(jobCount()).toBe(1);
  });

  it('a file by phone says what its lookups cost and asks first, showing the file’s own problems at once', async () => {
    sandbox.control.resetStats();
    const asked = await checkText(h.svc, place(), byPhone(25, `7;+1 555;+1;short phone\r\n8;+1 555 010 2000;lots;bad delta\r\n`));
    expect(asked.checkId).toBeNull();
    expect(asked.lookups).toMatchObject({ state: 'ask', phones: 25, idPages: 0, requests: 25 });
    expect(asked.lookups.estimateMs).toBeGreaterThan(0);
    // Nothing was read, yet the rows' own problems are there.
    expect(sandbox.control.stats().requests).toBe(0);
    expect(asked.problems.map((p) => p.line)).toEqual([27, 28]);
    expect(asked.totals).toMatchObject({ rows: 27, invalid: 2, toChange: 0 });

    const { fileId } = await h.svc.open({ fileName: 'p.csv', bytes: new TextEncoder().encode(byPhone(25)) });
    const agreed = await h.svc.check({ fileId, ...place(), lookups: true });
    expect(agreed.lookups).toMatchObject({ state: 'done', phones: 25 });
    expect(phoneLookups(sandbox.control.stats().requestLog)).toBe(25);
    expect(agreed.checkId).not.toBeNull();

    // A small file is read without asking.
    const small = await checkText(h.svc, place(), byPhone(3));
    expect(small.lookups).toMatchObject({ state: 'done', phones: 3 });
  });

  it('a stopped check stops its reads: no lookup reaches the sandbox after it answered', async () => {
    h.limiter.setLimits({ perSecond: 5, perMinute: 300 });
    const { fileId } = await h.svc.open({ fileName: 'slow.csv', bytes: new TextEncoder().encode(byPhone(200)) });
    sandbox.control.resetStats();
    const running = h.svc.check({ fileId, ...place(), lookups: true });
    await vi.waitFor(() => expect(h.checkProgress.at(-1)?.done ?? 0).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    await expect(h.svc.stopCheck()).resolves.toEqual({ stopped: true });
    const stopped = await running;
    expect(stopped.checkId).toBeNull();
    expect(stopped.lookups.state).toBe('stopped');
    expect(stopped.lookups.phones).toBeGreaterThan(150);
    expect(h.limiter.stats().queued).toBe(0);

    // A marker request after the check answered: whatever reaches the sandbox after it is not the check's.
    await h.api.membershipsByIds(ids().chains.northside, [ids().extra[0] as number]);
    const log = sandbox.control.stats().requestLog;
    const marker = log.findIndex((line) => line.includes('abonements_ids'));
    expect(marker).toBeGreaterThan(0);
    expect(phoneLookups(log.slice(marker))).toBe(0);
    expect(phoneLookups(log)).toBeLessThan(50);
    await expect(h.svc.stopCheck()).resolves.toEqual({ stopped: false });
  });

  it('a stopped check stops its id-page reads too: no page reaches the sandbox after it answered', async () => {
    h.limiter.setLimits({ perSecond: 5, perMinute: 300 });
    // 1,500 ids (60 known, the rest absent): 30 pages of 50, read a few at a time.
    const known = ids().extra.map(Number);
    const rows = Array.from({ length: 1500 }, (_, i) => known[i] ?? 900_000 + i);
    const csv = `membership_id;delta;reason\r\n${rows.map((id) => `${id};+1;r`).join('\r\n')}\r\n`;
    const { fileId } = await h.svc.open({ fileName: 'ids.csv', bytes: new TextEncoder().encode(csv) });
    sandbox.control.resetStats();
    const running = h.svc.check({ fileId, ...place(), lookups: true });
    await vi.waitFor(() => expect(h.checkProgress.at(-1)?.done ?? 0, 'no id page was read').toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    await expect(h.svc.stopCheck()).resolves.toEqual({ stopped: true });
    const stopped = await running;
    expect(stopped.checkId).toBeNull();
    expect(stopped.lookups).toMatchObject({ state: 'stopped', phones: 0 });
    expect(stopped.lookups.idPages).toBeGreaterThan(20);
    expect(h.limiter.stats().queued).toBe(0);

    // A marker request after the check answered (a phone look-up: this file has none of its own).
    await h.api.membershipsByPhone(place().locationId, '15550109999');
    const log = sandbox.control.stats().requestLog;
    const marker = log.findIndex((line) => /phone=/.test(line));
    expect(marker).toBeGreaterThan(0);
    expect(idPageReads(log.slice(0, marker))).toBeGreaterThanOrEqual(3);
    expect(idPageReads(log.slice(marker))).toBe(0);
    expect(idPageReads(log)).toBeLessThan(20);
    await expect(h.svc.stopCheck()).resolves.toEqual({ stopped: false });
  });

  it('the fix-me file: the rows with problems as they were in the file, plus what is wrong, in the file\'s own delimiter', async () => {
    const id = ids().extra[0] as number;
    const csv = `membership_id;delta;reason\r\n${id};+1;fine\r\n${id};lots;"bad; really"\r\n999999999;+1;=HYPERLINK("x")\r\n`;
    const { fileId } = await h.svc.open({ fileName: 'März.csv', bytes: new TextEncoder().encode(csv) });
    const check = await h.svc.check({ fileId, ...place() });
    expect(check.problemCount).toBe(2);
    const fix = await h.svc.fixMe({ fileId });
    expect(fix.fileName).toBe('März-fix-me.csv');
    expect(fix.csv.startsWith('\uFEFF')).toBe(true);
    const lines = fix.csv.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('membership_id;delta;reason;problem');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${id};lots;"bad; really";.+`));
    // The interface language's separator when the renderer names it (English Excel: ','), BOM always.
    const en = await h.svc.fixMe({ fileId, delimiter: csvSeparator('en') });
    expect(en.csv.startsWith('\uFEFFmembership_id,delta,reason,problem\r\n')).toBe(true);
    expect(en.csv).toContain(`${id},lots,bad; really,`);
    // Formula-safe, like every CSV the app writes (a count read back ignores the ' before it).
    expect(lines[2]?.startsWith(`999999999;'+1;"'=HYPERLINK(""x"")";`)).toBe(true);
    expect(lines[2]).toMatch(/No membership with ID 999999999/);
    // In the language in use (issue 12): the problem column's name and texts, a cell's column named as in the file.
    const ru = (await h.svc.fixMe({ fileId, language: 'ru' })).csv.slice(1).trim().split('\r\n');
    expect(ru[0]).toBe('membership_id;delta;reason;проблема');
    expect(ru[1]).toBe(`${id};lots;"bad; really";delta: «lots» — не изменение вида +3 или -2.`);
    expect(ru[2]).toMatch(/;Абонемент с ID 999999999 не найден\.$/);
    // Another person's (or an unknown) file: not found.
    await expect(h.svc.fixMe({ fileId: 'no-such-file' })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
