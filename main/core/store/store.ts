/**
 * The local SQLite database (libsql: N-API, better-sqlite3 API): settings, profiles (no secrets),
 * audit log and CSV mapping memory; the batch engine adds its tables through `migrations.ts`.
 * Opened in WAL mode with synchronous=FULL so a committed row survives a crash or power loss.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { DateTime } from 'luxon';
import { AuditSnapshot, decodeAuditSnapshot, type AuditEntry, type Chain, type Profile } from '../../../preload/contract';
import { offThreadCheckpoints } from './checkpoints';
import { asStorageFault } from './fault';
import { migrate } from './migrations';
import { allRows, cleanRow, getRow, nowIso, numOrNull, seenClientNameSql, strOrNull, type Row } from './rows';
import { fromStored } from '../../../common/i18n/stored';
import type { AuditFilterQuery, AuditRepo, MappingsRepo, NewAuditEntry, ProfilesRepo, SettingsRepo, StoreLog } from './types';

export interface Store {
  /** The raw connection, for repositories that live next to their feature (e.g. the batch journal). */
  readonly db: Database.Database;
  readonly path: string;
  readonly audit: AuditRepo;
  readonly profiles: ProfilesRepo;
  readonly settings: SettingsRepo;
  readonly mappings: MappingsRepo;
  /**
   * Runs `fn` atomically: everything it writes commits together or not at all. Nests (inner
   * calls become savepoints). `fn` must be synchronous: an async body would commit too early.
   * A failure to write (full disk, I/O error, lock) is thrown as a `StorageFault`.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export { cleanRow, getRow, allRows } from './rows';

/** Reads a one-value pragma such as `journal_mode`. */
export function pragmaValue(db: Database.Database, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).all()[0] as Row | undefined;
  return row ? Object.values(cleanRow(row) ?? {})[0] : undefined;
}

const parseJson = <T>(text: unknown): T | null => (typeof text === 'string' ? (JSON.parse(text) as T) : null);
const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
/** A stored audit snapshot decoded (an old or damaged one becomes the 'unknown' shape; a read never throws). */
function storedSnapshot(text: unknown): AuditSnapshot | null {
  if (typeof text !== 'string') return null;
  try {
    return decodeAuditSnapshot(JSON.parse(text));
  } catch {
    return { shape: 'unknown', values: { text } };
  }
}
/** An audit snapshot as stored: validated against the contract's shape first (a wrong one throws, nothing is written). */
const snapshotJson = (s: AuditSnapshot | null): string | null => jsonOrNull(s === null ? null : AuditSnapshot.parse(s));

/**
 * The UTC ISO instant at which day `date` (+ `plusDays`) starts in `timezone` (this computer's when
 * absent), DST-aware. An unknown zone is refused rather than silently read as another.
 */
export function localDayStartUtc(date: string, plusDays: number, timezone?: string): string {
  if (timezone === undefined) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return new Date(y, m - 1, d + plusDays).toISOString();
  }
  const start = DateTime.fromISO(date, { zone: timezone }).plus({ days: plusDays }).startOf('day');
  if (!start.isValid) throw new RangeError(`Unknown time zone or date: ${timezone} ${date}`);
  return start.toUTC().toISO() ?? '';
}


export function openStore(path: string, options: { log?: StoreLog } = {}): Store {
  const memory = path === ':memory:' || path === '';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(memory ? ':memory:' : path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }

  const checkpoints = memory ? null : offThreadCheckpoints(db, path, options.log);
  let savepoints = 0;
  const transaction = <T>(fn: () => T): T => {
    const check = (result: T): T => {
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        throw new Error('store.transaction() needs a synchronous function');
      }
      return result;
    };
    if (db.inTransaction) {
      const name = `sp_${++savepoints}`;
      db.exec(`SAVEPOINT ${name}`);
      try {
        const result = check(fn());
        db.exec(`RELEASE ${name}`);
        return result;
      } catch (e) {
        try {
          if (db.inTransaction) {
            db.exec(`ROLLBACK TO ${name}`);
            db.exec(`RELEASE ${name}`);
          }
        } catch {
          /* the first error says what happened */
        }
        throw asStorageFault(e);
      } finally {
        savepoints--;
      }
    }
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw asStorageFault(e);
    }
    try {
      const result = check(fn());
      db.exec('COMMIT');
      checkpoints?.committed();
      return result;
    } catch (e) {
      // A full disk or I/O error may already have rolled SQLite back; a failed ROLLBACK must not
      // hide the first error.
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        /* the first error says what happened */
      }
      throw asStorageFault(e);
    }
  };

  return {
    db,
    path: memory ? ':memory:' : path,
    audit: auditRepo(db),
    profiles: profilesRepo(db, transaction),
    settings: settingsRepo(db),
    mappings: mappingsRepo(db),
    transaction,
    close: () => {
      try {
        checkpoints?.stop();
      } finally {
        if (db.open) db.close();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

function settingsRepo(db: Database.Database): SettingsRepo {
  const get = db.prepare('SELECT value FROM settings WHERE key = ?');
  const set = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const del = db.prepare('DELETE FROM settings WHERE key = ?');
  return {
    get: (key) => strOrNull(getRow<{ value: string }>(get, key)?.value),
    set: (key, value) => void set.run(key, value),
    delete: (key) => void del.run(key),
  };
}

function mappingsRepo(db: Database.Database): MappingsRepo {
  const get = db.prepare('SELECT mapping_json FROM mapping_memory WHERE header_signature = ?');
  const del = db.prepare('DELETE FROM mapping_memory WHERE header_signature = ?');
  const set = db.prepare(
    `INSERT INTO mapping_memory (header_signature, mapping_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (header_signature) DO UPDATE SET mapping_json = excluded.mapping_json, updated_at = excluded.updated_at`,
  );
  return {
    get: <T>(signature: string) => parseJson<T>(getRow<{ mapping_json: string }>(get, signature)?.mapping_json),
    set: (signature, mapping) => void set.run(signature, JSON.stringify(mapping), nowIso()),
    delete: (signature) => void del.run(signature),
  };
}

interface ProfileRow extends Row {
  id: string;
  name: string;
  login: string;
  user_id: number;
  server_url: string;
  demo: number;
  last_chain_id: number | null;
  last_location_id: number | null;
}

const toProfile = (r: ProfileRow): Profile => ({
  id: String(r.id),
  name: String(r.name),
  login: String(r.login),
  userId: Number(r.user_id),
  serverUrl: String(r.server_url),
  demo: Number(r.demo) === 1,
  lastChainId: numOrNull(r.last_chain_id),
  lastLocationId: numOrNull(r.last_location_id),
});

const PROFILE_COLUMNS = 'id, name, login, user_id, server_url, demo, last_chain_id, last_location_id';

function profilesRepo(db: Database.Database, transaction: <T>(fn: () => T) => T): ProfilesRepo {
  const list = db.prepare(`SELECT ${PROFILE_COLUMNS} FROM profiles ORDER BY name COLLATE NOCASE, id`);
  const get = db.prepare(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE id = ?`);
  const upsert = db.prepare(
    `INSERT INTO profiles (${PROFILE_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, login = excluded.login, user_id = excluded.user_id,
       server_url = excluded.server_url, demo = excluded.demo, last_chain_id = excluded.last_chain_id,
       last_location_id = excluded.last_location_id, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM profiles WHERE id = ?');
  const chains = db.prepare('SELECT chains_json FROM profiles WHERE id = ?');
  const setChains = db.prepare('UPDATE profiles SET chains_json = ?, updated_at = ? WHERE id = ?');
  const setSelection = db.prepare('UPDATE profiles SET last_chain_id = ?, last_location_id = ?, updated_at = ? WHERE id = ?');
  return {
    list: () => allRows<ProfileRow>(list).map(toProfile),
    get: (id) => {
      const row = getRow<ProfileRow>(get, id);
      return row ? toProfile(row) : null;
    },
    upsert: (p) =>
      void upsert.run(p.id, p.name, p.login, p.userId, p.serverUrl, p.demo ? 1 : 0, p.lastChainId, p.lastLocationId, nowIso()),
    remove: (id) => transaction(() => void remove.run(id)),
    chains: (id) => parseJson<Chain[]>(getRow<{ chains_json: string | null }>(chains, id)?.chains_json) ?? [],
    setChains: (id, list) => void setChains.run(JSON.stringify(list), nowIso(), id),
    setSelection: (id, chainId, locationId) => void setSelection.run(chainId, locationId, nowIso(), id),
  };
}

interface AuditRow extends Row {
  id: number;
  at: string;
  user_name: string;
  user_id: number;
  profile_id: string;
  chain_id: number;
  location_id: number | null;
  membership_id: number;
  membership_number: string;
  client_name: string | null;
  action: string;
  before_json: string | null;
  after_json: string | null;
  reason: string;
  outcome: string;
  message: string | null;
  batch_id: string | null;
  undo_of: number | null;
  undone_by: number | null;
  lifted_at: string | null;
}

/** The message column as stored (common/i18n/stored.ts): its English, and the message by reference when kept so. */
function storedAuditMessage(text: string | null): Pick<AuditEntry, 'message' | 'msg'> {
  if (text === null) return { message: null, msg: null };
  const stored = fromStored(text);
  return { message: stored.text, msg: stored.msg };
}

const toAudit = (r: AuditRow): AuditEntry => ({
  id: Number(r.id),
  at: String(r.at),
  userName: String(r.user_name),
  userId: Number(r.user_id),
  profileId: String(r.profile_id),
  chainId: Number(r.chain_id),
  locationId: numOrNull(r.location_id),
  membershipId: Number(r.membership_id),
  membershipNumber: String(r.membership_number),
  clientName: strOrNull(r.client_name),
  action: r.action as AuditEntry['action'],
  before: storedSnapshot(r.before_json),
  after: storedSnapshot(r.after_json),
  reason: String(r.reason),
  outcome: r.outcome as AuditEntry['outcome'],
  ...storedAuditMessage(strOrNull(r.message)),
  batchId: strOrNull(r.batch_id),
  undoOf: numOrNull(r.undo_of),
  undoneBy: numOrNull(r.undone_by),
});

/** Timestamps are stored as UTC ISO strings so they sort and filter as text. */
function normaliseAt(at: string | undefined): string {
  if (at === undefined) return nowIso();
  const t = new Date(at);
  if (Number.isNaN(t.getTime())) throw new Error(`Invalid audit timestamp: ${at}`);
  return t.toISOString();
}

/**
 * An audit entry as read: the client's name stored with it or, when the app learned the client only
 * later (a batch row by id, a bulk action), the one the index remembers now (a join, not a copy).
 */
const AUDIT_SELECT = `SELECT a.id, a.at, a.user_name, a.user_id, a.profile_id, a.chain_id, a.location_id, a.membership_id, a.membership_number,
    COALESCE(a.client_name, ${seenClientNameSql('a.chain_id', 'a.membership_id', 'a.profile_id')}) AS client_name,
    a.action, a.before_json, a.after_json, a.reason, a.outcome, a.message, a.batch_id, a.undo_of, a.undone_by, a.lifted_at
  FROM audit a`;

export const AUDIT_DEFAULT_LIMIT = 500;
export const AUDIT_MAX_LIMIT = 5000;

function auditRepo(db: Database.Database): AuditRepo {
  const insert = db.prepare(
    `INSERT INTO audit (at, user_name, user_id, profile_id, chain_id, location_id, membership_id, membership_number,
       action, before_json, after_json, reason, outcome, message, batch_id, undo_of, client_name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // The client the app last saw this membership with on this profile's server (the index keeps
  // it), stored with the entry so the name stays when the index is forgotten; an entry made before
  // the client was known takes the name at read time (AUDIT_SELECT).
  const seenClient = db.prepare(`SELECT ${seenClientNameSql('?', '?', '?')} AS name`);
  const clientOf = (chainId: number, membershipId: number, profileId: string): string | null =>
    getRow<{ name: string | null }>(seenClient, chainId, membershipId, profileId)?.name ?? null;
  const finish = db.prepare('UPDATE audit SET outcome = ?, after_json = ?, message = ? WHERE id = ?');
  const markUndone = db.prepare('UPDATE audit SET undone_by = ? WHERE id = ?');
  const get = db.prepare(`${AUDIT_SELECT} WHERE id = ?`);
  const latestFreezeWord = db.prepare(`${AUDIT_SELECT}
    WHERE a.membership_id = ? AND a.chain_id = ? AND a.outcome = 'ok' AND a.action IN ('freeze', 'unfreeze') ORDER BY a.id DESC LIMIT 1`);
  const markLifted = db.prepare(`UPDATE audit SET lifted_at = ?
    WHERE membership_id = ? AND chain_id = ? AND action = 'freeze' AND outcome = 'ok' AND lifted_at IS NULL AND id <= ?`);
  const last = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit');
  const userNames = db.prepare('SELECT DISTINCT user_name AS name FROM audit');
  return {
    lastId: () => Number(getRow<{ id: number | bigint }>(last)?.id ?? 0),
    clientName: clientOf,
    add: (e: NewAuditEntry) => {
      const r = insert.run(
        normaliseAt(e.at),
        e.userName,
        e.userId,
        e.profileId,
        e.chainId,
        e.locationId,
        e.membershipId,
        e.membershipNumber,
        e.action,
        snapshotJson(e.before),
        snapshotJson(e.after),
        e.reason,
        e.outcome,
        e.message,
        e.batchId,
        e.undoOf,
        e.clientName ?? clientOf(e.chainId, e.membershipId, e.profileId),
      );
      return Number(r.lastInsertRowid);
    },
    finish: (id, outcome, after, message) => {
      const r = finish.run(outcome, snapshotJson(after), message, id);
      if (r.changes === 0) throw new Error(`No audit entry ${id}`);
    },
    markUndone: (id, undoneBy) => {
      const r = markUndone.run(undoneBy, id);
      if (r.changes === 0) throw new Error(`No audit entry ${id}`);
    },
    get: (id) => {
      const row = getRow<AuditRow>(get, id);
      return row ? toAudit(row) : null;
    },
    latestFreezeWord: (chainId, membershipId) => {
      const row = getRow<AuditRow>(latestFreezeWord, membershipId, chainId);
      return row ? { entry: toAudit(row), lifted: row.lifted_at !== null } : null;
    },
    markLifted: (chainId, membershipId, upToId, at) => {
      markLifted.run(at, membershipId, chainId, upToId);
    },
    list: (f: AuditFilterQuery) => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.membershipId !== undefined) {
        where.push('membership_id = ?');
        params.push(f.membershipId);
      }
      const membership = f.membership?.trim().replace(/^(#|№)\s*/, '');
      if (membership) {
        // The card shows the number, other places the id: either finds the membership.
        const asId = /^\d{1,15}$/.test(membership) ? Number(membership) : null;
        where.push(asId === null ? 'membership_number = ?' : '(membership_number = ? OR membership_id = ?)');
        params.push(membership, ...(asId === null ? [] : [asId]));
      }
      const userPart = f.userName?.trim().toLocaleLowerCase();
      if (userPart) {
        // Part of a name, any case, any alphabet (SQLite folds ASCII only): matched over the few
        // distinct names in the log.
        const names = allRows<{ name: string }>(userNames).map((r) => String(r.name)).filter((n) => n.toLocaleLowerCase().includes(userPart));
        if (names.length === 0) return [];
        where.push(`user_name IN (${names.map(() => '?').join(', ')})`);
        params.push(...names);
      }
      if (f.locationId !== undefined) {
        where.push('location_id = ?');
        params.push(f.locationId);
      }
      // `at` is a UTC ISO string; the filter's days are days in the zone the screen shows times in
      // (the location's), or this computer's: compare with the UTC instants at which those days
      // start and end (inclusive on both ends).
      if (f.from !== undefined) {
        where.push('at >= ?');
        params.push(localDayStartUtc(f.from, 0, f.timezone));
      }
      if (f.to !== undefined) {
        where.push('at < ?');
        params.push(localDayStartUtc(f.to, 1, f.timezone));
      }
      const limit = Math.min(Math.max(1, Math.floor(f.limit ?? AUDIT_DEFAULT_LIMIT)), AUDIT_MAX_LIMIT);
      const sql = `${AUDIT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ${limit}`;
      return allRows<AuditRow>(db.prepare(sql), ...params).map(toAudit);
    },
  };
}
