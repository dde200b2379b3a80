/**
 * A closure for a selection (issue 11 item 5) against the sandbox over real sockets, on one clock
 * shared by the sandbox and the app: ONE plan holds the set; on its day (in the location's zone)
 * it starts ONE bulk freeze job (the bulk service's preview + apply: the batch runner and journal),
 * which freezes the freezable ones until the end and reports the rest; a missed closure is never
 * started by a tick, only by runNow for what remains; create/change/cancel/run are audited; pasted
 * numbers resolve through the index and unknown ones are refused by name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, localDateOf, todayIn } from '../../common/dates';
import type { Membership, SessionState } from '../../preload/contract';
import { createMembershipService } from '../../main/core/memberships/service';
import { createPlansService, type PlansService } from '../../main/core/plans/service';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { createHarness, PROFILE_ID, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';
import { createBulkHarness, type BulkHarness } from '../support/bulk-harness';

const ZONE = 'America/Chicago';
let now = new Date('2026-03-02T18:00:00Z'); // noon on 2 March in Chicago
let sandbox: Sandbox | undefined;
let h: Harness | undefined;
let plans: PlansService | undefined;

afterEach(async () => {
  await plans?.close();
  plans = undefined;
  await h?.close();
  h = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

async function setUp(): Promise<{ sandbox: Sandbox; h: Harness; plans: PlansService; b: BulkHarness }> {
  now = new Date('2026-03-02T18:00:00Z');
  sandbox = await startSandbox({ now: () => now, rate: null, extraMemberships: 6 });
  h = await createHarness(sandbox);
  const harness = h;
  const b = createBulkHarness(harness, { now: () => now });
  const user = { profileId: PROFILE_ID, userId: 1, name: harness.userName };
  const rightsFor = (chainId: number) => harness.chains.find((c) => c.id === chainId)?.rights ?? null;
  const zone = (locationId: number) => harness.chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? null;
  const memberships = createMembershipService({ api: () => harness.api, store: harness.store, user: () => user, rights: (c) => rightsFor(c)!, timezone: (l) => zone(l) ?? 'UTC', now: () => now });
  plans = createPlansService({
    store: harness.store,
    memberships,
    clock: { now: () => now, tickMs: 1000 },
    schedule: false,
    session: { currentUser: () => user, rightsFor, locationTimezone: zone, snapshot: () => ({ status: 'signed_in' }) as SessionState },
    closures: () => ({ bulk: b.bulk, index: { lookup: b.lookup } }),
  });
  return { sandbox, h, plans, b };
}

const frozenTill = (s: Sandbox, id: number): string | null => {
  const m = s.control.getMembership(id);
  return [true, 1, '1'].includes(m['is_frozen'] as never) ? localDateOf(String(m['freeze_till']), ZONE) : null;
};

describe('a closure for a selection', () => {
  it('is one plan; on its day it starts one bulk freeze job: the freezable frozen until the end, the others reported', async () => {
    const { sandbox, h, plans } = await setUp();
    const k = sandbox.control.knownIds;
    const freezable = k.extra.filter((_, i) => i % 2 === 0).slice(0, 2);
    const refused = k.memberships.danaNotFreezable;
    const ids = [...freezable, refused];
    const start = addDays(todayIn(now, ZONE), 3);
    const end = addDays(start, 7);

    const plan = plans.createClosure({ chainId: k.chains.northside, locationId: k.locations.chicago, ids, startDate: start, endDate: end, reason: 'closed for repairs' });
    expect(plan).toMatchObject({ kind: 'freeze', state: 'planned', missed: false, closure: { count: 3, batchId: null }, startDate: start, endDate: end });
    expect(plans.list().plans.filter((p) => p.closure)).toHaveLength(1);
    const created = h.store.audit.list({ limit: 10 }).find((e) => e.action === 'plan_create');
    expect(created?.after).toMatchObject({ planMemberships: 3, planStart: start, planEnd: end });

    // 23:59 the day before, in Chicago: nothing.
    now = new Date(`${addDays(start, -1)}T23:59:00-06:00`);
    await plans.tick();
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);

    // 00:01 on its day: one job.
    now = new Date(`${start}T00:01:00-06:00`);
    await plans.tick();
    await plans.tick();
    const ran = plans.list().plans.find((p) => p.id === plan.id);
    expect(ran).toMatchObject({ state: 'done', closure: { count: 3, batchId: expect.any(String) } });
    const batchId = ran?.closure?.batchId as string;
    expect(await settledBatch(h, batchId)).toBe('done');
    const jobs = (await h.svc.list()).batches;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ batchId, done: 2, failed: 0, totals: { invalid: 1, toChange: 2 } });
    for (const id of freezable) expect(frozenTill(sandbox, id), `membership ${id}`).toBe(end);
    expect(frozenTill(sandbox, refused)).toBeNull();
    expect(sandbox.control.stats().writesByAction.freeze).toBe(2);
    const runEntry = h.store.audit.list({ limit: 20 }).find((e) => e.action === 'plan_run');
    expect(runEntry).toMatchObject({ outcome: 'ok', after: { planState: 'done', planMemberships: 3, planJob: batchId } });
    // The freezes themselves are the job's, each audited with the plan's reason.
    const writes = h.store.audit.list({ limit: 20 }).filter((e) => e.batchId === batchId);
    expect(writes.map((e) => [e.action, e.outcome, e.reason])).toEqual(freezable.map(() => ['freeze', 'ok', 'closed for repairs']));

    // Later ticks never start it again.
    await plans.tick();
    expect((await h.svc.list()).batches).toHaveLength(1);
  }, 60_000);

  it('a missed closure is not started by a tick; it asks, and runNow freezes them until the end', async () => {
    const { sandbox, h, plans } = await setUp();
    const k = sandbox.control.knownIds;
    const ids = k.extra.filter((_, i) => i % 2 === 0).slice(0, 3);
    const today = todayIn(now, ZONE);
    const plan = plans.createClosure({ chainId: k.chains.northside, locationId: k.locations.chicago, ids, startDate: addDays(today, 1), endDate: addDays(today, 8) });
    // The app was not running on that day: three days later.
    now = new Date(now.getTime() + 3 * 86_400_000);
    await plans.tick();
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
    expect((await h.svc.list()).batches).toHaveLength(0);
    expect(plans.list().plans.find((p) => p.id === plan.id)).toMatchObject({ state: 'planned', missed: true, remaining: { freezeTill: addDays(today, 8) } });

    const ran = await plans.runNow(plan.id);
    expect(ran).toMatchObject({ state: 'done', missed: false });
    expect(await settledBatch(h, ran.closure?.batchId as string)).toBe('done');
    for (const id of ids) expect(frozenTill(sandbox, id), `membership ${id}`).toBe(addDays(today, 8));
  }, 60_000);

  it('pasted numbers resolve through the index; an unknown number is refused by name; change and cancel are audited and a cancelled closure never runs', async () => {
    const { sandbox, h, plans, b } = await setUp();
    const k = sandbox.control.knownIds;
    const chainId = k.chains.northside;
    const read = await h.api.membershipsByIds(chainId, k.extra.slice(0, 2));
    b.index(read);
    const numbers = read.map((m: Membership) => m.number);
    const start = addDays(todayIn(now, ZONE), 2);

    expect(() => plans.createClosure({ chainId, locationId: k.locations.chicago, text: `${numbers.join('\n')}\n99999999`, startDate: start, endDate: addDays(start, 3) })).toThrow(/99999999/);
    expect(plans.list().plans).toHaveLength(0);

    const plan = plans.createClosure({ chainId, locationId: k.locations.chicago, text: `${numbers.join(', ')}, ${numbers[0]}`, startDate: start, endDate: addDays(start, 3) });
    expect(plan.closure).toEqual({ count: 2, batchId: null });
    expect(plan.membershipNumber).toBe(numbers.join(', '));

    const changed = plans.update({ planId: plan.id, kind: 'unfreeze', startDate: start, endDate: addDays(start, 5) });
    // A closure stays a freeze of its selection: only the days change.
    expect(changed).toMatchObject({ kind: 'freeze', endDate: addDays(start, 5), closure: { count: 2 } });
    plans.cancel(plan.id);
    now = new Date(`${start}T12:00:00-06:00`);
    await plans.tick();
    expect((await h.svc.list()).batches).toHaveLength(0);
    expect(sandbox.control.stats().writesByAction.freeze).toBe(0);
    expect(h.store.audit.list({ limit: 10 }).map((e) => e.action)).toEqual(['plan_cancel', 'plan_change', 'plan_create']);
  }, 60_000);
});
