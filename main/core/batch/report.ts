/**
 * Result report: CSV per RFC 4180 (CRLF, quotes doubled, fields quoted when needed), safe to open
 * in Excel (a cell starting with = + - @ tab or CR, or their full-width forms, is prefixed with ' so
 * it is shown as text and never evaluated as a formula), UTF-8 with BOM so Excel detects the
 * encoding. Pure, no I/O.
 */
import type { PlannedRow } from './plan';
import { csvField, type CsvDelimiter } from '../csv';

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
}

export const REPORT_COLUMNS = ['row', 'line', 'membership', 'service', 'before', 'after', 'outcome', 'message'] as const;

const cellText = (v: number | string | null): string => (v === null ? '' : typeof v === 'number' ? String(v) : v);

export interface ReportOptions {
  /** Default ','. Use the source file's delimiter so Excel in the same locale splits the columns. */
  delimiter?: CsvDelimiter;
}

/** The report as text (no BOM). */
export function buildReportCsv(rows: Iterable<ReportRow>, options: ReportOptions = {}): string {
  const d = options.delimiter ?? ',';
  const out: string[] = [REPORT_COLUMNS.map((c) => csvField(c, d)).join(d)];
  for (const r of rows) {
    out.push(
      [String(r.row), String(r.line), r.membership, r.service, cellText(r.before), cellText(r.after), r.outcome, r.message]
        .map((c) => csvField(c, d))
        .join(d),
    );
  }
  return `${out.join('\r\n')}\r\n`;
}

/** UTF-8 bytes with a BOM (what Excel needs to read non-ASCII text correctly). */
export function encodeReport(csv: string): Uint8Array {
  const body = new TextEncoder().encode(csv);
  const bytes = new Uint8Array(body.length + 3);
  bytes.set([0xef, 0xbb, 0xbf], 0);
  bytes.set(body, 3);
  return bytes;
}

/** Report rows for a plan (before applying: outcome change / unchanged / invalid). */
export function reportRowsFromPlan(plan: { rows: Iterable<PlannedRow> }): ReportRow[] {
  const out: ReportRow[] = [];
  for (const p of plan.rows) out.push(planRowToReport(p));
  return out;
}

export function planRowToReport(p: PlannedRow): ReportRow {
  return {
    row: p.index + 1,
    line: p.line,
    membership: p.membershipLabel,
    service: p.serviceLabel,
    before: p.before,
    after: p.after,
    outcome: p.outcome,
    message: p.problems.map((x) => x.message).join(' ') || p.reason,
  };
}
