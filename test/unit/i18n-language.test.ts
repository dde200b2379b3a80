import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMessage, formatters, parseMessage } from '../../common/i18n/icu';
import { LANGUAGES, pickLanguage, PSEUDO_LANGUAGE, weekStart } from '../../common/i18n/languages';
import { dispatch, type Handlers } from '../../main/core/dispatch';
import { createLanguageSetting } from '../../main/core/language';
import { openStore, type Store } from '../../main/core/store/store';

describe('the language picked from the system', () => {
  it('takes the first preferred language the app speaks, English when none', () => {
    expect(pickLanguage([])).toBe('en');
    expect(pickLanguage(['fr-FR', 'de'])).toBe('en');
    expect(pickLanguage(['fr-FR', 'en-US'])).toBe('en');
    expect(pickLanguage(['en_GB'])).toBe('en');
    for (const lang of LANGUAGES) expect(pickLanguage(['fr', lang.toLowerCase()])).toBe(lang);
  });

  it('starts the calendar week on the day each language does', () => {
    expect(weekStart('en')).toBe(1);
  });
});

describe('the language remembered on this PC (the core, a real SQLite file)', () => {
  let dir: string | null = null;
  let store: Store | null = null;
  afterEach(() => {
    store?.close();
    store = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  const open = () => {
    dir ??= mkdtempSync(join(tmpdir(), 'desk-lang-'));
    store = openStore(join(dir, 'desk.db'));
    return store;
  };

  it('follows the system until a language is chosen, keeps the choice across restarts, and forgets it on null', () => {
    const system = ['en-US', 'not a tag; DROP', 'en-US', 'pt-BR'];
    let setting = createLanguageSetting({ settings: open().settings, systemLocales: () => system });
    expect(setting.get()).toEqual({ chosen: null, system: ['en-US', 'pt-BR'] });
    expect(setting.set('en').chosen).toBe('en');
    store?.close();
    setting = createLanguageSetting({ settings: open().settings });
    expect(setting.get()).toEqual({ chosen: 'en', system: [] });
    expect(setting.set(null)).toEqual({ chosen: null, system: [] });
  });

  it('reads a stored language it does not speak (a later version wrote it) as not chosen', () => {
    const s = open();
    s.settings.set('ui.language', 'tlh');
    expect(createLanguageSetting({ settings: s.settings }).get().chosen).toBeNull();
  });

  it('refuses the pseudo-language unless started with it, and never stores it', () => {
    const s = open();
    expect(() => createLanguageSetting({ settings: s.settings }).set(PSEUDO_LANGUAGE)).toThrow(/pseudo/);
    const pseudo = createLanguageSetting({ settings: s.settings, pseudo: true });
    expect(pseudo.get().chosen).toBe(PSEUDO_LANGUAGE);
    expect(s.settings.get('ui.language')).toBeNull();
    expect(createLanguageSetting({ settings: s.settings }).get().chosen).toBeNull();
  });

  it('the contract lets only a language the app speaks through', async () => {
    const setting = createLanguageSetting({ settings: open().settings });
    const handlers = { 'language.set': async ({ language }: { language: 'en' | null }) => setting.set(language) } as unknown as Handlers;
    const bad = await dispatch(handlers, 'language.set', { language: 'fr' });
    expect(bad.ok).toBe(false);
    expect(await dispatch(handlers, 'language.set', { language: 'en', extra: 1 })).toMatchObject({ ok: false });
    expect(await dispatch(handlers, 'language.set', { language: 'en' })).toEqual({ ok: true, value: { chosen: 'en', system: [] } });
  });
});

describe('plural forms by the language rules (the run-time formatter)', () => {
  const visits = (source: string, locale: string, n: number) => formatMessage(parseMessage(source), { count: n }, formatters(locale));
  it('Russian: 1 визит, 2 визита, 5 визитов, 21 визит; numbers grouped with a space', () => {
    const ru = '{count, plural, one {# визит} few {# визита} many {# визитов} other {# визита}}';
    const got = [0, 1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111].map((n) => visits(ru, 'ru-RU', n));
    expect(got).toEqual(['0 визитов', '1 визит', '2 визита', '4 визита', '5 визитов', '11 визитов', '12 визитов', '21 визит', '22 визита', '25 визитов', '101 визит', '111 визитов']);
    // U+00A0 (no-break space) between the groups, as Intl writes Russian thousands.
    expect(visits(ru, 'ru-RU', 1000)).toBe('1\u00a0000 визитов');
    expect(visits(ru, 'ru-RU', 1.5)).toBe('1,5 визита');
  });
  it('English, Spanish and Portuguese: one and other', () => {
    const en = '{count, plural, one {# visit} other {# visits}}';
    expect([1, 2, 21, 1000].map((n) => visits(en, 'en-GB', n))).toEqual(['1 visit', '2 visits', '21 visits', '1,000 visits']);
    const es = '{count, plural, one {# visita} other {# visitas}}';
    expect([1, 2, 21, 1000, 10000].map((n) => visits(es, 'es-ES', n))).toEqual(['1 visita', '2 visitas', '21 visitas', '1000 visitas', '10.000 visitas']);
    const pt = '{count, plural, one {# visita} other {# visitas}}';
    expect([0, 1, 2, 1000].map((n) => visits(pt, 'pt-BR', n))).toEqual(['0 visita', '1 visita', '2 visitas', '1.000 visitas']);
  });
});

describe('a day typed in a date field (the audit filter)', () => {
  it('reads day, month, year as every language writes them, and ISO days', async () => {
    const { parseDayInput, formatDayNumeric } = await import('../../renderer/src/lib/format');
    expect(parseDayInput('31.12.2026')).toBe('2026-12-31');
    expect(parseDayInput(' 31/12/2026 ')).toBe('2026-12-31');
    expect(parseDayInput('1-2-2026')).toBe('2026-02-01');
    expect(parseDayInput('2026-12-31')).toBe('2026-12-31');
    expect(parseDayInput('31.02.2026')).toBeNull();
    expect(parseDayInput('12/31/2026')).toBeNull();
    expect(parseDayInput('31 December 2026')).toBeNull();
    expect(formatDayNumeric('2026-12-31')).toBe('31/12/2026');
  });
});
