/**
 * The app's one CSV cell writer (batch report, audit export): RFC 4180 quoting, and safe to open in
 * Excel — a cell starting with = + - @ tab or CR (or their full-width forms) is prefixed with ' so
 * it is shown as text and never evaluated as a formula.
 */
export type CsvDelimiter = ',' | ';' | '\t';

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20']);

/** Text-only form of a cell: prefixed with ' when Excel/LibreOffice would treat it as a formula. */
export function neutralizeCell(value: string): string {
  return value.length > 0 && FORMULA_START.has(value.charAt(0)) ? `'${value}` : value;
}

/** One CSV field: neutralised, then quoted if it holds the delimiter, a quote, CR or LF. */
export function csvField(value: string, delimiter: CsvDelimiter = ','): string {
  const v = neutralizeCell(value);
  if (v.includes('"') || v.includes(delimiter) || v.includes('\n') || v.includes('\r')) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** A whole CSV text: header and rows, fields written by csvField, CRLF after every line (no BOM). */
export function csvText(header: readonly string[], rows: Iterable<readonly string[]>, delimiter: CsvDelimiter = ','): string {
  const out: string[] = [header.map((c) => csvField(c, delimiter)).join(delimiter)];
  for (const r of rows) out.push(r.map((c) => csvField(c, delimiter)).join(delimiter));
  return `${out.join('\r\n')}\r\n`;
}

/** Put before a CSV text saved for Excel: without it Excel reads UTF-8 as the local code page. */
export const EXCEL_BOM = '\uFEFF';

/**
 * The name of a file the app derives from the person's file ("prices.csv" → "prices-report.csv"):
 * the extension dropped, characters a file system may refuse replaced, at most 120 characters.
 */
export function derivedFileName(fileName: string, suffix: string): string {
  const base = fileName.replace(/\.[^.]{1,5}$/, '').replace(/[^\p{L}\p{N} ._-]+/gu, '_').trim().slice(0, 120) || 'batch';
  return `${base}${suffix}.csv`;
}
