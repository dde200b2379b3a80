/**
 * The desk's memberships state: the client in view, their memberships, the open card and its
 * history, the open write dialog, and the writes themselves (freeze, unfreeze, balance, undo) with
 * their busy and error state. Dialogs render it and call its methods; after a write it updates the
 * membership wherever it is shown, reloads the history and raises a notice naming the membership.
 */
import type { AuditEntry, BalanceTarget, ClientSummary, DeskError, DeskWriteResult, IndexedMembership, Membership } from '../../../preload/contract';
import { undoBlock } from '../../../common/undo-rules';
import { app } from './app.svelte';
import { createLatest, optionalReason } from './call';
import { DialogState } from './dialog-state.svelte';
import { formatDate } from './format';
import { currentLanguage, t } from './i18n';
import { notices } from './notices.svelte';

export type DeskDialog =
  | { kind: 'freeze'; membership: Membership }
  | { kind: 'unfreeze'; membership: Membership }
  | { kind: 'balance'; membership: Membership }
  | { kind: 'period'; membership: Membership }
  | { kind: 'undo'; entry: AuditEntry };

/** "Membership № 270709 (Pilates 10-pack / 3 months)": how notices and dialogs name one. */
export function membershipName(m: Pick<Membership, 'number'> & { type?: { title: string } }): string {
  return m.type?.title ? t('membership.numberType', { number: m.number, type: m.type.title }) : t('membership.number', { number: m.number });
}

class MembershipsState extends DialogState<DeskDialog> {
  client = $state<ClientSummary | null>(null);
  memberships = $state<Membership[]>([]);
  /** The client has no phone in Altegio, so their memberships cannot be listed. */
  noPhone = $state(false);
  /** Opened straight from a membership id or number: Altegio does not say whose it is. */
  direct = $state(false);
  /** Found by number in the local index: the client and location it was seen with, if known. */
  foundByNumber = $state<IndexedMembership | null>(null);
  loading = $state(false);
  error = $state<DeskError | null>(null);
  selectedId = $state<number | null>(null);
  selected = $derived(this.memberships.find((m) => m.id === this.selectedId) ?? null);

  history = $state<AuditEntry[]>([]);
  historyLoading = $state(false);
  historyError = $state<DeskError | null>(null);

  #latest = createLatest();

  /** Back to an empty desk (another location or user). */
  reset(): void {
    this.#latest.next();
    this.client = null;
    this.memberships = [];
    this.noPhone = false;
    this.direct = false;
    this.foundByNumber = null;
    this.loading = false;
    this.error = null;
    this.select(null);
    this.close();
  }

  async openClient(c: ClientSummary, locationId: number): Promise<void> {
    const ticket = this.#latest.next();
    this.client = c;
    this.direct = false;
    this.foundByNumber = null;
    this.memberships = [];
    this.select(null);
    this.noPhone = !c.phone;
    this.error = null;
    this.loading = true;
    const reply = await app.call('memberships.forClient', { locationId, clientId: c.id });
    if (!this.#latest.isCurrent(ticket)) return;
    this.loading = false;
    if (!reply.ok) {
      this.error = reply.error;
      return;
    }
    this.client = reply.value.client;
    this.memberships = reply.value.memberships;
    this.noPhone = reply.value.noPhone ?? !reply.value.client.phone;
    if (this.memberships.length === 1) this.select(this.memberships[0]?.id ?? null);
  }

  openMembership(m: Membership, found?: IndexedMembership): void {
    this.#latest.next();
    this.client = null;
    this.direct = true;
    this.foundByNumber = found ?? null;
    this.loading = false;
    this.error = null;
    this.memberships = [m];
    this.select(m.id);
  }

  select(id: number | null): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.history = [];
    this.historyError = null;
    if (id !== null) void this.loadHistory(id);
  }

  async loadHistory(membershipId: number): Promise<AuditEntry[]> {
    this.historyLoading = true;
    const reply = await app.call('audit.list', { membershipId, limit: 100 });
    if (membershipId !== this.selectedId) return reply.ok ? reply.value.entries : [];
    this.historyLoading = false;
    if (!reply.ok) {
      this.historyError = reply.error;
      return [];
    }
    this.historyError = null;
    this.history = reply.value.entries;
    return this.history;
  }

  freeze(m: Membership, locationId: number, freezeTill: string, reason: string): Promise<boolean> {
    return this.#write(
      m,
      () => app.call('memberships.freeze', { chainId: m.chainId, locationId, membershipId: m.id, freezeTill, ...optionalReason(reason) }),
      (after) => t('card.done.frozen', { date: formatDate(after.freezeTill, app.timezone) }),
    );
  }

  unfreeze(m: Membership, locationId: number, reason: string): Promise<boolean> {
    return this.#write(
      m,
      () => app.call('memberships.unfreeze', { chainId: m.chainId, locationId, membershipId: m.id, ...optionalReason(reason) }),
      () => t('card.done.unfrozen'),
    );
  }

  setBalance(m: Membership, locationId: number, target: BalanceTarget, reason: string): Promise<boolean> {
    return this.#write(
      m,
      () => app.call('memberships.setBalance', { chainId: m.chainId, locationId, membershipId: m.id, reason: reason.trim(), ...target }),
      () => t('card.done.balance'),
    );
  }

  setPeriod(m: Membership, locationId: number, expiry: string, reason: string): Promise<boolean> {
    return this.#write(
      m,
      () => app.call('memberships.setPeriod', { chainId: m.chainId, locationId, membershipId: m.id, expiry, ...optionalReason(reason) }),
      // The date Altegio reports after the change (the read that confirmed it), not the one asked for.
      (after) => t('card.done.expiry', { date: formatDate(after.expirationDate, app.timezone) }),
    );
  }

  async undo(entry: AuditEntry, reason: string): Promise<boolean> {
    const reply = await this.submit(() => app.call('audit.undo', { auditId: entry.id, ...optionalReason(reason), language: currentLanguage() }));
    if (reply === null) return false;
    this.dialog = null;
    void this.#changed(reply.value.membership);
    notices.dismissFor(entry.id);
    notices.push({ subject: membershipName({ number: entry.membershipNumber }), text: t('history.undone') });
    this.lastUndo = reply.value.entry;
    return true;
  }

  /** The newest undo's audit entry: a screen listing audit entries (the audit log) reloads on it. */
  lastUndo = $state<AuditEntry | null>(null);

  async #write(
    m: Membership,
    send: () => Promise<{ ok: true; value: DeskWriteResult } | { ok: false; error: DeskError }>,
    words: (after: Membership) => string,
  ): Promise<boolean> {
    const reply = await this.submit(send);
    if (reply === null) return false;
    const { membership: after, auditId } = reply.value;
    this.dialog = null;
    const entries = await this.#changed(after);
    // The entry this write made (the core says which); the notice offers its Undo when the shared rule allows it.
    const entry = entries.find((e) => e.id === auditId);
    const undoable = entry !== undefined && undoBlock(entry, app.rightsFor(after.chainId), entries) === null;
    notices.push({
      subject: membershipName(after),
      text: words(after),
      ...(undoable ? { auditId, undo: () => this.open({ kind: 'undo', entry }) } : {}),
    });
    return true;
  }

  /** A membership changed: shown anew wherever it is listed, its history reloaded; returns that history. */
  async #changed(m: Membership): Promise<AuditEntry[]> {
    this.memberships = this.memberships.map((x) => (x.id === m.id ? m : x));
    if (m.id === this.selectedId) return this.loadHistory(m.id);
    const reply = await app.call('audit.list', { membershipId: m.id, limit: 5 });
    return reply.ok ? reply.value.entries : [];
  }
}

export const memberships = new MembershipsState();
