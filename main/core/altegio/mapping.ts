/**
 * Wire shapes (wire.ts) → contract domain objects (preload/contract.ts).
 *
 * The `decode*` functions take a raw parsed JSON body and either return valid domain objects or
 * throw DeskFailure('server', UNREADABLE). They never throw anything else (a property test
 * feeds them arbitrary JSON). List items that are unusable (no id, no chain) are dropped, never
 * half-mapped.
 */
import type {
  Balance,
  BalanceLine,
  Chain,
  ClientSummary,
  Location,
  Membership,
  MembershipStatusSlug,
  NotGivenField,
  PeriodUnit,
  Rights,
} from '../../../preload/contract';
import { STATUS_WORDS } from '../../../common/statuses';
import { nextTurn } from '../clock';
import { isDeskFailure } from '../errors';
import type { AuthResult } from './api';
import {
  WireAuthUser,
  WireClient,
  WireCompany,
  WireGroup,
  WireLink,
  WireMembership,
  dataList,
  dataObject,
  parseEnvelope,
  parseItems,
  parseListItems,
  readFlag,
  unreadable,
  type WireMembershipType,
} from './wire';

/** Runs a decoder; anything unexpected becomes the one "could not read" failure. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isDeskFailure(e)) throw e;
    // No cause attached: it could hold response values (an /auth answer holds the user token).
    throw unreadable();
  }
}

const int = (n: number | undefined, fallback = 0): number =>
  n === undefined ? fallback : Math.min(Number.MAX_SAFE_INTEGER, Math.max(Number.MIN_SAFE_INTEGER, Math.trunc(n)));
const nonNegInt = (n: number | undefined): number => Math.max(0, int(n));
const isPositiveId = (n: number | undefined): n is number => n !== undefined && Number.isSafeInteger(n) && n > 0;

// ---------------------------------------------------------------------------------------------
// Enumerations

const STATUS_BY_ID: Record<number, MembershipStatusSlug> = { 1: 'created', 2: 'active', 3: 'expired', 4: 'wasted' };
const STATUS_IDS: Record<string, number> = { created: 1, active: 2, expired: 3, wasted: 4 };

export function statusSlug(id: number | undefined, slug: string | undefined): MembershipStatusSlug {
  if (id !== undefined) {
    const byId = STATUS_BY_ID[id];
    if (byId) return byId;
  }
  const s = slug?.trim().toLowerCase();
  if (s && s in STATUS_IDS) return s as MembershipStatusSlug;
  return 'unknown';
}

const UNITS: Record<number, PeriodUnit> = { 1: 'day', 2: 'week', 3: 'month', 4: 'year' };

/**
 * freeze_limit_unit_id: 1..4; 0 / missing / unknown → day (older docs: freeze_limit in days; and the
 * shortest unit, so no freeze offered can pass the real allowance). A missing one is also listed in
 * the membership's `notGiven`, so the card says so.
 */
export function freezeUnit(id: number | undefined): PeriodUnit {
  return (id !== undefined && UNITS[id]) || 'day';
}

/** period_unit_id: 1..4; 0 = not set → null. */
export function periodUnit(id: number | undefined): PeriodUnit | null {
  return (id !== undefined && UNITS[id]) || null;
}

// ---------------------------------------------------------------------------------------------
// Time zones

const tzCache = new Map<string, boolean>();
export function isValidTimeZone(tz: string | undefined): tz is string {
  if (!tz || tz.length > 100) return false;
  const cached = tzCache.get(tz);
  if (cached !== undefined) return cached;
  let ok = false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    ok = true;
  } catch {
    ok = false;
  }
  tzCache.set(tz, ok);
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Auth

export function decodeAuth(body: unknown, login: string): AuthResult {
  return guarded(() => {
    const env = parseEnvelope(body);
    const fromData = env.data !== null && typeof env.data === 'object' && !Array.isArray(env.data) ? WireAuthUser.parse(env.data) : undefined;
    const top = env.root ? WireAuthUser.parse(env.root) : undefined;
    const userToken = fromData?.user_token ?? top?.user_token;
    if (!userToken) throw unreadable();
    const u = fromData?.user_token ? fromData : top;
    const name = (u?.name ?? '').trim() || (u?.login ?? '').trim() || login;
    return {
      userToken,
      userId: int(u?.id),
      name,
      login: (u?.login ?? '').trim() || login,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Chains

export function decodeGroups(body: unknown): WireGroup[] {
  return guarded(() => parseListItems(dataList(parseEnvelope(body)), WireGroup));
}

export function decodeCompanies(body: unknown): WireCompany[] {
  return guarded(() => parseListItems(dataList(parseEnvelope(body)), WireCompany));
}

export function groupCompanies(group: WireGroup): WireCompany[] {
  return parseItems(group.companies ?? [], WireCompany);
}

/** The zone a location names: `timezone_name`, or `timezone` when it holds a zone name (the Blueprint). */
export function namedZone(c: WireCompany | undefined): string | undefined {
  if (!c) return undefined;
  const name = c.timezone_name?.trim();
  if (isValidTimeZone(name)) return name;
  const tz = typeof c.timezone === 'string' ? c.timezone.trim() : undefined;
  return isValidTimeZone(tz) && !/^[+-]?\d/.test(tz) ? tz : undefined;
}

/**
 * `timezone` in whole hours only (no name anywhere): the fixed-offset zone `Etc/GMT∓h` — right
 * for that offset, blind to daylight saving, and still better than assuming UTC.
 */
export function offsetZone(c: WireCompany | undefined): string | undefined {
  const h = typeof c?.timezone === 'number' ? c.timezone : undefined;
  if (h === undefined || !Number.isInteger(h) || h < -12 || h > 14) return undefined;
  return h === 0 ? 'UTC' : `Etc/GMT${h > 0 ? '-' : '+'}${Math.abs(h)}`;
}

/** True if some location of these chains names no zone (then /companies?my=1 is asked). */
export function needsCompanyTimezones(groups: WireGroup[]): boolean {
  return groups.some((g) => groupCompanies(g).some((c) => namedZone(c) === undefined));
}

/** A flag /groups did not carry (both docs' examples omit the membership ones) is unknown: null. */
export function rightsFromAccess(access: Record<string, unknown> | undefined): Rights {
  const f = (k: string) => readFlag(access?.[k]) ?? null;
  return {
    loyalty: f('loyalty_access'),
    periodEdit: f('loyalty_abonement_period_edit_access'),
    balanceEdit: f('loyalty_abonement_balance_edit_access'),
    history: f('loyalty_abonement_history_access'),
  };
}

export function chainsFromWire(groups: WireGroup[], companies: WireCompany[] = []): Chain[] {
  const byId = new Map(companies.map((c) => [c.id, c]));
  const seen = new Set<number>();
  const chains: Chain[] = [];
  for (const g of groups) {
    if (seen.has(g.id)) continue;
    seen.add(g.id);
    const locSeen = new Set<number>();
    const locations: Location[] = [];
    for (const c of groupCompanies(g)) {
      if (locSeen.has(c.id)) continue;
      locSeen.add(c.id);
      const other = byId.get(c.id);
      // UTC is assumed only when neither answer gives a zone, by name or by offset.
      const zone = namedZone(c) ?? namedZone(other) ?? offsetZone(c) ?? offsetZone(other);
      const title = [c.title, c.public_title, other?.title, other?.public_title].map((t) => t?.trim()).find((t) => t) ?? `Location ${c.id}`;
      locations.push(zone !== undefined ? { id: c.id, title, timezone: zone } : { id: c.id, title, timezone: 'UTC', timezoneAssumed: true });
    }
    chains.push({ id: g.id, title: g.title?.trim() || `Chain ${g.id}`, locations, rights: rightsFromAccess(g.access) });
  }
  return chains;
}

// ---------------------------------------------------------------------------------------------
// Clients

const nullIfBlank = (s: string | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

export function clientFromWire(c: WireClient): ClientSummary {
  const name = c.name?.trim() ?? '';
  const surname = c.surname?.trim() ?? '';
  const full = surname && !name.includes(surname) ? `${name} ${surname}`.trim() : name;
  return { id: c.id, name: full, phone: nullIfBlank(c.phone), card: nullIfBlank(c.card) };
}

export function decodeClientSearch(body: unknown): { clients: ClientSummary[]; total: number } {
  return guarded(() => {
    const env = parseEnvelope(body);
    const clients = parseListItems(dataList(env), WireClient).map(clientFromWire);
    const totalRaw = env.meta.total_count ?? env.meta.count;
    const total = totalRaw !== undefined && totalRaw >= clients.length ? Math.trunc(totalRaw) : clients.length;
    return { clients, total };
  });
}

export function decodeClient(body: unknown): ClientSummary {
  return guarded(() => {
    const env = parseEnvelope(body);
    const r = WireClient.safeParse(dataObject(env));
    if (!r.success) throw unreadable();
    return clientFromWire(r.data);
  });
}

// ---------------------------------------------------------------------------------------------
// Memberships

function balanceLines(links: unknown[] | undefined): BalanceLine[] {
  const lines: BalanceLine[] = [];
  for (const link of parseItems(links ?? [], WireLink)) {
    const target = link.service ?? link.category;
    if (!target || !isPositiveId(target.id)) continue;
    const isCategory = link.service ? (target.is_category ?? false) : true;
    lines.push({
      serviceId: target.id,
      title: target.title?.trim() ?? '',
      isCategory,
      count: int(link.count),
      unlimited: link.is_unlimited ?? false,
    });
  }
  return lines;
}

function balanceFromWire(m: WireMembership, type: WireMembershipType | undefined): Balance {
  const lines = balanceLines(m.balance_container?.links);
  const united = m.is_united_balance ?? type?.is_united_balance ?? false;
  if (united) {
    return {
      kind: 'united',
      count: int(m.united_balance_services_count),
      unlimited: m.is_united_balance_unlimited ?? type?.is_united_balance_unlimited ?? false,
      lines,
    };
  }
  return { kind: 'per_service', lines };
}

/** The type's locations when the answer lists them (ids as numbers or strings; junk dropped). */
function attachedLocations(type: WireMembershipType): { attachedLocationIds?: number[] } {
  const list = type.attached_location_ids ?? type.attached_salon_ids;
  if (!list) return {};
  const ids = [...new Set(list.map((v) => Number(v)).filter((n) => isPositiveId(n)))];
  return { attachedLocationIds: ids };
}

/** One membership; null when unusable (no type id or no chain id). */
export function membershipFromWire(m: WireMembership, fallbackChainId?: number): Membership | null {
  const type = m.type;
  const chainId = type?.salon_group_id ?? (isPositiveId(fallbackChainId) ? fallbackChainId : undefined);
  if (!isPositiveId(chainId) || !type || !isPositiveId(type.id)) return null;
  const slug = statusSlug(m.status?.id, m.status?.slug);
  const statusId = m.status?.id !== undefined ? int(m.status.id) : (STATUS_IDS[slug] ?? 0);
  const title = (m.status?.title ?? m.status?.extended_title)?.trim() || STATUS_WORDS[slug];
  const balanceEdit = type.balance_edit_type_id;
  const notGiven: NotGivenField[] = [];
  if (m.created_date === undefined) notGiven.push('createdDate');
  if (m.activated_date === undefined) notGiven.push('activatedDate');
  if (m.expiration_date === undefined) notGiven.push('expirationDate');
  if (type.freeze_limit_unit_id === undefined) notGiven.push('freezeLimitUnit');
  if (balanceEdit === undefined) notGiven.push('balanceEditType');
  return {
    id: m.id,
    number: m.number?.trim() ?? '',
    chainId,
    balanceString: m.balance_string ?? '',
    status: { id: statusId, slug, title },
    isFrozen: m.is_frozen ?? false,
    freezePeriodDays: nonNegInt(m.freeze_period),
    freezeTill: m.freeze_till?.trim() || null,
    createdDate: m.created_date?.trim() || null,
    activatedDate: m.activated_date?.trim() || null,
    expirationDate: m.expiration_date?.trim() || null,
    ...(m.period !== undefined && { period: nonNegInt(m.period), periodUnit: periodUnit(m.period_unit_id) }),
    type: {
      id: type.id,
      title: type.title?.trim() ?? '',
      allowFreeze: type.allow_freeze ?? false,
      freezeLimit: nonNegInt(type.freeze_limit),
      freezeLimitUnit: freezeUnit(type.freeze_limit_unit_id),
      balanceEditType: balanceEdit === undefined ? null : int(balanceEdit),
      period: nonNegInt(type.period ?? m.period),
      periodUnit: periodUnit(type.period_unit_id ?? m.period_unit_id),
      ...attachedLocations(type),
    },
    balance: balanceFromWire(m, type),
    ...(notGiven.length > 0 ? { notGiven } : {}),
  };
}

/** Adds the memberships of `items` not seen yet to `out`. */
function decodeInto(items: unknown[], fallbackChainId: number | undefined, out: Membership[], seen: Set<number>): void {
  for (const w of parseItems(items, WireMembership)) {
    if (seen.has(w.id)) continue;
    const m = membershipFromWire(w, fallbackChainId);
    if (m) {
      seen.add(m.id);
      out.push(m);
    }
  }
}

export function decodeMemberships(body: unknown, fallbackChainId?: number): Membership[] {
  return guarded(() => {
    const out: Membership[] = [];
    const items = dataList(parseEnvelope(body));
    decodeInto(items, fallbackChainId, out, new Set());
    // Memberships were sent but none could be used: say so rather than show "no memberships".
    if (items.length > 0 && out.length === 0) throw unreadable();
    return out;
  });
}

/**
 * `decodeMemberships` with a turn of the event loop after every `slice` items, for background
 * work (an index sync's 100-row pages: ~3 ms of decoding at once on a loaded machine, which a
 * person's answer arriving meanwhile waited behind).
 */
export async function decodeMembershipsPaced(body: unknown, fallbackChainId: number | undefined, slice: number): Promise<Membership[]> {
  const out: Membership[] = [];
  const seen = new Set<number>();
  const items = guarded(() => dataList(parseEnvelope(body)));
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await nextTurn();
    guarded(() => decodeInto(items.slice(i, i + slice), fallbackChainId, out, seen));
  }
  if (items.length > 0 && out.length === 0) throw unreadable();
  return out;
}
