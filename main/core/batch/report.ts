/**
 * Result report: CSV per RFC 4180 (CRLF, quotes doubled, fields quoted when needed), safe to open
 * in Excel (a cell starting with = + - @ tab or CR, or their full-width forms, is prefixed with ' so
 * it is shown as text and never evaluated as a formula), UTF-8 with BOM so Excel detects the
 * encoding. Pure, no I/O.
 */
import type { BatchPlanRow } from '../../../preload/contract';
import type { RowRecord, RowWithOp } from './journal';
import type { PlannedRow } from './plan';
import { csvText, type CsvDelimiter } from '../csv';

export interface ReportRow {
  /** 1-based data row number. */
  row: number;
  /** Physical line in the source file. */
  line: number;
  membership: string;
  service: string;
  before: number | string | null;
  after: number | string | null;
  /** e.g. change / unchanged / invalid (plan) or changed / conflict / failed / skipped (apply). */
  outcome: string;
  message: string;
  /** The client the app has seen the membership with; absent or null: not known. */
  client?: string | null;
}

export const REPORT_COLUMNS = ['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message', 'client'] as const;

const cellText = (v: number | string | null): string => (v === null ? '' : typeof v === 'number' ? String(v) : v);

export interface ReportOptions {
  /** Default ','. Use the source file's delimiter so Excel in the same locale splits the columns. */
  delimiter?: CsvDelimiter;
}

/** The report as text (no BOM). */
export function buildReportCsv(rows: Iterable<ReportRow>, options: ReportOptions = {}): string {
  function* cells() {
    for (const r of rows) yield [String(r.row), String(r.line), r.membership, r.service, cellText(r.before), cellText(r.after), r.outcome, r.message, r.client ?? ''];
  }
  return csvText(REPORT_COLUMNS, cells(), options.delimiter ?? ',');
}

/** A plan row as the journal keeps it. */
export function rowRecordOf(p: PlannedRow): RowRecord {
  return {
    idx: p.index,
    line: p.line,
    outcome: p.outcome,
    membership: p.membershipLabel,
    service: p.serviceLabel,
    before: p.before,
    after: p.after,
    reason: p.reason,
    message: p.problems.length > 0 ? p.problems.map((x) => x.message).join(' ') : null,
    opSeq: p.operation >= 0 ? p.operation : null,
  };
}

/** A row's status: its plan outcome, or once the batch has started, its operation's state. */
export function rowStatus(r: RowWithOp, started: boolean): BatchPlanRow['status'] {
  if (r.outcome !== 'change') return r.outcome;
  if (!started || r.opState === null) return 'change';
  return r.opState === 'intent' ? 'pending' : r.opState;
}

/** The report row of a journal row (the one mapping behind every report). */
export function reportRowOf(r: RowWithOp, started: boolean): ReportRow {
  return {
    row: r.idx + 1,
    line: r.line,
    membership: r.membership,
    service: r.service,
    before: r.before,
    after: r.after,
    outcome: rowStatus(r, started),
    message: r.message ?? r.opMessage ?? (r.outcome === 'unchanged' ? 'Already at this value.' : r.reason),
    client: r.clientName ?? null,
  };
}
