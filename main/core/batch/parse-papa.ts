/**
 * The papaparse reader, for text the one-pass reader gives up on (malformed quotes): the same
 * records, plus the quote problems papaparse reports.
 */
import Papa from 'papaparse';
import { msg } from '../../../common/i18n/translate';
import type { Delimiter } from './parse';
import { usedWidth, type RecordCollector, type Scanned } from './parse-records';
import type { RowProblem } from './problems';

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
export function papaTable(text: string, delimiter: Delimiter, collect: RecordCollector): Scanned {
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
      columnNumber: null,
      msg: e.code === 'MissingQuotes' ? msg('batch.problem.quoteNotClosed') : msg('batch.problem.strayQuote'),
    });
  }

  for (let i = 0; i < records.length; i++) {
    const r = records[i] as string[];
    collect.add(r, usedWidth(r), recordLines[i] as number);
  }
  return collect.result(problems);
}
