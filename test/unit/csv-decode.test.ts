import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, cyrillicScore, decodeBytes } from '../../main/core/batch/decode';
import { DeskFailure } from '../../main/core/errors';
import { failureOf as failure } from '../support/failures';
import { ENCODING_CHOICES } from '../../common/encodings';

const bytesOf = (text: string, encoding: string, bom: number[] = []): Uint8Array => {
  const body = iconv.encode(text, encoding);
  const out = new Uint8Array(bom.length + body.length);
  out.set(bom, 0);
  out.set(body, bom.length);
  return out;
};
const BOM = { 'utf-8': [0xef, 0xbb, 0xbf], 'utf-16le': [0xff, 0xfe], 'utf-16be': [0xfe, 0xff] };

const RU_WORDS = [
  'абонемент', 'остаток', 'услуга', 'Пилатес', 'групповой', 'Йога', 'массаж', 'спины', 'перенос', 'из', 'старой', 'системы',
  'спор', 'с', 'клиентом', 'ошибка', 'администратора', 'компенсация', 'занятие', 'Причина', 'Телефон', 'Номер', 'изменение',
  'бассейн', 'стретчинг', 'подарок', 'акция', 'ПЕРЕРАСЧЁТ', 'исправлено', 'ёлка', 'Щедрый', 'въезд', 'объявление',
];
const WEST_WORDS = [
  'membership', 'balance', 'Übertrag', 'Größe', 'Café', 'crème', 'naïve', 'façade', 'señor', 'niño', 'Müller', 'garçon', 'déjà',
  'vu', 'résumé', 'Ærø', 'smörgåsbord', 'piña', 'colada', 'reason', 'Straße', 'élève', 'Kündigung', 'Zurück',
];

/** A CSV-ish text of real words: the realistic input for the detector. */
const csvOf = (words: readonly string[]) =>
  fc
    .array(fc.array(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')), { minLength: 2, maxLength: 5 }), {
      minLength: 2,
      maxLength: 12,
    })
    .map((rows) => rows.map((r, i) => [String(4471900 + i), ...r].join(';')).join('\r\n') + '\r\n');

describe('decodeBytes: BOMs and UTF-16', () => {
  const unicodeText = fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !s.includes('\u0000') && !s.startsWith('\ufeff'));

  it('round-trips any text through UTF-8 with BOM, UTF-16 LE and BE with BOM', () => {
    fc.assert(
      fc.property(unicodeText, (text) => {
        for (const enc of ['utf-8', 'utf-16le', 'utf-16be'] as const) {
          const d = decodeBytes(bytesOf(text, enc, BOM[enc]));
          expect(d).toMatchObject({ text, encoding: enc, hadBom: true, detectedBy: 'bom' });
        }
      }),
    );
  });

  it('round-trips any NUL-free text through BOM-less UTF-8', () => {
    fc.assert(
      fc.property(unicodeText, (text) => {
        const d = decodeBytes(bytesOf(text, 'utf-8'));
        expect(d.text).toBe(text);
        expect(d.hadBom).toBe(false);
      }),
    );
  });

  it('recognises BOM-less UTF-16 LE and BE by the NUL pattern', () => {
    const tabular = fc
      .array(fc.tuple(fc.integer({ min: 1, max: 9_999_999 }), fc.constantFrom(...RU_WORDS, ...WEST_WORDS), fc.nat(99)), { minLength: 2, maxLength: 20 })
      .map((rows) => `membership_id\tservice\tbalance\r\n${rows.map((r) => r.join('\t')).join('\r\n')}\r\n`);
    fc.assert(
      fc.property(tabular, fc.constantFrom('utf-16le', 'utf-16be'), (text, enc) => {
        const d = decodeBytes(bytesOf(text, enc));
        expect(d).toMatchObject({ text, encoding: enc, hadBom: false, detectedBy: 'nul-pattern' });
      }),
    );
  });
});

describe('decodeBytes: legacy code pages', () => {
  it.each(['windows-1251', 'koi8-r', 'ibm866', 'iso-8859-5'])('detects Russian text in %s and decodes it exactly', (enc) => {
    fc.assert(
      fc.property(csvOf(RU_WORDS), (text) => {
        const d = decodeBytes(bytesOf(text, enc));
        expect(d.encoding).toBe(enc);
        expect(d.text).toBe(text);
      }),
      { numRuns: 60 },
    );
  });

  it('detects Western European text in windows-1252 and decodes it exactly', () => {
    fc.assert(
      fc.property(csvOf(WEST_WORDS), (text) => {
        const d = decodeBytes(bytesOf(text, 'windows-1252'));
        expect(d.encoding).toBe('windows-1252');
        expect(d.text).toBe(text);
      }),
      { numRuns: 60 },
    );
  });

  it('short Western text the detector takes for windows-1250 stays windows-1252 (found by the property above)', () => {
    const text = '4471900;Straße;Café\r\n4471901;crème;Café\r\n';
    expect(decodeBytes(bytesOf(text, 'windows-1252'))).toMatchObject({ text, encoding: 'windows-1252' });
  });

  it('detects Central European text in windows-1250 when the detector is clearly sure', () => {
    const text = 'id;usługa;saldo;powód\r\n1;Joga;5;Przeniesienie z systemu\r\n2;Pilates;3;Reklamacja klienta źle żółć ąę\r\n';
    expect(decodeBytes(bytesOf(text, 'windows-1250'))).toMatchObject({ text, encoding: 'windows-1250' });
  });

  it('reads a realistic cp1251 Excel export (all capitals included) as windows-1251', () => {
    const text = 'ID;УСЛУГА;ОСТАТОК;ПРИЧИНА\r\n4471902;ЙОГА;5;СПОР\r\n';
    expect(decodeBytes(bytesOf(text, 'windows-1251'))).toMatchObject({ text, encoding: 'windows-1251', detectedBy: 'cyrillic-score' });
  });

  it('does not mistake German umlauts for Cyrillic', () => {
    expect(cyrillicScore(iconv.decode(iconv.encode('Übertrag;Größe;Säule', 'windows-1252'), 'windows-1251'))).toBeLessThan(1);
  });

  it('honours an explicit override (and strips its BOM)', () => {
    const text = 'ID абонемента;Остаток\r\n1;5\r\n';
    expect(decodeBytes(bytesOf(text, 'koi8-r'), { encoding: 'KOI8-R' })).toMatchObject({ text, encoding: 'koi8-r', detectedBy: 'override' });
    expect(decodeBytes(bytesOf(text, 'utf-8', BOM['utf-8']), { encoding: 'utf8' })).toMatchObject({ text, hadBom: true });
    expect(decodeBytes(bytesOf(text, 'windows-1251'), { encoding: 'cp1251' }).text).toBe(text);
    expect(() => decodeBytes(bytesOf(text, 'utf-8'), { encoding: 'klingon' })).toThrow(/Unknown text encoding/);
  });

  it('maps aliases to canonical names', () => {
    expect(canonicalEncoding('CP1251')).toBe('windows-1251');
    expect(canonicalEncoding('UTF8')).toBe('utf-8');
    expect(canonicalEncoding('unicode')).toBe('utf-16le');
    expect(canonicalEncoding('nope')).toBeNull();
  });
});

describe('decodeBytes: refusals', () => {
  it('rejects binary data with a bad_input error, naming Excel workbooks', () => {
    expect(failure(() => decodeBytes(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/xlsx/) });
    expect(failure(() => decodeBytes(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])))).toMatchObject({ message: expect.stringMatching(/\.xls\b/) });
    expect(failure(() => decodeBytes(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/not text/) });
  });

  it('rejects any NUL in what is not UTF-16', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 20, maxLength: 200 }).filter((s) => !s.includes('\u0000')), fc.nat(), (s, at) => {
        const b = bytesOf(s, 'utf-8');
        b[at % b.length] = 0;
        let threw = false;
        try {
          const d = decodeBytes(b);
          // Only a UTF-16 reading may accept NULs, and it needs them on every other byte.
          expect(d.encoding.startsWith('utf-16')).toBe(true);
        } catch (e) {
          threw = e instanceof DeskFailure && e.kind === 'bad_input';
          expect(threw).toBe(true);
        }
      }),
    );
  });

  it('rejects files over the size limit', () => {
    expect(failure(() => decodeBytes(new Uint8Array(2000), { maxBytes: 1000 }))).toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/limit/) });
  });

  it('accepts an empty file as empty UTF-8 text', () => {
    expect(decodeBytes(new Uint8Array())).toMatchObject({ text: '', encoding: 'utf-8', detectedBy: 'empty' });
  });
});

describe('encoding choices', () => {
  it('the decoder accepts every encoding the picker offers, under its own name', () => {
    for (const { value } of ENCODING_CHOICES) expect(canonicalEncoding(value), value).toBe(value);
  });
});
