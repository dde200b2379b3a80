import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../common/i18n/translate';
import { FORMAT_LOCALE, LANGUAGES } from '../../common/i18n/languages';
import { catalogProblems, countForms, sampleValues } from '../../scripts/i18n-check';
import { EN_CATALOG, KEYS_FILE, renderKeysModule } from '../../scripts/i18n-keys';

const dir = join(import.meta.dirname, '../../common/i18n/catalogs');
const load = (lang: string) => JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8')) as Record<string, string>;
const english = load('en');

describe('message catalogs', () => {
  it('keys.gen.ts is generated from the English catalog as it is now (npm run i18n:keys)', () => {
    expect(readFileSync(KEYS_FILE, 'utf8')).toBe(renderKeysModule(JSON.parse(readFileSync(EN_CATALOG, 'utf8'))));
  });

  for (const lang of LANGUAGES) {
    it(`${lang}: every key, the same parameters, every plural form`, () => {
      expect(catalogProblems(english, load(lang), FORMAT_LOCALE[lang])).toEqual([]);
    });
  }

  for (const lang of LANGUAGES) {
    it(`${lang}: the app's formatter writes every message exactly as intl-messageformat does`, () => {
      const catalog = load(lang);
      const t = createTranslator(lang, catalog) as (key: string, params?: Record<string, unknown>) => string;
      const differences: string[] = [];
      for (const [key, source] of Object.entries(catalog)) {
        const reference = new IntlMessageFormat(source, FORMAT_LOCALE[lang], undefined, { ignoreTag: true });
        for (const values of sampleValues(english[key] ?? source)) {
          const want = String(reference.format(values));
          const got = t(key, values);
          if (got !== want) differences.push(`${key} ${JSON.stringify(values)}: ${got} ≠ ${want}`);
        }
      }
      expect(differences.slice(0, 10)).toEqual([]);
    });
  }

  it('the check itself finds a missing key, a dropped or added parameter, a missing plural form and a stray key', () => {
    const en = { a: 'Hello {name}', b: '{count, plural, one {# visit} other {# visits}}', c: 'Plain' };
    const ru = { a: 'Привет', b: '{count, plural, one {# визит} few {# визита} other {# визитов}}', d: 'Лишний {x}' };
    expect(catalogProblems(en, ru, 'ru-RU')).toEqual([
      'a: parameters none, English has name:text',
      'b: plural {count} lacks many',
      'c: missing',
      'd: not in the English catalog',
    ]);
    expect(catalogProblems(en, { ...en, a: 'Hello {name} {extra}' }, 'en-GB')).toEqual(['a: parameters extra:text, name:text, English has name:text']);
  });

  it('knows the plural forms each language uses for counts', () => {
    expect([...countForms('ru-RU')].sort()).toEqual(['few', 'many', 'one', 'other']);
    expect([...countForms('en-GB')].sort()).toEqual(['one', 'other']);
    expect([...countForms('es-ES')].sort()).toEqual(['one', 'other']);
  });
});
