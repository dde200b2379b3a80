/**
 * Waiting for a batch job or an index pass to stop, the way the renderer learns of it: the state
 * the production query answers now (`batch.list`, `index.status`), then the progress events the
 * core sends (`batch.progress`, `index.progress`) until one says it stopped. No entry point of
 * the core exists for tests; a wait that sees no stop within its time fails and says what it saw.
 */
import type { BatchState, EventName, EventPayload, IndexStatus } from '../../preload/contract';
import { isActive } from '../../common/batch-rules';
import type { BatchService } from '../../main/core/batch/service';
import type { EventHub } from '../../main/core/events';
import type { IndexService } from '../../main/core/index/service';

/** Under vitest's 60 s per test (vitest.config.ts), so this message is the one a slow run shows. */
export const SETTLE_TIMEOUT_MS = 45_000;

interface Wait<E extends EventName, S> {
  events: Pick<EventHub, 'subscribe'>;
  event: E;
  /** Whether an event is about the thing waited for. */
  about: (payload: EventPayload<E>) => boolean;
  stateOf: (payload: EventPayload<E>) => S;
  /** The production query's answer now (undefined: it does not know the thing). */
  query: () => Promise<S | undefined>;
  stopped: (state: S) => boolean;
  /** A state in words for the timeout's message. */
  word: (state: S) => string;
  what: string;
  timeoutMs: number;
}

/**
 * The query first (it may have stopped already); after an event that says "stopped" the query is
 * asked again in a later task, as the renderer's next call would come: its answer is returned.
 */
function settled<E extends EventName, S>(w: Wait<E, S>): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    let lastSeen: { state: S } | null = null;
    let over = false;
    const finish = (outcome: () => void) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      unsubscribe();
      outcome();
    };
    const ask = () => {
      if (over) return;
      w.query().then(
        (state) => {
          if (state === undefined) return;
          lastSeen = { state };
          if (w.stopped(state)) finish(() => resolve(state));
        },
        (e: unknown) => finish(() => reject(e instanceof Error ? e : new Error(String(e)))),
      );
    };
    const unsubscribe = w.events.subscribe((event, payload) => {
      if ((event as EventName) !== w.event) return;
      const p = payload as unknown as EventPayload<E>;
      if (!w.about(p)) return;
      const state = w.stateOf(p);
      lastSeen = { state };
      if (w.stopped(state)) setImmediate(ask);
    });
    const timer = setTimeout(
      () => finish(() => reject(new Error(`${w.what} did not stop within ${w.timeoutMs} ms (last state seen: ${lastSeen ? w.word(lastSeen.state) : 'none'})`))),
      w.timeoutMs,
    );
    ask();
  });
}

/** The batch (or bulk, or undo) job's state once its run has stopped: done, cancelled or paused. */
export function settledBatch(
  h: { svc: Pick<BatchService, 'list'>; events: Pick<EventHub, 'subscribe'> },
  batchId: string,
  timeoutMs = SETTLE_TIMEOUT_MS,
): Promise<BatchState> {
  return settled({
    events: h.events,
    event: 'batch.progress',
    about: (p) => p.batchId === batchId,
    stateOf: (p) => p.state,
    query: async () => (await h.svc.list()).batches.find((b) => b.batchId === batchId)?.state,
    stopped: (state) => !isActive(state),
    word: (state) => state,
    what: `batch ${batchId}`,
    timeoutMs,
  });
}

/** The chain's index status once no sync or refresh of it runs. */
export function settledIndex(
  w: { index: Pick<IndexService, 'status'>; events: Pick<EventHub, 'subscribe'> },
  chainId: number,
  timeoutMs = SETTLE_TIMEOUT_MS,
): Promise<IndexStatus> {
  const running = (s: IndexStatus) => s.state === 'syncing' || s.state === 'refreshing';
  return settled({
    events: w.events,
    event: 'index.progress',
    about: (p) => p.chainId === chainId,
    stateOf: (p) => p,
    query: async () => w.index.status(chainId),
    stopped: (s) => !running(s),
    word: (s) => `${s.state}, ${s.rows} rows${s.error ? `, error ${s.error.kind}` : ''}`,
    what: `the index of chain ${chainId}`,
    timeoutMs,
  });
}
