/**
 * What to do with one operation of a job, given the membership as just read: a pure function of
 * (op, membership, note of its last failed send), tested from a table (test/unit/jobs-decide.test.ts).
 * The op kind's `state()` says where the membership is; this says what that means for the op:
 *
 *   pending (never sent):  before → write;  after / other → conflict (someone else changed it;
 *                          never overwritten)
 *   intent (a request may have gone out: crash, lost answer, 5xx, 401…):
 *                          after  → applied, nothing sent again;
 *                          before → send again; but after a refusal (422, 403, 404…) → failed with
 *                                   its message, and a 5xx after `maxAttempts` sends → failed
 *                                   (not `patient`, a desk write: any failed send counts); a 2xx
 *                                   that did not land (note 'answered', RunnerOptions.confirm) →
 *                                   failed, not sent again;
 *                          other  → conflict (changed by someone else meanwhile)
 *   cancelling:            pending → skipped; intent + before → skipped (it did not take effect)
 *   membership gone:       failed
 */
import type { Membership } from '../../../preload/contract';
import type { OpRecord, OpState as JournalState } from '../batch/journal';
import type { AnyOpKind } from '../ops';
import { msg, type Msg } from '../../../common/i18n/translate';

/** A row's message: by reference (the renderer words it), or Altegio's own words as they came. */
export type RowMessage = Msg | string;

/** Why the op's last send failed (kept in memory until its re-read). */
export interface FailureNote {
  kind: string;
  message: string;
  /** The message by reference, when the failure was the app's own (DeskFailure.msg). */
  msg?: Msg | undefined;
  /** For the audit log: the message with Altegio's own words (errors.ts serverWordsMessage). */
  words?: RowMessage;
  /** The failure itself (the desk re-throws it, with its fields). */
  error?: unknown;
}

/** The audit entry's side of a final decision. */
export interface AuditDecision {
  outcome: 'ok' | 'failed' | 'unknown';
  /** Stored by reference (the audit screen words it), or Altegio's own words as they came. */
  message: RowMessage | null;
  /** Record the after snapshot (the change is there). */
  withAfter: boolean;
  /** Add an entry when the op has none yet (false: only finish an existing one). */
  create: boolean;
}

export type Decision =
  | { kind: 'write' }
  | { kind: 'final'; to: Exclude<JournalState, 'pending' | 'intent'>; message: RowMessage | null; audit: AuditDecision | null; failure?: string };

export interface DecideContext {
  cancelling: boolean;
  maxAttempts: number;
  /** See RunnerOptions.patient. */
  patient: boolean;
}

/** The note of a send Altegio answered with a 2xx, awaiting its confirming read (RunnerOptions.confirm). */
export const ANSWERED = 'answered';

/** Refusals: the server said no; sending again would be refused again. */
export const DEFINITIVE: ReadonlySet<string> = new Set(['validation', 'forbidden', 'not_found', 'licence_expired', 'bad_input', 'conflict']);

export function decide(kind: AnyOpKind, op: Pick<OpRecord, 'state' | 'attempts'>, payload: unknown, m: Membership | null, note: FailureNote | undefined, ctx: DecideContext): Decision {
  if (op.state === 'pending' && ctx.cancelling) return { kind: 'final', to: 'skipped', message: msg('job.row.cancelledBeforeSent'), audit: null };
  if (m === null) {
    const message = msg('job.row.membershipGone');
    return { kind: 'final', to: 'failed', message, audit: { outcome: op.state === 'intent' ? 'unknown' : 'failed', message, withAfter: false, create: true }, failure: 'not_found' };
  }
  const state = kind.state(m, payload);
  if (op.state === 'pending') {
    if (state === 'before') return { kind: 'write' };
    const message =
      state === 'after'
        ? msg('job.row.alreadyNew', { now: kind.describeCurrent(m, payload) })
        : msg('job.row.changedSincePlan', { now: kind.describeCurrent(m, payload), planned: kind.describeBefore(m, payload) });
    return { kind: 'final', to: 'conflict', message, audit: { outcome: 'failed', message: msg('audit.message.conflict', { why: message }), withAfter: false, create: true }, failure: 'conflict' };
  }
  // intent: a request of ours may have gone out.
  if (state === 'after') {
    const message =
      note?.kind === ANSWERED
        ? (kind.appliedMessage?.(payload) ?? null)
        : note
          ? msg('audit.message.answerLost', { why: note.msg ?? note.message })
          : msg('audit.message.confirmedByReading');
    return { kind: 'final', to: 'applied', message: null, audit: { outcome: 'ok', message, withAfter: true, create: true } };
  }
  if (state === 'before') {
    if (ctx.cancelling) {
      const message = msg('job.row.cancelledBeforeEffect');
      return { kind: 'final', to: 'skipped', message, audit: { outcome: 'failed', message, withAfter: false, create: false }, ...(note && { failure: note.kind }) };
    }
    if (note?.kind === ANSWERED) {
      const message = msg('job.row.answeredNotApplied');
      return { kind: 'final', to: 'failed', message, audit: { outcome: 'failed', message, withAfter: false, create: true }, failure: 'server' };
    }
    const counts = note !== undefined && (note.kind === 'server' || !ctx.patient);
    if ((note && DEFINITIVE.has(note.kind)) || (counts && op.attempts >= ctx.maxAttempts)) {
      const message: RowMessage = note ? (note.msg ?? note.message) : msg('job.row.notAppliedAfterAttempts');
      return { kind: 'final', to: 'failed', message, audit: { outcome: 'failed', message: note?.words ?? message, withAfter: false, create: true }, failure: note?.kind ?? 'server' };
    }
    return { kind: 'write' };
  }
  const message = msg('job.row.changedWhileSending', { now: kind.describeCurrent(m, payload) });
  return { kind: 'final', to: 'conflict', message, audit: { outcome: 'unknown', message, withAfter: false, create: true }, failure: 'conflict' };
}
