import { describe, expect, it } from 'vitest';
import { BulkRefusal, BulkChange } from '../../preload/contract';
import { bulkActionOf, bulkRowWords } from '../../renderer/src/lib/bulk';

describe('bulk actions in words', () => {
  it('words every code the core can send, with its parameters', () => {
    for (const code of [...BulkRefusal.options, ...BulkChange.options]) {
      const words = bulkRowWords({ code, params: { till: '2026-05-20', days: 5, used: 14, limit: 14, firstDate: '2026-04-02', lastDate: '2026-04-15', daysLeft: 3, from: '2026-06-05', to: '2026-06-15', have: 2, max: 100000, message: 'x', before: '3', after: '5' } });
      expect(words, code).not.toMatch(/bulk\.|\{|undefined|NaN/);
    }
    expect(bulkRowWords({ code: 'type_forbids', params: {} })).toBe('Not possible: its type cannot be frozen');
    expect(bulkRowWords({ code: 'freeze', params: { till: '2026-05-20', days: 1 } })).toBe('Will be frozen until 20 May 2026 (1 day)');
    expect(bulkRowWords({ code: 'already_frozen', params: {} })).toBe('Not possible: already frozen');
  });

  it('turns the form into the contract action, or says what is missing', () => {
    expect(bulkActionOf('freeze', '2026-05-20', '')).toEqual({ ok: true, action: { kind: 'freeze', freezeTill: '2026-05-20' } });
    expect(bulkActionOf('freeze', '', '')).toMatchObject({ ok: false });
    expect(bulkActionOf('visits', '', '−2')).toEqual({ ok: true, action: { kind: 'visits', delta: -2 } });
    expect(bulkActionOf('visits', '', '0')).toMatchObject({ ok: false });
    expect(bulkActionOf('visits', '', '1.5')).toMatchObject({ ok: false });
    expect(bulkActionOf('extend', '', '', '14')).toEqual({ ok: true, action: { kind: 'extend', days: 14 } });
    expect(bulkActionOf('extend', '', '', '0')).toMatchObject({ ok: false });
  });
});
