/**
 * Bulk actions in words and the action a person set up as the contract's argument. Pure (unit-
 * tested): the core says per row a code and its parameters; the words are here, from the catalogs.
 */
import type { BulkAction, BulkPreviewRow } from '../../../preload/contract';
import { formatDay, says } from './format';
import { t } from './i18n';

export type BulkKind = BulkAction['kind'];

type Param = BulkPreviewRow['params'][string] | undefined;
const num = (v: Param): number => (typeof v === 'number' ? v : Number(typeof v === 'string' ? v : 0));
/** A parameter as text: a message by reference is worded in the language in use. */
const str = (v: Param): string => (v === undefined ? '' : typeof v === 'object' ? says(v) : String(v));
const day = (v: Param): string => formatDay(str(v));

/** What will happen to one row, or why it cannot. */
export function bulkRowWords(row: Pick<BulkPreviewRow, 'code' | 'params'>): string {
  const p = row.params;
  switch (row.code) {
    case 'freeze':
      return t('bulk.change.freeze', { till: day(p['till']), days: num(p['days']) });
    case 'unfreeze':
      return t('bulk.change.unfreeze');
    case 'visits':
      return t('bulk.change.visits', { before: str(p['before']), after: str(p['after']) });
    case 'extend':
      return t('bulk.change.extend', { from: day(p['from']), to: day(p['to']) });
    case 'already_frozen':
      return p['till'] === undefined ? t('bulk.refused.already_frozen') : t('bulk.refused.already_frozen_till', { till: day(p['till']) });
    case 'no_days_left':
      return t('bulk.refused.no_days_left', { used: num(p['used']), limit: num(p['limit']) });
    case 'date_too_early':
      return t('bulk.refused.date_too_early', { date: day(p['firstDate']) });
    case 'too_long':
      return t('bulk.refused.too_long', { date: day(p['lastDate']), days: num(p['daysLeft']) });
    case 'not_enough_visits':
      return t('bulk.refused.not_enough_visits', { have: num(p['have']) });
    case 'too_many_visits':
      return t('bulk.refused.too_many_visits', { max: num(p['max']) });
    case 'other':
      return t('bulk.refused.other', { message: str(p['message']) });
    case 'unknown_ref':
    case 'not_found':
    case 'duplicate':
    case 'type_forbids':
    case 'no_allowance':
    case 'not_activated':
    case 'expired':
    case 'used_up':
    case 'status_unknown':
    case 'no_right':
    case 'not_frozen':
    case 'balance_edit_forbidden':
    case 'unlimited':
    case 'no_balance':
    case 'activation_unknown':
    case 'expiry_unknown':
      return t(`bulk.refused.${row.code}`);
  }
}

/** The action as the contract takes it, or the catalog's words for what is missing. */
export function bulkActionOf(kind: BulkKind, freezeTill: string, visits: string | number, days: string | number = ''): { ok: true; action: BulkAction } | { ok: false; message: string } {
  switch (kind) {
    case 'freeze':
      return /^\d{4}-\d{2}-\d{2}$/.test(freezeTill) ? { ok: true, action: { kind, freezeTill } } : { ok: false, message: t('bulk.badDate') };
    case 'unfreeze':
      return { ok: true, action: { kind } };
    case 'visits': {
      const delta = Number(String(visits).trim().replace(/^[−–]/u, '-'));
      return Number.isInteger(delta) && delta !== 0 && Math.abs(delta) <= 1000 ? { ok: true, action: { kind, delta } } : { ok: false, message: t('bulk.badVisits') };
    }
    case 'extend': {
      const n = Number(String(days).trim());
      return Number.isInteger(n) && n >= 1 && n <= 3650 ? { ok: true, action: { kind, days: n } } : { ok: false, message: t('bulk.badDays') };
    }
  }
}
