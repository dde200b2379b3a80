/**
 * Generates a large, realistic balance-correction CSV (and the memberships it refers to) —
 * deterministic for a given seed. Used by the bench and, from the command line, to write a file:
 *
 *   npx tsx scripts/gen-csv-fixture.ts <out.csv> [--rows 100000] [--encoding windows-1251|utf-8] [--seed 1]
 *   npx tsx scripts/gen-csv-fixture.ts --fixtures test/fixtures/csv     (re-writes the small committed fixtures)
 *
 * The file mimics an Excel export on a Russian Windows: `;` separators, CRLF, Russian headers,
 * ids and number+phone references, per-service and united balances, absolute values and deltas,
 * reasons with quotes and separators, and ~2% of broken rows.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import type { Membership } from '../preload/contract';
import type { MembershipEntry } from '../main/core/batch/plan-resolve';

export interface GeneratedBatch {
  text: string;
  memberships: MembershipEntry[];
}

/** Small deterministic PRNG (mulberry32); a seed replays the same sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = [
  { id: 12840551, title: 'Пилатес групповой' },
  { id: 12840552, title: 'Йога' },
  { id: 12840553, title: 'Стретчинг' },
  { id: 9911201, title: 'Массаж спины' },
  { id: 9911202, title: 'Бассейн' },
];
const REASONS = [
  'Перенос из старой системы',
  'Спор с клиентом',
  'Ошибка администратора; исправлено',
  'Компенсация за "отменённое" занятие',
  'Подарок, акция',
  '',
];

export function makeMembership(id: number, opts: { united: boolean; lines: { id: number; title: string; count: number }[]; unitedCount?: number; chainId?: number; editType?: number | null }): Membership {
  return {
    id,
    number: String(500000 + id),
    chainId: opts.chainId ?? 70114,
    balanceString: '',
    status: { id: 2, slug: 'active', title: 'Active' },
    isFrozen: false,
    freezePeriodDays: 0,
    freezeTill: null,
    createdDate: null,
    activatedDate: null,
    expirationDate: null,
    type: {
      id: 30218,
      title: 'Pilates 10-pack',
      allowFreeze: true,
      freezeLimit: 14,
      freezeLimitUnit: 'day',
      balanceEditType: opts.editType === undefined ? 2 : opts.editType,
      period: 3,
      periodUnit: 'month',
    },
    balance: opts.united
      ? {
          kind: 'united',
          count: opts.unitedCount ?? 0,
          unlimited: false,
          lines: opts.lines.map((l) => ({ serviceId: l.id, title: l.title, isCategory: false, count: 0, unlimited: false })),
        }
      : { kind: 'per_service', lines: opts.lines.map((l) => ({ serviceId: l.id, title: l.title, isCategory: false, count: l.count, unlimited: false })) },
  };
}

export function generateBatch(rows: number, seed = 1): GeneratedBatch {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const memberships: MembershipEntry[] = [];
  const out: string[] = ['ID абонемента;Номер;Телефон;Услуга;ID услуги;Остаток;Изменение;Причина;;'];
  let previous = '';
  for (let i = 1; out.length <= rows; i++) {
    const united = r() < 0.4;
    const k = 1 + Math.floor(r() * 3);
    const start = Math.floor(r() * SERVICES.length);
    const lines = Array.from({ length: k }, (_, j) => {
      const s = SERVICES[(start + j) % SERVICES.length] as { id: number; title: string };
      return { ...s, count: Math.floor(r() * 12) };
    });
    const m = makeMembership(1_000_000 + i, { united, lines, unitedCount: Math.floor(r() * 20) });
    const phone = String(79000000000 + i);
    memberships.push({ membership: m, phones: [phone] });
    const byId = r() < 0.7;
    // One row per balance line (the united balance is one line), as a real correction file has.
    const targets = m.balance.kind === 'united' ? [null] : m.balance.lines;
    for (const line of targets) {
      if (out.length > rows) break;
      const roll = r();
      if (roll < 0.01 && previous !== '') {
        out.push(previous); // an accidental duplicate
        continue;
      }
      let service = '';
      let serviceId = '';
      if (line !== null) {
        if (r() < 0.5) service = line.title;
        else serviceId = String(line.serviceId);
      }
      const isSet = r() < 0.6;
      let balance = isSet ? String(Math.floor(r() * 15)) : '';
      let delta = isSet ? '' : pick(['+1', '+2', '-1', '3', '+5', '-2']);
      if (roll < 0.015) balance = 'пять';
      else if (roll < 0.02) {
        balance = '2,5';
        delta = '';
      } else if (roll < 0.025) delta = '+1'; // both balance and delta
      else if (roll < 0.03) balance = delta = '';
      let reason = pick(REASONS);
      if (reason.includes('"') || reason.includes(';')) reason = `"${reason.replace(/"/g, '""')}"`;
      previous = [byId ? String(m.id) : '', byId ? '' : m.number, byId ? '' : `+${phone}`, service, serviceId, balance, delta, reason, '', ''].join(';');
      out.push(previous);
    }
  }
  return { text: `${out.join('\r\n')}\r\n`, memberships };
}

/**
 * The small committed fixtures (test/fixtures/csv/), generated deterministically so binary ones
 * (cp1251, UTF-16) never depend on an editor. A unit test checks the committed files match.
 * They refer to the memberships of `fixtureMemberships()` (test/unit/csv-fixtures.test.ts).
 */
export function smallFixtures(): { name: string; bytes: Uint8Array; about: string }[] {
  const enc = (text: string, encoding: string, bom = false): Uint8Array => {
    const body = iconv.encode(text, encoding);
    const prefix = !bom ? [] : encoding === 'utf-8' ? [0xef, 0xbb, 0xbf] : encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
    const out = new Uint8Array(prefix.length + body.length);
    out.set(prefix, 0);
    out.set(body, prefix.length);
    return out;
  };
  const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
  return [
    {
      name: 'excel-cp1251-semicolon.csv',
      about: 'Excel on Russian Windows: cp1251, ";", CRLF, Russian headers, trailing empty columns, a blank ";;;" row, quoted ";" and quotes, "3,0"',
      bytes: enc(
        crlf([
          'ID абонемента;Услуга;Остаток;Изменение;Причина;;',
          '4471902;Пилатес групповой;5;;Перенос из старой системы;;',
          '4471903;;3,0;;"Спор; клиент ""прав""";;',
          ';;;;;;',
          '4471904;Йога;;+2;Компенсация;;',
          '4471904;Массаж спины;;-1;Ошибка администратора;;',
        ]),
        'windows-1251',
      ),
    },
    {
      name: 'utf8-bom-comma.csv',
      about: 'UTF-8 with BOM, ",", English headers, a quoted reason spanning two lines, LF',
      bytes: enc(
        [
          'membership_id,service_id,balance,reason',
          '4471902,12840551,6,"moved from the old system,',
          'second line of the reason"',
          '4471903,,4,dispute',
          '',
        ].join('\n'),
        'utf-8',
        true,
      ),
    },
    {
      name: 'excel-unicode-text-utf16le.txt',
      about: 'Excel "Unicode Text": UTF-16 LE with BOM, tab-separated, CRLF, Russian headers',
      bytes: enc(crlf(['Номер\tТелефон\tУслуга\tБаланс\tКомментарий', '504471902\t+7 (912) 345-67-89\tПилатес групповой\t7\tсверка', '504471903\t79123456780\t\t2\tсверка']), 'utf-16le', true),
    },
    {
      name: 'utf16le-no-bom-tab.txt',
      about: 'UTF-16 LE without BOM (found by the NUL pattern), tab-separated',
      bytes: enc(crlf(['membership_id\tbalance', '4471902\t1', '4471903\t0']), 'utf-16le', false),
    },
    {
      name: 'crlf-empty-lines-trailing-columns.csv',
      about: 'UTF-8 without BOM, ";", CRLF, empty lines in between and at the end, trailing empty columns',
      bytes: enc(
        '\r\nmembership_id;delta;reason;;;\r\n\r\n4471902;+1;bonus;;;\r\n\r\n\r\n4471903;-1;;;;\r\n4471904;+1;;;;\r\n\r\n',
        'utf-8',
      ),
    },
    {
      name: 'excel-cp1252-semicolon.csv',
      about: 'Excel on Western European Windows: windows-1252, ";", decimal comma, accented reasons',
      bytes: enc(
        crlf([
          'Membership ID;Service;Balance;Reason',
          '4471902;Pilates group;5,0;Übertrag aus dem alten System – Größe',
          '4471903;;2;Café offert, naïve façade',
        ]),
        'windows-1252',
      ),
    },
  ];
}

function main(argv: string[]): void {
  const args = [...argv];
  if (args[0] === '--fixtures') {
    const dir = args[1];
    if (!dir) throw new Error('--fixtures needs a directory');
    for (const f of smallFixtures()) {
      writeFileSync(`${dir}/${f.name}`, f.bytes);
      console.log(`wrote ${dir}/${f.name}`);
    }
    return;
  }
  const out = args.shift();
  if (!out || out.startsWith('--')) {
    console.error('usage: npx tsx scripts/gen-csv-fixture.ts <out.csv> [--rows 100000] [--encoding windows-1251|utf-8] [--seed 1]');
    process.exit(2);
  }
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
  };
  const rows = Number(opt('rows', '100000'));
  const encoding = opt('encoding', 'windows-1251');
  const { text } = generateBatch(rows, Number(opt('seed', '1')));
  writeFileSync(out, iconv.encode(text, encoding));
  console.log(`wrote ${rows} rows (${encoding}) to ${out}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
