import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guessMapping } from '../../main/core/batch/mapping';
import { parseCount } from '../../main/core/batch/validate';
import { PHONE_DIGITS } from '../../common/phone';
import { correctionsOf, parseTable, validateRows } from '../support/batch-views';

const validate = (csv: string) => {
  const t = parseTable(csv);
  return validateRows(t, guessMapping(t.header));
};

describe('parseCount', () => {
  it.each([
    ['5', false, 5],
    [' 12 ', false, 12],
    ['0', false, 0],
    ['3,0', false, 3],
    ['3.00', false, 3],
    ['1 000', false, 1000],
    ['1\u00a0000', false, 1000],
    ['+3', true, 3],
    ['-2', true, -2],
    ['\u22122', true, -2],
    ['\u20132', true, -2],
    ['+ 4', true, 4],
    ['7', true, 7],
    ['-0', true, 0],
  ] as const)('%j (signed %s) → %d', (raw, signed, value) => {
    expect(parseCount(raw.trim(), signed)).toBe(value);
  });

  it.each([
    ['пять', false, 'not_a_number'],
    ['', false, 'not_a_number'],
    ['2,5', false, 'not_whole'],
    ['1,000', false, 'ambiguous_number'],
    ['1.000', true, 'ambiguous_number'],
    ['+3', false, 'balance_signed'],
    ['-3', false, 'negative'],
    ['\u22123', false, 'negative'],
    ['100001', false, 'too_large'],
    ['-100001', true, 'too_large'],
    ['3e2', false, 'not_a_number'],
    ['0x10', false, 'not_a_number'],
    ['--1', true, 'not_a_number'],
  ] as const)('%j (signed %s) → %s', (raw, signed, code) => {
    expect(parseCount(raw, signed)).toBe(code);
  });

  it('reads back any whole number however it is written', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.constantFrom('', '+'), fc.constantFrom('-', '\u2212'), fc.constantFrom('', ',0', '.00'), (n, plus, minus, frac) => {
        const text = `${n < 0 ? minus : plus}${Math.abs(n)}${frac}`;
        expect(parseCount(text, true)).toBe(n);
        if (n >= 0 && plus === '') expect(parseCount(text, false)).toBe(n);
      }),
    );
  });
});

describe('the phone column: the one phone rule (common/phone.ts), read at the location', () => {
  const phoneOf = (cell: string, callingCode: string | null) => {
    const t = parseTable(`number;phone;delta\n500;${cell};+1\n`);
    const v = validateRows(t, guessMapping(t.header), { callingCode });
    return correctionsOf(v)[0]?.membershipRef ?? v.invalidRows[0]?.problems.map((p) => [p.code, p.line, p.column, p.field, p.msg.params]);
  };

  it.each([
    ['+7 (912) 345-67-89', '7', '79123456789'],
    ['8 912 345 67 89', '7', '79123456789'],
    ['8 912 345 67 89', null, '89123456789'],
    ['79123456789', '7', '79123456789'],
    ['+13155550175', '1', '13155550175'],
    ['(315) 555-0175', '1', '13155550175'],
    ['+55 11 91234-5678', '55', '5511912345678'],
    ['+34 612 34 56 78', '34', '34612345678'],
    ['0049 30 5550 1000', '7', '493055501000'],
    ['030.5550.1000', '49', '493055501000'],
  ])('%s at calling code %s → %s', (cell, code, phone) => {
    expect(phoneOf(cell, code)).toEqual({ number: '500', phone });
  });

  it.each(['12-34', '7912345678x', '+7 912 CALL ME', '1234567890123456'])('%s is a bad_phone problem with its line, column, field and the rule’s limits', (cell) => {
    expect(phoneOf(cell, '7')).toEqual([['bad_phone', 2, 'phone', 'phone', { value: cell, min: PHONE_DIGITS.min, max: PHONE_DIGITS.max }]]);
  });
});

describe('validateRows', () => {
  it('turns rows into typed corrections', () => {
    const v = validate('ID абонемента;Номер;Телефон;ID услуги;Услуга;Остаток;Изменение;Причина\r\n1;;;;;5;;r1\r\n;500;+7 912 345-67-89;;Йога;;+2;\r\n3;;;77;Yoga;;-1;r3\r\n');
    expect(v.invalidRows).toEqual([]);
    expect(correctionsOf(v)).toEqual([
      { index: 0, line: 2, membershipRef: { id: 1 }, service: null, serviceTitle: null, op: { set: 5 }, reason: 'r1' },
      { index: 1, line: 3, membershipRef: { number: '500', phone: '79123456789' }, service: { title: 'Йога' }, serviceTitle: null, op: { delta: 2 }, reason: '' },
      { index: 2, line: 4, membershipRef: { id: 3 }, service: { id: 77 }, serviceTitle: 'Yoga', op: { delta: -1 }, reason: 'r3' },
    ]);
  });

  it('reports every problem of a row with line, column and field, and goes on with the next rows', () => {
    const v = validate('membership_id,service_id,balance,delta,reason\nabc,x1,5,+1,ok\n,,,,\n2,,,,\n3,,2.5,,\n4,,-1,,\n5,,7,,fine\n');
    expect(correctionsOf(v).map((c) => c.line)).toEqual([7]);
    const byLine = Object.fromEntries(v.invalidRows.map((i) => [i.line, i.problems.map((p) => [p.code, p.column, p.field])]));
    expect(byLine).toEqual({
      2: [
        ['bad_membership_id', 'membership_id', 'membership_id'],
        ['bad_service_id', 'service_id', 'service_id'],
        ['both_balance_and_delta', 'delta', 'delta'],
      ],
      4: [['no_operation', 'balance', 'balance']],
      5: [['not_whole', 'balance', 'balance']],
      6: [['negative', 'balance', 'balance']],
    });
    // the blank row ",,,," is skipped, not reported
    expect(v.total).toBe(5);
  });

  it('asks for both number and phone when the id is missing', () => {
    const v = validate('membership_id;number;phone;balance\n;500;;1\n;;79123456789;1\n;;;1\n;500;12;1\n');
    expect(v.invalidRows.map((i) => i.problems.map((p) => p.code))).toEqual([['number_without_phone'], ['phone_without_number'], ['no_membership_ref'], ['bad_phone']]);
  });

  it('refuses reasons longer than 500 characters', () => {
    const v = validate(`membership_id;balance;reason\n1;2;${'x'.repeat(501)}\n`);
    expect(v.invalidRows[0]?.problems.map((p) => p.code)).toEqual(['reason_too_long']);
  });

  it('never throws and accounts for every row (valid + invalid = total)', () => {
    const cell = fc.oneof(fc.constantFrom('', '1', '+2', '-3', '2,5', 'abc', ' 7 ', '79123456789', 'Йога'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 8, maxLength: 8 }), { maxLength: 30 }), (rows) => {
        const table = { header: ['membership_id', 'number', 'phone', 'service_id', 'service', 'balance', 'delta', 'reason'], rows, lines: Int32Array.from(rows, (_, i) => i + 2) };
        const v = validateRows(table, guessMapping(table.header));
        expect(correctionsOf(v).length + v.invalidRows.length).toBe(rows.length);
        for (const i of v.invalidRows) expect(i.problems.length).toBeGreaterThan(0);
      }),
    );
  });
});
