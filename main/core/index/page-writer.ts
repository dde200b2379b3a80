/**
 * How the first sync commits a page (sync.ts): its rows in slices of `COMMIT_SLICE`, a transaction
 * each, the page's position with the last slice, all as `repo.relaxed` (synchronous = NORMAL).
 *
 * Off the event loop when the store is a file: a worker thread with a connection of its own to it
 * runs the statements (the repo builds them: repo.ts upsertRuns, saveSyncRun), so the core's event
 * loop only builds the parameters while a sync runs. On the event loop, SQLite's part of a page
 * (~4 ms of a page's ~10 ms there, plus the synchronous switch around every commit) came between a
 * person's search answer and the person (bench index-sync, issue 11). The worker's connection
 * stays at synchronous = NORMAL, so nothing else is relaxed by it; its commits take the write lock
 * for one slice at a time (~1 ms), so a write of the core's own waits at most about that long. The
 * WAL it grows is checkpointed by the store's checkpoint worker (`store.committed()` after each
 * page), not inside its commits: a checkpoint's fsync (25-95 ms) there held up the page's answer,
 * and with it the sync's next requests.
 *
 * On the event loop when the store is in memory, or when the worker cannot start or fails (then
 * for the rest of the sync): the page is written again here, with a turn of the event loop between
 * slices, and a storage failure surfaces as the store's own (the upsert makes a repeat harmless).
 */
import type { Worker } from 'node:worker_threads';
import type { Membership } from '../../../preload/contract';
import { nextTurn } from '../clock';
import { SAFETY_PAGES } from '../store/checkpoints';
import { nowIso } from '../store/rows';
import type { Store } from '../store/store';
import { sqliteWorker } from '../store/worker';
import { saveSyncRun, upsertRuns, type IndexKey, type IndexRepo, type SqlRun, type SyncState } from './repo';

/** Rows per commit while a page is written: ~1-3 ms of the event loop each when written here. */
export const COMMIT_SLICE = 25;
/** The worker connection's busy timeout (libsql's `timeout` option, ms), as the store's own connection. */
const BUSY_MS = 5_000;

/** What the writer needs of the store: its file, and to say that it committed (store.ts). */
export type StoreFile = Pick<Store, 'path' | 'committed'>;

export interface PageWriter {
  /** Commits `rows`, then the position `state`; resolves once all of it is committed. */
  write(key: IndexKey, rows: readonly Membership[], state: SyncState, signal: AbortSignal): Promise<void>;
  /** Ends the worker (after the write under way, if any). */
  close(): Promise<void>;
}

const WORKER = `
const { existsSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
let db = null;
const prepared = new Map();
parentPort.on('message', (m) => {
  if (m.close) {
    // The statements go first: libsql's close() leaves a connection with a live statement open until GC.
    prepared.clear();
    try { if (db !== null) db.close(); } catch {}
    db = null;
    parentPort.postMessage({ closed: true });
    parentPort.close();
    return;
  }
  try {
    if (db === null) {
      // libsql 0.5 has no fileMustExist (it reads no such option): it would create an empty database.
      if (!existsSync(workerData.path)) throw Object.assign(new Error('missing'), { code: 'missing' });
      db = new Database(workerData.path, { timeout: ${BUSY_MS} });
      db.exec('PRAGMA foreign_keys = ON');
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA wal_autocheckpoint = ${SAFETY_PAGES}');
    }
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of m.runs) {
        let st = prepared.get(r.sql);
        if (st === undefined) prepared.set(r.sql, (st = db.prepare(r.sql)));
        st.run(...r.params);
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
    parentPort.postMessage({ id: m.id });
  } catch (e) {
    parentPort.postMessage({ id: m.id, failed: String((e && (e.code || e.message)) || e) });
  }
});
`;

/** The page written on the event loop, a slice per turn (see the header). */
async function writeHere(repo: IndexRepo, key: IndexKey, rows: readonly Membership[], state: SyncState, signal: AbortSignal): Promise<void> {
  let from = 0;
  for (; rows.length - from > COMMIT_SLICE; from += COMMIT_SLICE) {
    const slice = rows.slice(from, from + COMMIT_SLICE);
    repo.relaxed(() => repo.upsert(key, slice));
    await nextTurn();
    signal.throwIfAborted();
  }
  repo.relaxed(() => {
    repo.upsert(key, rows.slice(from));
    repo.saveSync(key, state);
  });
}

/** A page writer for `store` (absent or in memory: written here). */
export function openPageWriter(repo: IndexRepo, store: StoreFile | undefined): PageWriter {
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const failAll = (why: string) => {
    for (const w of waiting.values()) w.reject(new Error(why));
    waiting.clear();
  };
  /** No more writes there: a live worker closes its connection and ends (see WORKER). */
  const stop = (why: string) => {
    const w = worker;
    worker = null;
    failAll(why);
    w?.postMessage({ close: true });
  };
  if (store && store.path !== ':memory:') {
    try {
      const w = sqliteWorker(WORKER, { path: store.path });
      w.unref();
      w.on('message', (m: { id?: number; failed?: string }) => {
        const p = m.id === undefined ? undefined : waiting.get(m.id);
        if (!p || m.id === undefined) return;
        waiting.delete(m.id);
        if (m.failed === undefined) p.resolve();
        else p.reject(new Error(m.failed));
      });
      w.on('error', (e) => stop(String(e)));
      w.on('exit', () => worker === w && stop('page writer exited'));
      worker = w;
    } catch {
      worker = null;
    }
  }

  const commit = (w: Worker, runs: SqlRun[]) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      w.postMessage({ id, runs });
    });

  /** The page's slices, each built on its own turn and committed by the worker in order. */
  async function writeThere(w: Worker, key: IndexKey, rows: readonly Membership[], state: SyncState, signal: AbortSignal): Promise<void> {
    const readAt = nowIso();
    const commits: Promise<unknown>[] = [];
    let from = 0;
    for (; rows.length - from > COMMIT_SLICE; from += COMMIT_SLICE) {
      commits.push(commit(w, upsertRuns(key, rows.slice(from, from + COMMIT_SLICE), readAt)).catch((e: unknown) => e));
      await nextTurn();
      signal.throwIfAborted();
    }
    commits.push(commit(w, [...upsertRuns(key, rows.slice(from), readAt), saveSyncRun(key, state)]).catch((e: unknown) => e));
    // Settled (not left to reject unobserved when an abort ends the page early); a failure fails the page.
    for (const e of await Promise.all(commits)) if (e !== undefined) throw e;
    store?.committed();
  }

  return {
    async write(key, rows, state, signal) {
      const w = worker;
      if (w) {
        try {
          await writeThere(w, key, rows, state, signal);
          return;
        } catch (e) {
          if (signal.aborted) throw e;
          // The worker failed: this page and the rest are written here (see the header).
          stop('page writer failed');
        }
      }
      await writeHere(repo, key, rows, state, signal);
    },
    async close() {
      const w = worker;
      if (!w) return;
      worker = null;
      await new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.postMessage({ close: true });
      });
      failAll('page writer closed');
    },
  };
}
