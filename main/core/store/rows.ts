/**
 * Row helpers for libsql statements, shared by the store and the batch journal. No imports from
 * the store: migrations.ts imports the journal's schema, so the journal must not import store.ts.
 */
import type Database from 'libsql';

export type Row = Record<string, unknown>;

/** libsql's `.get()` adds a `_metadata` key to the row; strip it so rows are plain data. */
export function cleanRow<T extends Row>(row: unknown): T | null {
  if (row === undefined || row === null) return null;
  const { _metadata: _ignored, ...rest } = row as Row;
  return rest as T;
}

export function getRow<T extends Row>(stmt: Database.Statement, ...params: unknown[]): T | null {
  return cleanRow<T>(stmt.get(...params));
}

export function allRows<T extends Row>(stmt: Database.Statement, ...params: unknown[]): T[] {
  return stmt.all(...params).map((r) => cleanRow<T>(r) as T);
}

export const nowIso = () => new Date().toISOString();
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * SQL for the name of the client the app last saw a membership with (the index's index_clients),
 * on the server of the profile that did the work (demo profiles are not stored: their index is
 * under 'demo'). The three arguments are SQL expressions (a column or `?`). Used at read time, so
 * an audit entry or batch row written before the client was known shows the name once it is.
 */
export const seenClientNameSql = (chainId: string, membershipId: string, profileId: string): string =>
  `(SELECT c.client_name FROM index_clients c
     WHERE c.chain_id = ${chainId} AND c.membership_id = ${membershipId}
       AND c.server = COALESCE((SELECT CASE WHEN p.demo = 1 THEN 'demo' ELSE p.server_url END FROM profiles p WHERE p.id = ${profileId}), 'demo')
     ORDER BY c.seen_at DESC LIMIT 1)`;
