/**
 * The batch journal: jobs, their plan rows and their operations in the local SQLite database
 * (WAL, synchronous FULL), so the preview pages through the rows and an apply resumes after a crash
 * exactly where it stopped.
 *
 * Tables (store/migrations.ts, migrations 2, 4 and 8):
 * - batch_jobs: one per prepared file (kind 'apply') or per undo of a batch (kind 'undo'); state is
 *   the contract's BatchState.
 * - batch_rows: every data row of the file (invalid rows too) with the plan's before/after and the
 *   sequence number of the operation that carries it out (NULL = nothing to send); its problems in
 *   English (`message`, logs) and by reference (`msgs`, JSON: the reports word them in any language).
 * - batch_ops: one operation per membership. `expect_json` = the values the membership must have for
 *   the write to go out (the planned "before"), `target_json` = the values it has once applied,
 *   `body_json` = the request. State machine: pending → intent → applied | conflict | failed | skipped
 *   ('intent' is committed before the request goes out; see engine.ts for the recovery rules).
 *
 * Row counts (`row_count`) let progress and summaries count rows, as the UI does, not memberships.
 */
import type Database from 'libsql';
import { z } from 'zod';
import { BatchState, MsgData } from '../../../preload/contract';
import { fromStored } from '../../../common/i18n/stored';
import { allRows, cleanRow, getRow, nowIso, numOrNull, seenClientNameSql, strOrNull, type Row } from '../store/rows';

export type JobScope = 'batch' | 'desk';
export const OP_STATES = ['pending', 'intent', 'applied', 'conflict', 'failed', 'skipped'] as const;
export type OpState = (typeof OP_STATES)[number];

const Count = z.number().int().nonnegative();
const JobTotals = z.object({ rows: Count, toChange: Count, unchanged: Count, invalid: Count, memberships: Count });
export type JobTotals = z.infer<typeof JobTotals>;
const RowLines = z.array(z.number().int());
const JobKindCode = z.enum(['apply', 'undo']);
export type JobKind = z.infer<typeof JobKindCode>;
const OpStateCode = z.enum(OP_STATES);
const RowOutcome = z.enum(['change', 'unchanged', 'invalid']);

/** A column, decoded by its schema (never cast): a value that does not fit is an error. */
function decodeColumn<T>(schema: z.ZodType<T>, value: unknown, column: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`The batch journal's ${column} could not be read (${r.error.issues[0]?.message ?? 'invalid'}).`);
  return r.data;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  scope: JobScope;
  opKind: string;
  fileName: string;
  createdAt: string;
  updatedAt: string;
  profileId: string;
  userId: number;
  userName: string;
  chainId: number;
  locationId: number | null;
  state: BatchState;
  /** Why it is paused or waiting, in English (stored by reference: `msg`, common/i18n/stored.ts). */
  message: string | null;
  msg?: MsgData | null;
  delimiter: string;
  totals: JobTotals;
  undoOf: string | null;
  undoneBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RowRecord {
  idx: number;
  line: number;
  outcome: 'change' | 'unchanged' | 'invalid';
  membership: string;
  service: string;
  before: number | null;
  after: number | null;
  reason: string;
  /** The row's problems in English (logs, and reports of rows journaled before `msgs`). */
  message: string | null;
  /** The row's problems by reference (null: none, or journaled before migration 8). */
  msgs: MsgData[] | null;
  opSeq: number | null;
}

/** A row joined with the state of its operation (null when it has none). */
export interface RowWithOp extends RowRecord {
  opState: OpState | null;
  opMessage: string | null;
  /** The client the app has seen the row's membership with (now, not when the row was written); null: not known. */
  clientName?: string | null;
  /** The membership's id when the row has an operation. */
  membershipId?: number | null;
  /** `message` and `opMessage` by reference, when they were stored so (the renderer words them). */
  msg?: MsgData | null;
  opMsg?: MsgData | null;
}

export interface OpRecord<V = unknown> {
  seq: number;
  kind: string;
  membershipId: number;
  membershipNumber: string;
  chainId: number;
  body: V;
  expect: V;
  target: V;
  rowLines: number[];
  rowCount: number;
  reason: string;
  state: OpState;
  message: string | null;
  attempts: number;
  auditId: number | null;
  sourceAuditId: number | null;
}

export type NewJob = Omit<JobRecord, 'updatedAt' | 'startedAt' | 'finishedAt' | 'undoneBy' | 'message' | 'msg' | 'scope'> & { message?: string | null; scope?: JobScope };
export type NewOp<V = unknown> = Omit<OpRecord<V>, 'state' | 'message' | 'attempts' | 'auditId'>;

export type StateCounts = Record<OpState, { ops: number; rows: number }>;

export interface OutcomeUpdate {
  seq: number;
  state: OpState;
  message: string | null;
  auditId?: number | null;
}

export interface Journal {
  createJob(job: NewJob, rows: Iterable<RowRecord>, ops: Iterable<NewOp>): void;
  job(id: string): JobRecord | null;
  /** Newest first; only jobs that were started (draft/planned preparations are not history). */
  listStarted(limit?: number): JobRecord[];
  /** Desk jobs (one-op) whose op is still open: a write the app stopped during (resolved at start-up). */
  openDeskJobs(): JobRecord[];
  setState(id: string, state: BatchState, message?: string | null): void;
  markStarted(id: string): void;
  setUndoneBy(id: string, undoneBy: string): void;
  /** Active jobs → paused "interrupted" (start-up). Returns their ids. */
  interruptActive(message: string): string[];
  rowCount(id: string, onlyProblems: boolean): number;
  rows(id: string, offset: number, limit: number, onlyProblems: boolean): RowWithOp[];
  /** Every row of the job with its operation's state, in file order (streamed). */
  iterateRows(id: string): IterableIterator<RowWithOp>;
  /** Open (pending or intent) operations with seq > afterSeq, in seq order. */
  openOps(id: string, afterSeq: number, limit: number): OpRecord[];
  ops(id: string, states?: readonly OpState[]): OpRecord[];
  op(id: string, seq: number): OpRecord | null;
  /**
   * The operation an audit entry records (the entry its intent or outcome wrote), or null (an entry
   * older than the journal). Matched on audit_id alone: the caller checks it is that entry's.
   */
  opOfAudit(auditId: number): OpRecord | null;
  markIntent(id: string, seq: number, auditId: number | null): void;
  setOutcome(id: string, u: OutcomeUpdate): void;
  bumpAttempts(id: string, seq: number): number;
  /** pending → skipped for the whole job; returns rows skipped. */
  skipPending(id: string): number;
  counts(id: string): StateCounts;
}


function toJob(r: Row): JobRecord {
  return {
    id: String(r['id']),
    kind: decodeColumn(JobKindCode, r['kind'], 'job kind'),
    scope: r['scope'] === 'desk' ? 'desk' : 'batch',
    opKind: String(r['op_kind']),
    fileName: String(r['file_name']),
    createdAt: String(r['created_at']),
    updatedAt: String(r['updated_at']),
    profileId: String(r['profile_id']),
    userId: Number(r['user_id']),
    userName: String(r['user_name']),
    chainId: Number(r['chain_id']),
    locationId: numOrNull(r['location_id']),
    state: decodeColumn(BatchState, r['state'], 'job state'),
    ...stored(r['message'], 'message', 'msg'),
    delimiter: String(r['delimiter']),
    totals: decodeColumn(JobTotals, JSON.parse(String(r['totals_json'])), 'totals'),
    undoOf: strOrNull(r['undo_of']),
    undoneBy: strOrNull(r['undone_by']),
    startedAt: strOrNull(r['started_at']),
    finishedAt: strOrNull(r['finished_at']),
  };
}

/** A row's `msgs` column: the messages it holds, null when none (or not readable). */
function msgsOf(value: unknown): MsgData[] | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed = MsgData.array().safeParse(JSON.parse(value));
    return parsed.success && parsed.data.length > 0 ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A stored message column: its English, and the message by reference when kept so. */
function stored<T extends string, M extends string>(value: unknown, text: T, ref: M): Record<T, string | null> & Record<M, MsgData | null> {
  const raw = strOrNull(value);
  const s = raw === null ? null : fromStored(raw);
  return { [text]: s?.text ?? null, [ref]: s?.msg ?? null } as Record<T, string | null> & Record<M, MsgData | null>;
}

function toRow(r: Row): RowWithOp {
  return {
    idx: Number(r['idx']),
    line: Number(r['line']),
    outcome: decodeColumn(RowOutcome, r['outcome'], 'row outcome'),
    membership: String(r['membership']),
    service: String(r['service']),
    before: numOrNull(r['before']),
    after: numOrNull(r['after']),
    reason: String(r['reason']),
    ...stored(r['message'], 'message', 'msg'),
    msgs: msgsOf(r['msgs']),
    opSeq: numOrNull(r['op_seq']),
    opState: r['op_state'] === null || r['op_state'] === undefined ? null : decodeColumn(OpStateCode, r['op_state'], 'operation state'),
    ...stored(r['op_message'], 'opMessage', 'opMsg'),
    clientName: strOrNull(r['client_name']),
    membershipId: numOrNull(r['op_membership_id']),
  };
}

/**
 * A payload column's JSON; undefined when the stored text is no JSON (a damaged row), so that the
 * op kind's codec refuses it as it refuses any payload that does not fit (decodePayload), instead of
 * the whole read failing.
 */
function payloadColumn(value: unknown): unknown {
  try {
    return JSON.parse(String(value));
  } catch {
    return undefined;
  }
}

function toOp(r: Row): OpRecord {
  return {
    seq: Number(r['seq']),
    kind: String(r['kind']),
    membershipId: Number(r['membership_id']),
    membershipNumber: String(r['membership_number']),
    chainId: Number(r['chain_id']),
    // The payload columns are decoded by the op kind's codec (ops/index.ts decodePayload).
    body: payloadColumn(r['body_json']),
    expect: payloadColumn(r['expect_json']),
    target: payloadColumn(r['target_json']),
    rowLines: decodeColumn(RowLines, JSON.parse(String(r['row_lines_json'])), 'row lines'),
    rowCount: Number(r['row_count']),
    reason: String(r['reason']),
    state: decodeColumn(OpStateCode, r['state'], 'operation state'),
    message: stored(r['message'], 'message', 'msg').message,
    attempts: Number(r['attempts']),
    auditId: numOrNull(r['audit_id']),
    sourceAuditId: numOrNull(r['source_audit_id']),
  };
}

const ROW_SELECT = `SELECT r.idx, r.line, r.outcome, r.membership, r.service, r.before, r.after, r.reason, r.message, r.msgs, r.op_seq,
    o.state AS op_state, o.message AS op_message, o.membership_id AS op_membership_id,
    CASE WHEN o.membership_id IS NULL THEN NULL
      ELSE ${seenClientNameSql('o.chain_id', 'o.membership_id', '(SELECT j.profile_id FROM batch_jobs j WHERE j.id = r.batch_id)')} END AS client_name
  FROM batch_rows r LEFT JOIN batch_ops o ON o.batch_id = r.batch_id AND o.seq = r.op_seq`;

/**
 * The journal repository over the store's connection. Every method is one statement or one
 * transaction; callers group several into `store.transaction` where they must commit together.
 */
export function createJournal(db: Database.Database): Journal {
  const insJob = db.prepare(
    `INSERT INTO batch_jobs (id, kind, op_kind, file_name, created_at, updated_at, profile_id, user_id, user_name, chain_id, location_id,
       state, message, delimiter, totals_json, undo_of, scope)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insRow = db.prepare(
    `INSERT INTO batch_rows (batch_id, idx, line, outcome, membership, service, before, after, reason, message, msgs, op_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insOp = db.prepare(
    `INSERT INTO batch_ops (batch_id, seq, kind, membership_id, membership_number, chain_id, body_json, expect_json, target_json,
       row_lines_json, row_count, reason, source_audit_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getJob = db.prepare('SELECT * FROM batch_jobs WHERE id = ?');
  const setState = db.prepare('UPDATE batch_jobs SET state = ?, message = ?, updated_at = ?, finished_at = CASE WHEN ? IN (\'done\', \'cancelled\') THEN ? ELSE finished_at END WHERE id = ?');
  const markStarted = db.prepare('UPDATE batch_jobs SET started_at = COALESCE(started_at, ?), updated_at = ? WHERE id = ?');
  const setUndoneBy = db.prepare('UPDATE batch_jobs SET undone_by = ?, updated_at = ? WHERE id = ?');
  const activeIds = db.prepare(`SELECT id FROM batch_jobs WHERE state IN ('running', 'offline', 'waiting_auth')`);
  const interrupt = db.prepare(`UPDATE batch_jobs SET state = 'paused', message = ?, updated_at = ? WHERE state IN ('running', 'offline', 'waiting_auth')`);
  const openDesk = db.prepare(
    `SELECT j.* FROM batch_jobs j WHERE j.scope = 'desk' AND EXISTS (SELECT 1 FROM batch_ops o WHERE o.batch_id = j.id AND o.state IN ('pending', 'intent')) ORDER BY j.created_at`,
  );
  const listStarted = db.prepare(`SELECT * FROM batch_jobs WHERE scope = 'batch' AND state NOT IN ('draft', 'planned') ORDER BY created_at DESC, id DESC LIMIT ?`);
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = ?');
  // "Rows with problems": invalid in the file, or sent and failed / left alone as a conflict.
  const PROBLEM = `(r.outcome = 'invalid' OR o.state IN ('failed', 'conflict'))`;
  const countInvalid = db.prepare(
    `SELECT COUNT(*) AS n FROM batch_rows r LEFT JOIN batch_ops o ON o.batch_id = r.batch_id AND o.seq = r.op_seq WHERE r.batch_id = ? AND ${PROBLEM}`,
  );
  const pageAll = db.prepare(`${ROW_SELECT} WHERE r.batch_id = ? ORDER BY r.idx LIMIT ? OFFSET ?`);
  const pageInvalid = db.prepare(`${ROW_SELECT} WHERE r.batch_id = ? AND ${PROBLEM} ORDER BY r.idx LIMIT ? OFFSET ?`);
  const allRowsStmt = db.prepare(`${ROW_SELECT} WHERE r.batch_id = ? ORDER BY r.idx`);
  const openOps = db.prepare(`SELECT * FROM batch_ops WHERE batch_id = ? AND state IN ('pending', 'intent') AND seq > ? ORDER BY seq LIMIT ?`);
  const getOp = db.prepare('SELECT * FROM batch_ops WHERE batch_id = ? AND seq = ?');
  const opOfAudit = db.prepare('SELECT * FROM batch_ops WHERE audit_id = ? LIMIT 1');
  const allOps = db.prepare('SELECT * FROM batch_ops WHERE batch_id = ? ORDER BY seq');
  const markIntent = db.prepare(`UPDATE batch_ops SET state = 'intent', audit_id = COALESCE(?, audit_id), updated_at = ? WHERE batch_id = ? AND seq = ?`);
  const setOutcome = db.prepare('UPDATE batch_ops SET state = ?, message = ?, audit_id = COALESCE(?, audit_id), updated_at = ? WHERE batch_id = ? AND seq = ?');
  const bump = db.prepare('UPDATE batch_ops SET attempts = attempts + 1 WHERE batch_id = ? AND seq = ? RETURNING attempts');
  const skipPending = db.prepare(`UPDATE batch_ops SET state = 'skipped', updated_at = ? WHERE batch_id = ? AND state = 'pending' RETURNING row_count`);
  const counts = db.prepare('SELECT state, COUNT(*) AS ops, COALESCE(SUM(row_count), 0) AS rows FROM batch_ops WHERE batch_id = ? GROUP BY state');

  const tx = <T>(fn: () => T): T => {
    if (db.inTransaction) return fn();
    db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      db.exec('COMMIT');
      return r;
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  };

  const journal: Journal = {
    createJob(job, rows, ops) {
      tx(() => {
        const at = nowIso();
        insJob.run(
          job.id,
          job.kind,
          job.opKind,
          job.fileName,
          job.createdAt,
          at,
          job.profileId,
          job.userId,
          job.userName,
          job.chainId,
          job.locationId,
          job.state,
          job.message ?? null,
          job.delimiter,
          JSON.stringify(job.totals),
          job.undoOf,
          job.scope ?? 'batch',
        );
        for (const r of rows) insRow.run(job.id, r.idx, r.line, r.outcome, r.membership, r.service, r.before, r.after, r.reason, r.message, r.msgs === null || r.msgs.length === 0 ? null : JSON.stringify(r.msgs), r.opSeq);
        for (const o of ops) {
          insOp.run(
            job.id,
            o.seq,
            o.kind,
            o.membershipId,
            o.membershipNumber,
            o.chainId,
            JSON.stringify(o.body),
            JSON.stringify(o.expect),
            JSON.stringify(o.target),
            JSON.stringify(o.rowLines),
            o.rowCount,
            o.reason,
            o.sourceAuditId,
          );
        }
      });
    },
    job: (id) => {
      const r = getRow<Row>(getJob, id);
      return r ? toJob(r) : null;
    },
    listStarted: (limit = 200) => allRows<Row>(listStarted, limit).map(toJob),
    openDeskJobs: () => allRows<Row>(openDesk).map(toJob),
    setState: (id, state, message = null) => {
      const at = nowIso();
      setState.run(state, message, at, state, at, id);
    },
    markStarted: (id) => {
      const at = nowIso();
      markStarted.run(at, at, id);
    },
    setUndoneBy: (id, undoneBy) => void setUndoneBy.run(undoneBy, nowIso(), id),
    interruptActive: (message) =>
      tx(() => {
        const ids = allRows<{ id: string }>(activeIds).map((r) => String(r.id));
        if (ids.length > 0) interrupt.run(message, nowIso());
        return ids;
      }),
    rowCount: (id, onlyProblems) => Number(getRow<{ n: number }>(onlyProblems ? countInvalid : countAll, id)?.n ?? 0),
    rows: (id, offset, limit, onlyProblems) => allRows<Row>(onlyProblems ? pageInvalid : pageAll, id, limit, offset).map(toRow),
    *iterateRows(id) {
      for (const r of allRowsStmt.iterate(id) as IterableIterator<Row>) yield toRow(cleanRow<Row>(r) as Row);
    },
    openOps: (id, afterSeq, limit) => allRows<Row>(openOps, id, afterSeq, limit).map(toOp),
    ops: (id, states) => {
      const list = allRows<Row>(allOps, id).map(toOp);
      return states ? list.filter((o) => states.includes(o.state)) : list;
    },
    op: (id, seq) => {
      const r = getRow<Row>(getOp, id, seq);
      return r ? toOp(r) : null;
    },
    opOfAudit: (auditId) => {
      const r = getRow<Row>(opOfAudit, auditId);
      return r ? toOp(r) : null;
    },
    markIntent: (id, seq, auditId) => void markIntent.run(auditId, nowIso(), id, seq),
    setOutcome: (id, u) => void setOutcome.run(u.state, u.message, u.auditId ?? null, nowIso(), id, u.seq),
    bumpAttempts: (id, seq) => Number(getRow<{ attempts: number }>(bump, id, seq)?.attempts ?? 0),
    skipPending: (id) => allRows<{ row_count: number }>(skipPending, nowIso(), id).reduce((n, r) => n + Number(r.row_count), 0),
    counts: (id) => {
      const out = Object.fromEntries(OP_STATES.map((s) => [s, { ops: 0, rows: 0 }])) as StateCounts;
      for (const r of allRows<{ state: OpState; ops: number; rows: number }>(counts, id)) out[r.state] = { ops: Number(r.ops), rows: Number(r.rows) };
      return out;
    },
  };
  return journal;
}
