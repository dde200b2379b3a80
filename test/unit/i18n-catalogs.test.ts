import { readdirSync, readFileSync } from 'node:fs';
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

  it('there is one catalog per language the app speaks (en, ru, es, pt-BR), and no other', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    expect(files).toEqual([...LANGUAGES].sort());
    expect([...LANGUAGES].sort()).toEqual(['en', 'es', 'pt-BR', 'ru']);
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
    expect([...countForms('pt-BR')].sort()).toEqual(['one', 'other']);
    // Every form required is one Intl knows for that language (es and pt-BR also list "many",
    // used only for compact millions like "1 M": a count falls back to "other" there).
    for (const lang of LANGUAGES) {
      const known = new Intl.PluralRules(FORMAT_LOCALE[lang]).resolvedOptions().pluralCategories as string[];
      for (const form of countForms(FORMAT_LOCALE[lang])) expect(known).toContain(form);
    }
  });

  it('counts read as staff say them in each language (1 визит, 2 визита, 5 визитов, 21 визит)', () => {
    const say = (lang: (typeof LANGUAGES)[number], n: number) =>
      (createTranslator(lang, load(lang)) as (key: string, params?: Record<string, unknown>) => string)('visits.count', { count: n });
    expect([1, 2, 5, 11, 21, 22, 25].map((n) => say('ru', n))).toEqual(['1 визит', '2 визита', '5 визитов', '11 визитов', '21 визит', '22 визита', '25 визитов']);
    expect([1, 2, 1000].map((n) => say('es', n))).toEqual(['1 visita', '2 visitas', '1000 visitas']);
    expect([1, 2, 1000].map((n) => say('pt-BR', n))).toEqual(['1 visita', '2 visitas', '1.000 visitas']);
    expect(say('ru', 1000)).toBe('1\u00a0000 визитов');
    expect(say('en', 1)).toBe('1 visit');
  });

  it('counts that English writes without a plural still agree in the other languages (1 perdido, 2 perdidos; из 21 проблемы)', () => {
    const tr = (lang: (typeof LANGUAGES)[number]) => createTranslator(lang, load(lang)) as (key: string, params?: Record<string, unknown>) => string;
    expect([1, 2].map((count) => tr('pt-BR')('nav.plansMissed', { count }))).toEqual(['Planejado (1 perdido)', 'Planejado (2 perdidos)']);
    expect(tr('en')('nav.plansMissed', { count: 1000 })).toBe('Planned (1,000 missed)');
    const capped = (total: number) => tr('ru')('batch.problems.capped', { shown: 500, total }).split('.')[0];
    expect([521, 600, 1000].map(capped)).toEqual(['Показаны первые 500 из 521 проблемы', 'Показаны первые 500 из 600 проблем', 'Показаны первые 500 из 1\u00a0000 проблем']);
  });
});
