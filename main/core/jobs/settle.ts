/**
 * settle(): the one place a job's final outcomes are written — the journal row and its audit entry
 * in ONE transaction, so a crash never leaves an op applied without its audit line or the reverse.
 * Used for decisions made from a read and for the grouped outcomes of sent requests alike.
 */
import type { Membership } from '../../../preload/contract';
import type { JobRecord, Journal, OpRecord } from '../batch/journal';
import { storedText } from '../../../common/i18n/stored';
import type { AnyOpKind } from '../ops';
import { snapshotOf } from '../ops/snapshot';
import type { Store } from '../store';
import type { NewAuditEntry } from '../store/types';
import type { Decision, RowMessage } from './decide';

export type FinalDecision = Extract<Decision, { kind: 'final' }>;

export interface Settlement {
  op: OpRecord;
  payload: unknown;
  /** The membership as read (null: not found). */
  m: Membership | null;
  decision: FinalDecision;
}

export interface SettleContext {
  store: Store;
  journal: Journal;
  job: JobRecord;
  kind: AnyOpKind;
}

export function auditAction(job: JobRecord): NewAuditEntry['action'] {
  return job.kind === 'undo' ? 'undo' : (job.opKind as NewAuditEntry['action']);
}

/** The audit entry of an op (the snapshot before, and after when the change is there). */
export function auditEntry(ctx: SettleContext, op: OpRecord, payload: unknown, m: Membership | null, outcome: NewAuditEntry['outcome'], message: RowMessage | null, withAfter: boolean): NewAuditEntry {
  const { job, kind } = ctx;
  const request = kind.request(payload);
  return {
    userName: job.userName,
    userId: job.userId,
    profileId: job.profileId,
    chainId: op.chainId,
    locationId: job.locationId,
    membershipId: op.membershipId,
    membershipNumber: op.membershipNumber,
    action: auditAction(job),
    before: m ? { ...snapshotOf(m), ...(request && { request }) } : null,
    after: m && withAfter ? snapshotOf(kind.projectAfter(m, payload)) : null,
    reason: op.reason,
    outcome,
    message: message === null ? null : storedText(message),
    batchId: job.scope === 'desk' ? null : job.id,
    undoOf: job.kind === 'undo' ? op.sourceAuditId : null,
  };
}

export function settle(ctx: SettleContext, list: readonly Settlement[]): void {
  if (list.length === 0) return;
  const { store, journal, job, kind } = ctx;
  store.transaction(() => {
    for (const { op, payload, m, decision } of list) {
      let auditId = op.auditId;
      const a = decision.audit;
      if (a) {
        const after = m && a.withAfter ? snapshotOf(kind.projectAfter(m, payload)) : null;
        if (auditId !== null) store.audit.finish(auditId, a.outcome, after, a.message === null ? null : storedText(a.message));
        else if (a.create) auditId = store.audit.add(auditEntry(ctx, op, payload, m, a.outcome, a.message, a.withAfter));
      }
      journal.setOutcome(job.id, { seq: op.seq, state: decision.to, message: decision.message === null ? null : storedText(decision.message), auditId });
      if (decision.to === 'applied' && job.kind === 'undo' && op.sourceAuditId !== null && auditId !== null) store.audit.markUndone(op.sourceAuditId, auditId);
      op.auditId = auditId;
    }
  });
}
