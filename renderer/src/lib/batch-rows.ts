/**
 * The preview table's windowing: which rows are in view for a scroll position (fixed row height),
 * and a page cache that fetches them from the core (`batch.rows`) a page at a time, so 100,000 rows
 * cost no more than the ones on screen. Plain TS, unit-tested; the component re-renders on `onchange`.
 */
import type { BatchPlanRow } from '../../../preload/contract';

export interface RowWindow {
  /** First row index to render. */
  start: number;
  /** One past the last row index to render. */
  end: number;
}

/** Rows to render for a scroll position, with `overscan` rows above and below the viewport. */
export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const inView = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, total - 1));
  const end = Math.min(total, first + inView + overscan);
  return { start, end: Math.max(start, end) };
}

/** The page numbers that hold rows `start`..`end - 1`. */
export function pagesCovering(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

export type PageFetcher = (offset: number, limit: number) => Promise<{ ok: true; rows: BatchPlanRow[]; total: number } | { ok: false; message: string }>;

interface Page {
  rows: BatchPlanRow[];
  stale: boolean;
}

/**
 * Pages of plan rows, fetched on demand. Answers arriving after `dispose()` are dropped; `invalidate()`
 * keeps showing the rows it has (no flicker) and fetches them again when next asked for.
 *
 * A generation counter, bumped by every `invalidate()`, stamps each request: an answer to a request
 * older than the last invalidation may hold rows read before the change, so it is shown but kept
 * stale and asked for again at once (without it, an invalidation arriving while a page loaded was
 * lost, and a finished batch could keep showing "Waiting" on a row).
 */
export class RowPager {
  total: number | null = null;
  error: string | null = null;
  readonly pageSize: number;
  readonly #fetch: PageFetcher;
  readonly #onchange: () => void;
  readonly #maxPages: number;
  #pages = new Map<number, Page>();
  #loading = new Set<number>();
  #disposed = false;
  #generation = 0;

  constructor(fetch: PageFetcher, options: { pageSize?: number; maxPages?: number; onchange?: () => void } = {}) {
    this.#fetch = fetch;
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 200));
    this.#maxPages = Math.max(4, options.maxPages ?? 100);
    this.#onchange = options.onchange ?? (() => {});
  }

  /** The row at `index`, if its page has arrived. */
  get(index: number): BatchPlanRow | undefined {
    return this.#pages.get(Math.floor(index / this.pageSize))?.rows[index % this.pageSize];
  }

  isLoading(): boolean {
    return this.#loading.size > 0;
  }

  /** Fetches the pages of rows `start`..`end - 1` that are missing or stale. */
  ensure(start: number, end: number): void {
    if (this.#disposed) return;
    for (const p of pagesCovering(start, Math.max(end, start + 1), this.pageSize)) {
      const page = this.#pages.get(p);
      if (page) {
        // Most recently used last: the oldest pages are dropped first.
        this.#pages.delete(p);
        this.#pages.set(p, page);
      }
      if ((page && !page.stale) || this.#loading.has(p)) continue;
      if (this.total !== null && p * this.pageSize >= this.total && p > 0) continue;
      void this.#load(p);
    }
  }

  /** Marks every page for fetching again (rows change status while a batch runs). */
  invalidate(): void {
    this.#generation += 1;
    for (const page of this.#pages.values()) page.stale = true;
  }

  dispose(): void {
    this.#disposed = true;
    this.#pages.clear();
    this.#loading.clear();
  }

  async #load(p: number): Promise<void> {
    this.#loading.add(p);
    const generation = this.#generation;
    const reply = await this.#fetch(p * this.pageSize, this.pageSize);
    if (this.#disposed) return;
    this.#loading.delete(p);
    const outdated = generation !== this.#generation;
    if (reply.ok) {
      this.error = null;
      this.total = reply.total;
      this.#pages.delete(p); // most recently used last
      this.#pages.set(p, { rows: reply.rows, stale: outdated });
      while (this.#pages.size > this.#maxPages) {
        const oldest = this.#pages.keys().next().value as number;
        this.#pages.delete(oldest);
      }
    } else {
      this.error = reply.message;
    }
    this.#onchange();
    // Rows changed while this page was on its way: ask again (the table may not ask before the next change).
    if (outdated && reply.ok) void this.#load(p);
  }
}
