/** A job's counters (rows, as the batch screen counts them), rate and time left, and how often they are reported. */
import type { BatchState, MsgData } from '../../../preload/contract';
import { fromStored } from '../../../common/i18n/stored';
import type { OpRecord, OpState, StateCounts } from '../batch/journal';
import type { Logger } from '../log';

export interface JobProgress {
  batchId: string;
  state: BatchState;
  /** Why the job stopped or waits (a full disk, another user signed in…), in English; null while all is well. */
  message: string | null;
  /** The same by reference (the renderer words it). */
  msg: MsgData | null;
  total: number;
  done: number;
  failed: number;
  conflicts: number;
  requestsPerMinute: number;
  etaMs: number | null;
}

export interface ProgressTracker {
  readonly counts: StateCounts;
  move(op: OpRecord, to: OpState): void;
  countRequest(): void;
  /** Replace the counts (after a bulk change in the journal). */
  reset(fresh: StateCounts): void;
  /** `message`: as stored (common/i18n/stored.ts). */
  snapshot(jobId: string, state: BatchState, message: string | null): JobProgress;
}

export function createProgressTracker(initial: StateCounts, now: () => number): ProgressTracker {
  const counts: StateCounts = initial;
  const totalRows = Object.values(counts).reduce((n, c) => n + c.rows, 0);
  const requestTimes: number[] = [];
  const doneTimes: Array<{ t: number; rows: number }> = [];
  const startedAt = now();
  return {
    counts,
    move(op, to) {
      counts[op.state].ops--;
      counts[op.state].rows -= op.rowCount;
      counts[to].ops++;
      counts[to].rows += op.rowCount;
      if (to === 'applied' || to === 'failed' || to === 'conflict' || to === 'skipped') doneTimes.push({ t: now(), rows: op.rowCount });
      op.state = to;
    },
    countRequest() {
      requestTimes.push(now());
      if (requestTimes.length > 20_000) requestTimes.splice(0, 10_000);
    },
    reset(fresh) {
      for (const k of Object.keys(fresh) as OpState[]) counts[k] = fresh[k];
    },
    snapshot(jobId, state, message) {
      const t = now();
      const windowMs = Math.min(60_000, Math.max(1, t - startedAt));
      let inWindow = 0;
      for (let i = requestTimes.length - 1; i >= 0 && (requestTimes[i] as number) > t - 60_000; i--) inWindow++;
      let rowsInWindow = 0;
      for (let i = doneTimes.length - 1; i >= 0 && (doneTimes[i] as { t: number }).t > t - 60_000; i--) rowsInWindow += (doneTimes[i] as { rows: number }).rows;
      if (doneTimes.length > 20_000) doneTimes.splice(0, 10_000);
      const remaining = counts.pending.rows + counts.intent.rows;
      const why = message === null ? null : fromStored(message);
      const etaMs = remaining === 0 ? 0 : rowsInWindow > 0 && windowMs >= 1000 ? Math.round((remaining * windowMs) / rowsInWindow) : null;
      return {
        batchId: jobId,
        state,
        message: why?.text ?? null,
        msg: why?.msg ?? null,
        total: totalRows,
        done: counts.applied.rows,
        failed: counts.failed.rows,
        conflicts: counts.conflict.rows,
        // Over at least 10 s: a couple of requests in the first half-second must not read as
        // "600 per minute" next to a 200-per-minute limit.
        requestsPerMinute: Math.round((inWindow * 60_000) / Math.max(windowMs, 10_000)),
        etaMs,
      };
    },
  };
}

/** Reports a job's progress: at once (a state change, the end) or soon, at most every `intervalMs`. */
export interface ProgressEmitter {
  /** Reports now (and drops a report waiting for its turn). */
  now(): void;
  /** Reports when `intervalMs` has passed since the last report (at once if it has). */
  soon(): void;
}

/** `report` calls the listener; a listener that throws is logged, never allowed to stop the job. */
export function createProgressEmitter(report: () => void, intervalMs: number, now: () => number, log: Logger): ProgressEmitter {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const emitNow = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    last = now();
    try {
      report();
    } catch (e) {
      log.warn('jobs: progress listener failed', { error: e instanceof Error ? e.message : String(e) });
    }
  };
  return {
    now: emitNow,
    soon() {
      if (timer !== null) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) emitNow();
      else timer = setTimeout(emitNow, wait);
    },
  };
}
