/**
 * The one-pass CSV reader for well-formed text (the common case; parse.ts falls back to
 * parse-papa.ts when it gives up).
 */
import type { Delimiter } from './parse';
import { tooManyColumns, type RecordCollector, type Scanned } from './parse-records';

/**
 * One-pass reader for well-formed text, with papaparse's semantics except that a record ends at
 * any line break outside quotes (\r\n, \n or \r: concatenated exports mix them); a cell is quoted
 * when it starts with "; "" inside quotes is a quote. Returns null at the first quote papaparse
 * would complain about (the caller then uses papaparse).
 */
export function scanTable(text: string, delimiter: Delimiter, collect: RecordCollector, maxColumns: number): Scanned | null {
  const len = text.length;
  const d = delimiter.charCodeAt(0);

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
    collect.add(row, used, recordLine);
  }
  // A text ending in a line break ends with an empty record.
  const tail = text.charCodeAt(len - 1);
  if (tail === 10 || tail === 13) collect.lastKept = false;
  return collect.result([]);
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

