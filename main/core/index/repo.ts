/**
 * The local membership index (DESIGN.md §5 "Membership index") in the store: one index per server
 * and chain. Rows are what the chain list said about each membership when last read, plus the
 * client the app saw it with (the list does not identify clients). Personal data (client names and
 * phones), so it lives only in the store in the private data folder; it holds no secret.
 *
 * Tables (store/migrations.ts, migration 3):
 * - index_memberships: one row per membership; `number_key` (lower-case, trimmed) serves exact and
 *   prefix look-ups through its index; `membership_json` is the contract Membership as read.
 * - index_clients: the client (and location) the app saw a membership through, kept apart so it
 *   survives a re-read of the membership and may arrive before the membership is indexed.
 * - index_sync: the first sync's position (resumable after a crash or quit) and the last pass.
 */
import type Database from 'libsql';
import type { Membership } from '../../../preload/contract';
import { instantOf } from '../../../common/dates';
import { allRows, getRow, nowIso, numOrNull, strOrNull, type Row } from '../store/rows';

/** What a worklist or a search shows of an indexed membership. */
export interface IndexedRow {
  membership: Membership;
  expirationDay: string | null;
  unitedLeft: number | null;
  minServiceLeft: number | null;
  unlimited: boolean;
  client: { id: number; name: string; phone: string | null } | null;
  locationId: number | null;
  readAt: string;
}

export interface SyncState {
  firstDone: boolean;
  windowFrom: string;
  windowDays: number;
  pageDone: number;
  rowsRead: number;
  requests: number;
  totalEstimate: number | null;
  startedAt: string;
  asOf: string | null;
}

export interface IndexKey {
  server: string;
  chainId: number;
}

/** Trimmed, lower-case, without a leading "№"/"#"/"No." the staff may type. */
export function numberKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^(?:№|#|no\.|no(?=[\s\d]))\s*/u, '')
    .trim();
}

/**
 * The values worklists filter and sort on, taken from a membership. The expiry is judged in the
 * desk's zone from `expiration_at` (its instant), or from `expirationDay` (the day as written) when
 * it has no offset: worklists.ts expiryKey; "frozen until" likewise from `freeze_till_at` (upsert)
 * or the day `freeze_till` was written with: frozenTillKey.
 */
function facts(m: Membership): { expirationDay: string | null; unitedLeft: number | null; minServiceLeft: number | null; unlimited: boolean } {
  const day = /^(\d{4}-\d{2}-\d{2})/.exec(m.expirationDate ?? '')?.[1] ?? null;
  if (m.balance.kind === 'united') {
    return { expirationDay: day, unitedLeft: m.balance.unlimited ? null : m.balance.count, minServiceLeft: null, unlimited: m.balance.unlimited };
  }
  const limited = m.balance.lines.filter((l) => !l.unlimited).map((l) => l.count);
  return {
    expirationDay: day,
    unitedLeft: null,
    minServiceLeft: limited.length > 0 ? Math.min(...limited) : null,
    unlimited: limited.length === 0 && m.balance.lines.length > 0,
  };
}

interface MembershipRow extends Row {
  membership_json: string;
  expiration_day: string | null;
  united_left: number | null;
  min_service_left: number | null;
  unlimited: number;
  read_at: string;
  client_id: number | null;
  client_name: string | null;
  client_phone: string | null;
  location_id: number | null;
}

export function toIndexedRow(r: MembershipRow): IndexedRow {
  const membership = JSON.parse(r.membership_json) as Membership;
  return {
    membership,
    expirationDay: strOrNull(r.expiration_day),
    unitedLeft: numOrNull(r.united_left),
    minServiceLeft: numOrNull(r.min_service_left),
    unlimited: Number(r.unlimited) === 1,
    client: r.client_id === null || r.client_id === undefined ? null : { id: Number(r.client_id), name: String(r.client_name), phone: strOrNull(r.client_phone) },
    locationId: numOrNull(r.location_id) ?? soleLocation(membership),
    readAt: String(r.read_at),
  };
}

/** The one location a membership's type is sold at, if it is one. */
function soleLocation(m: Membership): number | null {
  const ids = m.type.attachedLocationIds;
  return ids?.length === 1 ? (ids[0] ?? null) : null;
}

/** SELECT list joining a membership with the client seen with it (alias m / c). */
export const ROW_COLUMNS = `m.membership_json, m.expiration_day, m.united_left, m.min_service_left, m.unlimited, m.read_at,
  c.client_id, c.client_name, c.client_phone, c.location_id`;
export const ROW_FROM = `index_memberships m LEFT JOIN index_clients c
  ON c.server = m.server AND c.chain_id = m.chain_id AND c.membership_id = m.id`;

export interface IndexRepo {
  /** Inserts or replaces memberships as just read (one transaction for the lot). */
  upsert(key: IndexKey, memberships: readonly Membership[], readAt?: string): void;
  remove(key: IndexKey, ids: readonly number[]): void;
  count(key: IndexKey): number;
  get(key: IndexKey, id: number): IndexedRow | null;
  /** Ids of the memberships with exactly this number (at most `limit`). */
  idsByNumber(key: IndexKey, text: string, limit: number): number[];
  /** Exact number matches first, then prefix matches, by number. */
  findByNumber(key: IndexKey, text: string, limit: number): IndexedRow[];
  /** Ids of memberships still open (issued, active, frozen): a refresh re-reads them. */
  openIds(key: IndexKey): number[];
  rememberClient(key: IndexKey, membershipId: number, client: { id: number; name: string; phone: string | null }, locationId: number | null): void;
  sync(key: IndexKey): SyncState | null;
  saveSync(key: IndexKey, state: SyncState): void;
  /** Everything of this chain on this server: memberships, clients seen, sync position. */
  forget(key: IndexKey): void;
  /** Runs `fn` atomically (the store's transaction; nests). */
  transaction<T>(fn: () => T): T;
  /**
   * The same, but committed without waiting for the disk (synchronous = NORMAL for this commit; the
   * store stays FULL for everything else): it survives a crash or kill of the app, while a power
   * loss may undo the last few — rows and sync position together, so a sync resumes exactly from
   * the earlier position. For the index's pages only: a copy of Altegio's data, re-readable; the
   * ~12 ms fsync per page blocked the event loop, i.e. a person's search, while a sync ran.
   */
  relaxed<T>(fn: () => T): T;
  readonly db: Database.Database;
}

/** Rows per INSERT statement: each `run` through libsql costs ~0.1 ms whatever it does, so a page goes in one. */
const UPSERT_CHUNK = 100;
const UPSERT_TUPLE = `(${Array<string>(21).fill('?').join(', ')})`;

export function createIndexRepo(db: Database.Database, transaction: <T>(fn: () => T) => T): IndexRepo {
  /** The upsert of `n` rows in one statement (prepared once per n). */
  const upserts = new Map<number, Database.Statement>();
  const upsertOf = (n: number): Database.Statement => {
    let st = upserts.get(n);
    if (!st) upserts.set(n, (st = db.prepare(upsertSql(n))));
    return st;
  };
  const upsertSql = (n: number) => `
    INSERT INTO index_memberships (server, chain_id, id, number, number_key, type_id, type_title, status_slug, is_frozen, freeze_till, freeze_till_at,
      created_date, activated_date, expiration_date, expiration_day, expiration_at, united_left, min_service_left, unlimited, membership_json, read_at)
    VALUES ${Array<string>(n).fill(UPSERT_TUPLE).join(', ')}
    ON CONFLICT (server, chain_id, id) DO UPDATE SET number = excluded.number, number_key = excluded.number_key,
      type_id = excluded.type_id, type_title = excluded.type_title, status_slug = excluded.status_slug, is_frozen = excluded.is_frozen,
      freeze_till = excluded.freeze_till, freeze_till_at = excluded.freeze_till_at, created_date = excluded.created_date, activated_date = excluded.activated_date,
      expiration_date = excluded.expiration_date, expiration_day = excluded.expiration_day, expiration_at = excluded.expiration_at, united_left = excluded.united_left,
      min_service_left = excluded.min_service_left, unlimited = excluded.unlimited, membership_json = excluded.membership_json,
      read_at = excluded.read_at`;
  const remove = db.prepare('DELETE FROM index_memberships WHERE server = ? AND chain_id = ? AND id = ?');
  const count = db.prepare('SELECT COUNT(*) AS n FROM index_memberships WHERE server = ? AND chain_id = ?');
  const get = db.prepare(`SELECT ${ROW_COLUMNS} FROM ${ROW_FROM} WHERE m.server = ? AND m.chain_id = ? AND m.id = ?`);
  const exactIds = db.prepare('SELECT id FROM index_memberships WHERE server = ? AND chain_id = ? AND number_key = ? LIMIT ?');
  // One range walk of index_memberships_number: every key starting with the typed one (U+FFFF sorts
  // after any character typed), ordered by the indexed key alone (ordering by id too made SQLite
  // scan the whole chain by primary key). The exact key is the smallest of the range, so exact
  // matches come first (it was a statement of its own before the prefix one: twice the fixed cost).
  const byNumber = db.prepare(
    `SELECT ${ROW_COLUMNS} FROM ${ROW_FROM} WHERE m.server = ? AND m.chain_id = ? AND m.number_key >= ? AND m.number_key < ? ORDER BY m.number_key LIMIT ?`,
  );
  const open = db.prepare(
    `SELECT id FROM index_memberships WHERE server = ? AND chain_id = ? AND (status_slug IN ('created', 'active', 'unknown') OR is_frozen = 1) ORDER BY id`,
  );
  const remember = db.prepare(`
    INSERT INTO index_clients (server, chain_id, membership_id, client_id, client_name, client_phone, location_id, seen_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (server, chain_id, membership_id) DO UPDATE SET client_id = excluded.client_id, client_name = excluded.client_name,
      client_phone = excluded.client_phone, location_id = COALESCE(excluded.location_id, index_clients.location_id), seen_at = excluded.seen_at`);
  const getSync = db.prepare('SELECT * FROM index_sync WHERE server = ? AND chain_id = ?');
  const putSync = db.prepare(`
    INSERT INTO index_sync (server, chain_id, first_done, window_from, window_days, page_done, rows_read, requests, total_estimate, started_at, as_of)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (server, chain_id) DO UPDATE SET first_done = excluded.first_done, window_from = excluded.window_from,
      window_days = excluded.window_days, page_done = excluded.page_done, rows_read = excluded.rows_read, requests = excluded.requests,
      total_estimate = excluded.total_estimate, started_at = excluded.started_at, as_of = excluded.as_of`);
  const forgetAll = [
    db.prepare('DELETE FROM index_memberships WHERE server = ? AND chain_id = ?'),
    db.prepare('DELETE FROM index_clients WHERE server = ? AND chain_id = ?'),
    db.prepare('DELETE FROM index_sync WHERE server = ? AND chain_id = ?'),
  ];

  return {
    db,
    transaction,
    relaxed(fn) {
      db.exec('PRAGMA synchronous = NORMAL');
      try {
        return transaction(fn);
      } finally {
        db.exec('PRAGMA synchronous = FULL');
      }
    },
    upsert(key, memberships, readAt = nowIso()) {
      // One row per id (the last read wins): a statement may not update a row it inserted.
      const rows = [...new Map(memberships.map((m) => [m.id, m])).values()];
      transaction(() => {
        for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
          const chunk = rows.slice(i, i + UPSERT_CHUNK);
          const params: unknown[] = [];
          for (const m of chunk) {
            const f = facts(m);
            params.push(
              key.server, key.chainId, m.id, m.number, numberKey(m.number), m.type.id, m.type.title, m.status.slug, m.isFrozen ? 1 : 0,
              m.freezeTill, instantOf(m.freezeTill), m.createdDate, m.activatedDate, m.expirationDate, f.expirationDay, instantOf(m.expirationDate), f.unitedLeft, f.minServiceLeft,
              f.unlimited ? 1 : 0, JSON.stringify(m), readAt,
            );
          }
          upsertOf(chunk.length).run(...params);
        }
      });
    },
    remove(key, ids) {
      transaction(() => {
        for (const id of ids) remove.run(key.server, key.chainId, id);
      });
    },
    count: (key) => Number(getRow<{ n: number }>(count, key.server, key.chainId)?.n ?? 0),
    get(key, id) {
      const row = getRow<MembershipRow>(get, key.server, key.chainId, id);
      return row ? toIndexedRow(row) : null;
    },
    idsByNumber(key, text, limit) {
      const k = numberKey(text);
      return k === '' ? [] : allRows<{ id: number | bigint }>(exactIds, key.server, key.chainId, k, limit).map((r) => Number(r.id));
    },
    findByNumber(key, text, limit) {
      const k = numberKey(text);
      if (k === '') return [];
      return allRows<MembershipRow>(byNumber, key.server, key.chainId, k, `${k}\uffff`, limit).map(toIndexedRow);
    },
    openIds: (key) => allRows<{ id: number }>(open, key.server, key.chainId).map((r) => Number(r.id)),
    rememberClient(key, membershipId, client, locationId) {
      remember.run(key.server, key.chainId, membershipId, client.id, client.name, client.phone, locationId, nowIso());
    },
    sync(key) {
      const r = getRow<Row>(getSync, key.server, key.chainId);
      if (!r) return null;
      return {
        firstDone: Number(r.first_done) === 1,
        windowFrom: String(r.window_from),
        windowDays: Number(r.window_days),
        pageDone: Number(r.page_done),
        rowsRead: Number(r.rows_read),
        requests: Number(r.requests),
        totalEstimate: numOrNull(r.total_estimate),
        startedAt: String(r.started_at),
        asOf: strOrNull(r.as_of),
      };
    },
    saveSync(key, s) {
      putSync.run(key.server, key.chainId, s.firstDone ? 1 : 0, s.windowFrom, s.windowDays, s.pageDone, s.rowsRead, s.requests, s.totalEstimate, s.startedAt, s.asOf);
    },
    forget(key) {
      transaction(() => {
        for (const stmt of forgetAll) stmt.run(key.server, key.chainId);
      });
    },
  };
}
