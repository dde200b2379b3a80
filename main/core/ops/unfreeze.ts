/**
 * Unfreeze. As the undo of a freeze it carries that freeze's date: it then goes out only while the
 * membership is still frozen until that date (a freeze changed since is someone else's, `other`).
 */
import { z } from 'zod';
import { isCalendarDate } from '../../../common/dates';
import { msg } from '../../../common/i18n/translate';
import { rightAllows } from '../../../common/rights';
import { frozenTill } from './freeze';
import type { OpKind } from './kind';

export interface UnfreezePayload {
  /** Only when undoing a freeze: the date that freeze set, read in `timezone`. */
  freezeTill?: string;
  timezone?: string;
  /** What the audit entry says once it is done (the unfreeze's effect, worked out when asked). */
  note?: string;
}

const Body = z
  .object({ freezeTill: z.string().refine(isCalendarDate, 'not a calendar date').optional(), timezone: z.string().min(1).optional(), note: z.string().max(2000).optional() })
  .refine((b) => (b.freezeTill === undefined) === (b.timezone === undefined), 'freezeTill and timezone go together');

export const unfreezeOp: OpKind<UnfreezePayload> = {
  name: 'unfreeze',
  codec: z.object({ body: Body, expect: z.unknown(), target: z.unknown() }).transform((r) => {
    const p: UnfreezePayload = {};
    if (r.body.freezeTill !== undefined) p.freezeTill = r.body.freezeTill;
    if (r.body.timezone !== undefined) p.timezone = r.body.timezone;
    if (r.body.note !== undefined) p.note = r.body.note;
    return p;
  }),
  encode: (p) => ({ body: { ...p }, expect: null, target: null }),

  precheck(m, _p, ctx) {
    const right = rightAllows(ctx.rights, 'periodEdit', 'action.unfreeze.noRight');
    if (!right.allowed) return { kind: 'forbidden', message: right.why };
    if (!m.isFrozen) return { kind: 'validation', message: msg('job.precheck.notFrozen') };
    return null;
  },

  state(m, p) {
    if (!m.isFrozen) return 'after';
    if (p.freezeTill === undefined || p.timezone === undefined) return 'before';
    const till = frozenTill(m, p.timezone);
    return till === null || till === p.freezeTill ? 'before' : 'other';
  },

  send: (api, at, _p, options) => api.unfreeze(at.chainId, at.membershipId, options),

  inverse: () => ({ kind: 'validation', message: msg('error.app.undoUnfreeze') }),

  describeCurrent(m, p) {
    if (!m.isFrozen) return msg('job.value.notFrozen');
    const till = p.timezone === undefined ? null : frozenTill(m, p.timezone);
    return till === null ? msg('job.value.frozen') : msg('job.value.frozenUntil', { date: till });
  },
  describeBefore: (_m, p) => (p.freezeTill === undefined ? msg('job.value.frozen') : msg('job.value.frozenUntil', { date: p.freezeTill })),
  describeAfter: () => msg('job.value.notFrozen'),
  request: () => undefined,
  appliedMessage: (p) => p.note ?? null,
  projectAfter: (m) => ({ ...m, isFrozen: false, freezeTill: null }),
};
