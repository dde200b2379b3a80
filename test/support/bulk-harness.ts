/**
 * The bulk service on top of the batch harness (batch-harness.ts): the same real client, limiter,
 * store and batch service, a real index repo on the same SQLite file (filled with the memberships
 * a test hands it), and the session's rights and location zones from the sandbox's /groups.
 */
import type { IndexedMembership, Membership } from '../../preload/contract';
import { createBulkService, type BulkService } from '../../main/core/bulk/service';
import { createIndexRepo, type IndexKey } from '../../main/core/index/repo';
import { lookupRef } from '../../main/core/index/service';
import { PROFILE_ID, type Harness } from './batch-harness';

export interface BulkHarness {
  bulk: BulkService;
  /** Puts memberships into the index (what a sync would have read). */
  index(memberships: readonly Membership[]): void;
  /** The index's lookup the bulk service uses (a number or an id). */
  lookup(chainId: number, ref: string | number): IndexedMembership | null;
}

export function createBulkHarness(h: Harness, options: { now?: () => Date } = {}): BulkHarness {
  const repo = createIndexRepo(h.store.db, h.store.transaction);
  const keyOf = (chainId: number): IndexKey => ({ server: 'bulk-it', chainId });
  const lookup = (chainId: number, ref: string | number) => lookupRef(repo, keyOf(chainId), ref);
  const bulk = createBulkService({
    api: () => h.api,
    session: {
      currentUser: () => ({ profileId: PROFILE_ID }),
      rightsFor: (chainId) => h.chains.find((c) => c.id === chainId)?.rights ?? null,
      locationTimezone: (locationId) => h.chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? null,
    },
    batch: h.svc,
    index: {
      lookup,
      noteMemberships: () => undefined,
    },
    events: { emit: () => undefined },
    limiter: h.limiter,
    ...(options.now && { now: options.now }),
  });
  return {
    bulk,
    lookup,
    index(memberships) {
      const byChain = new Map<number, Membership[]>();
      for (const m of memberships) byChain.set(m.chainId, [...(byChain.get(m.chainId) ?? []), m]);
      for (const [chainId, list] of byChain) repo.upsert(keyOf(chainId), list);
    },
  };
}
