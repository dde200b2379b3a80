/**
 * What the desk's undo of an audit entry sends: the inverse of the operation that entry records,
 * built by that op kind's `inverse` (jobs/inverse.ts, as a batch undo builds its ops) and run as a
 * one-op job like every other write. The operation is the journal op the entry belongs to
 * (batch_ops.audit_id: a desk write, a batch or a bulk row). The operation is rebuilt from the
 * entry's snapshots instead when the entry has no journal op (older than the journal), when the op
 * found is not the entry's (another membership, chain or kind: the journal is matched on audit_id
 * alone), or when its stored payload cannot be decoded (a damaged row); the last two are logged by code.
 *
 * Whether the membership is still as that change left it is the inverse kind's `state()` on a fresh
 * read ('before': the undo not made yet): the one decision. This module only words a refusal.
 */
import type { AuditEntry, Membership } from '../../../preload/contract';
import { msg, type Msg } from '../../../common/i18n/translate';
import type { Journal } from '../batch/journal';
import { DeskFailure } from '../errors';
import { inverseOf } from '../jobs/inverse';
import { silentLogger, type Logger } from '../log';
import { frozenTill, isUnreadableStoredOp, membershipSnapshot, opKind, setBalanceOp, setPeriodOp, unfreezeOp, type FreezePayload, type MembershipSnapshot, type OpKind, type SetBalancePayload, type SetPeriodPayload, type UnfreezePayload } from '../ops';

/** An operation to run: its kind's name and its payload (that kind's type). */
export interface Inverse {
  kind: string;
  payload: unknown;
}

/** An inverse's payload as its kind's type: encoded and decoded by that kind's codec, as a journal row is (never cast). */
export function payloadOf<P>(kind: OpKind<P>, inverse: Inverse): P {
  return kind.codec.parse(opKind(inverse.kind).encode(inverse.payload));
}

/**
 * For entries that do not say what they asked for (written by other features with plain
 * snapshots): the lines whose value differs between before and after.
 */
function requestFromDiff(before: MembershipSnapshot, after: MembershipSnapshot | null): MembershipSnapshot['request'] {
  if (!after) return undefined;
  const r: NonNullable<MembershipSnapshot['request']> = {};
  if (typeof before.united === 'number' && typeof after.united === 'number' && before.united !== after.united) r.united = after.united;
  const services: Record<string, number> = {};
  for (const [id, v] of Object.entries(after.services ?? {})) {
    const prev = before.services?.[id];
    if (typeof v === 'number' && typeof prev === 'number' && prev !== v) services[id] = v;
  }
  if (Object.keys(services).length > 0) r.services = services;
  return r.united === undefined && r.services === undefined ? undefined : r;
}

/** A set_balance entry without a journal op: the lines it changed, from the values before to those it left. */
function balanceDone(before: MembershipSnapshot | null, after: MembershipSnapshot | null): SetBalancePayload | null {
  if (!before) return null;
  const request = before.request ?? requestFromDiff(before, after);
  if (!request) return null;
  // What the change left: the re-read after it, else the values it sent.
  if (request.united !== undefined) {
    const was = before.united;
    const left = after?.united ?? request.united;
    return was === undefined || was === left ? null : { expect: { united: was }, target: { united: left } };
  }
  const lines = Object.entries(request.services ?? {}).flatMap(([id, sent]) => {
    const was = before.services?.[id];
    const left = after?.services?.[id] ?? sent;
    return was === undefined || was === left ? [] : [{ serviceId: Number(id), was, left }];
  });
  if (lines.length === 0) return null;
  return { expect: { services: lines.map((l) => ({ serviceId: l.serviceId, balance: l.was })) }, target: { services: lines.map((l) => ({ serviceId: l.serviceId, balance: l.left })) } };
}

/** The inverse of an entry rebuilt from its snapshots (no journal op, or none to trust): what it asked for, else what changed. */
function inverseFromSnapshots(original: AuditEntry, timezone: string): Inverse {
  const request = membershipSnapshot(original.before)?.request;
  if (original.action === 'set_balance') {
    const done = balanceDone(membershipSnapshot(original.before), membershipSnapshot(original.after));
    if (done === null) throw new DeskFailure('validation', msg('error.app.undoNoBalances'));
    return inverseOf(setBalanceOp.name, setBalanceOp.encode(done));
  }
  if (original.action === 'freeze') {
    // A freeze recorded without its date: the unfreeze that goes out while it is frozen at all.
    if (request?.freezeTill === undefined) return { kind: unfreezeOp.name, payload: {} satisfies UnfreezePayload };
    return inverseOf('freeze', opKind('freeze').encode({ freezeTill: request.freezeTill, timezone } satisfies FreezePayload));
  }
  if (original.action === 'set_period') {
    if (!request?.previous || request.period === undefined || request.periodUnit === undefined || request.expiry === undefined) {
      throw new DeskFailure('validation', msg('error.app.undoNoValidity'));
    }
    const done: SetPeriodPayload = { expect: request.previous, target: { period: request.period, unit: request.periodUnit, expiry: request.expiry }, timezone };
    return inverseOf(setPeriodOp.name, setPeriodOp.encode(done));
  }
  throw new DeskFailure('validation', msg('error.app.undoUndo'));
}

/** The code logged when an entry's journal op is not the entry's (its membership, chain or kind differ). */
export const UNDO_OP_MISMATCH = 'undo.opMismatch';

/**
 * The operation that undoes an audit entry's change: the inverse of its journal op; of the entry's
 * own snapshots when it has none, when the op is not the entry's, or when the op cannot be decoded.
 */
export function inverseOfEntry(journal: Journal, original: AuditEntry, timezone: string, log: Logger = silentLogger): Inverse {
  const op = journal.opOfAudit(original.id);
  if (op === null) return inverseFromSnapshots(original, timezone);
  const differs = [op.membershipId !== original.membershipId && 'membership', op.chainId !== original.chainId && 'chain', op.kind !== original.action && 'kind'].filter((d) => d !== false);
  if (differs.length > 0) {
    log.warn('undo: the journal op found for the entry is not its own; undoing from the entry’s snapshots', { auditId: original.id, code: UNDO_OP_MISMATCH, differs });
    return inverseFromSnapshots(original, timezone);
  }
  try {
    return inverseOf(op.kind, op);
  } catch (e) {
    if (!isUnreadableStoredOp(e)) throw e;
    log.warn('undo: the entry’s journal op could not be decoded; undoing from the entry’s snapshots', { auditId: original.id, code: e.code, kind: op.kind });
    return inverseFromSnapshots(original, timezone);
  }
}

/** Each line the set_balance inverse expects that holds something else now, in words. */
function balanceChanged(p: SetBalancePayload, m: Membership, since: string): DeskFailure {
  const lines: Msg[] = [];
  const line = (title: string | Msg, now: number | undefined, left: number) => msg('error.app.balanceChangedLine', { title, now: now ?? msg('error.app.gone'), left });
  if ('united' in p.expect) {
    const now = m.balance.kind === 'united' && !m.balance.unlimited ? m.balance.count : undefined;
    if (now !== p.expect.united) lines.push(line(msg('error.app.sharedBalance'), now, p.expect.united));
  } else {
    for (const s of p.expect.services) {
      const l = m.balance.kind === 'per_service' ? m.balance.lines.find((x) => x.serviceId === s.serviceId) : undefined;
      const now = l && !l.unlimited ? l.count : undefined;
      if (now !== s.balance) lines.push(line(l?.title ?? `#${s.serviceId}`, now, s.balance));
    }
  }
  const changes = lines.length > 0 ? lines.reduce((first, rest) => msg('error.app.listPair', { first, rest })) : msg('error.app.gone');
  return new DeskFailure('conflict', msg('error.app.undoBalanceChanged', { since, changes }));
}

/**
 * Null when the undo can go out on `current` (its kind's state() says 'before'); else the conflict,
 * in words. `since`: when the change was made (a moment parameter). A kind without words of its own
 * here (set_period) is refused by its precheck.
 */
export function undoConflict(inverse: Inverse, current: Membership, since: string): DeskFailure | null {
  const state = opKind(inverse.kind).state(current, inverse.payload);
  if (state === 'before') return null;
  if (inverse.kind === setBalanceOp.name) return balanceChanged(payloadOf(setBalanceOp, inverse), current, since);
  if (inverse.kind === unfreezeOp.name) {
    if (state === 'after') return new DeskFailure('conflict', msg('error.app.undoNotFrozen'));
    const p = payloadOf(unfreezeOp, inverse);
    const till = p.timezone === undefined ? null : frozenTill(current, p.timezone);
    return new DeskFailure('conflict', msg('error.app.undoFreezeChanged', { since, till: till ?? '', requested: p.freezeTill ?? '' }));
  }
  return null;
}

/** The sentence for an undo that went through but could not be recorded or read back (an unfreeze has its own: service.ts unfreezeSpec). */
export function undoneWord(inverse: Inverse): Msg {
  if (inverse.kind === setPeriodOp.name) return msg('error.app.done', { what: 'periodBack', date: payloadOf(setPeriodOp, inverse).target.expiry });
  return msg('error.app.done', { what: 'balance', date: '' });
}
