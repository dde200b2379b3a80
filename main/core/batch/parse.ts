/**
 * Text -> table. Delimiter detection among `,` `;` tab (quote-aware, by consistency of field counts),
 * a one-pass reader for well-formed text with papaparse as the fallback (quoted fields with newlines;
 * a record ends at any CRLF/LF/CR outside quotes, also when a file mixes them), the physical line on
 * which every record starts, empty lines skipped, trailing empty columns ignored. Empty files, too
 * many rows and too many columns are refused (bad_input) cheaply, before a reader builds anything.
 * Pure, no I/O.
 */
import { msg } from '../../../common/i18n/translate';
import { DeskFailure } from '../errors';
import { papaTable } from './parse-papa';
import { RecordCollector, tooManyColumns, tooManyRows, type Limits, type RecordSink, type Scanned } from './parse-records';
import { scanTable } from './parse-scan';
import type { RowProblem } from './problems';

export { usedWidth, type RecordSink } from './parse-records';

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];
export const isDelimiter = (v: unknown): v is Delimiter => (DELIMITERS as readonly unknown[]).includes(v);

export const DEFAULT_MAX_ROWS = 200_000;
/** Our format has 8 fields; real exports carry a few dozen. Beyond this a file is not a table we read. */
export const DEFAULT_MAX_COLUMNS = 1_000;
export const DEFAULT_PREVIEW_ROWS = 20;

export interface ParseOptions {
  /** Override the detected delimiter. */
  delimiter?: Delimiter;
  /** Delimiter to fall back to when nothing is detectable (single column). Default ','. */
  fallbackDelimiter?: Delimiter;
  /** First non-empty record is a header (default true). */
  header?: boolean;
  /** Refuse more data rows than this (default 200,000). */
  maxRows?: number;
  /** Refuse records with more (non-empty) columns than this (default 1,000). */
  maxColumns?: number;
  /** How many records (header included) to return as read for the preview (default 20). */
  previewRows?: number;
}

/** What a table is, without its data records (those go to a RecordSink as they are read). */
export interface TableShape {
  delimiter: Delimiter;
  delimiterDetected: boolean;
  hasHeader: boolean;
  /** Header cells trimmed ('' for a blank one or without a header), `columnCount` long. */
  header: string[];
  /** Line of the header record (0 without a header). */
  headerLine: number;
  /** Columns up to the last one holding anything; trailing empty columns are ignored. */
  columnCount: number;
  /** Data records read (empty ones not counted). */
  rowCount: number;
  /** The first records as read (header included), cut to columnCount, for "is this right?". */
  preview: string[][];
  previewLines: number[];
  /** Parse-level problems (unbalanced quotes…). */
  problems: RowProblem[];
}

/** Header names as shown and used in problems: trimmed ('' for a blank one: the renderer names it "Column N"). */
export function headerNames(cells: readonly string[] | null, width: number): string[] {
  const names: string[] = [];
  for (let j = 0; j < width; j++) {
    const h = cells?.[j]?.trim() ?? '';
    names.push(h.length > 0 ? detach(h) : '');
  }
  return names;
}

/**
 * A copy of a cell that does not keep the file's text alive. V8 makes a substring of 13 or more
 * characters a view into its parent, so one cell kept past reading would keep the whole decoded
 * file in memory. (Concatenating makes a new string; slicing it flattens it into a fresh copy.)
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

export interface DelimiterGuess {
  delimiter: Delimiter;
  /** false when no candidate splits the sample into ≥ 2 consistent columns. */
  detected: boolean;
}

const SAMPLE_CHARS = 64 * 1024;
const SAMPLE_RECORDS = 50;

/**
 * Scores each candidate by how consistently it splits the first records (quote-aware; empty lines
 * ignored): the share of records whose field count equals the most common one, with that count ≥ 2.
 * Ties go to more columns, then to `;`, tab, `,` (a `;` file with decimal commas stays `;` because
 * its header has no commas).
 */
export function detectDelimiter(text: string, fallback: Delimiter = ','): DelimiterGuess {
  const counts: [number[], number[], number[]] = [[], [], []];
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let nonBlank = false;
  let inQuotes = false;
  const n = Math.min(text.length, SAMPLE_CHARS);
  const push = () => {
    if (nonBlank) {
      counts[0].push(c0);
      counts[1].push(c1);
      counts[2].push(c2);
    }
    c0 = c1 = c2 = 0;
    nonBlank = false;
  };
  for (let i = 0; i < n && counts[0].length < SAMPLE_RECORDS; i++) {
    const ch = text.charCodeAt(i);
    if (inQuotes) {
      if (ch === 34) {
        if (text.charCodeAt(i + 1) === 34) i++;
        else inQuotes = false;
      }
      continue;
    }
    switch (ch) {
      case 34:
        inQuotes = true;
        nonBlank = true;
        break;
      case 44:
        c0++;
        break;
      case 59:
        c1++;
        break;
      case 9:
        c2++;
        break;
      case 10:
        push();
        break;
      case 13:
        if (text.charCodeAt(i + 1) === 10) i++;
        push();
        break;
      case 32:
        break;
      default:
        nonBlank = true;
    }
  }
  if (counts[0].length < SAMPLE_RECORDS) push();

  const order: Delimiter[] = [';', '\t', ','];
  let best: { d: Delimiter; score: number; fields: number } | null = null;
  for (const d of order) {
    const list = counts[DELIMITERS.indexOf(d) as 0 | 1 | 2];
    if (list.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of list) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let modeN = 0;
    for (const [c, k] of freq) if (k > modeN || (k === modeN && c > mode)) [mode, modeN] = [c, k];
    if (mode === 0) continue;
    // The header must agree: a header without the delimiter means the delimiter is data (decimal commas).
    const headerAgrees = list[0] === mode ? 1 : 0.5;
    const score = (modeN / list.length) * headerAgrees;
    if (best === null || score > best.score + 1e-9 || (Math.abs(score - best.score) <= 1e-9 && mode > best.fields)) {
      best = { d, score, fields: mode };
    }
  }
  return best === null ? { delimiter: fallback, detected: false } : { delimiter: best.d, detected: true };
}

/** Reads a table, handing each record to `sink` as it is read (nothing of the data is kept). */
export function readTableInto(text: string, options: ParseOptions, sink: RecordSink): TableShape {
  const wantHeader = options.header ?? true;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  const previewRows = options.previewRows ?? DEFAULT_PREVIEW_ROWS;
  // A BOM left over after a manual encoding override would glue itself to the first header.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const guess: DelimiterGuess = options.delimiter
    ? { delimiter: options.delimiter, detected: false }
    : detectDelimiter(text, options.fallbackDelimiter ?? ',');
  const delimiter = guess.delimiter;
  const limits: Limits = { rows: maxRows, columns: maxColumns, namedRows: maxRows };

  // Cheap pre-checks, before either reader builds anything. Records end at any line break (\r\n,
  // \n or \r) outside quoted cells, so a header and N records need at least N + 1 lines.
  const breaks = findBreak(text, maxRows + 3);
  if (breaks.at !== -1) {
    // More lines than the limit allows: read only the text up to the (maxRows + 3)-th line break and
    // count its records but the last (it may be cut inside a quoted cell). Blank lines or quoted
    // multi-line cells may keep it under the limit; then the whole text is read below.
    const head = text.slice(0, breaks.at);
    checkColumnsCheaply(head, delimiter, breaks.count, maxColumns);
    const s = readTable(head, delimiter, wantHeader, { rows: maxRows + 1, columns: maxColumns, namedRows: maxRows }, 0, COUNT_ONLY);
    if (s.rowCount - (s.lastKept ? 1 : 0) > maxRows) throw tooManyRows(maxRows);
  } else {
    checkColumnsCheaply(text, delimiter, breaks.count + 1, maxColumns);
  }

  const s = readTable(text, delimiter, wantHeader, limits, previewRows, sink);
  if (s.header === null && s.rowCount === 0) throw new DeskFailure('bad_input', msg('batch.file.noRows'));

  const width = s.width;
  return {
    delimiter,
    delimiterDetected: guess.detected,
    hasHeader: s.header !== null,
    header: headerNames(s.header, width),
    headerLine: s.headerLine,
    columnCount: width,
    rowCount: s.rowCount,
    preview: s.preview.map((r) => {
      const out = r.slice(0, width).map(detach);
      while (out.length < width) out.push('');
      return out;
    }),
    previewLines: s.previewLines,
    problems: s.problems,
  };
}

/**
 * Well-formed text (every quoted cell closed and followed by a delimiter, a line break or the end)
 * is read in one pass that also finds lines, blank records and the width; anything else goes to
 * papaparse, which reports the quote problems.
 */
function readTable(text: string, delimiter: Delimiter, wantHeader: boolean, limits: Limits, previewRows: number, sink: RecordSink): Scanned {
  const scanned = scanTable(text, delimiter, new RecordCollector(wantHeader, limits, previewRows, sink), limits.columns);
  if (scanned !== null) return scanned;
  // The one-pass reader gave up midway: papaparse reads the text again from the start.
  sink.restart();
  return papaTable(text, delimiter, new RecordCollector(wantHeader, limits, previewRows, sink));
}

const COUNT_ONLY: RecordSink = { header() {}, record() {}, restart() {} };

/**
 * The `n`-th physical line break (\r\n, \n or a lone \r; quotes not considered): where it starts,
 * or -1 with how many there are when fewer.
 */
function findBreak(text: string, n: number): { at: number; count: number } {
  let lf = text.indexOf('\n');
  let cr = text.indexOf('\r');
  let k = 0;
  while (lf !== -1 || cr !== -1) {
    let at: number;
    let next: number;
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      at = cr;
      next = lf === cr + 1 ? cr + 2 : cr + 1;
    } else {
      at = lf;
      next = lf + 1;
    }
    if (++k === n) return { at, count: k };
    if (lf !== -1 && lf < next) lf = text.indexOf('\n', next);
    if (cr !== -1 && cr < next) cr = text.indexOf('\r', next);
  }
  return { at: -1, count: k };
}

/**
 * Refuses a text with a physical line of more than `maxColumns` delimiters, without splitting it:
 * only when the text holds more delimiters than `maxColumns` per line on average (a line of
 * millions of `;` must not become an array of millions of cells). `lines` may be a lower bound.
 */
function checkColumnsCheaply(text: string, delimiter: Delimiter, lines: number, maxColumns: number): void {
  const limit = maxColumns * lines;
  if (text.length <= limit) return; // cannot hold that many delimiters
  let k = 0;
  let i = text.indexOf(delimiter);
  while (i !== -1 && k <= limit) {
    k++;
    i = text.indexOf(delimiter, i + 1);
  }
  if (k <= limit) return;
  const d = delimiter.charCodeAt(0);
  let line = 1;
  let count = 0;
  for (let p = 0; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === d) {
      if (++count > maxColumns) throw tooManyColumns(line, maxColumns);
    } else if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(p + 1) === 10) p++;
      line++;
      count = 0;
    }
  }
}

