/**
 * What both CSV readers (parse-scan.ts, the one-pass reader; parse-papa.ts, papaparse for malformed
 * quotes) do with each record once it is split into cells: blank records skipped, the header and
 * the preview kept, the width found, the row and column limits enforced, the records handed on.
 */
import { msg } from '../../../common/i18n/translate';
import { DeskFailure } from '../errors';
import type { RowProblem } from './problems';

/**
 * Receives a table's records in file order as they are read (blank records skipped). A record's
 * array is the sink's to keep.
 */
export interface RecordSink {
  /** The header record (only when a header is wanted); comes before every data record. */
  header(cells: string[], line: number): void;
  record(cells: string[], line: number): void;
  /** Forget every record so far: the text is read again from its start (see readTable). */
  restart(): void;
}

export interface Limits {
  /** Refuse more data rows than this… */
  rows: number;
  /** …naming this limit in the error. */
  namedRows: number;
  /** Refuse records whose used width (header included) is over this. */
  columns: number;
}

/** Records without blank ones, the header apart, before header names are made. */
export interface Scanned {
  header: string[] | null;
  headerLine: number;
  width: number;
  /** Data records handed to the sink. */
  rowCount: number;
  preview: string[][];
  previewLines: number[];
  problems: RowProblem[];
  /** The text's last record is the last of `rows` (it was neither blank nor the header). */
  lastKept: boolean;
}

export function tooManyRows(maxRows: number): DeskFailure {
  return new DeskFailure('bad_input', msg('batch.file.tooManyRows', { max: maxRows }));
}

export function tooManyColumns(line: number, maxColumns: number): DeskFailure {
  return new DeskFailure('bad_input', msg('batch.file.tooManyColumns', { line, max: maxColumns }));
}

/** Index + 1 of the last non-blank field. */
export function usedWidth(r: readonly string[]): number {
  let j = r.length;
  while (j > 0) {
    const f = r[j - 1] as string;
    if (f.length !== 0 && f.trim().length !== 0) break;
    j--;
  }
  return j;
}

/** The bookkeeping of one read of a table, fed one record at a time. */
export class RecordCollector {
  header: string[] | null = null;
  headerLine = 0;
  width = 0;
  rowCount = 0;
  lastKept = false;
  readonly preview: string[][] = [];
  readonly previewLines: number[] = [];

  constructor(
    private readonly wantHeader: boolean,
    private readonly limits: Limits,
    private readonly previewRows: number,
    private readonly sink: RecordSink,
  ) {}

  /** One record as read, starting on `line`; `used` is the index + 1 of its last non-blank cell. */
  add(row: string[], used: number, line: number): void {
    this.lastKept = false;
    if (used === 0) return; // blank record
    if (used > this.limits.columns) throw tooManyColumns(line, this.limits.columns);
    if (this.preview.length < this.previewRows) {
      this.preview.push(row);
      this.previewLines.push(line);
    }
    if (used > this.width) this.width = used;
    if (this.wantHeader && this.header === null) {
      this.header = row;
      this.headerLine = line;
      this.sink.header(row, line);
      return;
    }
    if (this.rowCount >= this.limits.rows) throw tooManyRows(this.limits.namedRows);
    this.rowCount++;
    this.sink.record(row, line);
    this.lastKept = true;
  }

  result(problems: RowProblem[]): Scanned {
    const { header, headerLine, width, rowCount, preview, previewLines, lastKept } = this;
    return { header, headerLine, width, rowCount, preview, previewLines, problems, lastKept };
  }
}
