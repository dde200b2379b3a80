/**
 * Records + mapping -> validated rows in columns (ValidatedRows), with every problem of a row (never
 * only the first).
 * Pure, no I/O; membership-dependent checks (unknown membership, service, limits…) are in plan.ts.
 *
 * Numbers: whole visits only. Accepted: "5", " 5 ", "+3" / "-2" / "−2" (Unicode minus, en dash) in the
 * delta column, thousands spaces ("1 000", NBSP, thin space), and a zero fraction of one or two
 * digits ("3,0", "3.00"). Refused: fractions ("2,5"), three-digit fractions ("1,000" / "1.000":
 * thousands or decimals? ambiguous, so never guessed), a sign in the balance column (a "+3" there is
 * almost always meant as a change), negative balances, magnitudes above 100,000.
 */
import { msg, type Msg } from '../../../common/i18n/translate';
import { internationalDigits, PHONE_DIGITS } from '../../../common/phone';
import { MAX_BALANCE } from '../../../common/limits';
import type { ColumnMapping, Field } from './mapping';
import { detach } from './parse';
import type { ProblemCode, RowProblem } from './problems';

/** null = the united (shared) balance. */
export type ServiceRef = { id: number } | { title: string } | null;
export type BalanceOp = { set: number } | { delta: number };

export interface InvalidRow {
  index: number;
  line: number;
  /** What the row says, as written, for the preview and the report. */
  membershipText: string;
  serviceText: string;
  reason: string;
  problems: RowProblem[];
}

export interface ValidateOptions {
  /** Largest balance or |delta| accepted (the API's limit in the contract). Default 100,000. */
  maxCount?: number;
  /** Longest reason (the audit log's limit). Default 500. */
  maxReasonLength?: number;
  /**
   * The chain's membership index on this computer (when it is read): a row with a number and no
   * phone names the membership with that number, read then by its id, without a lookup per phone.
   */
  numberIndex?: NumberIndex;
  /**
   * The calling code of the location the batch runs at (common/phone.ts callingCodeForZone): the
   * phone column is read by the one phone rule, a domestic "8 903 …" at a Russian location as
   * 7903…, so one client's phone written two ways is one look-up. Null/absent: digits as written.
   */
  callingCode?: string | null;
}

/** A membership number (as the file writes it) → its id, 'ambiguous' (several), or null (not in the index). */
export type NumberIndex = (number: string) => number | 'ambiguous' | null;

/** A balance or change the file may set: the contract's ceiling for one balance value. */
export const MAX_COUNT = MAX_BALANCE;
export const MAX_REASON = 500;

/** Parsed whole number, or the problem code. Exported for tests. */
export function parseCount(raw: string, signed: boolean, max = MAX_COUNT): number | ProblemCode {
  // Fast path: plain digits (the overwhelming majority of cells).
  const n = raw.length;
  if (n > 0 && n <= 7) {
    let v = 0;
    let i = 0;
    let sign = 1;
    const c0 = raw.charCodeAt(0);
    if (signed && (c0 === 43 || c0 === 45) && n > 1) {
      sign = c0 === 45 ? -1 : 1;
      i = 1;
    }
    for (; i < n; i++) {
      const c = raw.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === n) {
      if (v > max) return 'too_large';
      return sign * v + 0; // + 0 turns -0 into 0
    }
  }
  return parseCountSlow(raw, signed, max);
}

// Thousands separators only: never a line break or tab (a cell "5\n2" is not 52).
const SPACES = /[ \u00a0\u2007\u2009\u202f']/g;
const BODY = /^(\d+)(?:[.,](\d+))?$/;
const MINUS = new Set(['-', '\u2212', '\u2013', '\u2012', '\u2010', '\ufe63', '\uff0d']);
const PLUS = new Set(['+', '\uff0b']);

function parseCountSlow(raw: string, signed: boolean, max: number): number | ProblemCode {
  let s = raw.replace(SPACES, '');
  if (s.length === 0) return 'not_a_number';
  let sign = 1;
  const first = s.charAt(0);
  if (MINUS.has(first) || PLUS.has(first)) {
    sign = MINUS.has(first) ? -1 : 1;
    s = s.slice(1);
    if (!signed) {
      // Still tell apart "-3" (negative) from "+3" (a change in the balance column).
      if (!BODY.test(s)) return 'not_a_number';
      return sign < 0 ? 'negative' : 'balance_signed';
    }
  }
  const m = BODY.exec(s);
  if (m === null) return 'not_a_number';
  const int = m[1] as string;
  const frac = m[2];
  if (frac !== undefined) {
    if (frac.length >= 3) return 'ambiguous_number';
    if (!/^0+$/.test(frac)) return 'not_whole';
  }
  const v = int.length > 9 ? Number.POSITIVE_INFINITY : Number(int);
  if (v > max) return 'too_large';
  return sign * v + 0;
}

/** A cell's text as a problem quotes it (the catalog adds the quotes): long ones cut, detached from the file's text. */
export function shownValue(raw: string): string {
  return detach(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

function countMessage(code: ProblemCode, raw: string, field: 'balance' | 'delta', max: number): Msg {
  const value = shownValue(raw);
  switch (code) {
    case 'not_a_number':
      return field === 'balance' ? msg('batch.problem.notANumber', { value }) : msg('batch.problem.notAChange', { value });
    case 'not_whole':
      return msg('batch.problem.notWhole', { value });
    case 'ambiguous_number':
      return msg('batch.problem.ambiguousNumber', { value });
    case 'balance_signed':
      return msg('batch.problem.balanceSigned', { value });
    case 'negative':
      return msg('batch.problem.negative', { value });
    case 'too_large':
      return msg('batch.problem.tooLarge', { value, max });
    default:
      return msg('batch.problem.invalid', { value });
  }
}

function parsePositiveId(raw: string): number | null {
  if (raw.length === 0 || raw.length > 15) return null;
  let v = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return v > 0 && v <= Number.MAX_SAFE_INTEGER ? v : null;
}

interface RowContext {
  line: number;
  problems: RowProblem[] | null;
  header: readonly string[];
}

function addProblem(ctx: RowContext, c: number, field: Field | null, code: ProblemCode, m: Msg): void {
  (ctx.problems ??= []).push({ line: ctx.line, column: c >= 0 ? ctx.header[c] || null : null, columnNumber: c >= 0 ? c + 1 : null, field, code, msg: m });
}

/** Trimmed cell, '' when the column is unmapped or missing in this record. */
function cellOf(r: readonly string[], c: number): string {
  if (c < 0) return '';
  const v = r[c];
  if (v === undefined || v.length === 0) return '';
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  // Trim only when needed (most cells have no surrounding white space).
  return a <= 32 || b <= 32 || a > 126 || b > 126 ? v.trim() : v;
}

// Operations are immutable values: small ones are shared instead of allocated per row.
const OP_CACHE = 1024;
const setOps: (BalanceOp | undefined)[] = [];
const deltaOps: (BalanceOp | undefined)[] = [];
export function setOp(v: number): BalanceOp {
  if (v > OP_CACHE) return { set: v };
  return (setOps[v] ??= { set: v });
}
export function deltaOp(v: number): BalanceOp {
  if (v > OP_CACHE || v < -OP_CACHE) return { delta: v };
  return (deltaOps[v + OP_CACHE] ??= { delta: v });
}

/** How a row names its membership (RowKind) and what it does to the balance (OpKind). */
export const RowKind = { Invalid: 0, ById: 1, ByNumberPhone: 2 } as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];
export const OpKind = { None: 0, Set: 1, Delta: 2 } as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

/**
 * The validated rows of a file, in columns: one entry per data row in every array, no object per
 * row (at 100,000 rows those would all live until planning, and be copied by every young GC).
 * Strings that repeat (service titles, reasons) are shared. The planner reads the columns.
 */
export class ValidatedRows {
  /** Physical line of each data row. */
  readonly lines: number[] = [];
  readonly kinds: RowKind[] = [];
  /** ById: the membership id; ByNumberPhone: index into refNumbers / refPhones; Invalid: index into invalidRows. */
  readonly refs: number[] = [];
  readonly refNumbers: string[] = [];
  readonly refPhones: string[] = [];
  /** Index into `services`, -1 = the united balance. */
  readonly serviceIdx: number[] = [];
  readonly services: Exclude<ServiceRef, null>[] = [];
  /** Service titles given next to a service_id (rare), by row. */
  readonly serviceTitles = new Map<number, string>();
  readonly opKinds: OpKind[] = [];
  readonly opValues: number[] = [];
  readonly reasons: string[] = [];
  readonly invalidRows: InvalidRow[] = [];

  /** Data rows read (valid + invalid). */
  get total(): number {
    return this.kinds.length;
  }

  /** What the caller must fetch before planning: unique membership ids and phones, in file order. */
  collectRefs(): { ids: number[]; phones: string[] } {
    const ids = new Set<number>();
    const phones = new Set<string>();
    for (let i = 0; i < this.kinds.length; i++) {
      const kind = this.kinds[i];
      if (kind === RowKind.ById) ids.add(this.refs[i] as number);
      else if (kind === RowKind.ByNumberPhone) phones.add(this.refPhones[this.refs[i] as number] as string);
    }
    return { ids: [...ids], phones: [...phones] };
  }
}

/** Validates records fed one by one, in file order, as the parser reads them (what readBatch does). */
export interface RowValidator {
  /** Validates one data record (the validator keeps nothing of `cells` but its cell strings). */
  row(cells: readonly string[], line: number): void;
  readonly rows: ValidatedRows;
}

/** Reasons repeat a lot in real files: share one string per distinct reason (up to this many). */
const MAX_SHARED_REASONS = 50_000;

export function createValidator(header: readonly string[], mapping: ColumnMapping, options: ValidateOptions = {}): RowValidator {
  const max = options.maxCount ?? MAX_COUNT;
  const maxReason = options.maxReasonLength ?? MAX_REASON;
  const callingCode = options.callingCode ?? null;
  const col = (f: Field): number => mapping[f] ?? -1;
  const cId = col('membership_id');
  const cNumber = col('number');
  const cPhone = col('phone');
  const cServiceId = col('service_id');
  const cService = col('service');
  const cBalance = col('balance');
  const cDelta = col('delta');
  const cReason = col('reason');

  const out = new ValidatedRows();
  const { lines, kinds, refs, refNumbers, refPhones, serviceIdx, services, serviceTitles, opKinds, opValues, reasons, invalidRows } = out;
  const ctx: RowContext = { line: 0, problems: null, header };
  // Service references repeat a lot: one entry per id / title.
  const serviceIds = new Map<number, number>();
  const serviceByTitle = new Map<string, number>();
  const sharedReasons = new Map<string, string>();

  function row(r: readonly string[], line: number): void {
    const index = kinds.length;
    ctx.line = line;
    ctx.problems = null;

    // Which membership
    const idText = cellOf(r, cId);
    const numberText = cellOf(r, cNumber);
    const phoneText = cellOf(r, cPhone);
    let kind: RowKind = RowKind.Invalid;
    let ref = 0;
    let phone: string | null = null;
    if (idText.length > 0) {
      const id = parsePositiveId(idText);
      if (id === null) addProblem(ctx, cId, 'membership_id', 'bad_membership_id', msg('batch.problem.badMembershipId', { value: shownValue(idText) }));
      else {
        kind = RowKind.ById;
        ref = id;
      }
    } else if (numberText.length > 0 && phoneText.length === 0 && options.numberIndex !== undefined) {
      const found = options.numberIndex(numberText);
      if (typeof found === 'number') {
        kind = RowKind.ById;
        ref = found;
      } else if (found === 'ambiguous') addProblem(ctx, cNumber, 'number', 'ambiguous_membership', msg('batch.problem.numberSeveral', { number: shownValue(numberText) }));
      else addProblem(ctx, cNumber, 'number', 'unknown_membership', msg('batch.problem.numberNotListed', { number: shownValue(numberText) }));
    } else if (numberText.length > 0 || phoneText.length > 0) {
      if (numberText.length === 0) addProblem(ctx, cNumber, 'number', 'phone_without_number', msg('batch.problem.numberMissing'));
      if (phoneText.length === 0) addProblem(ctx, cPhone, 'phone', 'number_without_phone', msg('batch.problem.phoneMissing'));
      else {
        phone = internationalDigits(phoneText, callingCode);
        if (phone === null) addProblem(ctx, cPhone, 'phone', 'bad_phone', msg('batch.problem.badPhone', { value: shownValue(phoneText), min: PHONE_DIGITS.min, max: PHONE_DIGITS.max }));
        else if (numberText.length > 0) kind = RowKind.ByNumberPhone;
      }
    } else {
      addProblem(ctx, cId >= 0 ? cId : cNumber, cId >= 0 ? 'membership_id' : 'number', 'no_membership_ref', msg('batch.problem.noMembership'));
    }

    // Which balance
    const serviceIdText = cellOf(r, cServiceId);
    const serviceText = cellOf(r, cService);
    let si = -1;
    if (serviceIdText.length > 0) {
      const id = parsePositiveId(serviceIdText);
      if (id === null) addProblem(ctx, cServiceId, 'service_id', 'bad_service_id', msg('batch.problem.badServiceId', { value: shownValue(serviceIdText) }));
      else {
        const known = serviceIds.get(id);
        if (known !== undefined) si = known;
        else {
          si = services.push({ id }) - 1;
          serviceIds.set(id, si);
        }
      }
    } else if (serviceText.length > 0) {
      const known = serviceByTitle.get(serviceText);
      if (known !== undefined) si = known;
      else {
        const title = detach(serviceText);
        si = services.push({ title }) - 1;
        serviceByTitle.set(title, si);
      }
    }

    // What to do
    const balanceText = cellOf(r, cBalance);
    const deltaText = cellOf(r, cDelta);
    let opKind: OpKind = OpKind.None;
    let opValue = 0;
    if (balanceText.length > 0 && deltaText.length > 0) {
      addProblem(ctx, cDelta, 'delta', 'both_balance_and_delta', msg('batch.problem.both'));
    } else if (balanceText.length > 0) {
      const v = parseCount(balanceText, false, max);
      if (typeof v === 'number') {
        opKind = OpKind.Set;
        opValue = v;
      } else addProblem(ctx, cBalance, 'balance', v, countMessage(v, balanceText, 'balance', max));
    } else if (deltaText.length > 0) {
      const v = parseCount(deltaText, true, max);
      if (typeof v === 'number') {
        opKind = OpKind.Delta;
        opValue = v;
      } else addProblem(ctx, cDelta, 'delta', v, countMessage(v, deltaText, 'delta', max));
    } else {
      addProblem(ctx, cBalance >= 0 ? cBalance : cDelta, cBalance >= 0 ? 'balance' : 'delta', 'no_operation', msg('batch.problem.noOperation'));
    }

    let reason = cellOf(r, cReason);
    if (reason.length > maxReason) addProblem(ctx, cReason, 'reason', 'reason_too_long', msg('batch.problem.reasonTooLong', { max: maxReason }));
    if (reason.length > 0) {
      const shared = sharedReasons.get(reason);
      if (shared !== undefined) reason = shared;
      else {
        reason = detach(reason);
        if (sharedReasons.size < MAX_SHARED_REASONS) sharedReasons.set(reason, reason);
      }
    }

    lines.push(line);
    reasons.push(reason);
    const problems = ctx.problems as RowProblem[] | null;
    if (problems === null && kind !== RowKind.Invalid && opKind !== OpKind.None) {
      if (kind === RowKind.ByNumberPhone) {
        ref = refNumbers.push(detach(numberText)) - 1;
        refPhones.push(detach(phone as string));
      }
      kinds.push(kind);
      refs.push(ref);
      serviceIdx.push(si);
      opKinds.push(opKind);
      opValues.push(opValue);
      if (serviceIdText.length > 0 && serviceText.length > 0) serviceTitles.set(index, detach(serviceText));
    } else {
      kinds.push(RowKind.Invalid);
      refs.push(invalidRows.length);
      serviceIdx.push(-1);
      opKinds.push(OpKind.None);
      opValues.push(0);
      invalidRows.push({
        index,
        line,
        membershipText: detach(idText.length > 0 ? idText : numberText.length > 0 && phoneText.length > 0 ? `${numberText} / ${phoneText}` : numberText || phoneText),
        serviceText: detach(serviceIdText.length > 0 ? serviceIdText : serviceText),
        reason,
        problems: problems ?? [],
      });
    }
  }

  return { row, rows: out };
}
