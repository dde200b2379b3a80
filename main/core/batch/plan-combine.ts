/**
 * The second step of planning: per balance line, its rows combined into one target value
 * (identical repeats counted once, contradictions refused, deltas added up, the result kept within
 * 0..max), and per membership one operation carrying all its changed lines.
 *
 * Rows reach here chained by `resolve`: a balance line a row touches (a "target") is named by the
 * row index of its first row; rows of a target are chained in file order (nextRow), targets of a
 * membership too (nextTarget), from firstTarget[k].
 */
import type { BalanceLine, Membership } from '../../../preload/contract';
import type { PlanOptions } from './plan';
import { msg } from '../../../common/i18n/translate';
import { inEnglish } from '../../../common/i18n/words';
import { membershipParams, type AddProblem } from './plan-resolve';
import { PlanOperations, UNITED } from './plan-storage';
import { MAX_COUNT, OpKind, type ValidatedRows } from './validate';

/** When none of an operation's rows says why and the check gave no words of its own (PlanOptions.defaultReason). */
export const DEFAULT_REASON = inEnglish(msg('batch.defaultReason'));
const MAX_OP_REASON = 500;

/** How resolve chained the rows (see the top of this file). */
export interface Targets {
  /** Per membership k: its first target, -1 = none. */
  firstTarget: Int32Array;
  /** Per target: the next target of the same membership (-1 ends). */
  nextTarget: Int32Array;
  /** Per row: the next row of the same target (-1 ends). */
  nextRow: Int32Array;
  /** Per target: the balance line's service id (0 = the shared balance), for ordering an operation's lines. */
  serviceIds: Float64Array;
}

/** Rows and memberships as resolved: planned values go into `after`, operation numbers into `ops`. */
export interface Resolved {
  v: ValidatedRows;
  ms: readonly Membership[];
  lineIdx: Int32Array;
  before: Float64Array;
  after: Float64Array;
  ops: Int32Array;
}

/** Combines every membership's rows; returns the operations (one per membership that changes). */
export function combine(resolved: Resolved, targets: Targets, addProblem: AddProblem, options: PlanOptions): PlanOperations {
  const { v, ms, lineIdx, before, after, ops } = resolved;
  const { firstTarget, nextTarget, nextRow, serviceIds } = targets;
  const { lines } = v;
  const max = options.maxCount ?? MAX_COUNT;
  const { opKinds, opValues } = v;
  const operations = new PlanOperations(v, ms, lineIdx, before, ms.length);
  const changed: number[] = [];
  const afters: number[] = [];
  // For messages (the membership object is touched only when there is one to write): the balance
  // line of target f of membership k, and the membership as row r named it.
  const lineParams = (k: number, f: number, r: number) => {
    const li = lineIdx[f] as number;
    const m = ms[k] as Membership;
    return { ...membershipParams(v, r, m), shared: li === UNITED ? 'yes' : 'no', title: li === UNITED ? '' : (m.balance.lines[li] as BalanceLine).title };
  };
  // `f` = a target's first row; its rows are chained by nextRow.
  const rangeProblem = (k: number, from: number, f: number, to: number, deltaSum: number): void => {
    if (to < 0) {
      const calc = `${from} ${deltaSum >= 0 ? '+' : '−'} ${Math.abs(deltaSum)} = ${to}`;
      for (let r = f; r !== -1; r = nextRow[r] as number) addProblem(r, 'delta', 'below_zero', msg('batch.problem.belowZero', { ...lineParams(k, f, r), calc }));
    } else {
      for (let r = f; r !== -1; r = nextRow[r] as number) addProblem(r, opKinds[r] === OpKind.Delta ? 'delta' : 'balance', 'too_large', msg('batch.problem.exceeds', { ...lineParams(k, f, r), max, to }));
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
          rangeProblem(k, from, f, to, isSet ? 0 : value);
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
          const parts: string[] = [];
          for (let r = f; r !== -1; r = nextRow[r] as number) parts.push(`${lines[r] as number}: ${opText(opKinds[r] as OpKind, opValues[r] as number)}`);
          const rows = parts.join(', ');
          for (let r = f; r !== -1; r = nextRow[r] as number) addProblem(r, null, 'contradiction', msg('batch.problem.contradiction', { ...lineParams(k, f, r), rows }));
          continue;
        }
        to = setValue !== -1 ? setValue : from + deltaSum;
        if (to < 0 || to > max) {
          rangeProblem(k, from, f, to, deltaSum);
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
  return operations;
}

function opText(kind: OpKind, value: number): string {
  // "=5" sets the balance, "+2" / "-1" changes it (the same in every language).
  return kind === OpKind.Set ? `=${value}` : `${value >= 0 ? '+' : ''}${value}`;
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
    addProblem(r, null, 'duplicate', msg('batch.problem.duplicate', { line: first }));
    nextRow[prev] = nextRow[r] as number;
  }
}
const PAIRWISE_MAX = 16;
function signature(v: ValidatedRows, r: number): string {
  return `${v.opKinds[r] === OpKind.Set ? 's' : 'd'}${v.opValues[r] as number}\u0000${v.reasons[r] as string}`;
}
