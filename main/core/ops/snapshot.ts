/** What the audit log keeps of a membership before/after a write (the shape is the contract's MembershipSnapshot). */
import type { AuditSnapshot, Membership, MembershipSnapshot } from '../../../preload/contract';

export type { MembershipSnapshot } from '../../../preload/contract';

export function snapshotOf(m: Membership): MembershipSnapshot {
  const s: MembershipSnapshot = {
    shape: 'membership',
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

/** An entry's snapshot when it is a membership's (null for a plan's, an unreadable old one, or none). */
export function membershipSnapshot(s: AuditSnapshot | null): MembershipSnapshot | null {
  return s?.shape === 'membership' ? s : null;
}
