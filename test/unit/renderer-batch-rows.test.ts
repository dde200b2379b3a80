import { describe, expect, it } from 'vitest';
import type { BatchPlanRow } from '../../preload/contract';
import { RowPager, pagesCovering, visibleWindow, type PageFetcher } from '../../renderer/src/lib/batch-rows';

function row(i: number): BatchPlanRow {
  return { line: i + 2, membership: `№ ${1000 + i}`, service: '', before: 5, after: 6, reason: '', status: 'change', message: null };
}

function fakeCore(total: number) {
  const calls: Array<[number, number]> = [];
  const pending: Array<() => void> = [];
  let version = 0;
  const fetch: PageFetcher = (offset, limit) => {
    calls.push([offset, limit]);
    const read = version; // the rows as they are when the request arrives
    return new Promise((resolve) => {
      pending.push(() => {
        const rows = [];
        for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push({ ...row(i), reason: `v${read}` });
        resolve({ ok: true, rows, total });
      });
    });
  };
  return {
    fetch,
    calls,
    bump: () => (version += 1),
    async flush() {
      while (pending.length) pending.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

describe('visibleWindow', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleWindow(0, 400, 40, 100_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleWindow(40_000, 400, 40, 100_000, 5)).toEqual({ start: 995, end: 1016 });
  });

  it('stays inside the rows', () => {
    expect(visibleWindow(4_000_000, 400, 40, 100_000, 5)).toEqual({ start: 99_995, end: 100_000 });
    expect(visibleWindow(999_999, 400, 40, 10, 5)).toEqual({ start: 9, end: 10 });
    expect(visibleWindow(-50, 400, 40, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleWindow(0, 400, 40, 0)).toEqual({ start: 0, end: 0 });
  });

  it('pages covering a window', () => {
    expect(pagesCovering(0, 16, 200)).toEqual([0]);
    expect(pagesCovering(190, 216, 200)).toEqual([0, 1]);
    expect(pagesCovering(5, 5, 200)).toEqual([]);
  });
});

describe('RowPager', () => {
  it('fetches each page once, on demand', async () => {
    const core = fakeCore(100_000);
    let changes = 0;
    const pager = new RowPager(core.fetch, { pageSize: 200, onchange: () => (changes += 1) });
    pager.ensure(0, 30);
    pager.ensure(0, 30);
    expect(core.calls).toEqual([[0, 200]]);
    expect(pager.get(5)).toBeUndefined();
    await core.flush();
    expect(changes).toBe(1);
    expect(pager.total).toBe(100_000);
    expect(pager.get(5)?.line).toBe(7);
    pager.ensure(50_000, 50_030);
    pager.ensure(190, 210);
    expect(core.calls).toEqual([[0, 200], [50_000, 200], [200, 200]]);
    await core.flush();
    expect(pager.get(50_010)?.line).toBe(50_012);
  });

  it('never asks beyond the last row once the total is known', async () => {
    const core = fakeCore(150);
    const pager = new RowPager(core.fetch, { pageSize: 100 });
    pager.ensure(0, 10);
    await core.flush();
    pager.ensure(140, 260);
    expect(core.calls).toEqual([[0, 100], [100, 100]]);
  });

  it('keeps rows on screen while refetching after invalidate', async () => {
    const core = fakeCore(300);
    const pager = new RowPager(core.fetch, { pageSize: 100 });
    pager.ensure(0, 10);
    await core.flush();
    core.bump();
    pager.invalidate();
    pager.ensure(0, 10);
    expect(pager.get(0)?.reason).toBe('v0');
    await core.flush();
    expect(pager.get(0)?.reason).toBe('v1');
    expect(core.calls.length).toBe(2);
  });

  it('drops the oldest pages beyond its budget', async () => {
    const core = fakeCore(100_000);
    const pager = new RowPager(core.fetch, { pageSize: 100, maxPages: 4 });
    for (let p = 0; p < 6; p++) {
      pager.ensure(p * 100, p * 100 + 10);
      await core.flush();
    }
    expect(pager.get(0)).toBeUndefined();
    expect(pager.get(150)).toBeUndefined();
    expect(pager.get(250)).toBeDefined();
    expect(pager.get(550)).toBeDefined();
  });

  it('ignores answers after dispose and reports errors', async () => {
    const core = fakeCore(100);
    let changes = 0;
    const pager = new RowPager(core.fetch, { onchange: () => (changes += 1) });
    pager.ensure(0, 10);
    pager.dispose();
    await core.flush();
    expect(changes).toBe(0);
    expect(pager.get(0)).toBeUndefined();

    const failing = new RowPager(async () => ({ ok: false, message: 'No connection' }));
    failing.ensure(0, 10);
    await new Promise((r) => setTimeout(r, 0));
    expect(failing.error).toBe('No connection');
    expect(failing.total).toBeNull();
  });

  it('never loses an invalidation that arrives while a page loads: the page is fetched again, never kept stale', async () => {
    // The batch finishes while the page is on its way: the answer was read before the last rows
    // were applied. Seen in e2e as "Waiting" on a row of a finished batch.
    const core = fakeCore(50);
    let changes = 0;
    const pager = new RowPager(core.fetch, { pageSize: 100, onchange: () => (changes += 1) });
    pager.ensure(0, 10);
    core.bump(); // the rows change in the core…
    pager.invalidate(); // …and the screen hears of it while the first answer is still under way
    pager.ensure(0, 10); // what the table does on the invalidation: the page is loading, so no new call yet
    expect(core.calls).toEqual([[0, 100]]);
    const first = core.flush(); // answers the old request (rows read before the change)
    await first;
    // The answer predates the invalidation: it is not kept as fresh; the page is asked for again at once.
    expect(core.calls).toEqual([[0, 100], [0, 100]]);
    await core.flush();
    expect(pager.get(0)?.reason).toBe('v1');
    expect(changes).toBeGreaterThanOrEqual(2);
    // And nothing more is fetched while nothing changes.
    pager.ensure(0, 10);
    expect(core.calls).toHaveLength(2);
  });
});
