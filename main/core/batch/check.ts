/**
 * Checking a file before anything is sent (`batch.open`, `batch.check`, `batch.stopCheck`, and the
 * rows of a check): the bytes come once and are kept under a `fileId`; each check (another
 * encoding, delimiter or mapping) reads them again here, reads the memberships the rows name and
 * plans against them. The latest check of each person is kept in memory under a `checkId` until
 * it is applied (the batch job is created then) or replaced by the next check.
 *
 * Reading the memberships costs requests at Altegio's rate: one per page of ids, one per phone.
 * Above ASK_ABOVE_REQUESTS the check stops before reading and says what it would cost
 * (`lookups.state: 'ask'`); the person agrees with `lookups: true`. A check under way can be
 * stopped (`stopCheck`): its reads stop at once and it answers what it read so far of the file.
 */
import { callingCodeForZone } from '../../../common/phone';
import { rightAllows, type RightsView } from '../../../common/rights';
import { randomUUID } from 'node:crypto';
import type { BatchCheck, BatchLookups, BatchPlanRow, BatchProblem, ColumnMapping as ContractMapping, Membership, MsgData } from '../../../preload/contract';
import type { Language } from '../../../common/i18n/languages';
import { msg, type Msg } from '../../../common/i18n/translate';
import { inEnglish } from '../../../common/i18n/words';
import { wordsIn } from '../words';
import { IDS_PAGE_SIZE, type AltegioApi, type ReadOptions } from '../altegio/api';
import type { RateLimiter } from '../altegio/rate-limiter';
import { DeskFailure } from '../errors';
import type { EventHub } from '../events';
import { createPhoneClients } from '../index/phone-clients';
import type { Store } from '../store';
import { checkMapping, FIELDS, type ColumnMapping, type MappingProblem } from './mapping';
import { detach, isDelimiter, readTableInto, type Delimiter } from './parse';
import { csvText, derivedFileName, EXCEL_BOM } from '../csv';
import { decodeBatch, planBatch, readBatch, sniffBatch, type BatchRead, type BatchReadOptions } from './pipeline';
import type { BatchPlan } from './plan';
import { createLookups, type MembershipEntry } from './plan-resolve';
import { OUTCOME_INVALID, SHARED_BALANCE } from './plan-storage';
import type { RowProblem } from './problems';
import type { NumberIndex } from './validate';
import { rowRecordOf, rowStatus } from './report';

export const MAX_PROBLEMS = 500;
export const PREVIEW_ROWS = 20;
/** Reads of one check serve the next for this long at most (see the read cache). */
export const READ_CACHE_MS = 5 * 60_000;
/** More requests than this to read a file's memberships: say the cost and ask first. */
export const ASK_ABOVE_REQUESTS = 20;
/** Opened files kept (each up to 50 MB): the one on screen and the one before. */
const KEEP_FILES = 2;
/** Phones looked up at once (the limiter paces them anyway; a few hide each request's latency). */
const PHONE_WORKERS = 4;

export interface CheckSession {
  currentUser(): { profileId: string; userId: number; name: string };
  /** The location's zone: a file's domestic phones ("8 903 …") are read as its country writes them. */
  locationTimezone?(locationId: number): string | null;
  rightsFor(chainId: number): RightsView | null;
}

export interface CheckerDeps {
  store: Store;
  api: () => AltegioApi;
  session: CheckSession;
  events: Pick<EventHub, 'emit'>;
  /** For the time estimates (the limits every request is paced at). */
  limiter?: Pick<RateLimiter, 'stats'>;
  /** How long memberships read for one check may serve the next (default READ_CACHE_MS). */
  readCacheMs?: number;
  /** Default ASK_ABOVE_REQUESTS. */
  askAboveRequests?: number;
  /** The chain's membership numbers when its index is read (numbers without a phone resolve there); null: not read. */
  numberIndex?: (chainId: number) => NumberIndex | null;
}

export interface CheckArgs {
  fileId: string;
  chainId: number;
  locationId: number;
  encoding?: string | undefined;
  delimiter?: Delimiter | undefined;
  mapping?: ContractMapping | undefined;
  lookups?: boolean | undefined;
  /** The language in use: the default reason of rows that give none is worded in it. */
  language?: Language | undefined;
}

/** A check that planned: what `apply` turns into a batch job. */
export interface PlannedCheck {
  checkId: string;
  profileId: string;
  fileName: string;
  chainId: number;
  locationId: number;
  delimiter: Delimiter;
  plan: BatchPlan;
  /** Row indices with problems (built on first use, for the "only problems" view). */
  invalidRows: number[] | null;
}

/** What the latest check of a person found, for the "fix-me" file (its problem rows as they were). */
interface CheckedFile {
  fileId: string;
  encoding: string;
  delimiter: Delimiter;
  hasHeader: boolean;
  /** Every problem found (not capped), by line; line 0 = the file as a whole (columns). */
  problems: Found[];
}

/** A problem as a check keeps it (a row's, or line 0: the columns'); worded only when shown. */
type Found = Pick<RowProblem, 'line' | 'column' | 'columnNumber' | 'field'> & { msg: Msg };

export interface Checker {
  open(args: { fileName: string; bytes: Uint8Array }): { fileId: string; fileName: string; size: number };
  check(args: CheckArgs): Promise<BatchCheck>;
  stopCheck(): { stopped: boolean };
  rows(args: { checkId: string; offset: number; limit: number; onlyProblems?: boolean | undefined }): { rows: BatchPlanRow[]; total: number };
  /** The person's planned check with this id (for applying). */
  planned(checkId: string): PlannedCheck;
  /** A check made into a batch is used up (one batch per check). */
  forget(checkId: string): void;
  /**
   * The rows of the file with problems, as they were in it (read with the latest check's
   * settings), plus a column saying what is wrong: to fix in Excel and open again.
   */
  fixMe(args: { fileId: string; delimiter?: Delimiter | undefined; language?: Language | undefined }): { fileName: string; csv: string };
}

/** Why a check's reads stop: a newer check of the same person started, or Cancel was pressed. */
class CheckStopped extends Error {
  constructor(readonly why: 'superseded' | 'stopped') {
    super(`check ${why}`);
  }
}

const toCoreMapping = (m: ContractMapping): ColumnMapping => {
  const out: ColumnMapping = {};
  for (const f of FIELDS) {
    const v = m[f];
    if (typeof v === 'number') out[f] = v;
  }
  return out;
};
const toContractMapping = (m: ColumnMapping): ContractMapping => Object.fromEntries(FIELDS.map((f) => [f, m[f] ?? null])) as ContractMapping;
const sameMapping = (a: ColumnMapping, b: ColumnMapping) => FIELDS.every((f) => a[f] === b[f]);
const toProblem = (p: Found): BatchProblem => ({ line: p.line, column: p.column, columnNumber: p.columnNumber, field: p.field, msg: p.msg as MsgData, message: inEnglish(p.msg) });
const columnsProblem = (p: MappingProblem): Found => ({ line: 0, column: null, columnNumber: null, field: p.field, msg: p.msg });

const CHECK_GONE = () => new DeskFailure('not_found', msg('batch.check.gone'));

export function createChecker(deps: CheckerDeps): Checker {
  const { store, session } = deps;
  const phoneClients = createPhoneClients(store.db);
  const askAbove = deps.askAboveRequests ?? ASK_ABOVE_REQUESTS;
  const files = new Map<string, { fileName: string; bytes: Uint8Array; profileId: string }>();
  /** The latest planned check per person. */
  const checks = new Map<string, PlannedCheck>();
  /** The check under way per person. */
  const running = new Map<string, AbortController>();
  /** The latest check's findings per person. */
  const checked = new Map<string, CheckedFile>();

  /** Requests per second the limiter paces at now (0 when unknown). */
  const pace = () => {
    const limits = deps.limiter?.stats();
    return limits ? Math.min(limits.effectivePerSecond, limits.perMinute / 60) : 0;
  };
  const msFor = (requests: number) => {
    const perSecond = pace();
    return perSecond > 0 ? Math.round((requests / perSecond) * 1000) : 0;
  };

  /**
   * Memberships read for the last check, reused by the next check at the same place (another
   * encoding, delimiter or mapping of the same file) while nothing was written since — no new audit
   * entry: every write this app starts records one first — and for at most READ_CACHE_MS. Changes
   * made meanwhile by others in Altegio are caught where it matters: the apply re-reads every
   * membership before writing it.
   */
  let readCache: { key: string; at: number; auditId: number; byId: Map<number, Membership | null>; byPhone: Map<string, Membership[]> } | null = null;

  function cacheFor(place: { profileId: string; chainId: number; locationId: number }) {
    const key = `${place.profileId}|${place.chainId}|${place.locationId}`;
    const auditId = store.audit.lastId();
    // Monotonic: a PC clock set back (or forward) must not keep these reads "fresh" for hours.
    const now = performance.now();
    const fresh = readCache !== null && readCache.key === key && readCache.auditId === auditId && now - readCache.at < (deps.readCacheMs ?? READ_CACHE_MS);
    if (!fresh || readCache === null) readCache = { key, at: now, auditId, byId: new Map(), byPhone: new Map() };
    return readCache;
  }

  /** What reading a file's memberships still costs (what the cache holds is free). */
  function lookupCost(read: BatchRead, cache: ReturnType<typeof cacheFor>): Omit<BatchLookups, 'state'> {
    const ids = read.refs.ids.filter((id) => !cache.byId.has(id)).length;
    const phones = read.refs.phones.filter((p) => !cache.byPhone.has(p)).length;
    const idPages = Math.ceil(ids / IDS_PAGE_SIZE);
    return { phones, idPages, requests: idPages + phones, estimateMs: msFor(idPages + phones) };
  }

  /**
   * Reads the memberships a file refers to: ids in pages, then each phone, with progress as
   * `batch.checkProgress`. Every read carries the check's signal: a stopped check sends nothing more.
   */
  async function fetchEntries(read: BatchRead, cache: ReturnType<typeof cacheFor>, place: { profileId: string; chainId: number; locationId: number }, signal: AbortSignal): Promise<MembershipEntry[]> {
    const { chainId, locationId } = place;
    const api = deps.api();
    // Behind every interactive call (a search at the desk goes first), beside a running batch.
    const reading: ReadOptions = { signal, lane: 'batch' };
    const ids = read.refs.ids.filter((id) => !cache.byId.has(id));
    const phones = read.refs.phones.filter((p) => !cache.byPhone.has(p));
    const idPages = Math.ceil(ids.length / IDS_PAGE_SIZE);
    const total = idPages + phones.length;
    let done = 0;
    const progress = () => {
      if (signal.aborted) return; // answers still arriving for a check that was stopped
      deps.events.emit('batch.checkProgress', { done, total, etaMs: pace() > 0 ? msFor(total - done) : null });
    };
    if (total > 0) progress();
    if (ids.length > 0) {
      const found = await api.membershipsByIds(chainId, ids, {
        ...reading,
        onPage: (pages) => {
          done = pages;
          progress();
        },
      });
      for (const id of ids) cache.byId.set(id, null); // asked for: absent unless found
      for (const m of found) cache.byId.set(m.id, m);
      done = idPages;
    }
    let next = 0;
    const worker = async () => {
      while (next < phones.length && !signal.aborted) {
        const phone = phones[next++] as string;
        // Already read at this location by the one phone rule (validate.ts): international digits.
        const found = await api.membershipsByPhone(locationId, phone, reading);
        done++;
        progress();
        // Only this chain's memberships: the batch writes in the selected chain.
        const mine = found.filter((m) => m.chainId === chainId);
        cache.byPhone.set(phone, mine);
        // Their client, when the index saw one client with this phone: named in the audit at settle.
        if (!signal.aborted) phoneClients.remember(place.profileId, chainId, phone, mine.map((m) => m.id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PHONE_WORKERS, phones.length) }, worker));
    signal.throwIfAborted();

    const entries: MembershipEntry[] = [];
    for (const id of read.refs.ids) {
      const m = cache.byId.get(id);
      if (m) entries.push({ membership: m });
    }
    for (const phone of read.refs.phones) for (const m of cache.byPhone.get(phone) ?? []) entries.push({ membership: m, phones: [phone] });
    return entries;
  }

  /**
   * Decodes and reads the file with the settings asked for, remembered or detected: the delimiter
   * first (the header, hence the mapping memory, depend on it), then the mapping.
   */
  function readFile(bytes: Uint8Array, args: CheckArgs) {
    const numberIndex = deps.numberIndex?.(args.chainId) ?? null;
    const base: BatchReadOptions = {
      ...(numberIndex !== null && { numberIndex }),
      // Domestic phones in the file ("8 903 …") read as the location's country writes them.
      callingCode: callingCodeForZone(deps.session.locationTimezone?.(args.locationId)),
      ...(args.encoding !== undefined && { encoding: args.encoding }),
      ...(args.delimiter !== undefined && { delimiter: args.delimiter }),
      previewRows: PREVIEW_ROWS,
    };
    // The delimiter: chosen now (remembered for files starting with the same line), remembered
    // from such a file, or detected.
    let delimiterSource: BatchCheck['delimiterSource'] = args.delimiter !== undefined ? 'chosen' : 'detected';
    // Decoded once; every read below works on the text.
    const decoded = decodeBatch(bytes, base);
    const sniffed = sniffBatch(decoded);
    const delimiterKey = sniffed.firstLine === null ? null : `delimiter:${sniffed.firstLine}`;
    if (delimiterKey !== null && args.delimiter !== undefined) {
      // The detected one needs no memory: choosing it back forgets the earlier choice.
      if (args.delimiter === sniffed.delimiter) store.mappings.delete(delimiterKey);
      else store.mappings.set(delimiterKey, args.delimiter);
    } else if (delimiterKey !== null) {
      const remembered = store.mappings.get<unknown>(delimiterKey);
      if (isDelimiter(remembered) && remembered !== sniffed.delimiter) {
        base.delimiter = remembered;
        delimiterSource = 'remembered';
      }
    }
    let read: BatchRead;
    let mappingSource: BatchCheck['mappingSource'];
    if (args.mapping !== undefined) {
      const manual = toCoreMapping(args.mapping);
      read = readBatch(decoded, { ...base, mapping: manual });
      mappingSource = 'manual';
      if (read.mappingProblems.length === 0 && read.hasHeader) store.mappings.set(read.headerSignature, manual);
    } else {
      read = readBatch(decoded, base);
      mappingSource = 'auto';
      const remembered = read.hasHeader ? store.mappings.get<ColumnMapping>(read.headerSignature) : null;
      if (remembered && checkMapping(remembered, read.columnCount, { numbersAlone: numberIndex !== null }).length === 0 && !sameMapping(remembered, read.mapping)) {
        read = readBatch(decoded, { ...base, mapping: remembered });
        mappingSource = 'remembered';
      } else if (remembered) mappingSource = sameMapping(remembered, read.mapping) ? 'remembered' : 'auto';
    }
    return { read, delimiterSource, mappingSource };
  }

  /** The problems found without reading memberships: mapping, parsing and the rows' own values. */
  function fileProblems(read: BatchRead): Found[] {
    const rows = read.validated?.invalidRows ?? [];
    const all = [...read.parseProblems, ...rows.flatMap((r) => r.problems)].sort((a, b) => a.line - b.line);
    return [...read.mappingProblems.map(columnsProblem), ...all];
  }

  async function runCheck(args: CheckArgs, profileId: string, signal: AbortSignal): Promise<BatchCheck> {
    const file = files.get(args.fileId);
    if (!file || file.profileId !== profileId) throw new DeskFailure('not_found', msg('batch.check.fileGone'));
    const { read, delimiterSource, mappingSource } = readFile(file.bytes, args);
    const common = {
      fileId: args.fileId,
      fileName: file.fileName,
      encoding: read.encoding,
      delimiter: read.delimiter,
      delimiterSource,
      headers: read.header,
      previewRows: read.preview,
      mapping: toContractMapping(read.mapping),
      mappingSource,
    };
    const remember = (problems: Found[]) =>
      checked.set(profileId, { fileId: args.fileId, encoding: read.encoding, delimiter: read.delimiter, hasHeader: read.hasHeader, problems });
    const unplanned = (lookups: BatchLookups): BatchCheck => {
      const problems = fileProblems(read);
      remember(problems);
      const rows = read.validated?.total ?? 0;
      const invalid = read.validated?.invalidRows.length ?? 0;
      return {
        ...common,
        checkId: null,
        problems: problems.slice(0, MAX_PROBLEMS).map(toProblem),
        problemCount: problems.length,
        totals: { rows, toChange: 0, unchanged: 0, invalid, memberships: 0 },
        lookups,
        estimateMs: 0,
        notices: [],
      };
    };
    const none: BatchLookups = { state: 'none', phones: 0, idPages: 0, requests: 0, estimateMs: 0 };
    if (!read.validated) return unplanned(none);

    const place = { profileId, chainId: args.chainId, locationId: args.locationId };
    const cache = cacheFor(place);
    const cost = lookupCost(read, cache);
    if (cost.requests > askAbove && args.lookups !== true) return unplanned({ state: 'ask', ...cost });
    let entries: MembershipEntry[];
    try {
      entries = await fetchEntries(read, cache, place, signal);
    } catch (e) {
      if (signal.reason instanceof CheckStopped && signal.reason.why === 'stopped') return unplanned({ state: 'stopped', ...lookupCost(read, cache) });
      throw e;
    }
    const lookups = createLookups(entries, (chainId) => rightAllows(session.rightsFor(chainId), 'balanceEdit').allowed);
    const limits = deps.limiter?.stats();
    const defaultReason = wordsIn(args.language).t('batch.defaultReason');
    const prepared = planBatch(read, lookups, { defaultReason, ...(limits && { rate: { perSecond: limits.perSecond, perMinute: limits.perMinute } }) });
    const plan = prepared.plan as BatchPlan; // validated rows always plan
    const problems: Found[] = [...read.mappingProblems.map(columnsProblem), ...prepared.problems];
    remember(problems);
    const checkId = randomUUID();
    checks.set(profileId, { checkId, profileId, fileName: file.fileName, chainId: args.chainId, locationId: args.locationId, delimiter: read.delimiter, plan, invalidRows: null });
    return {
      ...common,
      checkId,
      problems: problems.slice(0, MAX_PROBLEMS).map(toProblem),
      problemCount: problems.length,
      totals: { ...plan.totals },
      lookups: cost.requests > 0 ? { state: 'done', ...cost } : none,
      estimateMs: Math.max(0, Math.round(plan.estimate.ms)),
      notices: plan.notices as MsgData[],
    };
  }

  return {
    open({ fileName, bytes }) {
      const { profileId } = session.currentUser();
      const fileId = randomUUID();
      files.set(fileId, { fileName, bytes, profileId });
      while (files.size > KEEP_FILES) files.delete(files.keys().next().value as string);
      return { fileId, fileName, size: bytes.byteLength };
    },

    // One check at a time per person: a newer one stops the reads of the one before, which would
    // otherwise hold Altegio's request limit for minutes.
    async check(args) {
      const { profileId } = session.currentUser();
      running.get(profileId)?.abort(new CheckStopped('superseded'));
      checks.delete(profileId);
      const controller = new AbortController();
      running.set(profileId, controller);
      try {
        return await runCheck(args, profileId, controller.signal);
      } catch (e) {
        // Not a network failure: the session would take any other failure as "the server answered".
        if (controller.signal.reason instanceof CheckStopped) throw new DeskFailure('conflict', msg('batch.check.superseded'));
        throw e;
      } finally {
        // Also when a read failed: the other readers of this check stop at their next request.
        if (!controller.signal.aborted) controller.abort(new CheckStopped('superseded'));
        if (running.get(profileId) === controller) running.delete(profileId);
      }
    },

    stopCheck() {
      const { profileId } = session.currentUser();
      const controller = running.get(profileId);
      if (!controller || controller.signal.aborted) return { stopped: false };
      controller.abort(new CheckStopped('stopped'));
      return { stopped: true };
    },

    rows({ checkId, offset, limit, onlyProblems }) {
      const { profileId } = session.currentUser();
      const c = checks.get(profileId);
      if (!c || c.checkId !== checkId) throw CHECK_GONE();
      const rows = c.plan.rows;
      let indices: { length: number; at: (i: number) => number };
      if (onlyProblems === true) {
        if (c.invalidRows === null) {
          const list: number[] = [];
          for (let i = 0; i < rows.length; i++) if (rows.outcomeCode(i) === OUTCOME_INVALID) list.push(i);
          c.invalidRows = list;
        }
        const list = c.invalidRows;
        indices = { length: list.length, at: (i) => list[i] as number };
      } else indices = { length: rows.length, at: (i) => i };
      const out: BatchPlanRow[] = [];
      for (let i = offset; i < Math.min(indices.length, offset + limit); i++) {
        const p = rows.get(indices.at(i));
        const r = rowRecordOf(p);
        const client = p.membershipId === null ? null : store.audit.clientName(c.chainId, p.membershipId, c.profileId);
        const status = rowStatus({ ...r, opState: null, opMessage: null }, false);
        out.push({ line: r.line, membership: r.membership, membershipId: p.membershipId, client, service: r.service, sharedBalance: r.service === SHARED_BALANCE, before: r.before, after: r.after, reason: r.reason, status, message: r.message, ...(r.msgs && { msgs: r.msgs }) });
      }
      return { rows: out, total: indices.length };
    },

    planned(checkId) {
      const c = checks.get(session.currentUser().profileId);
      if (!c || c.checkId !== checkId) throw CHECK_GONE();
      return c;
    },

    fixMe({ fileId, delimiter, language }) {
      const { profileId } = session.currentUser();
      const file = files.get(fileId);
      const found = checked.get(profileId);
      if (!file || file.profileId !== profileId || !found || found.fileId !== fileId) throw new DeskFailure('not_found', msg('batch.check.fileGone'));
      const words = wordsIn(language);
      const byLine = new Map<number, string[]>();
      for (const p of found.problems) {
        if (p.line <= 0) continue;
        const list = byLine.get(p.line) ?? [];
        const column = p.column ?? (p.columnNumber === null ? null : words.t('batch.column', { n: p.columnNumber }));
        list.push(column ? `${column}: ${words.say(p.msg)}` : words.say(p.msg));
        byLine.set(p.line, list);
      }
      let header: string[] = [];
      const rows: string[][] = [];
      readTableInto(
        decodeBatch(file.bytes, { encoding: found.encoding }).text,
        { delimiter: found.delimiter, header: found.hasHeader, previewRows: 0 },
        {
          header: (cells) => (header = cells.map(detach)),
          record(cells, line) {
            const problems = byLine.get(line);
            if (problems) rows.push([...cells.map(detach), problems.join(' ')]);
          },
          restart() {
            rows.length = 0;
          },
        },
      );
      const width = Math.max(header.length, ...rows.map((r) => r.length - 1));
      const pad = (cells: string[], n: number) => [...cells, ...Array<string>(Math.max(0, n - cells.length)).fill('')];
      const table = rows.map((r) => [...pad(r.slice(0, -1), width), r.at(-1) as string]);
      return { fileName: derivedFileName(file.fileName, '-fix-me'), csv: EXCEL_BOM + csvText([...pad(header, width), words.t('batch.fixMe.column')], table, delimiter ?? found.delimiter) };
    },

    forget(checkId) {
      for (const [profileId, c] of checks) if (c.checkId === checkId) checks.delete(profileId);
    },
  };
}
