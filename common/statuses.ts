/**
 * Membership statuses in the words staff see. Altegio's own titles are localised and not always
 * sent; the app keys off the slug and shows these (the core also uses them as the fallback title).
 */
import type { MembershipStatusSlug } from '../preload/contract';

export const STATUS_WORDS: Readonly<Record<MembershipStatusSlug, string>> = {
  created: 'Issued',
  active: 'Active',
  expired: 'Expired',
  wasted: 'Used up',
  unknown: 'Unknown',
};
