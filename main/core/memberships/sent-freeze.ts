/**
 * Altegio documents `freeze_till` only in the freeze answer, not among a membership's fields: a read
 * that says frozen without a date (ops/freeze.ts counts such a freeze as landed) shows the date this
 * app sent, marked as such (freezeTillSource 'app'). Every read the desk shows goes through here,
 * not only the freeze's own answer, so the card keeps the date on the next look-up.
 *
 * The date is the one of the app's latest applied freeze of that membership (its audit entry's
 * request, written by settle() with the journal op), and only while that freeze is the latest word
 * on it: not undone, no unfreeze after it. Never over a date Altegio sent.
 */
import type { Membership } from '../../../preload/contract';
import { membershipSnapshot } from '../ops';
import type { AuditRepo } from '../store/types';

/** How far back in a membership's log the freeze is looked for (its newest entries first). */
const LOOK_BACK = 200;

/** The date the app's latest freeze of this membership sent, while nothing of ours lifted it since; else null. */
function sentFreezeTill(audit: AuditRepo, m: Pick<Membership, 'id' | 'chainId'>): string | null {
  for (const e of audit.list({ membershipId: m.id, limit: LOOK_BACK })) {
    if (e.chainId !== m.chainId || e.outcome !== 'ok') continue;
    if (e.action === 'unfreeze') return null;
    if (e.action === 'freeze') return e.undoneBy === null ? (membershipSnapshot(e.before)?.request?.freezeTill ?? null) : null;
  }
  return null;
}

/** The membership as the desk shows it: frozen without Altegio's date → the date the app sent, marked 'app'. */
export function withSentFreezeTill(audit: AuditRepo, m: Membership): Membership {
  if (!m.isFrozen || m.freezeTill !== null) return m;
  const sent = sentFreezeTill(audit, m);
  return sent === null ? m : { ...m, freezeTill: sent, freezeTillSource: 'app' };
}
