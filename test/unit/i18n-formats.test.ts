/**
 * Dates, numbers and plural forms in each language, through the renderer's own formatting (format.ts
 * and t() with the language's catalog loaded as the app loads it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LANGUAGES, weekStart, type Language } from '../../common/i18n/languages';
import { bindLanguage, loadLanguage, t } from '../../renderer/src/lib/i18n';
import { daysWords, formatDate, formatDay, formatDayLong, formatDayNumeric, formatMoment, formatNumber, visitsWords } from '../../renderer/src/lib/format';

const NBSP = '\u00a0';
const CHICAGO = 'America/Chicago';

interface Expected {
  day: string;
  numeric: string;
  long: string;
  moment: string;
  numbers: [number, string][];
  visits: [number, string][];
  days: [number, string][];
  weekStart: 0 | 1;
}

const EXPECTED: Record<Language, Expected> = {
  en: {
    day: '31 December 2026',
    numeric: '31/12/2026',
    long: 'Thursday, 31 December 2026',
    moment: '20 May 2026, 14:05',
    numbers: [[1000, '1,000'], [1234567, '1,234,567']],
    visits: [[1, '1 visit'], [2, '2 visits'], [5, '5 visits'], [21, '21 visits']],
    days: [[1, '1 day'], [14, '14 days']],
    weekStart: 1,
  },
  ru: {
    day: '31.12.2026',
    numeric: '31.12.2026',
    long: 'четверг, 31 декабря 2026 г.',
    moment: '20.05.2026, 14:05',
    numbers: [[1000, `1${NBSP}000`], [1234567, `1${NBSP}234${NBSP}567`]],
    visits: [[1, '1 визит'], [2, '2 визита'], [5, '5 визитов'], [11, '11 визитов'], [21, '21 визит'], [22, '22 визита'], [1000, `1${NBSP}000 визитов`]],
    days: [[1, '1 день'], [3, '3 дня'], [14, '14 дней'], [21, '21 день']],
    weekStart: 1,
  },
  es: {
    day: '31/12/2026',
    numeric: '31/12/2026',
    long: 'jueves, 31 de diciembre de 2026',
    moment: '20/05/2026, 14:05',
    numbers: [[10000, '10.000'], [1234567, '1.234.567']],
    visits: [[1, '1 visita'], [2, '2 visitas'], [21, '21 visitas']],
    days: [[1, '1 día'], [14, '14 días']],
    weekStart: 1,
  },
  'pt-BR': {
    day: '31/12/2026',
    numeric: '31/12/2026',
    long: 'quinta-feira, 31 de dezembro de 2026',
    moment: '20/05/2026, 14:05',
    numbers: [[1000, '1.000'], [1234567, '1.234.567']],
    visits: [[1, '1 visita'], [2, '2 visitas'], [21, '21 visitas']],
    days: [[1, '1 dia'], [14, '14 dias']],
    weekStart: 0,
  },
};

let current: Language = 'en';
bindLanguage(() => current);
afterAll(() => bindLanguage(() => 'en'));

describe.each(LANGUAGES.map((l) => [l] as const))('%s', (lang) => {
  const want = EXPECTED[lang];
  it('dates: days, long days, moments in the location zone', async () => {
    await loadLanguage(lang);
    current = lang;
    expect(formatDay('2026-12-31')).toBe(want.day);
    expect(formatDayNumeric('2026-12-31')).toBe(want.numeric);
    expect(formatDayLong('2026-12-31')).toBe(want.long);
    // 01:00 UTC on 1 January is still 31 December in Chicago.
    expect(formatDate('2027-01-01T01:00:00Z', CHICAGO)).toBe(want.day);
    expect(formatMoment('2026-05-20T19:05:00Z', CHICAGO)).toBe(want.moment);
  });

  it('numbers and plural forms (from the catalog)', async () => {
    await loadLanguage(lang);
    current = lang;
    for (const [n, text] of want.numbers) expect(formatNumber(n)).toBe(text);
    for (const [n, text] of want.visits) expect(visitsWords(n)).toBe(text);
    for (const [n, text] of want.days) expect(daysWords(n)).toBe(text);
  });

  it('first day of the week', () => {
    expect(weekStart(lang)).toBe(want.weekStart);
  });
});

it('a language switch changes the words of the next t() call, no reload', async () => {
  await loadLanguage('ru');
  current = 'en';
  expect(t('nav.settings')).toBe('Settings');
  current = 'ru';
  expect(t('nav.settings')).toBe('Настройки');
  current = 'es';
  await loadLanguage('es');
  expect(t('nav.settings')).toBe('Configuración');
});
