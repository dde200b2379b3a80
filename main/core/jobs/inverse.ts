/**
 * The undo of operations: each applied op's inverse (its kind's `inverse`, ops/). A batch undo is
 * the job of its applied ops' inverses; a desk undo is the one-op job of one op's (memberships/undo.ts).
 */
import type { NewOp, OpRecord } from '../batch/journal';
import { DeskFailure } from '../errors';
import { decodePayload, opKind, type StoredPayload } from '../ops';

/** The operation that undoes a stored one: its payload decoded by its kind (never cast), then the kind's `inverse`; throws the kind's reason when there is none. */
export function inverseOf(kindName: string, stored: StoredPayload): { kind: string; payload: unknown } {
  const kind = opKind(kindName);
  const inverse = kind.inverse(decodePayload(kind, stored));
  if (!('payload' in inverse)) throw new DeskFailure(inverse.kind, inverse.message);
  return inverse;
}

/** `reasonOf`: the reason an inverse keeps, from the reason of the op it undoes (worded once: the journal keeps it). */
export function inverseOps(kindName: string, applied: readonly OpRecord[], reasonOf: (reason: string) => string): { opKind: string; ops: NewOp[] } {
  let undoKind = kindName;
  const ops = applied.map((op, seq): NewOp => {
    const inverse = inverseOf(kindName, op);
    undoKind = inverse.kind;
    return {
      seq,
      kind: inverse.kind,
      membershipId: op.membershipId,
      membershipNumber: op.membershipNumber,
      chainId: op.chainId,
      ...opKind(inverse.kind).encode(inverse.payload),
      rowLines: op.rowLines,
      rowCount: op.rowCount,
      reason: reasonOf(op.reason).slice(0, 500),
      sourceAuditId: op.auditId,
    };
  });
  return { opKind: undoKind, ops };
}
