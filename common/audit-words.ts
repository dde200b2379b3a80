/**
 * Audit entries in words (the audit screen, a card's history, the undo dialog and the CSV export): what was done and what changed (before → after). Snapshots are JSON
 * objects whose shape depends on the action; this reads the known fields and falls back to a
 * generic key: before → after listing for anything else.
 */
import { DateTime } from 'luxon';
import type { AuditEntry } from '../preload/contract';
import { formatDate as formatDay, localDateOf } from './dates';
import { STATUS_WORDS } from './statuses';

/** An API date/datetime as its calendar day in `timezone`: "20 May 2026" ("—" when none). */
function formatDate(value: string | null | undefined, timezone: string): string {
  if (!value) return '—';
  const day = localDateOf(value, timezone);
  return day ? formatDay(day) : value;
}

/** A moment (an audit entry's time) as "20 May 2026, 14:05" in `timezone` (default: this computer's). */
export function formatMoment(value: string, timezone?: string): string {
  const dt = DateTime.fromISO(value, timezone ? { zone: timezone } : {});
  if (!dt.isValid) return value;
  return (timezone ? dt.setZone(timezone) : dt.toLocal()).setLocale('en-GB').toFormat('d LLL yyyy, HH:mm');
}

const actionWords: Record<AuditEntry['action'], string> = {
  freeze: 'Freeze',
  unfreeze: 'Unfreeze',
  set_balance: 'Balance change',
  set_period: 'Expiry change',
  plan_create: 'Plan made',
  plan_change: 'Plan changed',
  plan_cancel: 'Plan cancelled',
  plan_run: 'Plan run',
  undo: 'Undo',
};

type Known = readonly Pick<AuditEntry, 'id' | 'action' | 'at' | 'userName'>[];

/** "Freeze", "Balance change", "Undo of the freeze made 2 Dec 2026, 14:02" (entry numbers are never shown). */
export function actionLabel(entry: Pick<AuditEntry, 'action' | 'undoOf'>, known: Known = [], timezone?: string): string {
  if (entry.action === 'undo') {
    const undone = known.find((e) => e.id === entry.undoOf);
    if (!undone) return 'Undo of an earlier change';
    return `Undo of the ${(actionWords[undone.action] ?? undone.action).toLowerCase()} made ${formatMoment(undone.at, timezone)}`;
  }
  return actionWords[entry.action] ?? entry.action;
}

export function outcomeLabel(entry: Pick<AuditEntry, 'outcome' | 'undoneBy'>, known: Known = [], timezone?: string): string {
  switch (entry.outcome) {
    case 'ok': {
      if (entry.undoneBy === null) return 'Done';
      const undo = known.find((e) => e.id === entry.undoneBy);
      return undo ? `Done; undone by ${undo.userName}, ${formatMoment(undo.at, timezone)}` : 'Done; undone later';
    }
    case 'failed':
      return 'Failed';
    default:
      return 'Not known (the connection dropped)';
  }
}

const keyWords: Record<string, string> = {
  united: 'Shared balance',
  unitedBalance: 'Shared balance',
  united_balance_services_count: 'Shared balance',
  isFrozen: 'Frozen',
  is_frozen: 'Frozen',
  freezeTill: 'Frozen until',
  freeze_till: 'Frozen until',
  freezePeriodDays: 'Days frozen',
  freeze_period: 'Days frozen',
  expirationDate: 'Expires',
  expiration_date: 'Expires',
  status: 'Status',
};

function isDateLike(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v);
}

export function valueWords(v: unknown, timezone: string): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(v);
  if (isDateLike(v)) return formatDate(v, timezone);
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'slug' in v) return String((v as { title?: unknown; slug: unknown }).title ?? (v as { slug: unknown }).slug);
  return JSON.stringify(v);
}

/** Service balances in a snapshot: `{ "<serviceId>": count }` (also accepts `[{serviceId, balance}]`). */
function servicesOf(v: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (Array.isArray(v)) {
    for (const item of v) {
      const o = item as { serviceId?: unknown; balance?: unknown; count?: unknown };
      const n = typeof o?.balance === 'number' ? o.balance : o?.count;
      if (o && typeof o.serviceId === 'number' && typeof n === 'number') out.set(String(o.serviceId), n);
    }
  } else if (v && typeof v === 'object') {
    for (const [k, n] of Object.entries(v)) if (typeof n === 'number') out.set(k, n);
  }
  return out;
}

/** The one set of status words (common/statuses.ts), looked up by whatever slug a snapshot holds. */
const statusWords: Readonly<Record<string, string>> = STATUS_WORDS;

/** Service id → title, for the lines a membership has (the audit snapshot keeps ids only). */
export type ServiceTitles = ReadonlyMap<string, string>;

/** The card's titles first, then those the audit snapshot carries (the audit screen has no card). */
function withSnapshotTitles(titles: ServiceTitles | undefined, fromSnapshot: unknown): ServiceTitles | undefined {
  if (!fromSnapshot || typeof fromSnapshot !== 'object') return titles;
  const merged = new Map<string, string>();
  for (const [id, t] of Object.entries(fromSnapshot as Record<string, unknown>)) if (typeof t === 'string') merged.set(id, t);
  for (const [id, t] of titles ?? []) merged.set(id, t);
  return merged;
}

function serviceLines(b: unknown, a: unknown, titles: ServiceTitles | undefined, lines: string[]): void {
  const bs = servicesOf(b);
  const as = servicesOf(a);
  for (const id of new Set([...bs.keys(), ...as.keys()])) {
    const bn = bs.get(id);
    const an = as.get(id);
    if (bn !== an) lines.push(`${titles?.get(id) ?? `Service ${id}`}: ${bn ?? '—'} → ${an ?? '—'}`);
  }
}

/**
 * "Pilates group: 7 → 5", "Frozen until: — → 20 May 2026", … one line per changed value. When the
 * write has no "after" (it failed, or its outcome is not known), says what was asked instead.
 */
export function changeLines(entry: Pick<AuditEntry, 'before' | 'after'>, timezone: string, cardTitles?: ServiceTitles): string[] {
  const before = entry.before ?? {};
  const after = entry.after;
  const titles = withSnapshotTitles(cardTitles, before.serviceTitles);
  const lines: string[] = [];
  if (after === null) {
    const req = (before.request ?? null) as { freezeTill?: string; united?: number; services?: unknown } | null;
    if (!req) return lines;
    if (req.freezeTill) lines.push(`Asked: frozen until ${valueWords(req.freezeTill, timezone)}`);
    if (typeof req.united === 'number') lines.push(`Asked: shared balance ${valueWords(before.united, timezone)} → ${req.united}`);
    const asked: string[] = [];
    serviceLines(before.services, { ...Object.fromEntries(servicesOf(before.services)), ...Object.fromEntries(servicesOf(req.services)) }, titles, asked);
    lines.push(...asked.map((l) => `Asked: ${l}`));
    return lines;
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'request' && k !== 'serviceTitles');
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (key === 'services' || key === 'lines') {
      serviceLines(b, a, titles, lines);
      continue;
    }
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    if (key === 'statusSlug') {
      lines.push(`Status: ${statusWords[String(b)] ?? String(b ?? '—')} → ${statusWords[String(a)] ?? String(a ?? '—')}`);
      continue;
    }
    lines.push(`${keyWords[key] ?? key}: ${valueWords(b, timezone)} → ${valueWords(a, timezone)}`);
  }
  return lines;
}
