/**
 * Result report: CSV per RFC 4180 (CRLF, quotes doubled, fields quoted when needed), safe to open
 * in Excel (a cell starting with = + - @ tab or CR, or their full-width forms, is prefixed with ' so
 * it is shown as text and never evaluated as a formula), UTF-8 with BOM so Excel detects the
 * encoding. Column names, outcomes and problems in the language asked for (../words.ts). Pure, no I/O.
 */
import type { BatchPlanRow, MsgData } from '../../../preload/contract';
import { msg, type Msg } from '../../../common/i18n/translate';
import { inEnglish } from '../../../common/i18n/words';
import { BATCH_ROW_STATUS_KEYS } from '../../../common/statuses';
import type { RowRecord, RowWithOp } from './journal';
import type { PlannedRow } from './plan';
import { SHARED_BALANCE } from './plan-storage';
import { csvText, type CsvDelimiter } from '../csv';
import { wordsIn, type Words } from '../words';

export interface ReportRow {
  /** 1-based data row number. */
  row: number;
  /** Physical line in the source file. */
  line: number;
  membership: string;
  service: string;
  before: number | string | null;
  after: number | string | null;
  /** A row status (change / unchanged / invalid, or once applied applied / conflict / failed / skipped): worded in the report's language. */
  outcome: string;
  /** Free text (a failed write's words, the row's reason), or the English of `msgs`. */
  message: string;
  /** The message by reference, worded in the report's language instead of `message`. */
  msgs?: readonly (Msg | MsgData)[] | null;
  /** The client the app has seen the membership with; absent or null: not known. */
  client?: string | null;
}

const COLUMN_KEYS = ['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client'] as const;
const columnKey = (c: (typeof COLUMN_KEYS)[number]) => `batch.report.column.${c}` as const;


const cellText = (v: number | string | null): string => (v === null ? '' : typeof v === 'number' ? String(v) : v);

/** A journal row's service label in words: the shared balance is named in the language. */
export function serviceWords(service: string, words: Words): string {
  return service === SHARED_BALANCE ? words.t('audit.field.united') : service;
}

export interface ReportOptions {
  /** Default ','. Use the source file's delimiter so Excel in the same locale splits the columns. */
  delimiter?: CsvDelimiter;
  /** The language of the column names, outcomes and messages. Default English. */
  words?: Words;
}

/** The report as text (no BOM). */
export function buildReportCsv(rows: Iterable<ReportRow>, options: ReportOptions = {}): string {
  const words = options.words ?? wordsIn('en');
  const t = words.t as (key: string) => string;
  function* cells() {
    for (const r of rows) {
      const outcome = Object.hasOwn(BATCH_ROW_STATUS_KEYS, r.outcome) ? t(BATCH_ROW_STATUS_KEYS[r.outcome as BatchPlanRow['status']]) : r.outcome;
      const message = r.msgs && r.msgs.length > 0 ? r.msgs.map((m) => words.say(m)).join(' ') : r.message;
      yield [String(r.row), String(r.line), r.membership, serviceWords(r.service, words), cellText(r.before), cellText(r.after), outcome, message, r.client ?? ''];
    }
  }
  return csvText(
    COLUMN_KEYS.map((c) => words.t(columnKey(c))),
    cells(),
    options.delimiter ?? ',',
  );
}

/** A plan row as the journal keeps it. */
export function rowRecordOf(p: PlannedRow): RowRecord {
  const msgs = p.problems.length > 0 ? p.problems.map((x) => x.msg as MsgData) : null;
  return {
    idx: p.index,
    line: p.line,
    outcome: p.outcome,
    membership: p.membershipLabel,
    service: p.serviceLabel,
    before: p.before,
    after: p.after,
    reason: p.reason,
    message: msgs === null ? null : msgs.map((m) => inEnglish(m)).join(' '),
    msgs,
    opSeq: p.operation >= 0 ? p.operation : null,
  };
}

/** A row's status: its plan outcome, or once the batch has started, its operation's state. */
export function rowStatus(r: RowWithOp, started: boolean): BatchPlanRow['status'] {
  if (r.outcome !== 'change') return r.outcome;
  if (!started || r.opState === null) return 'change';
  return r.opState === 'intent' ? 'pending' : r.opState;
}

const ALREADY = msg('batch.report.unchanged');

/** The report row of a journal row (the one mapping behind every report). */
export function reportRowOf(r: RowWithOp, started: boolean): ReportRow {
  const already = r.message === null && r.opMessage === null && r.outcome === 'unchanged';
  // A write's outcome (a conflict, a refusal) by reference when the app's own words; Altegio's stay as said.
  const opMsg = r.message === null && r.opMessage !== null ? (r.opMsg ?? null) : null;
  return {
    row: r.idx + 1,
    line: r.line,
    membership: r.membership,
    service: r.service,
    before: r.before,
    after: r.after,
    outcome: rowStatus(r, started),
    message: r.message ?? r.opMessage ?? (already ? inEnglish(ALREADY) : r.reason),
    msgs: r.msgs ?? (opMsg ? [opMsg] : already ? [ALREADY] : null),
    client: r.clientName ?? null,
  };
}
