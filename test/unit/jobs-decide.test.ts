/** decide(op, membership, note) → Decision, from a table (main/core/jobs/decide.ts). */
import { describe, expect, it } from 'vitest';
import { ANSWERED, decide, type FailureNote } from '../../main/core/jobs/decide';
import type { AnyOpKind, OpState } from '../../main/core/ops';
import { exampleMembership } from '../support/memberships';

/** A kind whose state is what the row says (the payload). */
const kind = {
  name: 'fake',
  state: (_m: unknown, p: unknown) => p as OpState,
  describeCurrent: () => 'now',
  describeBefore: () => 'before',
  describeAfter: () => 'after',
  appliedMessage: () => 'kept note',
} as unknown as AnyOpKind;

const m = exampleMembership();
const server: FailureNote = { kind: 'server', message: 'Altegio did not answer' };
const offline: FailureNote = { kind: 'offline', message: 'No connection' };
const refused: FailureNote = { kind: 'validation', message: 'Freeze period exceeds limit' };
const answered: FailureNote = { kind: ANSWERED, message: 'answered' };

type Row = [label: string, opState: 'pending' | 'intent', read: OpState | 'gone', note: FailureNote | undefined, ctx: { cancelling?: boolean; attempts?: number; patient?: boolean }, want: string];

const TABLE: Row[] = [
  ['pending at before → write', 'pending', 'before', undefined, {}, 'write'],
  ['pending at after → conflict (someone else did it)', 'pending', 'after', undefined, {}, 'conflict/failed'],
  ['pending elsewhere → conflict', 'pending', 'other', undefined, {}, 'conflict/failed'],
  ['pending while cancelling → skipped, no audit', 'pending', 'before', undefined, { cancelling: true }, 'skipped/-'],
  ['membership gone (pending) → failed', 'pending', 'gone', undefined, {}, 'failed/failed'],
  ['membership gone (intent) → failed, audit unknown', 'intent', 'gone', undefined, {}, 'failed/unknown'],
  ['intent at after → applied', 'intent', 'after', undefined, {}, 'applied/ok'],
  ['intent at after after a lost answer → applied', 'intent', 'after', server, {}, 'applied/ok'],
  ['intent at after after a refusal ("already frozen") → applied', 'intent', 'after', refused, {}, 'applied/ok'],
  ['intent at after once answered (confirm) → applied', 'intent', 'after', answered, {}, 'applied/ok'],
  ['intent at before (crash) → write again', 'intent', 'before', undefined, {}, 'write'],
  ['intent at before after a 5xx → write again', 'intent', 'before', server, { attempts: 1 }, 'write'],
  ['intent at before after maxAttempts 5xx → failed', 'intent', 'before', server, { attempts: 5 }, 'failed/failed'],
  ['intent at before after a refusal → failed', 'intent', 'before', refused, { attempts: 1 }, 'failed/failed'],
  ['intent at before offline, patient (batch), many sends → write again', 'intent', 'before', offline, { attempts: 50 }, 'write'],
  ['intent at before offline, not patient (desk), maxAttempts → failed', 'intent', 'before', offline, { attempts: 5, patient: false }, 'failed/failed'],
  ['intent at before once answered (a 2xx that did not land) → failed, not resent', 'intent', 'before', answered, { attempts: 1 }, 'failed/failed'],
  ['intent at before while cancelling → skipped', 'intent', 'before', server, { cancelling: true }, 'skipped/failed'],
  ['intent elsewhere → conflict, audit unknown', 'intent', 'other', server, {}, 'conflict/unknown'],
];

describe('decide', () => {
  it.each(TABLE)('%s', (_label, opState, read, note, ctx, want) => {
    const d = decide(kind, { state: opState, attempts: ctx.attempts ?? 1 }, read === 'gone' ? 'before' : read, read === 'gone' ? null : m, note, {
      cancelling: ctx.cancelling ?? false,
      maxAttempts: 5,
      patient: ctx.patient ?? true,
    });
    const got = d.kind === 'write' ? 'write' : `${d.to}/${d.audit?.outcome ?? '-'}`;
    expect(got).toBe(want);
  });

  it('messages: a refusal keeps its words; an answered applied keeps the kind note', () => {
    const failed = decide(kind, { state: 'intent', attempts: 1 }, 'before', m, refused, { cancelling: false, maxAttempts: 5, patient: true });
    expect(failed).toMatchObject({ kind: 'final', to: 'failed', message: 'Freeze period exceeds limit', failure: 'validation' });
    const applied = decide(kind, { state: 'intent', attempts: 1 }, 'after', m, answered, { cancelling: false, maxAttempts: 5, patient: false });
    expect(applied).toMatchObject({ kind: 'final', to: 'applied', audit: { message: 'kept note' } });
  });
});
