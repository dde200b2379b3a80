/**
 * The membership index as the app uses it: which index (server + chain of the signed-in user),
 * who may see it (only a user whose chains include it), one sync or refresh at a time per chain in
 * the background, progress events, number look-ups, and the updates every read or write of the app
 * brings (a membership seen is a membership refreshed; a client seen with it is remembered).
 */
import type { ClientSummary, DeskError, IndexStatus, IndexedMembership, Membership } from '../../../preload/contract';
import type { AltegioApi } from '../altegio/api';
import type { RateLimiter } from '../altegio/rate-limiter';
import { DeskFailure, toDeskError } from '../errors';
import { msg } from '../../../common/i18n/translate';
import type { Logger } from '../log';
import type { SessionState } from '../../../preload/contract';
import { createIndexRepo, numberKey, type IndexKey, type IndexRepo, type IndexedRow } from './repo';
import { firstSync, refresh, type SyncProgress } from './sync';
import type { CsvDelimiter } from '../csv';
import type { Language } from '../../../common/i18n/languages';
import { worklist, worklistCsv, type WorklistPage, type WorklistQuery } from './worklists';
import { todayIn } from '../../../common/dates';
import type Database from 'libsql';
import type { NumberIndex } from '../batch/validate';

/** The demo's sandbox is new in every run of the app: its index is kept under this server name. */
export const DEMO_SERVER = 'demo';

export interface IndexServiceDeps {
  /** The location's IANA zone (null: unknown, then UTC). */
  timezone: (locationId: number) => string | null;
  db: Database.Database;
  transaction: <T>(fn: () => T) => T;
  session: { snapshot(): SessionState; api(): AltegioApi };
  limiter: Pick<RateLimiter, 'stats'>;
  emit: (status: IndexStatus) => void;
  log: Logger;
  now?: () => Date;
  /** Sync tuning for tests and benches. */
  pageSize?: number;
}

export interface IndexService {
  status(chainId: number): IndexStatus;
  /** Starts (or resumes) the first sync, or a refresh once complete; returns at once. */
  sync(chainId: number): IndexStatus;
  stop(chainId: number): Promise<IndexStatus>;
  forget(chainId: number): Promise<IndexStatus>;
  find(chainId: number, query: string, limit: number): { matches: IndexedMembership[]; status: IndexStatus };
  /** A worklist page; `locationId` is the desk's location (today is taken in its zone). */
  worklist(chainId: number, locationId: number, query: Omit<WorklistQuery, 'today' | 'timezone'>, page: { offset: number; limit: number }): WorklistPage & { today: string; status: IndexStatus };
  /** The whole list as CSV; `language`: the one in use, that column names, yes/no, statuses and days are worded in (English when absent). */
  worklistCsv(chainId: number, locationId: number, query: Omit<WorklistQuery, 'today' | 'timezone'>, delimiter?: CsvDelimiter, language?: Language): { fileName: string; csv: string };
  /**
   * Membership numbers → ids from the chain's index once it has been read in full (null before, or
   * when the user may not see the chain): a batch file's numbers without a phone resolve through it.
   */
  numberIndex(chainId: number): NumberIndex | null;
  /**
   * A membership the index knows by its exact number, else by its id (a pasted reference, a
   * worklist row); null when neither.
   */
  lookup(chainId: number, ref: string | number): IndexedMembership | null;
  noteMemberships(memberships: readonly Membership[]): void;
  /** The client (and location) the app saw these memberships with. */
  rememberClient(client: ClientSummary, locationId: number | null, memberships: readonly Membership[]): void;
  /** The key of a chain the signed-in user may see (forbidden otherwise). */
  keyFor(chainId: number): IndexKey;
  readonly repo: IndexRepo;
  close(): Promise<void>;
}

interface Running {
  phase: 'first' | 'refresh';
  controller: AbortController;
  done: Promise<void>;
  progress: SyncProgress | null;
}

const keyString = (k: IndexKey) => `${k.chainId}@${k.server}`;

export function toIndexedMembership(r: IndexedRow): IndexedMembership {
  return { membership: r.membership, client: r.client, locationId: r.locationId, readAt: r.readAt };
}

/** A membership by its exact number (text), else by its id (a number, or digits); null when the index has neither. */
export function lookupRef(repo: IndexRepo, key: IndexKey, ref: string | number): IndexedMembership | null {
  const text = String(ref);
  const k = numberKey(text);
  const exact = typeof ref === 'number' ? undefined : repo.findByNumber(key, text, 5).find((r) => numberKey(r.membership.number) === k);
  if (exact) return toIndexedMembership(exact);
  const id = /^\d{1,15}$/.test(k) ? Number(k) : Number.NaN;
  const byId = Number.isSafeInteger(id) && id > 0 ? repo.get(key, id) : null;
  return byId ? toIndexedMembership(byId) : null;
}

export function createIndexService(deps: IndexServiceDeps): IndexService {
  const repo = createIndexRepo(deps.db, deps.transaction);
  const now = deps.now ?? (() => new Date());
  const running = new Map<string, Running>();
  const errors = new Map<string, DeskError>();
  let demoCleared = false;

  function serverOf(state: SessionState): string | null {
    const profile = state.profile;
    if (!profile || state.status === 'signed_out') return null;
    return profile.demo ? DEMO_SERVER : profile.serverUrl;
  }

  function keyFor(chainId: number): IndexKey {
    const state = deps.session.snapshot();
    const server = serverOf(state);
    if (server === null) throw new DeskFailure('auth_expired', msg('error.app.notSignedIn'));
    // Only a user whose chains (from /groups) include this one sees its index.
    if (!state.chains.some((c) => c.id === chainId)) throw new DeskFailure('forbidden', msg('error.app.noChainAccess'));
    if (server === DEMO_SERVER && !demoCleared) {
      // Last run's demo data was another sandbox: start clean.
      demoCleared = true;
      deps.db.prepare('DELETE FROM index_memberships WHERE server = ?').run(DEMO_SERVER);
      deps.db.prepare('DELETE FROM index_clients WHERE server = ?').run(DEMO_SERVER);
      deps.db.prepare('DELETE FROM index_sync WHERE server = ?').run(DEMO_SERVER);
    }
    return { server, chainId };
  }

  function statusOf(key: IndexKey): IndexStatus {
    const run = running.get(keyString(key));
    const sync = repo.sync(key);
    const state: IndexStatus['state'] = run ? (run.phase === 'first' ? 'syncing' : 'refreshing') : !sync ? 'empty' : sync.firstDone ? 'ready' : 'paused';
    const p = run?.progress ?? null;
    return {
      chainId: key.chainId,
      state,
      rows: repo.count(key),
      asOf: sync?.asOf ?? null,
      progress: p ? { phase: p.phase, fraction: p.fraction, rowsRead: p.rowsRead, requests: p.requests, etaMs: p.etaMs } : null,
      error: errors.get(keyString(key)) ?? null,
    };
  }

  const emit = (key: IndexKey) => {
    try {
      deps.emit(statusOf(key));
    } catch {
      /* a closed page must not stop a sync */
    }
  };

  function start(key: IndexKey): void {
    const id = keyString(key);
    if (running.has(id)) return;
    const phase = repo.sync(key)?.firstDone ? 'refresh' : 'first';
    const controller = new AbortController();
    const run: Running = { phase, controller, done: Promise.resolve(), progress: null };
    errors.delete(id);
    const syncDeps = {
      api: deps.session.api(),
      repo,
      limiter: deps.limiter,
      now,
      onProgress: (p: SyncProgress) => {
        run.progress = p;
        emit(key);
      },
      ...(deps.pageSize !== undefined && { pageSize: deps.pageSize }),
    };
    running.set(id, run);
    run.done = (phase === 'first' ? firstSync(key, syncDeps, controller.signal) : refresh(key, syncDeps, controller.signal))
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        errors.set(id, toDeskError(e));
        deps.log.warn('index: sync stopped', { chainId: key.chainId, phase, kind: toDeskError(e).kind });
      })
      .finally(() => {
        running.delete(id);
        emit(key);
      });
    emit(key);
  }

  async function stopKey(key: IndexKey): Promise<void> {
    const run = running.get(keyString(key));
    if (!run) return;
    run.controller.abort(new DeskFailure('bad_input', msg('error.app.syncStopped')));
    await run.done;
  }

  return {
    repo,
    keyFor,
    status: (chainId) => statusOf(keyFor(chainId)),
    sync(chainId) {
      const key = keyFor(chainId);
      start(key);
      return statusOf(key);
    },
    async stop(chainId) {
      const key = keyFor(chainId);
      await stopKey(key);
      return statusOf(key);
    },
    async forget(chainId) {
      const key = keyFor(chainId);
      await stopKey(key);
      repo.forget(key);
      errors.delete(keyString(key));
      emit(key);
      return statusOf(key);
    },
    find(chainId, query, limit) {
      const key = keyFor(chainId);
      return { matches: repo.findByNumber(key, query, limit).map(toIndexedMembership), status: statusOf(key) };
    },
    worklist(chainId, locationId, query, page) {
      const key = keyFor(chainId);
      const timezone = deps.timezone(locationId) ?? 'UTC';
      const today = todayIn(now(), timezone);
      return { ...worklist(repo, key, { ...query, today, timezone }, page), today, status: statusOf(key) };
    },
    worklistCsv(chainId, locationId, query, delimiter, language) {
      const key = keyFor(chainId);
      const zone = deps.timezone(locationId) ?? 'UTC';
      return worklistCsv(repo, key, { ...query, today: todayIn(now(), zone), timezone: zone }, statusOf(key), now(), delimiter, language);
    },
    lookup: (chainId, ref) => lookupRef(repo, keyFor(chainId), ref),
    numberIndex(chainId) {
      let key: IndexKey;
      try {
        key = keyFor(chainId);
      } catch {
        return null;
      }
      if (repo.sync(key)?.firstDone !== true) return null;
      return (text) => {
        const ids = repo.idsByNumber(key, text, 2);
        return ids.length === 1 ? (ids[0] as number) : ids.length > 1 ? 'ambiguous' : null;
      };
    },
    noteMemberships(memberships) {
      const server = serverOf(deps.session.snapshot());
      if (server === null) return;
      const byChain = new Map<number, Membership[]>();
      for (const m of memberships) byChain.set(m.chainId, [...(byChain.get(m.chainId) ?? []), m]);
      for (const [chainId, list] of byChain) {
        const key = { server, chainId };
        // Only into an index the user started: reading one membership does not create an index.
        if (repo.sync(key)) repo.upsert(key, list);
      }
    },
    rememberClient(client, locationId, memberships) {
      const server = serverOf(deps.session.snapshot());
      if (server === null) return;
      repo.transaction(() => {
        for (const m of memberships) repo.rememberClient({ server, chainId: m.chainId }, m.id, client, locationId);
      });
    },
    async close() {
      const all = [...running.values()];
      for (const run of all) run.controller.abort(new DeskFailure('bad_input', msg('error.app.closing')));
      await Promise.all(all.map((r) => r.done));
    },
  };
}
