/**
 * Notices after a change: a toast that names the membership it concerns, may offer Undo, and fades.
 * Never shown inside a card, so it can never look as if it belonged to another membership.
 */

export interface Notice {
  id: number;
  /** "Membership № 270709 (Pilates 10-pack)" */
  subject: string;
  text: string;
  /** Offered while the notice is up: opens the undo of this change. */
  undo?: () => void;
  /** The audit entry the notice is about (its notice goes once the entry is undone). */
  auditId?: number;
}

/** Long enough to read two lines and reach Undo; hovering or focusing a notice keeps it. */
export const NOTICE_MS = 10_000;

class Notices {
  list = $state<Notice[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(n: Omit<Notice, 'id'>): number {
    const id = this.#next++;
    this.list = [...this.list, { ...n, id }].slice(-3);
    this.schedule(id);
    return id;
  }

  dismiss(id: number): void {
    this.hold(id);
    this.list = this.list.filter((n) => n.id !== id);
  }

  /** The change was undone elsewhere: its notice and Undo are no longer true. */
  dismissFor(auditId: number): void {
    for (const n of this.list) if (n.auditId === auditId) this.dismiss(n.id);
  }

  /** Stops the fade while the person is reading or about to press Undo. */
  hold(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  schedule(id: number): void {
    this.hold(id);
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), NOTICE_MS),
    );
  }
}

export const notices = new Notices();
