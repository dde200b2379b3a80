import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { msg } from '../../common/i18n/translate';
import { buildReportCsv, type ReportRow } from '../../main/core/batch/report';
import { reportRowsFromPlan } from '../support/batch-views';
import { csvField, neutralizeCell } from '../../main/core/csv';

/** The report's columns in English (batch.report.column.* in en.json). */
const REPORT_COLUMNS = ['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client'];

const FORMULA = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('=1+1', '=HYPERLINK("http://evil","x")', '+7 912', '-2', '@SUM(A1)', '\tx', '\r\n=cmd', 'a;b', 'a,b', 'say "hi"', 'two\nlines', '＝1', "'already"),
);
const row = fc.record({
  row: fc.nat(),
  line: fc.nat(),
  membership: anyText,
  service: anyText,
  before: fc.oneof(fc.constant(null), fc.nat(100), anyText),
  after: fc.oneof(fc.constant(null), fc.nat(100), anyText),
  outcome: anyText,
  message: anyText,
  client: fc.oneof(fc.constant(null), anyText),
}) as fc.Arbitrary<ReportRow>;

describe('report escaping', () => {
  it('neutralises formula starts', () => {
    expect(neutralizeCell('=1+1')).toBe("'=1+1");
    expect(neutralizeCell('+3')).toBe("'+3");
    expect(neutralizeCell('-3')).toBe("'-3");
    expect(neutralizeCell('@x')).toBe("'@x");
    expect(neutralizeCell('\tx')).toBe("'\tx");
    expect(neutralizeCell('plain')).toBe('plain');
    expect(neutralizeCell('')).toBe('');
  });

  it('quotes per RFC 4180', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a;b', ';')).toBe('"a;b"');
    expect(csvField('a;b', ',')).toBe('a;b');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=A1,B1')).toBe('"\'=A1,B1"');
  });

  it('property: every cell reads back as written, or prefixed with \' when it starts like a formula; none starts with a formula char', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 15 }), fc.constantFrom<',' | ';' | '\t'>(',', ';', '\t'), (rows, delimiter) => {
        const csv = buildReportCsv(rows, { delimiter });
        expect(csv.endsWith('\r\n')).toBe(true);
        const parsed = Papa.parse<string[]>(csv, { delimiter, newline: '\r\n', quoteChar: '"' });
        const records = parsed.data.slice(0, -1); // the final CRLF leaves an empty record
        expect(records[0]).toEqual([...REPORT_COLUMNS]);
        expect(records.length).toBe(rows.length + 1);
        rows.forEach((r, i) => {
          const expected = [String(r.row), String(r.line), r.membership, r.service, r.before === null ? '' : String(r.before), r.after === null ? '' : String(r.after), r.outcome, r.message, r.client ?? ''];
          const got = records[i + 1] as string[];
          expect(got.length).toBe(REPORT_COLUMNS.length);
          got.forEach((cell, j) => {
            const original = expected[j] as string;
            expect(FORMULA.test(cell)).toBe(false);
            expect(cell).toBe(FORMULA.test(original) ? `'${original}` : original);
          });
        });
      }),
    );
  });

  it('makes report rows from a plan', () => {
    const rows = reportRowsFromPlan({
      rows: [
        { index: 0, line: 2, outcome: 'change', membershipId: 1, membershipLabel: '500001', chainId: 1, serviceId: null, serviceLabel: 'Shared balance', op: { set: 5 }, before: 3, after: 5, reason: 'r', problems: [], operation: 0 },
        { index: 1, line: 3, outcome: 'invalid', membershipId: null, membershipLabel: '=x', chainId: null, serviceId: null, serviceLabel: '', op: null, before: null, after: null, reason: '', problems: [{ line: 3, column: 'membership_id', columnNumber: 1, field: 'membership_id', code: 'bad_membership_id', msg: msg('batch.problem.badMembershipId', { value: '=x' }) }], operation: -1 },
      ],
    });
    expect(buildReportCsv(rows)).toBe('row,line,membership,service,before,after,outcome,message,client\r\n1,2,500001,Shared balance,3,5,Will change,r,\r\n2,3,\'=x,,,,Problem,“=x” is not a membership ID (a positive whole number).,\r\n');
  });
});
