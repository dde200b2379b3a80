/** What the audit log keeps of a membership before/after a write. */
import type { Membership } from '../../../preload/contract';
import type { AuditRequest } from './kind';

export interface MembershipSnapshot {
  [key: string]: unknown;
  isFrozen: boolean;
  freezeTill: string | null;
  expirationDate: string | null;
  freezePeriodDays: number;
  statusSlug: string;
  united?: number;
  services?: Record<string, number>;
  serviceTitles?: Record<string, string>;
  /** In `before` only: what this write asked for. */
  request?: AuditRequest;
}

export function snapshotOf(m: Membership): MembershipSnapshot {
  const s: MembershipSnapshot = {
    isFrozen: m.isFrozen,
    freezeTill: m.freezeTill,
    expirationDate: m.expirationDate,
    freezePeriodDays: m.freezePeriodDays,
    statusSlug: m.status.slug,
  };
  if (m.balance.kind === 'united') {
    if (!m.balance.unlimited) s.united = m.balance.count;
  } else {
    s.services = Object.fromEntries(m.balance.lines.filter((l) => !l.unlimited).map((l) => [String(l.serviceId), l.count]));
    // Titles travel with the ids so the audit log can say "Pilates group", not "Service 12840551".
    s.serviceTitles = Object.fromEntries(m.balance.lines.map((l) => [String(l.serviceId), l.title]));
  }
  return s;
}
