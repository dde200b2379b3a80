/**
 * Balance editing rules: may this membership's visit balance be changed, how a typed value is
 * read ("7" sets, "+2" / "-1" / "−1" adjust), and the plan of an edit (before → after per line,
 * and the one `set_balance` body with only the changed lines). Pure; shared by core and renderer.
 *
 * Rules (ALTEGIO.md §4.1, §4.3, §4.6):
 * - united balance: one number (`united_balance_services_count`); per-service: one line per
 *   service/category of `balance_container`, keyed by its chain service/category id;
 * - unlimited balances cannot be changed; values are whole numbers 0 … MAX_BALANCE;
 * - `balance_edit_type_id`: 0 prohibited; 1 only at the selling location (the API does not tell
 *   which location sold it: allowed, with a warning); 2 any location; null (not reported): allowed;
 * - the user's chain right `loyalty_abonement_balance_edit_access`.
 */
import type { BalanceTarget, Membership, Rights } from '../preload/contract';
import { MAX_BALANCE } from './limits';
import { msg, type Msg } from './i18n/translate';
import { inEnglish } from './i18n/words';
import { rightAllows } from './rights';

export type BalanceKey = number | 'united';

/** `status` only adds a warning (expired): callers that do not know it may leave it out. */
export type BalanceMembership = Pick<Membership, 'balance' | 'type'> & { status?: Pick<Membership['status'], 'slug'> };

export interface BalanceEditability {
  editable: boolean;
  /** Why not (when not editable), in English words (the core's messages); `why` by reference. */
  reason?: string;
  why?: Msg;
  /** Editable, but the person should know something first (English; `warnings` by reference). */
  warning?: string;
  warnings?: Msg[];
}

const cannot = (why: Msg): BalanceEditability => ({ editable: false, reason: inEnglish(why), why });

export function balanceEditability(m: BalanceMembership, rights: Pick<Rights, 'balanceEdit' | 'refused'>): BalanceEditability {
  if (m.type.balanceEditType === 0) return cannot(msg('balance.block.typeForbids'));
  if (m.balance.kind === 'united' && m.balance.unlimited) return cannot(msg('balance.block.unlimited'));
  if (m.balance.kind === 'per_service') {
    if (m.balance.lines.length === 0) return cannot(msg('balance.block.noBalance'));
    if (m.balance.lines.every((l) => l.unlimited)) return cannot(msg('balance.block.allUnlimited'));
  }
  const right = rightAllows(rights, 'balanceEdit');
  if (!right.allowed) return cannot(right.why);
  // Changes Altegio may still refuse (we cannot check them beforehand): said, not prevented.
  const warnings: Msg[] = [];
  if (m.type.balanceEditType === 1) warnings.push(msg('balance.warn.soldLocationOnly'));
  if (m.status?.slug === 'expired') warnings.push(msg('balance.warn.expired'));
  return warnings.length > 0 ? { editable: true, warning: warnings.map(inEnglish).join(' '), warnings } : { editable: true };
}

export type ParsedBalance =
  | { ok: true; value: number; mode: 'absolute' | 'delta'; delta: number }
  | { ok: false; message: string; why: Msg };

const bad = (why: Msg): ParsedBalance => ({ ok: false, message: inEnglish(why), why });

// Hyphen-minus, Unicode minus, en dash, figure dash, small/full-width hyphen-minus.
const MINUS = /^[-\u2212\u2013\u2012\uFE63\uFF0D]/;
const PLUS = /^[+\uFF0B]/;

/**
 * Reads what was typed into a balance field. A bare number is the new absolute value; a leading
 * `+` or minus sign (hyphen, "−", "–") is an adjustment of `current`. Spaces anywhere are ignored
 * ("1 000", "+ 2"). Empty text is not a value (the caller treats it as "unchanged").
 */
export function parseBalanceInput(text: string, current: number): ParsedBalance {
  const s = text.replace(/[\s\u00A0\u2007\u202F]/g, '');
  if (s === '') return bad(msg('balance.input.empty'));
  let sign = 0;
  let digits = s;
  if (MINUS.test(s)) {
    sign = -1;
    digits = s.slice(1);
  } else if (PLUS.test(s)) {
    sign = 1;
    digits = s.slice(1);
  }
  if (/^\d+[.,]\d+$/.test(digits)) return bad(msg('balance.input.fraction'));
  if (!/^\d+$/.test(digits)) return bad(msg('balance.input.notNumber'));
  if (digits.length > 9) return bad(msg('balance.input.tooLarge', { max: MAX_BALANCE }));
  const n = Number(digits);
  const value = sign === 0 ? n : current + sign * n;
  if (value < 0) return bad(msg('balance.input.belowZero', { value }));
  if (value > MAX_BALANCE) return bad(msg('balance.input.tooLarge', { max: MAX_BALANCE }));
  return { ok: true, value, mode: sign === 0 ? 'absolute' : 'delta', delta: value - current };
}

export interface PlannedBalanceLine {
  key: BalanceKey;
  title: string;
  isCategory: boolean;
  unlimited: boolean;
  before: number;
  /** Equal to `before` when unchanged or when the input has an error. */
  after: number;
  changed: boolean;
  /** The input's problem in English; `errorWhy` by reference (the editor words it). */
  error?: string;
  errorWhy?: Msg;
}

/** A problem with one input, keyed like the inputs (`united` or the service id as a string). */
export interface BalanceProblem {
  key: string;
  message: string;
  why: Msg;
}

const problem = (key: string, why: Msg): BalanceProblem => ({ key, message: inEnglish(why), why });

export interface BalancePlan {
  lines: PlannedBalanceLine[];
  /** One set_balance body with only the changed lines; null when nothing changes or anything is wrong. */
  body: BalanceTarget | null;
  /** Every problem, keyed like the inputs (`united` or the service id as a string). */
  errors: BalanceProblem[];
  changedCount: number;
}

interface CurrentLine {
  key: BalanceKey;
  title: string;
  isCategory: boolean;
  unlimited: boolean;
  count: number;
}

/** The editable lines of a membership as the balance editor shows them (the shared line's title in English: the editor words it, `balance.sharedTitle`). */
export function balanceLines(m: BalanceMembership): CurrentLine[] {
  if (m.balance.kind === 'united') {
    return [{ key: 'united', title: inEnglish(msg('balance.sharedTitle')), isCategory: false, unlimited: m.balance.unlimited, count: m.balance.count }];
  }
  return m.balance.lines.map((l) => ({ key: l.serviceId, title: l.title, isCategory: l.isCategory, unlimited: l.unlimited, count: l.count }));
}

function keyText(k: BalanceKey): string {
  return typeof k === 'number' ? String(k) : k;
}

function finish(lines: PlannedBalanceLine[], errors: BalanceProblem[]): BalancePlan {
  const changed = lines.filter((l) => l.changed);
  let body: BalanceTarget | null = null;
  if (errors.length === 0 && changed.length > 0) {
    const united = changed.find((l) => l.key === 'united');
    body = united
      ? { united: united.after }
      : { services: changed.map((l) => ({ serviceId: l.key as number, balance: l.after })) };
  }
  return { lines, body, errors, changedCount: errors.length === 0 ? changed.length : 0 };
}

/** A change big enough to be a typo (12 → 1000): more than ten times the balance, or 100 visits more. */
export const LARGE_JUMP_FACTOR = 10;
export const LARGE_JUMP_VISITS = 100;

export function isLargeBalanceJump(before: number, after: number): boolean {
  if (after <= before) return false;
  return after - before > LARGE_JUMP_VISITS || (before > 0 && after > before * LARGE_JUMP_FACTOR);
}

/** The changed lines of a plan that deserve a second look before saving. */
export function largeJumps(plan: Pick<BalancePlan, 'lines'>): PlannedBalanceLine[] {
  return plan.lines.filter((l) => l.changed && isLargeBalanceJump(l.before, l.after));
}

/**
 * Plans an edit from typed inputs (key: `'united'` or a service/category id; value: the text).
 * Empty or missing input = unchanged. An input for a line the membership does not have is an error.
 */
export function planBalanceEdit(m: BalanceMembership, inputs: ReadonlyMap<BalanceKey, string>): BalancePlan {
  const current = balanceLines(m);
  const errors: BalanceProblem[] = [];
  const known = new Set(current.map((l) => keyText(l.key)));
  for (const k of inputs.keys()) {
    if (!known.has(keyText(k))) errors.push(problem(keyText(k), k === 'united' ? msg('balance.input.notShared') : msg('balance.input.noService', { service: k })));
  }
  const lines = current.map((c): PlannedBalanceLine => {
    const text = inputs.get(c.key);
    const line: PlannedBalanceLine = { key: c.key, title: c.title, isCategory: c.isCategory, unlimited: c.unlimited, before: c.count, after: c.count, changed: false };
    if (text === undefined || text.trim() === '') return line;
    if (c.unlimited) return withError(line, msg('balance.input.unlimited'), errors);
    const p = parseBalanceInput(text, c.count);
    if (!p.ok) return withError(line, p.why, errors);
    return { ...line, after: p.value, changed: p.value !== c.count };
  });
  return finish(lines, errors);
}

/**
 * Plans an edit from a `BalanceTarget` (the contract's `memberships.setBalance` arguments, a batch
 * row, an undo). Same checks as `planBalanceEdit`.
 */
export function planBalanceTargets(m: BalanceMembership, target: BalanceTarget): BalancePlan {
  const inputs = new Map<BalanceKey, string>();
  const errors: BalanceProblem[] = [];
  const put = (k: BalanceKey, v: number) => {
    if (!Number.isInteger(v)) errors.push(problem(keyText(k), msg('balance.input.fraction')));
    else if (v < 0) errors.push(problem(keyText(k), msg('balance.input.negative')));
    else if (inputs.has(k)) errors.push(problem(keyText(k), msg('balance.input.twice')));
    else inputs.set(k, String(v));
  };
  if ('united' in target) put('united', target.united);
  else for (const s of target.services) put(s.serviceId, s.balance);
  const plan = planBalanceEdit(m, inputs);
  if (errors.length === 0) return plan;
  return finish(plan.lines, [...errors, ...plan.errors]);
}

function withError(line: PlannedBalanceLine, why: Msg, errors: BalanceProblem[]): PlannedBalanceLine {
  const p = problem(keyText(line.key), why);
  errors.push(p);
  return { ...line, error: p.message, errorWhy: why };
}
