/**
 * When the card offers Unfreeze, and when an audit entry can still be undone. Codes, not words:
 * the renderer puts them in words, the core may refuse with its own (it re-checks on a fresh read).
 */
import type { AuditEntry, Membership } from '../preload/contract';
import { rightAllows, type RightName, type RightsView } from './rights';

export type UnfreezeBlock = 'not_frozen' | 'no_right';

export function unfreezeBlock(m: Pick<Membership, 'isFrozen'>, rights: RightsView | null | undefined): UnfreezeBlock | null {
  if (!m.isFrozen) return 'not_frozen';
  if (!rightAllows(rights, 'periodEdit').allowed) return 'no_right';
  return null;
}

/** The right an undo of this entry needs (a freeze is undone by unfreezing). */
export function undoRight(entry: Pick<AuditEntry, 'action'>): RightName {
  return entry.action === 'set_balance' ? 'balanceEdit' : 'periodEdit';
}

export type UndoBlock =
  /** an undo cannot itself be undone */
  | 'is_undo'
  /** a plan's record (made, changed, cancelled, run): the plan is edited on the Planned screen; a run is undone through its own entry */
  | 'plan'
  /** an unfreeze is undone by freezing again, choosing the end date */
  | 'unfreeze'
  /** failed, or not known to have landed */
  | 'not_applied'
  | 'already_undone'
  /** a later change of the same kind on the same membership replaced it (e.g. a freeze unfrozen since) */
  | 'superseded'
  | 'no_right';

type UndoEntry = Pick<AuditEntry, 'id' | 'action' | 'outcome' | 'undoneBy' | 'undoOf' | 'membershipId'>;

/** What part of a membership an entry changes: the freeze period, the visit balance or the validity. */
function kindOf(entry: UndoEntry, byId: ReadonlyMap<number, UndoEntry>): 'period' | 'balance' | 'validity' | null {
  if (entry.action === 'freeze' || entry.action === 'unfreeze') return 'period';
  if (entry.action === 'set_balance') return 'balance';
  if (entry.action === 'set_period') return 'validity';
  const undone = entry.undoOf === null ? undefined : byId.get(entry.undoOf);
  return undone ? kindOf(undone, byId) : null;
}

/**
 * Why `entry` cannot be undone, or null when it can. `known` are other entries the screen has (a
 * membership's history, an audit page): a later applied change of the same kind on the same
 * membership makes the undo meaningless (the core would refuse it as a conflict).
 */
export function undoBlock(entry: UndoEntry, rights: RightsView | null | undefined, known: readonly UndoEntry[] = []): UndoBlock | null {
  if (entry.action === 'undo') return 'is_undo';
  if (entry.action.startsWith('plan_')) return 'plan';
  if (entry.action === 'unfreeze') return 'unfreeze';
  if (entry.outcome !== 'ok') return 'not_applied';
  if (entry.undoneBy !== null) return 'already_undone';
  const byId = new Map(known.map((e) => [e.id, e]));
  const kind = kindOf(entry, byId);
  const later = known.some((e) => e.id > entry.id && e.membershipId === entry.membershipId && e.outcome === 'ok' && kindOf(e, byId) === kind);
  if (later) return 'superseded';
  if (!rightAllows(rights, undoRight(entry)).allowed) return 'no_right';
  return null;
}
