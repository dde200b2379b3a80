import type Database from 'libsql';
import type { Membership } from '../../preload/contract';
import { numberKey, type IndexKey } from '../../main/core/index/repo';

/**
 * Memberships written straight into `index_memberships` with only the columns migration 3 created
 * (the later ones, e.g. expiration_at and freeze_till_at, stay NULL): rows as an app of before those
 * columns indexed them, for a test that opens such a file with today's migrations. Not through
 * today's repo, whose upsert writes every column.
 */
export function insertOldIndexRows(db: Database.Database, key: IndexKey, memberships: readonly Membership[]): void {
  const insert = db.prepare(`INSERT INTO index_memberships (server, chain_id, id, number, number_key, type_id, type_title, status_slug, is_frozen,
    freeze_till, created_date, activated_date, expiration_date, expiration_day, united_left, min_service_left, unlimited, membership_json, read_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, '2026-06-01T00:00:00Z')`);
  for (const m of memberships) {
    const day = /^(\d{4}-\d{2}-\d{2})/.exec(m.expirationDate ?? '')?.[1] ?? null;
    insert.run(key.server, key.chainId, m.id, m.number, numberKey(m.number), m.type.id, m.type.title, m.status.slug, m.isFrozen ? 1 : 0,
      m.freezeTill, m.createdDate, m.activatedDate, m.expirationDate, day, JSON.stringify(m));
  }
}
