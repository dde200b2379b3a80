/**
 * Audit entries in words (the audit screen, a card's history, the undo dialog and the CSV export):
 * what was done and what changed (before → after). Snapshots are the contract's AuditSnapshot: a
 * membership's or a plan's fields, or the values of an old row that fits neither ('unknown'),
 * listed as they are.
 */
import { DateTime } from 'luxon';
import type { AuditEntry, AuditSnapshot, MembershipSnapshot } from '../preload/contract';
import { formatDate as formatDay, localDateOf } from './dates';
import { statusWordIn } from './statuses';
import en from './i18n/catalogs/en.json';
import { createTranslator, type MessageKey, type Translate } from './i18n/translate';

/**
 * How audit entries are put into words: the messages (catalog keys through `t`), calendar days,
 * moments and status slugs. The renderer passes the language in use (renderer/src/lib/format.ts
 * `auditWords()`); the default is English with "20 May 2026" days (the CSV export, the core).
 */
export interface AuditWords {
  t: Translate;
  /** A `YYYY-MM-DD` calendar day in words. */
  day: (isoDay: string) => string;
  /** A moment (an entry's time) in words, in `timezone` (default: this computer's). */
  moment: (value: string, timezone?: string) => string;
  /** A status slug in words. */
  status: (slug: string) => string;
}

/** A moment (an audit entry's time) as "20 May 2026, 14:05" in `timezone` (default: this computer's). */
export function formatMoment(value: string, timezone?: string): string {
  const dt = DateTime.fromISO(value, timezone ? { zone: timezone } : {});
  if (!dt.isValid) return value;
  return (timezone ? dt.setZone(timezone) : dt.toLocal()).setLocale('en-GB').toFormat('d LLL yyyy, HH:mm');
}

const english = createTranslator('en', en);

export const ENGLISH_AUDIT_WORDS: AuditWords = {
  t: english,
  day: formatDay,
  moment: formatMoment,
  // The one set of status words (common/statuses.ts), looked up by whatever slug a snapshot holds.
  status: (slug) => statusWordIn(english, slug),
};

/** An API date/datetime as its calendar day in `timezone` ("—" when none). */
function formatDate(value: string | null | undefined, timezone: string, words: AuditWords): string {
  if (!value) return '—';
  const day = localDateOf(value, timezone);
  return day ? words.day(day) : value;
}

const actionKeys: Record<AuditEntry['action'], MessageKey> = {
  freeze: 'audit.action.freeze',
  unfreeze: 'audit.action.unfreeze',
  set_balance: 'audit.action.set_balance',
  set_period: 'audit.action.set_period',
  plan_create: 'audit.action.plan_create',
  plan_change: 'audit.action.plan_change',
  plan_cancel: 'audit.action.plan_cancel',
  plan_run: 'audit.action.plan_run',
  undo: 'audit.action.undo',
};

/** A key without parameters through `t` (the key comes from a table, so tsc cannot see it has none). */
function word(words: AuditWords, key: MessageKey): string {
  return (words.t as (key: MessageKey) => string)(key);
}

type Known = readonly Pick<AuditEntry, 'id' | 'action' | 'at' | 'userName'>[];

/** "Freeze", "Balance change", "Undo of the freeze made 2 Dec 2026, 14:02" (entry numbers are never shown). */
export function actionLabel(entry: Pick<AuditEntry, 'action' | 'undoOf'>, known: Known = [], timezone?: string, words: AuditWords = ENGLISH_AUDIT_WORDS): string {
  if (entry.action === 'undo') {
    const undone = known.find((e) => e.id === entry.undoOf);
    if (!undone) return words.t('audit.action.undoEarlier');
    return words.t('audit.action.undoOf', { action: undone.action, when: words.moment(undone.at, timezone) });
  }
  const key = actionKeys[entry.action];
  return key ? word(words, key) : entry.action;
}

export function outcomeLabel(entry: Pick<AuditEntry, 'outcome' | 'undoneBy'>, known: Known = [], timezone?: string, words: AuditWords = ENGLISH_AUDIT_WORDS): string {
  switch (entry.outcome) {
    case 'ok': {
      if (entry.undoneBy === null) return words.t('audit.outcome.ok');
      const undo = known.find((e) => e.id === entry.undoneBy);
      return undo ? words.t('audit.outcome.undoneBy', { user: undo.userName, when: words.moment(undo.at, timezone) }) : words.t('audit.outcome.undoneLater');
    }
    case 'failed':
      return words.t('audit.outcome.failed');
    default:
      return words.t('audit.outcome.unknown');
  }
}

const fieldKeys: Record<string, MessageKey> = {
  united: 'audit.field.united',
  unitedBalance: 'audit.field.united',
  united_balance_services_count: 'audit.field.united',
  isFrozen: 'audit.field.isFrozen',
  is_frozen: 'audit.field.isFrozen',
  freezeTill: 'audit.field.freezeTill',
  freeze_till: 'audit.field.freezeTill',
  freezePeriodDays: 'audit.field.freezePeriodDays',
  freeze_period: 'audit.field.freezePeriodDays',
  expirationDate: 'audit.field.expirationDate',
  expiration_date: 'audit.field.expirationDate',
  status: 'audit.field.status',
};

function isDateLike(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v);
}

export function valueWords(v: unknown, timezone: string, words: AuditWords = ENGLISH_AUDIT_WORDS): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? words.t('common.yes') : words.t('common.no');
  if (typeof v === 'number') return String(v);
  if (isDateLike(v)) return formatDate(v, timezone, words);
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'slug' in v) return String((v as { title?: unknown; slug: unknown }).title ?? (v as { slug: unknown }).slug);
  return JSON.stringify(v);
}

/** Service balances: `{ "<serviceId>": count }` (an 'unknown' snapshot's may also be `[{serviceId, balance}]`). */
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

/** Service id → title, for the lines a membership has (the audit snapshot keeps ids only). */
export type ServiceTitles = ReadonlyMap<string, string>;

/** The card's titles first, then those the audit snapshot carries (the audit screen has no card). */
function withSnapshotTitles(titles: ServiceTitles | undefined, fromSnapshot: Record<string, string> | undefined): ServiceTitles | undefined {
  if (!fromSnapshot) return titles;
  return new Map([...Object.entries(fromSnapshot), ...(titles ?? [])]);
}

/** The values a snapshot shows (not its shape tag, what was asked, or the titles). */
function shownFields(s: AuditSnapshot | null): Record<string, unknown> {
  if (!s) return {};
  if (s.shape === 'unknown') {
    const { request: _request, serviceTitles: _titles, ...values } = s.values;
    return values;
  }
  if (s.shape === 'plan') {
    const { shape: _shape, ...values } = s;
    return values;
  }
  const { shape: _shape, request: _request, serviceTitles: _titles, ...values } = s;
  return values;
}

/** "Asked: …" lines: what a write that has no "after" (it failed, or its outcome is not known) asked for. */
function askedLines(before: MembershipSnapshot, titles: ServiceTitles | undefined, timezone: string, words: AuditWords): string[] {
  const req = before.request;
  if (!req) return [];
  const lines: string[] = [];
  if (req.freezeTill) lines.push(words.t('audit.asked.freeze', { date: valueWords(req.freezeTill, timezone, words) }));
  if (typeof req.united === 'number') lines.push(words.t('audit.asked.united', { before: valueWords(before.united, timezone, words), after: req.united }));
  const asked: string[] = [];
  serviceLines(before.services, { ...before.services, ...req.services }, titles, asked, words);
  lines.push(...asked.map((line) => words.t('audit.asked', { line })));
  return lines;
}

function serviceLines(b: unknown, a: unknown, titles: ServiceTitles | undefined, lines: string[], words: AuditWords): void {
  const bs = servicesOf(b);
  const as = servicesOf(a);
  for (const id of new Set([...bs.keys(), ...as.keys()])) {
    const bn = bs.get(id);
    const an = as.get(id);
    if (bn !== an) lines.push(words.t('audit.change', { field: titles?.get(id) ?? words.t('audit.service', { id }), before: bn ?? '—', after: an ?? '—' }));
  }
}

/**
 * "Pilates group: 7 → 5", "Frozen until: — → 20 May 2026", … one line per changed value. When the
 * write has no "after" (it failed, or its outcome is not known), says what was asked instead.
 */
export function changeLines(entry: Pick<AuditEntry, 'before' | 'after'>, timezone: string, cardTitles?: ServiceTitles, words: AuditWords = ENGLISH_AUDIT_WORDS): string[] {
  const membership = entry.before?.shape === 'membership' ? entry.before : null;
  const titles = withSnapshotTitles(cardTitles, membership?.serviceTitles);
  if (entry.after === null) return membership ? askedLines(membership, titles, timezone, words) : [];
  const before = shownFields(entry.before);
  const after = shownFields(entry.after);
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[key];
    const a = after[key];
    if (key === 'services' || key === 'lines') {
      serviceLines(b, a, titles, lines, words);
      continue;
    }
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    if (key === 'statusSlug') {
      lines.push(words.t('audit.change', { field: words.t('audit.field.status'), before: b == null ? '—' : words.status(String(b)), after: a == null ? '—' : words.status(String(a)) }));
      continue;
    }
    const field = fieldKeys[key];
    lines.push(words.t('audit.change', { field: field ? word(words, field) : key, before: valueWords(b, timezone, words), after: valueWords(a, timezone, words) }));
  }
  return lines;
}
