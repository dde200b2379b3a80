/**
 * Where a plan keeps its rows and operations: in columns (typed arrays, no object per row: a plan
 * of 100,000 rows would otherwise hold 100,000 objects for as long as it lives, and
 * `npm run bench` shows the difference). `get(i)` builds the object view of one row or operation.
 */
import type { BalanceLine, Membership } from '../../../preload/contract';
import type { BalanceTarget, ServiceBalanceValue } from '../../../preload/contract';
import type { Operation, PlannedRow, RowOutcome, SetBalanceOperation } from './plan';
import type { RowProblem } from './problems';
import { msg } from '../../../common/i18n/translate';
import { inEnglish } from '../../../common/i18n/words';
import { deltaOp, OpKind, RowKind, setOp, type InvalidRow, type ServiceRef, type ValidatedRows } from './validate';

export const OUTCOME_CHANGE = 0;
export const OUTCOME_UNCHANGED = 1;
export const OUTCOME_INVALID = 2;
const OUTCOMES: readonly RowOutcome[] = ['change', 'unchanged', 'invalid'];
/** lineIdx: the membership's shared balance, or no balance line resolved. */
export const UNITED = -1;
export const NO_LINE = -2;
const NO_PROBLEMS: readonly RowProblem[] = Object.freeze([]);
/** The service label of a row on the shared balance, as the journal keeps it (reports and the renderer word it). */
export const SHARED_BALANCE = inEnglish(msg('audit.field.united'));

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
    let from: BalanceTarget;
    let to: BalanceTarget;
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
