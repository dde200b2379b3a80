/**
 * Change validity (set_period, ALTEGIO.md §4.6): the membership's period and unit, which Altegio
 * turns into a new `expiration_date` counted from the activation date.
 *
 * The payload carries the expiry before (`expect`) and after (`target`) with the period and unit
 * that give each, in the location's zone (the zone travels in the payload, as for a freeze).
 * Landed (`after`) when the expiry read back, as a date in that zone, is the target's; `before`
 * when it is still the expected one; anything else is someone else's change. The off-by-one
 * between period days and `expiration_date` is the rule's business (common/period-rules.ts); the
 * comparison here is of dates only, so a server counting otherwise shows up as `other`, never as
 * a silent success.
 */
import { z } from 'zod';
import { isCalendarDate, localDateOf } from '../../../common/dates';
import { msg, type Msg } from '../../../common/i18n/translate';
import { periodAvailability } from '../../../common/period-rules';
import { PeriodUnit, type Membership } from '../../../preload/contract';
import type { OpKind } from './kind';

export interface PeriodValue {
  period: number;
  unit: PeriodUnit;
  /** YYYY-MM-DD: the expiry this validity gives, in the location's zone. */
  expiry: string;
}

export interface SetPeriodPayload {
  expect: PeriodValue;
  target: PeriodValue;
  /** The location's IANA zone the dates are meant in. */
  timezone: string;
}

const Value = z.object({ period: z.number().int().min(1), unit: PeriodUnit, expiry: z.string().refine(isCalendarDate, 'not a calendar date') }).strict();
const Body = z.object({ period: z.number().int().min(1), unit: PeriodUnit, timezone: z.string().min(1) }).strict();

/** The expiry day in the location's zone, or null when Altegio does not say. */
export function expiryOf(m: Pick<Membership, 'expirationDate'>, timezone: string): string | null {
  return localDateOf(m.expirationDate, timezone);
}

const validityWords = (v: PeriodValue): Msg => msg('job.value.validity', { date: v.expiry, period: msg('period.count', { unit: v.unit, count: v.period }) });

export const setPeriodOp: OpKind<SetPeriodPayload> = {
  name: 'set_period',
  codec: z
    .object({ body: Body, expect: Value, target: Value })
    .refine((r) => r.body.period === r.target.period && r.body.unit === r.target.unit, 'the request differs from the target')
    .transform((r) => ({ expect: r.expect, target: r.target, timezone: r.body.timezone })),
  encode: (p) => ({ body: { period: p.target.period, unit: p.target.unit, timezone: p.timezone }, expect: p.expect, target: p.target }),

  precheck(m, p, ctx) {
    const a = periodAvailability(m, ctx.rights, ctx.now, p.timezone);
    if (!a.allowed) return { kind: a.code === 'no_right' ? 'forbidden' : 'validation', message: a.why };
    if (!Value.safeParse(p.target).success) return { kind: 'validation', message: msg('error.app.expiryPick'), fields: { expiry: msg('error.app.dateShape', { example: '2026-05-20' }) } };
    if (a.expiry !== p.expect.expiry) return { kind: 'conflict', message: msg('job.precheck.expiryMoved', { now: a.expiry, expected: p.expect.expiry }) };
    if (p.target.expiry === a.expiry) return { kind: 'validation', message: msg('error.app.expiryUnchanged'), fields: { expiry: msg('job.precheck.alreadyExpiry') } };
    return null;
  },

  state(m, p) {
    const expiry = expiryOf(m, p.timezone);
    if (expiry === p.target.expiry) return 'after';
    if (expiry === p.expect.expiry) return 'before';
    return 'other';
  },

  send: (api, at, p, options) => api.setPeriod(at.chainId, at.membershipId, { period: p.target.period, unit: p.target.unit }, options),

  inverse: (p) => ({ kind: 'set_period', payload: { expect: p.target, target: p.expect, timezone: p.timezone } satisfies SetPeriodPayload }),

  describeCurrent(m, p) {
    const expiry = expiryOf(m, p.timezone);
    return expiry === null ? msg('job.value.noExpiry') : msg('job.value.expires', { date: expiry });
  },
  describeBefore: (_m, p) => validityWords(p.expect),
  describeAfter: (_m, p) => validityWords(p.target),
  request: (p) => ({ period: p.target.period, periodUnit: p.target.unit, expiry: p.target.expiry, previous: { ...p.expect } }),
  projectAfter: (m, p) => ({ ...m, expirationDate: p.target.expiry, period: p.target.period, periodUnit: p.target.unit }),
};
