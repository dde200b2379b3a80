/**
 * The app's shared state: the session as the core reports it, the connection state, the screen in
 * view, and the re-authentication prompt. Screens read it; only the core changes the session (every
 * session reply and `session.changed` event replaces it whole).
 */
import type { Chain, ClientSummary, DeskError, IndexedMembership, Location, Rights, SessionState } from '../../../preload/contract';
import { createCaller } from './call';
import { desk } from './desk';
import { errorLine } from './errors';

export type Screen = 'memberships' | 'worklists' | 'plans' | 'audit' | 'batch' | 'settings';

const NO_RIGHTS: Rights = { loyalty: false, periodEdit: false, balanceEdit: false, history: false };

class AppState {
  session = $state<SessionState | null>(null);
  /** The core's Connectivity: `network.get` at start, then every `network.status`. */
  online = $state(true);
  screen = $state<Screen>('memberships');
  /** A membership another screen (a worklist) asked the desk to open; the desk takes it. */
  membershipToOpen = $state<IndexedMembership | null>(null);
  /** A client found at another location of the chain: the desk opens it once that location is chosen. */
  clientToOpen = $state<{ client: ClientSummary; locationId: number } | null>(null);
  /** Open while the re-authentication dialog is shown. */
  reauthOpen = $state(false);

  #reauthWaiters: Array<(ok: boolean) => void> = [];

  readonly call = createCaller(desk(), () => this.askForPassword());

  chain = $derived.by((): Chain | null => {
    const s = this.session;
    if (!s?.selection) return null;
    return s.chains.find((c) => c.id === s.selection?.chainId) ?? null;
  });

  location = $derived.by((): Location | null => {
    const s = this.session;
    if (!s?.selection) return null;
    return this.chain?.locations.find((l) => l.id === s.selection?.locationId) ?? null;
  });

  /** The location's zone: every date on screen is shown in it. */
  timezone = $derived(this.location?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);

  rightsFor(chainId: number): Rights {
    return this.session?.chains.find((c) => c.id === chainId)?.rights ?? NO_RIGHTS;
  }

  /** A session call's reply: the new session taken, or its error returned for the caller to show. */
  acceptSession(reply: { ok: true; value: SessionState } | { ok: false; error: DeskError }): DeskError | null {
    if (!reply.ok) return reply.error;
    this.setSession(reply.value);
    return null;
  }

  setSession(s: SessionState): void {
    this.session = s;
    if (s.status === 'expired' && !this.reauthOpen) this.reauthOpen = true;
    if (s.status === 'signed_in' && this.reauthOpen && this.#reauthWaiters.length === 0) this.reauthOpen = false;
  }

  askForPassword(): Promise<boolean> {
    this.reauthOpen = true;
    return new Promise<boolean>((resolve) => this.#reauthWaiters.push(resolve));
  }

  /** Called by the dialog: `true` after a successful `session.reauthenticate`, `false` on cancel. */
  finishReauth(ok: boolean): void {
    this.reauthOpen = false;
    const waiters = this.#reauthWaiters;
    this.#reauthWaiters = [];
    for (const w of waiters) w(ok);
  }

  async start(): Promise<void> {
    const api = desk();
    api.on('session.changed', (s) => this.setSession(s));
    api.on('network.status', (n) => {
      this.online = n.online;
    });
    const reply = await api.invoke('session.get', {});
    if (reply.ok) this.setSession(reply.value);
    else this.startError = errorLine(reply.error);
    const network = await api.invoke('network.get', {});
    if (network.ok) this.online = network.value.online;
  }

  startError = $state<string | null>(null);
}

export const app = new AppState();
