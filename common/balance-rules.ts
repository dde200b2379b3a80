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
import type { Membership, Rights } from '../preload/contract';
import { rightAllows } from './rights';

/** The contract's ceiling for one balance value. */
export const MAX_BALANCE = 100_000;

export type BalanceKey = number | 'united';

/** The body of one `set_balance` (same shape as the core's `SetBalanceBody`). */
export interface BalanceBody {
  united?: number;
  services?: Array<{ serviceId: number; balance: number }>;
}

/** `status` only adds a warning (expired): callers that do not know it may leave it out. */
export type BalanceMembership = Pick<Membership, 'balance' | 'type'> & { status?: Pick<Membership['status'], 'slug'> };

export interface BalanceEditability {
  editable: boolean;
  /** Why not (when not editable), in plain words. */
  reason?: string;
  /** Editable, but the person should know something first. */
  warning?: string;
}

export function balanceEditability(m: BalanceMembership, rights: Pick<Rights, 'balanceEdit' | 'refused'>): BalanceEditability {
  if (m.type.balanceEditType === 0) return { editable: false, reason: 'This membership type does not allow balance changes.' };
  if (m.balance.kind === 'united' && m.balance.unlimited) return { editable: false, reason: 'The balance is unlimited, so there is nothing to change.' };
  if (m.balance.kind === 'per_service') {
    if (m.balance.lines.length === 0) return { editable: false, reason: 'This membership has no visit balance to change.' };
    if (m.balance.lines.every((l) => l.unlimited)) return { editable: false, reason: 'Every balance on this membership is unlimited, so there is nothing to change.' };
  }
  const right = rightAllows(rights, 'balanceEdit');
  if (!right.allowed) return { editable: false, reason: right.reason };
  // Changes Altegio may still refuse (we cannot check them beforehand): said, not prevented.
  const warnings: string[] = [];
  if (m.type.balanceEditType === 1) {
    warnings.push('Balance changes for this membership type are accepted only at the location where it was sold. If it was sold at another location, Altegio will say so and nothing changes.');
  }
  if (m.status?.slug === 'expired') warnings.push('This membership has expired. Altegio may refuse to change its balance; if it does, nothing changes.');
  return warnings.length > 0 ? { editable: true, warning: warnings.join(' ') } : { editable: true };
}

export type ParsedBalance =
  | { ok: true; value: number; mode: 'absolute' | 'delta'; delta: number }
  | { ok: false; message: string };

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
  if (s === '') return { ok: false, message: 'Enter a number of visits, or +N / −N to adjust.' };
  let sign = 0;
  let digits = s;
  if (MINUS.test(s)) {
    sign = -1;
    digits = s.slice(1);
  } else if (PLUS.test(s)) {
    sign = 1;
    digits = s.slice(1);
  }
  if (/^\d+[.,]\d+$/.test(digits)) return { ok: false, message: 'Visits are whole numbers.' };
  if (!/^\d+$/.test(digits)) return { ok: false, message: 'Enter a whole number such as 7, or +2 / −1 to adjust.' };
  if (digits.length > 9) return { ok: false, message: `That is too large: at most ${MAX_BALANCE.toLocaleString('en-US')} visits.` };
  const n = Number(digits);
  const value = sign === 0 ? n : current + sign * n;
  if (value < 0) return { ok: false, message: `That would leave ${value} visits: a balance cannot go below 0.` };
  if (value > MAX_BALANCE) return { ok: false, message: `That is too large: at most ${MAX_BALANCE.toLocaleString('en-US')} visits.` };
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
  error?: string;
}

export interface BalancePlan {
  lines: PlannedBalanceLine[];
  /** One set_balance body with only the changed lines; null when nothing changes or anything is wrong. */
  body: BalanceBody | null;
  /** Every problem, keyed like the inputs (`united` or the service id as a string). */
  errors: Array<{ key: string; message: string }>;
  changedCount: number;
}

interface CurrentLine {
  key: BalanceKey;
  title: string;
  isCategory: boolean;
  unlimited: boolean;
  count: number;
}

/** The editable lines of a membership as the balance editor shows them. */
export function balanceLines(m: BalanceMembership): CurrentLine[] {
  if (m.balance.kind === 'united') {
    return [{ key: 'united', title: 'Shared balance (all services)', isCategory: false, unlimited: m.balance.unlimited, count: m.balance.count }];
  }
  return m.balance.lines.map((l) => ({ key: l.serviceId, title: l.title, isCategory: l.isCategory, unlimited: l.unlimited, count: l.count }));
}

function keyText(k: BalanceKey): string {
  return typeof k === 'number' ? String(k) : k;
}

function finish(lines: PlannedBalanceLine[], errors: Array<{ key: string; message: string }>): BalancePlan {
  const changed = lines.filter((l) => l.changed);
  let body: BalanceBody | null = null;
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
  const errors: Array<{ key: string; message: string }> = [];
  const known = new Set(current.map((l) => keyText(l.key)));
  for (const k of inputs.keys()) {
    if (!known.has(keyText(k))) {
      errors.push({
        key: keyText(k),
        message: k === 'united' ? 'This membership has per-service balances, not a shared one.' : `This membership has no balance for service ${k}.`,
      });
    }
  }
  const lines = current.map((c): PlannedBalanceLine => {
    const text = inputs.get(c.key);
    const line: PlannedBalanceLine = { key: c.key, title: c.title, isCategory: c.isCategory, unlimited: c.unlimited, before: c.count, after: c.count, changed: false };
    if (text === undefined || text.trim() === '') return line;
    if (c.unlimited) return withError(line, 'Unlimited: this balance cannot be changed.', errors);
    const p = parseBalanceInput(text, c.count);
    if (!p.ok) return withError(line, p.message, errors);
    return { ...line, after: p.value, changed: p.value !== c.count };
  });
  return finish(lines, errors);
}

/**
 * Plans an edit from absolute targets (the contract's `memberships.setBalance` arguments, a batch
 * row, an undo). Same checks as `planBalanceEdit`.
 */
export function planBalanceTargets(m: BalanceMembership, targets: BalanceBody): BalancePlan {
  const inputs = new Map<BalanceKey, string>();
  const errors: Array<{ key: string; message: string }> = [];
  const put = (k: BalanceKey, v: number) => {
    if (!Number.isInteger(v)) errors.push({ key: keyText(k), message: 'Visits are whole numbers.' });
    else if (v < 0) errors.push({ key: keyText(k), message: 'A balance cannot go below 0.' });
    else if (inputs.has(k)) errors.push({ key: keyText(k), message: 'This balance is given twice.' });
    else inputs.set(k, String(v));
  };
  if (targets.united !== undefined) put('united', targets.united);
  for (const s of targets.services ?? []) put(s.serviceId, s.balance);
  const plan = planBalanceEdit(m, inputs);
  if (errors.length === 0) return plan;
  return finish(plan.lines, [...errors, ...plan.errors]);
}

function withError(line: PlannedBalanceLine, message: string, errors: Array<{ key: string; message: string }>): PlannedBalanceLine {
  errors.push({ key: keyText(line.key), message });
  return { ...line, error: message };
}
