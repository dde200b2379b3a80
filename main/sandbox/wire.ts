/**
 * Wire shapes (ALTEGIO.md §3–§5) built from the sandbox state, with the documented type looseness
 * applied deterministically so clients are exercised on it: some `number`s are ints, some ids are
 * strings, some flags are 0/1 instead of booleans.
 */
import { DateTime } from 'luxon';
import type { BalanceLink, ClientRec, LocationDef, MembershipRec, MembershipTypeDef, SandboxState } from './model';
import { refresh, zoneOf } from './rules';

/** `chain` = GET /chain/{id}/loyalty/abonements; `phone` = GET /loyalty/abonements (looser ids). */
export type MembershipFlavor = 'chain' | 'phone';

const STATUS = {
  1: { title: 'Released', slug: 'created' },
  2: { title: 'Active', slug: 'active' },
  3: { title: 'Overdue', slug: 'expired' },
  4: { title: 'Used up', slug: 'wasted' },
} as const;

/** Every fourth membership (by id) carries the int-`number` / 0-1-flag quirks. */
const isQuirky = (m: MembershipRec): boolean => m.id % 4 === 0;
const flag = (value: boolean, asInt: boolean): boolean | number => (asInt ? (value ? 1 : 0) : value);

const two = (n: number) => String(n).padStart(2, '0');

/**
 * `yyyy-MM-dd'T'HH:mm:ssZZ` in `zone` (e.g. 2026-04-18T09:30:00-05:00), built from the fields:
 * luxon's toFormat was most of a chain-list page's cost (100 memberships, three instants each).
 */
export function formatDateTime(value: DateTime | null, zone: string): string | null {
  if (!value) return null;
  const d = value.setZone(zone);
  const offset = Math.abs(d.offset);
  return `${String(d.year).padStart(4, '0')}-${two(d.month)}-${two(d.day)}T${two(d.hour)}:${two(d.minute)}:${two(d.second)}${d.offset < 0 ? '-' : '+'}${two(Math.floor(offset / 60))}:${two(offset % 60)}`;
}

/** freeze_till as the v1.0.1 docs show it: the last frozen day, 23:59:59 local. */
export function formatFreezeTill(day: string | null, zone: string): string | null {
  return day ? formatDateTime(DateTime.fromISO(day, { zone }).endOf('day'), zone) : null;
}

function linkToWire(state: SandboxState, link: BalanceLink, stringIds: boolean): Record<string, unknown> {
  if (link.kind === 'category') {
    const category = state.categories.get(link.id);
    return {
      count: link.count,
      is_unlimited: link.unlimited,
      category: { id: link.id, category_id: stringIds ? '1' : 1, title: category?.title ?? `Category ${link.id}`, is_category: true },
    };
  }
  const service = state.services.get(link.id);
  return {
    count: link.count,
    is_unlimited: link.unlimited,
    service: {
      id: link.id,
      category_id: stringIds ? String(service?.categoryId ?? 0) : service?.categoryId ?? 0,
      title: service?.title ?? `Service ${link.id}`,
      is_category: false,
      is_chain: true,
      chain_price_min: service?.priceMin ?? 0,
      chain_price_max: service?.priceMax ?? 0,
    },
  };
}

export function linkTitle(state: SandboxState, link: BalanceLink): string {
  return (link.kind === 'category' ? state.categories.get(link.id)?.title : state.services.get(link.id)?.title) ?? String(link.id);
}

const soldCounts = new WeakMap<SandboxState, Map<number, number>>();

/** Memberships are never created after seeding, so the per-type count is computed once. */
function soldCount(state: SandboxState, typeId: number): number {
  let counts = soldCounts.get(state);
  if (!counts) {
    counts = new Map();
    for (const m of state.memberships.values()) counts.set(m.typeId, (counts.get(m.typeId) ?? 0) + 1);
    soldCounts.set(state, counts);
  }
  return counts.get(typeId) ?? 0;
}

export function typeToWire(state: SandboxState, type: MembershipTypeDef, stringIds = false): Record<string, unknown> {
  // Odd type ids send their flags as 0/1, as some doc samples do.
  const ints = type.id % 2 === 1;
  return {
    id: stringIds ? String(type.id) : type.id,
    salon_group_id: stringIds ? String(type.chainId) : type.chainId,
    title: type.title,
    cost: type.cost,
    period: type.period,
    period_unit_id: type.periodUnitId,
    allow_freeze: flag(type.allowFreeze, ints),
    freeze_limit: type.freezeLimit,
    freeze_limit_unit_id: type.freezeLimitUnitId,
    is_booking_when_frozen_allowed: flag(false, ints),
    is_allow_empty_code: flag(true, ints),
    is_code_required: flag(false, ints),
    is_united_balance: flag(type.isUnited, ints),
    is_united_balance_unlimited: flag(type.isUnitedUnlimited, ints),
    united_balance_services_count: type.unitedCount,
    balance_edit_type_id: type.balanceEditTypeId,
    expiration_type_id: type.expirationTypeId,
    expiration_type_title: type.expirationTypeId === 1 ? 'From the sale date' : type.expirationTypeId === 2 ? 'From the first visit' : 'From a specific date',
    is_archived: flag(type.isArchived, ints),
    date_archived: type.isArchived ? '2025-12-31T00:00:00+00:00' : null,
    abonements_count: soldCount(state, type.id),
    attached_salon_ids: type.attachedLocationIds ?? state.chains.find((c) => c.id === type.chainId)?.locationIds ?? [],
    availability: [],
    balance_container: { links: type.links.map((l) => linkToWire(state, l, false)) },
  };
}

export function balanceString(state: SandboxState, type: MembershipTypeDef, m: MembershipRec): string {
  if (type.isUnited) {
    return `${type.title} (${type.isUnitedUnlimited ? 'unlimited' : `x${m.unitedCount}`})`;
  }
  return m.links.map((l) => `${linkTitle(state, l)} (${l.unlimited ? 'unlimited' : `x${l.count}`})`).join(', ');
}

export function membershipToWire(
  state: SandboxState,
  m: MembershipRec,
  now: Date,
  flavor: MembershipFlavor,
): Record<string, unknown> {
  refresh(state, m, now);
  const type = state.types.get(m.typeId);
  if (!type) throw new Error(`membership ${m.id} has no type`);
  const zone = zoneOf(state, m);
  const quirky = isQuirky(m);
  const status = STATUS[m.statusId];
  return {
    id: m.id,
    number: quirky ? Number(m.number) : m.number,
    balance_string: balanceString(state, type, m),
    created_date: formatDateTime(m.created, zone),
    activated_date: formatDateTime(m.activated, zone),
    expiration_date: formatDateTime(m.expiration, zone),
    is_frozen: flag(m.isFrozen, quirky),
    freeze_period: m.freezePeriod,
    freeze_till: m.isFrozen ? formatFreezeTill(m.freezeTill, zone) : null,
    period: m.period ?? type.period,
    period_unit_id: m.periodUnitId ?? type.periodUnitId,
    status: { id: m.statusId, title: status.title, extended_title: status.title, slug: status.slug },
    is_united_balance: flag(type.isUnited, quirky),
    is_united_balance_unlimited: flag(type.isUnitedUnlimited, quirky),
    united_balance_services_count: type.isUnited ? m.unitedCount : 0,
    goods_transaction_id: m.goodsTransactionId,
    slug: `type-${type.id}`,
    // With a united balance the per-link counts carry no meaning (Altegio sends 0).
    balance_container: { links: m.links.map((l) => linkToWire(state, l, flavor === 'phone')) },
    type: typeToWire(state, type, flavor === 'phone'),
  };
}

export function locationToWire(location: LocationDef, offsetHours: number): Record<string, unknown> {
  return {
    id: location.id,
    title: location.title,
    public_title: location.title.split(' — ')[0] ?? location.title,
    short_descr: 'Fitness & wellness',
    active: 1,
    phone: location.phone,
    phones: [location.phone],
    email: null,
    country: location.city === 'Moscow' ? 'Russia' : location.city === 'Berlin' ? 'Germany' : location.city === 'Tokyo' ? 'Japan' : 'United States',
    city: location.city,
    timezone: offsetHours,
    timezone_name: location.timezoneName,
    address: location.address,
    coordinate_lat: 0,
    coordinate_lon: 0,
    currency_short_title: location.currency,
    group_priority: 0,
    main_group_id: location.chainId,
  };
}

const CLIENT_FIELDS = ['id', 'name', 'surname', 'middle_name', 'phone', 'email', 'card', 'birth_date', 'discount', 'importance_id', 'gender_id', 'spent', 'balance', 'visits', 'categories', 'custom_fields', 'last_change_date', 'comment', 'sms_check', 'sms_not'] as const;

export function clientToWire(client: ClientRec): Record<string, unknown> {
  return {
    id: client.id,
    name: client.name,
    surname: '',
    middle_name: '',
    phone: client.phone ?? '',
    email: client.email ?? '',
    card: client.card ?? '',
    birth_date: client.birthDate ?? '',
    discount: 0,
    importance_id: 0,
    gender_id: client.genderId,
    spent: client.spent,
    balance: 0,
    visits: client.visits,
    categories: [],
    custom_fields: {},
    last_change_date: '2026-01-15T12:00:00+00:00',
    comment: '',
    sms_check: 0,
    sms_not: 0,
  };
}

/** Only the requested fields (Altegio returns just `id` when `fields` is omitted). */
export function pickClientFields(client: ClientRec, fields: readonly string[] | null): Record<string, unknown> {
  const full = clientToWire(client);
  const out: Record<string, unknown> = { id: client.id };
  for (const field of fields ?? []) {
    if ((CLIENT_FIELDS as readonly string[]).includes(field)) out[field] = full[field];
  }
  return out;
}
