import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../common/i18n/languages';
import { checkMapping, firstLineSignature, guessMapping, headerSignature, matchHeader, normalizeHeader, type Field } from '../../main/core/batch/mapping';

const KNOWN: [string, Field][] = [
  ['membership_id', 'membership_id'],
  ['Membership ID', 'membership_id'],
  ['ID абонемента', 'membership_id'],
  ['Абонемент', 'membership_id'],
  ['ИД абонемента', 'membership_id'],
  ['number', 'number'],
  ['Номер', 'number'],
  ['Номер абонемента', 'number'],
  ['№ абонемента', 'number'],
  ['Membership #', 'number'],
  ['Код абонемента', 'number'],
  ['phone', 'phone'],
  ['Телефон', 'phone'],
  ['Телефон клиента', 'phone'],
  ['Номер телефона', 'phone'],
  ['service_id', 'service_id'],
  ['ID услуги', 'service_id'],
  ['Service ID', 'service_id'],
  ['service', 'service'],
  ['Услуга', 'service'],
  ['Название услуги', 'service'],
  ['Категория', 'service'],
  ['balance', 'balance'],
  ['Остаток', 'balance'],
  ['Баланс', 'balance'],
  ['Новый остаток', 'balance'],
  ['Остаток посещений (шт)', 'balance'],
  ['Visits left', 'balance'],
  ['delta', 'delta'],
  ['Изменение', 'delta'],
  ['Дельта', 'delta'],
  ['Корректировка', 'delta'],
  ['Change', 'delta'],
  ['reason', 'reason'],
  ['Причина', 'reason'],
  ['Комментарий', 'reason'],
  ['Примечание', 'reason'],
  ['Comment', 'reason'],
  // Spanish
  ['ID del abono', 'membership_id'],
  ['Abono', 'membership_id'],
  ['N.º de abono', 'number'],
  ['Número de abono', 'number'],
  ['Teléfono', 'phone'],
  ['Telefono del cliente', 'phone'],
  ['ID del servicio', 'service_id'],
  ['Servicio', 'service'],
  ['Nuevo saldo', 'balance'],
  ['Visitas restantes', 'balance'],
  ['Cambio (+/−)', 'delta'],
  ['Ajuste', 'delta'],
  ['Motivo', 'reason'],
  ['Observaciones', 'reason'],
  // Brazilian Portuguese
  ['ID da assinatura', 'membership_id'],
  ['Assinatura', 'membership_id'],
  ['Número da assinatura', 'number'],
  ['Nº da assinatura', 'number'],
  ['Telefone', 'phone'],
  ['Celular', 'phone'],
  ['ID do serviço', 'service_id'],
  ['Serviço', 'service'],
  ['Novo saldo', 'balance'],
  ['Saldo de visitas', 'balance'],
  ['Alteração (+/−)', 'delta'],
  ['Correção', 'delta'],
  ['Motivo', 'reason'],
  ['Observação', 'reason'],
];

describe('header matching', () => {
  it.each(KNOWN)('%s → %s', (header, field) => {
    expect(matchHeader(header)).toBe(field);
  });

  it('is insensitive to case, surrounding and repeated spaces, underscores and ё/е', () => {
    const variant = (s: string) =>
      fc.tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.constantFrom('', ' ', '  ', '\t'), fc.constantFrom('', ' ', '\u00a0')).map(
        ([upper, pre, post]) => `${pre}${[...s].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('').replace(/ /g, ' ')}${post}`,
      );
    fc.assert(fc.property(fc.constantFrom(...KNOWN).chain(([h, f]) => variant(h).map((v) => [v, f] as const)), ([v, f]) => {
      expect(matchHeader(v)).toBe(f);
    }));
    expect(matchHeader('ПЕРЕРАСЧЁТ ОСТАТКА')).toBe('balance');
    expect(matchHeader('membership_ID')).toBe('membership_id');
  });

  it('leaves unknown headers unmapped', () => {
    expect(matchHeader('Client name')).toBeNull();
    expect(matchHeader('Дата продажи')).toBeNull();
    expect(matchHeader('')).toBeNull();
  });

  it('normalises headers', () => {
    expect(normalizeHeader('  ID_Абонемента (код) ')).toBe('id абонемента');
    expect(normalizeHeader('Ёмкость')).toBe('емкость');
  });
});

describe('headers in every language the app speaks', () => {
  const catalog = (lang: string) => JSON.parse(readFileSync(join(import.meta.dirname, `../../common/i18n/catalogs/${lang}.json`), 'utf8')) as Record<string, string>;
  const FIELDS_SHOWN: Field[] = ['membership_id', 'number', 'phone', 'service_id', 'service', 'balance', 'delta', 'reason'];

  it.each([...LANGUAGES])('%s: the app\'s own column labels (the sample file\'s headers) map to their fields', (lang) => {
    const words = catalog(lang);
    const headers = FIELDS_SHOWN.map((f) => words[`batch.field.${f}`] ?? '');
    expect(headers.every((h) => h.length > 0)).toBe(true);
    expect(guessMapping(headers)).toEqual(Object.fromEntries(FIELDS_SHOWN.map((f, i) => [f, i])));
  });

  it('en: a typical export header', () => {
    expect(guessMapping(['Client name', 'Phone', 'Membership number', 'Visits left', 'Comment'])).toEqual({ phone: 1, number: 2, balance: 3, reason: 4 });
  });

  it('ru: a typical export header', () => {
    expect(guessMapping(['Клиент', 'Телефон', '№ абонемента', 'Остаток посещений', 'Комментарий'])).toEqual({ phone: 1, number: 2, balance: 3, reason: 4 });
  });

  it('es: a typical export header, with or without accents', () => {
    expect(guessMapping(['Cliente', 'Teléfono', 'Número de abono', 'Saldo', 'Motivo'])).toEqual({ phone: 1, number: 2, balance: 3, reason: 4 });
    expect(guessMapping(['ID ABONO', 'TELEFONO', 'NUMERO', 'AJUSTE', 'RAZON'])).toEqual({ membership_id: 0, phone: 1, number: 2, delta: 3, reason: 4 });
  });

  it('pt-BR: a typical export header, with or without accents', () => {
    expect(guessMapping(['Cliente', 'Telefone', 'Número da assinatura', 'Saldo de visitas', 'Observações'])).toEqual({ phone: 1, number: 2, balance: 3, reason: 4 });
    expect(guessMapping(['id da assinatura', 'nome do servico', 'alteracao', 'motivo'])).toEqual({ membership_id: 0, service: 1, delta: 2, reason: 3 });
  });

  it('accents do not change the remembered signature of a header', () => {
    expect(headerSignature(['Teléfono', 'Saldo'])).not.toBe(headerSignature(['Telefono', 'Saldo']));
    expect(normalizeHeader('Телефон клиента (мобильный)')).toBe('телефон клиента');
  });
});

describe('guessMapping', () => {
  it('maps a Russian Excel header', () => {
    expect(guessMapping(['ID абонемента', 'Услуга', 'Остаток', 'Изменение', 'Причина'])).toEqual({ membership_id: 0, service: 1, balance: 2, delta: 3, reason: 4 });
  });

  it('maps number + phone and ignores unknown columns', () => {
    expect(guessMapping(['Клиент', 'Номер', 'Телефон', 'Баланс'])).toEqual({ number: 1, phone: 2, balance: 3 });
  });

  it('prefers an exact name over a keyword match and never maps a field twice', () => {
    // "Остаток на начало" matches balance by keyword; the exact "Остаток" must win it.
    expect(guessMapping(['id', 'Остаток на начало', 'Остаток'])).toEqual({ membership_id: 0, balance: 2 });
    expect(guessMapping(['id', 'id'])).toEqual({ membership_id: 0 });
  });
});

describe('headerSignature', () => {
  it('is stable across case, spacing and trailing empty columns, and differs for other headers', () => {
    const a = headerSignature(['ID абонемента', 'Остаток']);
    expect(headerSignature([' id  АБОНЕМЕНТА', 'остаток', '', 'column 4'])).toBe(a);
    expect(headerSignature(['Остаток', 'ID абонемента'])).not.toBe(a);
    expect(headerSignature(['ID абонемента', 'Изменение'])).not.toBe(a);
    expect(a).toMatch(/^v1:2:[0-9a-f]{16}$/);
  });

  it('never collides on a small random corpus', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.array(fc.stringMatching(/^[a-zа-я][a-zа-я0-9 ]{0,10}[a-zа-я0-9]$/), { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 20, selector: (h) => h.map(normalizeHeader).join('|') }), (headers) => {
        const sigs = new Set(headers.map(headerSignature));
        expect(sigs.size).toBe(headers.length);
      }),
    );
  });
});

describe('firstLineSignature', () => {
  it('keys a file by its first non-empty line as written: BOM, case and line breaks aside, delimiters included', () => {
    const a = firstLineSignature('ID абонемента;Остаток\r\n1;2\r\n');
    expect(firstLineSignature('\uFEFF\r\n\nid АБОНЕМЕНТА;остаток\n9;9')).toBe(a);
    expect(firstLineSignature('ID абонемента;Остаток')).toBe(a);
    expect(firstLineSignature('ID абонемента,Остаток\r\n1,2')).not.toBe(a);
    expect(firstLineSignature('ID абонемента;Остаток;Причина\r\n')).not.toBe(a);
    expect(a).toMatch(/^l2:[0-9a-f]{16}$/);
    // Lines of only delimiters and spaces (Excel's empty rows) are skipped; punctuation counts.
    expect(firstLineSignature(';;;\r\n , \r\nID абонемента;Остаток\r\n')).toBe(a);
    expect(firstLineSignature('ID_абонемента;Остаток')).not.toBe(a);
    expect(firstLineSignature('ID абонемента\tОстаток')).not.toBe(firstLineSignature('ID абонемента Остаток'));
    expect(firstLineSignature('')).toBeNull();
    expect(firstLineSignature('\uFEFF;;;\r\n   \r\n')).toBeNull();
  });
});

describe('checkMapping', () => {
  it('accepts membership_id + balance, and number + phone + delta', () => {
    expect(checkMapping({ membership_id: 0, balance: 1 }, 2)).toEqual([]);
    expect(checkMapping({ number: 0, phone: 1, delta: 2 }, 3)).toEqual([]);
  });

  it('says what is missing', () => {
    expect(checkMapping({ balance: 0 }, 1).map((p) => p.code)).toEqual(['no_membership_column']);
    expect(checkMapping({ number: 0, balance: 1 }, 2).map((p) => p.code)).toEqual(['number_without_phone']);
    expect(checkMapping({ phone: 0, balance: 1 }, 2).map((p) => p.code)).toEqual(['phone_without_number']);
    expect(checkMapping({ membership_id: 0, reason: 1 }, 2).map((p) => p.code)).toEqual(['no_operation_column']);
  });

  it('rejects columns out of range or used twice', () => {
    expect(checkMapping({ membership_id: 0, balance: 5 }, 2).map((p) => p.code)).toEqual(['column_out_of_range']);
    expect(checkMapping({ membership_id: 0, balance: 0 }, 2).map((p) => p.code)).toEqual(['column_reused']);
  });
});
