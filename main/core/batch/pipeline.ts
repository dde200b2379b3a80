/**
 * The pure front half of the batch engine in one call: bytes -> decoded text -> table -> mapping ->
 * validated rows -> plan. Two steps because planning needs the memberships the rows refer to:
 * `readBatch` tells the caller which ids and phones to fetch (`refs`), `planBatch` plans against
 * them; `prepareBatch` does both when the lookups are already at hand.
 */
import { decodeBytes, type DetectedBy } from './decode';
import { checkMapping, guessMapping, headerSignature, type ColumnMapping, type MappingProblem } from './mapping';
import { parseTable, type Delimiter, type ParsedTable } from './parse';
import { collectRefs, createPlanner, planCorrections, type BatchPlan, type PlanLookups, type PlanOptions } from './plan';
import type { RowProblem } from './problems';
import { validateRows, validateRowsTransient, type ValidatedRows } from './validate';

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

/** The read result without the intermediate corrections and refs (the plan carries every row). */
export interface PreparedBatch extends Omit<BatchRead, 'validated' | 'refs'> {
  /** Rows read; 0 when the mapping is not usable. */
  rowCount: number;
  plan: BatchPlan | null;
  /** Every problem (parse + rows) in line order. */
  problems: RowProblem[];
}

export function readBatch(bytes: Uint8Array, options: BatchReadOptions = {}): BatchRead {
  const { table, ...rest } = readTable(bytes, options);
  const validated = rest.mappingProblems.length === 0 ? validateRows(table, rest.mapping) : null;
  return { ...rest, validated, refs: validated ? collectRefs(validated.corrections) : { ids: [], phones: [] } };
}

type TableRead = Omit<BatchRead, 'validated' | 'refs'> & { table: ParsedTable };

function readTable(bytes: Uint8Array, options: BatchReadOptions): TableRead {
  const decoded = decodeBytes(bytes, { ...(options.encoding !== undefined && { encoding: options.encoding }), ...(options.maxBytes !== undefined && { maxBytes: options.maxBytes }) });
  const table = parseTable(decoded.text, {
    ...(options.delimiter !== undefined && { delimiter: options.delimiter }),
    // Excel's "Unicode Text" (UTF-16) is tab-separated.
    fallbackDelimiter: decoded.encoding.startsWith('utf-16') ? '\t' : ',',
    ...(options.header !== undefined && { header: options.header }),
    ...(options.maxRows !== undefined && { maxRows: options.maxRows }),
    ...(options.previewRows !== undefined && { previewRows: options.previewRows }),
  });
  const mapping = options.mapping ?? (table.hasHeader ? guessMapping(table.header) : {});
  const mappingProblems = checkMapping(mapping, table.columnCount);
  return {
    table,
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
    mapping,
    mappingSource: options.mapping ? 'given' : 'guessed',
    mappingProblems,
    parseProblems: table.problems,
  };
}

export function planBatch(read: BatchRead, lookups: PlanLookups, options: PlanOptions = {}): PreparedBatch {
  const plan = read.validated ? planCorrections(read.validated, lookups, options) : null;
  const { validated, refs: _refs, ...rest } = read;
  return finish(rest, validated?.total ?? 0, plan);
}

function finish(read: Omit<BatchRead, 'validated' | 'refs'>, rowCount: number, plan: BatchPlan | null): PreparedBatch {
  // Rows are in line order; merge the (few, line-ordered) parse problems in.
  const problems: RowProblem[] = [];
  const parse = read.parseProblems;
  let k = 0;
  if (plan) {
    for (const r of plan.rows) {
      if (r.problems.length === 0) continue;
      while (k < parse.length && (parse[k] as RowProblem).line <= r.line) problems.push(parse[k++] as RowProblem);
      for (const p of r.problems) problems.push(p);
    }
  }
  while (k < parse.length) problems.push(parse[k++] as RowProblem);
  return { ...read, rowCount, plan, problems };
}

/** Everything the UI needs for the preview, in one call. Throws DeskFailure('bad_input') for unreadable files. */
export function prepareBatch(bytes: Uint8Array, options: BatchReadOptions & PlanOptions, lookups: PlanLookups): PreparedBatch {
  const { table, ...rest } = readTable(bytes, options);
  if (rest.mappingProblems.length > 0) return finish(rest, 0, null);
  // Streaming: each row is planned as soon as it is validated, so no intermediate correction
  // outlives its row; the planner copies what it needs, so one correction object serves every row.
  const planner = createPlanner(table.rows.length, lookups, options);
  validateRowsTransient(table, rest.mapping, { correction: (c) => planner.add(c), invalid: (i) => planner.addInvalid(i) });
  const rowCount = table.rows.length;
  table.rows = []; // the raw records can go before the plan is finished
  return finish(rest, rowCount, planner.finish());
}
