/** The undo of a job: each applied op's inverse (ops/), in order, pointing at the audit entry it undoes. */
import type { NewOp, OpRecord } from '../batch/journal';
import { DeskFailure } from '../errors';
import { decodePayload, opKind } from '../ops';

/** `reasonOf`: the reason an inverse keeps, from the reason of the op it undoes (worded once: the journal keeps it). */
export function inverseOps(kindName: string, applied: readonly OpRecord[], reasonOf: (reason: string) => string): { opKind: string; ops: NewOp[] } {
  const kind = opKind(kindName);
  let undoKind = kindName;
  const ops = applied.map((op, seq): NewOp => {
    const inverse = kind.inverse(decodePayload(kind, op));
    if (!('payload' in inverse)) throw new DeskFailure(inverse.kind, inverse.message);
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
