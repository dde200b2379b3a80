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
  MsgData,
} from '../../../preload/contract';
import { BATCH_FIELDS } from '../../../preload/contract';
import { ENCODING_CHOICES } from '../../../common/encodings';

// The states' rules are shared with the core (common/batch-rules.ts); the screen imports them from here.
export { canCancel, canPause, canResume, canUndo, isFinished, isUnfinished, wasStarted } from '../../../common/batch-rules';
import { BATCH_ROW_STATUS_KEYS } from '../../../common/statuses';
import type { MessageKey } from '../../../common/i18n/translate';
import { formatNumber, says } from './format';
import { exportDelimiter, t } from './i18n';

export type BatchProgress = EventPayload<'batch.progress'>;
export type Delimiter = BatchCheck['delimiter'];
export type BatchTotals = BatchCheck['totals'];
export type MappingSource = BatchCheck['mappingSource'];

/** 12345 -> "12,345" / "12 345" in the language in use. */
export function count(n: number): string {
  return formatNumber(n);
}

/** "1 row", "2,000 rows". */
export function rowsWords(n: number): string {
  return t('batch.rows', { count: n });
}

// ---------------------------------------------------------------------------------------------
// Fields and columns

/** Fields in the order the mapping panel shows them, with their labels (read when shown, in the language in use). */
export const FIELDS: ReadonlyArray<{ field: BatchField; label: () => string; hint: () => string }> = BATCH_FIELDS.map((field) => ({
  field,
  label: () => t(`batch.field.${field}`),
  hint: () => t(`batch.field.${field}.hint`),
}));

export function fieldLabel(field: BatchField | string): string {
  return FIELDS.find((f) => f.field === field)?.label() ?? field;
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
    options.push({ index: i, label: name ? t('batch.column.named', { n: i + 1, name }) : t('batch.column', { n: i + 1 }) });
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
      return t('batch.mapping.auto');
    case 'remembered':
      return t('batch.mapping.remembered');
    case 'manual':
      return t('batch.mapping.manual');
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding and delimiter

/** The encoding choices in words ("UTF-8 (most files)"), with the detected one first when it is not a usual choice. */
export function encodingOptions(detected: string | null | undefined): Array<{ value: string; label: string }> {
  const d = (detected ?? '').trim().toLowerCase();
  const choices = ENCODING_CHOICES.map((e) => ({ value: e.value, label: e.note ? t('batch.encoding.choice', { name: e.name, note: t(e.note) }) : e.name }));
  if (!d || ENCODING_CHOICES.some((e) => e.value === d)) return choices;
  return [{ value: d, label: d.toUpperCase() }, ...choices];
}

export const DELIMITERS: ReadonlyArray<{ value: Delimiter; label: () => string }> = [
  { value: ',', label: () => t('batch.delimiter.comma') },
  { value: ';', label: () => t('batch.delimiter.semicolon') },
  { value: '\t', label: () => t('batch.delimiter.tab') },
];

export function isDelimiter(value: string): value is Delimiter {
  return value === ',' || value === ';' || value === '\t';
}

// ---------------------------------------------------------------------------------------------
// Problems and totals

/** "Line 12, column balance: Not a number" (or "Line 12: …" when the whole row is concerned). */
export function problemWords(p: BatchProblem): string {
  const column = p.column ?? (p.columnNumber ? t('batch.column', { n: p.columnNumber }) : p.field ? fieldLabel(p.field) : null);
  const message = says(p.msg);
  if (p.line > 0) return column ? t('batch.problem.lineColumn', { line: p.line, column, message }) : t('batch.problem.line', { line: p.line, message });
  return column ? t('batch.problem.fileColumn', { column, message }) : t('batch.problem.file', { message });
}

export function problemsHeading(total: number): string {
  return total === 0 ? t('batch.problems.none') : t('batch.problems.count', { count: total });
}

/** "Showing the first 200 of 1,234 problems." when the list is capped, else null. */
export function problemsCapNote(shown: number, total: number): string | null {
  if (total <= shown) return null;
  return t('batch.problems.capped', { shown, total });
}

/** "X rows to change, Y unchanged, Z with problems, across M memberships". */
export function totalsSentence(totals: BatchTotals): string {
  return t('batch.totals', { toChange: totals.toChange, unchanged: totals.unchanged, invalid: totals.invalid, memberships: totals.memberships });
}

/**
 * The columns are not matched yet (the core reports mapping problems at line 0, with their field,
 * and reads no rows until they are fixed): the preview has nothing to show, but the file is not empty.
 */
export function needsMapping(prep: Pick<BatchCheck, 'problems' | 'totals'>): boolean {
  const totals = prep.totals;
  return totals.toChange + totals.unchanged + totals.invalid === 0 && prep.problems.some((p) => p.line === 0 && p.field !== null);
}

export function unmappedSentence(): string {
  return t('batch.unmapped');
}

/** The apply button: "Apply 1 change" / "Apply 1,234 changes". */
export function applyLabel(toChange: number): string {
  return t('batch.apply', { count: toChange });
}

// ---------------------------------------------------------------------------------------------
// Durations

/** "less than a minute", "about a minute", "about 7 minutes", "about 2 hours 10 minutes". */
export function durationWords(ms: number): string {
  if (!Number.isFinite(ms) || ms < 45_000) return t('duration.underMinute');
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return t('duration.minutes', { minutes: Math.max(1, minutes) });
  // Round to ten minutes beyond the first hour: nobody needs more precision for a long job.
  const tens = Math.round(minutes / 10) * 10;
  const h = Math.floor(tens / 60);
  const m = tens % 60;
  return m === 0 ? t('duration.hours', { hours: h }) : t('duration.hoursMinutes', { hours: h, minutes: m });
}

/** "about 3 minutes left"; null while the rate is still being measured. */
export function timeLeftWords(etaMs: number | null | undefined): string {
  if (etaMs === null || etaMs === undefined || !Number.isFinite(etaMs)) return t('batch.timeLeft.measuring');
  if (etaMs <= 0) return t('batch.timeLeft.almost');
  return t('batch.timeLeft', { duration: durationWords(etaMs) });
}

/** While a file is checked: how far the looking up of its memberships is, and the time left. */
export function checkingWords(p: CheckProgress | null): string | null {
  if (p === null || p.total === 0) return null;
  const done = Math.min(p.done, p.total);
  if (p.done >= p.total) return t('batch.checking.done', { done, total: p.total });
  if (p.etaMs === null || !Number.isFinite(p.etaMs)) return t('batch.checking.measuring', { done, total: p.total });
  return t('batch.checking.progress', { done, total: p.total, left: timeLeftWords(p.etaMs) });
}
export function checkingBusy(): string {
  return t('batch.checking');
}

export type BatchLookups = BatchCheck['lookups'];

/** "1,234 lookups in Altegio, about 4 minutes at the current request rate". */
export function lookupCostWords(l: Pick<BatchLookups, 'requests' | 'estimateMs'>): string {
  return l.estimateMs > 0 ? t('batch.lookups.cost', { count: l.requests, duration: durationWords(l.estimateMs) }) : t('batch.lookups.costUnknown', { count: l.requests });
}

/** Why the check asks before reading: the phones (one lookup each) and what to do instead. */
export function lookupsQuestion(l: BatchLookups): { heading: string; cost: string; suggestion: string | null } {
  const stopped = l.state === 'stopped';
  const heading = stopped ? t('batch.lookups.stopped') : t('batch.lookups.slow');
  const cost = stopped ? t('batch.lookups.stillToDo', { cost: lookupCostWords(l) }) : t('batch.lookups.needs', { cost: lookupCostWords(l) });
  const suggestion = l.phones > 0 ? t('batch.lookups.phones', { count: l.phones, perRequest: 50 }) : null;
  return { heading, cost, suggestion };
}
export type CheckProgress = EventPayload<'batch.checkProgress'>;

/** "Estimated time: about 7 minutes" for a plan. */
export function estimateWords(estimateMs: number, toChange: number): string {
  if (toChange === 0) return t('batch.estimate.none');
  return t('batch.estimate', { duration: durationWords(estimateMs) });
}

// ---------------------------------------------------------------------------------------------
// Job states and progress

const stateWords: Record<BatchState, MessageKey> = {
  draft: 'batch.state.draft',
  planned: 'batch.state.planned',
  running: 'batch.state.running',
  paused: 'batch.state.paused',
  waiting_auth: 'batch.state.waiting_auth',
  offline: 'batch.state.offline',
  cancelled: 'batch.state.cancelled',
  done: 'batch.state.done',
};

/** The state in words as a heading ("Paused"). */
export function stateHeading(state: BatchState): string {
  const key = stateWords[state];
  return key ? t(key) : state;
}

/** A state in the list of previous batches: a "running" batch that is not the one on screen stopped half-way. */
export function historyStateWords(state: BatchState, current: boolean): string {
  if (current) return t('batch.state.shownAbove', { state: stateHeading(state) });
  if (state === 'running') return t('batch.state.interrupted');
  return stateHeading(state);
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
  return t('batch.progress', { done: processed(p), total: p.total, percent: percent(p) });
}

/** A job's progress as known from its summary (before the first progress event arrives). */
export function progressFromSummary(s: BatchSummary): BatchProgress {
  return {
    batchId: s.batchId,
    state: s.state,
    ...(s.message != null && { message: s.message }),
    ...(s.msg != null && { msg: s.msg }),
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
  return { ...s, state: p.state, done: p.done, failed: p.failed, conflicts: p.conflicts, ...(p.message !== undefined && { message: p.message, msg: p.msg ?? null }) };
}

/** A job's or a row's message in the language in use: by reference when the core sent it so, else its words. */
export function messageWords(x: { message?: string | null | undefined; msg?: MsgData | null | undefined }): string | null {
  return x.msg ? says(x.msg) : (x.message ?? null);
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

export function rateWords(requestsPerMinute: number): string {
  if (!Number.isFinite(requestsPerMinute) || requestsPerMinute <= 0) return '—';
  return t('batch.rate', { count: Math.round(requestsPerMinute) });
}

/** "A batch was interrupted: 640 of 2,000 rows done. Resume?" */
export function interruptedSentence(s: BatchSummary): string {
  const p = progressFromSummary(s);
  return t('batch.interrupted', { kind: s.kind, done: processed(p), total: p.total });
}

/** The result of a finished job in one sentence. */
export function outcomeSentence(s: Pick<BatchSummary, 'kind' | 'state' | 'done' | 'failed' | 'conflicts'>): string {
  const parts = [t('batch.outcome.done', { kind: s.kind, count: s.done })];
  if (s.failed > 0) parts.push(t('batch.outcome.failed', { count: s.failed }));
  if (s.conflicts > 0) parts.push(t('batch.outcome.conflicts', { count: s.conflicts }));
  return t('batch.outcome', { state: s.state === 'cancelled' ? 'cancelled' : 'finished', parts: parts.join(', ') });
}

/** "1,200 done · 3 failed · 2 conflicts" for the history list. */
export function countsWords(s: Pick<BatchSummary, 'done' | 'failed' | 'conflicts' | 'totals'>): string {
  return t('batch.counts', { done: s.done, failed: s.failed, conflicts: s.conflicts, total: s.totals.toChange });
}

/** A batch's name: a bulk action's title in the language in use ("Bulk freeze until 20.05.2026"), else its file's name. */
export function jobName(s: Pick<BatchSummary, 'fileName' | 'title'>): string {
  return s.title ? says(s.title) : s.fileName;
}

export function kindWords(s: Pick<BatchSummary, 'kind'>): string {
  return s.kind === 'undo' ? t('batch.kind.undo') : t('batch.kind.apply');
}

// ---------------------------------------------------------------------------------------------
// Plan rows


export function rowStatusWords(row: Pick<BatchPlanRow, 'status' | 'message' | 'msgs' | 'msg'>): string {
  const key = BATCH_ROW_STATUS_KEYS[row.status];
  const w = key ? t(key) : row.status;
  // The row's problems in the language in use, else its write's message by reference; `message` (English) only for what has no words.
  const message = row.msgs && row.msgs.length > 0 ? row.msgs.map((m) => says(m)).join(' ') : messageWords(row);
  return message ? t('batch.row.withMessage', { status: w, message }) : w;
}

/** A row's membership in full (its cell's tooltip): the number, the internal id labelled once resolved, the client when known. */
export function membershipTitle(row: Pick<BatchPlanRow, 'membership' | 'membershipId' | 'client'>): string {
  const parts = [row.membership];
  if (row.membershipId !== null && row.membershipId !== undefined) parts.push(t('audit.membershipIdLine', { id: String(row.membershipId) }));
  if (row.client) parts.push(row.client);
  return parts.join(' · ');
}

/** "7 → 10", "— → 10", "7" when unchanged. */
export function beforeAfter(row: Pick<BatchPlanRow, 'before' | 'after' | 'status'>): string {
  const b = row.before === null ? '—' : count(row.before);
  const a = row.after === null ? '—' : count(row.after);
  if (row.status === 'unchanged' && row.before === row.after) return b;
  return `${b} → ${a}`;
}


// ---------------------------------------------------------------------------------------------
// Steps of the screen and the sample file

export type BatchStep = 'file' | 'columns' | 'problems' | 'preview';
export const STEPS: ReadonlyArray<{ step: BatchStep; label: () => string }> = [
  { step: 'file', label: () => t('batch.step.file') },
  { step: 'columns', label: () => t('batch.step.columns') },
  { step: 'problems', label: () => t('batch.step.problems') },
  { step: 'preview', label: () => t('batch.step.preview') },
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
  if (bytes < 1024) return t('size.bytes', { count: bytes });
  if (bytes < 1024 * 1024) return t('size.kb', { size: Math.round(bytes / 1024) });
  return t('size.mb', { size: Math.round((bytes / (1024 * 1024)) * 10) / 10 });
}

/**
 * A file to start from, in the language in use: the app's own column labels as headers (the import
 * recognises them in every language), the list separator Excel expects there, a BOM for Excel.
 */
export function sampleFile(delimiter: ',' | ';' = exportDelimiter()): { fileName: string; csv: string } {
  const cell = (v: string) => (v.includes(delimiter) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v);
  // The one field list (BATCH_FIELDS), in its order; the sample names services by title, not by id.
  const fields = BATCH_FIELDS.filter((f) => f !== 'service_id');
  const samples: Array<Partial<Record<BatchField, string>>> = [
    { membership_id: '4471901', balance: '10', reason: t('batch.sample.reason1') },
    { membership_id: '4471900', service: t('batch.sample.service'), delta: '+2', reason: t('batch.sample.reason2') },
    { number: '270709', phone: '+1 512 555 0142', delta: '-1', reason: t('batch.sample.reason3') },
  ];
  const rows = [fields.map((f) => t(`batch.field.${f}`)), ...samples.map((row) => fields.map((f) => row[f] ?? ''))];
  return { fileName: 'batch-corrections-sample.csv', csv: '\uFEFF' + rows.map((r) => r.map(cell).join(delimiter)).join('\r\n') + '\r\n' };
}
