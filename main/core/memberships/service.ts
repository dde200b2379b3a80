/**
 * Memberships: look-ups and the three writes (freeze, unfreeze, set balance) plus undo, each one
 * checked against the shared rules (common/freeze-rules, common/balance-rules) on a FRESH re-read,
 * recorded in the audit log before its request (outcome 'unknown') and finished after it, and
 * followed by a re-read that becomes the result.
 *
 * Outcome of a write that failed:
 * - Altegio refused it (validation, forbidden, not_found, conflict, auth_expired, rate_limited,
 *   licence_expired, bad_input): 'failed', and the refusal is re-thrown as is (the renderer shows
 *   its message next to the calendar / balance editor).
 * - we cannot tell whether it happened (offline, server: timeout, 5xx, dropped connection): the
 *   membership is re-read; if it shows the requested effect the entry becomes 'ok', if it shows the
 *   old state 'failed', and if even the re-read fails it stays 'unknown'. The failure is re-thrown.
 */
import type { AuditEntry, ClientSummary, Membership, Rights } from '../../../preload/contract';
import { balanceEditability, planBalanceTargets, type BalanceBody } from '../../../common/balance-rules';
import { rightAllows } from '../../../common/rights';
import { formatDate, isCalendarDate, localDateOf } from '../../../common/dates';
import { freezeAvailability, freezeDateProblem, unfreezeEffect } from '../../../common/freeze-rules';
import { MIN_PHONE_DIGITS, type AltegioApi, type SetBalanceBody } from '../altegio/api';
import { DeskFailure, isDeskFailure, withServerWords } from '../errors';
import { asStorageFault, isStorageFault } from '../store/fault';
import type { AuditRepo, NewAuditEntry } from '../store/types';

export interface MembershipUser {
  profileId: string;
  userId: number;
  name: string;
}

export interface MembershipServiceDeps {
  api: () => AltegioApi;
  audit: AuditRepo;
  /** The signed-in Altegio user (every write is attributed to it). */
  user: () => MembershipUser;
  /** The user's rights in a chain (from /groups). */
  rights: (chainId: number) => Rights;
  /** The location's IANA zone. */
  timezone: (locationId: number) => string;
  now?: () => Date;
}

/** What the audit log keeps of a membership before/after a write. */
export interface MembershipSnapshot {
  [key: string]: unknown;
  isFrozen: boolean;
  freezeTill: string | null;
  expirationDate: string | null;
  freezePeriodDays: number;
  statusSlug: string;
  united?: number;
  services?: Record<string, number>;
  serviceTitles?: Record<string, string>;
  /** In `before` only: what this write asked for. */
  request?: { freezeTill?: string; united?: number; services?: Record<string, number> };
}

export function snapshotOf(m: Membership): MembershipSnapshot {
  const s: MembershipSnapshot = {
    isFrozen: m.isFrozen,
    freezeTill: m.freezeTill,
    expirationDate: m.expirationDate,
    freezePeriodDays: m.freezePeriodDays,
    statusSlug: m.status.slug,
  };
  if (m.balance.kind === 'united') {
    if (!m.balance.unlimited) s.united = m.balance.count;
  } else {
    s.services = Object.fromEntries(m.balance.lines.filter((l) => !l.unlimited).map((l) => [String(l.serviceId), l.count]));
    // Titles travel with the ids so the audit log can say "Pilates group", not "Service 12840551".
    s.serviceTitles = Object.fromEntries(m.balance.lines.map((l) => [String(l.serviceId), l.title]));
  }
  return s;
}

function requestOfBody(body: SetBalanceBody): NonNullable<MembershipSnapshot['request']> {
  const r: NonNullable<MembershipSnapshot['request']> = {};
  if (body.united !== undefined) r.united = body.united;
  if (body.services) r.services = Object.fromEntries(body.services.map((s) => [String(s.serviceId), s.balance]));
  return r;
}

/** Current values of the lines a request names (undefined where the membership has no such line). */
function currentValues(m: Membership, request: NonNullable<MembershipSnapshot['request']>): { united?: number; services: Record<string, number | undefined> } {
  const snap = snapshotOf(m);
  const out: { united?: number; services: Record<string, number | undefined> } = { services: {} };
  if (request.united !== undefined) out.united = snap.united;
  for (const id of Object.keys(request.services ?? {})) out.services[id] = snap.services?.[id];
  return out;
}

/**
 * For entries that do not say what they asked for (written by other features with plain
 * snapshots): the lines whose value differs between before and after.
 */
function requestFromDiff(before: Partial<MembershipSnapshot> | null, after: Partial<MembershipSnapshot> | null): MembershipSnapshot['request'] {
  if (!before || !after) return undefined;
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

const AMBIGUOUS: ReadonlySet<string> = new Set(['offline', 'server']);
/**
 * Refusals worth a look before recording them: "already frozen" may be our own first try that
 * timed out and landed late, the client's retry then being refused. If the membership shows the
 * change, it was made.
 */
const CHECK_AFTER_REFUSAL: ReadonlySet<string> = new Set(['validation', 'conflict']);

export interface FreezeArgs {
  chainId: number;
  locationId: number;
  membershipId: number;
  freezeTill: string;
  reason?: string | undefined;
}
export interface UnfreezeArgs {
  chainId: number;
  locationId: number;
  membershipId: number;
  reason?: string | undefined;
}
export interface SetBalanceArgs {
  chainId: number;
  locationId: number;
  membershipId: number;
  reason: string;
  united?: number | undefined;
  services?: Array<{ serviceId: number; balance: number }> | undefined;
}

export interface MembershipService {
  get(chainId: number, membershipId: number): Promise<Membership>;
  /** `noPhone` is true when the client has no phone in Altegio (memberships are looked up by phone). */
  forClient(locationId: number, clientId: number): Promise<{ client: ClientSummary; memberships: Membership[]; noPhone: boolean }>;
  byPhone(locationId: number, phone: string): Promise<{ memberships: Membership[] }>;
  freeze(args: FreezeArgs): Promise<Membership>;
  unfreeze(args: UnfreezeArgs): Promise<Membership>;
  setBalance(args: SetBalanceArgs): Promise<Membership>;
  undo(auditId: number, reason?: string): Promise<{ membership: Membership; entry: AuditEntry }>;
}

export function createMembershipService(deps: MembershipServiceDeps): MembershipService {
  const now = deps.now ?? (() => new Date());

  async function get(chainId: number, membershipId: number): Promise<Membership> {
    const found = await deps.api().membershipsByIds(chainId, [membershipId]);
    const m = found.find((x) => x.id === membershipId);
    if (!m) throw new DeskFailure('not_found', `Membership ${membershipId} was not found in this chain. It may have been deleted, or it belongs to another chain.`);
    return m;
  }

  interface WriteSpec {
    chainId: number;
    locationId: number | null;
    before: Membership;
    action: AuditEntry['action'];
    reason: string;
    request: MembershipSnapshot['request'];
    undoOf?: number;
    send: () => Promise<void>;
    /** Did the re-read membership get the effect this write asked for? (decides ambiguous failures) */
    applied: (after: Membership) => boolean;
    /** The sentence used when the write went through but the re-read failed. */
    doneWord: string;
    /** Kept as the entry's message when the write succeeds (e.g. what an unfreeze keeps). */
    okMessage?: string;
  }

  /** Intent → request → outcome → re-read, all recorded. Returns the re-read membership and the entry id. */
  async function write(spec: WriteSpec): Promise<{ membership: Membership; auditId: number }> {
    const user = deps.user();
    const before: MembershipSnapshot = snapshotOf(spec.before);
    if (spec.request) before.request = spec.request;
    const entry: NewAuditEntry = {
      userName: user.name,
      userId: user.userId,
      profileId: user.profileId,
      chainId: spec.chainId,
      locationId: spec.locationId,
      membershipId: spec.before.id,
      membershipNumber: spec.before.number,
      action: spec.action,
      before,
      after: null,
      reason: spec.reason,
      outcome: 'unknown',
      message: null,
      batchId: null,
      undoOf: spec.undoOf ?? null,
      at: now().toISOString(),
    };
    const auditId = deps.audit.add(entry);
    // Once Altegio has taken the change, a record that cannot be written (full disk…) must not read
    // as "not done": the person would do it again.
    const record = (...args: Parameters<AuditRepo['finish']>) => {
      try {
        deps.audit.finish(...args);
      } catch (e) {
        const fault = asStorageFault(e);
        if (!isStorageFault(fault) || args[1] !== 'ok') throw fault;
        throw new DeskFailure('storage', `${spec.doneWord} in Altegio: do not do it again. ${fault.message} Until then the audit log shows this change as not confirmed.`, { cause: e });
      }
    };

    try {
      await spec.send();
    } catch (e) {
      const failure = isDeskFailure(e) ? e : new DeskFailure('server', 'The request to Altegio failed unexpectedly.', { cause: e });
      if (!AMBIGUOUS.has(failure.kind) && !CHECK_AFTER_REFUSAL.has(failure.kind)) {
        deps.audit.finish(auditId, 'failed', null, withServerWords(failure));
        throw failure;
      }
      // We cannot tell whether Altegio applied it: look.
      let reread: Membership | null = null;
      try {
        reread = await get(spec.chainId, spec.before.id);
      } catch {
        reread = null;
      }
      if (reread === null) {
        deps.audit.finish(auditId, 'unknown', null, `${failure.message} (Could not check afterwards whether the change was applied.)`);
      } else if (spec.applied(reread)) {
        record(auditId, 'ok', snapshotOf(reread), `The answer was lost (${failure.message}), but re-reading shows the change was applied.`);
        return { membership: reread, auditId };
      } else {
        deps.audit.finish(auditId, 'failed', snapshotOf(reread), withServerWords(failure));
      }
      throw failure;
    }

    let after: Membership;
    try {
      after = await get(spec.chainId, spec.before.id);
    } catch (e) {
      const msg = isDeskFailure(e) ? e.message : 'unexpected error';
      record(auditId, 'ok', null, `Altegio accepted the change; reading the membership back failed: ${msg}`);
      // Not auth_expired: the renderer would ask for the password and send the write again.
      const kind = isDeskFailure(e) && e.kind !== 'auth_expired' ? e.kind : 'server';
      throw new DeskFailure(kind, `${spec.doneWord}, but reading the membership back failed (${msg}). Refresh to see the current values.`, {
        cause: e,
      });
    }
    if (!spec.applied(after)) {
      // Altegio answered as if it had done it (set_balance's success is an empty 200, which a proxy
      // glitch can imitate), yet the membership does not show it: record what is true.
      const message = 'Altegio answered as if the change was made, but re-reading the membership shows it was not. Nothing was changed; try again.';
      deps.audit.finish(auditId, 'failed', snapshotOf(after), message);
      throw new DeskFailure('server', message);
    }
    record(auditId, 'ok', snapshotOf(after), spec.okMessage ?? null);
    return { membership: after, auditId };
  }

  async function freeze(args: FreezeArgs): Promise<Membership> {
    if (!isCalendarDate(args.freezeTill)) {
      throw new DeskFailure('validation', 'Pick the end date on the calendar.', { fields: { freezeTill: 'Use a date like 2026-05-20' } });
    }
    const timezone = deps.timezone(args.locationId);
    const before = await get(args.chainId, args.membershipId);
    const availability = freezeAvailability(before, deps.rights(args.chainId), now(), timezone);
    if (!availability.allowed) {
      const kind = availability.code === 'no_right' ? 'forbidden' : 'validation';
      throw new DeskFailure(kind, availability.reason, { fields: { freezeTill: availability.reason } });
    }
    const problem = freezeDateProblem(availability, args.freezeTill);
    if (problem !== null) throw new DeskFailure('validation', problem, { fields: { freezeTill: problem } });

    const { membership } = await write({
      chainId: args.chainId,
      locationId: args.locationId,
      before,
      action: 'freeze',
      reason: args.reason ?? '',
      request: { freezeTill: args.freezeTill },
      send: () => deps.api().freeze(args.chainId, args.membershipId, args.freezeTill),
      applied: (m) => m.isFrozen && (m.freezeTill === null || localDateOf(m.freezeTill, timezone) === args.freezeTill),
      doneWord: `Frozen until ${formatDate(args.freezeTill)}`,
    });
    return membership;
  }

  function checkUnfreezable(m: Membership, chainId: number): void {
    const right = rightAllows(deps.rights(chainId), 'periodEdit', 'Your Altegio role does not allow unfreezing memberships.');
    if (!right.allowed) throw new DeskFailure('forbidden', right.reason);
    if (!m.isFrozen) throw new DeskFailure('validation', 'This membership is not frozen.');
  }

  async function unfreezeMembership(before: Membership, chainId: number, locationId: number | null, reason: string, undoOf?: number) {
    // The unfreeze keeps the expiry extension for the days already frozen: the log says so.
    const effect = unfreezeEffect(before, now(), locationId !== null ? deps.timezone(locationId) : 'UTC');
    return write({
      okMessage: effect.text,
      chainId,
      locationId,
      before,
      action: undoOf === undefined ? 'unfreeze' : 'undo',
      reason,
      request: undefined,
      ...(undoOf === undefined ? {} : { undoOf }),
      send: () => deps.api().unfreeze(chainId, before.id),
      applied: (m) => !m.isFrozen,
      doneWord: 'Unfrozen',
    });
  }

  async function unfreeze(args: UnfreezeArgs): Promise<Membership> {
    const before = await get(args.chainId, args.membershipId);
    checkUnfreezable(before, args.chainId);
    return (await unfreezeMembership(before, args.chainId, args.locationId, args.reason ?? '')).membership;
  }

  function balanceWriteSpec(before: Membership, body: SetBalanceBody) {
    const request = requestOfBody(body);
    return {
      request,
      send: () => deps.api().setBalance(before.chainId, before.id, body),
      applied: (m: Membership) => {
        const cur = currentValues(m, request);
        if (request.united !== undefined && cur.united !== request.united) return false;
        return Object.entries(request.services ?? {}).every(([id, v]) => cur.services[id] === v);
      },
      doneWord: 'The balance was changed',
    };
  }

  /** Validates targets against a fresh membership; returns the body with only the changed lines. */
  function planOrThrow(m: Membership, chainId: number, targets: BalanceBody): SetBalanceBody {
    const can = balanceEditability(m, deps.rights(chainId));
    if (!can.editable) {
      const kind = can.reason?.startsWith('Your Altegio role') ? 'forbidden' : 'validation';
      throw new DeskFailure(kind, can.reason ?? 'The balance cannot be changed.');
    }
    const plan = planBalanceTargets(m, targets);
    if (plan.errors.length > 0) {
      const fields: Record<string, string> = {};
      for (const e of plan.errors) fields[e.key === 'united' ? 'united' : `services.${e.key}`] ??= e.message;
      throw new DeskFailure('validation', plan.errors.length === 1 ? plan.errors[0]!.message : 'Some balances cannot be set: see the marked lines.', { fields });
    }
    if (plan.body === null) throw new DeskFailure('validation', 'Nothing to change: the new values equal the current ones.');
    return plan.body;
  }

  async function setBalance(args: SetBalanceArgs): Promise<Membership> {
    const reason = args.reason.trim();
    if (reason === '') throw new DeskFailure('validation', 'Say why the balance changes.', { fields: { reason: 'Say why the balance changes' } });
    const before = await get(args.chainId, args.membershipId);
    const targets: BalanceBody = {};
    if (args.united !== undefined) targets.united = args.united;
    if (args.services && args.services.length > 0) targets.services = args.services;
    const body = planOrThrow(before, args.chainId, targets);
    const spec = balanceWriteSpec({ ...before, chainId: args.chainId }, body);
    const { membership } = await write({ chainId: args.chainId, locationId: args.locationId, before, action: 'set_balance', reason, ...spec });
    return membership;
  }

  async function undo(auditId: number, reason?: string): Promise<{ membership: Membership; entry: AuditEntry }> {
    const original = deps.audit.get(auditId);
    if (!original) throw new DeskFailure('not_found', 'That audit entry no longer exists.');
    if (original.undoneBy !== null) throw new DeskFailure('conflict', `This change was already undone (entry ${original.undoneBy}).`);
    if (original.outcome !== 'ok') {
      throw new DeskFailure('validation', original.outcome === 'failed' ? 'This change failed, so there is nothing to undo.' : 'It is not known whether this change was applied, so it cannot be undone automatically. Check the membership and correct it by hand.');
    }
    const undoReason = reason?.trim() || `Undo of entry ${original.id}${original.reason ? ` (${original.reason})` : ''}`;
    const when = new Date(original.at);
    const whenText = Number.isNaN(when.getTime()) ? 'then' : when.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

    let result: { membership: Membership; auditId: number };
    if (original.action === 'set_balance') {
      const before = original.before as Partial<MembershipSnapshot> | null;
      const after = original.after as Partial<MembershipSnapshot> | null;
      const request = before?.request ?? requestFromDiff(before, after);
      if (!before || !request) throw new DeskFailure('validation', 'This entry does not record which balances it changed, so it cannot be undone.');
      const current = await get(original.chainId, original.membershipId);
      // What this change produced: the re-read after it, else the values it sent.
      const produced = (id: string | 'united'): number | undefined =>
        id === 'united' ? (after?.united ?? request.united) : (after?.services?.[id] ?? request.services?.[id]);
      const cur = currentValues(current, request);
      const changedSince: string[] = [];
      const targets: BalanceBody = {};
      if (request.united !== undefined) {
        if (cur.united !== produced('united')) changedSince.push(`shared balance is ${cur.united ?? 'gone'}, this change left ${produced('united')}`);
        if (before.united !== undefined) targets.united = before.united;
      }
      const services: Array<{ serviceId: number; balance: number }> = [];
      for (const id of Object.keys(request.services ?? {})) {
        const title = current.balance.lines.find((l) => String(l.serviceId) === id)?.title ?? `service ${id}`;
        if (cur.services[id] !== produced(id)) changedSince.push(`${title} is ${cur.services[id] ?? 'gone'}, this change left ${produced(id)}`);
        const prev = before.services?.[id];
        if (prev !== undefined) services.push({ serviceId: Number(id), balance: prev });
      }
      if (services.length > 0) targets.services = services;
      if (changedSince.length > 0) {
        throw new DeskFailure('conflict', `The balance has changed since ${whenText}: ${changedSince.join('; ')}. Undo would overwrite that change, so it was not done.`);
      }
      const body = planOrThrow(current, original.chainId, targets);
      result = await write({
        chainId: original.chainId,
        locationId: original.locationId,
        before: current,
        action: 'undo',
        reason: undoReason,
        undoOf: original.id,
        ...balanceWriteSpec({ ...current, chainId: original.chainId }, body),
      });
    } else if (original.action === 'freeze') {
      const current = await get(original.chainId, original.membershipId);
      const requested = (original.before as Partial<MembershipSnapshot> | null)?.request?.freezeTill;
      const tz = original.locationId !== null ? deps.timezone(original.locationId) : 'UTC';
      if (!current.isFrozen) {
        throw new DeskFailure('conflict', 'This membership is no longer frozen (it was unfrozen, or the freeze ended), so there is nothing to undo.');
      }
      const till = localDateOf(current.freezeTill, tz);
      if (requested !== undefined && till !== null && till !== requested) {
        throw new DeskFailure('conflict', `The freeze has changed since ${whenText}: it now ends on ${formatDate(till)}, not ${formatDate(requested)}. Unfreeze it from the membership card if that is what you want.`);
      }
      checkUnfreezable(current, original.chainId);
      result = await unfreezeMembership(current, original.chainId, original.locationId, undoReason, original.id);
    } else if (original.action === 'unfreeze') {
      throw new DeskFailure('validation', 'An unfreeze cannot be undone automatically: freeze the membership again from its card, choosing the end date.');
    } else {
      throw new DeskFailure('validation', 'An undo cannot itself be undone: make a new change instead.');
    }

    deps.audit.markUndone(original.id, result.auditId);
    const entry = deps.audit.get(result.auditId);
    if (!entry) throw new DeskFailure('server', 'The undo was done, but its audit entry could not be read back.');
    return { membership: result.membership, entry };
  }

  return {
    get,
    async forClient(locationId, clientId) {
      const client = await deps.api().client(locationId, clientId);
      const digits = (client.phone ?? '').replace(/\D/g, '');
      if (digits.length < MIN_PHONE_DIGITS) return { client, memberships: [], noPhone: true };
      return { client, memberships: await deps.api().membershipsByPhone(locationId, client.phone ?? digits), noPhone: false };
    },
    async byPhone(locationId, phone) {
      const digits = phone.replace(/\D/g, '');
      if (digits.length < MIN_PHONE_DIGITS) throw new DeskFailure('validation', 'Enter the phone number with its country code, e.g. +1 512 555 0142.', { fields: { phone: 'Too few digits' } });
      return { memberships: await deps.api().membershipsByPhone(locationId, phone) };
    },
    freeze,
    unfreeze,
    setBalance,
    undo,
  };
}
