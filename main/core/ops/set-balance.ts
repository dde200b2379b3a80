/**
 * Set balances (absolute values: a delta is turned into a target before the op exists, so sending
 * it twice could never count twice — but it is still sent at most once). The payload names the
 * lines it touches with their planned before (`expect`) and after (`target`) values.
 */
import { z } from 'zod';
import { balanceEditability } from '../../../common/balance-rules';
import { rightAllows } from '../../../common/rights';
import { BalanceTarget, type Membership, type ServiceBalanceValue } from '../../../preload/contract';
import type { OpKind } from './kind';
import { msg, type Msg } from '../../../common/i18n/translate';


export interface SetBalancePayload {
  expect: BalanceTarget;
  target: BalanceTarget;
}


/** The membership's current values of the lines `like` names; null when it lacks one (or it is unlimited). */
export function currentBalance(m: Membership, like: BalanceTarget): BalanceTarget | null {
  if ('united' in like) return m.balance.kind === 'united' && !m.balance.unlimited ? { united: m.balance.count } : null;
  const services: ServiceBalanceValue[] = [];
  for (const s of like.services) {
    const line = m.balance.kind === 'per_service' ? m.balance.lines.find((l) => l.serviceId === s.serviceId) : undefined;
    if (!line || line.unlimited) return null;
    services.push({ serviceId: s.serviceId, balance: line.count });
  }
  return { services };
}

export function sameBalance(a: BalanceTarget, b: BalanceTarget): boolean {
  if ('united' in a || 'united' in b) return 'united' in a && 'united' in b && a.united === b.united;
  if (a.services.length !== b.services.length) return false;
  return a.services.every((s) => b.services.some((t) => t.serviceId === s.serviceId && t.balance === s.balance));
}

/** Balances in words by reference: the shared balance, or each service's title (data) and count. */
export function balanceWords(m: Membership | null, v: BalanceTarget): Msg {
  if ('united' in v) return msg('job.value.shared', { count: v.united });
  return msg('job.value.lines', { lines: v.services.map((s) => `${m?.balance.lines.find((l) => l.serviceId === s.serviceId)?.title ?? `#${s.serviceId}`} ${s.balance}`).join(', ') });
}

export const setBalanceOp: OpKind<SetBalancePayload> = {
  name: 'set_balance',
  // body (the request) equals target: stored for rows written before ops/ existed.
  codec: z.object({ body: z.unknown(), expect: BalanceTarget, target: BalanceTarget }).transform((r) => ({ expect: r.expect, target: r.target })),
  encode: (p) => ({ body: p.target, expect: p.expect, target: p.target }),

  precheck(m, _p, ctx) {
    const can = balanceEditability(m, ctx.rights);
    if (can.editable) return null;
    const right = rightAllows(ctx.rights, 'balanceEdit');
    return { kind: !right.allowed && can.why?.key === right.why.key ? 'forbidden' : 'validation', message: can.why ?? msg('job.precheck.balanceCannot') };
  },

  state(m, p) {
    const cur = currentBalance(m, p.expect);
    if (cur === null) return 'other';
    if (sameBalance(cur, p.expect)) return 'before';
    if (sameBalance(cur, p.target)) return 'after';
    return 'other';
  },

  send: (api, at, p, options) => api.setBalance(at.chainId, at.membershipId, 'united' in p.target ? { united: p.target.united } : { services: p.target.services }, options),

  inverse: (p) => ({ kind: 'set_balance', payload: { expect: p.target, target: p.expect } }),

  describeCurrent(m, p) {
    const cur = currentBalance(m, p.expect);
    return cur === null ? msg('job.value.linesGone') : balanceWords(m, cur);
  },
  describeBefore: (m, p) => balanceWords(m, p.expect),
  describeAfter: (m, p) => balanceWords(m, p.target),
  request(p) {
    const t = p.target;
    return 'united' in t ? { united: t.united } : { services: Object.fromEntries(t.services.map((s) => [String(s.serviceId), s.balance])) };
  },
  projectAfter(m, p) {
    const t = p.target;
    if ('united' in t) return m.balance.kind === 'united' ? { ...m, balance: { ...m.balance, count: t.united } } : m;
    const lines = m.balance.lines.map((l) => {
      const s = t.services.find((x) => x.serviceId === l.serviceId);
      return s ? { ...l, count: s.balance } : l;
    });
    return { ...m, balance: { ...m.balance, lines } };
  },
};
