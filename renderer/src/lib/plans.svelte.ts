/**
 * Scheduled freezes on this PC (the core keeps and runs them: main/core/plans/). The list as the
 * core reports it, reloaded on every `plans.changed` (the scheduler runs plans by itself), the
 * open plan dialog, and the calls. Missed plans are what the app asks about.
 */
import type { DeskError, Membership, Plan } from '../../../preload/contract';
import { app } from './app.svelte';
import { optionalReason } from './call';
import { DialogState } from './dialog-state.svelte';
import { desk } from './desk';

export type PlanDialog = { membership: Pick<Membership, 'id' | 'number' | 'chainId'>; locationId: number; plan: Plan | null };

export interface PlanForm {
  kind: Plan['kind'];
  startDate: string;
  endDate: string | null;
  reason: string;
}

class PlansState extends DialogState<PlanDialog> {
  plans = $state<Plan[]>([]);
  error = $state<DeskError | null>(null);
  missed = $derived(this.plans.filter((p) => p.missed));
  #listening = false;

  listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    desk().on('plans.changed', () => void this.load());
    void this.load();
  }

  async load(): Promise<void> {
    const reply = await app.call('plans.list', {});
    if (reply.ok) {
      this.plans = reply.value.plans;
      this.error = null;
    } else this.error = reply.error;
  }

  forMembership(id: number): Plan[] {
    return this.plans.filter((p) => p.closure === null && p.membershipId === id && (p.state === 'planned' || p.state === 'running'));
  }

  async save(form: PlanForm): Promise<boolean> {
    const d = this.dialog;
    if (!d || this.busy) return false;
    const input = { kind: form.kind, startDate: form.startDate, endDate: form.kind === 'freeze' ? form.endDate : null, ...optionalReason(form.reason) };
    return this.#do(() =>
      d.plan ? app.call('plans.update', { planId: d.plan.id, ...input }) : app.call('plans.create', { chainId: d.membership.chainId, locationId: d.locationId, membershipId: d.membership.id, ...input }),
    );
  }

  cancel(plan: Plan): Promise<boolean> {
    return this.#do(() => app.call('plans.cancel', { planId: plan.id }));
  }

  runNow(plan: Plan): Promise<boolean> {
    return this.#do(() => app.call('plans.runNow', { planId: plan.id }));
  }

  async #do(send: () => Promise<{ ok: true; value: Plan } | { ok: false; error: DeskError }>): Promise<boolean> {
    if ((await this.submit(send)) === null) return false;
    this.dialog = null;
    await this.load();
    return true;
  }
}

export const plans = new PlansState();
