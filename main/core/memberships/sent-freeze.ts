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
import type Database from 'libsql';
import type { Membership } from '../../../preload/contract';
import { todayIn } from '../../../common/dates';
import { membershipSnapshot } from '../ops';
import type { Logger } from '../log';
import { getRow } from '../store/rows';
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
  db: Database.Database;
  audit: Pick<AuditRepo, 'get' | 'lastId'>;
  /** The location's IANA zone. */
  timezone: (locationId: number) => string;
  now: () => Date;
  log?: Logger | undefined;
}

export function createSentFreezeDates(deps: SentFreezeDeps): SentFreezeDates {
  // The app's newest applied freeze or unfreeze of the membership: the latest word of ours on it.
  const latest = deps.db.prepare(`SELECT id, action, location_id, undone_by, lifted_at FROM audit
    WHERE membership_id = ? AND chain_id = ? AND outcome = 'ok' AND action IN ('freeze', 'unfreeze') ORDER BY id DESC LIMIT 1`);
  const lifted = deps.db.prepare(`UPDATE audit SET lifted_at = ?
    WHERE membership_id = ? AND chain_id = ? AND action = 'freeze' AND outcome = 'ok' AND lifted_at IS NULL AND id <= ?`);

  function sentFreezeTill(m: Membership): string | null {
    const e = getRow<{ id: number; action: string; location_id: number | null; undone_by: number | null; lifted_at: string | null }>(latest, m.id, m.chainId);
    if (!e || e.action !== 'freeze' || e.undone_by !== null || e.lifted_at !== null) return null;
    const sent = membershipSnapshot(deps.audit.get(Number(e.id))?.before ?? null)?.request?.freezeTill ?? null;
    if (sent === null) return null;
    const today = todayIn(deps.now(), e.location_id === null ? 'UTC' : deps.timezone(Number(e.location_id)));
    return sent >= today ? sent : null;
  }

  return {
    mark: () => deps.audit.lastId(),
    saw(list, mark) {
      const at = deps.now().toISOString();
      try {
        for (const m of list) if (!m.isFrozen) lifted.run(at, m.id, m.chainId, mark);
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
