/**
 * Scheduled freezes and unfreezes (issue 11 item 5), kept on this PC and run from it.
 *
 * A plan is a row in the store (plans/store.ts). The scheduler looks at the open plans on every
 * tick of the clock (clock.ts: a minute; a test clock much faster) while someone is signed in who
 * has the plan's chain: a plan whose day is today in its location's zone is `due` and is run —
 * through the memberships service, so the write is the one write path's journaled desk job, with
 * its own audit entry. A plan whose day has passed without running is never acted on silently:
 * it is listed as missed and the person chooses (plans.runNow for what remains, or cancel).
 * Every create, change, cancel and run is in the audit log (actions plan_*).
 */
import type { Plan, PlanSnapshot } from '../../../preload/contract';
import { planDecision, planProblem, type PlanDates } from '../../../common/plan-rules';
import type { Clock } from '../clock';
import { asDeskFailure, DeskFailure, storedOf } from '../errors';
import { msg } from '../../../common/i18n/translate';
import { storedText } from '../../../common/i18n/stored';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import type { MembershipService } from '../memberships/service';
import type { SessionService } from '../session/session';
import type { Store } from '../store';
import { closureName, resolveSelection, startClosure, type ClosureDeps } from './closure';
import { plansRepo, type PlanRecord } from './store';

export interface PlanInput {
  kind: Plan['kind'];
  startDate: string;
  endDate: string | null;
  reason?: string | undefined;
}

export interface PlansService {
  list(): { plans: Plan[] };
  create(args: PlanInput & { chainId: number; locationId: number; membershipId: number }): Promise<Plan>;
  /** A closure for a selection: one plan that freezes them all together (closure.ts). */
  createClosure(args: { chainId: number; locationId: number; ids?: number[] | undefined; text?: string | undefined; startDate: string; endDate: string; reason?: string | undefined }): Plan;
  update(args: PlanInput & { planId: number }): Plan;
  cancel(planId: number): Plan;
  runNow(planId: number): Promise<Plan>;
  /** One look at the open plans: runs those due today (the scheduler's tick; tests call it). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export interface PlansDeps {
  store: Store;
  session: Pick<SessionService, 'currentUser' | 'rightsFor' | 'locationTimezone' | 'snapshot'>;
  memberships: Pick<MembershipService, 'get' | 'freeze' | 'unfreeze'>;
  clock: Clock;
  events?: Pick<EventHub, 'emit'>;
  log?: Logger;
  /** The bulk service and the index, for closures (created after this service: asked when needed). */
  closures?: () => ClosureDeps | undefined;
  /** Start the scheduler's timer (false in unit tests that tick by hand). */
  schedule?: boolean;
}

const PROBLEM_WORDS = {
  start_not_a_date: msg('error.app.planStartDay', { example: '2026-03-10' }),
  start_in_past: msg('plan.startInPast'),
  end_not_a_date: msg('error.app.planEndDay', { example: '2026-03-20' }),
  end_not_after_start: msg('plan.endNotAfterStart'),
} as const;

/** Closures need the bulk service and the index, wired in after this service: only a wiring bug misses them. */
const NO_CLOSURES = () => new Error('plans: closures are not wired in');

/** A plan the app stopped during (crash, kill): whether its write landed is for a person to see, never guessed or resent. */
const INTERRUPTED = storedText(msg('error.app.planInterrupted'));

export function createPlansService(deps: PlansDeps): PlansService {
  const repo = plansRepo(deps.store.db);
  // The write itself is decided by the desk journal at start-up (jobs/desk.ts resolveLeftovers); the plan
  // is not run again by itself — it says so and waits for a person.
  for (const r of repo.list(0)) if (r.state === 'running') repo.move(r.id, 'running', 'failed', INTERRUPTED);
  const now = () => deps.clock.now();
  let running: Promise<void> | null = null;
  let closed = false;
  /** Missed plans the screens were told about (told once, so a list shows them without polling). */
  const announced = new Set<number>();

  const view = (r: PlanRecord): Plan => {
    const d = planDecision(r, now());
    const missed = r.state === 'planned' && d.kind === 'missed';
    const { auditId: _auditId, membershipIds, batchId, ...rest } = r;
    const closure = membershipIds ? { count: membershipIds.length, batchId } : null;
    return { ...rest, missed, remaining: missed && d.kind === 'missed' ? d.remaining : null, closure };
  };
  const changed = (id: number) => deps.events?.emit('plans.changed', { planId: id });
  const snapshot = (p: Pick<PlanRecord, 'kind' | 'startDate' | 'endDate' | 'state' | 'membershipIds' | 'batchId'>): PlanSnapshot => ({
    shape: 'plan',
    planKind: p.kind,
    planStart: p.startDate,
    planEnd: p.endDate,
    planState: p.state,
    ...(p.membershipIds && { planMemberships: p.membershipIds.length, planJob: p.batchId }),
  });

  /** `message`: as stored (common/i18n/stored.ts). */
  function audit(r: PlanRecord, action: 'plan_create' | 'plan_change' | 'plan_cancel' | 'plan_run', before: PlanRecord | null, outcome: 'ok' | 'failed', message: string | null, by?: { name: string; userId: number; profileId: string }): number {
    const user = by ?? deps.session.currentUser();
    return deps.store.audit.add({
      userName: user.name,
      userId: user.userId,
      profileId: user.profileId,
      chainId: r.chainId,
      locationId: r.locationId,
      membershipId: r.membershipId,
      membershipNumber: r.membershipNumber,
      action,
      before: before ? snapshot(before) : null,
      after: snapshot(r),
      reason: r.reason,
      outcome,
      message,
      batchId: null,
      undoOf: null,
    });
  }

  function checkDates(p: PlanDates): void {
    const problem = planProblem(p, now());
    if (problem) throw new DeskFailure('validation', PROBLEM_WORDS[problem], { fields: { [problem.startsWith('start') ? 'startDate' : 'endDate']: PROBLEM_WORDS[problem] } });
  }

  function mustGet(id: number): PlanRecord {
    const r = repo.get(id);
    if (!r) throw new DeskFailure('not_found', msg('error.app.planGone'));
    return r;
  }

  /** Runs one plan now (its day, or a missed one the person confirmed): the freeze until its end, or the unfreeze. */
  async function run(r: PlanRecord, freezeTill: string | null): Promise<PlanRecord> {
    if (!repo.move(r.id, 'planned', 'running')) return mustGet(r.id);
    changed(r.id);
    if (r.membershipIds) return runClosure(r, freezeTill ?? r.endDate ?? '');
    const at = { chainId: r.chainId, locationId: r.locationId, membershipId: r.membershipId, reason: r.reason };
    // The plan keeps the id of the audit entry its write made (it comes with the write's answer).
    let result: { ok: true; auditId: number } | { ok: false; stored: string };
    try {
      const done = r.kind === 'freeze' ? await deps.memberships.freeze({ ...at, freezeTill: freezeTill ?? r.endDate ?? '' }) : await deps.memberships.unfreeze(at);
      result = { ok: true, auditId: done.auditId };
    } catch (e) {
      result = { ok: false, stored: storedOf(asDeskFailure(e)) };
    }
    const auditId = result.ok ? result.auditId : null;
    deps.store.transaction(() => {
      repo.move(r.id, 'running', result.ok ? 'done' : 'failed', result.ok ? null : result.stored, auditId);
      const now = mustGet(r.id);
      audit(now, 'plan_run', r, result.ok ? 'ok' : 'failed', result.ok ? null : result.stored);
    });
    changed(r.id);
    deps.log?.info('plans: ran a plan', { planId: r.id, kind: r.kind, ok: result.ok });
    return mustGet(r.id);
  }

  /** A closure on its day: one bulk freeze job for the selection (its rows are the job's, audited there). */
  async function runClosure(r: PlanRecord, freezeTill: string): Promise<PlanRecord> {
    const closures = deps.closures?.();
    const result = closures ? await startClosure(closures, r, freezeTill) : ({ ok: false, message: storedOf(asDeskFailure(NO_CLOSURES())) } as const);
    deps.store.transaction(() => {
      if (result.ok) repo.setBatch(r.id, result.batchId);
      repo.move(r.id, 'running', result.ok ? 'done' : 'failed', result.ok ? null : result.message);
      audit(mustGet(r.id), 'plan_run', r, result.ok ? 'ok' : 'failed', result.ok ? null : result.message);
    });
    changed(r.id);
    deps.log?.info('plans: started a closure', { planId: r.id, memberships: r.membershipIds?.length ?? 0, ok: result.ok });
    return mustGet(r.id);
  }

  async function tickOnce(): Promise<void> {
    const state = deps.session.snapshot();
    if (state.status !== 'signed_in') return;
    for (const r of repo.open()) {
      if (closed) return;
      if (deps.session.rightsFor(r.chainId) === null) continue;
      const d = planDecision(r, now());
      if (d.kind === 'due') await run(r, null);
      else if (d.kind === 'missed' && !announced.has(r.id)) {
        announced.add(r.id);
        changed(r.id);
      }
    }
  }

  const tick = (): Promise<void> => {
    running ??= tickOnce()
      .catch((e: unknown) => deps.log?.warn('plans: a scheduler look failed', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => (running = null));
    return running;
  };

  const timer = deps.schedule === false ? null : setInterval(() => void tick(), deps.clock.tickMs);
  timer?.unref?.();

  return {
    list: () => ({ plans: repo.list().map(view) }),

    async create(args) {
      const timezone = deps.session.locationTimezone(args.locationId) ?? 'UTC';
      const dates: PlanDates = { kind: args.kind, startDate: args.startDate, endDate: args.kind === 'freeze' ? args.endDate : null, timezone };
      checkDates(dates);
      // A fresh read names the membership (its number) and proves it is in this chain.
      const m = await deps.memberships.get(args.chainId, args.membershipId);
      const user = deps.session.currentUser();
      const id = deps.store.transaction(() => {
        const newId = repo.add({ ...dates, chainId: args.chainId, locationId: args.locationId, membershipId: m.id, membershipNumber: m.number, reason: args.reason?.trim() ?? '', createdBy: user.name });
        audit(mustGet(newId), 'plan_create', null, 'ok', null, user);
        return newId;
      });
      changed(id);
      // A plan for today runs at once (the person is here; it is its day).
      void tick();
      return view(mustGet(id));
    },

    createClosure(args) {
      const closures = deps.closures?.();
      if (!closures) throw NO_CLOSURES();
      if (deps.session.rightsFor(args.chainId) === null) throw new DeskFailure('forbidden', msg('error.app.noChainAccess'));
      const timezone = deps.session.locationTimezone(args.locationId) ?? 'UTC';
      const dates: PlanDates = { kind: 'freeze', startDate: args.startDate, endDate: args.endDate, timezone };
      checkDates(dates);
      const { ids, numbers } = resolveSelection(closures.index, args.chainId, args);
      const user = deps.session.currentUser();
      const id = deps.store.transaction(() => {
        const newId = repo.add({ ...dates, chainId: args.chainId, locationId: args.locationId, membershipId: ids[0] as number, membershipNumber: closureName(numbers), membershipIds: ids, reason: args.reason?.trim() ?? '', createdBy: user.name });
        audit(mustGet(newId), 'plan_create', null, 'ok', null, user);
        return newId;
      });
      changed(id);
      void tick();
      return view(mustGet(id));
    },

    update(args) {
      const before = mustGet(args.planId);
      if (before.state !== 'planned') throw new DeskFailure('conflict', msg('error.app.planClosedEdit'));
      // A closure stays a freeze of its selection; only its days and reason change.
      const kind = before.membershipIds ? 'freeze' : args.kind;
      const dates: PlanDates = { kind, startDate: args.startDate, endDate: kind === 'freeze' ? args.endDate : null, timezone: before.timezone };
      checkDates(dates);
      deps.store.transaction(() => {
        repo.setDates(before.id, { kind: dates.kind, startDate: dates.startDate, endDate: dates.endDate, reason: args.reason?.trim() ?? before.reason });
        audit(mustGet(before.id), 'plan_change', before, 'ok', null);
      });
      changed(before.id);
      void tick();
      return view(mustGet(before.id));
    },

    cancel(planId) {
      const before = mustGet(planId);
      deps.store.transaction(() => {
        if (!repo.move(planId, 'planned', 'cancelled')) throw new DeskFailure('conflict', msg('error.app.planClosed'));
        audit(mustGet(planId), 'plan_cancel', before, 'ok', null);
      });
      changed(planId);
      return view(mustGet(planId));
    },

    async runNow(planId) {
      const r = mustGet(planId);
      const d = planDecision(r, now());
      if (r.state !== 'planned') throw new DeskFailure('conflict', msg('error.app.planClosed'));
      if (d.kind === 'not_yet') throw new DeskFailure('validation', msg('error.app.planNotDue'));
      if (d.kind === 'missed' && d.remaining === null) throw new DeskFailure('validation', msg('error.app.planNothingLeft'));
      return view(await run(r, d.kind === 'missed' ? (d.remaining?.freezeTill ?? null) : null));
    },

    tick,

    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
