/**
 * The one dialog a desk store has open at a time, with its write's progress: what the stores for
 * memberships (memberships.svelte.ts) and plans (plans.svelte.ts) share.
 */
import type { DeskError } from '../../../preload/contract';

export class DialogState<D> {
  dialog = $state<D | null>(null);
  /** A write is on its way (the open dialog's confirm button says so). */
  busy = $state(false);
  /** The last write's refusal, shown in the open dialog. */
  writeError = $state<DeskError | null>(null);

  open(dialog: D): void {
    this.writeError = null;
    this.busy = false;
    this.dialog = dialog;
  }

  /**
   * The open dialog's call: `busy` while it runs (a second submit meanwhile is ignored), a refusal
   * kept in `writeError`; the answer's value, or null when it was refused or not sent.
   */
  protected async submit<T>(send: () => Promise<{ ok: true; value: T } | { ok: false; error: DeskError }>): Promise<{ value: T } | null> {
    if (this.busy) return null;
    this.busy = true;
    this.writeError = null;
    const reply = await send();
    this.busy = false;
    if (!reply.ok) {
      this.writeError = reply.error;
      return null;
    }
    return { value: reply.value };
  }

  close(): void {
    if (this.busy) return;
    this.dialog = null;
    this.writeError = null;
  }
}
