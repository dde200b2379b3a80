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

export interface Migration {
  /** 1, 2, 3, … consecutive. */
  version: number;
  name: string;
  /** One or more statements, run with `exec` inside the migration's transaction. */
  sql: string;
}

// The schemas of features, kept here so the store depends on no feature (the features use them).
const JOURNAL_SQL = `
  CREATE TABLE batch_jobs (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('apply', 'undo')),
    op_kind       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    profile_id    TEXT NOT NULL,
    user_id       INTEGER NOT NULL,
    user_name     TEXT NOT NULL,
    chain_id      INTEGER NOT NULL,
    location_id   INTEGER,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'planned', 'running', 'paused', 'waiting_auth', 'offline', 'cancelled', 'done')),
    message       TEXT,
    delimiter     TEXT NOT NULL DEFAULT ',',
    totals_json   TEXT NOT NULL,
    undo_of       TEXT REFERENCES batch_jobs (id),
    undone_by     TEXT REFERENCES batch_jobs (id),
    started_at    TEXT,
    finished_at   TEXT
  ) STRICT;
  CREATE INDEX batch_jobs_state ON batch_jobs (state);

  CREATE TABLE batch_rows (
    batch_id    TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('change', 'unchanged', 'invalid')),
    membership  TEXT NOT NULL,
    service     TEXT NOT NULL,
    before      INTEGER,
    after       INTEGER,
    reason      TEXT NOT NULL,
    message     TEXT,
    op_seq      INTEGER,
    PRIMARY KEY (batch_id, idx)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX batch_rows_invalid ON batch_rows (batch_id, idx) WHERE outcome = 'invalid';

  CREATE TABLE batch_ops (
    batch_id          TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    membership_id     INTEGER NOT NULL,
    membership_number TEXT NOT NULL,
    chain_id          INTEGER NOT NULL,
    body_json         TEXT NOT NULL,
    expect_json       TEXT NOT NULL,
    target_json       TEXT NOT NULL,
    row_lines_json    TEXT NOT NULL,
    row_count         INTEGER NOT NULL,
    reason            TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'intent', 'applied', 'conflict', 'failed', 'skipped')),
    message           TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    audit_id          INTEGER REFERENCES audit (id),
    source_audit_id   INTEGER REFERENCES audit (id),
    updated_at        TEXT,
    PRIMARY KEY (batch_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX batch_ops_open ON batch_ops (batch_id, seq) WHERE state IN ('pending', 'intent');
`;

const INDEX_SQL = `
  CREATE TABLE index_memberships (
    server           TEXT NOT NULL,
    chain_id         INTEGER NOT NULL,
    id               INTEGER NOT NULL,
    number           TEXT NOT NULL,
    number_key       TEXT NOT NULL,
    type_id          INTEGER NOT NULL,
    type_title       TEXT NOT NULL,
    status_slug      TEXT NOT NULL,
    is_frozen        INTEGER NOT NULL,
    freeze_till      TEXT,
    created_date     TEXT,
    activated_date   TEXT,
    expiration_date  TEXT,
    expiration_day   TEXT,
    united_left      INTEGER,
    min_service_left INTEGER,
    unlimited        INTEGER NOT NULL,
    membership_json  TEXT NOT NULL,
    read_at          TEXT NOT NULL,
    PRIMARY KEY (server, chain_id, id)
  ) STRICT;
  CREATE INDEX index_memberships_number ON index_memberships (server, chain_id, number_key);
  CREATE INDEX index_memberships_expiry ON index_memberships (server, chain_id, expiration_day);

  CREATE TABLE index_clients (
    server        TEXT NOT NULL,
    chain_id      INTEGER NOT NULL,
    membership_id INTEGER NOT NULL,
    client_id     INTEGER NOT NULL,
    client_name   TEXT NOT NULL,
    client_phone  TEXT,
    location_id   INTEGER,
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (server, chain_id, membership_id)
  ) STRICT;

  CREATE TABLE index_sync (
    server          TEXT NOT NULL,
    chain_id        INTEGER NOT NULL,
    -- First sync: every membership created before window_from has been read; in the window
    -- [window_from, window_from + window_days) pages 1..page_done have been read.
    first_done      INTEGER NOT NULL DEFAULT 0,
    window_from     TEXT NOT NULL,
    window_days     INTEGER NOT NULL,
    page_done       INTEGER NOT NULL DEFAULT 0,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    requests        INTEGER NOT NULL DEFAULT 0,
    total_estimate  INTEGER,
    started_at      TEXT NOT NULL,
    -- The end of the last complete pass (first sync or refresh): the lists say "as of" this.
    as_of           TEXT,
    PRIMARY KEY (server, chain_id)
  ) STRICT;
`;

/**
 * Migration 4: a job is a batch (a file, or the undo of one: listed on the batch screen) or a desk
 * write (a one-op job a person's freeze / unfreeze / balance edit / undo runs as; not listed).
 */
const JOURNAL_SCOPE_SQL = `ALTER TABLE batch_jobs ADD COLUMN scope TEXT NOT NULL DEFAULT 'batch' CHECK (scope IN ('batch', 'desk'));`;

/**
 * Fills the UTC instant column `at` (as common/dates instantOf writes it) from the API date/time in
 * `text` where it is still null, for the offsets SQLite reads the same as instantOf (`…+03:00`, `…Z`,
 * milliseconds included); other forms are left null. (Migrations 10 and 11.)
 */
function fillInstant(at: string, text: string): string {
  return `UPDATE index_memberships SET ${at} = strftime('%Y-%m-%dT%H:%M:%SZ', ${text})
        WHERE ${at} IS NULL
          AND (${text} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]*[Zz]'
            OR ${text} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]*[+-][0-9][0-9]:[0-9][0-9]');`;
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
  {
    version: 6,
    name: 'scheduled freezes and unfreezes kept on this PC (plans)',
    sql: `
      CREATE TABLE plans (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        kind              TEXT NOT NULL CHECK (kind IN ('freeze', 'unfreeze')),
        chain_id          INTEGER NOT NULL,
        location_id       INTEGER NOT NULL,
        timezone          TEXT NOT NULL,
        membership_id     INTEGER NOT NULL,
        membership_number TEXT NOT NULL,
        start_date        TEXT NOT NULL,
        end_date          TEXT,
        reason            TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN ('planned', 'running', 'done', 'failed', 'cancelled')),
        message           TEXT,
        audit_id          INTEGER REFERENCES audit (id),
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        updated_at        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX plans_open ON plans (state, start_date);
      CREATE INDEX plans_membership ON plans (membership_id);
    `,
  },
  {
    version: 7,
    name: 'plans: a closure for a selection (membership ids) runs as one bulk freeze job',
    sql: `
      ALTER TABLE plans ADD COLUMN membership_ids TEXT;
      ALTER TABLE plans ADD COLUMN batch_id TEXT;
    `,
  },
  {
    version: 8,
    name: 'batch rows keep their problems by reference (catalog key + parameters, JSON), for reports in any language',
    sql: `ALTER TABLE batch_rows ADD COLUMN msgs TEXT;`,
  },
  {
    version: 9,
    // Rows indexed before it have none and are judged by the day as written until re-read: the next
    // refresh re-reads every open membership, and only active ones can be "expiring". Migration 10 fills them in.
    name: "index: a membership's expiry as an instant (UTC), so 'expiring within N days' counts days in the desk location's zone",
    sql: `ALTER TABLE index_memberships ADD COLUMN expiration_at TEXT;`,
  },
  {
    version: 10,
    // The worklists judge an expiry by its instant (index/worklists.ts expiryKey: filter, sort and the
    // day shown); rows indexed before migration 9 had none and fell back to the day as written, and
    // closed ones are never re-read. SQLite reads the offsets Altegio writes (`…+03:00`, `…Z`) to the
    // same UTC text as common/dates instantOf; other forms (`+0300`, a bare day, no offset) stay null
    // and keep the fallback. Nothing sorts or filters on expiration_day by itself any more.
    name: "index: expiration_at filled in for rows indexed before migration 9; the unused index on the expiry's date part dropped",
    sql: `
      ${fillInstant('expiration_at', 'expiration_date')}
      DROP INDEX index_memberships_expiry;
    `,
  },
  {
    version: 11,
    // The worklists sort by "frozen until" and show its day the way they do an expiry (index/worklists.ts
    // frozenTillKey): by its instant in the desk's zone, no longer by the text Altegio wrote. Filled in
    // as migration 10 did expiration_at; other forms keep the fallback (the day as written) until
    // re-read, which the next refresh does for every frozen membership (repo.ts openIds).
    name: "index: 'frozen until' as an instant (UTC), so the worklists sort by its day in the desk location's zone",
    sql: `
      ALTER TABLE index_memberships ADD COLUMN freeze_till_at TEXT;
      ${fillInstant('freeze_till_at', 'freeze_till')}
    `,
  },
  {
    version: 12,
    // The desk's undo of an audit entry starts from the journal op that entry records (journal.ts
    // opOfAudit, memberships/undo.ts), as a batch undo starts from its ops.
    name: "journal: an operation found by its audit entry's id",
    sql: `CREATE INDEX batch_ops_audit ON batch_ops (audit_id) WHERE audit_id IS NOT NULL;`,
  },
  {
    version: 13,
    // memberships/sent-freeze.ts: the card shows an app freeze's date (where Altegio's read gives
    // none) only until a read of the app sees the membership not frozen after it. Entries from before
    // have none (NULL: not seen lifted) and keep their date only while it is not past.
    name: "audit: when a read first saw one of the app's freezes no longer in force",
    sql: `ALTER TABLE audit ADD COLUMN lifted_at TEXT;`,
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
