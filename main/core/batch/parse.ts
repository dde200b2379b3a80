/**
 * Text -> table. Delimiter detection among `,` `;` tab (quote-aware, by consistency of field counts),
 * a one-pass reader for well-formed text with papaparse as the fallback (quoted fields with newlines;
 * a record ends at any CRLF/LF/CR outside quotes, also when a file mixes them), the physical line on
 * which every record starts, empty lines skipped, trailing empty columns ignored. Empty files, too
 * many rows and too many columns are refused (bad_input) cheaply, before a reader builds anything.
 * Pure, no I/O.
 */
import Papa from 'papaparse';
import { DeskFailure } from '../errors';
import type { RowProblem } from './problems';

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
  /** Header cells trimmed (or "column N" without a header), `columnCount` long. */
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

/** Header names as shown and used in problems: trimmed, a blank one named "column N". */
export function headerNames(cells: readonly string[] | null, width: number): string[] {
  const names: string[] = [];
  for (let j = 0; j < width; j++) {
    const h = cells?.[j]?.trim() ?? '';
    names.push(h.length > 0 ? detach(h) : `column ${j + 1}`);
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
  if (s.header === null && s.rowCount === 0) throw new DeskFailure('bad_input', 'The file is empty: it has no rows to read.');

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
  const scanned = scanTable(text, delimiter, wantHeader, limits, previewRows, sink);
  if (scanned !== null) return scanned;
  // The one-pass reader gave up midway: papaparse reads the text again from the start.
  sink.restart();
  return papaTable(text, delimiter, wantHeader, limits, previewRows, sink);
}

const COUNT_ONLY: RecordSink = { header() {}, record() {}, restart() {} };

/** Records without blank ones, the header apart, before header names are made. */
interface Scanned {
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

interface Limits {
  /** Refuse more data rows than this… */
  rows: number;
  /** …naming this limit in the error. */
  namedRows: number;
  /** Refuse records whose used width (header included) is over this. */
  columns: number;
}

function tooManyRows(maxRows: number): DeskFailure {
  return new DeskFailure('bad_input', `The file has more than ${maxRows.toLocaleString('en-US')} rows; split it into smaller files.`);
}

function tooManyColumns(line: number, maxColumns: number): DeskFailure {
  return new DeskFailure('bad_input', `Line ${line} has more than ${maxColumns.toLocaleString('en-US')} columns; this does not look like a table of balance corrections.`);
}

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

/**
 * One-pass reader for well-formed text, with papaparse's semantics except that a record ends at
 * any line break outside quotes (\r\n, \n or \r: concatenated exports mix them); a cell is quoted
 * when it starts with "; "" inside quotes is a quote. Returns null at the first quote papaparse
 * would complain about (the caller then uses papaparse).
 */
function scanTable(text: string, delimiter: Delimiter, wantHeader: boolean, limits: Limits, previewRows: number, sink: RecordSink): Scanned | null {
  const len = text.length;
  const d = delimiter.charCodeAt(0);
  const maxColumns = limits.columns;
  let rowCount = 0;
  let header: string[] | null = null;
  let headerLine = 0;
  let width = 0;
  const preview: string[][] = [];
  const previewLines: number[] = [];
  let lastKept = false;

  let pos = 0;
  let line = 1; // physical line where the current record starts
  let nextDelim = -2; // cached positions (-2: not searched yet; -1: none)
  let nextLf = -2;
  let nextCr = -2;
  while (pos < len) {
    const recordLine = line;
    const recordStart = pos;
    if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    // The first \r or \n from the record's start: before `sep` only inside a quoted cell.
    const firstBreak = nextCr === -1 ? nextLf : nextLf === -1 || nextCr < nextLf ? nextCr : nextLf;
    let sep = len; // where the record's line break starts (or the end)
    const row: string[] = [];
    let used = 0; // index + 1 of the last non-blank cell
    for (;;) {
      let f: string;
      const start = pos;
      let end: number; // end of the cell's raw text (exclusive)
      let last = false;
      if (text.charCodeAt(pos) === 34) {
        let q = text.indexOf('"', pos + 1);
        let escaped = false;
        for (;;) {
          if (q === -1) return null; // never closed
          if (q === len - 1) break;
          if (text.charCodeAt(q + 1) === 34) {
            escaped = true;
            q = text.indexOf('"', q + 2);
            continue;
          }
          break;
        }
        f = text.slice(pos + 1, q);
        if (escaped) f = f.replace(/""/g, '"');
        end = q + 1;
        const after = text.charCodeAt(end);
        if (end === len) {
          last = true;
          pos = len;
        } else if (after === d) {
          pos = end + 1;
        } else if (after === 10) {
          last = true;
          pos = end + 1;
        } else if (after === 13) {
          last = true;
          pos = text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        } else return null; // text after the closing quote
      } else {
        if (nextDelim !== -1 && nextDelim < pos) nextDelim = text.indexOf(delimiter, pos);
        if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
        if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
        const brk = nextCr === -1 ? nextLf : nextLf === -1 || nextCr < nextLf ? nextCr : nextLf;
        if (nextDelim !== -1 && (brk === -1 || nextDelim < brk)) {
          end = nextDelim;
          pos = end + 1;
        } else {
          last = true;
          if (brk === -1) {
            end = pos = len;
          } else {
            end = brk;
            pos = brk === nextCr && nextLf === brk + 1 ? brk + 2 : brk + 1;
          }
        }
        f = start === end ? '' : text.slice(start, end);
      }
      let blank = true;
      if (f.length !== 0) {
        const c0 = f.charCodeAt(0);
        if ((c0 > 32 && c0 < 127) || f.trim().length !== 0) blank = false;
      }
      if (row.length < maxColumns) {
        row.push(f);
        if (!blank) used = row.length;
      } else if (!blank) {
        throw tooManyColumns(recordLine, maxColumns);
      } // else: a blank cell beyond the limit is not kept (a line of millions of `;` stays small)
      if (last) {
        sep = end;
        break;
      }
    }
    // Physical lines: a record holds no \r or \n before its line break unless in a quoted cell.
    if (firstBreak !== -1 && firstBreak < sep) line += physicalBreaks(text, recordStart, pos);
    else line++;
    lastKept = false;
    if (used === 0) continue; // blank record
    if (preview.length < previewRows) {
      preview.push(row);
      previewLines.push(recordLine);
    }
    if (used > width) width = used;
    if (wantHeader && header === null) {
      header = row;
      headerLine = recordLine;
      sink.header(row, recordLine);
      continue;
    }
    if (rowCount >= limits.rows) throw tooManyRows(limits.namedRows);
    rowCount++;
    sink.record(row, recordLine);
    lastKept = true;
  }
  // A text ending in a line break ends with an empty record.
  const tail = text.charCodeAt(len - 1);
  if (tail === 10 || tail === 13) lastKept = false;
  return { header, headerLine, width, rowCount, preview, previewLines, problems: [], lastKept };
}

/** Line breaks in a text: \r\n, \n and lone \r each count once. */
function countLineBreaks(text: string): number {
  let k = 0;
  let i = text.indexOf('\n');
  while (i !== -1) {
    k++;
    i = text.indexOf('\n', i + 1);
  }
  i = text.indexOf('\r');
  while (i !== -1) {
    if (text.charCodeAt(i + 1) !== 10) k++;
    i = text.indexOf('\r', i + 1);
  }
  return k;
}

/** Line breaks in text[from, to): every \r, and every \n not right after a \r (\r\n counts once). */
function physicalBreaks(text: string, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) k++;
    else if (c === 10 && (i === 0 || text.charCodeAt(i - 1) !== 13)) k++;
  }
  return k;
}

/** Whitespace that String#trim removes, other than \r and \n (papaparse allows it after a closing quote). */
function isTrimSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The text with every record break outside quoted cells (\r\n or a lone \r) turned into \n, quoted
 * cells kept as they are, following papaparse's quoting (a quote opens a cell only at its start;
 * it closes at a quote followed, maybe after spaces, by the delimiter, a line break or the end;
 * any other quote stays in the cell). Physical line counts do not change.
 */
function normaliseBreaks(text: string, delimiter: Delimiter): string {
  if (text.indexOf('\r') === -1) return text;
  const d = delimiter.charCodeAt(0);
  const len = text.length;
  const parts: string[] = [];
  let copied = 0;
  let fieldStart = true;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (fieldStart && c === 34) {
      let q = i;
      for (;;) {
        q = text.indexOf('"', q + 1);
        if (q === -1) {
          i = len; // never closed: the rest is the cell
          break;
        }
        if (text.charCodeAt(q + 1) === 34) {
          q++;
          continue;
        }
        let k = q + 1;
        while (k < len && text.charCodeAt(k) !== d && isTrimSpace(text.charCodeAt(k))) k++;
        const after = text.charCodeAt(k);
        if (k >= len || after === d || after === 10 || after === 13) {
          i = k;
          break;
        }
      }
      fieldStart = false;
      continue;
    }
    if (c === 13) {
      parts.push(text.slice(copied, i), '\n');
      i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
      copied = i;
      fieldStart = true;
      continue;
    }
    fieldStart = c === d || c === 10;
    i++;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/** The papaparse path (malformed quotes): same result, plus the quote problems. */
function papaTable(text: string, delimiter: Delimiter, wantHeader: boolean, limits: Limits, previewRows: number, sink: RecordSink): Scanned {
  text = normaliseBreaks(text, delimiter);
  const result = Papa.parse<string[]>(text, { delimiter, newline: '\n', quoteChar: '"', escapeChar: '"', header: false, skipEmptyLines: false, dynamicTyping: false });
  const records = result.data;
  const problems: RowProblem[] = [];

  // Physical lines: each record starts one line after the previous record's start plus the line
  // breaks inside its quoted fields. When the text has exactly as many line breaks as records
  // (minus the last), no field holds one and record i starts on line i + 1.
  const recordLines = new Int32Array(records.length);
  const fieldsMayBreak = countLineBreaks(text) >= records.length;
  {
    let line = 1;
    for (let i = 0; i < records.length; i++) {
      recordLines[i] = line;
      line++;
      if (fieldsMayBreak) {
        const r = records[i] as string[];
        for (let j = 0; j < r.length; j++) {
          const f = r[j] as string;
          if (f.length > 0 && (f.indexOf('\n') !== -1 || f.indexOf('\r') !== -1)) line += countLineBreaks(f);
        }
      }
    }
  }

  for (const e of result.errors) {
    if (e.type !== 'Quotes') continue;
    const line = e.row !== undefined && e.row !== null && e.row < recordLines.length ? (recordLines[e.row] ?? 1) : 1;
    problems.push({
      line,
      column: null,
      field: null,
      code: 'parse_error',
      message:
        e.code === 'MissingQuotes'
          ? 'A quoted cell is never closed (a " is missing); everything after it was read as one cell.'
          : 'A quote (") appears inside a cell that does not start with one.',
    });
  }

  // Blank records skipped; the header and width found; records handed on.
  let w = 0;
  let header: string[] | null = null;
  let headerLine = 0;
  let width = 0;
  let lastKept = false;
  const preview: string[][] = [];
  const previewLines: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as string[];
    const uw = usedWidth(r);
    lastKept = false;
    if (uw === 0) continue;
    const line = recordLines[i] as number;
    if (uw > limits.columns) throw tooManyColumns(line, limits.columns);
    if (preview.length < previewRows) {
      preview.push(r);
      previewLines.push(line);
    }
    if (uw > width) width = uw;
    if (wantHeader && header === null) {
      header = r;
      headerLine = line;
      sink.header(r, line);
      continue;
    }
    w++;
    if (w > limits.rows) throw tooManyRows(limits.namedRows);
    sink.record(r, line);
    lastKept = true;
  }
  return { header, headerLine, width, rowCount: w, preview, previewLines, problems, lastKept };
}
