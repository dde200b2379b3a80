/**
 * Batch corrections as the contract sees them (`batch.*` channels): prepare a file (decode → parse
 * → map → validate → fetch current memberships → plan) and persist it in the journal; page through
 * its rows; apply / pause / resume / cancel it with the engine; list jobs; build the result report;
 * undo a whole batch (itself a journaled, resumable job).
 *
 * One job runs at a time (they share the rate limit anyway, and two jobs could otherwise touch the
 * same membership between one's check and its write). At start-up, jobs the journal shows as
 * running/offline/waiting_auth were interrupted (crash, kill, closed app): they become 'paused' with
 * a message, and Resume continues them from the journal.
 */
import { randomUUID } from 'node:crypto';
import type { BatchPlanRow, BatchPreparation, BatchProblem, BatchState, BatchSummary, ColumnMapping as ContractMapping, Membership, Rights } from '../../../preload/contract';
import { IDS_PAGE_SIZE, type AltegioApi } from '../altegio/api';
import type { RateLimiter } from '../altegio/rate-limiter';
import { DeskFailure } from '../errors';
import type { EventHub } from '../events';
import { silentLogger, type Logger } from '../log';
import type { Store } from '../store';
import { startRunner, type EngineOptions, type Runner } from './engine';
import { createJournal, type JobRecord, type JobTotals, type Journal, type NewOp, type OpRecord, type RowRecord } from './journal';
import { checkMapping, FIELDS, type ColumnMapping } from './mapping';
import { isDelimiter, type Delimiter } from './parse';
import { decodeBatch, planBatch, readBatch, sniffBatch, type BatchRead, type BatchReadOptions } from './pipeline';
import { createLookups, DEFAULT_REASON, type MembershipEntry } from './plan';
import { buildReportCsv, reportRowOf, rowRecordOf, rowStatus, type ReportRow } from './report';
import { EXCEL_BOM } from '../csv';

export const MAX_PROBLEMS = 500;
export const PREVIEW_ROWS = 20;
export const INTERRUPTED_MESSAGE = 'Interrupted: the app stopped while this batch was running. Resume to finish it; nothing is applied twice.';
/** Never-applied preparations kept (each re-check of a file makes one). */
const KEEP_PREPARATIONS = 10;
/** How long pause/cancel wait for in-flight requests before answering (the job keeps stopping). */
const STOP_WAIT_MS = 3000;

export interface BatchSession {
  currentUser(): { profileId: string; userId: number; name: string };
  rightsFor(chainId: number): Rights | null;
  waitForSignedIn(signal?: AbortSignal): Promise<void>;
}

export interface BatchServiceDeps {
  store: Store;
  api: () => AltegioApi;
  session: BatchSession;
  events: Pick<EventHub, 'emit'>;
  /** For the time estimate (the limits every request is paced at). */
  limiter?: Pick<RateLimiter, 'stats'>;
  log?: Logger;
  engine?: Partial<EngineOptions>;
  /** How long memberships read for one check may serve the next (default READ_CACHE_MS). */
  readCacheMs?: number;
}

/** Why a check's reads stop when a newer check of the same person starts. */
class SupersededCheck extends Error {
  constructor() {
    super('superseded by a newer check');
  }
}

/** Reads for one check serve the next for this long at most (see readCache). */
export const READ_CACHE_MS = 5 * 60_000;

export interface PrepareArgs {
  chainId: number;
  locationId: number;
  fileName: string;
  contentBase64: string;
  encoding?: string | undefined;
  delimiter?: Delimiter | undefined;
  mapping?: ContractMapping | undefined;
}

export interface BatchService {
  prepare(args: PrepareArgs): Promise<BatchPreparation>;
  rows(args: { batchId: string; offset: number; limit: number; onlyProblems?: boolean | undefined }): Promise<{ rows: BatchPlanRow[]; total: number }>;
  apply(args: { batchId: string }): Promise<BatchSummary>;
  pause(args: { batchId: string }): Promise<BatchSummary>;
  resume(args: { batchId: string }): Promise<BatchSummary>;
  cancel(args: { batchId: string }): Promise<BatchSummary>;
  list(): Promise<{ batches: BatchSummary[] }>;
  report(args: { batchId: string }): Promise<{ fileName: string; csv: string }>;
  undo(args: { batchId: string }): Promise<BatchSummary>;
  /** Resolves when the job's runner stops (immediately if none runs), with the job's state. */
  settled(batchId: string): Promise<BatchState | null>;
  /** Pauses whatever runs (op boundary) and waits for it. */
  close(): Promise<void>;
  readonly journal: Journal;
}

const toCoreMapping = (m: ContractMapping): ColumnMapping => {
  const out: ColumnMapping = {};
  for (const f of FIELDS) {
    const v = m[f];
    if (typeof v === 'number') out[f] = v;
  }
  return out;
};
const toContractMapping = (m: ColumnMapping): ContractMapping => Object.fromEntries(FIELDS.map((f) => [f, m[f] ?? null])) as ContractMapping;

const sameMapping = (a: ColumnMapping, b: ColumnMapping) => FIELDS.every((f) => a[f] === b[f]);

/** Rows of a job show their operations' states once it has started. */
const isStarted = (job: JobRecord) => job.state !== 'draft' && job.state !== 'planned';

const NOT_FOUND = () => new DeskFailure('not_found', 'This batch no longer exists. Open the file again.');

function reportFileName(fileName: string, kind: JobRecord['kind']): string {
  const base = fileName.replace(/\.[^.]{1,5}$/, '').replace(/[^\p{L}\p{N} ._-]+/gu, '_').trim().slice(0, 120) || 'batch';
  return `${base}${kind === 'undo' ? '-undo' : ''}-report.csv`;
}

export function createBatchService(deps: BatchServiceDeps): BatchService {
  const { store, session } = deps;
  const log = deps.log ?? silentLogger;
  const journal = createJournal(store.db);
  const runners = new Map<string, Runner>();

  const interrupted = journal.interruptActive(INTERRUPTED_MESSAGE);
  if (interrupted.length > 0) log.info('batch: interrupted jobs can be resumed', { count: interrupted.length });

  /**
   * How a runner stopped when the journal could not record it (a full disk refuses even that
   * small write): the job is shown, and resumed, as paused with that message.
   */
  const unrecorded = new Map<string, { state: BatchState; message: string | null }>();
  const ACTIVE: ReadonlySet<BatchState> = new Set(['running', 'offline', 'waiting_auth']);
  const current = (job: JobRecord | null): JobRecord | null => {
    if (!job || runners.has(job.id)) return job;
    const stopped = unrecorded.get(job.id);
    // Even 'planned' stays in the journal when the disk refused the very first write of a run.
    if (stopped && stopped.state !== job.state) return { ...job, state: stopped.state, message: stopped.message };
    if (!ACTIVE.has(job.state)) return job;
    return { ...job, state: 'paused', message: INTERRUPTED_MESSAGE };
  };
  const jobOrThrow = (id: string): JobRecord => current(journal.job(id)) ?? (() => { throw NOT_FOUND(); })();

  const summary = (job: JobRecord): BatchSummary => {
    const c = journal.counts(job.id);
    return {
      batchId: job.id,
      kind: job.kind,
      fileName: job.fileName,
      createdAt: job.createdAt,
      userName: job.userName,
      chainId: job.chainId,
      state: job.state,
      totals: job.totals,
      done: c.applied.rows,
      failed: c.failed.rows,
      conflicts: c.conflict.rows,
      undoOf: job.undoOf,
      undoneBy: job.undoneBy,
      message: job.message,
    };
  };
  const summaryOf = (id: string) => summary(jobOrThrow(id));

  const runningOther = (id: string): Runner | undefined => [...runners.values()].find((r) => r.jobId !== id);

  const checkSameUser = (job: JobRecord) => {
    const user = session.currentUser();
    if (user.profileId !== job.profileId) {
      throw new DeskFailure('forbidden', `This batch belongs to ${job.userName}. Sign in as ${job.userName} to run it, so its changes stay attributed to them.`);
    }
  };

  const start = (job: JobRecord, mode: 'apply' | 'cancel'): Runner => {
    const other = runningOther(job.id);
    if (other) throw new DeskFailure('conflict', 'Another batch is running. Pause it or let it finish first.');
    const runner = startRunner(
      {
        store,
        journal,
        // Bound to the job's owner: after someone else signs in on this PC, the next request
        // waits (auth_expired → waiting_auth) instead of going out under their token while the
        // audit still names the owner. Calls already under way keep their own credentials.
        api: () => {
          let current: string | null = null;
          try {
            current = session.currentUser().profileId;
          } catch {
            current = null;
          }
          if (current !== job.profileId) {
            throw new DeskFailure('auth_expired', `This batch waits until ${job.userName} is signed in again.`);
          }
          return deps.api();
        },
        waitForSignedIn: (signal) => session.waitForSignedIn(signal),
        currentProfileId: () => {
          try {
            return session.currentUser().profileId;
          } catch {
            return null;
          }
        },
        onProgress: (p) => deps.events.emit('batch.progress', p),
        log,
        ...(deps.engine ? { options: deps.engine } : {}),
      },
      job.id,
      mode,
    );
    runners.set(job.id, runner);
    unrecorded.delete(job.id);
    void runner.finished.then((state) => {
      if (runners.get(job.id) === runner) runners.delete(job.id);
      unrecorded.set(job.id, { state, message: runner.message() });
    });
    return runner;
  };

  const waitStopped = async (runner: Runner) => {
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([runner.finished, new Promise<void>((r) => (t = setTimeout(r, STOP_WAIT_MS)))]);
    if (t) clearTimeout(t);
  };

  // --- prepare -------------------------------------------------------------------------------------

  /**
   * Memberships read for the last check, reused by the next check at the same place (another
   * encoding, delimiter or mapping of the same file) while nothing was written since — no new audit
   * entry: every write this app starts records one first — and for at most READ_CACHE_MS. Changes
   * made meanwhile by others in Altegio are caught where it matters: the apply re-reads every
   * membership before writing it.
   */
  let readCache: { key: string; at: number; auditId: number; byId: Map<number, Membership | null>; byPhone: Map<string, Membership[]> } | null = null;

  /**
   * Reads the memberships a file refers to: ids in pages, then each phone. A big file means
   * minutes of requests at Altegio's limit, so progress goes out as `batch.prepareProgress`.
   */
  async function fetchEntries(read: BatchRead, place: { profileId: string; chainId: number; locationId: number }, signal: AbortSignal): Promise<MembershipEntry[]> {
    const { chainId, locationId } = place;
    const key = `${place.profileId}|${chainId}|${locationId}`;
    const auditId = store.audit.lastId();
    const now = Date.now();
    const reuse = readCache !== null && readCache.key === key && readCache.auditId === auditId && now - readCache.at < (deps.readCacheMs ?? READ_CACHE_MS);
    const cache = reuse && readCache ? readCache : { key, at: now, auditId, byId: new Map<number, Membership | null>(), byPhone: new Map<string, Membership[]>() };
    readCache = cache;

    const api = deps.api();
    const ids = read.refs.ids.filter((id) => !cache.byId.has(id));
    const phones = read.refs.phones.filter((p) => !cache.byPhone.has(p));
    const idPages = Math.ceil(ids.length / IDS_PAGE_SIZE);
    const total = idPages + phones.length;
    let done = 0;
    const progress = () => {
      if (signal.aborted) return; // answers still arriving for a check that was stopped
      const limits = deps.limiter?.stats();
      const perSecond = limits ? Math.min(limits.effectivePerSecond, limits.perMinute / 60) : 0;
      const etaMs = perSecond > 0 ? Math.round(((total - done) / perSecond) * 1000) : null;
      deps.events.emit('batch.prepareProgress', { done, total, etaMs });
    };
    if (total > 0) progress();
    if (ids.length > 0) {
      const found = await api.membershipsByIds(chainId, ids, {
        signal,
        lane: 'batch',
        onPage: (pages) => {
          done = pages;
          progress();
        },
      });
      for (const id of ids) cache.byId.set(id, null); // asked for: absent unless found
      for (const m of found) cache.byId.set(m.id, m);
      done = idPages;
    }
    let next = 0;
    const worker = async () => {
      while (next < phones.length) {
        const phone = phones[next++] as string;
        const found = await api.membershipsByPhone(locationId, phone, { signal });
        done++;
        progress();
        // Only this chain's memberships: the batch writes in the selected chain.
        cache.byPhone.set(
          phone,
          found.filter((m) => m.chainId === chainId),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, phones.length) }, worker));

    const entries: MembershipEntry[] = [];
    for (const id of read.refs.ids) {
      const m = cache.byId.get(id);
      if (m) entries.push({ membership: m });
    }
    for (const phone of read.refs.phones) for (const m of cache.byPhone.get(phone) ?? []) entries.push({ membership: m, phones: [phone] });
    return entries;
  }

  // One check of a file at a time per person: opening another file (or other settings) stops the
  // reads of the one before, which would otherwise hold Altegio's request limit for minutes.
  const preparing = new Map<string, AbortController>();

  async function prepare(args: PrepareArgs): Promise<BatchPreparation> {
    const user = session.currentUser();
    // Not a DeskFailure: an aborted read says nothing about the network (the session would take
    // any other failure as "the server answered").
    preparing.get(user.profileId)?.abort(new SupersededCheck());
    const controller = new AbortController();
    preparing.set(user.profileId, controller);
    try {
      return await prepareFile(args, user, controller.signal);
    } catch (e) {
      if (e instanceof SupersededCheck) throw new DeskFailure('conflict', 'Checking this file stopped: another file or other settings were opened.');
      throw e;
    } finally {
      // Also when a read failed: the other readers of this check stop at their next request.
      controller.abort(new SupersededCheck());
      if (preparing.get(user.profileId) === controller) preparing.delete(user.profileId);
    }
  }

  async function prepareFile(args: PrepareArgs, user: ReturnType<typeof session.currentUser>, signal: AbortSignal): Promise<BatchPreparation> {
    const bytes = Buffer.from(args.contentBase64, 'base64');
    const base: BatchReadOptions = {
      ...(args.encoding !== undefined && { encoding: args.encoding }),
      ...(args.delimiter !== undefined && { delimiter: args.delimiter }),
      previewRows: PREVIEW_ROWS,
    };
    // The delimiter: chosen now (remembered for files starting with the same line), remembered
    // from such a file, or detected. Settled first: the header, hence the mapping memory, depend on it.
    let delimiterSource: BatchPreparation['delimiterSource'] = args.delimiter !== undefined ? 'chosen' : 'detected';
    // Decoded once; every read below works on the text.
    const decoded = decodeBatch(bytes, base);
    const sniffed = sniffBatch(decoded);
    const delimiterKey = sniffed.firstLine === null ? null : `delimiter:${sniffed.firstLine}`;
    if (delimiterKey !== null && args.delimiter !== undefined) {
      // The detected one needs no memory: choosing it back forgets the earlier choice.
      if (args.delimiter === sniffed.delimiter) store.mappings.delete(delimiterKey);
      else store.mappings.set(delimiterKey, args.delimiter);
    } else if (delimiterKey !== null) {
      const remembered = store.mappings.get<unknown>(delimiterKey);
      if (isDelimiter(remembered) && remembered !== sniffed.delimiter) {
        base.delimiter = remembered;
        delimiterSource = 'remembered';
      }
    }
    let read: BatchRead;
    let mappingSource: BatchPreparation['mappingSource'];
    if (args.mapping !== undefined) {
      const manual = toCoreMapping(args.mapping);
      read = readBatch(decoded, { ...base, mapping: manual });
      mappingSource = 'manual';
      if (read.mappingProblems.length === 0 && read.hasHeader) store.mappings.set(read.headerSignature, manual);
    } else {
      read = readBatch(decoded, base);
      mappingSource = 'auto';
      const remembered = read.hasHeader ? store.mappings.get<ColumnMapping>(read.headerSignature) : null;
      if (remembered && checkMapping(remembered, read.columnCount).length === 0 && !sameMapping(remembered, read.mapping)) {
        read = readBatch(decoded, { ...base, mapping: remembered });
        mappingSource = 'remembered';
      } else if (remembered) mappingSource = sameMapping(remembered, read.mapping) ? 'remembered' : 'auto';
    }

    const entries = read.validated ? await fetchEntries(read, { profileId: user.profileId, chainId: args.chainId, locationId: args.locationId }, signal) : [];
    signal.throwIfAborted();
    const lookups = createLookups(entries, (chainId) => session.rightsFor(chainId)?.balanceEdit ?? false);
    const limits = deps.limiter?.stats();
    const prepared = planBatch(read, lookups, {
      defaultReason: DEFAULT_REASON,
      ...(limits && { rate: { perSecond: limits.perSecond, perMinute: limits.perMinute } }),
    });
    const plan = prepared.plan;

    const problems: BatchProblem[] = read.mappingProblems.map((p) => ({ line: 0, column: null, field: p.field, message: p.message }));
    for (const p of prepared.problems) problems.push({ line: p.line, column: p.column, field: p.field, message: p.message });
    const totals: JobTotals = plan ? { ...plan.totals } : { rows: prepared.rowCount, toChange: 0, unchanged: 0, invalid: 0, memberships: 0 };

    const batchId = randomUUID();
    // Generated as the journal writes them: the plan's rows and operations are never all objects at once.
    const rows: Iterable<RowRecord> = plan ? plan.rows.mapLazily(rowRecordOf) : [];
    const ops: Iterable<NewOp> = plan
      ? plan.operations.mapLazily((op, seq) => ({
          seq,
          kind: op.kind,
          membershipId: op.membershipId,
          membershipNumber: op.membershipNumber,
          chainId: op.chainId,
          body: op.body,
          expect: op.before,
          target: op.after,
          rowLines: op.rowLines,
          rowCount: op.rowLines.length,
          reason: op.reason,
          sourceAuditId: null,
        }))
      : [];
    journal.createJob(
      {
        id: batchId,
        kind: 'apply',
        opKind: plan?.kind ?? 'set_balance',
        fileName: args.fileName,
        createdAt: new Date().toISOString(),
        profileId: user.profileId,
        userId: user.userId,
        userName: user.name,
        chainId: args.chainId,
        locationId: args.locationId,
        state: plan ? 'planned' : 'draft',
        delimiter: read.delimiter,
        totals,
        undoOf: null,
      },
      rows,
      ops,
    );
    journal.prunePreparations(KEEP_PREPARATIONS, batchId);

    return {
      batchId,
      fileName: args.fileName,
      encoding: read.encoding,
      delimiter: read.delimiter,
      delimiterSource,
      headers: read.header,
      previewRows: read.preview,
      mapping: toContractMapping(read.mapping),
      mappingSource,
      problems: problems.slice(0, MAX_PROBLEMS),
      problemCount: problems.length,
      totals,
      estimateMs: plan ? Math.max(0, Math.round(plan.estimate.ms)) : 0,
      notices: plan ? plan.notices : [],
    };
  }

  // --- apply / pause / resume / cancel ---------------------------------------------------------------

  async function apply({ batchId }: { batchId: string }): Promise<BatchSummary> {
    const job = jobOrThrow(batchId);
    if (runners.has(batchId)) return summaryOf(batchId);
    if (job.state === 'draft') throw new DeskFailure('validation', 'The columns of this file are not mapped yet: choose them first.');
    if (job.state === 'paused') return resume({ batchId });
    if (job.state !== 'planned') throw new DeskFailure('validation', `This batch is already ${job.state === 'done' ? 'finished' : job.state}.`);
    checkSameUser(job);
    start(job, 'apply');
    return summaryOf(batchId);
  }

  async function pause({ batchId }: { batchId: string }): Promise<BatchSummary> {
    jobOrThrow(batchId);
    const runner = runners.get(batchId);
    if (runner) {
      runner.pause();
      await waitStopped(runner);
    }
    return summaryOf(batchId);
  }

  async function resume({ batchId }: { batchId: string }): Promise<BatchSummary> {
    const job = jobOrThrow(batchId);
    if (runners.has(batchId)) return summaryOf(batchId);
    if (job.state !== 'paused') {
      if (job.state === 'planned') return apply({ batchId });
      throw new DeskFailure('validation', job.state === 'done' || job.state === 'cancelled' ? 'This batch is already finished.' : 'This batch cannot be resumed.');
    }
    checkSameUser(job);
    start(job, 'apply');
    return summaryOf(batchId);
  }

  async function cancel({ batchId }: { batchId: string }): Promise<BatchSummary> {
    const job = jobOrThrow(batchId);
    const runner = runners.get(batchId);
    if (runner) {
      runner.cancel();
      await waitStopped(runner);
      return summaryOf(batchId);
    }
    if (job.state === 'done' || job.state === 'cancelled') return summary(job);
    if (job.state === 'draft') {
      journal.setState(batchId, 'cancelled');
      return summaryOf(batchId);
    }
    const r = start(job, 'cancel');
    await waitStopped(r);
    return summaryOf(batchId);
  }

  // --- list / rows / report ---------------------------------------------------------------------------

  async function rows({ batchId, offset, limit, onlyProblems }: { batchId: string; offset: number; limit: number; onlyProblems?: boolean | undefined }) {
    const started = isStarted(jobOrThrow(batchId));
    const only = onlyProblems === true;
    const list = journal.rows(batchId, offset, limit, only).map(
      (r): BatchPlanRow => ({
        line: r.line,
        membership: r.membership,
        service: r.service,
        before: r.before,
        after: r.after,
        reason: r.reason,
        status: rowStatus(r, started),
        message: r.message ?? r.opMessage,
      }),
    );
    return { rows: list, total: journal.rowCount(batchId, only) };
  }

  async function report({ batchId }: { batchId: string }) {
    const job = jobOrThrow(batchId);
    const started = isStarted(job);
    function* reportRows(): Generator<ReportRow> {
      for (const r of journal.iterateRows(batchId)) yield reportRowOf(r, started);
    }
    const delimiter = (job.delimiter === ';' || job.delimiter === '\t' ? job.delimiter : ',') as Delimiter;
    // The renderer saves the string as is.
    return { fileName: reportFileName(job.fileName, job.kind), csv: EXCEL_BOM + buildReportCsv(reportRows(), { delimiter }) };
  }

  // --- undo -------------------------------------------------------------------------------------------

  async function undo({ batchId }: { batchId: string }): Promise<BatchSummary> {
    const original = jobOrThrow(batchId);
    if (original.kind !== 'apply') throw new DeskFailure('validation', 'An undo cannot itself be undone: make a new batch instead.');
    if (original.undoneBy !== null) throw new DeskFailure('conflict', 'This batch was already undone.');
    if (runners.has(batchId) || (original.state !== 'done' && original.state !== 'cancelled')) {
      throw new DeskFailure('validation', 'Finish or cancel this batch before undoing it.');
    }
    // Checked before anything is written: a refused start must not leave the batch marked undone.
    if (runningOther(batchId)) throw new DeskFailure('conflict', 'Another batch is running. Pause it or let it finish first.');
    const user = session.currentUser();
    const applied: OpRecord[] = journal.ops(batchId, ['applied']);
    if (applied.length === 0) throw new DeskFailure('validation', 'This batch changed nothing, so there is nothing to undo.');
    const bySeq = new Map(applied.map((op, i) => [op.seq, i]));
    const rowsOut: RowRecord[] = [];
    let i = 0;
    for (const r of journal.iterateRows(batchId)) {
      if (r.opSeq === null || !bySeq.has(r.opSeq)) continue;
      rowsOut.push({ ...r, idx: i++, outcome: 'change', before: r.after, after: r.before, message: null, opSeq: bySeq.get(r.opSeq) ?? null });
    }
    const opsOut: NewOp[] = applied.map((op, seq) => ({
      seq,
      kind: op.kind,
      membershipId: op.membershipId,
      membershipNumber: op.membershipNumber,
      chainId: op.chainId,
      body: op.expect,
      expect: op.target,
      target: op.expect,
      rowLines: op.rowLines,
      rowCount: op.rowCount,
      reason: `Undo of batch ${original.fileName}: ${op.reason}`.slice(0, 500),
      sourceAuditId: op.auditId,
    }));
    const id = randomUUID();
    store.transaction(() => {
      journal.createJob(
        {
          id,
          kind: 'undo',
          opKind: original.opKind,
          fileName: original.fileName,
          createdAt: new Date().toISOString(),
          profileId: user.profileId,
          userId: user.userId,
          userName: user.name,
          chainId: original.chainId,
          locationId: original.locationId,
          state: 'planned',
          delimiter: original.delimiter,
          totals: { rows: rowsOut.length, toChange: rowsOut.length, unchanged: 0, invalid: 0, memberships: opsOut.length },
          undoOf: original.id,
        },
        rowsOut,
        opsOut,
      );
      journal.setUndoneBy(original.id, id);
    });
    start(jobOrThrow(id), 'apply');
    return summaryOf(id);
  }

  return {
    journal,
    prepare,
    rows,
    apply,
    pause,
    resume,
    cancel,
    list: async () => ({ batches: journal.listStarted().map((job) => summary(current(job) ?? job)) }),
    report,
    undo,
    async settled(batchId) {
      const r = runners.get(batchId);
      if (r) await r.finished;
      return current(journal.job(batchId))?.state ?? null;
    },
    async close() {
      const all = [...runners.values()];
      for (const r of all) r.pause();
      await Promise.all(all.map((r) => r.finished));
    },
  };
}
