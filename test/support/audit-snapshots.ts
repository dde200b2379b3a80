/** Audit snapshots for tests: the contract's membership shape, the given fields over an active, unfrozen membership. */
import type { MembershipSnapshot } from '../../preload/contract';

export function snap(fields: Partial<Omit<MembershipSnapshot, 'shape'>> = {}): MembershipSnapshot {
  return { shape: 'membership', isFrozen: false, freezeTill: null, expirationDate: null, freezePeriodDays: 0, statusSlug: 'active', ...fields };
}
