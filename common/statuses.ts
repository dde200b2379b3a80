/**
 * Membership statuses in the words staff see. Altegio's own titles are localised and not always
 * sent; the app keys off the slug and shows the catalog's words (`status.<slug>`, in the renderer's
 * language); the core uses the English ones as the fallback title.
 */
import type { BatchPlanRow, MembershipStatusSlug } from '../preload/contract';
import { msg, type MessageKey, type Translate } from './i18n/translate';
import { inEnglish } from './i18n/words';

/** A membership status slug as a catalog key: the one slug → words table (core, audit words, renderer). */
export const STATUS_KEYS = {
  created: 'status.created',
  active: 'status.active',
  expired: 'status.expired',
  wasted: 'status.wasted',
  unknown: 'status.unknown',
} as const satisfies Readonly<Record<MembershipStatusSlug, MessageKey>>;

/** A status slug in words through `t` (any language); a slug the app does not know (an old snapshot's) as given. */
export function statusWordIn(t: Translate, slug: string): string {
  return Object.hasOwn(STATUS_KEYS, slug) ? t(STATUS_KEYS[slug as MembershipStatusSlug]) : slug;
}

/** The English words (the core's fallback title when Altegio sends none). */
export const STATUS_WORDS = Object.fromEntries(Object.entries(STATUS_KEYS).map(([slug, key]) => [slug, inEnglish(msg(key))])) as Readonly<Record<MembershipStatusSlug, string>>;

/** A batch row's status as a catalog key (the report's outcome column, the preview's rows). */
export const BATCH_ROW_STATUS_KEYS: Readonly<Record<BatchPlanRow['status'], MessageKey>> = {
  change: 'batch.row.change',
  unchanged: 'batch.row.unchanged',
  invalid: 'batch.row.invalid',
  applied: 'batch.row.applied',
  failed: 'batch.row.failed',
  conflict: 'batch.row.conflict',
  pending: 'batch.row.pending',
  skipped: 'batch.row.skipped',
};
