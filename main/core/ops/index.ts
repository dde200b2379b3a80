/**
 * The registry of operation kinds (kind.ts). Add a kind: its file, and one line below.
 */
import { msg } from '../../../common/i18n/translate';
import { DeskFailure } from '../errors';
import { freezeOp } from './freeze';
import type { AnyOpKind, StoredPayload } from './kind';
import { setBalanceOp } from './set-balance';
import { setPeriodOp } from './set-period';
import { unfreezeOp } from './unfreeze';

const KINDS: readonly AnyOpKind[] = [freezeOp, unfreezeOp, setBalanceOp, setPeriodOp];

const byName = new Map(KINDS.map((k) => [k.name, k]));

export function opKind(name: string): AnyOpKind {
  const k = byName.get(name);
  if (!k) throw new DeskFailure('validation', msg('error.app.unknownOpKind', { name }));
  return k;
}

/** The code of the failure decodePayload throws for a stored payload that does not fit its kind. */
export const UNREADABLE_STORED_OP = 'error.app.storedOpUnreadable';

/** A journal row's payload, decoded by its kind (never cast): a row that does not fit is an error (code UNREADABLE_STORED_OP). */
export function decodePayload(kind: AnyOpKind, stored: StoredPayload): unknown {
  const r = kind.codec.safeParse(stored);
  if (!r.success) {
    const detail = r.error.issues[0]?.path.join('.') || '-';
    throw new DeskFailure('server', msg(UNREADABLE_STORED_OP, { kind: kind.name, detail }), { cause: r.error, code: UNREADABLE_STORED_OP });
  }
  return r.data;
}

/** Is this the failure of a stored payload that could not be decoded (decodePayload)? */
export function isUnreadableStoredOp(e: unknown): e is DeskFailure {
  return e instanceof DeskFailure && e.code === UNREADABLE_STORED_OP;
}

export type { AnyOpKind, OpKind, OpProblem, OpState, PrecheckContext, StoredPayload } from './kind';
export { freezeOp, frozenTill, type FreezePayload } from './freeze';
export { unfreezeOp, type UnfreezePayload } from './unfreeze';
export { setBalanceOp, type SetBalancePayload } from './set-balance';
export { membershipSnapshot, snapshotOf, type MembershipSnapshot } from './snapshot';
export { setPeriodOp, expiryOf, type PeriodValue, type SetPeriodPayload } from './set-period';
