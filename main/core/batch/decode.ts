/**
 * Bytes of an uploaded CSV -> text. Pure, no I/O.
 *
 * Order of decisions (first that applies wins):
 *   1. an explicit override encoding (still strips a matching BOM);
 *   2. a BOM: UTF-8, UTF-16 LE, UTF-16 BE (Excel's "Unicode Text" is UTF-16 LE with BOM, tab-separated);
 *   3. BOM-less UTF-16, recognised by NUL bytes at every other position;
 *   4. any other NUL byte: binary (with a hint for .xlsx / .xls workbooks), rejected;
 *   5. strict UTF-8 (TextDecoder fatal): plain ASCII also lands here;
 *   6. a single-byte code page: a Cyrillic plausibility score picks windows-1251 / koi8-r / ibm866 /
 *      iso-8859-5 for Russian text; otherwise chardet's best guess among Western / Central European /
 *      Greek / Turkish / Baltic code pages, normalised to the Windows code page Excel writes.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { msg } from '../../../common/i18n/translate';
import { DeskFailure } from '../errors';

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export type DetectedBy = 'override' | 'bom' | 'nul-pattern' | 'utf-8' | 'cyrillic-score' | 'detector' | 'fallback' | 'empty';

export interface DecodeOptions {
  /** Manual override (any name iconv-lite knows, e.g. "windows-1251", "cp1251", "utf-16le"). */
  encoding?: string;
  /** Refuse files larger than this (bytes). Default 50 MB. */
  maxBytes?: number;
}

export interface Decoded {
  text: string;
  /** Canonical lower-case name, e.g. "utf-8", "utf-16le", "windows-1251". */
  encoding: string;
  hadBom: boolean;
  detectedBy: DetectedBy;
}

const SAMPLE_BYTES = 64 * 1024;

/** Canonical name for a user-supplied encoding label, or null when unsupported. */
export function canonicalEncoding(name: string): string | null {
  const n = name.trim().toLowerCase().replace(/_/g, '-');
  const aliases: Record<string, string> = {
    utf8: 'utf-8',
    'utf-8': 'utf-8',
    'utf-8-bom': 'utf-8',
    utf16le: 'utf-16le',
    'utf-16le': 'utf-16le',
    'utf-16': 'utf-16le',
    ucs2: 'utf-16le',
    'ucs-2': 'utf-16le',
    unicode: 'utf-16le',
    utf16be: 'utf-16be',
    'utf-16be': 'utf-16be',
    cp1251: 'windows-1251',
    'win-1251': 'windows-1251',
    win1251: 'windows-1251',
    cp1252: 'windows-1252',
    cp1250: 'windows-1250',
    cp1253: 'windows-1253',
    cp1254: 'windows-1254',
    cp1257: 'windows-1257',
    koi8r: 'koi8-r',
    cp866: 'ibm866',
    '866': 'ibm866',
    latin1: 'iso-8859-1',
    'latin-1': 'iso-8859-1',
  };
  const mapped = aliases[n] ?? n;
  return iconv.encodingExists(mapped) ? mapped : null;
}

/** Decodes a whole file. Throws DeskFailure('bad_input') for binary, oversized or unknown encodings. */
export function decodeBytes(bytes: Uint8Array, options: DecodeOptions = {}): Decoded {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    throw new DeskFailure(
      'bad_input',
      msg('batch.file.overLimit', { size: megabytes(bytes.length), max: megabytes(maxBytes) }),
    );
  }

  const bom = sniffBom(bytes);
  // Before any override: no encoding turns a workbook into a CSV.
  const workbook = workbookFailure(bytes);
  if (workbook !== null) throw workbook;

  if (options.encoding !== undefined) {
    const enc = canonicalEncoding(options.encoding);
    if (enc === null) throw new DeskFailure('bad_input', msg('batch.file.unknownEncoding', { encoding: options.encoding }));
    const strip = bom !== null && bom.encoding === enc ? bom.length : 0;
    return { text: decodeWith(bytes.subarray(strip), enc), encoding: enc, hadBom: strip > 0, detectedBy: 'override' };
  }

  if (bytes.length === 0) return { text: '', encoding: 'utf-8', hadBom: false, detectedBy: 'empty' };

  if (bom !== null) {
    return { text: decodeWith(bytes.subarray(bom.length), bom.encoding), encoding: bom.encoding, hadBom: true, detectedBy: 'bom' };
  }

  const utf16 = sniffUtf16(bytes);
  if (utf16 !== null) return { text: decodeWith(bytes, utf16), encoding: utf16, hadBom: false, detectedBy: 'nul-pattern' };

  if (bytes.indexOf(0) !== -1) throw new DeskFailure('bad_input', msg('batch.file.binary'));

  const utf8 = tryStrictUtf8(bytes);
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8', hadBom: false, detectedBy: 'utf-8' };

  const guess = detectSingleByte(bytes);
  return { text: decodeWith(bytes, guess.encoding), encoding: guess.encoding, hadBom: false, detectedBy: guess.by };
}

/** A size in MB as the message shows it: one decimal below 10 MB, whole above (formatted where it is worded). */
function megabytes(n: number): number {
  return Number((n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0));
}

function sniffBom(b: Uint8Array): { encoding: string; length: number } | null {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * UTF-16 without BOM: text files are mostly ASCII separators, digits and newlines, whose high byte is
 * NUL. So NULs cluster on one parity (odd positions for LE, even for BE) and almost never on the other.
 */
function sniffUtf16(b: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(b.length, 8192) & ~1;
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    const lo = b[i] === 0;
    const hi = b[i + 1] === 0;
    if (lo && hi) return null; // U+0000 does not occur in text
    if (lo) even++;
    if (hi) odd++;
  }
  const pairs = n / 2;
  if (odd / pairs >= 0.3 && even / pairs <= 0.02) return 'utf-16le';
  if (even / pairs >= 0.3 && odd / pairs <= 0.02) return 'utf-16be';
  return null;
}

function workbookFailure(b: Uint8Array): DeskFailure | null {
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) {
    return new DeskFailure('bad_input', msg('batch.file.excel', { kind: 'xlsx' }));
  }
  if (b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0) {
    return new DeskFailure('bad_input', msg('batch.file.excel', { kind: 'xls' }));
  }
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: false, ignoreBOM: true });

function tryStrictUtf8(b: Uint8Array): string | null {
  try {
    return strictUtf8.decode(b);
  } catch {
    return null;
  }
}

/**
 * Code pages for which the platform TextDecoder (native, no intermediate buffers) agrees with
 * iconv-lite. Not windows-1252: Node 20 decodes it as latin1 (0x80 -> U+0080, not €).
 */
const NATIVE_SINGLE_BYTE = new Set(['windows-1251', 'koi8-r', 'iso-8859-5']);
const nativeDecoders = new Map<string, TextDecoder | null>();
function nativeDecoder(encoding: string): TextDecoder | null {
  let d = nativeDecoders.get(encoding);
  if (d === undefined) {
    try {
      d = NATIVE_SINGLE_BYTE.has(encoding) ? new TextDecoder(encoding, { fatal: false, ignoreBOM: true }) : null;
    } catch {
      d = null;
    }
    nativeDecoders.set(encoding, d);
  }
  return d;
}

function decodeWith(b: Uint8Array, encoding: string): string {
  if (encoding === 'utf-8') return lenientUtf8.decode(b);
  if (encoding === 'utf-16le') return utf16le.decode(b);
  const native = nativeDecoder(encoding);
  if (native !== null) return native.decode(b);
  // Buffer view without copying: iconv-lite wants a Buffer.
  return iconv.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), encoding);
}

// ---------------------------------------------------------------------------------------------
// Single-byte detection

const CYRILLIC_CANDIDATES = ['windows-1251', 'koi8-r', 'ibm866', 'iso-8859-5'] as const;

/** chardet names we accept (no multi-byte CJK guesses for files that failed strict UTF-8). */
const LATIN_FROM_CHARDET: Record<string, string> = {
  'ISO-8859-1': 'windows-1252',
  'windows-1252': 'windows-1252',
  'ISO-8859-9': 'windows-1254',
  'windows-1254': 'windows-1254',
  'ISO-8859-2': 'windows-1250',
  'windows-1250': 'windows-1250',
  'ISO-8859-7': 'windows-1253',
  'windows-1253': 'windows-1253',
  'windows-1257': 'windows-1257',
};

/** Russian letter frequencies (percent), index 0 = 'а' … 31 = 'я'; ё scored as е. */
const RU_FREQ = [
  8.01, 1.59, 4.54, 1.7, 2.98, 8.45, 0.94, 1.65, 7.35, 1.21, 3.49, 4.4, 3.21, 6.7, 10.97, 2.81, 4.73, 5.47, 6.26, 2.62, 0.26,
  0.97, 0.48, 1.44, 0.73, 0.36, 0.04, 1.9, 1.74, 0.32, 0.64, 2.01,
];

function isCyr(c: number): boolean {
  return (c >= 0x410 && c <= 0x44f) || c === 0x401 || c === 0x451;
}
function isCyrLower(c: number): boolean {
  return (c >= 0x430 && c <= 0x44f) || c === 0x451;
}
function isOtherLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
}
function freqOf(c: number): number {
  if (c === 0x401 || c === 0x451) return RU_FREQ[5] ?? 0;
  const i = c >= 0x430 ? c - 0x430 : c - 0x410;
  return RU_FREQ[i] ?? 0;
}

/**
 * How much a decoding looks like Russian text: the mean letter frequency of Cyrillic words that have
 * a plausible case pattern (lower, UPPER, Capitalised) and are not glued to Latin letters, per
 * non-ASCII character. A wrong Cyrillic code page swaps case and letters (low score); a Latin file
 * read as cp1251 gives isolated Cyrillic letters inside Latin words (score ~0).
 */
export function cyrillicScore(text: string): number {
  let high = 0;
  let score = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) high++;
    if (!isCyr(c)) {
      i++;
      continue;
    }
    const start = i;
    let upper = 0;
    let lower = 0;
    const firstUpper = !isCyrLower(c);
    let sum = 0;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (!isCyr(d)) break;
      if (isCyrLower(d)) lower++;
      else upper++;
      sum += freqOf(d);
      i++;
    }
    high += i - start - 1; // the first was counted above
    const glued = (start > 0 && isOtherLetter(text.charCodeAt(start - 1))) || (i < n && isOtherLetter(text.charCodeAt(i)));
    if (glued) continue;
    const len = i - start;
    const plausible = upper === 0 || lower === 0 || (firstUpper && upper === 1);
    if (!plausible) continue;
    score += len === 1 ? sum * 0.5 : sum;
  }
  return high === 0 ? 0 : score / high;
}

const CYRILLIC_THRESHOLD = 2.5;
const LATIN_MARGIN = 10;

function detectSingleByte(bytes: Uint8Array): { encoding: string; by: DetectedBy } {
  let firstHigh = 0;
  while (firstHigh < bytes.length && (bytes[firstHigh] ?? 0) < 0x80) firstHigh++;
  const start = Math.max(0, firstHigh - 1024);
  const sample = bytes.subarray(start, start + SAMPLE_BYTES);
  const sampleBuf = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength);

  let best: string | null = null;
  let bestScore = 0;
  for (const enc of CYRILLIC_CANDIDATES) {
    const s = cyrillicScore(iconv.decode(sampleBuf, enc));
    if (s > bestScore + 1e-9) {
      best = enc;
      bestScore = s;
    }
  }
  if (best !== null && bestScore >= CYRILLIC_THRESHOLD) return { encoding: best, by: 'cyrillic-score' };

  const matches = chardet.analyse(sample);
  let western = 0;
  for (const m of matches) if (LATIN_FROM_CHARDET[m.name] === 'windows-1252') western = Math.max(western, m.confidence);
  for (const m of matches) {
    const enc = LATIN_FROM_CHARDET[m.name];
    if (enc === undefined) continue;
    if (enc === 'windows-1252') return { encoding: enc, by: 'detector' };
    // Turkish and Western code pages differ only in six letters; if none of those bytes occurs the
    // two decodings are identical, so report the far more common windows-1252.
    if (enc === 'windows-1254' && !hasAnyByte(sample, [0xd0, 0xdd, 0xde, 0xf0, 0xfd, 0xfe])) return { encoding: 'windows-1252', by: 'detector' };
    // A few accented letters are a weak signal: another code page must beat Western clearly, and
    // read more of the high bytes as letters ("crème" is "crčme" in windows-1250: a tie, so the
    // more common Western page wins; Polish "łś" is "³œ" in windows-1252: symbols, so 1250 wins).
    if (m.confidence - western >= LATIN_MARGIN && highLetters(sampleBuf, enc) > highLetters(sampleBuf, 'windows-1252')) {
      return { encoding: enc, by: 'detector' };
    }
    return { encoding: 'windows-1252', by: 'detector' };
  }
  return { encoding: 'windows-1252', by: 'fallback' };
}

/** Non-ASCII characters that decode to letters in this code page. */
function highLetters(sample: Buffer, encoding: string): number {
  let n = 0;
  for (const ch of iconv.decode(sample, encoding)) if (ch.charCodeAt(0) >= 0x80 && /\p{L}/u.test(ch)) n++;
  return n;
}

function hasAnyByte(b: Uint8Array, which: number[]): boolean {
  for (const x of which) if (b.indexOf(x) !== -1) return true;
  return false;
}
