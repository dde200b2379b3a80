/**
 * The batch screen's state, kept outside the screen so a running batch, the file being checked and
 * the list of previous batches survive going to another screen and back (and so the interrupted-
 * batch banner can live in the app shell). Only the core changes a batch: every reply and every
 * `batch.progress` event replaces what is shown.
 */
import type { BatchCheck, BatchField, BatchSummary, ColumnMapping, DeskError } from '../../../preload/contract';
import { app } from './app.svelte';
import { saveCsv } from './download';
import {
  isFinished,
  isUnfinished,
  mappingWith,
  mergeSummary,
  progressFromSummary,
  summaryWithProgress,
  checkingBusy,
  sampleFile,
  firstStep,
  type BatchProgress,
  type BatchStep,
  type CheckProgress,
  type Delimiter,
} from './batch';
import { fileProblem } from './batch-file';
import { createLatest } from './call';
import { desk } from './desk';
import { currentLanguage, exportDelimiter, t } from './i18n';

export interface PrepareOverrides {
  encoding?: string;
  delimiter?: Delimiter;
  mapping?: ColumnMapping;
}

/** How often, at most, the preview table refetches its rows while a batch runs. */
const ROWS_REFRESH_MS = 2000;

function localError(message: string): DeskError {
  return { kind: 'bad_input', code: 'app.check_fields', origin: 'app', message };
}

class BatchDesk {
  // --- the file being checked
  fileName = $state<string | null>(null);
  /** The chosen file's size in bytes (shown next to its name). */
  fileSize = $state<number | null>(null);
  /** The step of the screen in view while a file is checked (see `firstStep`). */
  step = $state<BatchStep>('file');
  prep = $state.raw<BatchCheck | null>(null);
  overrides = $state.raw<PrepareOverrides>({});
  /** What is happening while a file is read or checked ("Reading the file…"); null when idle. */
  busy = $state<string | null>(null);
  /** While the file is checked against Altegio: requests done of those needed (null before the first). */
  checkProgress = $state.raw<CheckProgress | null>(null);
  prepError = $state<DeskError | null>(null);
  /** A file that cannot be used, before anything is sent (wrong type, too large). */
  fileError = $state<string | null>(null);

  // --- the batch being applied or undone
  job = $state.raw<BatchSummary | null>(null);
  progress = $state.raw<BatchProgress | null>(null);
  jobBusy = $state(false);
  jobError = $state<DeskError | null>(null);
  notice = $state<string | null>(null);

  // --- previous batches
  history = $state.raw<BatchSummary[]>([]);
  historyLoaded = $state(false);
  historyLoading = $state(false);
  historyError = $state<DeskError | null>(null);
  bannerDismissed = $state(false);

  /** Bumped when the rows of the batch in view may have changed (the preview table refetches). */
  rowsVersion = $state(0);

  /** An unfinished batch that is not the one on screen: the "A batch was interrupted" banner. */
  interrupted = $derived(this.history.find((s) => isUnfinished(s.state) && s.batchId !== this.job?.batchId) ?? null);

  /** Progress of the current job: the last event, or its summary until the first event. */
  live = $derived.by((): BatchProgress | null => {
    const j = this.job;
    if (!j) return null;
    const p = this.progress;
    // The job carries the latest state and counts (from replies and events); the event adds the rate and time left.
    return p && p.batchId === j.batchId ? { ...p, state: j.state, done: j.done, failed: j.failed, conflicts: j.conflicts } : progressFromSummary(j);
  });

  /** The open file in the core (`batch.open`): every check names it instead of sending it again. */
  #fileId: string | null = null;
  /** The person agreed to the lookups this file needs (asked once per file). */
  #lookupsAgreed = false;
  #latest = createLatest();
  #listening = false;
  /** A check (batch.check) is under way: its progress events are ours to show. */
  #checking = false;
  #profileId: string | null = null;
  #lastRowsRefresh = Number.NEGATIVE_INFINITY;

  /** Forgets everything when another person signs in on this computer. */
  ensureProfile(): void {
    const id = app.session?.profile?.id ?? null;
    if (id === this.#profileId) return;
    this.#profileId = id;
    this.#clearFile();
    this.job = null;
    this.progress = null;
    this.jobError = null;
    this.notice = null;
    this.history = [];
    this.historyLoaded = false;
    this.bannerDismissed = false;
  }

  listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    desk().on('batch.progress', (p) => this.#onProgress(p));
    desk().on('batch.checkProgress', (p) => {
      if (!this.#checking) return;
      this.checkProgress = p;
    });
  }

  // ------------------------------------------------------------------------------------------
  // Open and check a file

  async openFile(file: File): Promise<void> {
    this.listen();
    this.notice = null;
    const problem = fileProblem(file);
    if (problem) {
      this.fileError = problem;
      return;
    }
    const ticket = this.#latest.next();
    this.#clearFile();
    this.fileName = file.name.slice(0, 260);
    this.busy = t('batch.reading');
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch {
      if (!this.#latest.isCurrent(ticket)) return;
      this.busy = null;
      this.fileError = t('batch.file.unreadable');
      return;
    }
    if (!this.#latest.isCurrent(ticket)) return;
    const reply = await app.call('batch.open', { fileName: this.fileName, bytes });
    if (!this.#latest.isCurrent(ticket)) return;
    this.busy = null;
    if (!reply.ok) {
      this.prepError = reply.error;
      return;
    }
    this.#fileId = reply.value.fileId;
    this.fileSize = reply.value.size;
    await this.#check(true);
  }

  /** The rows with problems as they were in the file, plus what is wrong: to fix in Excel and open again. */
  async downloadFixMe(): Promise<void> {
    const fileId = this.#fileId;
    if (fileId === null) return;
    this.notice = null;
    const reply = await app.call('batch.fixMe', { fileId, delimiter: exportDelimiter(), language: currentLanguage() });
    if (!reply.ok) {
      this.prepError = reply.error;
      return;
    }
    this.notice = saveCsv(reply.value);
  }

  downloadSample(): void {
    this.notice = saveCsv(sampleFile());
  }

  /** The person agreed to the lookups the check asked about: check again, reading them. */
  lookUp(): Promise<void> {
    this.#lookupsAgreed = true;
    return this.#check(true);
  }

  /** Stops the check under way: its reads stop, and it answers what it found in the file. */
  async stopCheck(): Promise<void> {
    if (!this.#checking) return;
    await app.call('batch.stopCheck', {});
  }

  setEncoding(encoding: string): Promise<void> {
    this.overrides = { ...this.overrides, encoding };
    return this.#check();
  }

  setDelimiter(delimiter: Delimiter): Promise<void> {
    // Other columns: the chosen mapping no longer applies.
    const { mapping: _mapping, ...rest } = this.overrides;
    this.overrides = { ...rest, delimiter };
    return this.#check();
  }

  setMapping(field: BatchField, index: number | null): Promise<void> {
    const current = this.overrides.mapping ?? this.prep?.mapping ?? {};
    this.overrides = { ...this.overrides, mapping: mappingWith(current, field, index) };
    return this.#check();
  }

  /** Forget the file (and a finished job) and start again. */
  startOver(): void {
    this.#latest.next();
    this.#clearFile();
    if (this.job && isFinished(this.job.state)) {
      this.job = null;
      this.progress = null;
    }
    this.jobError = null;
    this.notice = null;
  }

  #clearFile(): void {
    this.#fileId = null;
    this.#lookupsAgreed = false;
    this.fileName = null;
    this.fileSize = null;
    this.step = 'file';
    this.prep = null;
    this.overrides = {};
    this.busy = null;
    this.prepError = null;
    this.fileError = null;
    // A check still running in the core for the file before is no longer ours to show.
    this.#checking = false;
    this.checkProgress = null;
  }

  /** Checks the open file with the current settings; `guide`: then show the step that needs the person. */
  async #check(guide = false): Promise<void> {
    const fileId = this.#fileId;
    if (fileId === null) return;
    const selection = app.session?.selection;
    if (!selection) {
      this.prepError = localError(t('batch.chooseLocation'));
      return;
    }
    const ticket = this.#latest.next();
    this.busy = checkingBusy();
    this.#checking = true;
    this.checkProgress = null;
    this.prepError = null;
    const reply = await app.call('batch.check', {
      fileId,
      chainId: selection.chainId,
      locationId: selection.locationId,
      ...this.overrides,
      ...(this.#lookupsAgreed && { lookups: true }),
      language: currentLanguage(),
    });
    if (!this.#latest.isCurrent(ticket)) return;
    this.busy = null;
    this.#checking = false;
    this.checkProgress = null;
    if (reply.ok) {
      this.prep = reply.value;
      this.rowsVersion += 1;
      if (guide) this.step = firstStep(reply.value);
    } else this.prepError = reply.error;
  }

  // ------------------------------------------------------------------------------------------
  // Apply, pause, resume, cancel, undo

  async apply(): Promise<boolean> {
    const checkId = this.prep?.checkId;
    if (!checkId) return false;
    return this.#run(() => app.call('batch.apply', { checkId }), true);
  }

  /** A previewed bulk action becomes a batch job: followed, paused, reported and undone as one. */
  applyBulk(previewId: string): Promise<boolean> {
    return this.#run(() => app.call('bulk.apply', { previewId }), true);
  }

  pause(): Promise<boolean> {
    const j = this.job;
    return j ? this.#run(() => app.call('batch.pause', { batchId: j.batchId })) : Promise.resolve(false);
  }

  /** Resumes the current job, or an interrupted one from the list or the banner. */
  resume(batchId?: string): Promise<boolean> {
    const id = batchId ?? this.job?.batchId;
    if (!id) return Promise.resolve(false);
    this.bannerDismissed = true;
    return this.#run(() => app.call('batch.resume', { batchId: id }), id !== this.job?.batchId);
  }

  cancel(): Promise<boolean> {
    const j = this.job;
    return j ? this.#run(() => app.call('batch.cancel', { batchId: j.batchId })) : Promise.resolve(false);
  }

  undo(batchId: string): Promise<boolean> {
    return this.#run(() => app.call('batch.undo', { batchId, language: currentLanguage() }), true);
  }

  async #run(send: () => ReturnType<typeof app.call<'batch.apply'>>, newJob = false): Promise<boolean> {
    this.listen();
    this.jobBusy = true;
    this.jobError = null;
    this.notice = null;
    const reply = await send();
    this.jobBusy = false;
    if (!reply.ok) {
      this.jobError = reply.error;
      return false;
    }
    const summary = reply.value;
    if (newJob || this.job?.batchId !== summary.batchId) {
      this.progress = null;
      this.#clearFile();
    }
    this.job = mergeSummary(this.job, summary);
    this.rowsVersion += 1;
    this.#mergeHistory(this.job);
    void this.refreshHistory();
    return true;
  }

  async downloadReport(batchId: string): Promise<void> {
    this.notice = null;
    const reply = await app.call('batch.report', { batchId, delimiter: exportDelimiter(), language: currentLanguage() });
    if (!reply.ok) {
      this.jobError = reply.error;
      return;
    }
    this.notice = saveCsv(reply.value);
  }

  // ------------------------------------------------------------------------------------------
  // Previous batches and progress events

  async refreshHistory(): Promise<void> {
    this.listen();
    this.historyLoading = true;
    const reply = await app.call('batch.list', {});
    this.historyLoading = false;
    if (!reply.ok) {
      this.historyError = reply.error;
      return;
    }
    this.historyError = null;
    this.historyLoaded = true;
    this.history = [...reply.value.batches].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    const j = this.job;
    if (j) {
      const fresh = this.history.find((s) => s.batchId === j.batchId);
      // A progress event may be newer than the list while it runs: keep whichever is further on.
      if (fresh) this.job = isFinished(fresh.state) || !isFinished(j.state) ? mergeSummary(j, fresh) : j;
    }
  }

  #mergeHistory(summary: BatchSummary): void {
    const i = this.history.findIndex((s) => s.batchId === summary.batchId);
    this.history = i >= 0 ? this.history.with(i, summary) : [summary, ...this.history];
  }

  #onProgress(p: BatchProgress): void {
    const j = this.job;
    if (!j) {
      // The page was reloaded while the core kept working: follow that batch again.
      if (p.state === 'running') {
        const known = this.history.find((s) => s.batchId === p.batchId);
        if (known) {
          this.job = summaryWithProgress(known, p);
          this.progress = p;
        } else void this.refreshHistory().then(() => this.#adopt(p));
      }
      return;
    }
    if (p.batchId !== j.batchId) {
      const i = this.history.findIndex((s) => s.batchId === p.batchId);
      if (i >= 0) this.history = this.history.with(i, summaryWithProgress(this.history[i] as BatchSummary, p));
      return;
    }
    this.progress = p;
    this.job = summaryWithProgress(j, p);
    const now = performance.now(); // monotonic: a clock set back must not stop the refreshes
    if (isFinished(p.state) || now - this.#lastRowsRefresh >= ROWS_REFRESH_MS) {
      this.#lastRowsRefresh = now;
      this.rowsVersion += 1;
    }
    if (isFinished(p.state)) void this.refreshHistory();
    else this.#mergeHistory(this.job);
  }

  #adopt(p: BatchProgress): void {
    if (this.job) return;
    const known = this.history.find((s) => s.batchId === p.batchId);
    if (known && !isFinished(known.state)) {
      this.job = summaryWithProgress(known, p);
      this.progress = p;
    }
  }
}

export const batchDesk = new BatchDesk();
