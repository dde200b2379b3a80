/**
 * The client search's `sale` filter (ALTEGIO.md §4.4, §5(a)): clients who hold a membership of the
 * given types, sold or expiring within the given days. Altegio documents the filter's names, not
 * its exact body; the sandbox takes the reading the app sends —
 * `{ "type": "sale", "state": { "abonement_types": [typeId…], "abonement_expire_date": { "from": "YYYY-MM-DD", "to": "YYYY-MM-DD" }, "abonement_sale_date": {…} } }`
 * — days in the membership's location zone, both ends included. Anything else is a 400 naming it.
 */
import { DateTime } from 'luxon';
import type { ClientRec, SandboxState } from './model';
import { zoneOf } from './rules';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const KNOWN = new Set(['abonement_types', 'abonement_expire_date', 'abonement_sale_date']);

type Range = { from: string | null; to: string | null };

function rangeOf(v: unknown): Range | string {
  if (v === undefined) return { from: null, to: null };
  if (typeof v !== 'object' || v === null) return 'must be an object with from and to';
  const { from, to } = v as { from?: unknown; to?: unknown };
  for (const d of [from, to]) if (d !== undefined && d !== null && (typeof d !== 'string' || !DAY.test(d))) return 'from and to must be dates YYYY-MM-DD';
  return { from: (from as string | undefined) ?? null, to: (to as string | undefined) ?? null };
}

const within = (day: string | null, r: Range) => (r.from === null && r.to === null) || (day !== null && (r.from === null || day >= r.from) && (r.to === null || day <= r.to));

/** The clients the filter keeps, or the 400's words. */
export function saleFilter(state: SandboxState, clients: ClientRec[], raw: unknown): ClientRec[] | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'The sale filter state must be an object.';
  const s = raw as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!KNOWN.has(key)) return `The sale filter has no field ${JSON.stringify(key)}.`;
  const types = s.abonement_types;
  if (types !== undefined && (!Array.isArray(types) || !types.every((t) => Number.isInteger(Number(t))))) return 'abonement_types must be an array of membership type ids.';
  const typeIds = Array.isArray(types) ? types.map(Number) : null;
  const expire = rangeOf(s.abonement_expire_date);
  if (typeof expire === 'string') return `abonement_expire_date: ${expire}.`;
  const sale = rangeOf(s.abonement_sale_date);
  if (typeof sale === 'string') return `abonement_sale_date: ${sale}.`;
  const holders = new Set<number>();
  for (const m of state.memberships.values()) {
    if (typeIds !== null && !typeIds.includes(m.typeId)) continue;
    const zone = zoneOf(state, m);
    const dayOf = (d: DateTime | null) => (d ? d.setZone(zone).toISODate() : null);
    if (!within(dayOf(m.expiration), expire) || !within(dayOf(m.created), sale)) continue;
    holders.add(m.clientId);
  }
  return clients.filter((c) => holders.has(c.id));
}
