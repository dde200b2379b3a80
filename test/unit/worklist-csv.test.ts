/**
 * The worklist export says days in the desk location's zone, as the screen does, whatever offset
 * Altegio sent (issue 10: a freeze_till in another offset is judged the same by every path). It
 * used to cut the date part of the text: a UTC freeze_till gave the next day. And it is worded in
 * the language in use (issue 12): column names, yes/no, statuses and days, as the audit export.
 */
import { describe, expect, it } from 'vitest';
import type { IndexStatus } from '../../preload/contract';
import { createIndexRepo } from '../../main/core/index/repo';
import { worklist, worklistCsv } from '../../main/core/index/worklists';
import { openStore } from '../../main/core/store';
import { exampleMembership } from '../support/memberships';

const key = { server: 'https://api.example', chainId: 70114 };
const status: IndexStatus = { chainId: 70114, state: 'ready', rows: 1, asOf: null, progress: null, error: null };

describe('worklist CSV', () => {
  it("days are the location's, whatever offset Altegio sent", () => {
    const store = openStore(':memory:');
    const repo = createIndexRepo(store.db, store.transaction);
    // Chicago's 16 May 23:59:59 (frozen until) and 5 June 23:59:59 (expires), both sent in UTC.
    repo.upsert(key, [exampleMembership({ isFrozen: true, freezeTill: '2026-05-17T04:59:59Z', expirationDate: '2026-06-06T04:59:59Z' })]);
    const q = { kind: 'all', today: '2026-05-10', timezone: 'America/Chicago', days: 14, visits: 1, sort: 'number', descending: false } as const;
    const [header, row] = worklistCsv(repo, key, q, status).csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    expect(cells).toMatchObject({ Frozen: 'yes', 'Frozen until': '16 May 2026', Expires: '5 June 2026', Status: 'Active' });
    store.close();
  });

  it('is worded in Russian when the desk is: column names, да/нет, the status, days as 31.12.2026, unlimited', () => {
    const store = openStore(':memory:');
    const repo = createIndexRepo(store.db, store.transaction);
    repo.upsert(key, [
      exampleMembership({ id: 1, number: 'A-1', isFrozen: true, freezeTill: '2026-05-17T04:59:59Z', expirationDate: '2027-01-01T05:59:59Z' }),
      exampleMembership({ id: 2, number: 'A-2', balance: { kind: 'united', count: 0, unlimited: true, lines: [] } }),
    ]);
    const q = { kind: 'all', today: '2026-05-10', timezone: 'America/Chicago', days: 14, visits: 1, sort: 'number', descending: false } as const;
    const csv = worklistCsv(repo, key, q, status, new Date('2026-05-10T12:00:00Z'), ';', 'ru').csv;
    expect(csv.startsWith('\uFEFF№ абонемента;id абонемента;Тип;Статус;Заморожен;Заморожен до;Действует до;Осталось визитов;Клиент;Телефон;id филиала;Данные на\r\n')).toBe(true);
    const [header, ...rows] = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const cells = rows.map((row) => Object.fromEntries(header!.split(';').map((name, i) => [name, row.split(';')[i]])));
    expect(cells[0]).toMatchObject({ 'Статус': 'Активен', 'Заморожен': 'да', 'Заморожен до': '16.05.2026', 'Действует до': '31.12.2026' });
    expect(cells[1]).toMatchObject({ 'Заморожен': 'нет', 'Заморожен до': '', 'Осталось визитов': 'Безлимитный' });
    store.close();
  });

  it("'expiring within N days' counts the day in the desk's zone, whatever offset Altegio sent", () => {
    const store = openStore(':memory:');
    const repo = createIndexRepo(store.db, store.transaction);
    // Each expires on its last day 23:59:59 in Chicago, sent in UTC (the next calendar day there) or
    // in Chicago's own offset; the day as written counts for a bare date.
    repo.upsert(key, [
      exampleMembership({ id: 1, number: 'A-1', expirationDate: '2026-06-06T04:59:59Z' }), // 5 June in Chicago
      exampleMembership({ id: 2, number: 'A-2', expirationDate: '2026-05-22T04:59:59Z' }), // 21 May in Chicago
      exampleMembership({ id: 3, number: 'A-3', expirationDate: '2026-06-05T23:59:59-05:00' }),
      exampleMembership({ id: 4, number: 'A-4', expirationDate: '2026-06-06T23:59:59-05:00' }),
      exampleMembership({ id: 5, number: 'A-5', expirationDate: '2026-05-22' }),
    ]);
    const q = { kind: 'expiring', today: '2026-05-22', timezone: 'America/Chicago', days: 14, visits: 1, sort: 'number', descending: false } as const;
    const ids = worklist(repo, key, q, { offset: 0, limit: 50 }).rows.map((r) => r.membership.id);
    expect(ids).toEqual([1, 3, 5]);
    // In Tokyo the same instants are 6 June (1) and 22 May (2).
    const tokyo = worklist(repo, key, { ...q, timezone: 'Asia/Tokyo' }, { offset: 0, limit: 50 }).rows.map((r) => r.membership.id);
    expect(tokyo).toEqual([2, 5]);
    store.close();
  });
});
