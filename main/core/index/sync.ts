/**
 * Filling and refreshing the membership index from the chain list (ALTEGIO.md §4.4(c)).
 *
 * First sync: creation-date windows, oldest to newest, each paged until a page comes back shorter
 * than asked (or `meta.count` says there is no more). After every page its last rows and the
 * position (window start, window size, last page read) commit together, in page order, so a crash or
 * a quit resumes at the next page not committed: nothing skipped, no committed page read again (the
 * pages in flight at the crash, at most `inFlight` and the one being written, are asked again). A page's rows commit in slices
 * of `COMMIT_SLICE` with a turn of the event loop between them, so a person's answer arriving
 * meanwhile is handled after one slice, not after the whole page (bench index-sync); rows of a page
 * whose position is not yet committed are read again on resume, which the upsert makes harmless. The window size adapts to what the last
 * window held: empty windows grow it fourfold (the chain's early years cost a few requests), full
 * ones shrink it towards `targetRows`. Days are sent date-only (`YYYY-MM-DD`, as Altegio's own MCP
 * does) and consecutive windows share their boundary day, so whether the server takes a bound as
 * inclusive, exclusive or in another zone, no membership falls between two windows (the shared day
 * is read twice; the upsert makes that harmless).
 *
 * Refresh: the windows since the last pass (two days of margin) again, then every membership the
 * index still holds as open (issued, active, frozen) re-read by ids in pages of 50. Ids Altegio no
 * longer returns are dropped.
 *
 * Pipelined: the first sync keeps up to `inFlight` page requests waiting in the limiter's background
 * lane or on the wire, so it runs at the limiter's pace instead of one round trip per page (a
 * person's calls still go first: see rate-limiter.ts). Which pages come next is planned from what
 * the answers so far say (`planAhead`): where `meta.count` is a total, a window's first page tells
 * how many pages it has and how many rows, hence the next window too; where it is not (a count that
 * contradicts the rows received), the sync keeps asking further pages of the current window until
 * a short page. Commits always follow the sequential rule above, page by page; a planned request
 * the answers prove useless (the window ended sooner, or later) is dropped and the plan is redone.
 * With totals the requests are exactly those of a one-page-at-a-time walk; without, a window costs
 * at most `inFlight - 1` requests more.
 *
 * Every request goes through the shared limiter's background lane: a person's calls go first.
 */
import { addDays } from '../../../common/dates';
import type { AltegioApi, CreatedPage } from '../altegio/api';
import type { RateLimiter } from '../altegio/rate-limiter';
import { nextTurn } from '../clock';
import type { IndexKey, IndexRepo, SyncState } from './repo';

/** No Altegio chain has memberships sold before this day. */
export const SYNC_START_DAY = '2012-01-01';
export const PAGE_SIZE = 100;
const FIRST_WINDOW_DAYS = 90;
const MAX_WINDOW_DAYS = 3650;
/** Rows a window should hold (20 pages): small enough to adapt, large enough to waste few requests. */
const TARGET_ROWS = 2000;
const REFRESH_MARGIN_DAYS = 2;
/**
 * Page requests the first sync keeps in flight: one waiting for its grant while up to two are on the
 * wire covers a round trip of two grant intervals (100 ms at 20/s, 600 ms at Altegio's 200/min).
 * More only queue at a server that is already slower than the rate, ahead of a person's request
 * (bench index-sync on a loaded machine: search p95 during a sync 176-259 ms with 1-2, 319-1022 ms
 * with 6, for the same sync rate).
 */
export const IN_FLIGHT = 3;
/** Rows per commit while a page is written (see the header): ~1-3 ms of the event loop each. */
export const COMMIT_SLICE = 25;

export interface SyncProgress {
  phase: 'first' | 'refresh';
  /** 0…1, null when unknown. */
  fraction: number | null;
  rowsRead: number;
  requests: number;
  etaMs: number | null;
}

export interface SyncDeps {
  api: AltegioApi;
  repo: IndexRepo;
  limiter: Pick<RateLimiter, 'stats'>;
  now: () => Date;
  onProgress: (progress: SyncProgress) => void;
  pageSize?: number;
  startDay?: string;
  targetRows?: number;
  /** Page requests in flight during the first sync; default IN_FLIGHT, 1 = one at a time. */
  inFlight?: number;
}

/** One page request of the first sync. */
export interface PageSpec {
  after: string;
  before: string;
  page: number;
}

/**
 * What the answers so far say about a window: `total` = its row count from a trusted `meta.count`,
 * `shortRows` = the rows implied by a page shorter than asked. Neither = only full pages so far.
 */
export interface WindowFacts {
  total: number | null;
  shortRows: number | null;
}

const windowKey = (after: string, before: string) => `${after}/${before}`;

const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Milliseconds per request at the limiter's current pace. */
function spacingMs(limiter: Pick<RateLimiter, 'stats'>): number {
  const s = limiter.stats();
  const perSecond = Math.max(0.01, Math.min(s.effectivePerSecond, s.perMinute / 60));
  return 1000 / perSecond;
}

export function initialState(now: Date, startDay = SYNC_START_DAY): SyncState {
  return {
    firstDone: false,
    windowFrom: startDay,
    windowDays: FIRST_WINDOW_DAYS,
    pageDone: 0,
    rowsRead: 0,
    requests: 0,
    totalEstimate: null,
    startedAt: now.toISOString(),
    asOf: null,
  };
}

/** The next window size after one that held `rows` memberships in `days` days. */
export function nextWindowDays(days: number, rows: number, target = TARGET_ROWS): number {
  if (rows === 0) return Math.min(MAX_WINDOW_DAYS, days * 4);
  const scaled = Math.round((days * target) / rows);
  return Math.max(1, Math.min(MAX_WINDOW_DAYS, days * 4, scaled));
}

/**
 * The next `limit` page requests from the committed position, as far as the answers so far tell
 * (`facts`): the first is always the next page to commit; a window nothing is known of yet ends the
 * plan after its first page.
 */
export function planAhead(state: SyncState, lastDay: string, facts: (after: string, before: string) => WindowFacts | undefined, limit: number, pageSize = PAGE_SIZE, target = TARGET_ROWS): PageSpec[] {
  const out: PageSpec[] = [];
  let from = state.windowFrom;
  let days = state.windowDays;
  let page = state.pageDone + 1;
  while (out.length < limit) {
    const windowEnd = addDays(from, days);
    const before = windowEnd < lastDay ? windowEnd : lastDay;
    out.push({ after: from, before, page });
    const known = facts(from, before);
    if (!known) break;
    const rows = known.total ?? known.shortRows;
    // Only full pages so far and no total: the window goes on at least as far as we ask.
    if (rows === null || page < Math.floor(rows / pageSize) + 1) {
      page++;
      continue;
    }
    if (before >= lastDay) break;
    days = nextWindowDays(Math.max(1, daysFrom(from, before)), rows, target);
    from = before;
    page = 1;
  }
  return out;
}

interface InFlight extends PageSpec {
  lastDay: string;
  answer: Promise<CreatedPage>;
  stop: AbortController;
}

/** Runs (or resumes) the first sync until it is complete or `signal` aborts (then it rejects). */
export async function firstSync(key: IndexKey, deps: SyncDeps, signal: AbortSignal): Promise<void> {
  const { api, repo } = deps;
  const pageSize = deps.pageSize ?? PAGE_SIZE;
  const target = deps.targetRows ?? TARGET_ROWS;
  const startDay = deps.startDay ?? SYNC_START_DAY;
  const depth = Math.max(1, Math.floor(deps.inFlight ?? IN_FLIGHT));
  const background = { signal, lane: 'background' as const };
  let state = repo.sync(key) ?? initialState(deps.now(), startDay);
  if (state.firstDone) return;

  const progress = () => {
    const total = state.totalEstimate;
    const fraction = total !== null && total > 0 ? Math.min(1, state.rowsRead / total) : null;
    const remaining = total !== null ? Math.max(1, Math.ceil(Math.max(0, total - state.rowsRead) / pageSize)) : null;
    deps.onProgress({ phase: 'first', fraction, rowsRead: state.rowsRead, requests: state.requests, etaMs: remaining === null ? null : Math.round(remaining * spacingMs(deps.limiter)) });
  };

  if (state.totalEstimate === null && state.rowsRead === 0) {
    // One row over everything: meta.count (where it is a total) gives progress and time left.
    const probe = await api.membershipsCreated(key.chainId, { after: startDay, before: addDays(utcDay(deps.now()), 1) }, 1, 1, background);
    state = { ...state, requests: state.requests + 1, totalEstimate: probe.count !== null && probe.count >= probe.received ? probe.count : null };
    repo.saveSync(key, state);
  }
  progress();

  const windows = new Map<string, WindowFacts>();
  /** Set once a `meta.count` contradicts the rows received: counts are not totals on this server. */
  let countsLie = false;
  const learn = (spec: PageSpec, answer: CreatedPage) => {
    const k = windowKey(spec.after, spec.before);
    const w = windows.get(k) ?? { total: null, shortRows: null };
    const seen = (spec.page - 1) * pageSize + answer.received;
    if (answer.count !== null && answer.count < seen) countsLie = true;
    if (!countsLie && answer.count !== null) w.total = answer.count;
    if (answer.received < pageSize) w.shortRows = Math.min(w.shortRows ?? seen, seen);
    windows.set(k, w);
  };
  const facts = (after: string, before: string): WindowFacts | undefined => {
    const w = windows.get(windowKey(after, before));
    return w && countsLie ? { total: null, shortRows: w.shortRows } : w;
  };

  const inflight: InFlight[] = [];
  /** Requests answered but dropped from the plan: counted with the next commit. */
  let dropped = 0;
  const issue = (spec: PageSpec, lastDay: string): InFlight => {
    const stop = new AbortController();
    const answer = api.membershipsCreated(key.chainId, { after: spec.after, before: spec.before }, spec.page, pageSize, { lane: 'background', signal: AbortSignal.any([signal, stop.signal]) });
    // Learnt as soon as it arrives (before the commit awaiting it resumes): the plan grows with it.
    answer.then(
      (a) => {
        if (stop.signal.aborted) dropped++;
        else learn(spec, a);
      },
      () => undefined,
    );
    return { ...spec, lastDay, stop, answer };
  };
  const drop = (reqs: InFlight[]) => {
    for (const r of reqs) r.stop.abort(new DOMException('Not needed', 'AbortError'));
  };

  /** In flight: the next `depth` pages after position `from`, as far as the answers so far tell. */
  const topUp = (from: SyncState) => {
    // The server's "today" may be a day ahead of UTC: the last window reaches tomorrow.
    const lastDay = addDays(utcDay(deps.now()), 1);
    const plan = planAhead(from, lastDay, facts, depth, pageSize, target);
    let keep = 0;
    while (keep < inflight.length && keep < plan.length && samePage(inflight[keep] as InFlight, plan[keep] as PageSpec, lastDay)) keep++;
    drop(inflight.splice(keep));
    for (const spec of plan.slice(keep)) inflight.push(issue(spec, lastDay));
  };

  try {
    for (;;) {
      signal.throwIfAborted();
      topUp(state);
      const head = inflight.shift() as InFlight;
      const answer = await head.answer;
      const { page, before } = head;
      const more = answer.received >= pageSize || (answer.received > 0 && answer.count !== null && answer.count > page * pageSize);
      let next: SyncState = { ...state, pageDone: page, rowsRead: state.rowsRead + answer.received, requests: state.requests + 1 + dropped };
      dropped = 0;
      if (!more) {
        const windowRows = (page - 1) * pageSize + answer.received;
        if (before >= head.lastDay) {
          next = { ...next, firstDone: true, asOf: deps.now().toISOString() };
        } else {
          // The next window starts on this one's last day (read twice, on purpose: see above).
          next = { ...next, windowFrom: before, windowDays: nextWindowDays(Math.max(1, daysFrom(state.windowFrom, before)), windowRows, target), pageDone: 0 };
        }
      }
      const settled = next;
      // The pages after this one wait in the limiter while it is written (in slices, see the header),
      // so no grant goes unused meanwhile.
      if (!settled.firstDone) topUp(settled);
      const rows = answer.memberships;
      let from = 0;
      for (; rows.length - from > COMMIT_SLICE; from += COMMIT_SLICE) {
        const slice = rows.slice(from, from + COMMIT_SLICE);
        repo.relaxed(() => repo.upsert(key, slice));
        await nextTurn();
        signal.throwIfAborted();
      }
      repo.relaxed(() => {
        repo.upsert(key, rows.slice(from));
        repo.saveSync(key, settled);
      });
      state = settled;
      progress();
      if (state.firstDone) return;
    }
  } finally {
    drop(inflight.splice(0));
  }
}

const samePage = (r: InFlight, spec: PageSpec, lastDay: string) => r.after === spec.after && r.before === spec.before && r.page === spec.page && r.lastDay === lastDay;

/** Re-reads recent windows and the open memberships; the index must have completed a first sync. */
export async function refresh(key: IndexKey, deps: SyncDeps, signal: AbortSignal): Promise<void> {
  const { api, repo } = deps;
  const pageSize = deps.pageSize ?? PAGE_SIZE;
  const background = { signal, lane: 'background' as const };
  const state = repo.sync(key);
  if (!state?.firstDone) throw new Error('refresh before the first sync is complete');
  const startedAt = deps.now();
  const lastDay = addDays(utcDay(startedAt), 1);
  const from = addDays(utcDay(new Date(state.asOf ?? state.startedAt)), -REFRESH_MARGIN_DAYS);
  const open = repo.openIds(key);
  const idPages = Math.ceil(open.length / 50);
  let requests = 0;
  let rows = 0;
  const seen = new Set<number>();
  const report = (pagesLeft: number | null) =>
    deps.onProgress({
      phase: 'refresh',
      fraction: pagesLeft === null ? null : Math.min(1, requests / (requests + pagesLeft)),
      rowsRead: rows,
      requests,
      etaMs: pagesLeft === null ? null : Math.round(pagesLeft * spacingMs(deps.limiter)),
    });
  report(idPages + 1);
  for (let page = 1; ; page++) {
    const answer = await api.membershipsCreated(key.chainId, { after: from, before: lastDay }, page, pageSize, background);
    requests++;
    rows += answer.received;
    repo.upsert(key, answer.memberships);
    for (const m of answer.memberships) seen.add(m.id);
    const more = answer.received >= pageSize || (answer.received > 0 && answer.count !== null && answer.count > page * pageSize);
    report(idPages + (more ? 1 : 0));
    if (!more) break;
  }
  const stale = open.filter((id) => !seen.has(id));
  const found = await api.membershipsByIds(key.chainId, stale, {
    ...background,
    onPage: (done, pages) => {
      requests++;
      report(pages - done);
    },
  });
  rows += found.length;
  const foundIds = new Set(found.map((m) => m.id));
  repo.transaction(() => {
    repo.upsert(key, found);
    // Gone from Altegio (deleted, or moved out of the chain): gone from the index.
    repo.remove(key, stale.filter((id) => !foundIds.has(id)));
    const latest = repo.sync(key) ?? state;
    repo.saveSync(key, { ...latest, asOf: startedAt.toISOString() });
  });
  report(0);
}
