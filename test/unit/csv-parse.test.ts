import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeskFailure } from '../../main/core/errors';
import { detectDelimiter, type Delimiter } from '../../main/core/batch/parse';
import { parseTable } from '../support/batch-views';

/** RFC 4180 writer for the tests (quotes only when needed, like Excel). */
const field = (v: string, d: string) => (/["\r\n]/.test(v) || v.includes(d) ? `"${v.replace(/"/g, '""')}"` : v);
const write = (rows: string[][], d: string, eol: string) => rows.map((r) => r.map((v) => field(v, d)).join(d)).join(eol) + eol;

const plainCell = fc.stringMatching(/^[A-Za-z0-9А-Яа-я][A-Za-z0-9А-Яа-я .+-]{0,11}$/);
const anyCell = fc.oneof(plainCell, fc.string({ maxLength: 12 }).map((s) => `${s.replace(/\u0000/g, '')}x`), fc.constantFrom('a,b', 'a;b', 'a\tb', 'two\nlines', 'crlf\r\ninside', 'say "hi"'));

describe('detectDelimiter', () => {
  it('finds the delimiter of any consistent table of ≥ 2 columns, whatever its quoted cells hold', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Delimiter>(',', ';', '\t'),
        fc.integer({ min: 2, max: 6 }),
        fc.array(plainCell, { minLength: 6, maxLength: 6 }),
        fc.array(fc.array(anyCell, { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 15 }),
        fc.constantFrom('\r\n', '\n'),
        (d, cols, header, rows, eol) => {
          const text = write([header.slice(0, cols), ...rows.map((r) => r.slice(0, cols))], d, eol);
          expect(detectDelimiter(text)).toEqual({ delimiter: d, detected: true });
        },
      ),
    );
  });

  it('keeps ";" when the data has decimal commas (the header has none)', () => {
    expect(detectDelimiter('ID;Остаток;Причина\r\n1;3,0;a\r\n2;4,0;b\r\n').delimiter).toBe(';');
  });

  it('ignores empty lines and blank ";;;" rows in the sample', () => {
    expect(detectDelimiter('\r\n\r\nid;balance\r\n;\r\n1;2\r\n\r\n').delimiter).toBe(';');
  });

  it('falls back when nothing splits the text', () => {
    expect(detectDelimiter('id\n1\n2\n')).toEqual({ delimiter: ',', detected: false });
    expect(detectDelimiter('id\n1\n', '\t')).toEqual({ delimiter: '\t', detected: false });
  });
});

describe('parseTable', () => {
  it('round-trips any table (quoted delimiters, quotes, newlines) with the physical line of each record', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Delimiter>(',', ';', '\t'),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.array(anyCell, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom('\r\n', '\n'),
        (d, cols, raw, eol) => {
          const header = Array.from({ length: cols }, (_, i) => `h${i}`);
          // Cells must not be blank or all-blank rows would be skipped (tested separately).
          const rows = raw.map((r) => r.slice(0, cols).map((c) => (c.trim() === '' ? 'x' : c)));
          const table = parseTable(write([header, ...rows], d, eol), { delimiter: d });
          expect(table.header).toEqual(header);
          expect(table.rows).toEqual(rows);
          let line = 2;
          rows.forEach((r, i) => {
            expect(table.lines[i]).toBe(line);
            line += 1 + r.reduce((k, c) => k + (c.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
          });
        },
      ),
    );
  });

  it('reports lines of records after a quoted multi-line cell, skipping empty lines', () => {
    const text = 'id;reason\r\n\r\n1;"first\r\nsecond\nthird"\r\n\r\n2;ok\r\n;\r\n3;"x"\r\n';
    const t = parseTable(text);
    expect(t.rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    expect(Array.from(t.lines)).toEqual([3, 7, 9]);
    expect(t.headerLine).toBe(1);
  });

  it('ignores trailing empty columns and pads the preview', () => {
    const t = parseTable('id;balance;;;\r\n1;5;;;\r\n2;;;;\r\n');
    expect(t.columnCount).toBe(2);
    expect(t.header).toEqual(['id', 'balance']);
    expect(t.preview).toEqual([
      ['id', 'balance'],
      ['1', '5'],
      ['2', ''],
    ]);
  });

  it('keeps a data column beyond the header, named by position', () => {
    const t = parseTable('id,balance\n1,5,extra\n');
    expect(t.columnCount).toBe(3);
    expect(t.header).toEqual(['id', 'balance', '']);
  });

  it('reads CR-only (old Mac) line endings', () => {
    const t = parseTable('id,balance\r1,5\r2,6\r');
    expect(t.rows).toEqual([
      ['1', '5'],
      ['2', '6'],
    ]);
    expect(Array.from(t.lines)).toEqual([2, 3]);
  });

  it('works without a header', () => {
    const t = parseTable('1;5\n2;6\n', { header: false });
    expect(t.hasHeader).toBe(false);
    expect(t.header).toEqual(['', '']);
    expect(t.rows.length).toBe(2);
    expect(Array.from(t.lines)).toEqual([1, 2]);
  });

  it('reports an unclosed quote as a parse problem with its line', () => {
    const t = parseTable('id;reason\n1;ok\n2;"never closed\n3;x\n');
    expect(t.problems).toEqual([expect.objectContaining({ code: 'parse_error', line: 3 })]);
  });

  it('strips a BOM left over by a manual encoding override', () => {
    expect(parseTable('\ufeffid;balance\n1;2\n').header).toEqual(['id', 'balance']);
  });

  it('refuses more rows than the limit with a clear error', () => {
    const text = `id,balance\n${'1,2\n'.repeat(11)}`;
    expect(() => parseTable(text, { maxRows: 10 })).toThrow(DeskFailure);
    expect(() => parseTable(text, { maxRows: 10 })).toThrow(/more than 10 rows/);
    expect(parseTable(text, { maxRows: 11 }).rows.length).toBe(11);
  });

  it('limits the preview to the first N records as read', () => {
    const t = parseTable(`id,balance\n${'1,2\n'.repeat(50)}`, { previewRows: 5 });
    expect(t.preview.length).toBe(5);
    expect(t.previewLines).toEqual([1, 2, 3, 4, 5]);
  });
});
