/**
 * A kind of write (DESIGN.md §5 "One write path"). Every write the app makes — a desk freeze, an
 * unfreeze, a balance edit, an undo, a batch row — is an operation of one of these kinds, and the
 * runner (main/core/jobs/) is the only thing that executes them. A kind says:
 *
 * - `codec`: how its payload is stored in the journal (batch_ops body/expect/target) and read back:
 *   a zod schema, so a row is decoded, never cast;
 * - `precheck`: whether a person may make this change to this membership now (the `common/` rules;
 *   the desk asks before creating the job);
 * - `state`: where the membership is relative to the change — `before` (not made yet), `after`
 *   (made), `other` (someone changed it otherwise). THE one place that decides "did it land?";
 * - `send`: the request;
 * - `inverse`: the operation that undoes it (or why it cannot be undone);
 * - words for messages and the audit snapshot's `request`.
 *
 * Adding a kind is one file here plus its line in ops/index.ts.
 */
import type { z } from 'zod';
import type { AuditRequest, Membership, Rights } from '../../../preload/contract';
import type { AltegioApi, WriteOptions } from '../altegio/api';
import type { ErrorKind } from '../../../preload/contract';
import type { Msg } from '../../../common/i18n/translate';

export type OpState = 'before' | 'after' | 'other';

/** An operation's payload as the journal stores it (batch_ops body_json / expect_json / target_json). */
export interface StoredPayload {
  body: unknown;
  expect: unknown;
  target: unknown;
}

export interface PrecheckContext {
  rights: Rights;
  now: Date;
  /** The location's IANA zone. */
  timezone: string;
}

export interface OpProblem {
  kind: Extract<ErrorKind, 'validation' | 'forbidden' | 'conflict'>;
  /** By reference: the renderer words it (DeskFailure keeps its English for logs). */
  message: Msg;
  fields?: Record<string, Msg>;
}

/** What an audit entry's `before.request` says this write asked for. */
export interface OpTarget {
  chainId: number;
  membershipId: number;
}

export interface OpKind<P> {
  readonly name: string;
  /** Stored triple → payload (zod: a row that does not fit fails with a clear error). */
  readonly codec: z.ZodType<P, StoredPayload>;
  encode(payload: P): StoredPayload;
  precheck(m: Membership, payload: P, ctx: PrecheckContext): OpProblem | null;
  state(m: Membership, payload: P): OpState;
  send(api: AltegioApi, at: OpTarget, payload: P, options: WriteOptions): Promise<void>;
  /** The operation that undoes this one, or why there is none. `m` is the membership now. */
  inverse(payload: P): { kind: string; payload: unknown } | OpProblem;
  /** The membership's current values of what this op touches, in words by reference (conflict messages). */
  describeCurrent(m: Membership, payload: P): Msg;
  /** The op's planned before value in words. */
  describeBefore(m: Membership, payload: P): Msg;
  /** The planned after value in words. */
  describeAfter(m: Membership, payload: P): Msg;
  request(payload: P): AuditRequest | undefined;
  /** The audit entry's message once applied (e.g. what an unfreeze keeps), if any. */
  appliedMessage?(payload: P): string | null;
  /**
   * The audit snapshot after the change, from the membership read before it (the batch does not
   * re-read after each write): what the op set, over what was there.
   */
  projectAfter(m: Membership, payload: P): Membership;
}

/** A kind whose payload type is not known statically (the registry's view). */
export type AnyOpKind = OpKind<unknown>;
