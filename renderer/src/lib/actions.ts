/**
 * Which card actions are possible for a membership, and why not — in words. The rules are the
 * shared ones in common/ (the core checks the same before it writes); only the words live here.
 */
import type { AuditEntry, Membership, Rights } from '../../../preload/contract';
import { balanceEditability } from '../../../common/balance-rules';
import { freezeAvailability, type FreezeAvailability } from '../../../common/freeze-rules';
import { periodAvailability, type PeriodAvailability } from '../../../common/period-rules';
import { rightAllows, type NoParamKey } from '../../../common/rights';
import { undoBlock, undoRight, unfreezeBlock, type UndoBlock, type UnfreezeBlock } from '../../../common/undo-rules';
import { says } from './format';
import { t } from './i18n';

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
  changeExpiry: ActionState & { availability: PeriodAvailability };
  /** The action that fits the membership's state, shown as the primary button. */
  primary: 'freeze' | 'unfreeze' | 'editBalance';
}

const unfreezeWords: Record<Exclude<UnfreezeBlock, 'no_right'>, () => string> = { not_frozen: () => t('action.unfreeze.notFrozen') };

export function cardActions(m: Membership, rights: Rights, now: Date, timezone: string): CardActions {
  const availability = freezeAvailability(m, rights, now, timezone);
  const freeze = availability.allowed
    ? { enabled: true, reason: null, availability }
    : { enabled: false, reason: says(availability.why), availability };

  const blocked = unfreezeBlock(m, rights);
  const unfreeze: ActionState = !blocked
    ? { enabled: true, reason: null }
    : { enabled: false, reason: blocked === 'no_right' ? noRightReason(rights, 'periodEdit', 'action.unfreeze.noRight') : unfreezeWords[blocked]() };

  const b = balanceEditability(m, rights);
  const editBalance: ActionState = b.editable
    ? { enabled: true, reason: null, warning: b.warnings ? b.warnings.map(says).join(' ') : null }
    : { enabled: false, reason: b.why ? says(b.why) : t('action.balance.cannot') };

  const period = periodAvailability(m, rights, now, timezone);
  const changeExpiry = period.allowed
    ? { enabled: true, reason: null, availability: period }
    : { enabled: false, reason: says(period.why), availability: period };

  // A frozen membership's next step is unfreezing; otherwise freezing, if it can be frozen at all.
  const primary = m.isFrozen ? 'unfreeze' : freeze.enabled || !editBalance.enabled ? 'freeze' : 'editBalance';
  return { freeze, unfreeze, editBalance, changeExpiry, primary };
}

/** Why a right is missing: the role, or Altegio's own refusal on this chain (common/rights.ts). */
function noRightReason(rights: Rights, right: 'periodEdit' | 'balanceEdit', roleSaysNo?: NoParamKey): string {
  const check = rightAllows(rights, right, roleSaysNo);
  return check.allowed ? '' : says(check.why);
}

const undoWords: Record<Exclude<UndoBlock, 'no_right'>, () => string> = {
  is_undo: () => t('action.undo.isUndo'),
  plan: () => t('action.undo.plan'),
  unfreeze: () => t('action.undo.unfreeze'),
  not_applied: () => t('action.undo.failed'),
  already_undone: () => t('action.undo.already'),
  superseded: () => t('action.undo.superseded'),
};

/** Can this audit entry be undone from the app? `known`: the other entries on screen. (The core re-checks.) */
export function undoState(entry: AuditEntry, rights: Rights, known: readonly AuditEntry[] = []): ActionState {
  const blocked = undoBlock(entry, rights, known);
  if (!blocked) return { enabled: true, reason: null };
  if (blocked === 'no_right') {
    const right = undoRight(entry);
    return { enabled: false, reason: noRightReason(rights, right, right === 'periodEdit' ? 'action.unfreeze.noRight' : 'action.balance.noRight') };
  }
  return { enabled: false, reason: undoWords[blocked]() };
}
