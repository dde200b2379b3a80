/**
 * A batch row found by number + phone: the memberships Altegio lists under a phone belong to the
 * client with that phone, but the list does not name the client. When the index has seen exactly
 * one client of the chain with that phone, the memberships found are remembered with that client
 * (never replacing a client already remembered), so the audit entries written at settle carry the
 * client's name (the store takes the client the app last saw a membership with).
 */
import type Database from 'libsql';
import { allRows, nowIso } from '../store/rows';

/** The index's server key of a profile: the same rule as the audit's client look-up (store.ts). */
const SERVER_OF_PROFILE = `COALESCE((SELECT CASE WHEN p.demo = 1 THEN 'demo' ELSE p.server_url END FROM profiles p WHERE p.id = ?), 'demo')`;

const digitsOf = (s: string) => s.replace(/\D+/g, '');

export interface PhoneClients {
  /** Remembers, for memberships found under `phone` (digits), the one client the index saw with it. Returns that client's name, or null. */
  remember(profileId: string, chainId: number, phone: string, membershipIds: readonly number[]): string | null;
}

export function createPhoneClients(db: Database.Database): PhoneClients {
  // Phones are stored as Altegio wrote them ("+1 512 555-0142"): compared on digits, in SQL as far as the usual marks go.
  const byPhone = db.prepare(
    `SELECT DISTINCT client_id AS id, client_name AS name, client_phone AS phone, server FROM index_clients
      WHERE server = ${SERVER_OF_PROFILE} AND chain_id = ? AND client_phone IS NOT NULL
        AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(client_phone, '+', ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') = ?`,
  );
  const insert = db.prepare(`
    INSERT INTO index_clients (server, chain_id, membership_id, client_id, client_name, client_phone, location_id, seen_at)
    VALUES (?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (server, chain_id, membership_id) DO NOTHING`);
  return {
    remember(profileId, chainId, phone, membershipIds) {
      const digits = digitsOf(phone);
      if (digits === '' || membershipIds.length === 0) return null;
      const found = allRows<{ id: number | bigint; name: string; phone: string; server: string }>(byPhone, profileId, chainId, digits);
      const ids = new Set(found.map((r) => Number(r.id)));
      if (ids.size !== 1) return null;
      const c = found[0] as (typeof found)[number];
      const at = nowIso();
      for (const id of membershipIds) insert.run(c.server, chainId, id, Number(c.id), c.name, c.phone, at);
      return c.name;
    },
  };
}
