/**
 * The membership rules the sandbox enforces (what Altegio refuses and how a write changes state).
 *
 * Freeze model (simple and consistent, so the app's previews can be checked exactly):
 * - "today" is the calendar day in the selling location's time zone; `freeze_till` is a calendar day
 *   there too, and the last frozen day.
 * - requested days = freeze_till − today (calendar days); it must be ≥ 1 and ≤ remaining allowance,
 *   where allowance = freeze_limit × unit in days (weeks × 7; months/years counted on the calendar
 *   from today, so "1 month" = days from today to today + 1 month) and remaining = allowance −
 *   freeze_period.
 * - On freeze: is_frozen, freeze_period += requested, expiration += requested (the whole extension is
 *   granted up front), freeze start = today.
 * - On early unfreeze: the unused days (freeze_till − today, if positive) are given back: freeze_period
 *   and expiration both shrink by them; days already frozen stay.
 * - A freeze whose last day has passed ends by itself (checked lazily on every access).
 */
import { DateTime } from 'luxon';
import { periodEnd } from './seed';
import type { BalanceLink, MembershipRec, MembershipTypeDef, PeriodUnitId, SandboxState } from './model';

export interface Refusal {
  ok: false;
  status: number;
  message: string;
  errors?: Record<string, string[]>;
}
export type Outcome<T> = { ok: true; value: T } | Refusal;

const refuse = (status: number, message: string, errors?: Record<string, string[]>): Refusal =>
  errors ? { ok: false, status, message, errors } : { ok: false, status, message };

export function zoneOf(state: SandboxState, m: MembershipRec): string {
  return state.locations.get(m.locationId)?.timezoneName ?? 'UTC';
}

export function todayFor(state: SandboxState, m: MembershipRec, now: Date): DateTime {
  return DateTime.fromJSDate(now).setZone(zoneOf(state, m)).startOf('day');
}

/** Ends a freeze whose last day is over. Called before every read or write of a membership. */
export function refresh(state: SandboxState, m: MembershipRec, now: Date): void {
  if (m.isFrozen && m.freezeTill !== null) {
    const today = todayFor(state, m, now).toISODate() ?? '';
    if (m.freezeTill < today) {
      m.isFrozen = false;
      m.freezeTill = null;
      m.freezeStart = null;
    }
  }
}

export function freezeAllowanceDays(type: MembershipTypeDef, today: DateTime): number {
  if (!type.allowFreeze || type.freezeLimit <= 0) return 0;
  return Math.round(periodEnd(today, type.freezeLimit, type.freezeLimitUnitId).diff(today, 'days').days);
}

/** Parses `YYYY-MM-DD` (a day in the location's zone) or an ISO date-time (its day in that zone). */
export function parseFreezeTill(value: unknown, zone: string): DateTime | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const day = DateTime.fromISO(trimmed, { zone });
    return day.isValid ? day.startOf('day') : null;
  }
  const moment = DateTime.fromISO(trimmed, { setZone: true });
  if (!moment.isValid || !/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return null;
  return moment.setZone(zone).startOf('day');
}

export interface FreezeResult {
  days: number;
}

export function freeze(state: SandboxState, m: MembershipRec, body: Record<string, unknown>, now: Date): Outcome<FreezeResult> {
  const type = state.types.get(m.typeId);
  if (!type) return refuse(404, 'Subscription type not found');
  refresh(state, m, now);
  const zone = zoneOf(state, m);
  if (!type.allowFreeze) return refuse(400, 'Subscription cannot be frozen');
  if (m.isFrozen) return refuse(400, 'Subscription is already frozen');
  if (m.statusId !== 2) return refuse(400, 'Only an active subscription can be frozen');
  if (body.freeze_till === undefined || body.freeze_till === null || body.freeze_till === '') {
    return refuse(422, 'An error occurred', { '[freeze_till]': ['The freeze till field is required.'] });
  }
  const till = parseFreezeTill(body.freeze_till, zone);
  if (!till) return refuse(422, 'An error occurred', { '[freeze_till]': ['The freeze till must be a date (YYYY-MM-DD or ISO 8601).'] });
  const today = todayFor(state, m, now);
  const days = Math.round(till.diff(today, 'days').days);
  if (days < 1) return refuse(422, 'Freeze date must be in the future', { '[freeze_till]': ['The freeze end date must be after today.'] });
  const remaining = Math.max(0, freezeAllowanceDays(type, today) - m.freezePeriod);
  if (days > remaining) {
    const last = today.plus({ days: remaining }).toISODate();
    return refuse(422, 'Freeze period exceeds limit', {
      '[freeze_till]': [remaining > 0 ? `At most ${remaining} more day(s) can be frozen (until ${last}).` : 'The freeze allowance is used up.'],
    });
  }
  m.isFrozen = true;
  m.freezeStart = today.toISODate();
  m.freezeTill = till.toISODate();
  m.freezePeriod += days;
  if (m.expiration) m.expiration = m.expiration.plus({ days });
  return { ok: true, value: { days } };
}

export function unfreeze(state: SandboxState, m: MembershipRec, now: Date): Outcome<{ returnedDays: number }> {
  refresh(state, m, now);
  if (!m.isFrozen) return refuse(400, 'Subscription is not frozen');
  const today = todayFor(state, m, now);
  const till = m.freezeTill ? DateTime.fromISO(m.freezeTill, { zone: zoneOf(state, m) }) : today;
  const unused = Math.max(0, Math.round(till.diff(today, 'days').days));
  m.isFrozen = false;
  m.freezeTill = null;
  m.freezeStart = null;
  m.freezePeriod = Math.max(0, m.freezePeriod - unused);
  if (m.expiration) m.expiration = m.expiration.minus({ days: unused });
  return { ok: true, value: { returnedDays: unused } };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function toCount(v: unknown): number | null {
  if (isCount(v)) return v;
  // Lenient like PHP backends: "5" is taken as 5.
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

/**
 * set_balance: absolute visits left. With `enforceType` false (out-of-band edits by tests) the
 * type's balance_edit_type_id is ignored, but the shape checks still apply.
 */
export function setBalance(state: SandboxState, m: MembershipRec, body: Record<string, unknown>, enforceType = true): Outcome<void> {
  const type = state.types.get(m.typeId);
  if (!type) return refuse(404, 'Subscription type not found');
  if (enforceType && type.balanceEditTypeId === 0) return refuse(400, "Can't change balance", { '[balance_edit_type_id]': ['Balance changes are prohibited for this membership type.'] });
  if (m.statusId === 3) return refuse(400, "Can't change balance", { '[status]': ['The membership has expired.'] });

  const united = body.united_balance_services_count;
  const services = body.services_balance_count;
  const hasServices = Array.isArray(services) && services.length > 0;
  if (services !== undefined && services !== null && !Array.isArray(services)) {
    return refuse(422, 'An error occurred', { '[services_balance_count]': ['Must be an array of {service_id, balance}.'] });
  }

  if (m.links.length === 0 && !type.isUnited) return refuse(400, "Can't change balance");

  if (type.isUnited) {
    if (hasServices) return refuse(400, "Can't change balance", { '[services_balance_count]': ['This membership has a united balance.'] });
    if (united === undefined || united === null) return refuse(422, 'An error occurred', { '[united_balance_services_count]': ['The united balance services count field is required.'] });
    const count = toCount(united);
    if (count === null) return refuse(422, 'An error occurred', { '[united_balance_services_count]': ['Must be an integer.'] });
    if (count < 0) return refuse(422, 'An error occurred', { '[united_balance_services_count]': ['Must be at least 0.'] });
    if (type.isUnitedUnlimited) return refuse(400, "Can't change balance", { '[united_balance_services_count]': ['The balance is unlimited.'] });
    m.unitedCount = count;
  } else {
    if (!hasServices) {
      return refuse(400, "Can't change balance", { '[services_balance_count]': ['This membership has per-service balances; send services_balance_count.'] });
    }
    const updates = new Map<BalanceLink, number>();
    for (const [index, item] of (services as unknown[]).entries()) {
      const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const serviceId = toCount(entry.service_id);
      const balance = toCount(entry.balance);
      const link = serviceId === null ? undefined : m.links.find((l) => l.id === serviceId);
      if (!link) return refuse(422, 'Invalid service ID', { [`[services_balance_count][${index}][service_id]`]: [`Service ${String(entry.service_id)} is not in this membership.`] });
      if (balance === null) return refuse(422, 'An error occurred', { [`[services_balance_count][${index}][balance]`]: ['Must be an integer.'] });
      if (balance < 0) return refuse(422, 'An error occurred', { [`[services_balance_count][${index}][balance]`]: ['Must be at least 0.'] });
      if (link.unlimited) return refuse(400, "Can't change balance", { [`[services_balance_count][${index}][service_id]`]: ['The balance for this service is unlimited.'] });
      updates.set(link, balance);
    }
    for (const [link, balance] of updates) link.count = balance;
  }
  applyWastedRule(type, m);
  return { ok: true, value: undefined };
}

/** 0 visits everywhere → used up (wasted); visits again on a used-up membership → active. */
function applyWastedRule(type: MembershipTypeDef, m: MembershipRec): void {
  const empty = type.isUnited
    ? !type.isUnitedUnlimited && m.unitedCount === 0
    : m.links.every((l) => !l.unlimited && l.count === 0);
  if (empty && (m.statusId === 2 || m.statusId === 1)) m.statusId = 4;
  else if (!empty && m.statusId === 4) m.statusId = m.activated ? 2 : 1;
}

/**
 * The expiry a validity gives: the activation day (in the location's zone) + the period, at the end
 * of that day, + the days frozen so far. The same for every unit, and the same as seeding uses.
 *
 * The off-by-one between `period` days and `expiration_date` (ALTEGIO.md §4.6, observed by an
 * integrator): the activation day is day 0, so 30 days from an activation on 5 March end on 4 April
 * at 23:59:59 — 31 calendar days of validity. A client that counts the days inclusively (E − A + 1)
 * gets an expiry one day later than it meant.
 */
export function expirationOf(state: SandboxState, m: MembershipRec, period: number, unit: PeriodUnitId): DateTime | null {
  if (!m.activated) return null;
  return periodEnd(m.activated.setZone(zoneOf(state, m)), period, unit).endOf('day').plus({ days: m.freezePeriod });
}

/**
 * set_period {period, period_unit_id}: the membership's own validity. Expiration is recomputed from
 * the activation date (a not-activated membership keeps no date until activation); an end already
 * in the past expires an active membership, an end today or later brings an expired one back.
 */
export function setPeriod(state: SandboxState, m: MembershipRec, body: Record<string, unknown>, now: Date): Outcome<void> {
  refresh(state, m, now);
  const period = toCount(body.period);
  const unit = body.period_unit_id === undefined || body.period_unit_id === null ? null : toCount(body.period_unit_id);
  if (body.period === undefined || body.period === null) return refuse(422, 'An error occurred', { '[period]': ['The period field is required.'] });
  if (period === null || period < 1) return refuse(422, 'An error occurred', { '[period]': ['The period must be a whole number of at least 1.'] });
  if (unit === null) return refuse(422, 'An error occurred', { '[period_unit_id]': ['The period unit id field is required.'] });
  if (unit < 1 || unit > 4) return refuse(422, 'An error occurred', { '[period_unit_id]': ['The period unit id must be 1 (day), 2 (week), 3 (month) or 4 (year).'] });
  if (m.statusId === 4) return refuse(400, 'Cannot change period', { '[status]': ['The membership is used up.'] });
  m.period = period;
  m.periodUnitId = unit as PeriodUnitId;
  m.expiration = expirationOf(state, m, period, unit as PeriodUnitId);
  if (m.expiration) {
    const today = todayFor(state, m, now);
    if (m.expiration < today && m.statusId === 2) m.statusId = 3;
    else if (m.expiration >= today && m.statusId === 3) m.statusId = 2;
  }
  return { ok: true, value: undefined };
}
