/**
 * The apply engine: runs a job's operations from the journal (journal.ts) through the Altegio client
 * and the one shared rate limiter, so that every operation takes effect exactly once — never twice,
 * never lost — across crashes, kills, dropped connections, 5xx answers and expired sign-ins.
 *
 * Per operation (journal state machine: pending → intent → applied | conflict | failed | skipped):
 *  1. CHECK. Operations are taken in chunks of up to 50 (recheck list first, then by seq). ONE
 *     membershipsByIds read per chunk re-reads their memberships; each is compared with the op's
 *     planned "before" (`expect`) and "after" (`target`) values:
 *       pending: current == before → write;  otherwise → conflict (never overwritten).
 *       intent (a request may have gone out: crash, lost answer, 5xx, 401…):
 *                current == after  → applied, no write;
 *                current == before → write again; but a refusal (422, 403, 404…) → failed with
 *                                    its message, and a 5xx after `maxAttempts` sends → failed;
 *                otherwise         → conflict (someone else changed it).
 *  2. INTENT. Right before its request, the op's 'intent' is committed (own transaction, with the
 *     audit entry in outcome 'unknown').
 *  3. SEND set_balance (absolute values: the deltas were turned into targets at plan time).
 *  4. OUTCOME. After the answer, 'applied' + the audit entry's outcome are committed. These commits
 *     are grouped (every `flushMs` or `flushSize` outcomes, and always before the job changes state):
 *     an 'applied' is never committed before its response, and one lost in a crash is an 'intent'
 *     that step 1 resolves to 'applied' by re-reading, without writing.
 *     Any failure of the request (5xx, dropped connection, timeout, 429, 401, refusals) leaves the op
 *     in 'intent' and puts it on the recheck list, so it goes through step 1 again: whether it was
 *     applied is always decided by reading, never guessed.
 *
 * Why exactly once: a write is only sent for an op whose intent is durable and whose membership was
 * just read with the planned "before" value; an op is only marked applied on a 2xx answer or when a
 * read shows its "after" value. A crash anywhere leaves pending (never sent) or intent (maybe sent)
 * ops; intent ops are re-read before anything else happens, so a write that did land is recognised
 * (after) and one that did not is sent again (before). Operations of one job touch distinct
 * memberships and only one job runs at a time, so nothing of ours races a check.
 *
 * Throughput: `concurrency` writes in flight (the limiter paces them), the next chunk's read is made
 * while the previous chunk's writes are still going, so the limiter always has a request waiting.
 * Requests per changed membership: 1 write + 1/50 read when nothing fails.
 *
 * Job states: offline → the read is retried every `offlinePollMs` until the network is back, then
 * the job continues by itself; auth_expired → 'waiting_auth' until the session is signed in again
 * (as the same profile; another user → paused with a message); 429/5xx on a read → backoff.
 * Pause and cancel take effect at operation boundaries (in-flight requests finish first). Cancel
 * marks pending ops 'skipped' and resolves intent ops by reading (applied / skipped / conflict).
 */
import type { BatchState, Membership } from '../../../preload/contract';
import type { AltegioApi } from '../altegio/api';
import { DeskFailure, isDeskFailure } from '../errors';
import { silentLogger, type Logger } from '../log';
import { snapshotOf } from '../memberships/service';
import { asStorageFault, isStorageFault, type Store } from '../store';
import type { NewAuditEntry } from '../store/types';
import type { Journal, JobRecord, OpRecord, OpState, StateCounts } from './journal';
import type { BalanceValues } from './plan';

// ---------------------------------------------------------------------------------------------
// Operation kinds (set_balance today; bulk freeze/unfreeze plug in here)

export type Comparison = 'before' | 'after' | 'other';

export interface OperationHandler {
  /** Is the membership at the op's planned before value, at its after value, or elsewhere? */
  compare(m: Membership, expect: unknown, target: unknown): Comparison;
  /** The membership's current values of the op's lines, in words (for conflict messages). */
  describe(m: Membership, like: unknown): string;
  /** The op's own stored values (its planned before or after) in words. */
  describeValues(m: Membership, values: unknown): string;
  send(api: AltegioApi, op: OpRecord): Promise<void>;
  auditBefore(m: Membership, op: OpRecord): Record<string, unknown>;
  auditAfter(m: Membership, op: OpRecord): Record<string, unknown>;
}

function currentBalance(m: Membership, like: BalanceValues): BalanceValues | null {
  if ('united' in like) {
    return m.balance.kind === 'united' && !m.balance.unlimited ? { united: m.balance.count } : null;
  }
  const services: Array<{ serviceId: number; balance: number }> = [];
  for (const s of like.services) {
    const line = m.balance.kind === 'per_service' ? m.balance.lines.find((l) => l.serviceId === s.serviceId) : undefined;
    if (!line || line.unlimited) return null;
    services.push({ serviceId: s.serviceId, balance: line.count });
  }
  return { services };
}

function sameBalance(a: BalanceValues, b: BalanceValues): boolean {
  if ('united' in a || 'united' in b) return 'united' in a && 'united' in b && a.united === b.united;
  if (a.services.length !== b.services.length) return false;
  return a.services.every((s) => b.services.some((t) => t.serviceId === s.serviceId && t.balance === s.balance));
}

function balanceWords(m: Membership | null, v: BalanceValues): string {
  if ('united' in v) return `shared balance ${v.united}`;
  return v.services
    .map((s) => {
      const title = m?.balance.lines.find((l) => l.serviceId === s.serviceId)?.title ?? `service ${s.serviceId}`;
      return `${title} ${s.balance}`;
    })
    .join(', ');
}

function requestOf(v: BalanceValues): { united?: number; services?: Record<string, number> } {
  return 'united' in v ? { united: v.united } : { services: Object.fromEntries(v.services.map((s) => [String(s.serviceId), s.balance])) };
}

export const setBalanceHandler: OperationHandler = {
  compare(m, expect, target) {
    const e = expect as BalanceValues;
    const cur = currentBalance(m, e);
    if (cur === null) return 'other';
    if (sameBalance(cur, e)) return 'before';
    if (sameBalance(cur, target as BalanceValues)) return 'after';
    return 'other';
  },
  describe(m, like) {
    const cur = currentBalance(m, like as BalanceValues);
    return cur === null ? 'its balance no longer has these lines (or became unlimited)' : balanceWords(m, cur);
  },
  describeValues(m, values) {
    return balanceWords(m, values as BalanceValues);
  },
  send(api, op) {
    const body = op.body as BalanceValues;
    return api.setBalance(op.chainId, op.membershipId, 'united' in body ? { united: body.united } : { services: body.services }, { lane: 'batch' });
  },
  auditBefore(m, op) {
    return { ...snapshotOf(m), request: requestOf(op.body as BalanceValues) };
  },
  auditAfter(m, op) {
    const snap = snapshotOf(m);
    const t = op.target as BalanceValues;
    if ('united' in t) snap.united = t.united;
    else snap.services = { ...(snap.services ?? {}), ...requestOf(t).services };
    return snap;
  },
};

export const operationHandlers: Record<string, OperationHandler> = { set_balance: setBalanceHandler };


// ---------------------------------------------------------------------------------------------
// Engine

export interface EngineOptions {
  /** Ops per membership re-read (the API's page of ids). Default 50. */
  chunkSize: number;
  /** Writes in flight. Default 8. */
  concurrency: number;
  /**
   * Sends per op after which a 5xx/unreadable answer (with the membership still at its before value)
   * marks it failed. Each send includes the client's own retries; 429, network loss, 401 and
   * crashes never count towards failing an op (they wait or are re-checked). Default 5.
   */
  maxAttempts: number;
  /** Poll interval while offline. Default 3000 ms. */
  offlinePollMs: number;
  /** Backoff of a failing read (429/5xx): base and cap. Default 1000 / 30000 ms. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Progress events at most this often. Default 200 ms (5 per second). */
  progressIntervalMs: number;
  /** Outcome commits are grouped: at most this long … Default 50 ms. */
  flushMs: number;
  /** … or this many outcomes. Default 32. */
  flushSize: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  chunkSize: 50,
  concurrency: 8,
  maxAttempts: 5,
  offlinePollMs: 3000,
  retryBaseMs: 1000,
  retryMaxMs: 30_000,
  progressIntervalMs: 200,
  flushMs: 50,
  flushSize: 32,
};

export interface EngineProgress {
  batchId: string;
  state: BatchState;
  /** Why the job stopped or waits (a full disk, another user signed in…); null while all is well. */
  message: string | null;
  total: number;
  done: number;
  failed: number;
  conflicts: number;
  requestsPerMinute: number;
  etaMs: number | null;
}

export interface EngineDeps {
  store: Store;
  journal: Journal;
  api: () => AltegioApi;
  /** Resolves when the session is signed in (again); rejects when the signal aborts. */
  waitForSignedIn(signal: AbortSignal): Promise<void>;
  /** The signed-in profile, or null when nobody is signed in. */
  currentProfileId(): string | null;
  onProgress(p: EngineProgress): void;
  log?: Logger;
  options?: Partial<EngineOptions>;
  /** For tests. */
  now?: () => number;
}

export interface Runner {
  readonly jobId: string;
  /** Resolves with the state the job stopped in (done, cancelled, paused). Never rejects. */
  readonly finished: Promise<BatchState>;
  state(): BatchState;
  /** Why it stopped or waits, as recorded with its state (kept here too when the disk refused it). */
  message(): string | null;
  pause(): void;
  cancel(): void;
}

const DEFINITIVE: ReadonlySet<string> = new Set(['validation', 'forbidden', 'not_found', 'licence_expired', 'bad_input', 'conflict']);

interface Queued {
  op: OpRecord;
  m: Membership;
}

interface FailureNote {
  kind: string;
  message: string;
}

class Stopped extends Error {}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Starts running a job (mode 'apply') or finishing its cancellation (mode 'cancel'). */
export function startRunner(deps: EngineDeps, jobId: string, mode: 'apply' | 'cancel' = 'apply'): Runner {
  const o: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
  const log = deps.log ?? silentLogger;
  const now = deps.now ?? (() => performance.now());
  const { journal, store } = deps;
  const loaded = journal.job(jobId);
  if (!loaded) throw new DeskFailure('not_found', 'This batch no longer exists.');
  const job: JobRecord = loaded;
  const handler = operationHandlers[job.opKind];
  if (!handler) throw new DeskFailure('validation', `This batch contains operations of an unknown kind (${job.opKind}).`);
  const auditAction: NewAuditEntry['action'] = job.kind === 'undo' ? 'undo' : (job.opKind as NewAuditEntry['action']);

  let state: BatchState = job.state;
  let stop: 'pause' | 'cancel' | null = mode === 'cancel' ? 'cancel' : null;
  let cancelling = false;
  let stopMessage: string | null = null;
  /** The state's message as last set (what the journal holds, unless the disk refused it). */
  let stateMessage: string | null = job.message;
  /** Pause: stops every wait. */
  const abort = new AbortController();
  /** Pause or cancel: stops the apply phase's waits (a cancel still reads to resolve intents). */
  const applyAbort = new AbortController();
  abort.signal.addEventListener('abort', () => applyAbort.abort(), { once: true });

  // --- counters (rows, as the UI counts) and progress ------------------------------------------
  const counts: StateCounts = journal.counts(jobId);
  const totalRows = Object.values(counts).reduce((n, c) => n + c.rows, 0);
  const requestTimes: number[] = [];
  const doneTimes: Array<{ t: number; rows: number }> = [];
  const startedAt = now();
  let lastEmit = Number.NEGATIVE_INFINITY;
  let emitTimer: ReturnType<typeof setTimeout> | null = null;

  const move = (op: OpRecord, to: OpState) => {
    counts[op.state].ops--;
    counts[op.state].rows -= op.rowCount;
    counts[to].ops++;
    counts[to].rows += op.rowCount;
    if (to === 'applied' || to === 'failed' || to === 'conflict' || to === 'skipped') doneTimes.push({ t: now(), rows: op.rowCount });
    op.state = to;
  };

  const countRequest = () => {
    requestTimes.push(now());
    if (requestTimes.length > 20_000) requestTimes.splice(0, 10_000);
  };

  const progress = (): EngineProgress => {
    const t = now();
    const windowMs = Math.min(60_000, Math.max(1, t - startedAt));
    let inWindow = 0;
    for (let i = requestTimes.length - 1; i >= 0 && (requestTimes[i] as number) > t - 60_000; i--) inWindow++;
    let rowsInWindow = 0;
    for (let i = doneTimes.length - 1; i >= 0 && (doneTimes[i] as { t: number }).t > t - 60_000; i--) rowsInWindow += (doneTimes[i] as { rows: number }).rows;
    if (doneTimes.length > 20_000) doneTimes.splice(0, 10_000);
    const remaining = counts.pending.rows + counts.intent.rows;
    const etaMs = remaining === 0 ? 0 : rowsInWindow > 0 && windowMs >= 1000 ? Math.round((remaining * windowMs) / rowsInWindow) : null;
    return {
      batchId: jobId,
      state,
      message: stateMessage,
      total: totalRows,
      done: counts.applied.rows,
      failed: counts.failed.rows,
      conflicts: counts.conflict.rows,
      // Over at least 10 s: a couple of requests in the first half-second must not read as
      // "600 per minute" next to a 200-per-minute limit.
      requestsPerMinute: Math.round((inWindow * 60_000) / Math.max(windowMs, 10_000)),
      etaMs,
    };
  };

  const emitNow = () => {
    if (emitTimer !== null) clearTimeout(emitTimer);
    emitTimer = null;
    lastEmit = now();
    try {
      deps.onProgress(progress());
    } catch (e) {
      log.warn('batch: progress listener failed', { error: e instanceof Error ? e.message : String(e) });
    }
  };
  const emitSoon = () => {
    if (emitTimer !== null) return;
    const wait = lastEmit + o.progressIntervalMs - now();
    if (wait <= 0) emitNow();
    else emitTimer = setTimeout(emitNow, wait);
  };

  const setState = (next: BatchState, message: string | null = null) => {
    if (state === next && message === null) return;
    state = next;
    stateMessage = message;
    try {
      journal.setState(jobId, next, message);
    } finally {
      emitNow();
    }
  };

  /**
   * A write to the local database failed (full disk, I/O error, lock…) or something unexpected was
   * thrown: the job pauses with a clear message. What the journal already holds stays exact:
   * nothing is sent without a durable intent, and an outcome that could not be committed leaves an
   * intent that resume resolves by re-reading.
   */
  const failed = (e: unknown) => {
    const f = asStorageFault(e);
    if (isStorageFault(f)) {
      stopMessage ??= `${f.message} The batch is paused and will continue exactly where it stopped when you resume it.`;
      log.warn('batch: storage fault, pausing', { batchId: jobId, code: f.code });
    } else {
      stopMessage ??= 'Stopped by an unexpected error; resume to continue.';
      log.error('batch: runner failed', { batchId: jobId, error: e instanceof Error ? e.message : String(e) });
    }
    requestStop('pause');
  };

  // --- grouped outcome commits -------------------------------------------------------------------
  interface Outcome {
    op: OpRecord;
    to: OpState;
    message: string | null;
    audit: { outcome: 'ok' | 'failed' | 'unknown'; after: Record<string, unknown> | null; message: string | null } | null;
  }
  let buffer: Outcome[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const commitOutcomes = (list: Outcome[]) => {
    if (list.length === 0) return;
    store.transaction(() => {
      for (const x of list) {
        journal.setOutcome(jobId, { seq: x.op.seq, state: x.to, message: x.message, auditId: x.op.auditId });
        if (x.audit && x.op.auditId !== null) {
          store.audit.finish(x.op.auditId, x.audit.outcome, x.audit.after, x.audit.message);
          if (x.to === 'applied' && job.kind === 'undo' && x.op.sourceAuditId !== null) store.audit.markUndone(x.op.sourceAuditId, x.op.auditId);
        }
      }
    });
  };
  const flush = () => {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    const list = buffer;
    buffer = [];
    commitOutcomes(list);
  };
  /** The timer's flush: nobody awaits it, so a failure pauses the job instead of escaping. */
  const timedFlush = () => {
    try {
      flush();
    } catch (e) {
      failed(e);
    }
  };
  const bufferOutcome = (x: Outcome) => {
    buffer.push(x);
    move(x.op, x.to);
    if (buffer.length >= o.flushSize) flush();
    else flushTimer ??= setTimeout(timedFlush, o.flushMs);
    emitSoon();
  };

  /** A final outcome decided by a read (no request of ours outstanding): committed at once. */
  const auditEntry = (m: Membership | null, op: OpRecord, outcome: 'ok' | 'failed' | 'unknown', message: string, after: Record<string, unknown> | null): NewAuditEntry => ({
    userName: job.userName,
    userId: job.userId,
    profileId: job.profileId,
    chainId: op.chainId,
    locationId: job.locationId,
    membershipId: op.membershipId,
    membershipNumber: op.membershipNumber,
    action: auditAction,
    before: m ? handler.auditBefore(m, op) : null,
    after,
    reason: op.reason,
    outcome,
    message,
    batchId: jobId,
    undoOf: job.kind === 'undo' ? op.sourceAuditId : null,
  });

  // --- the pipeline --------------------------------------------------------------------------------
  let cursor = -1;
  const recheck: OpRecord[] = [];
  const notes = new Map<number, FailureNote>();
  const queue: Queued[] = [];
  let inFlight = 0;
  let readerDone = false;
  /** Writers stop taking ops while the network or the sign-in is gone (the reader probes). */
  let blocked: 'offline' | 'waiting_auth' | null = null;
  let wake: (() => void) | null = null;
  let wakePromise: Promise<void> | null = null;
  const changed = (): Promise<void> => (wakePromise ??= new Promise<void>((r) => (wake = r)));
  const notify = () => {
    const w = wake;
    wake = null;
    wakePromise = null;
    w?.();
  };

  const takeChunk = (): OpRecord[] => {
    const chunk: OpRecord[] = [];
    while (chunk.length < o.chunkSize && recheck.length > 0) chunk.push(recheck.shift() as OpRecord);
    if (chunk.length < o.chunkSize) {
      const more = journal.openOps(jobId, cursor, o.chunkSize - chunk.length);
      // An op waiting for a re-check is also still open in the journal: take it once, or its
      // outcome would be counted (and audited) twice.
      const taken = new Set(chunk.map((op) => op.seq));
      for (const op of more) {
        cursor = op.seq;
        // In cancel mode pending ops were skipped in bulk; only intent ones are left to resolve.
        if (!taken.has(op.seq)) chunk.push(op);
      }
    }
    return chunk;
  };

  /** Reads the chunk's memberships; waits out offline/auth/backoff; null if stopped meanwhile. */
  const readChunk = async (chunk: OpRecord[], signal: AbortSignal): Promise<Map<number, Membership> | null> => {
    let failures = 0;
    for (;;) {
      if (signal.aborted) return null;
      try {
        const byChain = new Map<number, number[]>();
        for (const op of chunk) byChain.set(op.chainId, [...(byChain.get(op.chainId) ?? []), op.membershipId]);
        const found = new Map<number, Membership>();
        for (const [chainId, ids] of byChain) {
          countRequest();
          for (const m of await deps.api().membershipsByIds(chainId, ids, { lane: 'batch' })) found.set(m.id, m);
        }
        if (blocked !== null || state !== 'running') {
          blocked = null;
          if (!stop) setState('running');
          notify();
        }
        return found;
      } catch (e) {
        const f = isDeskFailure(e) ? e : new DeskFailure('server', e instanceof Error ? e.message : String(e));
        try {
          if (f.kind === 'offline') {
            blocked = 'offline';
            if (state !== 'offline') setState('offline', f.message);
            await abortableSleep(o.offlinePollMs, signal);
          } else if (f.kind === 'auth_expired') {
            blocked = 'waiting_auth';
            if (state !== 'waiting_auth') setState('waiting_auth', f.message);
            await deps.waitForSignedIn(signal);
            if (signal.aborted) return null;
            const who = deps.currentProfileId();
            if (who !== job.profileId) {
              stopMessage = `Signed in as a different user. Sign in as ${job.userName} to resume this batch, so its changes stay attributed to them.`;
              requestStop('pause');
              return null;
            }
          } else if (f.kind === 'rate_limited' || f.kind === 'server') {
            failures++;
            const d = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** (failures - 1));
            await abortableSleep(Math.max(f.retryAfterMs ?? 0, d / 2 + Math.random() * (d / 2)), signal);
          } else {
            stopMessage = `Could not read the memberships: ${f.message}`;
            requestStop('pause');
            return null;
          }
        } catch (w) {
          if (w instanceof Stopped || signal.aborted) return null;
          throw w;
        }
      }
    }
  };

  /** Decides each op of a chunk from what was read; returns those to write. */
  const classify = (chunk: OpRecord[], found: Map<number, Membership>): Queued[] => {
    const write: Queued[] = [];
    const finals: Array<() => void> = [];
    const decided: Array<{ op: OpRecord; to: OpState }> = [];
    for (const op of chunk) {
      const m = found.get(op.membershipId) ?? null;
      const note = notes.get(op.seq);
      if (op.state === 'pending' && cancelling) {
        finals.push(() => journal.setOutcome(jobId, { seq: op.seq, state: 'skipped', message: 'Cancelled before it was sent.' }));
        decided.push({ op, to: 'skipped' });
        continue;
      }
      if (m === null) {
        const message = 'The membership was not found any more (deleted, or moved to another chain); nothing was changed.';
        const to: OpState = 'failed';
        finals.push(() => {
          if (op.auditId !== null) store.audit.finish(op.auditId, 'unknown', null, message);
          const auditId = op.auditId ?? store.audit.add(auditEntry(null, op, 'failed', message, null));
          journal.setOutcome(jobId, { seq: op.seq, state: to, message, auditId });
        });
        decided.push({ op, to });
        continue;
      }
      const cmp = handler.compare(m, op.expect, op.target);
      if (op.state === 'pending') {
        if (cmp === 'before') {
          write.push({ op, m });
          continue;
        }
        const message =
          cmp === 'after'
            ? `Already had the new value before the batch sent anything (${handler.describe(m, op.target)}): someone else made this change; not sent.`
            : `Changed since the plan: now ${handler.describe(m, op.expect)}, the plan expected ${handler.describeValues(m, op.expect)}. Not overwritten.`;
        finals.push(() => {
          const auditId = store.audit.add(auditEntry(m, op, 'failed', `Conflict: ${message}`, null));
          journal.setOutcome(jobId, { seq: op.seq, state: 'conflict', message, auditId });
        });
        decided.push({ op, to: 'conflict' });
        continue;
      }
      // intent: a request of ours may have gone out.
      if (cmp === 'after') {
        const message = note ? `The answer was lost (${note.message}), but re-reading shows the change was applied.` : 'Applied (confirmed by re-reading after an interruption).';
        finals.push(() => {
          const after = handler.auditAfter(m, op);
          if (op.auditId !== null) store.audit.finish(op.auditId, 'ok', after, message);
          const auditId = op.auditId ?? store.audit.add(auditEntry(m, op, 'ok', message, after));
          if (job.kind === 'undo' && op.sourceAuditId !== null) store.audit.markUndone(op.sourceAuditId, auditId);
          journal.setOutcome(jobId, { seq: op.seq, state: 'applied', message: null, auditId });
        });
        decided.push({ op, to: 'applied' });
      } else if (cmp === 'before') {
        if (cancelling) {
          const message = 'Cancelled before it took effect.';
          finals.push(() => {
            if (op.auditId !== null) store.audit.finish(op.auditId, 'failed', null, message);
            journal.setOutcome(jobId, { seq: op.seq, state: 'skipped', message });
          });
          decided.push({ op, to: 'skipped' });
        } else if ((note && DEFINITIVE.has(note.kind)) || (note?.kind === 'server' && op.attempts >= o.maxAttempts)) {
          const message = note ? note.message : 'Altegio did not apply the change after several attempts.';
          finals.push(() => {
            if (op.auditId !== null) store.audit.finish(op.auditId, 'failed', null, message);
            const auditId = op.auditId ?? store.audit.add(auditEntry(m, op, 'failed', message, null));
            journal.setOutcome(jobId, { seq: op.seq, state: 'failed', message, auditId });
          });
          decided.push({ op, to: 'failed' });
        } else write.push({ op, m });
      } else {
        const message = `Changed by someone else while the batch was sending it: now ${handler.describe(m, op.expect)}. Left as it is.`;
        finals.push(() => {
          if (op.auditId !== null) store.audit.finish(op.auditId, 'unknown', null, message);
          const auditId = op.auditId ?? store.audit.add(auditEntry(m, op, 'unknown', message, null));
          journal.setOutcome(jobId, { seq: op.seq, state: 'conflict', message, auditId });
        });
        decided.push({ op, to: 'conflict' });
      }
    }
    if (finals.length > 0) {
      store.transaction(() => {
        for (const f of finals) f();
      });
      for (const d of decided) move(d.op, d.to);
      emitSoon();
    }
    for (const op of chunk) notes.delete(op.seq);
    return write;
  };

  const writeOne = async ({ op, m }: Queued): Promise<void> => {
    // INTENT, durable before the request (own transaction, with the audit entry).
    store.transaction(() => {
      if (op.auditId === null) op.auditId = store.audit.add(auditEntry(m, op, 'unknown', 'Sending…', null));
      journal.markIntent(jobId, op.seq, op.auditId);
      op.attempts = journal.bumpAttempts(jobId, op.seq);
    });
    if (op.state === 'pending') move(op, 'intent');
    countRequest();
    try {
      await handler.send(deps.api(), op);
    } catch (e) {
      const f = isDeskFailure(e) ? e : new DeskFailure('server', 'The request to Altegio failed unexpectedly.');
      notes.set(op.seq, { kind: f.kind, message: f.message });
      recheck.push(op);
      if (f.kind === 'offline' && blocked === null) {
        blocked = 'offline';
        setState('offline', f.message);
      } else if (f.kind === 'auth_expired' && blocked === null) {
        blocked = 'waiting_auth';
        setState('waiting_auth', f.message);
      }
      log.info('batch: write to recheck', { batchId: jobId, seq: op.seq, kind: f.kind });
      return;
    }
    bufferOutcome({ op, to: 'applied', message: null, audit: { outcome: 'ok', after: handler.auditAfter(m, op), message: null } });
  };

  const writer = async (): Promise<void> => {
    for (;;) {
      if (stop !== null || blocked !== null) {
        if (readerDone || stop !== null) return;
        await changed();
        continue;
      }
      const item = queue.shift();
      if (!item) {
        if (readerDone) return;
        await changed();
        continue;
      }
      inFlight++;
      notify(); // the reader may top up the queue
      try {
        await writeOne(item);
      } catch (e) {
        // Its journal state is unchanged (pending, or intent when only the outcome failed): the
        // next run re-reads it.
        failed(e);
      } finally {
        inFlight--;
        notify();
      }
    }
  };

  const reader = async (): Promise<void> => {
    try {
      for (;;) {
        if (stop !== null) return;
        // Keep about one chunk queued: read the next while the current one is being written.
        if (queue.length >= Math.ceil(o.chunkSize / 2) || blocked !== null) {
          if (blocked !== null && queue.length > 0) {
            // The network or sign-in went away: what is queued needs a fresh check later.
            for (const q of queue.splice(0)) recheck.push(q.op);
          }
          if (blocked === null) {
            await changed();
            continue;
          }
        }
        const chunk = takeChunk();
        if (chunk.length === 0) {
          if (queue.length === 0 && inFlight === 0 && recheck.length === 0) return;
          await changed();
          continue;
        }
        const found = await readChunk(chunk, applyAbort.signal);
        if (found === null) {
          recheck.unshift(...chunk);
          return;
        }
        if (stop !== null) {
          recheck.unshift(...chunk);
          return;
        }
        let write: Queued[];
        try {
          write = classify(chunk, found);
        } catch (e) {
          failed(e);
          return;
        }
        for (const q of write) queue.push(q);
        notify();
      }
    } finally {
      readerDone = true;
      notify();
    }
  };

  /** Cancel: pending → skipped; intent ops resolved by reading (no writes). */
  const resolveForCancel = async (): Promise<boolean> => {
    cancelling = true;
    flush();
    const skipped = store.transaction(() => journal.skipPending(jobId));
    if (skipped > 0) {
      const fresh = journal.counts(jobId);
      for (const k of Object.keys(fresh) as OpState[]) counts[k] = fresh[k];
    }
    for (const op of recheck) if (op.state === 'pending') op.state = 'skipped';
    const left = recheck.filter((op) => op.state === 'intent');
    recheck.length = 0;
    recheck.push(...left);
    cursor = -1;
    for (;;) {
      const chunk = takeChunk().filter((op) => op.state === 'intent' || op.state === 'pending');
      if (chunk.length === 0) return true;
      const found = await readChunk(chunk, abort.signal);
      if (found === null) return false;
      classify(chunk, found);
    }
  };

  const requestStop = (kind: 'pause' | 'cancel') => {
    if (kind === 'pause') {
      // Also interrupts a cancel that waits for the network to resolve its intents.
      if (stop === null) stop = 'pause';
      abort.abort();
    } else if (stop !== 'cancel') {
      stop = 'cancel';
      applyAbort.abort();
    }
    notify();
  };

  const run = async (): Promise<BatchState> => {
    try {
      journal.markStarted(jobId);
      setState('running');
      if (stop !== 'cancel') {
        readerDone = false;
        const writers = Array.from({ length: Math.max(1, o.concurrency) }, writer);
        await reader();
        await Promise.all(writers);
        flush();
        // Ops taken off the queue but never sent stay 'pending' in the journal; nothing to undo.
      }
      if (stop === 'cancel') {
        const resolved = await resolveForCancel();
        flush();
        if (!resolved) {
          setState('paused', stopMessage ?? 'Cancelling was interrupted; cancel again to finish it.');
          return state;
        }
        setState('cancelled');
        return state;
      }
      if (stop === 'pause') {
        setState('paused', stopMessage);
        return state;
      }
      setState('done');
      return state;
    } catch (e) {
      failed(e);
      try {
        flush();
      } catch {
        /* the journal keeps intents; resume re-reads them */
      }
      try {
        setState('paused', stopMessage);
      } catch {
        /* the disk still refuses: the service shows this runner's state and message */
      }
      return 'paused';
    } finally {
      if (emitTimer !== null) clearTimeout(emitTimer);
      emitTimer = null;
      if (flushTimer !== null) clearTimeout(flushTimer);
      emitNow();
    }
  };

  const finished = run();
  return {
    jobId,
    finished,
    state: () => state,
    message: () => stateMessage,
    pause: () => requestStop('pause'),
    cancel: () => requestStop('cancel'),
  };
}
