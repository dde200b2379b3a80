/**
 * Membership statuses in the words staff see. Altegio's own titles are localised and not always
 * sent; the app keys off the slug and shows the catalog's words (`status.<slug>`, in the renderer's
 * language); the core uses the English ones as the fallback title.
 */
import type { BatchPlanRow, MembershipStatusSlug } from '../preload/contract';
import { msg, type MessageKey } from './i18n/translate';
import { inEnglish } from './i18n/words';

export const STATUS_WORDS: Readonly<Record<MembershipStatusSlug, string>> = {
  created: inEnglish(msg('status.created')),
  active: inEnglish(msg('status.active')),
  expired: inEnglish(msg('status.expired')),
  wasted: inEnglish(msg('status.wasted')),
  unknown: inEnglish(msg('status.unknown')),
};

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
