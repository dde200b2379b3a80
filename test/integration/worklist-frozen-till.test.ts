/**
 * The worklists judge "frozen until" the way they judge an expiry (worklist-expiry.test.ts): the sort
 * by it, the day shown (`frozenTillDay`) and the day exported all take its day in the desk
 * location's zone (localDateOf), whatever offset Altegio wrote. The sort used to order by the raw
 * `freeze_till` text: for a Moscow desk `2026-06-05T23:59:59+00:00` (6 June there) sorted among
 * 5 June, and a membership no longer frozen (blank on the screen) sorted by a stale date among the
 * frozen ones. Rows indexed before migration 11 (no `freeze_till_at`) get it from it, on a real
 * SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { instantOf, localDateOf } from '../../common/dates';
import type { IndexStatus, Membership } from '../../preload/contract';
import { createIndexRepo, type IndexRepo } from '../../main/core/index/repo';
import { worklist, worklistCsv, type WorklistQuery } from '../../main/core/index/worklists';
import { openStore, type Store } from '../../main/core/store';
import { migrate, migrations } from '../../main/core/store/migrations';
import { exampleMembership } from '../support/memberships';
import { insertOldIndexRows } from '../support/old-index-rows';

const key = { server: 'https://api.example', chainId: 70114 };
const MOSCOW = 'Europe/Moscow';
const status: IndexStatus = { chainId: 70114, state: 'ready', rows: 8, asOf: null, progress: null, error: null };

/** For a Moscow desk (UTC+3 all year): frozen or not, the freeze_till sent, its day there. */
const ROWS: Array<[id: number, frozen: boolean, freezeTill: string | null]> = [
  [1, true, '2026-06-05T23:59:59+00:00'], // 6 June 02:59 in Moscow (written 5 June)
  [2, true, '2026-06-06T23:59:59+03:00'], // 6 June
  [3, true, '2026-06-05T23:59:59+03:00'], // 5 June
  [4, true, '2026-06-05T23:59:59-05:00'], // 6 June 07:59 in Moscow (written 5 June)
  [5, true, '2026-06-06'], // a bare day: 6 June as written
  [6, true, '2026-06-06T00:30:00+09:00'], // 5 June 18:30 in Moscow (written 6 June)
  [7, true, null], // frozen until it is unfrozen: no day, last either way
  [8, false, '2026-06-01T23:59:59+03:00'], // not frozen any more (a stale date): no day, last either way
];
/** By instant: 6 (5 June 15:30Z), 3 (20:59Z), 1 (23:59Z), 4 (6 June 04:59Z), 5 (midday in Moscow, 09:00Z), 2 (20:59Z); then the blanks. */
const ASC = [6, 3, 1, 4, 5, 2, 7, 8];

const membership = ([id, isFrozen, freezeTill]: (typeof ROWS)[number]): Membership => exampleMembership({ id, number: `A-${id}`, isFrozen, freezeTill });

function query(over: Partial<WorklistQuery> = {}): WorklistQuery {
  return { kind: 'all', today: '2026-06-01', timezone: MOSCOW, days: 14, visits: 1, sort: 'frozen_till', descending: false, ...over };
}

function list(repo: IndexRepo, q: WorklistQuery) {
  return worklist(repo, key, q, { offset: 0, limit: 100 }).rows.map((r) => ({ id: r.membership.id, day: r.frozenTillDay, m: r.membership }));
}

/** The day the card and search show for a membership: its freeze_till's day in the desk's zone, none when not frozen. */
const shownDay = (m: Membership) => (m.isFrozen ? localDateOf(m.freezeTill, MOSCOW) : null);
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
  dir = mkdtempSync(join(tmpdir(), 'worklist-frozen-till-'));
  store = openStore(join(dir, 'desk.db'));
  return createIndexRepo(store.db, store.transaction);
}

describe("worklist 'frozen until': the sort and the day shown agree", () => {
  it("sorts by the freeze's last day in the desk's zone, not by the text Altegio wrote; not frozen sorts with the blanks", () => {
    const repo = fresh();
    repo.upsert(key, ROWS.map(membership));
    const asc = list(repo, query());
    expect(asc.map((r) => r.id)).toEqual(ASC);
    for (const r of asc) expect([r.id, r.day]).toEqual([r.id, shownDay(r.m)]);
    expect(days(asc)).toEqual(['2026-06-05', '2026-06-05', '2026-06-06', '2026-06-06', '2026-06-06', '2026-06-06']);
    const desc = list(repo, query({ descending: true }));
    expect(desc.map((r) => r.id)).toEqual([2, 5, 4, 1, 3, 6, 8, 7]);
    expect(ascending(days(desc).reverse())).toBe(true);
    // The frozen list: the same order without the one no longer frozen.
    expect(list(repo, query({ kind: 'frozen' })).map((r) => r.id)).toEqual(ASC.filter((id) => id !== 8));
  });

  it('the CSV writes the day the list sorted by, in its order', () => {
    const repo = fresh();
    repo.upsert(key, ROWS.map(membership));
    const [header, ...lines] = worklistCsv(repo, key, query(), status, new Date('2026-06-01T12:00:00Z')).csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const col = (name: string) => header!.split(',').indexOf(name);
    const cells = lines.map((l) => l.split(','));
    expect(cells.map((c) => c[col('Membership id')])).toEqual(ASC.map(String));
    expect(cells.map((c) => c[col('Frozen until')])).toEqual(['5 June 2026', '5 June 2026', '6 June 2026', '6 June 2026', '6 June 2026', '6 June 2026', '', '']);
  });

  it('rows indexed before migration 11 (no freeze_till_at) get their instant from it and sort by it', () => {
    dir = mkdtempSync(join(tmpdir(), 'worklist-frozen-till-'));
    const file = join(dir, 'desk.db');
    const old = new Database(file);
    migrate(old, migrations.slice(0, 10));
    const rows: Array<(typeof ROWS)[number]> = [
      ...ROWS,
      [9, true, '2026-06-05T21:30:00.000-05:00'], // 6 June 05:30 in Moscow, with milliseconds
      [10, true, '2026-06-05T23:45:00+0300'], // an offset SQLite does not read: the day as written until read again
      [11, true, '2026-06-06 09:00:00'], // no offset: as written, in the desk's zone
    ];
    // As version 10 left them: no freeze_till_at column yet.
    insertOldIndexRows(old, key, rows.map(membership));
    old.close();

    store = openStore(file);
    const stored = store.db.prepare('SELECT id, freeze_till, freeze_till_at FROM index_memberships ORDER BY id').all() as Array<{ id: number; freeze_till: string | null; freeze_till_at: string | null }>;
    for (const r of stored) expect([r.id, r.freeze_till_at]).toEqual([r.id, Number(r.id) === 10 ? null : instantOf(r.freeze_till)]);
    const asc = list(createIndexRepo(store.db, store.transaction), query());
    // 10 sorts as midday of the day written (5 June 09:00Z); 11 as midday of 6 June, like the bare day 5.
    expect(asc.map((r) => r.id)).toEqual([10, 6, 3, 1, 9, 4, 5, 11, 2, 7, 8]);
    expect(asc.find((r) => r.id === 10)?.day).toBe('2026-06-05');
    for (const r of asc) if (r.id !== 10) expect([r.id, r.day]).toEqual([r.id, shownDay(r.m)]);
    expect(ascending(days(asc))).toBe(true);
  });
});
