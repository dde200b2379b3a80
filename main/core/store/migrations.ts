/**
 * Versioned schema migrations. The database's `PRAGMA user_version` is the number of the last
 * migration applied; each pending migration runs in its own transaction together with the bump
 * of `user_version`, so a crash mid-way leaves the database at the previous version, intact.
 *
 * To change the schema, APPEND an entry with the next version number (never edit or reorder one
 * that has shipped): e.g. `{ version: 2, name: 'batch jobs and rows', sql: `CREATE TABLE …` }`.
 * A feature may keep its SQL next to its code and only list it here.
 */
import type Database from 'libsql';
import { JOURNAL_SCOPE_SQL, JOURNAL_SQL } from '../batch/journal';
import { INDEX_SQL } from '../index/repo';

export interface Migration {
  /** 1, 2, 3, … consecutive. */
  version: number;
  name: string;
  /** One or more statements, run with `exec` inside the migration's transaction. */
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings, profiles, audit log, mapping memory',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) STRICT;

      -- Non-secret metadata only: tokens live in the OS keychain (account "user:<id>").
      CREATE TABLE profiles (
        id               TEXT PRIMARY KEY NOT NULL,
        name             TEXT NOT NULL,
        login            TEXT NOT NULL,
        user_id          INTEGER NOT NULL,
        server_url       TEXT NOT NULL,
        demo             INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
        last_chain_id    INTEGER,
        last_location_id INTEGER,
        chains_json      TEXT,
        updated_at       TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        at                TEXT NOT NULL,
        user_name         TEXT NOT NULL,
        user_id           INTEGER NOT NULL,
        profile_id        TEXT NOT NULL,
        chain_id          INTEGER NOT NULL,
        location_id       INTEGER,
        membership_id     INTEGER NOT NULL,
        membership_number TEXT NOT NULL,
        action            TEXT NOT NULL,
        before_json       TEXT,
        after_json        TEXT,
        reason            TEXT NOT NULL,
        outcome           TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'unknown')),
        message           TEXT,
        batch_id          TEXT,
        undo_of           INTEGER REFERENCES audit (id),
        undone_by         INTEGER REFERENCES audit (id)
      ) STRICT;
      CREATE INDEX audit_membership ON audit (membership_id);
      CREATE INDEX audit_at ON audit (at);
      CREATE INDEX audit_user_name ON audit (user_name COLLATE NOCASE);
      CREATE INDEX audit_batch ON audit (batch_id) WHERE batch_id IS NOT NULL;

      -- CSV column mappings the user made by hand, keyed by a signature of the header row.
      CREATE TABLE mapping_memory (
        header_signature TEXT PRIMARY KEY NOT NULL,
        mapping_json     TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'batch jobs, rows and operations (the apply journal)',
    sql: JOURNAL_SQL,
  },
  {
    version: 3,
    name: 'membership index, clients seen with memberships, index sync position',
    sql: INDEX_SQL,
  },
  {
    version: 4,
    name: 'desk writes are one-op jobs in the journal (batch_jobs.scope)',
    sql: JOURNAL_SCOPE_SQL,
  },
  {
    version: 5,
    name: 'audit: the client a membership belonged to, filter by location',
    sql: `
      ALTER TABLE audit ADD COLUMN client_name TEXT;
      CREATE INDEX audit_location ON audit (location_id);
    `,
  },
];

/** Reads `PRAGMA user_version` (libsql adds a `_metadata` key to `.get()` rows; `.all()` is clean). */
export function schemaVersion(db: Database.Database): number {
  const row = db.prepare('PRAGMA user_version').all()[0] as { user_version?: unknown } | undefined;
  return Number(row?.user_version ?? 0);
}

export function checkMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration #${i} has version ${m.version}; expected ${i + 1} (append migrations in order).`);
  });
}

/**
 * Applies every pending migration, each in its own IMMEDIATE transaction. Idempotent: reopening
 * an up-to-date database does nothing. A database written by a newer app version is refused
 * rather than guessed at.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = migrations): { from: number; to: number } {
  checkMigrations(list);
  const from = schemaVersion(db);
  const latest = list.length;
  if (from > latest) {
    throw new Error(
      `The local database was created by a newer version of Membership Desk (schema ${from}, this version knows ${latest}). Update the app.`,
    );
  }
  for (const m of list.slice(from)) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new Error(`Database migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  return { from, to: Math.max(from, latest) };
}
