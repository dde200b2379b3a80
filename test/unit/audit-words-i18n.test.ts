/**
 * Audit entries (a card's History, the Audit log, the undo dialog) in the language in use: the
 * words come from the catalogs and the dates from the language's formats; English stays as before.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { UiLanguage } from '../../common/i18n/languages';
import { bindLanguage, loadLanguage } from '../../renderer/src/lib/i18n';
import { auditWords } from '../../renderer/src/lib/format';
import { actionLabel, changeLines, outcomeLabel } from '../../common/audit-words';
import { snap } from '../support/audit-snapshots';

const CHICAGO = 'America/Chicago';
let current: UiLanguage = 'en';
bindLanguage(() => current);
afterAll(() => bindLanguage(() => 'en'));

const freeze = { id: 5, action: 'freeze' as const, at: '2026-05-10T15:00:00Z', userName: 'Dana', undoOf: null, undoneBy: 6, outcome: 'ok' as const };
const undo = { ...freeze, id: 6, action: 'undo' as const, undoOf: 5, undoneBy: null, userName: 'Alex Morgan', at: '2026-05-10T19:02:00Z' };
const frozen = { before: snap({ isFrozen: false, freezeTill: null }), after: snap({ isFrozen: true, freezeTill: '2026-05-20' }) };

async function use(lang: UiLanguage): Promise<void> {
  await loadLanguage(lang);
  current = lang;
}

describe('audit words in the language in use', () => {
  it('English is unchanged', async () => {
    await use('en');
    expect(changeLines(frozen, CHICAGO, undefined, auditWords())).toEqual(['Frozen: no → yes', 'Frozen until: — → 20 May 2026']);
    expect(actionLabel(undo, [freeze, undo], CHICAGO, auditWords())).toBe('Undo of the freeze made 10 May 2026, 10:00');
    expect(outcomeLabel(freeze, [freeze, undo], CHICAGO, auditWords())).toBe('Done; undone by Alex Morgan, 10 May 2026, 14:02');
  });

  it('a Russian history line', async () => {
    await use('ru');
    expect(changeLines(frozen, CHICAGO, undefined, auditWords())).toEqual(['Заморожен: нет → да', 'Заморожен до: — → 20.05.2026']);
    expect(actionLabel(freeze, [], CHICAGO, auditWords())).toBe('Заморозка');
    expect(actionLabel(undo, [freeze, undo], CHICAGO, auditWords())).toBe('Отмена заморозки, сделанной 10.05.2026, 10:00');
    expect(changeLines({ before: snap({ statusSlug: 'wasted' }), after: snap({ statusSlug: 'active' }) }, CHICAGO, undefined, auditWords())[0]).toMatch(/^Статус: /);
  });

  it('a Spanish history line', async () => {
    await use('es');
    expect(changeLines({ before: snap({ services: { '7': 7 } }), after: snap({ services: { '7': 5 } }) }, CHICAGO, undefined, auditWords())).toEqual(['Servicio 7: 7 → 5']);
    expect(changeLines({ before: snap({ isFrozen: false, request: { freezeTill: '2026-12-05' } }), after: null }, CHICAGO, undefined, auditWords())).toEqual([
      'Solicitado: congelado hasta 05/12/2026',
    ]);
    expect(outcomeLabel({ outcome: 'failed', undoneBy: null }, [], CHICAGO, auditWords())).toBe('Falló');
  });
});
