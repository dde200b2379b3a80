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
import { deltaOp, MAX_COUNT, OpKind, RowKind, setOp, type BalanceOp, type InvalidRow, type ServiceRef, type ValidatedRows } from './validate';

// ---------------------------------------------------------------------------------------------
// Lookups

export interface PlanLookups {
  /** The memberships held, one per id; the lookups name a membership by its slot (index here). */
  readonly memberships: readonly Membership[];
  /** Slot of the membership with this id, or -1. */
  slotById(id: number): number;
  /** Slots of every membership with this number among those of the phone's client(s). */
  slotsByNumberPhone(number: string, phone: string): readonly number[];
  /** The signed-in user's balance-edit right on a chain. */
  canEditBalance(chainId: number): boolean;
}

export interface MembershipEntry {
  membership: Membership;
  /** Phones (digits only) under which this membership was found, if looked up by phone. */
  phones?: readonly string[];
}

const stripZeros = (s: string) => s.replace(/^0+(?=.)/, '');

/** In-memory lookups over memberships the caller fetched (a membership read twice: the later read wins). */
export function createLookups(entries: Iterable<MembershipEntry>, canEditBalance: (chainId: number) => boolean): PlanLookups {
  const slots = new Map<number, number>();
  const memberships: Membership[] = [];
  const byPhone = new Map<string, number[]>();
  for (const { membership, phones } of entries) {
    let slot = slots.get(membership.id);
    if (slot === undefined) {
      slot = memberships.push(membership) - 1;
      slots.set(membership.id, slot);
    } else memberships[slot] = membership;
    for (const p of phones ?? []) {
      const list = byPhone.get(p);
      if (list === undefined) byPhone.set(p, [slot]);
      else if (!list.includes(slot)) list.push(slot);
    }
  }
  const numbers = memberships.map((m) => m.number.trim());
  const singles: (readonly number[] | undefined)[] = [];
  const none: readonly number[] = [];
  return {
    memberships,
    slotById: (id) => slots.get(id) ?? -1,
    slotsByNumberPhone(number, phone) {
      const list = byPhone.get(phone);
      if (list === undefined) return none;
      const n = number.trim();
      let found = -1;
      let count = 0;
      for (const s of list) {
        if (numbers[s] === n) {
          found = s;
          count++;
        }
      }
      if (count === 1) return list.length === 1 ? list : (singles[found] ??= [found]);
      if (count > 1) return list.filter((s) => numbers[s] === n);
      // Excel drops leading zeros from numbers it takes for figures.
      const z = stripZeros(n).toLowerCase();
      return list.filter((s) => stripZeros(numbers[s] as string).toLowerCase() === z);
    },
    canEditBalance,
  };
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
  rows: PlanRows;
  operations: PlanOperations;
  totals: PlanTotals;
  estimate: DurationEstimate;
  /** What the person should know before applying (rows Altegio may refuse), in plain words. */
  notices: string[];
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

const OUTCOME_CHANGE = 0;
const OUTCOME_UNCHANGED = 1;
export const OUTCOME_INVALID = 2;
const OUTCOMES: readonly RowOutcome[] = ['change', 'unchanged', 'invalid'];
/** lineIdx: the membership's shared balance, or no balance line resolved. */
const UNITED = -1;
const NO_LINE = -2;
const NO_PROBLEMS: readonly RowProblem[] = Object.freeze([]);

/** A read-only list whose items are built on demand by `get` (the data lives in columns). */
abstract class ColumnList<T> implements Iterable<T> {
  abstract readonly length: number;
  abstract get(i: number): T;

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  map<U>(fn: (item: T, index: number) => U): U[] {
    const out = new Array<U>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = fn(this.get(i), i);
    return out;
  }

  /** `map`, one item at a time as the caller takes them (none kept). */
  *mapLazily<U>(fn: (item: T, index: number) => U): Generator<U> {
    for (let i = 0; i < this.length; i++) yield fn(this.get(i), i);
  }

  filter(fn: (item: T, index: number) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) {
      const item = this.get(i);
      if (fn(item, i)) out.push(item);
    }
    return out;
  }

  forEach(fn: (item: T, index: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.get(i), i);
  }

  toArray(): T[] {
    return this.map((x) => x);
  }
}

/**
 * The plan's rows in columns (no object per row: a plan of 100,000 rows would otherwise hold
 * 100,000 objects for as long as it lives). `get(i)` builds the PlannedRow view of row i; labels
 * and operations of rows come from the validated rows and the memberships they refer to.
 */
export class PlanRows extends ColumnList<PlannedRow> {
  /** @internal Built by planCorrections. */
  constructor(
    private readonly v: ValidatedRows,
    private readonly ms: readonly Membership[],
    /** Per row: index into `ms`, -1 = membership not resolved. */
    private readonly k: Int32Array,
    /** Per row: index of the balance line in the membership's lines, UNITED or NO_LINE. */
    private readonly lineIdx: Int32Array,
    private readonly before: Float64Array,
    private readonly after: Float64Array,
    private readonly outcomes: Uint8Array,
    private readonly ops: Int32Array,
    private readonly problems: ReadonlyMap<number, RowProblem[]>,
  ) {
    super();
  }

  get length(): number {
    return this.outcomes.length;
  }

  /** Row i's outcome as stored (OUTCOME_INVALID for invalid rows): cheaper than `outcome` in loops. */
  outcomeCode(i: number): number {
    return this.outcomes[i] as number;
  }

  outcome(i: number): RowOutcome {
    return OUTCOMES[this.outcomes[i] as number] as RowOutcome;
  }

  /** Row i's problems (empty for valid rows). */
  problemsOf(i: number): readonly RowProblem[] {
    return this.problems.get(i) ?? NO_PROBLEMS;
  }

  get(i: number): PlannedRow {
    if (!(i >= 0 && i < this.outcomes.length)) throw new RangeError(`plan row ${i} out of range`);
    const v = this.v;
    const k = this.k[i] as number;
    const m = k >= 0 ? (this.ms[k] as Membership) : null;
    const li = this.lineIdx[i] as number;
    const line = m !== null && li >= 0 ? (m.balance.lines[li] as BalanceLine) : null;
    const kind = v.kinds[i] as RowKind;
    const opValue = v.opValues[i] as number;
    const before = this.before[i] as number;
    const after = this.after[i] as number;
    return {
      index: i,
      line: v.lines[i] as number,
      outcome: this.outcome(i),
      membershipId: m?.id ?? null,
      membershipLabel: m !== null ? m.number : refLabel(v, i),
      chainId: m?.chainId ?? null,
      serviceId: line === null || line.serviceId === 0 ? null : line.serviceId,
      serviceLabel: li === UNITED ? SHARED_BALANCE : line !== null ? line.title : serviceRefLabel(v, i),
      op: kind === RowKind.Invalid ? null : v.opKinds[i] === OpKind.Set ? setOp(opValue) : deltaOp(opValue),
      before: Number.isNaN(before) ? null : before,
      after: Number.isNaN(after) ? null : after,
      reason: v.reasons[i] as string,
      problems: [...this.problemsOf(i)],
      operation: this.ops[i] as number,
    };
  }
}

/** Operations in columns, in order of their membership's first row; `get(seq)` builds operation seq. */
export class PlanOperations extends ColumnList<Operation> {
  /** Operations so far. */
  count = 0;
  /** Per operation: membership index (into `ms`). */
  readonly ks: Int32Array;
  /** Per operation: where its targets (changed balance lines, by service id) and its rows start. */
  readonly targetStart: Int32Array;
  readonly rowStart: Int32Array;
  readonly reasons: string[] = [];
  /** Per target: its first row (naming the balance line) and planned value. */
  targetCount = 0;
  readonly targets: Int32Array;
  readonly targetAfters: Float64Array;
  /** Row indices carried out, in file order per operation. */
  rowCount = 0;
  readonly rows: Int32Array;

  /** @internal Built by planCorrections; at most `maxOps` operations over `rows` rows. */
  constructor(
    private readonly v: ValidatedRows,
    private readonly ms: readonly Membership[],
    private readonly lineIdx: Int32Array,
    private readonly before: Float64Array,
    maxOps: number,
  ) {
    super();
    const rows = lineIdx.length;
    this.ks = new Int32Array(maxOps);
    this.targetStart = new Int32Array(maxOps + 1);
    this.rowStart = new Int32Array(maxOps + 1);
    this.targets = new Int32Array(rows);
    this.targetAfters = new Float64Array(rows);
    this.rows = new Int32Array(rows);
  }

  get length(): number {
    return this.count;
  }

  get(seq: number): SetBalanceOperation {
    if (!(seq >= 0 && seq < this.count)) throw new RangeError(`operation ${seq} out of range`);
    const m = this.ms[this.ks[seq] as number] as Membership;
    const t0 = this.targetStart[seq] as number;
    const t1 = this.targetStart[seq + 1] as number;
    let from: BalanceValues;
    let to: BalanceValues;
    const first = this.targets[t0] as number;
    if (this.lineIdx[first] === UNITED) {
      from = { united: this.before[first] as number };
      to = { united: this.targetAfters[t0] as number };
    } else {
      const b = new Array<ServiceBalanceValue>(t1 - t0);
      const a = new Array<ServiceBalanceValue>(t1 - t0);
      for (let t = t0; t < t1; t++) {
        const f = this.targets[t] as number;
        const serviceId = (m.balance.lines[this.lineIdx[f] as number] as BalanceLine).serviceId;
        b[t - t0] = { serviceId, balance: this.before[f] as number };
        a[t - t0] = { serviceId, balance: this.targetAfters[t] as number };
      }
      from = { services: b };
      to = { services: a };
    }
    const r0 = this.rowStart[seq] as number;
    const r1 = this.rowStart[seq + 1] as number;
    const rowLines = new Array<number>(r1 - r0);
    for (let r = r0; r < r1; r++) rowLines[r - r0] = this.v.lines[this.rows[r] as number] as number;
    return { kind: 'set_balance', membershipId: m.id, membershipNumber: m.number, chainId: m.chainId, body: to, before: from, after: to, rowLines, reason: this.reasons[seq] as string };
  }
}

const SHARED_BALANCE = 'Shared balance';

/** What an unresolved row said about its membership. */
function refLabel(v: ValidatedRows, i: number): string {
  const kind = v.kinds[i] as RowKind;
  const ref = v.refs[i] as number;
  if (kind === RowKind.ById) return String(ref);
  if (kind === RowKind.ByNumberPhone) return `${v.refNumbers[ref] as string} / ${v.refPhones[ref] as string}`;
  return (v.invalidRows[ref] as InvalidRow).membershipText;
}

/** What a row whose balance line is not resolved said about it. */
function serviceRefLabel(v: ValidatedRows, i: number): string {
  if (v.kinds[i] === RowKind.Invalid) return (v.invalidRows[v.refs[i] as number] as InvalidRow).serviceText;
  const si = v.serviceIdx[i] as number;
  if (si < 0) return SHARED_BALANCE;
  const service = v.services[si] as Exclude<ServiceRef, null>;
  return 'id' in service ? (v.serviceTitles.get(i) ?? String(service.id)) : service.title;
}

function opText(kind: OpKind, value: number): string {
  return kind === OpKind.Set ? `set ${value}` : `${value >= 0 ? '+' : ''}${value}`;
}

/**
 * Plans validated rows against the memberships they refer to.
 *
 * Bookkeeping in flat arrays (no object per row, membership or balance line). Memberships get an
 * index k in order of their first row. A balance line a row touches (a "target") is named by the
 * row index of its first row; rows of a target are chained in file order (nextRow), targets of a
 * membership too (nextTarget).
 */
export function planCorrections(v: ValidatedRows, lookups: PlanLookups, options: PlanOptions = {}): BatchPlan {
  const n = v.total;
  const { kinds, refs, lines } = v;
  const kOf = new Int32Array(n).fill(-1);
  const lineIdx = new Int32Array(n).fill(NO_LINE);
  const before = new Float64Array(n).fill(Number.NaN);
  const after = new Float64Array(n).fill(Number.NaN);
  const outcomes = new Uint8Array(n);
  const ops = new Int32Array(n).fill(-1);
  const problems = new Map<number, RowProblem[]>();
  const addProblem = (i: number, field: RowProblem['field'], code: ProblemCode, message: string): void => {
    let list = problems.get(i);
    if (list === undefined) problems.set(i, (list = []));
    list.push({ line: lines[i] as number, column: null, field, code, message });
    outcomes[i] = OUTCOME_INVALID;
  };

  // Per membership k (in order of first row; sized for the worst case, one membership per row).
  const held = lookups.memberships;
  const kBySlot = new Int32Array(held.length).fill(-1);
  const ms: Membership[] = [];
  const forbidden = new Map<number, Forbidden>();
  // Per membership k, bits: its type allows balance changes only where it was sold; it has expired.
  const caution = new Uint8Array(n);
  const titles = new Map<number, Map<string, number[]>>();
  const firstTarget = new Int32Array(n);
  const lastTarget = new Int32Array(n);
  const rightCache = new Map<number, boolean>();
  // Per target (first row index) / per row of a target.
  const nextTarget = new Int32Array(n);
  const nextRow = new Int32Array(n);
  const tailRow = new Int32Array(n);
  // Per target: the balance line's service id (0 = the shared balance), for ordering an operation's lines.
  const serviceIds = new Float64Array(n);

  for (let i = 0; i < n; i++) {
    const kind = kinds[i] as RowKind;
    if (kind === RowKind.Invalid) {
      const inv = v.invalidRows[refs[i] as number] as InvalidRow;
      if (inv.problems.length > 0) problems.set(i, inv.problems);
      outcomes[i] = OUTCOME_INVALID;
      continue;
    }
    // Which membership
    let slot = -1;
    const ref = refs[i] as number;
    if (kind === RowKind.ById) {
      slot = lookups.slotById(ref);
      if (slot === -1) addProblem(i, 'membership_id', 'unknown_membership', `No membership with ID ${ref} was found.`);
    } else {
      const number = v.refNumbers[ref] as string;
      const phone = v.refPhones[ref] as string;
      const found = lookups.slotsByNumberPhone(number, phone);
      if (found.length === 1) slot = found[0] as number;
      else if (found.length === 0) addProblem(i, 'number', 'unknown_membership', `No membership number ${number} was found for phone ${phone}.`);
      else addProblem(i, 'number', 'ambiguous_membership', `Several memberships number ${number} belong to phone ${phone}; use the membership ID.`);
    }
    if (slot === -1) continue;
    let k = kBySlot[slot] as number;
    if (k === -1) {
      const m = held[slot] as Membership;
      k = ms.push(m) - 1;
      kBySlot[slot] = k;
      const why = forbiddenReason(m, lookups, rightCache);
      if (why !== null) forbidden.set(k, why);
      caution[k] = (m.type.balanceEditType === 1 ? CAUTION_SELLING_LOCATION : 0) | (m.status.slug === 'expired' ? CAUTION_EXPIRED : 0);
      firstTarget[k] = -1;
      lastTarget[k] = -1;
    }
    kOf[i] = k;
    const why = forbidden.size === 0 ? undefined : forbidden.get(k);
    if (why !== undefined) {
      addProblem(i, null, why.code, why.message);
      continue;
    }
    // Which balance line
    const li = resolveLine(v, i, ms[k] as Membership, titles, k, addProblem);
    if (li === NO_LINE) continue;
    lineIdx[i] = li;
    const bal = (ms[k] as Membership).balance;
    if (li === UNITED) before[i] = bal.kind === 'united' ? bal.count : 0;
    else {
      const line = bal.lines[li] as BalanceLine;
      before[i] = line.count;
      serviceIds[i] = line.serviceId;
    }
    // Chain the row to its target (or start one).
    nextRow[i] = -1;
    let f = firstTarget[k] as number;
    while (f !== -1 && lineIdx[f] !== li) f = nextTarget[f] as number;
    if (f !== -1) {
      nextRow[tailRow[f] as number] = i;
      tailRow[f] = i;
      continue;
    }
    tailRow[i] = i;
    nextTarget[i] = -1;
    const lastT = lastTarget[k] as number;
    if (lastT === -1) firstTarget[k] = i;
    else nextTarget[lastT] = i;
    lastTarget[k] = i;
  }

  // Per balance line: duplicates, contradictions, deltas -> absolute targets; per membership: one operation.
  const max = options.maxCount ?? MAX_COUNT;
  const { opKinds, opValues } = v;
  const operations = new PlanOperations(v, ms, lineIdx, before, ms.length);
  const changed: number[] = [];
  const afters: number[] = [];
  // For messages (the membership object is touched only when there is one to write).
  const targetTitle = (k: number, f: number): string => {
    const li = lineIdx[f] as number;
    return li === UNITED ? SHARED_BALANCE : ((ms[k] as Membership).balance.lines[li] as BalanceLine).title;
  };
  const numberOf = (k: number): string => (ms[k] as Membership).number;
  // `f` = a target's first row; its rows are chained by nextRow.
  const rangeProblem = (title: string, from: number, f: number, to: number, deltaSum: number, number: string): void => {
    if (to < 0) {
      const msg = `${title} of membership ${number} would go below zero (${from} ${deltaSum >= 0 ? '+' : '−'} ${Math.abs(deltaSum)} = ${to}).`;
      for (let r = f; r !== -1; r = nextRow[r] as number) addProblem(r, 'delta', 'below_zero', msg);
    } else {
      const msg = `${title} of membership ${number} would exceed ${max.toLocaleString('en-US')} (${to}).`;
      for (let r = f; r !== -1; r = nextRow[r] as number) addProblem(r, opKinds[r] === OpKind.Delta ? 'delta' : 'balance', 'too_large', msg);
    }
  };
  for (let k = 0; k < ms.length; k++) {
    let f = firstTarget[k] as number;
    if (f === -1) continue;
    changed.length = 0;
    afters.length = 0;
    for (; f !== -1; f = nextTarget[f] as number) {
      const from = before[f] as number;
      let to: number;
      if (nextRow[f] === -1) {
        // One row for this balance line (the common case): no duplicate or contradiction possible.
        const value = opValues[f] as number;
        const isSet = opKinds[f] === OpKind.Set;
        to = isSet ? value : from + value;
        if (to < 0 || to > max) {
          rangeProblem(targetTitle(k, f), from, f, to, isSet ? 0 : value, numberOf(k));
          continue;
        }
        after[f] = to;
      } else {
        // Duplicates leave the chain (the first row is never one); then the live rows must agree.
        dropDuplicates(v, f, nextRow, addProblem);
        let setValue = -1;
        let deltaSum = 0;
        let hasDelta = false;
        let contradiction = false;
        for (let r = f; r !== -1; r = nextRow[r] as number) {
          const value = opValues[r] as number;
          if (opKinds[r] === OpKind.Set) {
            if (setValue !== -1 && setValue !== value) contradiction = true;
            setValue = value;
          } else {
            hasDelta = true;
            deltaSum += value;
          }
        }
        if (contradiction || (setValue !== -1 && hasDelta)) {
          const title = targetTitle(k, f);
          const parts: string[] = [];
          for (let r = f; r !== -1; r = nextRow[r] as number) parts.push(`line ${lines[r] as number}: ${opText(opKinds[r] as OpKind, opValues[r] as number)}`);
          const message = `Contradictory rows for ${title} of membership ${numberOf(k)} (${parts.join(', ')}); none applied.`;
          for (let r = f; r !== -1; r = nextRow[r] as number) addProblem(r, null, 'contradiction', message);
          continue;
        }
        to = setValue !== -1 ? setValue : from + deltaSum;
        if (to < 0 || to > max) {
          rangeProblem(targetTitle(k, f), from, f, to, deltaSum, numberOf(k));
          continue;
        }
        for (let r = f; r !== -1; r = nextRow[r] as number) after[r] = to;
      }
      if (to !== from) {
        changed.push(f);
        afters.push(to);
      }
    }
    if (changed.length === 0) continue;
    addOperation(operations, k, v, lineIdx, serviceIds, nextRow, ops, changed, afters, options);
  }

  // Outcomes and totals.
  let toChange = 0;
  let unchanged = 0;
  let invalid = 0;
  let sellingOnly = 0;
  let expired = 0;
  for (let i = 0; i < n; i++) {
    if (outcomes[i] === OUTCOME_INVALID) {
      after[i] = Number.NaN;
      invalid++;
    } else if (after[i] !== before[i]) {
      // (a valid row always has both: NaN never reaches here)
      outcomes[i] = OUTCOME_CHANGE;
      toChange++;
      const c = caution[kOf[i] as number] as number;
      if (c & CAUTION_SELLING_LOCATION) sellingOnly++;
      if (c & CAUTION_EXPIRED) expired++;
    } else {
      outcomes[i] = OUTCOME_UNCHANGED;
      unchanged++;
    }
  }
  return {
    kind: 'set_balance',
    rows: new PlanRows(v, ms, kOf, lineIdx, before, after, outcomes, ops, problems),
    operations,
    totals: { rows: n, toChange, unchanged, invalid, memberships: operations.length },
    estimate: estimateDuration(operations.length, options.rate ?? DEFAULT_RATE, options.readsPerWrite ?? 0.05),
    notices: planNotices(sellingOnly, expired),
  };
}

const CAUTION_SELLING_LOCATION = 1;
const CAUTION_EXPIRED = 2;

/**
 * Rows that are valid here but that Altegio may refuse: we cannot check them beforehand (Altegio
 * does not say where a membership was sold; what it does with expired ones is not documented).
 * A refused row fails alone, changes nothing, and shows in the report.
 */
function planNotices(sellingOnly: number, expired: number): string[] {
  const rows = (k: number) => (k === 1 ? '1 row changes a membership' : `${k.toLocaleString('en-US')} rows change memberships`);
  const notices: string[] = [];
  if (sellingOnly > 0) {
    notices.push(`${rows(sellingOnly)} that can only be changed at the location where ${sellingOnly === 1 ? 'it was' : 'they were'} sold. If that is not this location, Altegio will refuse and the row will be marked failed in the report.`);
  }
  if (expired > 0) {
    notices.push(`${rows(expired)} that ${expired === 1 ? 'has' : 'have'} expired. Altegio may refuse to change expired memberships; a refused row will be marked failed in the report and nothing else changes.`);
  }
  return notices;
}

type AddProblem = (i: number, field: RowProblem['field'], code: ProblemCode, message: string) => void;

function forbiddenReason(m: Membership, lookups: PlanLookups, rightCache: Map<number, boolean>): Forbidden | null {
  if (m.type.balanceEditType === 0) {
    return { code: 'forbidden_by_type', message: `Membership ${m.number}: its type (${m.type.title}) does not allow balance changes.` };
  }
  let right = rightCache.get(m.chainId);
  if (right === undefined) rightCache.set(m.chainId, (right = lookups.canEditBalance(m.chainId)));
  return right ? null : { code: 'forbidden_by_right', message: `You have no right to change membership balances in this chain (membership ${m.number}).` };
}

/** The balance line row i targets: its index in the membership's lines, UNITED, or NO_LINE with a problem added. */
function resolveLine(v: ValidatedRows, i: number, m: Membership, titles: Map<number, Map<string, number[]>>, k: number, addProblem: AddProblem): number {
  const bal = m.balance;
  const si = v.serviceIdx[i] as number;
  const service = si < 0 ? null : (v.services[si] as Exclude<ServiceRef, null>);
  if (bal.kind === 'united') {
    if (service !== null) {
      addProblem(i, 'id' in service ? 'service_id' : 'service', 'service_on_united', `Membership ${m.number} has one shared balance for all services; leave the service empty.`);
      return NO_LINE;
    }
    if (bal.unlimited) {
      addProblem(i, null, 'unlimited', `Membership ${m.number} has an unlimited balance, which cannot be changed.`);
      return NO_LINE;
    }
    return UNITED;
  }
  let li = -1;
  if (service === null) {
    if (bal.lines.length !== 1) {
      addProblem(i, 'service', 'service_required', `Membership ${m.number} has separate balances per service (${bal.lines.map((l) => l.title).join(', ')}); say which service.`);
      return NO_LINE;
    }
    li = 0;
  } else if ('id' in service) {
    const sid = service.id;
    for (let j = 0; j < bal.lines.length; j++) if ((bal.lines[j] as BalanceLine).serviceId === sid) li = j;
    if (li === -1) {
      addProblem(i, 'service_id', 'unknown_service', `Service ID ${sid} is not on membership ${m.number}.`);
      return NO_LINE;
    }
    const given = v.serviceTitles.get(i);
    const title = (bal.lines[li] as BalanceLine).title;
    if (given !== undefined && normalizeTitle(given) !== normalizeTitle(title)) {
      addProblem(i, 'service', 'service_title_mismatch', `Service ID ${sid} is "${title}" on membership ${m.number}, but the row says "${given}".`);
      return NO_LINE;
    }
  } else {
    let byTitle = titles.get(k);
    if (byTitle === undefined) {
      byTitle = new Map();
      for (let j = 0; j < bal.lines.length; j++) {
        const key = titleKey((bal.lines[j] as BalanceLine).title);
        const list = byTitle.get(key);
        if (list) list.push(j);
        else byTitle.set(key, [j]);
      }
      titles.set(k, byTitle);
    }
    const matches = byTitle.get(titleKey(service.title));
    if (matches === undefined) {
      addProblem(i, 'service', 'unknown_service', `"${service.title}" is not on membership ${m.number} (it has: ${bal.lines.map((l) => l.title).join(', ') || 'no services'}).`);
      return NO_LINE;
    }
    if (matches.length > 1) {
      addProblem(i, 'service', 'ambiguous_service', `Membership ${m.number} has several balances titled "${service.title}"; use the service ID.`);
      return NO_LINE;
    }
    li = matches[0] as number;
  }
  const line = bal.lines[li] as BalanceLine;
  // set_balance names lines by service id: two lines with one id (a service and a category
  // sharing a number) cannot be told apart in a request.
  for (let j = 0; j < bal.lines.length; j++) {
    const other = bal.lines[j] as BalanceLine;
    if (j !== li && other.serviceId === line.serviceId) {
      addProblem(i, service !== null && 'id' in service ? 'service_id' : 'service', 'ambiguous_service', `Membership ${m.number} has two balances with service ID ${line.serviceId} ("${line.title}" and "${other.title}"), which cannot be changed separately; correct them in Altegio.`);
      return NO_LINE;
    }
  }
  if (line.unlimited) {
    addProblem(i, null, 'unlimited', `"${line.title}" on membership ${m.number} is unlimited and cannot be changed.`);
    return NO_LINE;
  }
  return li;
}

/**
 * Adds the operation of membership k; `changed` = its changed targets (first row indices),
 * `afters` their planned values. Marks the rows it carries out in `ops`.
 */
function addOperation(out: PlanOperations, k: number, v: ValidatedRows, lineIdx: Int32Array, serviceIds: Float64Array, nextRow: Int32Array, ops: Int32Array, changed: number[], afters: number[], options: PlanOptions): void {
  const seq = out.count;
  const n = changed.length;
  if (lineIdx[changed[0] as number] !== UNITED) {
    // By service id (insertion sort: a membership has few lines).
    for (let i = 1; i < n; i++) {
      const f = changed[i] as number;
      const a = afters[i] as number;
      const sid = serviceIds[f] as number;
      let j = i - 1;
      while (j >= 0 && (serviceIds[changed[j] as number] as number) > sid) {
        changed[j + 1] = changed[j] as number;
        afters[j + 1] = afters[j] as number;
        j--;
      }
      changed[j + 1] = f;
      afters[j + 1] = a;
    }
  }
  out.ks[seq] = k;
  for (let i = 0; i < n; i++) {
    out.targets[out.targetCount] = changed[i] as number;
    out.targetAfters[out.targetCount++] = afters[i] as number;
  }
  let reason: string;
  const f0 = changed[0] as number;
  if (n === 1 && nextRow[f0] === -1) {
    // One row -> one operation (the common case).
    ops[f0] = seq;
    out.rows[out.rowCount++] = f0;
    reason = v.reasons[f0] as string;
  } else {
    // Its rows in row (= line) order: each target's chain is in order; merge them.
    const rows = scratchRows;
    rows.length = 0;
    for (let i = 0; i < n; i++) for (let r = changed[i] as number; r !== -1; r = nextRow[r] as number) rows.push(r);
    if (rows.length > 32) rows.sort(ascending);
    else {
      for (let i = 1; i < rows.length; i++) {
        const r = rows[i] as number;
        let j = i - 1;
        for (; j >= 0 && (rows[j] as number) > r; j--) rows[j + 1] = rows[j] as number;
        rows[j + 1] = r;
      }
    }
    const reasons = scratchReasons;
    reasons.length = 0;
    for (const r of rows) {
      ops[r] = seq;
      out.rows[out.rowCount++] = r;
      const why = v.reasons[r] as string;
      if (why.length > 0 && !reasons.includes(why)) reasons.push(why);
    }
    reason = reasons.length === 0 ? '' : reasons.length === 1 ? (reasons[0] as string) : reasons.join('; ');
  }
  if (reason === '') reason = options.defaultReason ?? DEFAULT_REASON;
  if (reason.length > MAX_OP_REASON) reason = `${reason.slice(0, MAX_OP_REASON - 1)}…`;
  out.reasons.push(reason);
  out.count = seq + 1;
  out.targetStart[seq + 1] = out.targetCount;
  out.rowStart[seq + 1] = out.rowCount;
}
// Reused by every call (planning is synchronous): no garbage per operation.
const scratchRows: number[] = [];
const scratchReasons: string[] = [];
function ascending(a: number, b: number): number {
  return a - b;
}

/**
 * Unlinks identical repeats (same operation and reason) from the chain of a balance line's rows
 * starting at `f`, with a problem naming the first. Short chains compare pairwise (no garbage per
 * target); long ones use a map.
 */
function dropDuplicates(v: ValidatedRows, f: number, nextRow: Int32Array, addProblem: AddProblem): void {
  const { opKinds, opValues, reasons, lines } = v;
  let length = 0;
  for (let r = f; r !== -1 && length <= PAIRWISE_MAX; r = nextRow[r] as number) length++;
  const seen = length > PAIRWISE_MAX ? new Map<string, number>() : null;
  if (seen !== null) seen.set(signature(v, f), lines[f] as number);
  let prev = f;
  for (let r = nextRow[f] as number; r !== -1; r = nextRow[r] as number) {
    let first = -1;
    if (seen !== null) {
      const sig = signature(v, r);
      first = seen.get(sig) ?? -1;
      if (first === -1) seen.set(sig, lines[r] as number);
    } else {
      for (let q = f; q !== r; q = nextRow[q] as number) {
        if (opKinds[q] === opKinds[r] && opValues[q] === opValues[r] && reasons[q] === reasons[r]) {
          first = lines[q] as number;
          break;
        }
      }
    }
    if (first === -1) {
      prev = r;
      continue;
    }
    addProblem(r, null, 'duplicate', `Same as line ${first}; counted once.`);
    nextRow[prev] = nextRow[r] as number;
  }
}
const PAIRWISE_MAX = 16;
function signature(v: ValidatedRows, r: number): string {
  return `${v.opKinds[r] === OpKind.Set ? 's' : 'd'}${v.opValues[r] as number}\u0000${v.reasons[r] as string}`;
}
