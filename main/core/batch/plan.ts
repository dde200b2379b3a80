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
 *
 * In three steps: plan-resolve.ts (which membership and balance line each row means),
 * plan-combine.ts (rows of one balance line combined; one operation per membership) and
 * plan-storage.ts (where the plan keeps its rows and operations).
 */
import type { BalanceLine, BalanceTarget, Membership } from '../../../preload/contract';
import { msg, type Msg } from '../../../common/i18n/translate';
import { combine } from './plan-combine';
import { forbiddenMsg, forbiddenReason, resolveLine, type Forbidden, type PlanLookups } from './plan-resolve';
import { NO_LINE, OUTCOME_CHANGE, OUTCOME_INVALID, OUTCOME_UNCHANGED, PlanRows, UNITED, type PlanOperations } from './plan-storage';
import type { ProblemCode, RowProblem } from './problems';
import { RowKind, type BalanceOp, type InvalidRow, type ValidatedRows } from './validate';

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
export type SetBalanceOperation = OperationBase<'set_balance', BalanceTarget, BalanceTarget>;
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
  /** What the person should know before applying (rows Altegio may refuse), by reference. */
  notices: Msg[];
}

export interface PlanOptions {
  /**
   * Used when none of an operation's rows has a reason: the audit log and the report keep one for
   * every change. Worded once, in the language of the person who checked the file, and kept in the
   * plan and the journal as text (a resumed batch never re-words it). Default English.
   */
  defaultReason?: string;
  /** Largest balance accepted. Default 100,000. */
  maxCount?: number;
  /** The shared limiter's limits. Default 5/s and 200/min (ALTEGIO.md §1.6). */
  rate?: RateLimitsLike;
  /** Re-reads per write (ids re-read in pages). Default 0.05. */
  readsPerWrite?: number;
}

export const DEFAULT_RATE: RateLimitsLike = { perSecond: 5, perMinute: 200 };

/** Time to send `writes` writes (plus their batched re-reads) at a steady min(perSecond, perMinute/60). */
export function estimateDuration(writes: number, rate: RateLimitsLike = DEFAULT_RATE, readsPerWrite = 0.05): DurationEstimate {
  const requests = writes + (writes > 0 ? Math.ceil(writes * readsPerWrite) : 0);
  const perSecond = Math.max(1e-6, Math.min(rate.perSecond, rate.perMinute / 60));
  return { requests, ms: Math.round((requests / perSecond) * 1000) };
}

// ---------------------------------------------------------------------------------------------
// Planning

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
  const addProblem = (i: number, field: RowProblem['field'], code: ProblemCode, m: Msg): void => {
    let list = problems.get(i);
    if (list === undefined) problems.set(i, (list = []));
    list.push({ line: lines[i] as number, column: null, columnNumber: null, field, code, msg: m });
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
      if (slot === -1) addProblem(i, 'membership_id', 'unknown_membership', msg('batch.problem.unknownId', { id: String(ref) }));
    } else {
      const number = v.refNumbers[ref] as string;
      const phone = v.refPhones[ref] as string;
      const found = lookups.slotsByNumberPhone(number, phone);
      if (found.length === 1) slot = found[0] as number;
      else if (found.length === 0) addProblem(i, 'number', 'unknown_membership', msg('batch.problem.unknownNumber', { number, phone }));
      else addProblem(i, 'number', 'ambiguous_membership', msg('batch.problem.severalByPhone', { number, phone }));
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
      addProblem(i, null, why, forbiddenMsg(why, v, i, ms[k] as Membership));
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
  const operations = combine({ v, ms, lineIdx, before, after, ops }, { firstTarget, nextTarget, nextRow, serviceIds }, addProblem, options);

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
function planNotices(sellingOnly: number, expired: number): Msg[] {
  const notices: Msg[] = [];
  if (sellingOnly > 0) notices.push(msg('batch.notice.sellingLocation', { count: sellingOnly }));
  if (expired > 0) notices.push(msg('batch.notice.expired', { count: expired }));
  return notices;
}
