/**
 * The first sync's pipeline (sync.ts planAhead / firstSync) against a fake chain list: several page
 * requests in flight, yet exactly the requests of a one-page-at-a-time walk where `meta.count` is a
 * total, every membership where it is not (a page count), and an exact resume after a stop. Pure
 * logic: the fake answers from memory, the index is an in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../common/dates';
import type { Membership } from '../../preload/contract';
import type { AltegioApi, CreatedPage, ReadOptions } from '../../main/core/altegio/api';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createIndexRepo } from '../../main/core/index/repo';
import { firstSync, planAhead } from '../../main/core/index/sync';
import { openStore } from '../../main/core/store';

const TODAY = '2026-03-01';
const key = { server: 'https://api.example/api', chainId: 70114 };

const make = (id: number, day: string): Membership => ({
  id,
  number: String(100000 + id),
  chainId: key.chainId,
  balanceString: '',
  status: { id: 2, slug: 'active', title: 'Active' },
  isFrozen: false,
  freezePeriodDays: 0,
  freezeTill: null,
  createdDate: `${day}T10:00:00+00:00`,
  activatedDate: null,
  expirationDate: null,
  type: { id: 30219, title: 'Gym', allowFreeze: true, freezeLimit: 2, freezeLimitUnit: 'week', balanceEditType: 1, period: 1, periodUnit: 'month' },
  balance: { kind: 'united', count: 5, unlimited: false, lines: [] },
});

/** N memberships sold over the last ~3 years, denser lately; `count` a total or the page's length. */
function fakeChain(n: number, count: 'total' | 'page') {
  const rows = Array.from({ length: n }, (_, i) => make(1000 + i, addDays(TODAY, -Math.floor(1100 * (1 - Math.sqrt((i + 1) / n))))));
  const calls: Array<{ after: string; before: string; page: number }> = [];
  let open = 0;
  let maxOpen = 0;
  const api = {
    membershipsCreated(_chainId: number, window: { after: string; before: string }, page: number, size: number, options: ReadOptions = {}): Promise<CreatedPage> {
      calls.push({ ...window, page });
      open++;
      maxOpen = Math.max(maxOpen, open);
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          open--;
          if (options.signal?.aborted) return reject(options.signal.reason);
          const hits = rows.filter((m) => (m.createdDate ?? '').slice(0, 10) >= window.after && (m.createdDate ?? '').slice(0, 10) <= window.before);
          const data = hits.slice((page - 1) * size, page * size);
          resolve({ memberships: data, received: data.length, count: count === 'total' ? hits.length : data.length });
        }, (page * 7 + calls.length) % 4);
      });
    },
  } as unknown as AltegioApi;
  return { api, calls, rows, maxOpen: () => maxOpen };
}

async function run(chain: ReturnType<typeof fakeChain>, inFlight: number, store = openStore(':memory:'), signal = new AbortController().signal) {
  const repo = createIndexRepo(store.db, store.transaction);
  const limiter = createRateLimiter({ perSecond: 100_000, perMinute: 6_000_000 });
  await firstSync(key, { api: chain.api, repo, limiter, now: () => new Date(`${TODAY}T12:00:00Z`), onProgress: () => undefined, inFlight, startDay: '2022-01-01', targetRows: 300 }, signal);
  return { repo, store };
}

describe('first sync pipeline', () => {
  it('with meta.count a total: several pages in flight, and exactly the requests of the one-at-a-time walk', async () => {
    const one = fakeChain(2500, 'total');
    const sequential = await run(one, 1);
    const six = fakeChain(2500, 'total');
    const piped = await run(six, 6);
    expect(piped.repo.count(key)).toBe(2500);
    expect(six.calls).toEqual(one.calls);
    expect(one.maxOpen()).toBe(1);
    expect(six.maxOpen()).toBe(6);
    expect(piped.repo.sync(key)).toMatchObject({ firstDone: true, requests: six.calls.length, rowsRead: sequential.repo.sync(key)?.rowsRead });
  });

  it('with meta.count only the page length: every membership, at most inFlight - 1 requests more per window', async () => {
    const one = fakeChain(2500, 'page');
    await run(one, 1);
    const six = fakeChain(2500, 'page');
    const { repo } = await run(six, 6);
    expect(repo.count(key)).toBe(2500);
    const windows = new Set(one.calls.map((c) => `${c.after}/${c.before}`)).size;
    expect(six.calls.length).toBeGreaterThanOrEqual(one.calls.length);
    expect(six.calls.length).toBeLessThanOrEqual(one.calls.length + windows * 5);
    // Every request the server answered is counted, used or dropped.
    expect(repo.sync(key)?.requests).toBeLessThanOrEqual(six.calls.length);
  });

  it('stopped mid-way, resumes at the first page not committed: no committed page asked again, nothing missed', async () => {
    const chain = fakeChain(2500, 'total');
    const store = openStore(':memory:');
    const stop = new AbortController();
    const repo = createIndexRepo(store.db, store.transaction);
    const limiter = createRateLimiter({ perSecond: 100_000, perMinute: 6_000_000 });
    let commits = 0;
    const deps = { api: chain.api, repo, limiter, now: () => new Date(`${TODAY}T12:00:00Z`), inFlight: 6, startDay: '2022-01-01', targetRows: 300 };
    await expect(firstSync(key, { ...deps, onProgress: () => void (++commits === 12 && stop.abort(new Error('quit'))) }, stop.signal)).rejects.toThrow('quit');
    const stopped = repo.sync(key)!;
    expect(stopped.firstDone).toBe(false);
    const asked = chain.calls.length;
    await firstSync(key, { ...deps, onProgress: () => undefined }, new AbortController().signal);
    expect(repo.count(key)).toBe(2500);
    const resumed = chain.calls.slice(asked);
    expect(resumed[0]).toMatchObject({ after: stopped.windowFrom, page: stopped.pageDone + 1 });
    for (const c of resumed) expect(c.after > stopped.windowFrom || c.page > stopped.pageDone).toBe(true);
  });

  it('plans only the first page of a window nothing is known of, and the next window once a total says where this one ends', () => {
    const state = { firstDone: false, windowFrom: '2025-01-01', windowDays: 30, pageDone: 0, rowsRead: 0, requests: 1, totalEstimate: null, startedAt: '', asOf: null };
    expect(planAhead(state, '2026-03-02', () => undefined, 6)).toEqual([{ after: '2025-01-01', before: '2025-01-31', page: 1 }]);
    const facts = (after: string) => (after === '2025-01-01' ? { total: 250, shortRows: null } : undefined);
    // 250 rows: pages 1-3 (the third is short), then the next window from the shared day, four times as long (250 rows are far from 2000).
    expect(planAhead(state, '2026-03-02', facts, 6)).toEqual([
      { after: '2025-01-01', before: '2025-01-31', page: 1 },
      { after: '2025-01-01', before: '2025-01-31', page: 2 },
      { after: '2025-01-01', before: '2025-01-31', page: 3 },
      { after: '2025-01-31', before: '2025-05-31', page: 1 },
    ]);
    // No total, only full pages so far: further pages of the same window.
    expect(planAhead(state, '2026-03-02', () => ({ total: null, shortRows: null }), 3).map((p) => p.page)).toEqual([1, 2, 3]);
  });
});
