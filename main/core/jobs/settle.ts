/**
 * settle(): the one place a job's final outcomes are written — the journal row and its audit entry
 * in ONE transaction, so a crash never leaves an op applied without its audit line or the reverse.
 * Used for decisions made from a read and for the grouped outcomes of sent requests alike
 * (createSettleGroup).
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

const APPLIED: FinalDecision = { kind: 'final', to: 'applied', message: null, audit: { outcome: 'ok', message: null, withAfter: true, create: true } };

/** The outcome of a write Altegio answered 2xx: applied, its audit line with the kind's note if it has one. */
export function appliedSettlement(kind: AnyOpKind, op: OpRecord, payload: unknown, m: Membership): Settlement {
  const note = kind.appliedMessage?.(payload) ?? null;
  const decision: FinalDecision = note === null ? APPLIED : { ...APPLIED, audit: { outcome: 'ok', message: note, withAfter: true, create: true } };
  return { op, payload, m, decision };
}

/**
 * Outcomes of sent requests, settled in groups: one transaction per `flushSize` outcomes or per
 * `flushMs`, whichever comes first, instead of one per write. `add` and `flush` throw what settle()
 * throws (a full disk…); the timer's flush has nobody to throw to and hands it to `onError`.
 */
export interface SettleGroup {
  add(s: Settlement): void;
  /** Settles what is held now (the group is emptied first: a failure leaves those ops 'intent' in the journal). */
  flush(): void;
  /** Stops the timer (the runner's end). */
  close(): void;
}

export function createSettleGroup(ctx: SettleContext, o: { flushMs: number; flushSize: number }, onError: (e: unknown) => void): SettleGroup {
  let held: Settlement[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const list = held;
    held = [];
    settle(ctx, list);
  };
  const timedFlush = () => {
    try {
      flush();
    } catch (e) {
      onError(e);
    }
  };
  return {
    add(s) {
      held.push(s);
      if (held.length >= o.flushSize) flush();
      else timer ??= setTimeout(timedFlush, o.flushMs);
    },
    flush,
    close() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
