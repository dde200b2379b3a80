/**
 * The membership index's worklists judge an expiry ONE way (issue 10/11 leftovers): the filter
 * "expiring within N days", the sort by expiry and the day shown (`expiryDay`, also in the CSV) all
 * take its day in the desk location's zone (localDateOf), whatever offset Altegio sent. The sort used
 * to order by the date part of the text: `2026-06-05T23:30:00+00:00` sorted as 5 June for a Moscow
 * desk, where it is 6 June, so the list's days went 6, 5, 6 June. Rows indexed before migration 9
 * (no `expiration_at`) get it from migration 10 on a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, instantOf, localDateOf } from '../../common/dates';
import type { Membership } from '../../preload/contract';
import { createIndexRepo, type IndexRepo } from '../../main/core/index/repo';
import { worklist, type WorklistQuery } from '../../main/core/index/worklists';
import { openStore, type Store } from '../../main/core/store';
import { migrate, migrations } from '../../main/core/store/migrations';
import { exampleMembership } from '../support/memberships';
import { insertOldIndexRows } from '../support/old-index-rows';

const key = { server: 'https://api.example', chainId: 70114 };
const MOSCOW = 'Europe/Moscow';

/** For a Moscow desk (UTC+3 all year): the expiry sent, its day there, its date part as written. */
const MOSCOW_ROWS: Array<[id: number, expiry: string | null]> = [
  [1, '2026-06-05T23:30:00+00:00'], // 6 June 02:30 in Moscow (written 5 June)
  [2, '2026-06-06T10:00:00+03:00'], // 6 June
  [3, '2026-06-05T22:00:00+03:00'], // 5 June
  [4, '2026-06-05T20:30:00-05:00'], // 6 June 04:30 in Moscow (written 5 June)
  [5, '2026-06-06'], // a bare day: 6 June as written
  [6, '2026-06-06T00:30:00+09:00'], // 5 June 18:30 in Moscow (written 6 June)
  [7, null], // no expiry: last either way
];
/** By instant: 6 (5 June 15:30Z), 3 (19:00Z), 1 (23:30Z), 4 (6 June 01:30Z), 2 (07:00Z), then 5 (midday in Moscow, 09:00Z). */
const MOSCOW_ASC = [6, 3, 1, 4, 2, 5, 7];

const membership = (id: number, expirationDate: string | null): Membership => exampleMembership({ id, number: `A-${id}`, expirationDate });

function query(over: Partial<WorklistQuery>): WorklistQuery {
  return { kind: 'all', today: '2026-06-01', timezone: MOSCOW, days: 14, visits: 1, sort: 'expiry', descending: false, ...over };
}

function list(repo: IndexRepo, q: WorklistQuery) {
  return worklist(repo, key, q, { offset: 0, limit: 100 }).rows.map((r) => ({ id: r.membership.id, day: r.expiryDay, expiry: r.membership.expirationDate }));
}

/** The days of a list in the order shown, without the blanks (sorted last). */
const days = (rows: ReturnType<typeof list>) => rows.map((r) => r.day).filter((d): d is string => d !== null);
const ascending = (xs: string[]) => xs.every((x, i) => i === 0 || (xs[i - 1] as string) <= x);

let dir: string | null = null;
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function fresh(): IndexRepo {
  dir = mkdtempSync(join(tmpdir(), 'worklist-expiry-'));
  store = openStore(join(dir, 'desk.db'));
  return createIndexRepo(store.db, store.transaction);
}

describe('worklist expiry: filter, sort and the day shown agree', () => {
  it("sorts by the expiry's day in the desk's zone, not by the date part Altegio wrote", () => {
    const repo = fresh();
    repo.upsert(key, MOSCOW_ROWS.map(([id, e]) => membership(id, e)));
    const asc = list(repo, query({}));
    expect(asc.map((r) => r.id)).toEqual(MOSCOW_ASC);
    // The day shown is the one the list sorted by, and the one the card and search show (localDateOf).
    for (const r of asc) expect(r.day).toBe(localDateOf(r.expiry, MOSCOW));
    expect(days(asc)).toEqual(['2026-06-05', '2026-06-05', '2026-06-06', '2026-06-06', '2026-06-06', '2026-06-06']);
    const desc = list(repo, query({ descending: true }));
    expect(desc.map((r) => r.id)).toEqual([...MOSCOW_ASC.slice(0, -1)].reverse().concat(7));
    expect(ascending(days(desc).reverse())).toBe(true);
  });

  it("'expiring within N days' lists exactly the rows whose day shown falls in the window, in the sort's order", () => {
    const repo = fresh();
    repo.upsert(key, MOSCOW_ROWS.map(([id, e]) => membership(id, e)));
    expect(list(repo, query({ kind: 'expiring', today: '2026-06-05', days: 0 })).map((r) => r.id)).toEqual([6, 3]);
    expect(list(repo, query({ kind: 'expiring', today: '2026-06-06', days: 0 })).map((r) => r.id)).toEqual([1, 4, 2, 5]);
    expect(list(repo, query({ kind: 'expiring', today: '2026-06-05', days: 1 })).map((r) => r.id)).toEqual([6, 3, 1, 4, 2, 5]);
    expect(list(repo, query({ kind: 'expiring', today: '2026-06-07', days: 30 }))).toEqual([]);
  });

  // A bare day has no instant: it sorts as midday of that day in the desk's zone (at the zone's
  // offset today), between the last second of the day before and the first of the day after, also
  // 14 hours from UTC and across a DST change between today and that day.
  it.each([
    ['Pacific/Kiritimati', '2026-06-01', '2026-06-06'], // UTC+14
    ['Pacific/Auckland', '2026-01-10', '2026-01-20'], // UTC+13 (summer time)
    ['Pacific/Auckland', '2026-06-01', '2026-09-27'], // +12 today, +13 from that day's 02:00
    ['Europe/Berlin', '2026-01-15', '2026-03-29'], // +1 today, +2 from that day's 02:00
    ['America/Chicago', '2026-10-20', '2026-11-01'], // -5 today, -6 from that day's 02:00
    ['Pacific/Pago_Pago', '2026-06-01', '2026-06-06'], // UTC-11
  ])('a bare day sorts and counts within its day at a %s desk (today %s, expiring %s)', (zone, today, day) => {
    const repo = fresh();
    const at = (local: string) => DateTime.fromISO(local, { zone }).toUTC().toISO({ suppressMilliseconds: true }) as string;
    repo.upsert(key, [
      membership(1, at(`${addDays(day, -1)}T23:59:30`)),
      membership(2, at(`${day}T00:00:30`)),
      membership(3, day),
      membership(4, at(`${day}T23:59:30`)),
      membership(5, at(`${addDays(day, 1)}T00:00:30`)),
    ]);
    const rows = list(repo, query({ today, timezone: zone }));
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => r.day)).toEqual([addDays(day, -1), day, day, day, addDays(day, 1)]);
    const expiring = list(repo, query({ kind: 'expiring', today: day, days: 0, timezone: zone }));
    expect(expiring.map((r) => r.id)).toEqual([2, 3, 4]);
  });

  it('rows indexed before migration 9 (no expiration_at) get their instant from migration 10 and sort by it', () => {
    dir = mkdtempSync(join(tmpdir(), 'worklist-expiry-'));
    const file = join(dir, 'desk.db');
    const old = new Database(file);
    migrate(old, migrations.slice(0, 9));
    const rows: Array<[number, string | null]> = [
      ...MOSCOW_ROWS,
      [8, '2026-06-05T21:30:00.000-05:00'], // 6 June 05:30 in Moscow, with milliseconds
      [9, '2026-06-05T20:30:00Z'], // 5 June 23:30 in Moscow
      [10, '2026-06-05T23:45:00+0300'], // an offset SQLite does not read: the day as written
      [11, '2026-06-06 09:00:00'], // no offset: as written, in the desk's zone
    ];
    // As migration 9's ALTER TABLE left them: expiration_at NULL.
    insertOldIndexRows(old, key, rows.map(([id, e]) => membership(id, e)));
    old.close();

    store = openStore(file);
    const stored = store.db.prepare('SELECT id, expiration_date, expiration_at FROM index_memberships ORDER BY id').all() as Array<{ id: number; expiration_date: string | null; expiration_at: string | null }>;
    for (const r of stored) expect([r.id, r.expiration_at]).toEqual([r.id, Number(r.id) === 10 ? null : instantOf(r.expiration_date)]);
    const repo = createIndexRepo(store.db, store.transaction);
    const asc = list(repo, query({}));
    // 10 sorts as midday of the day written (5 June 09:00Z); 11 as midday of 6 June, like the bare day 5.
    expect(asc.map((r) => r.id)).toEqual([10, 6, 3, 9, 1, 4, 8, 2, 5, 11, 7]);
    expect(asc.find((r) => r.id === 10)?.day).toBe('2026-06-05');
    for (const r of asc) if (r.id !== 10) expect(r.day).toBe(localDateOf(r.expiry, MOSCOW));
    expect(ascending(days(asc))).toBe(true);
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'index_memberships_expiry'").all()).toEqual([]);
  });
});
