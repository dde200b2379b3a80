/**
 * The membership index of the chain in view, as the core reports it (`index.status` replies and
 * `index.progress` events replace it whole). One instance for the app; screens read it.
 */
import type { DeskError, IndexStatus } from '../../../preload/contract';
import { app } from './app.svelte';
import { desk } from './desk';

class IndexState {
  statuses = $state<Record<number, IndexStatus>>({});
  error = $state<DeskError | null>(null);
  /** A call (read, stop, forget) is on its way. */
  busy = $state(false);
  #listening = false;

  /** The status of a chain (null until known). */
  of(chainId: number | null): IndexStatus | null {
    return chainId === null ? null : (this.statuses[chainId] ?? null);
  }

  #set(s: IndexStatus): void {
    this.statuses = { ...this.statuses, [s.chainId]: s };
  }

  listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    desk().on('index.progress', (s) => this.#set(s));
  }

  async load(chainId: number): Promise<void> {
    this.listen();
    const reply = await app.call('index.status', { chainId });
    if (reply.ok) this.#set(reply.value);
  }

  /** Runs an index action; true when the core accepted it. */
  async run(channel: 'index.sync' | 'index.stop' | 'index.forget', chainId: number): Promise<boolean> {
    this.error = null;
    this.busy = true;
    try {
      const reply = await app.call(channel, { chainId });
      if (reply.ok) this.#set(reply.value);
      else this.error = reply.error;
      return reply.ok;
    } finally {
      this.busy = false;
    }
  }
}

export const indexState = new IndexState();
