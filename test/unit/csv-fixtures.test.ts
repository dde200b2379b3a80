import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLookups } from '../../main/core/batch/plan-resolve';
import { planBatch, readBatch } from '../../main/core/batch/pipeline';
import { buildReportCsv } from '../../main/core/batch/report';
import { correctionsOf, reportRowsFromPlan } from '../support/batch-views';
import { DeskFailure } from '../../main/core/errors';
import { generateBatch, makeMembership, smallFixtures } from '../../scripts/gen-csv-fixture';

/** Read and plan in one go, as the app does once the memberships are at hand (check.ts). */
const prepareBatch = (bytes: Uint8Array, options: Parameters<typeof readBatch>[1] & Parameters<typeof planBatch>[2], lookups: Parameters<typeof planBatch>[1]) => planBatch(readBatch(bytes, options), lookups, options);

const dir = resolve(import.meta.dirname, '../fixtures/csv');
const load = (name: string) => new Uint8Array(readFileSync(resolve(dir, name)));

const PILATES = { id: 12840551, title: 'Пилатес групповой' };
const YOGA = { id: 12840552, title: 'Йога' };
const MASSAGE = { id: 9911201, title: 'Массаж спины' };

/** The memberships the fixtures talk about. */
function lookups() {
  const m1 = makeMembership(4471902, { united: false, lines: [{ ...PILATES, count: 7 }] });
  const m2 = makeMembership(4471903, { united: true, lines: [], unitedCount: 1 });
  const m3 = makeMembership(4471904, { united: false, lines: [{ ...YOGA, count: 1 }, { ...MASSAGE, count: 2 }] });
  return createLookups(
    [
      { membership: { ...m1, number: '504471902' }, phones: ['79123456789'] },
      { membership: { ...m2, number: '504471903' }, phones: ['79123456780'] },
      { membership: m3 },
    ],
    () => true,
  );
}

describe('committed fixtures', () => {
  it.each(smallFixtures().map((f) => [f.name, f] as const))('%s matches its generator (npx tsx scripts/gen-csv-fixture.ts --fixtures test/fixtures/csv)', (name, f) => {
    expect(Buffer.from(load(name)).equals(Buffer.from(f.bytes))).toBe(true);
  });

  it('Excel cp1251 with ";" and Russian headers: decoded, mapped, planned', () => {
    const r = prepareBatch(load('excel-cp1251-semicolon.csv'), {}, lookups());
    expect(r).toMatchObject({ encoding: 'windows-1251', delimiter: ';', mappingSource: 'guessed', mappingProblems: [], columnCount: 5 });
    expect(r.mapping).toEqual({ membership_id: 0, service: 1, balance: 2, delta: 3, reason: 4 });
    expect(r.preview[0]).toEqual(['ID абонемента', 'Услуга', 'Остаток', 'Изменение', 'Причина']);
    expect(r.plan?.rows.map((x) => [x.line, x.outcome, x.serviceLabel, x.before, x.after])).toEqual([
      [2, 'change', 'Пилатес групповой', 7, 5],
      [3, 'change', 'Shared balance', 1, 3],
      [5, 'change', 'Йога', 1, 3],
      [6, 'change', 'Массаж спины', 2, 1],
    ]);
    expect(r.plan?.operations.map((o) => [o.membershipId, o.body, o.reason])).toEqual([
      [4471902, { services: [{ serviceId: PILATES.id, balance: 5 }] }, 'Перенос из старой системы'],
      [4471903, { united: 3 }, 'Спор; клиент "прав"'],
      [4471904, { services: [{ serviceId: MASSAGE.id, balance: 1 }, { serviceId: YOGA.id, balance: 3 }] }, 'Компенсация; Ошибка администратора'],
    ]);
    expect(r.plan?.totals).toEqual({ rows: 4, toChange: 4, unchanged: 0, invalid: 0, memberships: 3 });
  });

  it('UTF-8 with BOM, ",", a reason over two lines: line numbers follow the file', () => {
    const r = prepareBatch(load('utf8-bom-comma.csv'), {}, lookups());
    expect(r).toMatchObject({ encoding: 'utf-8', hadBom: true, delimiter: ',' });
    expect(r.plan?.rows.map((x) => [x.line, x.outcome, x.after])).toEqual([
      [2, 'change', 6],
      [4, 'change', 4],
    ]);
  });

  it('Excel "Unicode Text" (UTF-16 LE, tab): number + phone', () => {
    const r = prepareBatch(load('excel-unicode-text-utf16le.txt'), {}, lookups());
    expect(r).toMatchObject({ encoding: 'utf-16le', delimiter: '\t' });
    expect(r.mapping).toEqual({ number: 0, phone: 1, service: 2, balance: 3, reason: 4 });
    expect(r.plan?.rows.map((x) => [x.membershipId, x.before, x.after])).toEqual([
      [4471902, 7, 7],
      [4471903, 1, 2],
    ]);
  });

  it('BOM-less UTF-16 LE', () => {
    expect(readBatch(load('utf16le-no-bom-tab.txt'))).toMatchObject({ encoding: 'utf-16le', encodingDetectedBy: 'nul-pattern', delimiter: '\t', refs: { ids: [4471902, 4471903], phones: [] } });
  });

  it('CRLF with empty lines and trailing empty columns', () => {
    const r = prepareBatch(load('crlf-empty-lines-trailing-columns.csv'), {}, lookups());
    expect(r.header).toEqual(['membership_id', 'delta', 'reason']);
    expect(r.plan?.rows.map((x) => [x.line, x.outcome, x.problems.map((p) => p.code)])).toEqual([
      [4, 'change', []],
      [7, 'change', []],
      [8, 'invalid', ['service_required']],
    ]);
    expect(r.problems.map((p) => `line ${p.line}: ${p.code}`)).toEqual(['line 8: service_required']);
  });

  it('Excel windows-1252 with ";" and a decimal comma', () => {
    const r = readBatch(load('excel-cp1252-semicolon.csv'));
    expect(r).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
    expect(correctionsOf(r.validated!).map((c) => [c.op, c.reason])).toEqual([
      [{ set: 5 }, 'Übertrag aus dem alten System – Größe'],
      [{ set: 2 }, 'Café offert, naïve façade'],
    ]);
  });
});

describe('prepareBatch', () => {
  it('uses a given mapping and overrides, and reports an unusable mapping without validating', () => {
    const bytes = load('excel-cp1251-semicolon.csv');
    const r = prepareBatch(bytes, { mapping: { reason: 4 } }, lookups());
    expect(r.mappingSource).toBe('given');
    expect(r.mappingProblems.map((p) => p.code)).toEqual(['no_membership_column', 'no_operation_column']);
    expect(r.plan).toBeNull();
    expect(r.rowCount).toBe(0);
    const wrong = prepareBatch(bytes, { encoding: 'koi8-r', delimiter: ',' }, lookups());
    expect(wrong).toMatchObject({ encoding: 'koi8-r', delimiter: ',', delimiterDetected: false });
  });

  it('handles a generated 2,000-row file end to end, and its report is formula-safe', () => {
    const { text, memberships } = generateBatch(2000, 7);
    const r = prepareBatch(new TextEncoder().encode(text), {}, createLookups(memberships, () => true));
    expect(r.plan?.totals.rows).toBe(2000);
    expect(r.plan && r.plan.totals.toChange + r.plan.totals.unchanged + r.plan.totals.invalid).toBe(2000);
    expect(r.plan?.totals.invalid).toBeGreaterThan(0);
    const report = buildReportCsv(reportRowsFromPlan(r.plan ?? { rows: [] }), { delimiter: r.delimiter });
    for (const line of report.split('\r\n')) for (const cell of line.split(';')) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('refuses a binary file with bad_input', () => {
    expect(() => prepareBatch(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), {}, lookups())).toThrow(DeskFailure);
  });
});
