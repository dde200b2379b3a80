/**
 * Getting a chosen or dropped file to the core: checks a person understands before the bytes are
 * sent (`batch.open` takes them as they are).
 */
import { MAX_BATCH_FILE_BYTES } from '../../../preload/contract';

/** The contract's limit for `batch.open`. */
export const MAX_FILE_BYTES = MAX_BATCH_FILE_BYTES;
export const ACCEPT = '.csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values';
const EXTENSIONS = ['.csv', '.txt', '.tsv'];

/** Why this file cannot be used, in words, or null when it can. */
export function fileProblem(file: { name: string; size: number }): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx') || name.endsWith('.xls') || name.endsWith('.ods')) {
    return 'This is a spreadsheet workbook. In Excel, choose File › Save As › “CSV (comma delimited)” or “Unicode Text”, then open that file here.';
  }
  if (!EXTENSIONS.some((e) => name.endsWith(e))) return 'Choose a CSV file (ending in .csv, .txt or .tsv).';
  if (file.size === 0) return 'This file is empty.';
  if (file.size > MAX_FILE_BYTES) return 'This file is larger than 50 MB. Split it into smaller files and apply them one after another.';
  return null;
}
