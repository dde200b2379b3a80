import type { Membership } from '../../preload/contract';

/**
 * The ALTEGIO.md §4.1 membership example (own values) in its domain form: an active,
 * freezable Pilates 10-pack with a per-service balance of 7. Tests spell out what they change.
 */
export function exampleMembership(over: Partial<Membership> = {}, type: Partial<Membership['type']> = {}): Membership {
  return {
    id: 4471902,
    number: '500731',
    chainId: 70114,
    balanceString: 'Pilates group (x7)',
    status: { id: 2, slug: 'active', title: 'Active' },
    isFrozen: false,
    freezePeriodDays: 0,
    freezeTill: null,
    createdDate: '2026-03-02T10:14:00-06:00',
    activatedDate: '2026-03-05T18:00:00-06:00',
    expirationDate: '2026-06-05T23:59:59-05:00',
    type: {
      id: 30218,
      title: 'Pilates 10-pack / 3 months',
      allowFreeze: true,
      freezeLimit: 14,
      freezeLimitUnit: 'day',
      balanceEditType: 2,
      period: 3,
      periodUnit: 'month',
      ...type,
    },
    balance: { kind: 'per_service', lines: [{ serviceId: 12840551, title: 'Pilates group', isCategory: false, count: 7, unlimited: false }] },
    ...over,
  };
}
