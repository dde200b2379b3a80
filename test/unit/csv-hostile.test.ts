/**
 * A corpus of hostile CSV inputs through the pure pipeline (readBatch / prepareBatch): every one
 * ends in a clear `bad_input` failure or a result whose problems say what is wrong — never another
 * exception, never unbounded memory, and nothing is ever planned from an invalid row.
 * Big inputs are generated in memory; heap deltas are loose guards, not performance targets.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { inEnglish } from '../../common/i18n/words';
import { DEFAULT_MAX_BYTES } from '../../main/core/batch/decode';
import { DEFAULT_MAX_ROWS } from '../../main/core/batch/parse';
import { planBatch, readBatch, type BatchReadOptions } from '../../main/core/batch/pipeline';
import { createLookups } from '../../main/core/batch/plan-resolve';
import { buildReportCsv } from '../../main/core/batch/report';
import { correctionsOf, reportRowsFromPlan } from '../support/batch-views';
import { DeskFailure } from '../../main/core/errors';
import { makeMembership } from '../../scripts/gen-csv-fixture';
import { failureOf } from '../support/failures';

/** The report's columns in English (batch.report.column.* in en.json). */
const REPORT_COLUMNS = ['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client'];

/** Read and plan in one go, as the app does once the memberships are at hand (check.ts). */
const prepareBatch = (bytes: Uint8Array, options: Parameters<typeof readBatch>[1] & Parameters<typeof planBatch>[2], lookups: Parameters<typeof planBatch>[1]) => planBatch(readBatch(bytes, options), lookups, options);

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Either a read or a bad_input failure; anything else (TypeError, RangeError…) fails the test. */
function readOrRefuse(bytes: Uint8Array, options: BatchReadOptions = {}) {
  try {
    return { read: readBatch(bytes, options), failure: null };
  } catch (e) {
    if (e instanceof DeskFailure && e.kind === 'bad_input' && e.message.length > 0) return { read: null, failure: e };
    throw e;
  }
}

const heapMb = () => process.memoryUsage().heapUsed / (1024 * 1024);

// Memberships 1 (united 10), 2 (per-service Pilates 7 / Yoga 3), 3 (edits forbidden by type).
const PILATES = { id: 12840551, title: 'Pilates group' };
const YOGA = { id: 9911201, title: 'Yoga' };
const lookups = () =>
  createLookups(
    [
      { membership: makeMembership(1, { united: true, lines: [{ ...PILATES, count: 0 }], unitedCount: 10 }), phones: ['79120000001'] },
      { membership: makeMembership(2, { united: false, lines: [{ ...PILATES, count: 7 }, { ...YOGA, count: 3 }] }), phones: ['79120000002'] },
      { membership: makeMembership(3, { united: true, lines: [], unitedCount: 5, editType: 0 }) },
    ],
    () => true,
  );

describe('hostile CSVs: empty and near-empty files', () => {
  it.each([
    ['an empty file', new Uint8Array()],
    ['only a UTF-8 BOM', new Uint8Array([0xef, 0xbb, 0xbf])],
    ['only a UTF-16 LE BOM', new Uint8Array([0xff, 0xfe])],
    ['only blank lines', utf8('\r\n\n   \r\n\t\n')],
  ])('%s → bad_input saying the file is empty', (_name, bytes) => {
    const f = failureOf(() => readBatch(bytes));
    expect(f.kind).toBe('bad_input');
    expect(f.message).toMatch(/empty/i);
    expect(failureOf(() => prepareBatch(bytes, {}, lookups())).message).toMatch(/empty/i);
  });

  it('only a header → a usable mapping and zero rows, nothing planned', () => {
    const r = readBatch(utf8('membership_id;balance;reason\r\n'));
    expect(r.mappingProblems).toEqual([]);
    expect(r.validated).toMatchObject({ total: 0, invalidRows: [] });
    expect(correctionsOf(r.validated!)).toEqual([]);
    const p = prepareBatch(utf8('membership_id;balance;reason\r\n'), {}, lookups());
    expect(p.plan?.operations.toArray()).toEqual([]);
    expect(p.plan?.totals).toMatchObject({ rows: 0, toChange: 0 });
  });

  it('only a header of unknown columns → mapping problems naming what is missing, no row validated', () => {
    const r = readBatch(utf8('foo;bar;baz\r\n'));
    expect(r.validated).toBeNull();
    expect(r.mappingProblems.map((p) => p.code).sort()).toEqual(['no_membership_column', 'no_operation_column']);
    expect(r.mappingProblems.map((p) => inEnglish(p.msg)).join(' ')).toMatch(/membership ID/);
    expect(r.mappingProblems.map((p) => inEnglish(p.msg)).join(' ')).toMatch(/new balance|change/);
    const p = prepareBatch(utf8('foo;bar;baz\r\n1;2;3\r\n'), {}, lookups());
    expect(p.plan).toBeNull();
    expect(p.rowCount).toBe(0);
  });
});

describe('hostile CSVs: binary files', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
  const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0x62, 0xee]);
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d, 0x3a, 0x7c, 0x58, 0, 0, 0, 0]);
  const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0, 0, 0, 0, 0]);

  it('PNG → bad_input "not text"', () => {
    expect(failureOf(() => readBatch(png))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/not text/) });
  });

  it('XLSX / ZIP / XLS → bad_input naming Excel, also when an encoding override is given', () => {
    for (const bytes of [xlsx, zip]) {
      expect(failureOf(() => readBatch(bytes))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/Excel workbook \(\.xlsx\)/) });
      expect(failureOf(() => readBatch(bytes, { encoding: 'utf-8' }))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/Excel/) });
      expect(failureOf(() => readBatch(bytes, { encoding: 'windows-1251' }))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/Excel/) });
    }
    expect(failureOf(() => readBatch(xls))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/\.xls\)/) });
  });

  it('random bytes with NULs → bad_input (or a UTF-16 reading), never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.nat(), (bytes, at) => {
        bytes[at % bytes.length] = 0;
        const { read, failure } = readOrRefuse(bytes);
        if (failure) expect(failure.message).toMatch(/not text|Excel|empty/);
        else expect(read?.encoding.startsWith('utf-16')).toBe(true); // only UTF-16 may hold NUL bytes
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes and options through readBatch / prepareBatch: a result or bad_input, nothing else', () => {
    const options = fc.record(
      {
        encoding: fc.constantFrom('utf-8', 'windows-1251', 'utf-16le', 'utf-16be', 'koi8-r', 'nope'),
        delimiter: fc.constantFrom(',' as const, ';' as const, '\t' as const),
        header: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), options, (bytes, opts) => {
        readOrRefuse(bytes, opts);
        try {
          prepareBatch(bytes, opts, lookups());
        } catch (e) {
          expect(e).toBeInstanceOf(DeskFailure);
          expect((e as DeskFailure).kind).toBe('bad_input');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a NUL inside a UTF-8 cell → bad_input "not text"', () => {
    const bytes = utf8('membership_id;balance;reason\r\n1;5;fine\r\n2;3;bro\u0000ken\r\n');
    expect(failureOf(() => readBatch(bytes))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/not text/) });
  });
});

// Heavy (child processes, files of tens of MB): their own time limit, for a busy machine.
describe('hostile CSVs: memory held by a plan', { timeout: 120_000 }, () => {
  const PROBE = join(import.meta.dirname, '../support/retention-probe.ts');
  const probe = (width: number) => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, String(width)], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop() as string) as { retainedMb: number; textMb: number; rows: number; label: string };
  };

  it('a plan keeps copies of the cells it needs, not the decoded file they were cut from', () => {
    // The same 20,000 rows next to an unmapped column 500 or 2,200 characters wide: the text grows
    // by ~32 MB, what the plan keeps must not.
    const narrow = probe(500);
    const wide = probe(2200);
    expect(narrow).toMatchObject({ rows: 20_000, label: 'not-an-id-2-xxxxxxxx' });
    expect(wide.textMb - narrow.textMb).toBeGreaterThan(30);
    expect(wide.retainedMb - narrow.retainedMb).toBeLessThan(5);
  });
});

describe('hostile CSVs: size and shape limits', { timeout: 120_000 }, () => {
  it('a file over the byte limit is refused before anything is decoded', () => {
    // A view whose every byte is invalid UTF-8: decoding any of it would be slow and produce U+FFFD.
    const big = new Uint8Array(DEFAULT_MAX_BYTES + 1).fill(0xff);
    const before = heapMb();
    const f = failureOf(() => readBatch(big));
    expect(f).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/limit is 50 MB/) });
    expect(heapMb() - before).toBeLessThan(50); // no decoded copy of 50 MB was made
  });

  it('a single huge line just under the byte limit is read with bounded memory and reported, not crashed on', () => {
    const head = 'membership_id;balance;reason\n1;5;';
    const filler = DEFAULT_MAX_BYTES - head.length - 1;
    const bytes = new Uint8Array(head.length + filler + 1);
    bytes.set(utf8(head), 0);
    bytes.fill(0x78, head.length, head.length + filler); // "xxxx…"
    bytes[bytes.length - 1] = 0x0a;
    const before = heapMb();
    const r = readBatch(bytes);
    const delta = heapMb() - before;
    expect(r.validated?.total).toBe(1);
    expect(r.validated?.invalidRows[0]?.problems.map((p) => p.code)).toEqual(['reason_too_long']);
    expect(delta).toBeLessThan(400);
  });

  it('a single line of millions of delimiters → bad_input naming the column limit and the line, with bounded memory', () => {
    const text = `membership_id;balance\n1;2${';'.repeat(20_000_000)}x\n`;
    const before = heapMb();
    const f = failureOf(() => readBatch(utf8(text)));
    expect(f).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/Line 2 has more than 1,000 columns/) });
    expect(heapMb() - before).toBeLessThan(400);
  });

  it('a header of 20,000 columns → refused by the column limit; 900 columns are read', () => {
    const wide = (n: number) => utf8(`${Array.from({ length: n }, (_, i) => (i === 0 ? 'membership_id' : i === 1 ? 'balance' : `c${i}`)).join(';')}\n1;5\n`);
    expect(failureOf(() => readBatch(wide(20_000))).message).toMatch(/Line 1 has more than 1,000 columns/);
    const ok = readBatch(wide(900));
    expect(ok.columnCount).toBe(900);
    expect(correctionsOf(ok.validated!)).toHaveLength(1);
  });

  it('rows beyond the row limit → bad_input naming the limit (200,001 short rows; and 10 million, with bounded memory)', () => {
    expect(DEFAULT_MAX_ROWS).toBe(200_000);
    const justOver = utf8(`membership_id;delta\n${'1;+1\n'.repeat(DEFAULT_MAX_ROWS + 1)}`);
    expect(failureOf(() => readBatch(justOver))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/more than 200,000 rows/) });
    const atLimit = readBatch(utf8(`membership_id;delta\n${'1;+1\n'.repeat(DEFAULT_MAX_ROWS)}`));
    expect(atLimit.validated?.total).toBe(DEFAULT_MAX_ROWS);

    const tenMillion = utf8(`membership_id;delta\n${'1;+1\n'.repeat(10_000_000)}`); // 50 MB, just under the byte limit
    const before = heapMb();
    expect(failureOf(() => readBatch(tenMillion)).message).toMatch(/more than 200,000 rows/);
    expect(heapMb() - before).toBeLessThan(400);
  });

  it('a stated lower row limit is named in the error', () => {
    const bytes = utf8(`membership_id;balance\n${'7;1\n'.repeat(11)}`);
    expect(failureOf(() => readBatch(bytes, { maxRows: 10 })).message).toMatch(/more than 10 rows/);
    expect(readBatch(bytes, { maxRows: 11 }).validated?.total).toBe(11);
  });

  it('blank lines beyond the row limit do not count as rows', () => {
    const bytes = utf8(`membership_id;balance\n${'1;5\n;;\n\n'.repeat(10)}`);
    expect(readBatch(bytes, { maxRows: 10 }).validated?.total).toBe(10);
  });
});

describe('hostile CSVs: encodings', () => {
  const ru = 'ID абонемента;Остаток;Причина\r\n4471900;5;перенос из старой системы\r\n';

  it('cp1251 bytes read with a UTF-8 override: mojibake in the preview, no crash', () => {
    const bytes = iconv.encode(ru, 'windows-1251');
    const r = readBatch(bytes, { encoding: 'utf-8' });
    expect(r.encoding).toBe('utf-8');
    expect(r.preview.flat().join('')).toContain('\ufffd');
    // The garbled header cannot be matched: the problem is explained, nothing is validated.
    expect(r.mappingProblems.length).toBeGreaterThan(0);
    // Without the override the file is read right.
    expect(readBatch(bytes).preview[0]).toEqual(['ID абонемента', 'Остаток', 'Причина']);
  });

  it('an unknown encoding name → bad_input naming it', () => {
    expect(failureOf(() => readBatch(utf8('a;b\n1;2\n'), { encoding: 'klingon-8' }))).toMatchObject({ kind: 'bad_input', message: expect.stringContaining('“klingon-8”'), msg: { key: 'batch.file.unknownEncoding', params: { encoding: 'klingon-8' } } });
    expect(failureOf(() => readBatch(utf8('a;b\n1;2\n'), { encoding: '' })).kind).toBe('bad_input');
  });

  it('lone surrogates in UTF-16 are replaced, the rest of the file still reads', () => {
    const le = (units: number[]) => {
      const b = new Uint8Array(2 + units.length * 2);
      b.set([0xff, 0xfe]);
      units.forEach((u, i) => {
        b[2 + i * 2] = u & 0xff;
        b[3 + i * 2] = u >> 8;
      });
      return b;
    };
    const text = 'membership_id\tbalance\treason\r\n1\t5\tx\r\n2\t3\ty\r\n';
    const units = [...text].map((c) => c.charCodeAt(0));
    const at = units.indexOf('x'.charCodeAt(0));
    units[at] = 0xd800; // high surrogate with nothing after it
    units.splice(units.indexOf('y'.charCodeAt(0)), 1, 0xdc00); // low surrogate alone
    const r = readBatch(le(units));
    expect(r.encoding).toBe('utf-16le');
    expect(r.delimiter).toBe('\t');
    expect(correctionsOf(r.validated!).map((c) => [c.line, c.reason])).toEqual([
      [2, '\ufffd'],
      [3, '\ufffd'],
    ]);
  });
});

describe('hostile CSVs: quoting and line endings', () => {
  it('an unterminated quote is a problem with its line; the rows before it are still validated', () => {
    const bytes = utf8('membership_id;balance;reason\n1;5;ok\n2;abc;bad number\n1;"6;never closed\n2;4;swallowed\n');
    const r = readBatch(bytes);
    expect(r.parseProblems).toEqual([expect.objectContaining({ line: 4, code: 'parse_error', msg: { key: 'batch.problem.quoteNotClosed' } })]);
    expect(inEnglish(r.parseProblems[0]!.msg)).toMatch(/never closed/);
    expect(correctionsOf(r.validated!).map((c) => c.line)).toEqual([2]);
    expect(r.validated?.invalidRows.map((i) => [i.line, i.problems.map((p) => p.code)])).toEqual([
      [3, ['not_a_number']],
      [4, ['not_a_number']],
    ]);
    const p = prepareBatch(bytes, {}, lookups());
    expect(p.problems.map((x) => [x.line, x.code])).toEqual([
      [3, 'not_a_number'],
      [4, 'parse_error'],
      [4, 'not_a_number'],
    ]);
  });

  it('deeply nested / doubled quotes are read as text, never as structure', () => {
    const quotes = '"'.repeat(20_001); // odd: an unbalanced run
    const cell = `"${'""'.repeat(50_000)}"`; // a cell of 50,000 quote characters
    const r = readBatch(utf8(`membership_id;balance;reason\n1;5;${cell}\n2;3;${quotes}\n`));
    expect(r.validated?.total).toBeGreaterThanOrEqual(1);
    const first = correctionsOf(r.validated!).find((c) => c.line === 2) ?? r.validated?.invalidRows.find((i) => i.line === 2);
    expect(first).toBeDefined();
    expect(r.validated?.invalidRows.find((i) => i.line === 2)?.problems.map((p) => p.code) ?? []).toEqual(['reason_too_long']);
  });

  it('CR-only line endings: every row and its line', () => {
    const r = readBatch(utf8('membership_id;balance\r1;5\r2;x\r\r3;4\r'));
    expect(correctionsOf(r.validated!).map((c) => c.line)).toEqual([2, 5]);
    expect(r.validated?.invalidRows.map((i) => i.line)).toEqual([3]);
  });

  it('mixed line endings (concatenated exports) never glue rows into one cell', () => {
    for (const text of ['membership_id;balance\r\n1;5\n2;6\r\n3;7\n', 'membership_id;balance\n1;5\r2;6\n3;7\r\n', 'membership_id;balance\r1;5\r\n2;6\r3;7']) {
      const r = readBatch(utf8(text));
      expect(correctionsOf(r.validated!).map((c) => [c.line, 'id' in c.membershipRef ? c.membershipRef.id : 0, c.op]), JSON.stringify(text)).toEqual([
        [2, 1, { set: 5 }],
        [3, 2, { set: 6 }],
        [4, 3, { set: 7 }],
      ]);
    }
  });

  it('a line break inside a number cell is not a thousands separator ("5\\n2" is not 52)', () => {
    const r = readBatch(utf8('membership_id;balance;delta\n1;"5\n2";\n2;;"+1\r\n0"\n3;"1 000";\n'));
    expect(r.validated?.invalidRows.map((i) => [i.line, i.problems.map((p) => p.code)])).toEqual([
      [2, ['not_a_number']],
      [4, ['not_a_number']],
    ]);
    expect(correctionsOf(r.validated!).map((c) => c.op)).toEqual([{ set: 1000 }]);
  });

  it('mixed CRLF / LF / CR endings and a quoted cell with newlines keep line numbers', () => {
    const r = readBatch(utf8('membership_id;balance;reason\r\n1;5;"two\nlines"\n2;abc;z\r\n3;4;w\n'));
    expect(correctionsOf(r.validated!).map((c) => c.line)).toEqual([2, 5]);
    expect(r.validated?.invalidRows.map((i) => i.line)).toEqual([4]);
  });
});

describe('hostile CSVs: formula injection', { timeout: 60_000 }, () => { // property runs: seconds on a busy machine
  const FORMULA_CHARS = ['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'];
  const startsLikeFormula = (s: string) => s.length > 0 && FORMULA_CHARS.includes(s.charAt(0));

  function reportCells(csv: string, delimiter: ',' | ';' | '\t'): string[][] {
    const parsed = Papa.parse<string[]>(csv, { delimiter, newline: '\r\n', quoteChar: '"' });
    expect(parsed.errors).toEqual([]);
    return parsed.data.filter((r) => !(r.length === 1 && r[0] === ''));
  }

  it('a file with a formula in every cell: the report neutralises every one', () => {
    const payloads = ['=HYPERLINK("http://evil","x")', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', '＝1+1'];
    const lines = ['membership_id;service;balance;reason'];
    for (const p of payloads) lines.push([p, p, p, p].map((c) => `"${c.replace(/"/g, '""')}"`).join(';'));
    lines.push('1;;=5;=reason'); // valid membership, formula balance
    lines.push('2;=Yoga;3;@reason');
    const prepared = prepareBatch(utf8(`${lines.join('\r\n')}\r\n`), {}, lookups());
    const plan = prepared.plan!;
    expect(plan.rows).toHaveLength(payloads.length + 2);
    for (const d of [',', ';', '\t'] as const) {
      const cells = reportCells(buildReportCsv(reportRowsFromPlan(plan), { delimiter: d }), d);
      expect(cells).toHaveLength(plan.rows.length + 1);
      for (const row of cells) for (const c of row) expect(startsLikeFormula(c), JSON.stringify(c)).toBe(false);
    }
  });

  it('property: arbitrary cell text through prepareBatch → report: no cell starts like a formula, every cell reads back', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.constantFrom(...FORMULA_CHARS), fc.string({ maxLength: 20 })).map(([a, b]) => a + b),
      fc.constantFrom('1', '2', '3', '5', '+1', '-1', '=1', 'Yoga', 'Pilates group'),
    );
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell, cell), { minLength: 1, maxLength: 12 }), (rows) => {
        const text = `membership_id;service;delta;reason\r\n${rows.map((r) => r.map(quote).join(';')).join('\r\n')}\r\n`;
        let prepared;
        try {
          prepared = prepareBatch(utf8(text), { delimiter: ';' }, lookups());
        } catch (e) {
          // Only refusal possible here: every row blank ("the file has no rows" is fine as well).
          expect(e).toBeInstanceOf(DeskFailure);
          return;
        }
        if (!prepared.plan) return;
        const report = buildReportCsv(reportRowsFromPlan(prepared.plan), { delimiter: ';' });
        const cells = reportCells(report, ';');
        expect(cells).toHaveLength(prepared.plan.rows.length + 1);
        for (const row of cells) {
          expect(row).toHaveLength(REPORT_COLUMNS.length);
          for (const c of row) expect(startsLikeFormula(c)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile CSVs: nothing is planned from invalid rows', () => {
  const goodRow = fc.oneof(
    fc.constant('1;;;5;'),
    fc.constant('1;;;;+2'),
    fc.constant('2;Yoga;;4;'),
    fc.constant(`2;;${PILATES.id};;-1`),
  );
  const badRow = fc.oneof(
    fc.constant('1;;;abc;'), // not a number
    fc.constant('1;;;5;+1'), // both balance and delta
    fc.constant('99;;;5;'), // unknown membership
    fc.constant('2;Boxing;;3;'), // unknown service
    fc.constant('3;;;1;'), // balance edits forbidden by type
    fc.constant('1;;;;-50'), // below zero
    fc.constant('-1;;;5;'), // bad id
    fc.constant(';;;5;'), // no membership
    fc.constant('=1+1;;;5;'), // formula as id
    fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n"]/g, ' ')), // noise
  );

  it('property: every operation and every changed row comes from a row without problems', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(goodRow, badRow), { minLength: 1, maxLength: 25 }), (rows) => {
        const text = `membership_id;service;service_id;balance;delta\n${rows.join('\n')}\n`;
        let prepared;
        try {
          prepared = prepareBatch(utf8(text), { delimiter: ';' }, lookups());
        } catch (e) {
          expect(e).toBeInstanceOf(DeskFailure);
          expect((e as DeskFailure).kind).toBe('bad_input');
          return;
        }
        const plan = prepared.plan!;
        const problemLines = new Set(prepared.problems.map((p) => p.line));
        const byLine = new Map(plan.rows.map((r) => [r.line, r]));
        for (const r of plan.rows) {
          if (r.outcome === 'invalid') {
            expect(r.problems.length).toBeGreaterThan(0);
            expect(r.operation).toBe(-1);
          } else {
            expect(r.problems).toEqual([]);
            expect(problemLines.has(r.line)).toBe(false);
          }
        }
        plan.operations.forEach((op, i) => {
          expect(op.rowLines.length).toBeGreaterThan(0);
          for (const line of op.rowLines) {
            const row = byLine.get(line);
            expect(row?.outcome).toBe('change');
            expect(row?.operation).toBe(i);
          }
          expect(op.membershipId === 1 || op.membershipId === 2).toBe(true); // never 99 (unknown) or 3 (forbidden)
        });
        expect(plan.totals.invalid).toBe(plan.rows.filter((r) => r.outcome === 'invalid').length);
      }),
      { numRuns: 300 },
    );
  });
});
