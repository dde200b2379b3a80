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
import { formatDate, isCalendarDate, localDateOf } from '../../../common/dates';
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

const UNIT_WORDS: Record<PeriodUnit, [string, string]> = { day: ['day', 'days'], week: ['week', 'weeks'], month: ['month', 'months'], year: ['year', 'years'] };
const validityWords = (v: PeriodValue): string => `expires ${formatDate(v.expiry)} (${v.period} ${UNIT_WORDS[v.unit][v.period === 1 ? 0 : 1]})`;

export const setPeriodOp: OpKind<SetPeriodPayload> = {
  name: 'set_period',
  codec: z
    .object({ body: Body, expect: Value, target: Value })
    .refine((r) => r.body.period === r.target.period && r.body.unit === r.target.unit, 'the request differs from the target')
    .transform((r) => ({ expect: r.expect, target: r.target, timezone: r.body.timezone })),
  encode: (p) => ({ body: { period: p.target.period, unit: p.target.unit, timezone: p.timezone }, expect: p.expect, target: p.target }),

  precheck(m, p, ctx) {
    const a = periodAvailability(m, ctx.rights, ctx.now, p.timezone);
    if (!a.allowed) return { kind: a.code === 'no_right' ? 'forbidden' : 'validation', message: a.reason };
    if (!Value.safeParse(p.target).success) return { kind: 'validation', message: 'Pick the new expiry date on the calendar.', fields: { expiry: 'Use a date like 2026-05-20' } };
    if (a.expiry !== p.expect.expiry) return { kind: 'conflict', message: `The expiry is now ${formatDate(a.expiry)}, not ${formatDate(p.expect.expiry)}: it was changed meanwhile.` };
    if (p.target.expiry === a.expiry) return { kind: 'validation', message: 'Nothing to change: that is already the expiry date.', fields: { expiry: 'Already the expiry date' } };
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
    return expiry === null ? 'no expiry date' : `expires ${formatDate(expiry)}`;
  },
  describeBefore: (_m, p) => validityWords(p.expect),
  describeAfter: (_m, p) => validityWords(p.target),
  request: (p) => ({ period: p.target.period, periodUnit: p.target.unit, expiry: p.target.expiry, previous: { ...p.expect } }),
  projectAfter: (m, p) => ({ ...m, expirationDate: p.target.expiry, period: p.target.period, periodUnit: p.target.unit }),
};
