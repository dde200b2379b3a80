/**
 * WAL checkpoints off the event loop. SQLite copies the WAL back into the database file
 * ("checkpoint") inside whichever commit makes the WAL pass `wal_autocheckpoint` pages, and that
 * copy ends with an fsync of the database: 25-95 ms inside one COMMIT on this project's machines,
 * every ~20 pages of an index sync (~1,000 WAL pages), all of it blocking the core's event loop —
 * a person's search answer waited behind it (bench index-sync, issue 11).
 *
 * Once a store's WAL has grown past `START_BYTES` (small stores never start it), a worker thread
 * with a connection of its own runs `PRAGMA wal_checkpoint(PASSIVE)` shortly after commits: a
 * passive checkpoint takes no lock a writer or a reader needs, and the next write restarts the WAL
 * once it is all copied. Same durability (the worker's connection syncs as SQLite's default, FULL).
 * The main connection keeps a late automatic checkpoint (`SAFETY_PAGES`) in case the worker falls
 * behind; if the worker cannot start or fails, the main connection goes back to SQLite's default.
 *
 * `stop()` (the store's close) asks the worker to close its connection and waits for that, at most
 * `CLOSE_WAIT_MS` (a running checkpoint finishes first); no checkpoint starts after it. A worker that
 * does not answer in time is terminated. A fallback is logged with its reason (a code, no path).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'libsql';
import type { StoreLog } from './types';

/** WAL size (high-water mark of the -wal file) from which checkpoints move to the worker. */
const START_BYTES = 1 << 20;
/** The main connection's automatic checkpoint while the worker runs (SQLite's default is 1,000). */
const SAFETY_PAGES = 10_000;
const DEFAULT_PAGES = 1_000;
/** A checkpoint follows a commit by this much (commits in between share it). */
const DELAY_MS = 100;
/** The worker connection's busy timeout (libsql's `timeout` option, ms; its default is 0). */
const BUSY_MS = 1_000;
/** How long `stop()` waits for the worker to close its connection (a checkpoint, the busy timeout). */
const CLOSE_WAIT_MS = 3_000;

/** [0] 1 once stopped (no checkpoint starts), [1] 1 once the worker's connection is closed. */
const STOPPED = 0;
const CLOSED = 1;

const WORKER = `
const { existsSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const flags = new Int32Array(workerData.flags);
let timer = null;
// exec, never a prepared statement: libsql's close() leaves a connection with a live statement open until GC.
let db = null;
function checkpoint() {
  timer = null;
  if (Atomics.load(flags, ${STOPPED}) === 1) return;
  try {
    if (db === null) {
      // libsql 0.5 has no fileMustExist (it reads no such option): it would create an empty database.
      if (!existsSync(workerData.path)) return void parentPort.postMessage({ failed: 'missing' });
      db = new Database(workerData.path, { timeout: ${BUSY_MS} });
    }
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ failed: String((e && (e.code || e.name)) || 'error') });
  }
}
function close() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  try {
    if (db !== null) db.close();
  } finally {
    db = null;
    Atomics.store(flags, ${CLOSED}, 1);
    Atomics.notify(flags, ${CLOSED});
    parentPort.close();
  }
}
parentPort.on('message', (m) => {
  if (m === 'close') close();
  else if (timer === null) timer = setTimeout(checkpoint, ${DELAY_MS});
});
parentPort.postMessage({ ready: true });
`;

export interface Checkpoints {
  /** After a commit (cheap: a stat until the worker runs, then a message). */
  committed(): void;
  /** Before the main connection closes: no checkpoint runs or starts after this returns. */
  stop(): void;
}

/**
 * Waits (bounded) until `flags[index]` is 1. Atomics.wait where this isolate may block; where it
 * refuses (Electron's main thread may), the wait polls the flag instead — still bounded.
 */
function waitFor(flags: Int32Array, index: number, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (Atomics.load(flags, index) !== 1) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    try {
      Atomics.wait(flags, index, 0, left);
    } catch {
      /* may not block here: poll until the deadline */
    }
  }
  return true;
}

export function offThreadCheckpoints(db: Database.Database, path: string, log: StoreLog = { warn() {} }): Checkpoints {
  let worker: Worker | null = null;
  let failed = false;
  const flags = new Int32Array(new SharedArrayBuffer(8));

  /** Ends the worker: a live one closes its connection first (a running checkpoint finishes), else it is terminated. */
  const stopWorker = (alive: boolean) => {
    Atomics.store(flags, STOPPED, 1);
    const w = worker;
    worker = null;
    if (!w) return;
    if (alive) w.postMessage('close');
    if (!alive || !waitFor(flags, CLOSED, CLOSE_WAIT_MS)) void w.terminate();
  };
  const fallBack = (reason: string, alive: boolean) => {
    if (failed) return;
    failed = true;
    log.warn('store: WAL checkpoints back on the main connection', { reason });
    if (db.open) db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_PAGES}`);
    stopWorker(alive);
  };
  const start = (): Worker | null => {
    try {
      // Inside a packaged app this path is in app.asar: Electron gives worker threads the main
      // thread's asar support, and libsql's own JS dependencies (@neon-rs/load, detect-libc) are
      // only in the asar (only native binaries are unpacked), so the path stays as resolved.
      const libsql = createRequire(import.meta.url).resolve('libsql');
      const w = new Worker(WORKER, { eval: true, workerData: { libsql, path, flags: flags.buffer } });
      w.unref();
      w.on('message', (m: { ready?: boolean; failed?: string }) => {
        if (m.ready && !failed && db.open) db.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_PAGES}`);
        if (m.failed !== undefined) fallBack(m.failed, true);
      });
      w.on('error', (e: Error & { code?: unknown }) => worker === w && fallBack(typeof e.code === 'string' ? e.code : e.name, false));
      w.on('exit', (code) => worker === w && fallBack(`exit ${code}`, false));
      return w;
    } catch (e) {
      fallBack(e instanceof Error ? ((e as { code?: string }).code ?? e.name) : 'start', false);
      return null;
    }
  };
  const walBytes = () => {
    try {
      return statSync(`${path}-wal`).size;
    } catch {
      return 0;
    }
  };

  return {
    committed() {
      if (failed) return;
      if (!worker) {
        if (walBytes() < START_BYTES) return;
        worker = start();
      }
      worker?.postMessage(0);
    },
    stop() {
      failed = true;
      stopWorker(true);
    },
  };
}
