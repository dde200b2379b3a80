/**
 * Freeze until a date (the last frozen day, in the location's zone).
 *
 * Landed (`after`) when the membership is frozen and its `freeze_till`, read in the location's zone,
 * is the date sent. Altegio documents `freeze_till` only in the freeze answer, not among the
 * membership's fields: a read with `is_frozen: true` and no `freeze_till` counts as landed too
 * (sending again is refused "already frozen"), and the card then shows the date the app sent.
 */
import { z } from 'zod';
import { isCalendarDate, localDateOf } from '../../../common/dates';
import { freezeAvailability, freezeDateProblemMsg } from '../../../common/freeze-rules';
import { msg } from '../../../common/i18n/translate';
import type { Membership } from '../../../preload/contract';
import type { OpKind } from './kind';

export interface FreezePayload {
  /** YYYY-MM-DD, the last frozen day. */
  freezeTill: string;
  /** The location's IANA zone the date is meant in. */
  timezone: string;
}

const Body = z.object({ freezeTill: z.string().refine(isCalendarDate, 'not a calendar date'), timezone: z.string().min(1) });

/** The last frozen day in the location's zone, or null when Altegio does not say. */
export function frozenTill(m: Pick<Membership, 'freezeTill'>, timezone: string): string | null {
  return localDateOf(m.freezeTill, timezone);
}

export const freezeOp: OpKind<FreezePayload> = {
  name: 'freeze',
  codec: z.object({ body: Body, expect: z.unknown(), target: z.unknown() }).transform((r) => r.body),
  encode: (p) => ({ body: { freezeTill: p.freezeTill, timezone: p.timezone }, expect: null, target: null }),

  precheck(m, p, ctx) {
    if (!isCalendarDate(p.freezeTill)) return { kind: 'validation', message: msg('error.app.pickEndDate'), fields: { freezeTill: msg('error.app.dateShape', { example: '2026-05-20' }) } };
    const availability = freezeAvailability(m, ctx.rights, ctx.now, ctx.timezone);
    if (!availability.allowed) {
      return { kind: availability.code === 'no_right' ? 'forbidden' : 'validation', message: availability.why, fields: { freezeTill: availability.why } };
    }
    const problem = freezeDateProblemMsg(availability, p.freezeTill);
    return problem === null ? null : { kind: 'validation', message: problem, fields: { freezeTill: problem } };
  },

  state(m, p) {
    if (!m.isFrozen) return 'before';
    const till = frozenTill(m, p.timezone);
    return till === null || till === p.freezeTill ? 'after' : 'other';
  },

  send: (api, at, p, options) => api.freeze(at.chainId, at.membershipId, p.freezeTill, options),

  inverse: (p) => ({ kind: 'unfreeze', payload: { freezeTill: p.freezeTill, timezone: p.timezone } }),

  describeCurrent(m, p) {
    if (!m.isFrozen) return msg('job.value.notFrozen');
    const till = frozenTill(m, p.timezone);
    return till === null ? msg('job.value.frozen') : msg('job.value.frozenUntil', { date: till });
  },
  describeBefore: () => msg('job.value.notFrozen'),
  describeAfter: (_m, p) => msg('job.value.frozenUntil', { date: p.freezeTill }),
  request: (p) => ({ freezeTill: p.freezeTill }),
  projectAfter: (m, p) => (m.isFrozen ? m : { ...m, isFrozen: true, freezeTill: p.freezeTill }),
};
