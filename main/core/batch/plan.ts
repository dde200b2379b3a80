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

type Forbidden = { code: ProblemCode; message: string };

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
  return c.service === null ? 'Shared balance' : 'id' in c.service ? (c.serviceTitle ?? String(c.service.id)) : c.service.title;
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
 * The planner keeps nothing of a correction but its (immutable) op and reason: the caller may
 * reuse the object for the next row.
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
    byId: new Map(),
    ms: [],
    forbidden: [],
    titles: [],
    united: new Uint8Array(total),
    firstTarget: [],
    lastTarget: [],
    nextTarget: new Int32Array(total),
    nextRow: new Int32Array(total),
    tailRow: new Int32Array(total),
    lastM: null,
    lastK: -1,
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

/**
 * Bookkeeping in flat arrays (no object per membership or balance line: at 100,000 rows these
 * would all live until `finish`, i.e. be copied by every young-generation GC).
 * Memberships get an index k in order of their first row. A balance line a row touches (a
 * "target") is named by the row index of its first row, whose PlannedRow carries the line's id
 * (serviceId, null = united), title (serviceLabel) and current value (before).
 */
interface PlannerState {
  lookups: PlanLookups;
  rows: PlannedRow[];
  /** Membership id -> k. */
  byId: Map<number, number>;
  /** Per membership k: the membership (the first object seen for its id), why it cannot be changed, its lines by title (lazy), first and last target (-1 = none). */
  ms: Membership[];
  forbidden: (Forbidden | null)[];
  titles: (Map<string, BalanceLine[]> | null)[];
  /** 1 = the membership has one shared balance (read while the membership is at hand). */
  united: Uint8Array;
  firstTarget: number[];
  lastTarget: number[];
  /** Per target (first row index): the next target of the same membership, -1 = none. */
  nextTarget: Int32Array;
  /** Per row of a target: the next row of the same target, -1 = none. */
  nextRow: Int32Array;
  /** Per target: its last row (appending in file order). */
  tailRow: Int32Array;
  /** Rows of one membership are usually adjacent in an export: skip the map for them. */
  lastM: Membership | null;
  lastK: number;
  rightCache: Map<number, boolean>;
}

function addCorrection(s: PlannerState, c: Correction): void {
  const index = c.index;
  const p: PlannedRow = {
    index,
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
  const rows = s.rows;
  rows[index] = p;
  const m = resolveMembership(c, p, s.lookups);
  if (m === undefined) {
    p.membershipLabel = refLabel(c);
    p.serviceLabel = serviceRefLabel(c);
    return;
  }
  p.membershipId = m.id;
  p.membershipLabel = m.number;
  p.chainId = m.chainId;
  let k: number;
  if (s.lastM === m) k = s.lastK;
  else {
    const found = s.byId.get(m.id);
    if (found === undefined) {
      k = s.ms.length;
      s.byId.set(m.id, k);
      s.ms.push(m);
      s.forbidden.push(forbiddenReason(m, s.lookups, s.rightCache));
      s.titles.push(null);
      s.united[k] = m.balance.kind === 'united' ? 1 : 0;
      s.firstTarget.push(-1);
      s.lastTarget.push(-1);
    } else k = found;
    s.lastM = m;
    s.lastK = k;
  }
  const forbidden = s.forbidden[k] as Forbidden | null;
  if (forbidden !== null) {
    p.serviceLabel = serviceRefLabel(c);
    addRowProblem(p, null, forbidden.code, forbidden.message);
    return;
  }
  const line = resolveLine(c, p, s, k);
  if (line === null) {
    p.serviceLabel = serviceRefLabel(c);
    return;
  }
  let serviceId: number | null;
  if (line === 'united') {
    p.serviceLabel = 'Shared balance';
    p.before = m.balance.kind === 'united' ? m.balance.count : 0;
    serviceId = null;
  } else {
    serviceId = line.serviceId === 0 ? null : line.serviceId;
    p.serviceId = serviceId;
    p.serviceLabel = line.title;
    p.before = line.count;
  }
  const { nextTarget, nextRow, tailRow } = s;
  nextRow[index] = -1;
  let f = s.firstTarget[k] as number;
  while (f !== -1 && (rows[f] as PlannedRow).serviceId !== serviceId) f = nextTarget[f] as number;
  if (f !== -1) {
    nextRow[tailRow[f] as number] = index;
    tailRow[f] = index;
    return;
  }
  tailRow[index] = index;
  nextTarget[index] = -1;
  const lastT = s.lastTarget[k] as number;
  if (lastT === -1) s.firstTarget[k] = index;
  else nextTarget[lastT] = index;
  s.lastTarget[k] = index;
}

function finishPlan(s: PlannerState, options: PlanOptions): BatchPlan {
  const max = options.maxCount ?? MAX_COUNT;
  const { rows, firstTarget, nextTarget, nextRow } = s;
  for (let i = 0; i < rows.length; i++) if (rows[i] === undefined) throw new Error(`planner: row ${i} was never added`);
  // Per balance line: duplicates, contradictions, deltas -> absolute targets; per membership: one operation.
  const operations: Operation[] = [];
  const changed: number[] = [];
  const afters: number[] = [];
  for (let k = 0; k < s.ms.length; k++) {
    let f = firstTarget[k] as number;
    if (f === -1) continue;
    // The membership's id, number and chain are on its rows (finish never touches the membership).
    const number = (rows[f] as PlannedRow).membershipLabel;
    changed.length = 0;
    afters.length = 0;
    for (; f !== -1; f = nextTarget[f] as number) {
      const p = rows[f] as PlannedRow;
      const before = p.before as number;
      let after: number;
      if (nextRow[f] === -1) {
        // One row for this balance line (the common case): no duplicate or contradiction possible.
        const op = p.op as BalanceOp;
        after = 'set' in op ? op.set : before + op.delta;
        if (after < 0 || after > max) {
          rangeProblem(p.serviceLabel, before, [p], after, 'set' in op ? 0 : op.delta, number, max);
          continue;
        }
        p.after = after;
      } else {
        const live = dedupe(rows, f, nextRow);
        const a = targetValue(p.serviceLabel, before, live, number, max);
        if (a === null) continue;
        after = a;
        // The target's rows are now the live ones (the first row is never a duplicate).
        for (let i = 0; i < live.length; i++) {
          const q = live[i] as PlannedRow;
          q.after = after;
          nextRow[q.index] = i + 1 < live.length ? (live[i + 1] as PlannedRow).index : -1;
        }
      }
      if (after !== before) {
        changed.push(f);
        afters.push(after);
      }
    }
    if (changed.length === 0) continue;
    operations.push(buildOperation(s.united[k] === 1, rows, nextRow, changed, afters, operations.length, options));
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

function forbiddenReason(m: Membership, lookups: PlanLookups, rightCache: Map<number, boolean>): Forbidden | null {
  if (m.type.balanceEditType === 0) {
    return { code: 'forbidden_by_type', message: `Membership ${m.number}: its type (${m.type.title}) does not allow balance changes.` };
  }
  let right = rightCache.get(m.chainId);
  if (right === undefined) rightCache.set(m.chainId, (right = lookups.canEditBalance(m.chainId)));
  return right ? null : { code: 'forbidden_by_right', message: `You have no right to change membership balances in this chain (membership ${m.number}).` };
}

/** The balance line a row targets ('united' for the shared balance), or null with a problem added. */
function resolveLine(c: Correction, p: PlannedRow, s: PlannerState, k: number): BalanceLine | 'united' | null {
  const m = s.ms[k] as Membership;
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
    let titles = s.titles[k] as Map<string, BalanceLine[]> | null;
    if (titles === null) {
      titles = new Map();
      for (const l of bal.lines) {
        const key = titleKey(l.title);
        const list = titles.get(key);
        if (list) list.push(l);
        else titles.set(key, [l]);
      }
      s.titles[k] = titles;
    }
    const matches = titles.get(titleKey(c.service.title));
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
function rangeProblem(title: string, before: number, live: PlannedRow[], after: number, deltaSum: number, number: string, max: number): void {
  if (after < 0) {
    const msg = `${title} of membership ${number} would go below zero (${before} ${deltaSum >= 0 ? '+' : '−'} ${Math.abs(deltaSum)} = ${after}).`;
    for (const p of live) addRowProblem(p, 'delta', 'below_zero', msg);
  } else {
    const msg = `${title} of membership ${number} would exceed ${max.toLocaleString('en-US')} (${after}).`;
    for (const p of live) addRowProblem(p, 'delta' in (p.op as BalanceOp) ? 'delta' : 'balance', 'too_large', msg);
  }
}

/** One operation for a membership; `changed` = its changed targets (first row indices), `afters` their planned values. */
function buildOperation(united: boolean, rows: PlannedRow[], nextRow: Int32Array, changed: number[], afters: number[], opIndex: number, options: PlanOptions): SetBalanceOperation {
  const n = changed.length;
  let before: BalanceValues;
  let after: BalanceValues;
  const p0 = rows[changed[0] as number] as PlannedRow;
  if (united) {
    before = { united: p0.before as number };
    after = { united: afters[0] as number };
  } else {
    // By service id (insertion sort: a membership has few lines).
    for (let i = 1; i < n; i++) {
      const f = changed[i] as number;
      const a = afters[i] as number;
      const sid = (rows[f] as PlannedRow).serviceId as number;
      let j = i - 1;
      while (j >= 0 && ((rows[changed[j] as number] as PlannedRow).serviceId as number) > sid) {
        changed[j + 1] = changed[j] as number;
        afters[j + 1] = afters[j] as number;
        j--;
      }
      changed[j + 1] = f;
      afters[j + 1] = a;
    }
    // Sized up front: arrays grown by push keep spare capacity (retained by every plan).
    const b: ServiceBalanceValue[] = new Array<ServiceBalanceValue>(n);
    const a: ServiceBalanceValue[] = new Array<ServiceBalanceValue>(n);
    for (let i = 0; i < n; i++) {
      const p = rows[changed[i] as number] as PlannedRow;
      const serviceId = p.serviceId ?? 0;
      b[i] = { serviceId, balance: p.before as number };
      a[i] = { serviceId, balance: afters[i] as number };
    }
    before = { services: b };
    after = { services: a };
  }
  let lines: number[];
  let reason: string;
  const f0 = changed[0] as number;
  if (n === 1 && nextRow[f0] === -1) {
    // One row -> one operation (the common case).
    const only = rows[f0] as PlannedRow;
    only.operation = opIndex;
    lines = [only.line];
    reason = only.reason;
  } else {
    const all: PlannedRow[] = [];
    for (let i = 0; i < n; i++) for (let r = changed[i] as number; r !== -1; r = nextRow[r] as number) all.push(rows[r] as PlannedRow);
    if (all.length > 1) all.sort(byLine);
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
  return { kind: 'set_balance', membershipId: p0.membershipId as number, membershipNumber: p0.membershipLabel, chainId: p0.chainId as number, body: after, before, after, rowLines: lines, reason };
}
function byLine(a: PlannedRow, b: PlannedRow): number {
  return a.line - b.line;
}

/** Rows of a balance line (from its first row `f`) minus identical repeats (same operation and reason), which get a problem. */
function dedupe(rows: PlannedRow[], f: number, nextRow: Int32Array): PlannedRow[] {
  const seen = new Map<string, number>();
  const live: PlannedRow[] = [];
  for (let r = f; r !== -1; r = nextRow[r] as number) {
    const p = rows[r] as PlannedRow;
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
function targetValue(title: string, before: number, live: PlannedRow[], number: string, max: number): number | null {
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
    for (const p of live) addRowProblem(p, null, 'contradiction', `Contradictory rows for ${title} of membership ${number} (${summary}); none applied.`);
    return null;
  }
  const after = setValue !== null ? setValue : before + deltaSum;
  if (after < 0 || after > max) {
    rangeProblem(title, before, live, after, deltaSum, number, max);
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
