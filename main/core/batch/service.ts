/**
 * Batch corrections as the contract sees them (`batch.*` channels): open and check a file (see
 * check.ts: nothing is sent and no job exists until Apply); apply a check, which creates the batch
 * job in the journal; page through a check's or a job's rows; pause / resume / cancel a job with
 * the engine; list jobs; build the result report; undo a whole batch (itself a journaled,
 * resumable job).
 *
 * One job runs at a time (they share the rate limit anyway, and two jobs could otherwise touch the
 * same membership between one's check and its write). At start-up, jobs the journal shows as
 * running/offline/waiting_auth were interrupted (crash, kill, closed app): they become 'paused' with
 * a message, and Resume continues them from the journal.
 */
import { randomUUID } from 'node:crypto';
import type { BatchCheck, BatchPlanRow, BatchState, BatchSummary, MsgData, Rights } from '../../../preload/contract';
import type { AltegioApi } from '../altegio/api';
import type { RateLimiter } from '../altegio/rate-limiter';
import { DeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import { bulkJobTitle } from '../bulk/job-name';
import { inEnglish } from '../../../common/i18n/words';
import { fromStored } from '../../../common/i18n/stored';
import { isActive, isFinished, wasStarted } from '../../../common/batch-rules';
import type { EventHub } from '../events';
import { silentLogger, type Logger } from '../log';
import type { Store } from '../store';
import type { MembershipClaims } from '../jobs/claims';
import { inverseOps } from '../jobs/inverse';
import { startRunner, type Runner, type RunnerOptions } from '../jobs/runner';
import { createChecker, type CheckArgs, type CheckerDeps } from './check';
import { createJournal, type JobRecord, type Journal, type NewJob, type NewOp, type OpRecord, type RowRecord } from './journal';
import type { Delimiter } from './parse';
import { buildReportCsv, reportRowOf, rowRecordOf, rowStatus, type ReportRow } from './report';
import { SHARED_BALANCE } from './plan-storage';
import type { Language } from '../../../common/i18n/languages';
import { wordsIn } from '../words';
import { derivedFileName, EXCEL_BOM } from '../csv';

export const INTERRUPTED_MESSAGE = inEnglish(msg('error.app.batchInterrupted'));
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
  /** For the time estimates (the limits every request is paced at). */
  limiter?: Pick<RateLimiter, 'stats'>;
  log?: Logger;
  engine?: Partial<RunnerOptions>;
  /** The app's one MembershipClaims, shared with the desk's writes (jobs/claims.ts). */
  claims?: MembershipClaims;
  /** How long memberships read for one check may serve the next (check.ts's READ_CACHE_MS by default). */
  readCacheMs?: number;
  /** More reads than this before planning: ask first (check.ts's ASK_ABOVE_REQUESTS by default). */
  askAboveRequests?: number;
  /** The chain's index of membership numbers, once read (check.ts). */
  numberIndex?: CheckerDeps['numberIndex'];
}

/** Exactly one of checkId (a check not applied yet) and batchId (the contract checks it). */
type RowsArgs = { checkId?: string | undefined; batchId?: string | undefined; offset: number; limit: number; onlyProblems?: boolean | undefined };

export interface BatchService {
  open(args: { fileName: string; bytes: Uint8Array }): Promise<{ fileId: string; fileName: string; size: number }>;
  check(args: CheckArgs): Promise<BatchCheck>;
  stopCheck(): Promise<{ stopped: boolean }>;
  /** `delimiter`: the one Excel expects in the interface language (default: the file's own). */
  fixMe(args: { fileId: string; delimiter?: Delimiter | undefined; language?: Language | undefined }): Promise<{ fileName: string; csv: string }>;
  rows(args: RowsArgs): Promise<{ rows: BatchPlanRow[]; total: number }>;
  apply(args: { checkId: string }): Promise<BatchSummary>;
  /** Creates a job from rows and operations planned elsewhere (a bulk action) and starts it. */
  launch(job: Omit<NewJob, 'id' | 'kind' | 'createdAt' | 'profileId' | 'userId' | 'userName' | 'state' | 'undoOf'>, rows: Iterable<RowRecord>, ops: Iterable<NewOp>): BatchSummary;
  pause(args: { batchId: string }): Promise<BatchSummary>;
  resume(args: { batchId: string }): Promise<BatchSummary>;
  cancel(args: { batchId: string }): Promise<BatchSummary>;
  list(): Promise<{ batches: BatchSummary[] }>;
  /** `delimiter`: the one Excel expects in the interface language (default: the batch file's). */
  /** `language`: of the column names, outcomes and problems (English when absent). */
  report(args: { batchId: string; delimiter?: Delimiter | undefined; language?: Language | undefined }): Promise<{ fileName: string; csv: string }>;
  /** `language`: the undo's reasons ("Undo of batch …: <reason>") are worded in it (English when absent). */
  undo(args: { batchId: string; language?: Language | undefined }): Promise<BatchSummary>;
  /** Pauses whatever runs (op boundary) and waits for it. */
  close(): Promise<void>;
  readonly journal: Journal;
}

const NOT_FOUND = () => new DeskFailure('not_found', msg('error.app.batchGone'));
const OTHER_RUNNING = () => new DeskFailure('conflict', msg('batch.otherRunning'));

export function createBatchService(deps: BatchServiceDeps): BatchService {
  const { store, session } = deps;
  const log = deps.log ?? silentLogger;
  const journal = createJournal(store.db);
  const checker = createChecker({
    store,
    api: deps.api,
    session,
    events: deps.events,
    ...(deps.limiter && { limiter: deps.limiter }),
    ...(deps.readCacheMs !== undefined && { readCacheMs: deps.readCacheMs }),
    ...(deps.askAboveRequests !== undefined && { askAboveRequests: deps.askAboveRequests }),
    ...(deps.numberIndex && { numberIndex: deps.numberIndex }),
  });
  const runners = new Map<string, Runner>();

  const interrupted = journal.interruptActive(INTERRUPTED_MESSAGE);
  if (interrupted.length > 0) log.info('batch: interrupted jobs can be resumed', { count: interrupted.length });

  /**
   * How a runner stopped when the journal could not record it (a full disk refuses even that
   * small write): the job is shown, and resumed, as paused with that message.
   */
  const unrecorded = new Map<string, { state: BatchState; message: string | null }>();
  const current = (job: JobRecord | null): JobRecord | null => {
    if (!job || runners.has(job.id)) return job;
    const stopped = unrecorded.get(job.id);
    // Even 'planned' stays in the journal when the disk refused the very first write of a run.
    if (stopped && stopped.state !== job.state) {
      const why = stopped.message === null ? null : fromStored(stopped.message);
      return { ...job, state: stopped.state, message: why?.text ?? null, msg: why?.msg ?? null };
    }
    if (!isActive(job.state)) return job;
    return { ...job, state: 'paused', message: INTERRUPTED_MESSAGE, msg: msg('error.app.batchInterrupted') as MsgData };
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
      title: bulkJobTitle(job.fileName),
      message: job.message,
      msg: job.msg ?? null,
    };
  };
  const summaryOf = (id: string) => summary(jobOrThrow(id));

  const runningOther = (id: string): Runner | undefined => [...runners.values()].find((r) => r.jobId !== id);

  const checkSameUser = (job: JobRecord) => {
    const user = session.currentUser();
    if (user.profileId !== job.profileId) {
      throw new DeskFailure('forbidden', msg('error.app.batchOtherUser', { user: job.userName }));
    }
  };

  const start = (job: JobRecord, mode: 'apply' | 'cancel'): Runner => {
    const other = runningOther(job.id);
    if (other) throw OTHER_RUNNING();
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
            throw new DeskFailure('auth_expired', msg('error.app.batchWaitsFor', { user: job.userName }));
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
        lane: 'batch',
        ...(deps.claims && { claims: deps.claims }),
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

  // --- apply / pause / resume / cancel ---------------------------------------------------------------

  /**
   * Creates a job (its rows and operations, generated as the journal writes them) and starts it:
   * a checked file (apply) and a previewed bulk action (bulk/service.ts) alike.
   */
  function launch(job: Omit<NewJob, 'id' | 'kind' | 'createdAt' | 'profileId' | 'userId' | 'userName' | 'state' | 'undoOf'>, rows: Iterable<RowRecord>, ops: Iterable<NewOp>): BatchSummary {
    if (runners.size > 0) throw OTHER_RUNNING();
    const user = session.currentUser();
    const batchId = randomUUID();
    journal.createJob(
      { ...job, id: batchId, kind: 'apply', createdAt: new Date().toISOString(), profileId: user.profileId, userId: user.userId, userName: user.name, state: 'planned', undoOf: null },
      rows,
      ops,
    );
    start(jobOrThrow(batchId), 'apply');
    return summaryOf(batchId);
  }

  /** Makes the check a batch job and starts it. */
  async function apply({ checkId }: { checkId: string }): Promise<BatchSummary> {
    const check = checker.planned(checkId);
    const { plan } = check;
    if (plan.totals.toChange === 0) throw new DeskFailure('validation', msg('batch.nothing'));
    const ops: Iterable<NewOp> = plan.operations.mapLazily((op, seq) => ({
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
    }));
    const summary = launch(
      {
        opKind: plan.kind,
        fileName: check.fileName,
        chainId: check.chainId,
        locationId: check.locationId,
        delimiter: check.delimiter,
        totals: { ...plan.totals },
      },
      plan.rows.mapLazily(rowRecordOf),
      ops,
    );
    checker.forget(checkId);
    return summary;
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
    // 'planned': created by apply, not started yet (the app stopped in between).
    if (job.state !== 'paused' && job.state !== 'planned') {
      throw new DeskFailure('validation', isFinished(job.state) ? msg('error.app.batchFinished') : msg('error.app.batchNotResumable'));
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
    if (isFinished(job.state)) return summary(job);
    if (job.state === 'draft') {
      journal.setState(batchId, 'cancelled');
      return summaryOf(batchId);
    }
    const r = start(job, 'cancel');
    await waitStopped(r);
    return summaryOf(batchId);
  }

  // --- list / rows / report ---------------------------------------------------------------------------

  async function rows(args: RowsArgs) {
    const { checkId, batchId, offset, limit, onlyProblems } = args;
    if (checkId !== undefined) return checker.rows({ checkId, offset, limit, onlyProblems });
    if (batchId === undefined) throw new Error('batch.rows: give a checkId or a batchId');
    // Rows show their operations' states once the job has started.
    const started = wasStarted(jobOrThrow(batchId));
    const only = onlyProblems === true;
    const list = journal.rows(batchId, offset, limit, only).map(
      (r): BatchPlanRow => ({
        line: r.line,
        membership: r.membership,
        client: r.clientName ?? null,
        membershipId: r.membershipId ?? null,
        service: r.service,
        sharedBalance: r.service === SHARED_BALANCE,
        before: r.before,
        after: r.after,
        reason: r.reason,
        status: rowStatus(r, started),
        message: r.message ?? r.opMessage,
        ...(r.msgs && { msgs: r.msgs }),
        msg: (r.message !== null ? r.msg : r.opMsg) ?? null,
      }),
    );
    return { rows: list, total: journal.rowCount(batchId, only) };
  }

  async function report({ batchId, delimiter: chosen, language }: { batchId: string; delimiter?: Delimiter | undefined; language?: Language | undefined }) {
    const job = jobOrThrow(batchId);
    const started = wasStarted(job);
    function* reportRows(): Generator<ReportRow> {
      for (const r of journal.iterateRows(batchId)) yield reportRowOf(r, started);
    }
    const delimiter = chosen ?? ((job.delimiter === ';' || job.delimiter === '\t' ? job.delimiter : ',') as Delimiter);
    // The renderer saves the string as is.
    return { fileName: derivedFileName(job.fileName, job.kind === 'undo' ? '-undo-report' : '-report'), csv: EXCEL_BOM + buildReportCsv(reportRows(), { delimiter, words: wordsIn(language) }) };
  }

  // --- undo -------------------------------------------------------------------------------------------

  async function undo({ batchId, language }: { batchId: string; language?: Language | undefined }): Promise<BatchSummary> {
    const original = jobOrThrow(batchId);
    if (original.kind !== 'apply') throw new DeskFailure('validation', msg('error.app.batchUndoUndo'));
    if (original.undoneBy !== null) throw new DeskFailure('conflict', msg('error.app.batchAlreadyUndone'));
    if (runners.has(batchId) || !isFinished(original.state)) {
      throw new DeskFailure('validation', msg('error.app.batchUndoUnfinished'));
    }
    // Checked before anything is written: a refused start must not leave the batch marked undone.
    if (runningOther(batchId)) throw OTHER_RUNNING();
    const user = session.currentUser();
    const applied: OpRecord[] = journal.ops(batchId, ['applied']);
    if (applied.length === 0) throw new DeskFailure('validation', msg('error.app.batchUndoNothing'));
    const bySeq = new Map(applied.map((op, i) => [op.seq, i]));
    const rowsOut: RowRecord[] = [];
    let i = 0;
    for (const r of journal.iterateRows(batchId)) {
      if (r.opSeq === null || !bySeq.has(r.opSeq)) continue;
      rowsOut.push({ ...r, idx: i++, outcome: 'change', before: r.after, after: r.before, message: null, opSeq: bySeq.get(r.opSeq) ?? null });
    }
    const { opKind: undoKind, ops: opsOut } = inverseOps(original.opKind, applied, (reason) => wordsIn(language).say(msg('batch.undoReason', { file: bulkJobTitle(original.fileName) ?? original.fileName, reason })));
    const id = randomUUID();
    store.transaction(() => {
      journal.createJob(
        {
          id,
          kind: 'undo',
          opKind: undoKind,
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
    open: async (args) => checker.open(args),
    check: (args) => checker.check(args),
    stopCheck: async () => checker.stopCheck(),
    fixMe: async (args) => checker.fixMe(args),
    rows,
    apply,
    launch,
    pause,
    resume,
    cancel,
    list: async () => ({ batches: journal.listStarted().map((job) => summary(current(job) ?? job)) }),
    report,
    undo,
    async close() {
      const all = [...runners.values()];
      for (const r of all) r.pause();
      await Promise.all(all.map((r) => r.finished));
    },
  };
}
