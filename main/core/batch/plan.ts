/**
 * Validated rows + current memberships -> a plan: one outcome per row (change / unchanged / invalid
 * with the reasons) and one operation per membership combining all its rows, with before/after
 * snapshots for the apply engine's conflict check and for undo. Pure, no I/O: memberships are
 * looked up through callbacks over data the caller fetched (in pages of ids).
 *
 * Semantics (DESIGN §5, §11):
 *  - membership by id, or by number + phone (number compared as written, then ignoring leading
 *    zeros that Excel strips; several matches = ambiguous);
 *  - service by id, or by title case-insensitively among the membership's balance lines; blank =
 *    the united balance; on a per-service membership with a single line, blank means that line;
 *  - deltas become absolute targets; several deltas on the same balance line add up;
 *  - identical rows (same membership, balance, operation and reason) are duplicates: the first counts,
 *    the others are reported and skipped (a repeated "+1" is never applied twice by accident);
 *  - two different absolute values, or an absolute value and a delta, for the same balance line are a
 *    contradiction: every row of that line is invalid (we never pick one silently);
 *  - a membership whose type forbids balance edits (balance_edit_type_id 0) or whose chain the user
 *    has no balance right on: all its rows are invalid;
 *  - unlimited balances cannot be changed; a result below zero or above the maximum is invalid.
 */
import type { Membership, BalanceLine } from '../../../preload/contract';
import type { RowProblem, ProblemCode } from './problems';
import type { BalanceOp, Correction, InvalidRow, ValidatedRows } from './validate';
import { MAX_COUNT } from './validate';

// ---------------------------------------------------------------------------------------------
// Lookups

export interface PlanLookups {
  membershipById(id: number): Membership | undefined;
  /** Every membership with this number among those of the phone's client(s). */
  membershipsByNumberPhone(number: string, phone: string): readonly Membership[];
  /** The signed-in user's balance-edit right on a chain. */
  canEditBalance(chainId: number): boolean;
}

export interface MembershipEntry {
  membership: Membership;
  /** Phones (digits only) under which this membership was found, if looked up by phone. */
  phones?: readonly string[];
}

const stripZeros = (s: string) => s.replace(/^0+(?=.)/, '');

/** In-memory lookups over memberships the caller fetched. */
export function createLookups(entries: Iterable<MembershipEntry>, canEditBalance: (chainId: number) => boolean): PlanLookups {
  const byId = new Map<number, Membership>();
  const byPhone = new Map<string, Membership[]>();
  const single = new Map<number, readonly Membership[]>();
  for (const { membership, phones } of entries) {
    byId.set(membership.id, membership);
    single.set(membership.id, [membership]);
    for (const p of phones ?? []) {
      const list = byPhone.get(p) ?? [];
      if (!list.some((m) => m.id === membership.id)) list.push(membership);
      byPhone.set(p, list);
    }
  }
  const none: readonly Membership[] = [];
  return {
    membershipById: (id) => byId.get(id),
    membershipsByNumberPhone(number, phone) {
      const list = byPhone.get(phone);
      if (list === undefined) return none;
      const n = number.trim();
      let found: Membership | null = null;
      let count = 0;
      for (const m of list) {
        if (m.number === n || m.number.trim() === n) {
          found = m;
          count++;
        }
      }
      if (count === 1 && found !== null) return list.length === 1 ? list : (single.get(found.id) ?? [found]);
      if (count > 1) return list.filter((m) => m.number.trim() === n);
      // Excel drops leading zeros from numbers it takes for figures.
      const z = stripZeros(n).toLowerCase();
      return list.filter((m) => stripZeros(m.number.trim()).toLowerCase() === z);
    },
    canEditBalance,
  };
}

/** What the caller must fetch before planning: unique membership ids and phones, in file order. */
export function collectRefs(corrections: readonly Correction[]): { ids: number[]; phones: string[] } {
  const ids = new Set<number>();
  const phones = new Set<string>();
  for (const c of corrections) {
    if ('id' in c.membershipRef) ids.add(c.membershipRef.id);
    else phones.add(c.membershipRef.phone);
  }
  return { ids: [...ids], phones: [...phones] };
}

// ---------------------------------------------------------------------------------------------
// Plan shape

export type RowOutcome = 'change' | 'unchanged' | 'invalid';

export interface PlannedRow {
  index: number;
  line: number;
  outcome: RowOutcome;
  membershipId: number | null;
  /** Membership number when resolved, else what the row said. */
  membershipLabel: string;
  chainId: number | null;
  /** Balance line id; null = the united balance (or unresolved). */
  serviceId: number | null;
  /** Balance line title, "united balance", or what the row said. */
  serviceLabel: string;
  op: BalanceOp | null;
  /** The balance line's current value and planned value (for every row of that line). */
  before: number | null;
  after: number | null;
  reason: string;
  problems: RowProblem[];
  /** Index into `operations`, or -1. */
  operation: number;
}

export interface ServiceBalanceValue {
  serviceId: number;
  balance: number;
}
export type BalanceValues = { united: number } | { services: ServiceBalanceValue[] };

interface OperationBase<K extends string, Body, Snapshot> {
  kind: K;
  membershipId: number;
  membershipNumber: string;
  chainId: number;
  body: Body;
  before: Snapshot;
  after: Snapshot;
  /** Lines of the rows this operation carries out (changed rows only). */
  rowLines: number[];
  reason: string;
}

/** set_balance: `body` is the request (contract `memberships.setBalance`: `united` or `services`). */
export type SetBalanceOperation = OperationBase<'set_balance', BalanceValues, BalanceValues>;
/** Union grows with bulk freeze / unfreeze. */
export type Operation = SetBalanceOperation;
export type OperationKind = Operation['kind'];

export interface PlanTotals {
  rows: number;
  toChange: number;
  unchanged: number;
  invalid: number;
  /** Memberships to write = operations. */
  memberships: number;
}

export interface RateLimitsLike {
  perSecond: number;
  perMinute: number;
}

export interface DurationEstimate {
  requests: number;
  ms: number;
}

export interface BatchPlan {
  kind: OperationKind;
  rows: PlannedRow[];
  operations: Operation[];
  totals: PlanTotals;
  estimate: DurationEstimate;
}

export interface PlanOptions {
  /** Used when none of an operation's rows has a reason (the API requires one). */
  defaultReason?: string;
  /** Largest balance accepted. Default 100,000. */
  maxCount?: number;
  /** The shared limiter's limits. Default 5/s and 200/min (ALTEGIO.md §1.6). */
  rate?: RateLimitsLike;
  /** Re-reads per write (ids re-read in pages). Default 0.05. */
  readsPerWrite?: number;
}

export const DEFAULT_RATE: RateLimitsLike = { perSecond: 5, perMinute: 200 };
export const DEFAULT_REASON = 'Batch balance correction';
const MAX_OP_REASON = 500;

/** Time to send `writes` writes (plus their batched re-reads) at a steady min(perSecond, perMinute/60). */
export function estimateDuration(writes: number, rate: RateLimitsLike = DEFAULT_RATE, readsPerWrite = 0.05): DurationEstimate {
  const requests = writes + (writes > 0 ? Math.ceil(writes * readsPerWrite) : 0);
  const perSecond = Math.max(1e-6, Math.min(rate.perSecond, rate.perMinute / 60));
  return { requests, ms: Math.round((requests / perSecond) * 1000) };
}

// ---------------------------------------------------------------------------------------------
// Planning

/** normalizeTitle with a small cache (row titles repeat a lot). */
const titleCache = new Map<string, string>();
function titleKey(s: string): string {
  let k = titleCache.get(s);
  if (k === undefined) {
    k = normalizeTitle(s);
    if (titleCache.size > 10_000) titleCache.clear();
    titleCache.set(s, k);
  }
  return k;
}

/** Normalised title for case-insensitive comparison. */
export function normalizeTitle(s: string): string {
  let t = s.trim().toLowerCase();
  if (t.includes('ё')) t = t.replace(/ё/g, 'е');
  if (MULTI_SPACE.test(t)) t = t.replace(/\s+/g, ' ');
  return t;
}
const MULTI_SPACE = /\s\s|[\t\n\r\u00a0\u2000-\u200a\u202f\u3000]/;

interface MembershipInfo {
  m: Membership;
  /** Copied while the membership is being read anyway (phase 2 then never touches it again). */
  id: number;
  number: string;
  chainId: number;
  united: boolean;
  /** Why no row of it can be applied, if so. */
  forbidden: { code: ProblemCode; message: string } | null;
  titles: Map<string, BalanceLine[]> | null;
  /** Balance lines the rows touch: the first inline, others in a small array (few per membership). */
  t0: Target | null;
  more: Target[] | null;
}

interface Target {
  serviceId: number; // 0 = united
  title: string;
  before: number;
  first: PlannedRow;
  more: PlannedRow[] | null;
  after: number;
}

/** Shared empty problem list of valid rows (never mutated: see addRowProblem). */
const NO_PROBLEMS = Object.freeze([]) as unknown as RowProblem[];

function addRowProblem(p: PlannedRow, field: RowProblem['field'], code: ProblemCode, message: string): void {
  if (p.problems === NO_PROBLEMS) p.problems = [];
  p.problems.push({ line: p.line, column: null, field, code, message });
}

function refLabel(c: Correction): string {
  return 'id' in c.membershipRef ? String(c.membershipRef.id) : `${c.membershipRef.number} / ${c.membershipRef.phone}`;
}
function serviceRefLabel(c: Correction): string {
  return c.service === null ? 'united balance' : 'id' in c.service ? (c.serviceTitle ?? String(c.service.id)) : c.service.title;
}
function opText(op: BalanceOp): string {
  return 'set' in op ? `set ${op.set}` : `${op.delta >= 0 ? '+' : ''}${op.delta}`;
}

export function planCorrections(validated: ValidatedRows, lookups: PlanLookups, options: PlanOptions = {}): BatchPlan {
  const planner = createPlanner(validated.total, lookups, options);
  for (const inv of validated.invalid) planner.addInvalid(inv);
  for (const c of validated.corrections) planner.add(c);
  return planner.finish();
}

/**
 * Streaming form of planCorrections: rows are fed one by one (in file order) as they are
 * validated, so the pipeline never keeps the intermediate corrections. `total` = data rows;
 * every index in 0..total-1 must be added once (valid or invalid) before `finish`.
 */
export interface Planner {
  add(c: Correction): void;
  addInvalid(inv: InvalidRow): void;
  finish(): BatchPlan;
}

export function createPlanner(total: number, lookups: PlanLookups, options: PlanOptions = {}): Planner {
  const state: PlannerState = {
    lookups,
    rows: new Array<PlannedRow>(total),
    infos: new Map(),
    infoList: [],
    last: null,
    rightCache: new Map(),
  };
  return {
    add: (c) => addCorrection(state, c),
    addInvalid: (inv) => {
      state.rows[inv.index] = invalidRow(inv);
    },
    finish: () => finishPlan(state, options),
  };
}

interface PlannerState {
  lookups: PlanLookups;
  rows: PlannedRow[];
  /** Insertion order = order of each membership's first row (rows come in file order). */
  infos: Map<number, MembershipInfo>;
  infoList: MembershipInfo[];
  last: MembershipInfo | null;
  rightCache: Map<number, boolean>;
}

function addCorrection(state: PlannerState, c: Correction): void {
  const lookups = state.lookups;
  const p: PlannedRow = {
    index: c.index,
    line: c.line,
    outcome: 'invalid',
    membershipId: null,
    membershipLabel: '',
    chainId: null,
    serviceId: null,
    serviceLabel: '',
    op: c.op,
    before: null,
    after: null,
    reason: c.reason,
    problems: NO_PROBLEMS,
    operation: -1,
  };
  state.rows[c.index] = p;
  const m = resolveMembership(c, p, lookups);
  if (m === undefined) {
    p.membershipLabel = refLabel(c);
    p.serviceLabel = serviceRefLabel(c);
    return;
  }
  p.membershipId = m.id;
  p.membershipLabel = m.number;
  p.chainId = m.chainId;
  // Rows of one membership are usually adjacent in an export: skip the map for them.
  const last = state.last;
  let info: MembershipInfo | undefined = last !== null && last.m === m ? last : state.infos.get(m.id);
  if (info === undefined) {
    info = { m, id: m.id, number: m.number, chainId: m.chainId, united: m.balance.kind === 'united', forbidden: forbiddenReason(m, lookups, state.rightCache), titles: null, t0: null, more: null };
    state.infos.set(m.id, info);
    state.infoList.push(info);
  }
  state.last = info;
  if (info.forbidden !== null) {
    p.serviceLabel = serviceRefLabel(c);
    addRowProblem(p, null, info.forbidden.code, info.forbidden.message);
    return;
  }
  const line = resolveLine(c, p, info);
  if (line === null) {
    p.serviceLabel = serviceRefLabel(c);
    return;
  }
  const serviceId = line === 'united' ? 0 : line.serviceId;
  const title = line === 'united' ? 'united balance' : line.title;
  const before = line === 'united' ? (m.balance.kind === 'united' ? m.balance.count : 0) : line.count;
  p.serviceId = serviceId === 0 ? null : serviceId;
  p.serviceLabel = title;
  p.before = before;
  let t: Target | null = info.t0 !== null && info.t0.serviceId === serviceId ? info.t0 : null;
  if (t === null && info.more !== null) for (const x of info.more) if (x.serviceId === serviceId) t = x;
  if (t !== null) (t.more ??= []).push(p);
  else {
    const nt: Target = { serviceId, title, before, first: p, more: null, after: before };
    if (info.t0 === null) info.t0 = nt;
    else (info.more ??= []).push(nt);
  }
}

function finishPlan(state: PlannerState, options: PlanOptions): BatchPlan {
  const max = options.maxCount ?? MAX_COUNT;
  const { rows, infoList } = state;
  for (let i = 0; i < rows.length; i++) if (rows[i] === undefined) throw new Error(`planner: row ${i} was never added`);
  // Per balance line: duplicates, contradictions, deltas -> absolute targets; per membership: one operation.
  const operations: Operation[] = [];
  const changed: Target[] = [];
  for (const info of infoList) {
    changed.length = 0;
    const n = info.more === null ? 0 : info.more.length;
    for (let k = -1; k < n; k++) {
      const t = k < 0 ? info.t0 : ((info.more as Target[])[k] as Target);
      if (t === null) continue;
      if (t.more === null) {
        // One row for this balance line (the common case): no duplicate or contradiction possible.
        const p = t.first;
        const op = p.op as BalanceOp;
        const after = 'set' in op ? op.set : t.before + op.delta;
        if (after < 0 || after > max) {
          rangeProblem(t, [p], after, 'set' in op ? 0 : op.delta, info, max);
          continue;
        }
        p.after = after;
        t.after = after;
      } else {
        const live = dedupe(t);
        const after = targetValue(t, live, info, max);
        if (after === null) continue;
        for (const p of live) p.after = after;
        t.after = after;
        t.more = live.length > 1 ? live.slice(1) : null;
        t.first = live[0] as PlannedRow;
      }
      if (t.after !== t.before) changed.push(t);
    }
    if (changed.length === 0) continue;
    operations.push(buildOperation(info, changed, operations.length, options));
  }

  // Outcomes and totals.
  let toChange = 0;
  let unchanged = 0;
  let invalid = 0;
  for (const p of rows) {
    if (p.problems.length > 0) {
      p.outcome = 'invalid';
      p.after = null;
      invalid++;
    } else if (p.after !== null && p.after !== p.before) {
      p.outcome = 'change';
      toChange++;
    } else {
      p.outcome = 'unchanged';
      unchanged++;
    }
  }
  return {
    kind: 'set_balance',
    rows,
    operations,
    totals: { rows: rows.length, toChange, unchanged, invalid, memberships: operations.length },
    estimate: estimateDuration(operations.length, options.rate ?? DEFAULT_RATE, options.readsPerWrite ?? 0.05),
  };
}

function resolveMembership(c: Correction, p: PlannedRow, lookups: PlanLookups): Membership | undefined {
  const ref = c.membershipRef;
  if ('id' in ref) {
    const m = lookups.membershipById(ref.id);
    if (m === undefined) addRowProblem(p, 'membership_id', 'unknown_membership', `No membership with ID ${ref.id} was found.`);
    return m;
  }
  const found = lookups.membershipsByNumberPhone(ref.number, ref.phone);
  if (found.length === 1) return found[0];
  if (found.length === 0) addRowProblem(p, 'number', 'unknown_membership', `No membership number ${ref.number} was found for phone ${ref.phone}.`);
  else addRowProblem(p, 'number', 'ambiguous_membership', `Several memberships number ${ref.number} belong to phone ${ref.phone}; use the membership ID.`);
  return undefined;
}

function forbiddenReason(m: Membership, lookups: PlanLookups, rightCache: Map<number, boolean>): MembershipInfo['forbidden'] {
  if (m.type.balanceEditType === 0) {
    return { code: 'forbidden_by_type', message: `Membership ${m.number}: its type (${m.type.title}) does not allow balance changes.` };
  }
  let right = rightCache.get(m.chainId);
  if (right === undefined) rightCache.set(m.chainId, (right = lookups.canEditBalance(m.chainId)));
  return right ? null : { code: 'forbidden_by_right', message: `You have no right to change membership balances in this chain (membership ${m.number}).` };
}

/** The balance line a row targets ('united' for the shared balance), or null with a problem added. */
function resolveLine(c: Correction, p: PlannedRow, info: MembershipInfo): BalanceLine | 'united' | null {
  const m = info.m;
  const bal = m.balance;
  if (bal.kind === 'united') {
    if (c.service !== null) {
      addRowProblem(p, 'id' in c.service ? 'service_id' : 'service', 'service_on_united', `Membership ${m.number} has one shared balance for all services; leave the service empty.`);
      return null;
    }
    if (bal.unlimited) {
      addRowProblem(p, null, 'unlimited', `Membership ${m.number} has an unlimited balance, which cannot be changed.`);
      return null;
    }
    return 'united';
  }
  let line: BalanceLine | undefined;
  if (c.service === null) {
    if (bal.lines.length !== 1) {
      addRowProblem(p, 'service', 'service_required', `Membership ${m.number} has separate balances per service (${bal.lines.map((l) => l.title).join(', ')}); say which service.`);
      return null;
    }
    line = bal.lines[0] as BalanceLine;
  } else if ('id' in c.service) {
    const sid = c.service.id;
    for (const l of bal.lines) if (l.serviceId === sid) line = l;
    if (line === undefined) {
      addRowProblem(p, 'service_id', 'unknown_service', `Service ID ${sid} is not on membership ${m.number}.`);
      return null;
    }
    if (c.serviceTitle !== null && normalizeTitle(c.serviceTitle) !== normalizeTitle(line.title)) {
      addRowProblem(p, 'service', 'service_title_mismatch', `Service ID ${sid} is "${line.title}" on membership ${m.number}, but the row says "${c.serviceTitle}".`);
      return null;
    }
  } else {
    if (info.titles === null) {
      info.titles = new Map();
      for (const l of bal.lines) {
        const k = titleKey(l.title);
        const list = info.titles.get(k);
        if (list) list.push(l);
        else info.titles.set(k, [l]);
      }
    }
    const matches = info.titles.get(titleKey(c.service.title));
    if (matches === undefined) {
      addRowProblem(p, 'service', 'unknown_service', `"${c.service.title}" is not on membership ${m.number} (it has: ${bal.lines.map((l) => l.title).join(', ') || 'no services'}).`);
      return null;
    }
    if (matches.length > 1) {
      addRowProblem(p, 'service', 'ambiguous_service', `Membership ${m.number} has several balances titled "${c.service.title}"; use the service ID.`);
      return null;
    }
    line = matches[0] as BalanceLine;
  }
  if (line.unlimited) {
    addRowProblem(p, null, 'unlimited', `"${line.title}" on membership ${m.number} is unlimited and cannot be changed.`);
    return null;
  }
  return line;
}

/** After a plan value is known: below zero or above the maximum invalidates every row of the line. */
function rangeProblem(t: Target, live: PlannedRow[], after: number, deltaSum: number, m: MembershipInfo, max: number): void {
  if (after < 0) {
    const msg = `${t.title} of membership ${m.number} would go below zero (${t.before} ${deltaSum >= 0 ? '+' : '−'} ${Math.abs(deltaSum)} = ${after}).`;
    for (const p of live) addRowProblem(p, 'delta', 'below_zero', msg);
  } else {
    const msg = `${t.title} of membership ${m.number} would exceed ${max.toLocaleString('en-US')} (${after}).`;
    for (const p of live) addRowProblem(p, 'delta' in (p.op as BalanceOp) ? 'delta' : 'balance', 'too_large', msg);
  }
}

function buildOperation(m: MembershipInfo, changed: Target[], opIndex: number, options: PlanOptions): SetBalanceOperation {
  let before: BalanceValues;
  let after: BalanceValues;
  if (m.united) {
    const t = changed[0] as Target;
    before = { united: t.before };
    after = { united: t.after };
  } else {
    if (changed.length > 1) changed.sort(byServiceId);
    const b: ServiceBalanceValue[] = new Array<ServiceBalanceValue>(changed.length);
    const a: ServiceBalanceValue[] = new Array<ServiceBalanceValue>(changed.length);
    for (let i = 0; i < changed.length; i++) {
      const t = changed[i] as Target;
      b[i] = { serviceId: t.serviceId, balance: t.before };
      a[i] = { serviceId: t.serviceId, balance: t.after };
    }
    before = { services: b };
    after = { services: a };
  }
  let lines: number[];
  let reason: string;
  const only = changed.length === 1 && (changed[0] as Target).more === null ? (changed[0] as Target).first : null;
  if (only !== null) {
    // One row -> one operation (the common case).
    only.operation = opIndex;
    lines = [only.line];
    reason = only.reason;
  } else {
    const all: PlannedRow[] = [];
    for (const t of changed) {
      all.push(t.first);
      if (t.more !== null) for (const p of t.more) all.push(p);
    }
    all.sort(byLine);
    lines = new Array<number>(all.length);
    const reasons: string[] = [];
    for (let i = 0; i < all.length; i++) {
      const p = all[i] as PlannedRow;
      p.operation = opIndex;
      lines[i] = p.line;
      if (p.reason.length > 0 && !reasons.includes(p.reason)) reasons.push(p.reason);
    }
    reason = reasons.length === 1 ? (reasons[0] as string) : reasons.join('; ');
  }
  if (reason === '') reason = options.defaultReason ?? DEFAULT_REASON;
  if (reason.length > MAX_OP_REASON) reason = `${reason.slice(0, MAX_OP_REASON - 1)}…`;
  return { kind: 'set_balance', membershipId: m.id, membershipNumber: m.number, chainId: m.chainId, body: after, before, after, rowLines: lines, reason };
}
function byServiceId(a: Target, b: Target): number {
  return a.serviceId - b.serviceId;
}
function byLine(a: PlannedRow, b: PlannedRow): number {
  return a.line - b.line;
}

/** Rows of a balance line minus identical repeats (same operation and reason), which get a problem. */
function dedupe(t: Target): PlannedRow[] {
  const all = [t.first, ...(t.more ?? [])];
  const seen = new Map<string, number>();
  const live: PlannedRow[] = [];
  for (const p of all) {
    const op = p.op as BalanceOp;
    const sig = `${'set' in op ? `s${op.set}` : `d${op.delta}`}\u0000${p.reason}`;
    const first = seen.get(sig);
    if (first !== undefined) {
      addRowProblem(p, null, 'duplicate', `Same as line ${first}; counted once.`);
      continue;
    }
    seen.set(sig, p.line);
    live.push(p);
  }
  return live;
}

/** The planned absolute value of a balance line, or null (problems added to its rows). */
function targetValue(t: Target, live: PlannedRow[], m: MembershipInfo, max: number): number | null {
  let setValue: number | null = null;
  let contradiction = false;
  let deltaSum = 0;
  let hasDelta = false;
  for (const p of live) {
    const op = p.op as BalanceOp;
    if ('set' in op) {
      if (setValue !== null && setValue !== op.set) contradiction = true;
      setValue = op.set;
    } else {
      hasDelta = true;
      deltaSum += op.delta;
    }
  }
  if (setValue !== null && hasDelta) contradiction = true;
  if (contradiction) {
    const summary = live.map((p) => `line ${p.line}: ${opText(p.op as BalanceOp)}`).join(', ');
    for (const p of live) addRowProblem(p, null, 'contradiction', `Contradictory rows for ${t.title} of membership ${m.number} (${summary}); none applied.`);
    return null;
  }
  const after = setValue !== null ? setValue : t.before + deltaSum;
  if (after < 0 || after > max) {
    rangeProblem(t, live, after, deltaSum, m, max);
    return null;
  }
  return after;
}

function invalidRow(inv: InvalidRow): PlannedRow {
  return {
    index: inv.index,
    line: inv.line,
    outcome: 'invalid',
    membershipId: null,
    membershipLabel: inv.membershipText,
    chainId: null,
    serviceId: null,
    serviceLabel: inv.serviceText,
    op: null,
    before: null,
    after: null,
    reason: inv.reason,
    problems: inv.problems,
    operation: -1,
  };
}
