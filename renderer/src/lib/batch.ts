/**
 * Batch corrections (CSV) in words for a salon owner: fields, encodings, delimiters, totals,
 * durations, job states and progress. Pure functions (no DOM, no runes), unit-tested.
 */
import type {
  BatchField,
  BatchPlanRow,
  BatchCheck,
  BatchProblem,
  BatchState,
  BatchSummary,
  ColumnMapping,
  EventPayload,
} from '../../../preload/contract';
import { ENCODING_CHOICES } from '../../../common/encodings';

export type BatchProgress = EventPayload<'batch.progress'>;
export type Delimiter = BatchCheck['delimiter'];
export type BatchTotals = BatchCheck['totals'];
export type MappingSource = BatchCheck['mappingSource'];

const NUMBER = new Intl.NumberFormat('en-GB');

/** 12345 -> "12,345". */
export function count(n: number): string {
  return NUMBER.format(n);
}

/** "1 row", "2,000 rows". */
export function countOf(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// Fields and columns

/** Fields in the order the mapping panel shows them, with their labels. */
export const FIELDS: ReadonlyArray<{ field: BatchField; label: string; hint: string }> = [
  { field: 'membership_id', label: 'Membership ID', hint: 'The membership’s id in Altegio.' },
  { field: 'number', label: 'Membership number', hint: 'Used with the phone when there is no ID.' },
  { field: 'phone', label: 'Phone', hint: 'The client’s phone, used with the membership number.' },
  { field: 'service_id', label: 'Service ID', hint: 'Which service balance to change; empty means the shared balance.' },
  { field: 'service', label: 'Service', hint: 'The service name as it appears on the membership.' },
  { field: 'balance', label: 'New balance', hint: 'The number of visits left after the change.' },
  { field: 'delta', label: 'Change (+/−)', hint: 'Visits to add (+3) or take away (−2).' },
  { field: 'reason', label: 'Reason', hint: 'Kept in the audit log and the report.' },
];

export function fieldLabel(field: BatchField | string): string {
  return FIELDS.find((f) => f.field === field)?.label ?? field;
}

export interface ColumnOption {
  index: number;
  label: string;
}

/** "Column 2: balance" for each column of the file (header text when there is one). */
export function columnOptions(headers: readonly string[], previewRows: readonly (readonly string[])[] = []): ColumnOption[] {
  const width = Math.max(headers.length, ...previewRows.map((r) => r.length), 0);
  const options: ColumnOption[] = [];
  for (let i = 0; i < width; i++) {
    const name = (headers[i] ?? '').trim();
    options.push({ index: i, label: name ? `Column ${i + 1}: ${name}` : `Column ${i + 1}` });
  }
  return options;
}

/** The whole mapping (every field, null = not in file) with one field changed. */
export function mappingWith(current: ColumnMapping, field: BatchField, index: number | null): ColumnMapping {
  const next: ColumnMapping = {};
  for (const f of FIELDS) next[f.field] = current[f.field] ?? null;
  next[field] = index;
  return next;
}

/** A `<select>` value for a field: the column index as text, or '' for "Not in file". */
export function mappingValue(mapping: ColumnMapping, field: BatchField): string {
  const v = mapping[field];
  return typeof v === 'number' ? String(v) : '';
}

export function parseMappingValue(value: string): number | null {
  if (value === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

export function mappingSourceWords(source: MappingSource): string {
  switch (source) {
    case 'auto':
      return 'Guessed from the column names in the file. Check each one.';
    case 'remembered':
      return 'Remembered from the last time you chose the columns for a file like this.';
    case 'manual':
      return 'As you chose. It will be remembered for files like this.';
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding and delimiter

/** The encodings a person can pick (one list, declared with the contract). */

/** The encoding choices, with the detected one included even when it is not a usual choice. */
export function encodingOptions(detected: string | null | undefined): Array<{ value: string; label: string }> {
  const d = (detected ?? '').trim().toLowerCase();
  if (!d || ENCODING_CHOICES.some((e) => e.value === d)) return [...ENCODING_CHOICES];
  return [{ value: d, label: d.toUpperCase() }, ...ENCODING_CHOICES];
}

export const DELIMITERS: ReadonlyArray<{ value: Delimiter; label: string }> = [
  { value: ',', label: 'Comma' },
  { value: ';', label: 'Semicolon' },
  { value: '\t', label: 'Tab' },
];

export function isDelimiter(value: string): value is Delimiter {
  return value === ',' || value === ';' || value === '\t';
}

// ---------------------------------------------------------------------------------------------
// Problems and totals

/** "Line 12, column balance: Not a number" (or "Line 12: …" when the whole row is concerned). */
export function problemWords(p: BatchProblem): string {
  const where = p.line > 0 ? `Line ${p.line}` : 'The file';
  const column = p.column ?? (p.field ? fieldLabel(p.field) : null);
  return column ? `${where}, column ${column}: ${p.message}` : `${where}: ${p.message}`;
}

export function problemsHeading(total: number): string {
  return total === 0 ? 'No problems' : countOf(total, 'problem', 'problems');
}

/** "Showing the first 200 of 1,234 problems." when the list is capped, else null. */
export function problemsCapNote(shown: number, total: number): string | null {
  if (total <= shown) return null;
  return `Showing the first ${count(shown)} of ${count(total)} problems. All of them are in the table below (“Only rows with problems”) and in the report.`;
}

/** "X rows to change, Y unchanged, Z with problems, across M memberships". */
export function totalsSentence(t: BatchTotals): string {
  return `${countOf(t.toChange, 'row', 'rows')} to change, ${count(t.unchanged)} unchanged, ${count(t.invalid)} with problems, across ${countOf(t.memberships, 'membership', 'memberships')}`;
}

/**
 * The columns are not matched yet (the core reports mapping problems at line 0, with their field,
 * and reads no rows until they are fixed): the preview has nothing to show, but the file is not empty.
 */
export function needsMapping(prep: Pick<BatchCheck, 'problems' | 'totals'>): boolean {
  const t = prep.totals;
  return t.toChange + t.unchanged + t.invalid === 0 && prep.problems.some((p) => p.line === 0 && p.field !== null);
}

export const UNMAPPED_SENTENCE = 'The rows are read once the columns are matched: choose them above to see what the file changes.';

/** The apply button: "Apply 1 change" / "Apply 1,234 changes". */
export function applyLabel(toChange: number): string {
  return `Apply ${countOf(toChange, 'change', 'changes')}`;
}

// ---------------------------------------------------------------------------------------------
// Durations

/** "less than a minute", "about a minute", "about 7 minutes", "about 2 hours 10 minutes". */
export function durationWords(ms: number): string {
  if (!Number.isFinite(ms) || ms < 45_000) return 'less than a minute';
  const minutes = Math.round(ms / 60_000);
  if (minutes <= 1) return 'about a minute';
  if (minutes < 60) return `about ${minutes} minutes`;
  // Round to ten minutes beyond the first hour: nobody needs more precision for a long job.
  const tens = Math.round(minutes / 10) * 10;
  const h = Math.floor(tens / 60);
  const m = tens % 60;
  const hours = h === 1 ? 'an hour' : `${h} hours`;
  if (m === 0) return `about ${hours}`;
  return `about ${h === 1 ? '1 hour' : hours} ${m} minutes`;
}

/** "about 3 minutes left"; null while the rate is still being measured. */
export function timeLeftWords(etaMs: number | null | undefined): string {
  if (etaMs === null || etaMs === undefined || !Number.isFinite(etaMs)) return 'working out the time left…';
  if (etaMs <= 0) return 'almost done';
  return `${durationWords(etaMs)} left`;
}

/** While a file is checked: how far the looking up of its memberships is, and the time left. */
export function checkingWords(p: CheckProgress | null): string | null {
  if (p === null || p.total === 0) return null;
  const head = `Looking up memberships in Altegio: ${count(Math.min(p.done, p.total))} of ${count(p.total)} done`;
  if (p.done >= p.total) return `${head}.`;
  const left = timeLeftWords(p.etaMs);
  return `${head}, ${left}${left.endsWith('…') ? '' : '.'}`;
}
export const CHECKING = 'Checking every row against Altegio…';

export type BatchLookups = BatchCheck['lookups'];

/** "1,234 lookups in Altegio, about 4 minutes at the current request rate". */
export function lookupCostWords(l: Pick<BatchLookups, 'requests' | 'estimateMs'>): string {
  return `${countOf(l.requests, 'lookup', 'lookups')} in Altegio, ${l.estimateMs > 0 ? durationWords(l.estimateMs) : 'time unknown'} at the current request rate`;
}

/** Why the check asks before reading: the phones (one lookup each) and what to do instead. */
export function lookupsQuestion(l: BatchLookups): { heading: string; cost: string; suggestion: string | null } {
  const heading = l.state === 'stopped' ? 'Checking stopped before every membership was found' : 'Finding these memberships takes a while';
  const cost = `${l.state === 'stopped' ? 'Still to do' : 'This file needs'}: ${lookupCostWords(l)}.`;
  const suggestion =
    l.phones > 0
      ? `${countOf(l.phones, 'phone is', 'phones are')} looked up one by one. A file with a Membership ID column needs one lookup per ${count(50)} rows: export the IDs from Altegio and it is checked in seconds.`
      : null;
  return { heading, cost, suggestion };
}
export type CheckProgress = EventPayload<'batch.checkProgress'>;

/** "Estimated time: about 7 minutes" for a plan. */
export function estimateWords(estimateMs: number, toChange: number): string {
  if (toChange === 0) return 'Nothing to send.';
  return `Estimated time at Altegio’s request limit: ${durationWords(estimateMs)}.`;
}

// ---------------------------------------------------------------------------------------------
// Job states and progress

const stateWords: Record<BatchState, string> = {
  draft: 'not started',
  planned: 'ready to apply',
  running: 'running',
  paused: 'paused',
  waiting_auth: 'waiting for you to sign in again',
  offline: 'offline — will continue when the connection is back',
  cancelled: 'cancelled',
  done: 'done',
};

/** The state in words, lower case ("paused"); see `stateHeading` for a sentence start. */
export function stateInWords(state: BatchState): string {
  return stateWords[state] ?? state;
}

export function stateHeading(state: BatchState): string {
  const w = stateInWords(state);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** A state in the list of previous batches: a "running" batch that is not the one on screen stopped half-way. */
export function historyStateWords(state: BatchState, current: boolean): string {
  if (current) return `${stateHeading(state)} (shown above)`;
  if (state === 'running') return 'Interrupted';
  return stateHeading(state);
}

/** Started and not finished: something to resume (after a crash, `running` is what the journal says). */
export function isUnfinished(state: BatchState): boolean {
  return state === 'running' || state === 'paused' || state === 'waiting_auth' || state === 'offline';
}

export function isFinished(state: BatchState): boolean {
  return state === 'done' || state === 'cancelled';
}

export const canPause = (state: BatchState): boolean => state === 'running' || state === 'offline' || state === 'waiting_auth';
export const canResume = (state: BatchState): boolean => state === 'paused';
export const canCancel = (state: BatchState): boolean => isUnfinished(state);

/** An applied (not an undo) batch that changed something and has not been undone yet. */
export function canUndo(s: BatchSummary): boolean {
  return s.kind === 'apply' && isFinished(s.state) && s.done > 0 && !s.undoneBy;
}

/**
 * Rows the job has dealt with. The contract's `done`, `failed` and `conflicts` are read as three
 * separate outcomes (done = applied), so together they are the rows processed; clamped to the total.
 */
export function processed(p: Pick<BatchProgress, 'total' | 'done' | 'failed' | 'conflicts'>): number {
  const n = Math.max(0, p.done) + Math.max(0, p.failed) + Math.max(0, p.conflicts);
  return p.total > 0 ? Math.min(n, p.total) : n;
}

export function percent(p: Pick<BatchProgress, 'total' | 'done' | 'failed' | 'conflicts' | 'state'>): number {
  if (p.state === 'done') return 100;
  if (p.total <= 0) return 0;
  return Math.floor((processed(p) / p.total) * 100);
}

/** The text next to the progress bar: "1,200 of 2,000 rows (60%)". */
export function progressLabel(p: BatchProgress): string {
  return `${count(processed(p))} of ${countOf(p.total, 'row', 'rows')} (${percent(p)}%)`;
}

/** A job's progress as known from its summary (before the first progress event arrives). */
export function progressFromSummary(s: BatchSummary): BatchProgress {
  return {
    batchId: s.batchId,
    state: s.state,
    ...(s.message != null && { message: s.message }),
    total: s.totals.toChange,
    done: s.done,
    failed: s.failed,
    conflicts: s.conflicts,
    requestsPerMinute: 0,
    etaMs: null,
  };
}

/** A summary brought up to date by a progress event for the same batch. */
export function summaryWithProgress(s: BatchSummary, p: BatchProgress): BatchSummary {
  if (s.batchId !== p.batchId) return s;
  return { ...s, state: p.state, done: p.done, failed: p.failed, conflicts: p.conflicts, ...(p.message !== undefined && { message: p.message }) };
}

/**
 * A newer reply about the same batch: its state wins (it answers what was just asked), but counts
 * never go back (a progress event may have been ahead of the reply).
 */
export function mergeSummary(prev: BatchSummary | null, next: BatchSummary): BatchSummary {
  if (!prev || prev.batchId !== next.batchId) return next;
  return {
    ...next,
    done: Math.max(prev.done, next.done),
    failed: Math.max(prev.failed, next.failed),
    conflicts: Math.max(prev.conflicts, next.conflicts),
  };
}

/** Batches that did something (or tried to): a file that was only checked is not listed. */
export function wasStarted(s: Pick<BatchSummary, 'state'>): boolean {
  return s.state !== 'draft' && s.state !== 'planned';
}

export function rateWords(requestsPerMinute: number): string {
  if (!Number.isFinite(requestsPerMinute) || requestsPerMinute <= 0) return '—';
  return `${count(Math.round(requestsPerMinute))} requests per minute`;
}

/** "A batch was interrupted: 640 of 2,000 rows done. Resume?" */
export function interruptedSentence(s: BatchSummary): string {
  const p = progressFromSummary(s);
  const what = s.kind === 'undo' ? 'An undo of a batch' : 'A batch';
  return `${what} was interrupted: ${count(processed(p))} of ${countOf(p.total, 'row', 'rows')} done. Resume?`;
}

/** The result of a finished job in one sentence. */
export function outcomeSentence(s: Pick<BatchSummary, 'kind' | 'state' | 'done' | 'failed' | 'conflicts'>): string {
  const verb = s.kind === 'undo' ? 'restored' : 'changed';
  const parts = [`${countOf(s.done, 'row', 'rows')} ${verb}`];
  if (s.failed > 0) parts.push(`${count(s.failed)} failed`);
  if (s.conflicts > 0) parts.push(`${count(s.conflicts)} not touched because someone changed them in the meantime`);
  const start = s.state === 'cancelled' ? 'Cancelled' : 'Finished';
  return `${start}: ${parts.join(', ')}.`;
}

/** "1,200 done · 3 failed · 2 conflicts" for the history list. */
export function countsWords(s: Pick<BatchSummary, 'done' | 'failed' | 'conflicts' | 'totals'>): string {
  return `${count(s.done)} done · ${count(s.failed)} failed · ${countOf(s.conflicts, 'conflict', 'conflicts')} · of ${count(s.totals.toChange)}`;
}

export function kindWords(s: Pick<BatchSummary, 'kind'>): string {
  return s.kind === 'undo' ? 'Undo' : 'Corrections';
}

// ---------------------------------------------------------------------------------------------
// Plan rows

const ROW_STATUS_WORDS: Record<BatchPlanRow['status'], string> = {
  change: 'Will change',
  unchanged: 'No change needed',
  invalid: 'Problem',
  applied: 'Applied',
  failed: 'Failed',
  conflict: 'Changed by someone else',
  pending: 'Waiting',
  skipped: 'Skipped',
};

export function rowStatusWords(row: Pick<BatchPlanRow, 'status' | 'message'>): string {
  const w = ROW_STATUS_WORDS[row.status] ?? row.status;
  return row.message ? `${w}: ${row.message}` : w;
}

/** "7 → 10", "— → 10", "7" when unchanged. */
export function beforeAfter(row: Pick<BatchPlanRow, 'before' | 'after' | 'status'>): string {
  const b = row.before === null ? '—' : String(row.before);
  const a = row.after === null ? '—' : String(row.after);
  if (row.status === 'unchanged' && row.before === row.after) return b;
  return `${b} → ${a}`;
}


// ---------------------------------------------------------------------------------------------
// Steps of the screen and the sample file

export type BatchStep = 'file' | 'columns' | 'problems' | 'preview';
export const STEPS: ReadonlyArray<{ step: BatchStep; label: string }> = [
  { step: 'file', label: 'File' },
  { step: 'columns', label: 'Columns' },
  { step: 'problems', label: 'Problems' },
  { step: 'preview', label: 'Preview' },
];

/** Where to take a person once a newly opened file is checked: what needs them first. */
export function firstStep(check: Pick<BatchCheck, 'problems' | 'problemCount' | 'totals' | 'lookups'>): BatchStep {
  if (check.lookups.state === 'ask' || check.lookups.state === 'stopped') return 'problems';
  if (needsMapping(check)) return 'columns';
  return check.problemCount > 0 ? 'problems' : 'preview';
}

/** Rows with problems can go to a "fix-me" file (problems of the file as a whole have no row). */
export function hasRowProblems(check: Pick<BatchCheck, 'problems'>): boolean {
  return check.problems.some((p) => p.line > 0);
}

/** "12 KB", "3.4 MB". */
export function sizeWords(bytes: number): string {
  if (bytes < 1024) return `${count(bytes)} bytes`;
  if (bytes < 1024 * 1024) return `${count(Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A file to start from: every column the app reads, Excel-friendly (BOM, semicolons). */
export const SAMPLE_FILE = {
  fileName: 'batch-corrections-sample.csv',
  csv:
    '\uFEFF' +
    [
      'membership_id;number;phone;service;balance;delta;reason',
      '4471901;;;;10;;Balance after the audit',
      '4471900;;;Pilates group;;+2;Two visits added back',
      ';270709;+1 512 555 0142;;;-1;Visit not recorded',
    ].join('\r\n') +
    '\r\n',
};
