/**
 * Altegio documents `freeze_till` only in the freeze answer, not among a membership's fields: a read
 * that says frozen without a date (ops/freeze.ts counts such a freeze as landed) shows the date this
 * app sent, marked as such (freezeTillSource 'app'). Every read the desk shows goes through here,
 * not only the freeze's own answer, so the card keeps the date on the next look-up.
 *
 * The date is the one of the app's latest applied freeze of that membership (its audit entry's
 * request, written by settle() with the journal op), and only while that freeze can still be the
 * one in force:
 * - no unfreeze of ours after it, and not undone;
 * - no read of ours since saw the membership not frozen (`saw`: the entry's `lifted_at`, migration
 *   13). A freeze that ended or was lifted in Altegio, then made again there, reads "frozen" with
 *   no date: it is not ours, and the card must not show our old date for it;
 * - the date is not before today in the freeze's location zone (a freeze that has ended cannot be
 *   the current one: this covers what no read of ours saw, and entries older than migration 13).
 * Never over a date Altegio sent. The index notes reads as they came (never with this date).
 */
import type { Membership } from '../../../preload/contract';
import { todayIn } from '../../../common/dates';
import { membershipSnapshot } from '../ops';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { AuditRepo } from '../store/types';

export interface SentFreezeDates {
  /** Taken just before a read: the newest audit entry (the read comes after every entry up to it). */
  mark(): number;
  /** What a read begun at `mark` saw: an app freeze (up to `mark`) of a membership shown not frozen is over for good. */
  saw(list: readonly Membership[], mark: number): void;
  /** The membership as the desk shows it: frozen without Altegio's date → the date the app sent, marked 'app'. */
  shown(m: Membership): Membership;
}

export interface SentFreezeDeps {
  audit: Pick<AuditRepo, 'lastId' | 'latestFreezeWord' | 'markLifted'>;
  transaction: Store['transaction'];
  /** The zone a location's days are counted in (UTC for an entry that names no location). */
  zoneOf: (locationId: number | null) => string;
  now: () => Date;
  log?: Logger | undefined;
}

export function createSentFreezeDates(deps: SentFreezeDeps): SentFreezeDates {
  function sentFreezeTill(m: Membership): string | null {
    const word = deps.audit.latestFreezeWord(m.chainId, m.id);
    if (!word || word.lifted || word.entry.action !== 'freeze' || word.entry.undoneBy !== null) return null;
    const sent = membershipSnapshot(word.entry.before)?.request?.freezeTill ?? null;
    if (sent === null) return null;
    return sent >= todayIn(deps.now(), deps.zoneOf(word.entry.locationId)) ? sent : null;
  }

  return {
    mark: () => deps.audit.lastId(),
    saw(list, mark) {
      const at = deps.now().toISOString();
      try {
        deps.transaction(() => {
          for (const m of list) if (!m.isFrozen) deps.audit.markLifted(m.chainId, m.id, mark, at);
        });
      } catch (e) {
        // The read itself stands; the next read that sees it not frozen notes it again.
        deps.log?.warn('sent freeze dates: a read not noted', { error: e instanceof Error ? e.message : String(e) });
      }
    },
    shown(m) {
      if (!m.isFrozen || m.freezeTill !== null) return m;
      const sent = sentFreezeTill(m);
      return sent === null ? m : { ...m, freezeTill: sent, freezeTillSource: 'app' };
    },
  };
}
