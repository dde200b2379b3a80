/**
 * Which card actions are possible for a membership, and why not — in words. Built on the shared
 * rules in common/ (the core checks the same rules before it writes).
 */
import type { AuditEntry, Membership, Rights } from '../../../preload/contract';
import { balanceEditability } from '../../../common/balance-rules';
import { freezeAvailability, type FreezeAvailability } from '../../../common/freeze-rules';
import { rightAllows } from '../../../common/rights';

export interface ActionState {
  enabled: boolean;
  /** Why not, when disabled. */
  reason: string | null;
  /** Enabled, but worth knowing first. */
  warning?: string | null;
}

export interface CardActions {
  freeze: ActionState & { availability: FreezeAvailability };
  unfreeze: ActionState;
  editBalance: ActionState;
}

export function cardActions(m: Membership, rights: Rights, now: Date, timezone: string): CardActions {
  const availability = freezeAvailability(m, rights, now, timezone);
  const freeze = availability.allowed
    ? { enabled: true, reason: null, availability }
    : { enabled: false, reason: availability.reason, availability };

  const unfreezeRight = rightAllows(rights, 'periodEdit', 'Your Altegio role does not allow unfreezing memberships.');
  let unfreeze: ActionState;
  if (!m.isFrozen) unfreeze = { enabled: false, reason: 'Not frozen.' };
  else if (!unfreezeRight.allowed) unfreeze = { enabled: false, reason: unfreezeRight.reason };
  else unfreeze = { enabled: true, reason: null };

  const b = balanceEditability(m, rights);
  const editBalance: ActionState = b.editable ? { enabled: true, reason: null, warning: b.warning ?? null } : { enabled: false, reason: b.reason ?? 'The balance cannot be changed.' };

  return { freeze, unfreeze, editBalance };
}

/** Can this audit entry be undone from the app? (The core re-checks before it writes.) */
export function undoState(entry: AuditEntry, rights: Rights): ActionState {
  if (entry.action === 'undo') return { enabled: false, reason: 'This is itself an undo.' };
  if (entry.action === 'unfreeze') return { enabled: false, reason: 'An unfreeze cannot be undone: freeze the membership again instead.' };
  if (entry.outcome !== 'ok') return { enabled: false, reason: 'This change did not go through, so there is nothing to undo.' };
  if (entry.undoneBy !== null) return { enabled: false, reason: 'Already undone.' };
  const right =
    entry.action === 'set_balance'
      ? rightAllows(rights, 'balanceEdit')
      : rightAllows(rights, 'periodEdit', 'Your Altegio role does not allow unfreezing memberships.');
  return right.allowed ? { enabled: true, reason: null } : { enabled: false, reason: right.reason };
}
