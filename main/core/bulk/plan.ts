/**
 * What a bulk action would do to one membership (freeze, unfreeze, visits, extend validity), as just read: the change (and the operation that
 * makes it) or why not, as a code with its parameters (the renderer words them). Pure; built on the
 * `common/` rules the desk uses (freeze availability and legal dates, balance editability, rights)
 * and, as a last word, the operation kind's own precheck.
 */
import { addDays, compareDates, daysBetween, localDateOf } from '../../../common/dates';
import { balanceEditability } from '../../../common/balance-rules';
import { MAX_BALANCE } from '../../../common/limits';
import { freezeAvailability } from '../../../common/freeze-rules';
import { currentValidity, periodAvailability, periodDaysFor } from '../../../common/period-rules';
import { rightAllows } from '../../../common/rights';
import type { Msg } from '../../../common/i18n/translate';
import type { BulkAction, BulkChange, BulkRefusal, Membership } from '../../../preload/contract';
import { freezeOp, setBalanceOp, setPeriodOp, unfreezeOp, type FreezePayload, type PrecheckContext, type SetBalancePayload, type SetPeriodPayload, type UnfreezePayload } from '../ops';
import type { AnyOpKind } from '../ops';

export type BulkParams = Record<string, string | number | Msg>;

export type BulkVerdict =
  | { ok: true; code: BulkChange; params: BulkParams; payload: unknown; before: number | null; after: number | null }
  | { ok: false; code: BulkRefusal; params: BulkParams };

/** The op kind a bulk action runs as (one kind per job). */
export function bulkOpKind(action: BulkAction): AnyOpKind {
  switch (action.kind) {
    case 'freeze':
      return freezeOp;
    case 'unfreeze':
      return unfreezeOp;
    case 'visits':
      return setBalanceOp;
    case 'extend':
      return setPeriodOp;
  }
}

const no = (code: BulkRefusal, params: BulkParams = {}): BulkVerdict => ({ ok: false, code, params });

function freezeVerdict(m: Membership, freezeTill: string, ctx: PrecheckContext): BulkVerdict {
  const a = freezeAvailability(m, ctx.rights, ctx.now, ctx.timezone);
  if (!a.allowed) {
    const params: BulkParams = {};
    if (a.code === 'already_frozen') {
      const till = localDateOf(m.freezeTill, ctx.timezone);
      if (till) params['till'] = till;
    }
    if (a.code === 'expired') {
      const on = localDateOf(m.expirationDate, ctx.timezone);
      if (on) params['date'] = on;
    }
    if (a.code === 'no_days_left' && a.allowance) {
      params['used'] = a.allowance.usedDays;
      params['limit'] = a.allowance.limitDays;
    }
    return no(a.code, params);
  }
  if (compareDates(freezeTill, a.firstDate) < 0) return no('date_too_early', { firstDate: a.firstDate });
  if (compareDates(freezeTill, a.lastDate) > 0) return no('too_long', { lastDate: a.lastDate, daysLeft: a.allowance.remainingDays });
  const payload: FreezePayload = { freezeTill, timezone: ctx.timezone };
  return { ok: true, code: 'freeze', params: { till: freezeTill, days: daysBetween(a.today, freezeTill) }, payload, before: null, after: null };
}

function unfreezeVerdict(m: Membership, ctx: PrecheckContext): BulkVerdict {
  if (!rightAllows(ctx.rights, 'periodEdit').allowed) return no('no_right');
  if (!m.isFrozen) return no('not_frozen');
  const till = localDateOf(m.freezeTill, ctx.timezone);
  // With the date it was frozen until: a freeze someone changes meanwhile is theirs (a conflict).
  const payload: UnfreezePayload = till ? { freezeTill: till, timezone: ctx.timezone } : {};
  return { ok: true, code: 'unfreeze', params: till ? { till } : {}, payload, before: null, after: null };
}

function visitsVerdict(m: Membership, delta: number, ctx: PrecheckContext): BulkVerdict {
  const can = balanceEditability(m, ctx.rights);
  if (!can.editable) {
    if (m.type.balanceEditType === 0) return no('balance_edit_forbidden');
    if (!rightAllows(ctx.rights, 'balanceEdit').allowed) return no('no_right');
    if (m.balance.kind === 'united' && m.balance.unlimited) return no('unlimited');
    if (m.balance.kind === 'per_service' && m.balance.lines.length > 0 && m.balance.lines.every((l) => l.unlimited)) return no('unlimited');
    return no('no_balance');
  }
  const check = (have: number): BulkVerdict | null => {
    if (have + delta < 0) return no('not_enough_visits', { have, remove: -delta });
    if (have + delta > MAX_BALANCE) return no('too_many_visits', { have, max: MAX_BALANCE });
    return null;
  };
  if (m.balance.kind === 'united') {
    const have = m.balance.count;
    const bad = check(have);
    if (bad) return bad;
    const payload: SetBalancePayload = { expect: { united: have }, target: { united: have + delta } };
    return { ok: true, code: 'visits', params: { before: String(have), after: String(have + delta), delta }, payload, before: have, after: have + delta };
  }
  const lines = m.balance.lines.filter((l) => !l.unlimited);
  const fewest = Math.min(...lines.map((l) => l.count));
  const bad = check(delta < 0 ? fewest : Math.max(...lines.map((l) => l.count)));
  if (bad) return bad;
  const payload: SetBalancePayload = {
    expect: { services: lines.map((l) => ({ serviceId: l.serviceId, balance: l.count })) },
    target: { services: lines.map((l) => ({ serviceId: l.serviceId, balance: l.count + delta })) },
  };
  const words = (add: number) => lines.map((l) => `${l.title} ${l.count + add}`).join(', ');
  return { ok: true, code: 'visits', params: { before: words(0), after: words(delta), delta }, payload, before: null, after: null };
}

function extendVerdict(m: Membership, days: number, ctx: PrecheckContext): BulkVerdict {
  const a = periodAvailability(m, ctx.rights, ctx.now, ctx.timezone);
  if (!a.allowed) return no(a.code);
  const expiry = addDays(a.expiry, days);
  // As the card sends it: the new validity in days from activation; the undo restores the old one.
  const payload: SetPeriodPayload = {
    expect: { ...currentValidity(m, a), expiry: a.expiry },
    target: { period: periodDaysFor(a.activated, a.freezeDays, expiry), unit: 'day', expiry },
    timezone: ctx.timezone,
  };
  return { ok: true, code: 'extend', params: { from: a.expiry, to: expiry }, payload, before: null, after: null };
}

/** What `action` would do to `m` now (`ctx`: the user's rights on its chain, now, the desk's zone). */
export function bulkVerdict(m: Membership, action: BulkAction, ctx: PrecheckContext): BulkVerdict {
  const v =
    action.kind === 'freeze'
      ? freezeVerdict(m, action.freezeTill, ctx)
      : action.kind === 'unfreeze'
        ? unfreezeVerdict(m, ctx)
        : action.kind === 'visits'
          ? visitsVerdict(m, action.delta, ctx)
          : extendVerdict(m, action.days, ctx);
  if (!v.ok) return v;
  // The op kind's own precheck has the last word (the same one the desk asks before a write).
  const kind = bulkOpKind(action);
  const problem = kind.precheck(m, v.payload, ctx);
  if (problem) return no(problem.kind === 'forbidden' ? 'no_right' : 'other', { message: problem.message });
  if (kind.state(m, v.payload) !== 'before') return no('other', { message: kind.describeCurrent(m, v.payload) });
  return v;
}

/**
 * The references of a pasted list: numbers or ids separated by spaces, commas, semicolons, tabs or
 * lines; empty pieces dropped, order kept.
 */
export function splitRefs(text: string): string[] {
  return text
    .split(/[\s,;]+/u)
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .slice(0, 100_000);
}
