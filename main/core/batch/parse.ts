/**
 * Text -> table. Delimiter detection among `,` `;` tab (quote-aware, by consistency of field counts),
 * parsing with papaparse (quoted fields with newlines, CRLF/LF/CR), the physical line on which every
 * record starts, empty lines skipped, trailing empty columns ignored. Pure, no I/O.
 */
import Papa from 'papaparse';
import { DeskFailure } from '../errors';
import type { RowProblem } from './problems';

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export const DEFAULT_MAX_ROWS = 200_000;
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
  /** How many records (header included) to return as read for the preview (default 20). */
  previewRows?: number;
}

export interface ParsedTable {
  delimiter: Delimiter;
  delimiterDetected: boolean;
  hasHeader: boolean;
  /** Header cells trimmed (or "column N" without a header), `columnCount` long. */
  header: string[];
  /** Line of the header record (0 without a header). */
  headerLine: number;
  /** Columns up to the last one holding anything; trailing empty columns are ignored. */
  columnCount: number;
  /** Data records, empty ones removed. A record may be shorter or longer than columnCount. */
  rows: string[][];
  /** Physical 1-based line on which each data record starts (same index as rows). */
  lines: Int32Array;
  /** The first records as read (header included), cut to columnCount, for "is this right?". */
  preview: string[][];
  previewLines: number[];
  /** Parse-level problems (unbalanced quotes…). */
  problems: RowProblem[];
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

function isBlankRecord(r: string[]): boolean {
  for (let j = 0; j < r.length; j++) {
    const f = r[j] as string;
    if (f.length !== 0 && f.trim().length !== 0) return false;
  }
  return true;
}

/** Index + 1 of the last non-blank field. */
function usedWidth(r: string[]): number {
  let j = r.length;
  while (j > 0) {
    const f = r[j - 1] as string;
    if (f.length !== 0 && f.trim().length !== 0) break;
    j--;
  }
  return j;
}

/** Number of line breaks inside a field (\r\n, \n and lone \r each count once). */
function breaksIn(f: string): number {
  let k = 0;
  let i = f.indexOf('\n');
  while (i !== -1) {
    k++;
    i = f.indexOf('\n', i + 1);
  }
  i = f.indexOf('\r');
  while (i !== -1) {
    if (f.charCodeAt(i + 1) !== 10) k++;
    i = f.indexOf('\r', i + 1);
  }
  return k;
}

/**
 * Line breaks in a text: \n (and \r\n) always; lone \r only in a CR-separated file (a lone CR
 * inside a cell of a CRLF file is rare enough not to scan 5 MB for it twice).
 */
function countLineBreaks(text: string, linebreak: string): number {
  let k = 0;
  let i = text.indexOf('\n');
  while (i !== -1) {
    k++;
    i = text.indexOf('\n', i + 1);
  }
  if (linebreak !== '\r') return k;
  i = text.indexOf('\r');
  while (i !== -1) {
    if (text.charCodeAt(i + 1) !== 10) k++;
    i = text.indexOf('\r', i + 1);
  }
  return k;
}

export function parseTable(text: string, options: ParseOptions = {}): ParsedTable {
  const wantHeader = options.header ?? true;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const previewRows = options.previewRows ?? DEFAULT_PREVIEW_ROWS;
  // A BOM left over after a manual encoding override would glue itself to the first header.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const guess: DelimiterGuess = options.delimiter
    ? { delimiter: options.delimiter, detected: false }
    : detectDelimiter(text, options.fallbackDelimiter ?? ',');
  const delimiter = guess.delimiter;

  const result = Papa.parse<string[]>(text, { delimiter, quoteChar: '"', escapeChar: '"', header: false, skipEmptyLines: false, dynamicTyping: false });
  const records = result.data;
  const problems: RowProblem[] = [];

  // Physical lines: each record starts one line after the previous record's start plus the line
  // breaks inside its quoted fields. When the text has exactly as many line breaks as records
  // (minus the last), no field holds one and record i starts on line i + 1.
  const recordLines = new Int32Array(records.length);
  const fieldsMayBreak = countLineBreaks(text, result.meta.linebreak) >= records.length;
  {
    let line = 1;
    for (let i = 0; i < records.length; i++) {
      recordLines[i] = line;
      line++;
      if (fieldsMayBreak) {
        const r = records[i] as string[];
        for (let j = 0; j < r.length; j++) {
          const f = r[j] as string;
          if (f.length > 0 && (f.indexOf('\n') !== -1 || f.indexOf('\r') !== -1)) line += breaksIn(f);
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

  // Compact in place: drop blank records, keep line numbers aligned; find the header and width.
  let w = 0;
  let header: string[] | null = null;
  let headerLine = 0;
  let width = 0;
  const preview: string[][] = [];
  const previewLines: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as string[];
    if ((r.length === 1 && (r[0] as string).trim().length === 0) || isBlankRecord(r)) continue;
    const line = recordLines[i] as number;
    if (preview.length < previewRows) {
      preview.push(r);
      previewLines.push(line);
    }
    if (wantHeader && header === null) {
      header = r;
      headerLine = line;
      width = Math.max(width, usedWidth(r));
      continue;
    }
    const uw = r.length > width ? usedWidth(r) : 0;
    if (uw > width) width = uw;
    records[w] = r;
    recordLines[w] = line;
    w++;
    if (w > maxRows) {
      throw new DeskFailure('bad_input', `The file has more than ${maxRows.toLocaleString('en-US')} rows; split it into smaller files.`);
    }
  }
  records.length = w;
  const lines = recordLines.slice(0, w);

  const headerNames: string[] = [];
  for (let j = 0; j < width; j++) {
    const h = header?.[j]?.trim() ?? '';
    headerNames.push(h.length > 0 ? h : `column ${j + 1}`);
  }
  return {
    delimiter,
    delimiterDetected: guess.detected,
    hasHeader: header !== null,
    header: headerNames,
    headerLine,
    columnCount: width,
    rows: records,
    lines,
    preview: preview.map((r) => {
      const out = r.slice(0, width);
      while (out.length < width) out.push('');
      return out;
    }),
    previewLines,
    problems,
  };
}
