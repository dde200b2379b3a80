/**
 * The pure front half of the batch engine in one call: bytes -> decoded text -> table -> mapping ->
 * validated rows -> plan. Two steps because planning needs the memberships the rows refer to:
 * `readBatch` tells the caller which ids and phones to fetch (`refs`), `planBatch` plans against
 * them.
 */
import { decodeBytes, type Decoded, type DetectedBy } from './decode';
import { checkMapping, firstLineSignature, guessMapping, headerSignature, type ColumnMapping, type MappingProblem } from './mapping';
import { detectDelimiter, headerNames, readTableInto, usedWidth, type Delimiter } from './parse';
import { planCorrections, type BatchPlan, type PlanOptions } from './plan';
import type { PlanLookups } from './plan-resolve';
import { OUTCOME_INVALID } from './plan-storage';
import type { RowProblem } from './problems';
import { createValidator, ValidatedRows, type NumberIndex, type RowValidator } from './validate';

export interface BatchReadOptions {
  /** Manual encoding override. */
  encoding?: string;
  /** Manual delimiter override. */
  delimiter?: Delimiter;
  /** First non-empty record is a header (default true). */
  header?: boolean;
  /** Manual (or remembered) mapping; otherwise guessed from the header. */
  mapping?: ColumnMapping;
  maxBytes?: number;
  maxRows?: number;
  previewRows?: number;
  /** The chain's membership index, when read: numbers without a phone resolve through it. */
  numberIndex?: NumberIndex;
  /** The location's calling code: the phone column read as that country writes phones (validate.ts). */
  callingCode?: string | null;
}

export interface BatchRead {
  encoding: string;
  encodingDetectedBy: DetectedBy;
  hadBom: boolean;
  delimiter: Delimiter;
  delimiterDetected: boolean;
  hasHeader: boolean;
  header: string[];
  columnCount: number;
  /** Key under which a manual mapping for this header is remembered. */
  headerSignature: string;
  /** The first records as read (header included) and their lines. */
  preview: string[][];
  previewLines: number[];
  mapping: ColumnMapping;
  mappingSource: 'given' | 'guessed';
  /** Non-empty = the mapping is not usable; no rows were validated. */
  mappingProblems: MappingProblem[];
  parseProblems: RowProblem[];
  /** null when the mapping is not usable. */
  validated: ValidatedRows | null;
  /** Ids and phones to fetch before planning. */
  refs: { ids: number[]; phones: string[] };
}

/** The read result without the validated rows and refs (the plan carries every row). */
export interface PreparedBatch extends Omit<BatchRead, 'validated' | 'refs'> {
  /** Rows read; 0 when the mapping is not usable. */
  rowCount: number;
  plan: BatchPlan | null;
  /** Every problem (parse + rows) in line order. */
  problems: RowProblem[];
}

/** Excel's "Unicode Text" (UTF-16) is tab-separated; anything else falls back to commas. */
function fallbackDelimiter(encoding: string): Delimiter {
  return encoding.startsWith('utf-16') ? '\t' : ',';
}

/** Bytes -> text (the encoding given or detected); throws DeskFailure('bad_input') for files that cannot be read. */
export function decodeBatch(bytes: Uint8Array, options: Pick<BatchReadOptions, 'encoding' | 'maxBytes'> = {}): Decoded {
  return decodeBytes(bytes, { ...(options.encoding !== undefined && { encoding: options.encoding }), ...(options.maxBytes !== undefined && { maxBytes: options.maxBytes }) });
}

/**
 * A first look at a decoded file, cheap next to readBatch: the delimiter detection would pick and
 * the key of its first line (for the delimiter memory; null when it has none).
 */
export function sniffBatch(decoded: Decoded): { delimiter: Delimiter; firstLine: string | null } {
  return { delimiter: detectDelimiter(decoded.text, fallbackDelimiter(decoded.encoding)).delimiter, firstLine: firstLineSignature(decoded.text) };
}

/** Reads a file (bytes, or text decoded once by decodeBatch for several reads). */
export function readBatch(input: Uint8Array | Decoded, options: BatchReadOptions = {}): BatchRead {
  const decoded = input instanceof Uint8Array ? decodeBatch(input, options) : input;
  // Rows are validated as they are read (no table of every record in memory): the mapping is
  // settled by the header, the first record read.
  let mapping: ColumnMapping | null = options.mapping ?? null;
  let started = false;
  let validator: RowValidator | null = null;
  const numberIndex = options.numberIndex;
  const alone = { numbersAlone: numberIndex !== undefined };
  const start = (names: readonly string[]) => {
    started = true;
    mapping ??= names.length > 0 ? guessMapping(names) : {};
    // Unusable whatever the file's width: validating rows would be wasted work.
    validator = checkMapping(mapping, Number.MAX_SAFE_INTEGER, alone).length === 0 ? createValidator(names, mapping, { ...(numberIndex && { numberIndex }), callingCode: options.callingCode ?? null }) : null;
  };
  const table = readTableInto(
    decoded.text,
    {
      ...(options.delimiter !== undefined && { delimiter: options.delimiter }),
      fallbackDelimiter: fallbackDelimiter(decoded.encoding),
      ...(options.header !== undefined && { header: options.header }),
      ...(options.maxRows !== undefined && { maxRows: options.maxRows }),
      ...(options.previewRows !== undefined && { previewRows: options.previewRows }),
    },
    {
      // Named up to the last non-blank cell (a record may hold millions of empty ones).
      header: (cells) => start(headerNames(cells, usedWidth(cells))),
      record(cells, line) {
        if (!started) start([]);
        validator?.row(cells, line);
      },
      restart() {
        started = false;
        validator = null;
      },
    },
  );
  const finalMapping: ColumnMapping = mapping ?? (table.hasHeader ? guessMapping(table.header) : {});
  const mappingProblems = checkMapping(finalMapping, table.columnCount, alone);
  const validated = mappingProblems.length === 0 ? ((validator as RowValidator | null)?.rows ?? new ValidatedRows()) : null;
  return {
    encoding: decoded.encoding,
    encodingDetectedBy: decoded.detectedBy,
    hadBom: decoded.hadBom,
    delimiter: table.delimiter,
    delimiterDetected: table.delimiterDetected,
    hasHeader: table.hasHeader,
    header: table.header,
    columnCount: table.columnCount,
    headerSignature: headerSignature(table.header),
    preview: table.preview,
    previewLines: table.previewLines,
    mapping: finalMapping,
    mappingSource: options.mapping ? 'given' : 'guessed',
    mappingProblems,
    parseProblems: table.problems,
    validated,
    refs: validated ? validated.collectRefs() : { ids: [], phones: [] },
  };
}

export function planBatch(read: BatchRead, lookups: PlanLookups, options: PlanOptions = {}): PreparedBatch {
  const plan = read.validated ? planCorrections(read.validated, lookups, options) : null;
  const { validated, refs: _refs, ...rest } = read;
  // Rows are in line order; merge the (few, line-ordered) parse problems in.
  const problems: RowProblem[] = [];
  const parse = rest.parseProblems;
  let k = 0;
  if (plan) {
    const rows = plan.rows;
    for (let i = 0; i < rows.length; i++) {
      if (rows.outcomeCode(i) !== OUTCOME_INVALID) continue;
      const list = rows.problemsOf(i);
      if (list.length === 0) continue;
      const line = (list[0] as RowProblem).line;
      while (k < parse.length && (parse[k] as RowProblem).line <= line) problems.push(parse[k++] as RowProblem);
      for (const p of list) problems.push(p);
    }
  }
  while (k < parse.length) problems.push(parse[k++] as RowProblem);
  return { ...rest, rowCount: validated?.total ?? 0, plan, problems };
}
