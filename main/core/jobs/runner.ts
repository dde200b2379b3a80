/**
 * The runner: the one executor of writes (DESIGN.md §5; docs/ARCHITECTURE.md draws it). A job is a
 * list of operations in the journal (batch/journal.ts): a desk write is a one-op job, an undo is the
 * inverse job, a batch is a many-op job. Each op takes effect exactly once across crashes, kills,
 * dropped connections, 5xx answers and expired sign-ins:
 *
 *  1. READ a chunk (up to 50 ops, re-check list first) with one membershipsByIds request, and
 *     `decide()` each op (decide.ts: its kind's `state()` is the one "did it land?").
 *  2. INTENT committed (with its audit entry, outcome 'unknown') right before the request.
 *  3. SEND, only if no other write of ours reached that membership since it was read (claims.ts).
 *  4. SETTLE (settle.ts: journal + audit in one transaction): after a 2xx 'applied' (grouped every
 *     `flushMs` / `flushSize`); any failed request leaves the op 'intent' on the re-check list, and
 *     the next read decides it — never a guess. The API client never judges a write.
 *
 * `concurrency` writes in flight; the next chunk is read while the last one is written. Outages:
 * 'wait' (a batch) or 'stop' at the first failed read (a desk write). Cancel skips pending ops and
 * resolves intent ops by reading.
 */
import type { BatchState, Membership } from '../../../preload/contract';
import type { Lane } from '../altegio/rate-limiter';
import { asDeskFailure, DeskFailure, isDeskFailure, serverWordsMessage, storedOf } from '../errors';
import { msg } from '../../../common/i18n/translate';
import { storedText } from '../../../common/i18n/stored';
import { silentLogger } from '../log';
import { decodePayload, opKind } from '../ops';
import { asStorageFault, isStorageFault } from '../store';
import type { JobRecord, OpRecord } from '../batch/journal';
import { createMembershipClaims } from './claims';
import { abortableSleep, Stopped } from './sleep';
import { ANSWERED, decide, type FailureNote } from './decide';
import { createProgressEmitter, createProgressTracker } from './progress';
import { appliedSettlement, auditEntry, createSettleGroup, settle, type Settlement } from './settle';
import { DEFAULT_RUNNER_OPTIONS, type OpOutcome, type Runner, type RunnerDeps, type RunnerOptions } from './types';

export { DEFAULT_RUNNER_OPTIONS, type OpOutcome, type Runner, type RunnerDeps, type RunnerOptions } from './types';

interface Queued {
  op: OpRecord;
  m: Membership;
  /** The claims' generation of its membership before it was read. */
  generation: number;
}

interface ChunkRead {
  found: Map<number, Membership>;
  generations: Map<number, number>;
}

/** Starts running a job (mode 'apply') or finishing its cancellation (mode 'cancel'). */
export function startRunner(deps: RunnerDeps, jobId: string, mode: 'apply' | 'cancel' = 'apply'): Runner {
  const o: RunnerOptions = { ...DEFAULT_RUNNER_OPTIONS, ...deps.options };
  const log = deps.log ?? silentLogger;
  const now = deps.now ?? (() => performance.now());
  const lane: Lane = deps.lane ?? 'batch';
  const claims = deps.claims ?? createMembershipClaims();
  const { journal, store } = deps;
  const loaded = journal.job(jobId);
  if (!loaded) throw new DeskFailure('not_found', msg('error.app.batchGone'));
  const job: JobRecord = loaded;
  const kind = opKind(job.opKind);
  const ctx = { store, journal, job, kind };
  const payloads = new Map<number, unknown>();
  const payloadOf = (op: OpRecord): unknown => {
    let p = payloads.get(op.seq);
    if (p === undefined) {
      p = decodePayload(kind, op);
      payloads.set(op.seq, p);
    }
    return p;
  };
  const outcomes = new Map<number, OpOutcome>();
  let fresh = deps.freshlyRead;

  let state: BatchState = job.state;
  let stop: 'pause' | 'cancel' | null = mode === 'cancel' ? 'cancel' : null;
  let cancelling = false;
  let stopMessage: string | null = null;
  let stateMessage: string | null = job.msg ? storedText(job.msg) : job.message;
  // Pause stops every wait; pause or cancel stops the apply phase's (a cancel still reads intents).
  const abort = new AbortController();
  const applyAbort = new AbortController();
  abort.signal.addEventListener('abort', () => applyAbort.abort(), { once: true });

  const progress = createProgressTracker(journal.counts(jobId), now);
  const emitter = createProgressEmitter(() => deps.onProgress(progress.snapshot(jobId, state, stateMessage)), o.progressIntervalMs, now, log);

  const setState = (next: BatchState, message: string | null = null) => {
    if (state === next && message === null) return;
    state = next;
    stateMessage = message;
    try {
      journal.setState(jobId, next, message);
    } finally {
      emitter.now();
    }
  };

  // A local write failed (full disk…) or something unexpected was thrown: pause with a clear message.
  // The journal stays exact: nothing is sent without a durable intent; a lost outcome is re-read.
  let fault: unknown = null;
  const failed = (e: unknown) => {
    const f = asStorageFault(e);
    fault ??= f;
    if (isStorageFault(f)) {
      stopMessage ??= storedText(msg('job.state.paused', { why: f.msg ?? f.message }));
      log.warn('jobs: storage fault, pausing', { jobId, code: f.code });
    } else {
      stopMessage ??= storedText(msg('job.state.unexpected'));
      log.error('jobs: runner failed', { jobId, error: e instanceof Error ? e.message : String(e) });
    }
    requestStop('pause');
  };

  // --- settling: decided by a read (at once) or by a 2xx answer (grouped) --------------------------
  const record = (list: Settlement[]) => {
    for (const s of list) outcomes.set(s.op.seq, { state: s.decision.to, message: s.decision.message, failure: s.decision.failure ?? null, membership: s.m, error: notes.get(s.op.seq)?.error });
  };
  // Outcomes of 2xx answers, settled in groups; the timer's flush has nobody awaiting it, so a
  // failure there pauses the job instead of escaping.
  const group = createSettleGroup(ctx, o, failed);
  const bufferApplied = (op: OpRecord, m: Membership) => {
    const s = appliedSettlement(kind, op, payloadOf(op), m);
    record([s]);
    progress.move(op, 'applied');
    group.add(s);
    emitter.soon();
  };

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
        if (!taken.has(op.seq)) chunk.push(op);
      }
    }
    return chunk;
  };

  /** Stop at a read failure (outage 'stop'): the op keeps its journal state, the caller reports it. */
  const stopAt = (f: DeskFailure, chunk: readonly OpRecord[]): null => {
    stopMessage ??= storedOf(f);
    for (const op of chunk) {
      const note = notes.get(op.seq);
      outcomes.set(op.seq, { state: op.state, message: f.msg ?? f.message, failure: note?.kind ?? f.kind, membership: null, error: note?.error ?? f });
    }
    requestStop('pause');
    return null;
  };

  /** Reads the chunk's memberships; waits out offline/auth/backoff; null if stopped meanwhile. */
  const readChunk = async (chunk: OpRecord[], signal: AbortSignal): Promise<ChunkRead | null> => {
    if (fresh) {
      const given = fresh;
      fresh = undefined;
      if (chunk.every((op) => given.memberships.has(op.membershipId) && given.generations.has(op.membershipId))) {
        return { found: new Map(given.memberships), generations: new Map(given.generations) };
      }
    }
    let failures = 0;
    for (;;) {
      if (signal.aborted) return null;
      const generations = new Map(chunk.map((op) => [op.membershipId, claims.generation(op.membershipId)]));
      try {
        const byChain = new Map<number, number[]>();
        for (const op of chunk) byChain.set(op.chainId, [...(byChain.get(op.chainId) ?? []), op.membershipId]);
        const found = new Map<number, Membership>();
        for (const [chainId, ids] of byChain) {
          progress.countRequest();
          for (const m of await deps.api().membershipsByIds(chainId, ids, { lane })) found.set(m.id, m);
        }
        if (blocked !== null || state !== 'running') {
          blocked = null;
          if (!stop) setState('running');
          notify();
        }
        return { found, generations };
      } catch (e) {
        const f = asDeskFailure(e);
        if (deps.outage === 'stop') return stopAt(f, chunk);
        try {
          if (f.kind === 'offline') {
            blocked = 'offline';
            if (state !== 'offline') setState('offline', storedOf(f));
            await abortableSleep(o.offlinePollMs, signal);
          } else if (f.kind === 'auth_expired') {
            blocked = 'waiting_auth';
            if (state !== 'waiting_auth') setState('waiting_auth', storedOf(f));
            await deps.waitForSignedIn(signal);
            if (signal.aborted) return null;
            if (deps.currentProfileId() !== job.profileId) {
              stopMessage = storedText(msg('error.app.batchOtherUser', { user: job.userName }));
              requestStop('pause');
              return null;
            }
          } else if (f.kind === 'rate_limited' || f.kind === 'server') {
            failures++;
            const d = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** (failures - 1));
            await abortableSleep(Math.max(f.retryAfterMs ?? 0, d / 2 + Math.random() * (d / 2)), signal);
          } else {
            stopMessage = storedText(msg('job.state.readFailed', { why: f.msg ?? f.message }));
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

  /** Decides each op of a chunk from what was read; settles the final ones; returns those to write. */
  const classify = (chunk: OpRecord[], { found, generations }: ChunkRead): Queued[] => {
    const write: Queued[] = [];
    const finals: Settlement[] = [];
    for (const op of chunk) {
      const m = found.get(op.membershipId) ?? null;
      const payload = payloadOf(op);
      const d = decide(kind, op, payload, m, notes.get(op.seq), { cancelling, maxAttempts: o.maxAttempts, patient: o.patient });
      if (d.kind === 'write' && m !== null) write.push({ op, m, generation: generations.get(op.membershipId) ?? -1 });
      else if (d.kind === 'final') finals.push({ op, payload, m, decision: d });
    }
    if (finals.length > 0) {
      // Known before it is recorded: a full disk must not hide that a change was made.
      record(finals);
      settle(ctx, finals);
      for (const s of finals) progress.move(s.op, s.decision.to);
      emitter.soon();
    }
    for (const op of chunk) notes.delete(op.seq);
    return write;
  };

  const writeOne = async ({ op, m, generation }: Queued): Promise<void> => {
    if (!claims.unchanged(op.membershipId, generation)) {
      // Another write of ours reached this membership after it was read: look again.
      recheck.push(op);
      return;
    }
    const payload = payloadOf(op);
    // INTENT, durable before the request (own transaction, with the audit entry).
    store.transaction(() => {
      if (op.auditId === null) op.auditId = store.audit.add(auditEntry(ctx, op, payload, m, 'unknown', msg('audit.message.sending'), false));
      journal.markIntent(jobId, op.seq, op.auditId);
      op.attempts = journal.bumpAttempts(jobId, op.seq);
    });
    if (op.state === 'pending') progress.move(op, 'intent');
    progress.countRequest();
    claims.begin(op.membershipId);
    try {
      await kind.send(deps.api(), { chainId: op.chainId, membershipId: op.membershipId }, payload, { lane });
    } catch (e) {
      const f = isDeskFailure(e) ? e : new DeskFailure('server', msg('error.app.requestFailed'));
      notes.set(op.seq, { kind: f.kind, message: f.message, msg: f.msg, words: serverWordsMessage(f), error: f });
      recheck.push(op);
      if (f.kind === 'offline' && blocked === null) {
        blocked = 'offline';
        setState('offline', storedOf(f));
      } else if (f.kind === 'auth_expired' && blocked === null) {
        blocked = 'waiting_auth';
        setState('waiting_auth', storedOf(f));
      }
      log.info('jobs: write to recheck', { jobId, seq: op.seq, kind: f.kind });
      return;
    } finally {
      claims.end(op.membershipId);
    }
    if (o.confirm) {
      notes.set(op.seq, { kind: ANSWERED, message: 'answered' });
      recheck.push(op);
      return;
    }
    bufferApplied(op, m);
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
        if (found === null || stop !== null) {
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
    group.flush();
    const skipped = store.transaction(() => journal.skipPending(jobId));
    if (skipped > 0) progress.reset(journal.counts(jobId));
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

  const requestStop = (what: 'pause' | 'cancel') => {
    if (what === 'pause') {
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
        group.flush();
        // Ops taken off the queue but never sent stay 'pending' in the journal; nothing to undo.
      }
      if (stop === 'cancel') {
        const resolved = await resolveForCancel();
        group.flush();
        if (!resolved) {
          setState('paused', stopMessage ?? storedText(msg('job.state.cancelInterrupted')));
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
        group.flush();
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
      group.close();
      emitter.now();
    }
  };

  const finished = run();
  return {
    jobId,
    finished,
    state: () => state,
    message: () => stateMessage,
    outcome: (seq) => outcomes.get(seq),
    fault: () => fault,
    pause: () => requestStop('pause'),
    cancel: () => requestStop('cancel'),
  };
}
