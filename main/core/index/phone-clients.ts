/**
 * Which client a membership belongs to, found by phone (the chain list does not say).
 *
 * A batch row found by number + phone: the memberships Altegio lists under a phone belong to the
 * client with that phone, but the list does not name the client. When the index has seen exactly
 * one client of the chain with that phone, the memberships found are remembered with that client
 * (never replacing a client already remembered), so the audit entries written at settle carry the
 * client's name (the store takes the client the app last saw a membership with).
 */
import type Database from 'libsql';
import type { ClientSummary, Membership } from '../../../preload/contract';
import { addDays, localDateOf } from '../../../common/dates';
import type { AltegioApi, SaleFilter } from '../altegio/api';
import { DeskFailure, isDeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import { canBePhone, phoneDigits } from '../../../common/phone';
import { allRows, nowIso } from '../store/rows';

/** The index's server key of a profile: the same rule as the audit's client look-up (store.ts). */
const SERVER_OF_PROFILE = `COALESCE((SELECT CASE WHEN p.demo = 1 THEN 'demo' ELSE p.server_url END FROM profiles p WHERE p.id = ?), 'demo')`;

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
      const digits = phoneDigits(phone);
      if (digits === null || membershipIds.length === 0) return null;
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

/** How many candidate clients "Find the client" reads at most (one memberships-by-phone read each). */
export const LOOKUP_CANDIDATES = 10;

export interface ClientLookupDeps {
  api: () => Pick<AltegioApi, 'searchClients' | 'membershipsByPhone' | 'membershipsByIds'>;
  /** Remembers the client found with the memberships read under its phone (the index's client of a membership). */
  remember: (client: ClientSummary, locationId: number, memberships: readonly Membership[]) => void;
  timezone: (locationId: number) => string | null;
}

export interface ClientLookup {
  client: ClientSummary | null;
  /** Candidates whose memberships were read. */
  checked: number;
  /** More clients matched than were read (the cap). */
  more: boolean;
  /** The server refused the membership filter even in its simplest form: nothing could be narrowed. */
  refused: boolean;
}

/**
 * "Find the client" of a membership the index holds without one (issue 11 item 1): the client
 * search filtered by the membership's type and expiry day (ALTEGIO.md §4.4: the `sale` filter;
 * its exact body is Med confidence, so a refused filter falls back to the type alone, then gives
 * up), then the candidates' memberships by phone until one holds this membership — at most
 * LOOKUP_CANDIDATES of them. The client found is remembered with the memberships read.
 */
export async function findClientOf(deps: ClientLookupDeps, args: { chainId: number; locationId: number; membershipId: number }): Promise<ClientLookup> {
  const api = deps.api();
  const lane = { lane: 'interactive' as const };
  const [m] = await api.membershipsByIds(args.chainId, [args.membershipId], lane);
  if (!m) throw new DeskFailure('not_found', msg('error.app.membershipNotListed'));
  const zone = deps.timezone(args.locationId) ?? 'UTC';
  const expiry = localDateOf(m.expirationDate, zone);
  // A day either side: the server may count the expiry in another zone than this location's.
  const filters: SaleFilter[] = [...(expiry ? [{ typeIds: [m.type.id], expire: { from: addDays(expiry, -1), to: addDays(expiry, 1) } }] : []), { typeIds: [m.type.id] }];
  let found: { clients: ClientSummary[]; total: number } | null = null;
  for (const sale of filters) {
    try {
      found = await api.searchClients(args.locationId, '', { ...lane, sale, pageSize: LOOKUP_CANDIDATES });
      break;
    } catch (e) {
      // A 400 about the filter: try the simpler one. Anything else (offline, signed out…) is the answer.
      if (!(isDeskFailure(e) && e.kind === 'validation')) throw e;
    }
  }
  if (!found) return { client: null, checked: 0, more: false, refused: true };
  const candidates = found.clients.slice(0, LOOKUP_CANDIDATES);
  let checked = 0;
  for (const c of candidates) {
    // A phone Altegio holds that is no phone by the rule (common/phone.ts) cannot be looked up.
    const phone = c.phone;
    if (phone == null || !canBePhone(phone)) continue;
    checked += 1;
    const held = await api.membershipsByPhone(args.locationId, phone, lane);
    if (held.some((x) => x.id === m.id)) {
      deps.remember(c, args.locationId, held);
      return { client: c, checked, more: false, refused: false };
    }
  }
  return { client: null, checked, more: found.total > candidates.length, refused: false };
}
