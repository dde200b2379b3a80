/**
 * Memberships: look-ups, and the desk's writes (freeze, unfreeze, set balance) plus undo. A write is
 * checked against the shared rules (the op kind's precheck, from common/) on a FRESH read, then run
 * as a one-op job by the runner (jobs/desk.ts): journaled, intent recorded in the audit log before
 * the request, the outcome decided by the op kind's `state()` when the answer is lost. Afterwards
 * the membership is read back: that read is the result (with the id of the audit entry the write
 * made, for its Undo), and the audit entry's after-snapshot.
 *
 * A write that did not go through is thrown with its failure: Altegio's refusal as it came, or the
 * network/server failure when a re-read showed the change was not made (audit 'failed'), or when
 * even the re-read failed (audit 'unknown'; the job is decided by reading later, never resent).
 */
import type { AuditEntry, BalanceTarget, ClientSummary, DeskWriteResult, Membership, ParsedArgs, Rights } from '../../../preload/contract';
import { planBalanceTargets } from '../../../common/balance-rules';
import { unfreezeEffect } from '../../../common/freeze-rules';
import { currentValidity, periodAvailability, periodDateProblem, periodPreview } from '../../../common/period-rules';
import type { AltegioApi } from '../altegio/api';
import { callingCodeForZone, canBePhone } from '../../../common/phone';
import { phoneOrRefuse } from '../phone';
import { DeskFailure } from '../errors';
import { msg, type Msg } from '../../../common/i18n/translate';
import { momentParam } from '../../../common/i18n/words';
import type { Language } from '../../../common/i18n/languages';
import { wordsIn } from '../words';
import type { MembershipClaims } from '../jobs/claims';
import { createDeskJobs, deskFailure, type DeskJobs } from '../jobs/desk';
import type { Logger } from '../log';
import { opKind, unfreezeOp, type FreezePayload, type SetBalancePayload, type SetPeriodPayload, type UnfreezePayload } from '../ops';
import type { Store } from '../store';
import { createSentFreezeDates } from './sent-freeze';
import { inverseOfEntry, payloadOf, undoConflict, undoneWord } from './undo';
import { asStorageFault, isStorageFault } from '../store/fault';

export { snapshotOf, type MembershipSnapshot } from '../ops';

export interface MembershipUser {
  profileId: string;
  userId: number;
  name: string;
}

export interface MembershipServiceDeps {
  api: () => AltegioApi;
  store: Store;
  /** The signed-in Altegio user (every write is attributed to it). */
  user: () => MembershipUser;
  /** The user's rights in a chain (from /groups). */
  rights: (chainId: number) => Rights;
  /** The location's IANA zone. */
  timezone: (locationId: number) => string;
  /** The app's one MembershipClaims, shared with the batch (jobs/claims.ts). */
  claims?: MembershipClaims;
  log?: Logger;
  now?: () => Date;
  /** Every read of memberships, as Altegio answered it (the index notes them; never the app's freeze date). */
  seen?: (list: readonly Membership[]) => void;
}

/** The set_balance payload for a body of new values: the named lines, from what they are now. */
function balancePayload(m: Membership, body: BalanceTarget): SetBalancePayload {
  if ('united' in body) return { expect: { united: m.balance.kind === 'united' ? m.balance.count : 0 }, target: { united: body.united } };
  const services = body.services;
  const expect: BalanceTarget = { services: services.map((s) => ({ serviceId: s.serviceId, balance: m.balance.lines.find((l) => l.serviceId === s.serviceId)?.count ?? 0 })) };
  return { expect, target: { services: services.map((s) => ({ serviceId: s.serviceId, balance: s.balance })) } };
}

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
/** The ids, the reason and one BalanceTarget (the contract's). */
export type SetBalanceArgs = ParsedArgs<'memberships.setBalance'>;

export interface SetPeriodArgs {
  chainId: number;
  locationId: number;
  membershipId: number;
  /** The new expiry date, YYYY-MM-DD in the location's zone. */
  expiry: string;
  reason?: string | undefined;
}

const PERIOD_DATE_WORDS = {
  not_a_date: msg('error.app.expiryPick'),
  too_early: msg('error.app.expiryTooEarly'),
  unchanged: msg('error.app.expiryUnchanged'),
} as const;

export interface MembershipService {
  get(chainId: number, membershipId: number): Promise<Membership>;
  /** `noPhone` is true when the client has no phone in Altegio (memberships are looked up by phone). */
  forClient(locationId: number, clientId: number): Promise<{ client: ClientSummary; memberships: Membership[]; noPhone: boolean }>;
  byPhone(locationId: number, phone: string): Promise<{ memberships: Membership[] }>;
  freeze(args: FreezeArgs): Promise<DeskWriteResult>;
  unfreeze(args: UnfreezeArgs): Promise<DeskWriteResult>;
  setBalance(args: SetBalanceArgs): Promise<DeskWriteResult>;
  /** Change validity so that the membership expires on `expiry` (set_period in days). */
  setPeriod(args: SetPeriodArgs): Promise<DeskWriteResult>;
  /** Without a `reason`, the one kept says what is undone, worded in `language` (English when absent). */
  undo(auditId: number, reason?: string, language?: Language): Promise<{ membership: Membership; entry: AuditEntry }>;
  /** Decides desk writes the app stopped during, by reading (start-up; nothing is sent again). */
  resolveLeftovers(): Promise<void>;
}

export function createMembershipService(deps: MembershipServiceDeps): MembershipService {
  const now = deps.now ?? (() => new Date());
  const jobs: DeskJobs = createDeskJobs({
    store: deps.store,
    api: deps.api,
    currentProfileId: () => {
      try {
        return deps.user().profileId;
      } catch {
        return null;
      }
    },
    ...(deps.claims && { claims: deps.claims }),
    ...(deps.log && { log: deps.log }),
  });

  /** The zone a location's days are counted in; UTC where a write or entry names no location. */
  const zoneOf = (locationId: number | null): string => (locationId !== null ? deps.timezone(locationId) : 'UTC');
  const sentFreeze = createSentFreezeDates({ audit: deps.store.audit, transaction: (fn) => deps.store.transaction(fn), zoneOf, now, log: deps.log });
  /** What a read begun at `mark` answered: it ends the app's freezes it shows over (sent-freeze.ts), the index notes it as read. */
  const noted = (list: readonly Membership[], mark: number): void => {
    sentFreeze.saw(list, mark);
    deps.seen?.(list);
  };
  async function reading(get: () => Promise<Membership[]>): Promise<Membership[]> {
    const mark = sentFreeze.mark();
    const list = await get();
    noted(list, mark);
    return list;
  }

  /** The membership as Altegio answers now (what writes are decided on). */
  async function read(chainId: number, membershipId: number): Promise<Membership> {
    const found = await reading(() => deps.api().membershipsByIds(chainId, [membershipId]));
    const m = found.find((x) => x.id === membershipId);
    if (!m) throw new DeskFailure('not_found', msg('error.app.membershipNotFound', { id: membershipId }));
    return m;
  }

  /** A membership as the desk shows it (sent-freeze.ts: the app's freeze date where Altegio gives none). */
  const shown = (m: Membership): Membership => sentFreeze.shown(m);

  /** A fresh read for a write, with the claims' generation taken before it (jobs/claims.ts). */
  async function readForWrite(chainId: number, membershipId: number): Promise<{ m: Membership; generation: number }> {
    const generation = jobs.claims.generation(membershipId);
    return { m: await read(chainId, membershipId), generation };
  }

  interface WriteSpec {
    kind: string;
    payload: unknown;
    chainId: number;
    locationId: number | null;
    read: { m: Membership; generation: number };
    reason: string;
    undoOf?: number;
    /** The sentence used when the write went through but recording or re-reading it failed. */
    doneWord: Msg;
  }

  function precheck(spec: WriteSpec): void {
    const problem = opKind(spec.kind).precheck(spec.read.m, spec.payload, {
      rights: deps.rights(spec.chainId),
      now: now(),
      timezone: zoneOf(spec.locationId),
    });
    if (problem) throw new DeskFailure(problem.kind, problem.message, problem.fields ? { fields: problem.fields } : {});
  }

  /** Runs the write as a one-op job; returns the membership read back and the audit entry's id. */
  async function write(spec: WriteSpec): Promise<DeskWriteResult> {
    const mark = sentFreeze.mark();
    const { outcome, auditId, fault } = await jobs.run({
      kind: spec.kind,
      payload: spec.payload,
      chainId: spec.chainId,
      locationId: spec.locationId,
      membership: spec.read.m,
      generation: spec.read.generation,
      reason: spec.reason,
      user: deps.user(),
      ...(spec.undoOf !== undefined && { undoOf: spec.undoOf }),
    });
    const storage = fault === null ? null : asStorageFault(fault);
    if (outcome.state !== 'applied') {
      if (storage !== null && isStorageFault(storage)) throw storage;
      throw deskFailure(outcome) ?? new DeskFailure('server', msg('error.app.changeFailed'));
    }
    // Once Altegio has taken the change, a record that cannot be written (full disk…) must not read
    // as "not done": the person would do it again.
    const done = (f: unknown) => {
      const sf = asStorageFault(f);
      if (!isStorageFault(sf)) throw sf;
      return new DeskFailure('storage', msg('error.app.doneNotRecorded', { done: spec.doneWord, fault: sf.msg ?? sf.message }), { cause: f });
    };
    if (storage !== null) throw done(storage);
    if (auditId === null || outcome.membership === null) throw new DeskFailure('server', msg('error.app.doneNotReadBack', { done: spec.doneWord }));
    // The read that confirmed it is the result (and the audit entry's after-snapshot), as the desk shows it.
    noted([outcome.membership], mark);
    return { membership: shown(outcome.membership), auditId };
  }

  async function freeze(args: FreezeArgs): Promise<DeskWriteResult> {
    const timezone = deps.timezone(args.locationId);
    const payload: FreezePayload = { freezeTill: args.freezeTill, timezone };
    // The date's shape first: nothing to read for a date that is no date.
    const spec = (read: WriteSpec['read']): WriteSpec => ({ kind: 'freeze', payload, chainId: args.chainId, locationId: args.locationId, read, reason: args.reason ?? '', doneWord: msg('error.app.done', { what: 'freeze', date: args.freezeTill }) });
    if (!opKind('freeze').codec.safeParse(opKind('freeze').encode(payload)).success) {
      throw new DeskFailure('validation', msg('error.app.pickEndDate'), { fields: { freezeTill: msg('error.app.dateShape', { example: '2026-05-20' }) } });
    }
    const s = spec(await readForWrite(args.chainId, args.membershipId));
    precheck(s);
    return write(s);
  }

  function unfreezeSpec(read: WriteSpec['read'], chainId: number, locationId: number | null, reason: string, freezeOf?: UnfreezePayload, undoOf?: number): WriteSpec {
    // The unfreeze keeps the expiry extension for the days already frozen: the log says so.
    const effect = unfreezeEffect(read.m, now(), zoneOf(locationId));
    const payload: UnfreezePayload = { ...freezeOf, note: effect.text };
    return { kind: 'unfreeze', payload, chainId, locationId, read, reason, doneWord: msg('error.app.done', { what: 'unfreeze', date: '' }), ...(undoOf !== undefined && { undoOf }) };
  }

  async function unfreeze(args: UnfreezeArgs): Promise<DeskWriteResult> {
    const s = unfreezeSpec(await readForWrite(args.chainId, args.membershipId), args.chainId, args.locationId, args.reason ?? '');
    precheck(s);
    return write(s);
  }

  /** Validates targets against a fresh membership; returns the body with only the changed lines. */
  function planOrThrow(m: Membership, chainId: number, target: BalanceTarget): BalanceTarget {
    const plan = planBalanceTargets(m, target);
    if (plan.errors.length > 0) {
      const fields: Record<string, Msg> = {};
      for (const e of plan.errors) fields[e.key === 'united' ? 'united' : `services.${e.key}`] ??= e.why;
      throw new DeskFailure('validation', plan.errors.length === 1 ? plan.errors[0]!.why : msg('error.app.someBalances'), { fields });
    }
    if (plan.body === null) throw new DeskFailure('validation', msg('error.app.balanceUnchanged'));
    void chainId;
    return plan.body;
  }

  function balanceSpec(read: WriteSpec['read'], chainId: number, locationId: number | null, reason: string, target: BalanceTarget): WriteSpec {
    const s: WriteSpec = { kind: 'set_balance', payload: null, chainId, locationId, read, reason, doneWord: msg('error.app.done', { what: 'balance', date: '' }) };
    precheck(s);
    s.payload = balancePayload(read.m, planOrThrow(read.m, chainId, target));
    return s;
  }

  async function setBalance(args: SetBalanceArgs): Promise<DeskWriteResult> {
    const reason = args.reason.trim();
    if (reason === '') throw new DeskFailure('validation', msg('error.app.sayWhy'), { fields: { reason: msg('error.app.sayWhy') } });
    const read = await readForWrite(args.chainId, args.membershipId);
    const target: BalanceTarget = 'united' in args ? { united: args.united } : { services: args.services };
    return write(balanceSpec(read, args.chainId, args.locationId, reason, target));
  }

  async function setPeriod(args: SetPeriodArgs): Promise<DeskWriteResult> {
    const timezone = deps.timezone(args.locationId);
    const read = await readForWrite(args.chainId, args.membershipId);
    const a = periodAvailability(read.m, deps.rights(args.chainId), now(), timezone);
    if (!a.allowed) throw new DeskFailure(a.code === 'no_right' ? 'forbidden' : 'validation', a.why);
    const problem = periodDateProblem(a, args.expiry);
    if (problem !== null) throw new DeskFailure('validation', PERIOD_DATE_WORDS[problem], { fields: { expiry: PERIOD_DATE_WORDS[problem] } });
    const preview = periodPreview(a, args.expiry);
    const payload: SetPeriodPayload = {
      expect: { ...currentValidity(read.m, a), expiry: a.expiry },
      target: { period: preview.days, unit: 'day', expiry: preview.expiry },
      timezone,
    };
    const s: WriteSpec = { kind: 'set_period', payload, chainId: args.chainId, locationId: args.locationId, read, reason: args.reason ?? '', doneWord: msg('error.app.done', { what: 'period', date: args.expiry }) };
    precheck(s);
    return write(s);
  }

  async function undo(auditId: number, reason?: string, language?: Language): Promise<{ membership: Membership; entry: AuditEntry }> {
    const original = deps.store.audit.get(auditId);
    if (!original) throw new DeskFailure('not_found', msg('error.app.auditGone'));
    if (original.undoneBy !== null) throw new DeskFailure('conflict', msg('error.app.alreadyUndone', { entry: original.undoneBy }));
    if (original.outcome !== 'ok') {
      throw new DeskFailure('validation', original.outcome === 'failed' ? msg('error.app.undoFailedChange') : msg('error.app.undoUnknown'));
    }
    const tz = zoneOf(original.locationId);
    // When that change was made, worded by the reader in the location's zone (as the audit shows it).
    const since = momentParam(original.at, tz);
    // The reason kept when none is given: what is undone, and why it was done (worded once, here).
    const undone = msg('audit.action.undoOf', { action: original.action, when: since });
    const undoReason = reason?.trim() || wordsIn(language).say(original.reason ? msg('audit.undoReason', { undo: undone, reason: original.reason }) : undone);

    if (original.action === 'unfreeze') throw new DeskFailure('validation', msg('error.app.undoUnfreeze'));
    if (original.action !== 'freeze' && original.action !== 'set_balance' && original.action !== 'set_period') throw new DeskFailure('validation', msg('error.app.undoUndo'));
    // The inverse of the operation that entry records (undo.ts), run as a one-op job once a fresh
    // read shows the membership still as that change left it (the inverse kind's state()).
    const inverse = inverseOfEntry(jobs.journal, original, tz, deps.log);
    const read = await readForWrite(original.chainId, original.membershipId);
    const refused = undoConflict(inverse, read.m, since);
    if (refused) throw refused;
    const at = { chainId: original.chainId, locationId: original.locationId };
    const s: WriteSpec =
      inverse.kind === unfreezeOp.name
        ? unfreezeSpec(read, at.chainId, at.locationId, undoReason, payloadOf(unfreezeOp, inverse), original.id)
        : { kind: inverse.kind, payload: inverse.payload, ...at, read, reason: undoReason, doneWord: undoneWord(inverse), undoOf: original.id };
    precheck(s);
    const result = await write(s);

    // The runner marked the original undone when it settled the undo (jobs/settle.ts).
    const entry = deps.store.audit.get(result.auditId);
    if (!entry) throw new DeskFailure('server', msg('error.app.undoEntryUnread'));
    return { membership: result.membership, entry };
  }

  return {
    get: async (chainId, membershipId) => shown(await read(chainId, membershipId)),
    resolveLeftovers: () => jobs.resolveLeftovers(),
    async forClient(locationId, clientId) {
      const client = await deps.api().client(locationId, clientId);
      // The phone as Altegio holds it: no phone by the rule (common/phone.ts), no look-up.
      const phone = client.phone;
      if (phone == null || !canBePhone(phone)) return { client, memberships: [], noPhone: true };
      return { client, memberships: (await reading(() => deps.api().membershipsByPhone(locationId, phone))).map(shown), noPhone: false };
    },
    async byPhone(locationId, phone) {
      // As the desk types it at this location ("8 903 …" in Moscow is 7903…), or the one refusal.
      const digits = phoneOrRefuse(phone, callingCodeForZone(deps.timezone(locationId)));
      return { memberships: (await reading(() => deps.api().membershipsByPhone(locationId, digits))).map(shown) };
    },
    freeze,
    unfreeze,
    setBalance,
    setPeriod,
    undo,
  };
}
