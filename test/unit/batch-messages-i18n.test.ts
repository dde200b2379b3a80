/**
 * The batch pipeline's messages travel as codes and parameters (`MsgData` in the contract) and
 * are worded in the language in use: problems, notices and limits in Russian and Spanish; the
 * files the core writes (the batch report, the audit export) with Russian column names and texts.
 * A membership is named as its card names it ("№ 500007"), its id labelled where the row gave one.
 */
import { describe, expect, it } from 'vitest';
import es from '../../common/i18n/catalogs/es.json';
import ru from '../../common/i18n/catalogs/ru.json';
import { createTranslator, msg } from '../../common/i18n/translate';
import { inEnglish, wordMsg } from '../../common/i18n/words';
import { auditCsv } from '../../main/core/audit-export';
import { guessMapping } from '../../main/core/batch/mapping';
import { planCorrections } from '../../main/core/batch/plan';
import { createLookups } from '../../main/core/batch/plan-resolve';
import { tooManyRows } from '../../main/core/batch/parse-records';
import { buildReportCsv } from '../../main/core/batch/report';
import { EXCEL_BOM } from '../../main/core/csv';
import { decodeBytes } from '../../main/core/batch/decode';
import { DeskFailure } from '../../main/core/errors';
import { wordsIn } from '../../main/core/words';
import { MsgData, type AuditEntry } from '../../preload/contract';
import { makeMembership } from '../../scripts/gen-csv-fixture';
import { snap } from '../support/audit-snapshots';
import { parseTable, reportRowsFromPlan, validateRows } from '../support/batch-views';

const russian = createTranslator('ru', ru);
const spanish = createTranslator('es', es);
const inRussian = (m: MsgData) => wordMsg(russian, m, (d) => d);
const inSpanish = (m: MsgData) => wordMsg(spanish, m, (d) => d);

/** 2: united 10 visits (phone 79120000002); 7: a type that allows no balance change. */
function planOf(csv: string) {
  const lookups = createLookups(
    [
      { membership: makeMembership(2, { united: true, lines: [], unitedCount: 10 }), phones: ['79120000002'] },
      { membership: makeMembership(7, { united: true, lines: [], unitedCount: 3, editType: 0 }) },
    ],
    () => true,
  );
  const t = parseTable(csv);
  return planCorrections(validateRows(t, guessMapping(t.header)), lookups);
}

/** Row i's first problem (a row without one fails the test). */
function firstProblem(p: ReturnType<typeof planOf>, i: number): MsgData {
  const m = p.rows.get(i).problems[0]?.msg;
  if (!m) throw new Error(`row ${i} has no problem`);
  return m as MsgData;
}

describe('MsgData', () => {
  it('carries a Msg through the contract and is worded in either language', () => {
    const m = MsgData.parse(msg('batch.column', { n: 3 }));
    expect(m).toEqual({ key: 'batch.column', params: { n: 3 } });
    expect(inEnglish(m)).toBe('Column 3');
    expect(inRussian(m)).toBe('Столбец 3');
  });

  it('refuses what is not a message', () => {
    expect(MsgData.safeParse({ key: '' }).success).toBe(false);
    expect(MsgData.safeParse({ key: 'batch.column', params: { n: { x: 1 } } }).success).toBe(false);
  });
});

describe('batch problems in the language in use', () => {
  it('names the membership by its number, with the id labelled when the row gave the id (issue 13)', () => {
    const p = planOf('membership_id;number;phone;service;delta\n7;;;;+1\n2;;;Yoga;+1\n;500002;79120000002;Yoga;+1\n');
    const byId = firstProblem(p, 0);
    const sharedById = firstProblem(p, 1);
    const sharedByNumber = firstProblem(p, 2);
    expect(byId).toEqual({ key: 'batch.problem.typeForbids', params: { number: '500007', id: '7', type: 'Pilates 10-pack' } });
    expect(inEnglish(byId)).toBe('Membership № 500007 (id 7): its type (Pilates 10-pack) does not allow balance changes.');
    expect(inRussian(byId)).toBe('Абонемент № 500007 (id 7): его тип (Pilates 10-pack) не позволяет изменять остаток.');
    expect(inSpanish(byId)).toBe('Abono n.º 500007 (id 7): su tipo (Pilates 10-pack) no permite cambiar el saldo.');
    expect(inEnglish(sharedById)).toBe('Membership № 500002 (id 2) has one shared balance for all services; leave the service empty.');
    // Named by number and phone, as the file did: the number alone, never a bare id.
    expect(inEnglish(sharedByNumber)).toBe('Membership № 500002 has one shared balance for all services; leave the service empty.');
    expect(inRussian(sharedByNumber)).toBe('У абонемента № 500002 один общий остаток на все услуги; оставьте услугу пустой.');
  });

  it('words values, limits and numbers by the language’s rules', () => {
    const p = planOf('membership_id;balance;delta\n2;200000;\n2;;lots\n2;;-11\n');
    const tooLarge = firstProblem(p, 0);
    const notAChange = firstProblem(p, 1);
    const belowZero = firstProblem(p, 2);
    expect(tooLarge).toEqual({ key: 'batch.problem.tooLarge', params: { value: '200000', max: 100_000 } });
    expect(inEnglish(tooLarge)).toBe('“200000” is larger than 100,000.');
    expect(inRussian(tooLarge)).toMatch(/^«200000» больше 100\s000\.$/);
    expect(inSpanish(notAChange)).toBe('«lots» no es un cambio como +3 o -2.');
    expect(inRussian(belowZero)).toBe('Общий остаток абонемента № 500002 (id 2) стал бы меньше нуля (10 − 11 = -1).');
    // The file's limits: a failure by reference, its number formatted where it is worded.
    const failure = tooManyRows(100_000);
    expect(failure.msg).toEqual({ key: 'batch.file.tooManyRows', params: { max: 100_000 } });
    expect(inRussian(failure.msg as MsgData)).toMatch(/^В файле больше 100\s000 строк;/);
  });

  it('notices count rows with the language’s plural forms', () => {
    const notice = (count: number) => inRussian(msg('batch.notice.expired', { count }) as MsgData);
    expect(notice(1)).toMatch(/^1 строка меняет истёкший абонемент\./);
    expect(notice(3)).toMatch(/^3 строки меняют истёкшие абонементы\./);
    expect(notice(5)).toMatch(/^5 строк меняют истёкшие абонементы\./);
    expect(notice(21)).toMatch(/^21 строка меняет/);
  });
});

describe('files the core writes, in the language asked for', () => {
  it('the batch report: Russian column names, outcomes, the shared balance and problems', () => {
    const p = planOf('membership_id;balance\n2;10\nx;1\n');
    const csv = buildReportCsv(reportRowsFromPlan(p), { delimiter: ';', words: wordsIn('ru') });
    const [header, unchanged, invalid] = csv.split('\r\n');
    expect(header).toBe('№ строки;строка файла;абонемент;услуга;было;стало;результат;сообщение;клиент');
    expect(unchanged).toBe('1;2;500002;Общий остаток;10;10;Изменение не нужно;Уже это значение.;');
    expect(invalid).toBe('2;3;x;;;;Проблема;«x» — не ID абонемента (нужно целое положительное число).;');
    // English stays as it was for anyone reading the columns by name.
    expect(buildReportCsv(reportRowsFromPlan(p)).split('\r\n')[0]).toBe('row,line,membership,service,before,after,outcome,message,client');
  });

  it('the audit export: Russian column names and words', () => {
    const entry: AuditEntry = {
      id: 1,
      at: '2026-05-20T14:05:00.000Z',
      userName: 'Alex Morgan',
      userId: 7,
      profileId: 'p',
      chainId: 70114,
      locationId: null,
      membershipId: 4471900,
      membershipNumber: '500001',
      clientName: 'Dana Whitfield',
      action: 'set_balance',
      before: snap({ united: 3 }),
      after: snap({ united: 5 }),
      reason: 'r',
      outcome: 'ok',
      message: null,
      batchId: 'b1',
      undoOf: null,
      undoneBy: null,
    };
    const { csv } = auditCsv([entry], { delimiter: ';', language: 'ru', timezone: 'Europe/Moscow' });
    expect(csv.startsWith(EXCEL_BOM)).toBe(true);
    const [header, row] = csv.slice(1).split('\r\n');
    expect(header).toBe('Когда;Филиал;№ абонемента;id абонемента;Клиент;Пользователь;Что;Изменение;Причина;Результат;Сообщение;Пакет');
    expect(row).toBe(`2026-05-20 17:05;;500001;4471900;Dana Whitfield;Alex Morgan;${russian('audit.action.set_balance')};${russian('audit.change', { field: russian('audit.field.united'), before: 3, after: 5 })};r;${russian('audit.outcome.ok')};;да`);
    expect(auditCsv([entry]).csv.slice(1).split('\r\n')[0]).toMatch(/^When,Location,Membership №,Membership id,/);
  });
});

describe('a file that cannot be read says why in the language in use', () => {
  it('too large, a workbook, not text, no rows: failures by reference', () => {
    const big = failureOf(() => decodeBytes(new Uint8Array(3 * 1024 * 1024), { maxBytes: 1024 * 1024 }));
    expect(big.msg).toEqual({ key: 'batch.file.overLimit', params: { size: 3, max: 1 } });
    expect(inRussian(big.msg as MsgData)).toBe('Размер файла — 3 МБ, а можно не больше 1 МБ. Разделите его на файлы поменьше.');
    const xls = failureOf(() => decodeBytes(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])));
    expect(inSpanish(xls.msg as MsgData)).toMatch(/^Parece un libro de Excel antiguo \(\.xls\), no un archivo CSV\./);
    const png = failureOf(() => decodeBytes(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])));
    expect(inRussian(png.msg as MsgData)).toBe('Это не текстовый файл (в нём двоичные данные). Выберите файл CSV.');
  });
});

function failureOf(fn: () => unknown): DeskFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof DeskFailure) return e;
    throw e;
  }
  throw new Error('expected a DeskFailure');
}
