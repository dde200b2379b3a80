/**
 * Getting a chosen or dropped file to the core: checks a person understands, and the bytes as
 * base64 built in chunks (a 50 MB file must not blow the call stack or freeze the window for long).
 */

/** The contract's limit for `batch.prepare`. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const ACCEPT = '.csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values';
const EXTENSIONS = ['.csv', '.txt', '.tsv'];

/** Bytes per chunk: a multiple of 3, so the chunks' base64 can be joined without padding in between. */
export const CHUNK_BYTES = 3 * 8192;

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

function chunkToBase64(bytes: Uint8Array, start: number, end: number): string {
  // String.fromCharCode.apply with at most CHUNK_BYTES arguments: well under any engine's limit.
  const binary = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  return btoa(binary);
}

/** Base64 of `bytes`, built chunk by chunk. */
export function bytesToBase64(bytes: Uint8Array, chunkBytes: number = CHUNK_BYTES): string {
  const size = chunkSize(chunkBytes);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(chunkToBase64(bytes, i, Math.min(i + size, bytes.length)));
  return parts.join('');
}

/**
 * Same as `bytesToBase64`, but gives the page a chance to paint every `yieldEveryBytes`, so the
 * "Reading the file…" status stays alive on a 50 MB file.
 */
export async function bytesToBase64Async(
  bytes: Uint8Array,
  options: { chunkBytes?: number; yieldEveryBytes?: number; pause?: () => Promise<void> } = {},
): Promise<string> {
  const size = chunkSize(options.chunkBytes ?? CHUNK_BYTES);
  const every = Math.max(size, options.yieldEveryBytes ?? 4 * 1024 * 1024);
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const parts: string[] = [];
  let sinceYield = 0;
  for (let i = 0; i < bytes.length; i += size) {
    const end = Math.min(i + size, bytes.length);
    parts.push(chunkToBase64(bytes, i, end));
    sinceYield += end - i;
    if (sinceYield >= every && end < bytes.length) {
      sinceYield = 0;
      await pause();
    }
  }
  return parts.join('');
}

function chunkSize(requested: number): number {
  const n = Math.max(3, Math.floor(requested / 3) * 3);
  return n;
}
