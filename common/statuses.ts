/**
 * Membership statuses in the words staff see. Altegio's own titles are localised and not always
 * sent; the app keys off the slug and shows the catalog's words (`status.<slug>`, in the renderer's
 * language); the core uses the English ones as the fallback title.
 */
import type { MembershipStatusSlug } from '../preload/contract';
import { msg } from './i18n/translate';
import { inEnglish } from './i18n/words';

export const STATUS_WORDS: Readonly<Record<MembershipStatusSlug, string>> = {
  created: inEnglish(msg('status.created')),
  active: inEnglish(msg('status.active')),
  expired: inEnglish(msg('status.expired')),
  wasted: inEnglish(msg('status.wasted')),
  unknown: inEnglish(msg('status.unknown')),
};
