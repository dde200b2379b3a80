/**
 * Views for the tests of the batch pipeline, built on the production functions (readTableInto,
 * createValidator, the report's row mapping): a whole table in memory, the valid rows as objects,
 * a plan's report rows. The app itself never needs them (it streams rows into columns).
 */
import type { ColumnMapping } from '../../main/core/batch/mapping';
import { readTableInto, type ParseOptions, type TableShape } from '../../main/core/batch/parse';
import type { PlannedRow } from '../../main/core/batch/plan';
import { reportRowOf, rowRecordOf, type ReportRow } from '../../main/core/batch/report';
import { createValidator, deltaOp, OpKind, RowKind, setOp, type BalanceOp, type ServiceRef, type ValidatedRows, type ValidateOptions } from '../../main/core/batch/validate';

export interface ParsedTable extends TableShape {
  /** Data records, empty ones removed. A record may be shorter or longer than columnCount. */
  rows: string[][];
  /** Physical 1-based line on which each data record starts (same index as rows). */
  lines: number[];
}

/** Reads the whole table into memory. */
export function parseTable(text: string, options: ParseOptions = {}): ParsedTable {
  const rows: string[][] = [];
  const lines: number[] = [];
  const shape = readTableInto(text, options, {
    header() {},
    restart() {
      rows.length = 0;
      lines.length = 0;
    },
    record(cells, line) {
      rows.push(cells);
      lines.push(line);
    },
  });
  return { ...shape, rows, lines };
}

/** Validates the rows of a table read whole. */
export function validateRows(table: { rows: readonly string[][]; lines: ArrayLike<number>; header: readonly string[] }, mapping: ColumnMapping, options: ValidateOptions = {}): ValidatedRows {
  const validator = createValidator(table.header, mapping, options);
  table.rows.forEach((row, i) => validator.row(row, table.lines[i] as number));
  return validator.rows;
}

export type MembershipRef = { id: number } | { number: string; phone: string };

/** A valid row as an object. */
export interface Correction {
  index: number;
  line: number;
  membershipRef: MembershipRef;
  service: ServiceRef;
  serviceTitle: string | null;
  op: BalanceOp;
  reason: string;
}

/** The valid rows as objects, in file order. */
export function correctionsOf(v: ValidatedRows): Correction[] {
  const out: Correction[] = [];
  for (let index = 0; index < v.total; index++) {
    const kind = v.kinds[index];
    if (kind === RowKind.Invalid) continue;
    const ref = v.refs[index] as number;
    const si = v.serviceIdx[index] as number;
    const value = v.opValues[index] as number;
    out.push({
      index,
      line: v.lines[index] as number,
      membershipRef: kind === RowKind.ById ? { id: ref } : { number: v.refNumbers[ref] as string, phone: v.refPhones[ref] as string },
      service: si < 0 ? null : (v.services[si] as Exclude<ServiceRef, null>),
      serviceTitle: v.serviceTitles.get(index) ?? null,
      op: v.opKinds[index] === OpKind.Set ? setOp(value) : deltaOp(value),
      reason: v.reasons[index] as string,
    });
  }
  return out;
}

/** What the report of a batch made from this plan would say, row by row. */
export function reportRowsFromPlan(plan: { rows: Iterable<PlannedRow> }): ReportRow[] {
  const out: ReportRow[] = [];
  for (const p of plan.rows) out.push(reportRowOf({ ...rowRecordOf(p), opState: null, opMessage: null }, false));
  return out;
}
