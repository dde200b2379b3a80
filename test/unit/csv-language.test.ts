/**
 * CSV exports in each language use the list separator that language's Excel splits on (`;` where
 * the decimal separator is a comma: ru, es, pt-BR; `,` in English), always after a UTF-8 BOM.
 */
import { describe, expect, it } from 'vitest';
import { csvSeparator, FORMAT_LOCALE, LANGUAGES } from '../../common/i18n/languages';
import { auditCsv } from '../../main/core/audit-export';
import { buildReportCsv } from '../../main/core/batch/report';
import { EXCEL_BOM } from '../../main/core/csv';
import type { AuditEntry } from '../../preload/contract';
import { snap } from '../support/audit-snapshots';

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
  clientName: 'Whitfield, Dana; Jr.',
  action: 'set_balance',
  before: snap({ united: 3 }),
  after: snap({ united: 5 }),
  reason: 'r',
  outcome: 'ok',
  message: null,
  batchId: null,
  undoOf: null,
  undoneBy: null,
};

const WANT = { en: ',', ru: ';', es: ';', 'pt-BR': ';' } as const;

describe.each(LANGUAGES.map((l) => [l] as const))('%s', (lang) => {
  const d = csvSeparator(lang);

  it(`separates with "${WANT[lang]}", the separator Excel uses where the decimal mark is "${new Intl.NumberFormat(FORMAT_LOCALE[lang]).format(1.5).charAt(1)}"`, () => {
    expect(d).toBe(WANT[lang]);
    // Excel's rule: a comma decimal mark makes ';' the list separator.
    expect(new Intl.NumberFormat(FORMAT_LOCALE[lang]).format(1.5).includes(',')).toBe(d === ';');
  });

  it('audit export: BOM, header and rows split on it, a name holding either separator stays one cell', () => {
    const { csv } = auditCsv([entry], { delimiter: d });
    expect(csv.startsWith(EXCEL_BOM)).toBe(true);
    const [header, row] = csv.slice(1).split('\r\n');
    expect(header?.split(d)).toHaveLength(12);
    expect(header?.startsWith(`When${d}Location${d}`)).toBe(true);
    expect(row).toContain(`${d}"Whitfield, Dana; Jr."${d}`);
  });

  it('batch report: header and rows split on it', () => {
    const csv = buildReportCsv([{ row: 1, line: 2, membership: '500001', service: 'Shared balance', before: '3', after: '5', outcome: 'change', message: 'a; b, c', client: 'Dana Whitfield' }], { delimiter: d });
    const [header, row] = csv.split('\r\n');
    expect(header).toBe(['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client'].join(d));
    expect(row).toBe(['1', '2', '500001', 'Shared balance', '3', '5', 'Will change', '"a; b, c"', 'Dana Whitfield'].join(d));
  });
});
