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
 * `stop()` (the store's close) waits, synchronously and at most a checkpoint's time, for a running
 * checkpoint to finish; none starts after it, and the worker is terminated.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'libsql';

/** WAL size (high-water mark of the -wal file) from which checkpoints move to the worker. */
const START_BYTES = 1 << 20;
/** The main connection's automatic checkpoint while the worker runs (SQLite's default is 1,000). */
const SAFETY_PAGES = 10_000;
const DEFAULT_PAGES = 1_000;
/** A checkpoint follows a commit by this much (commits in between share it). */
const DELAY_MS = 100;

/** [0] 1 while the worker checkpoints, [1] 1 once stopped. */
const BUSY = 0;
const STOPPED = 1;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const flags = new Int32Array(workerData.flags);
let timer = null;
let passive = null;
function checkpoint() {
  timer = null;
  Atomics.store(flags, ${BUSY}, 1);
  try {
    if (Atomics.load(flags, ${STOPPED}) === 1) return;
    if (passive === null) passive = new Database(workerData.path, { fileMustExist: true }).prepare('PRAGMA wal_checkpoint(PASSIVE)');
    passive.all();
  } catch (e) {
    parentPort.postMessage({ failed: String(e && e.code || e) });
  } finally {
    Atomics.store(flags, ${BUSY}, 0);
    Atomics.notify(flags, ${BUSY});
  }
}
parentPort.on('message', () => { if (timer === null) timer = setTimeout(checkpoint, ${DELAY_MS}); });
parentPort.postMessage({ ready: true });
`;

export interface Checkpoints {
  /** After a commit (cheap: a stat until the worker runs, then a message). */
  committed(): void;
  /** Before the main connection closes: no checkpoint runs or starts after this returns. */
  stop(): void;
}

export function offThreadCheckpoints(db: Database.Database, path: string): Checkpoints {
  let worker: Worker | null = null;
  let failed = false;
  const flags = new Int32Array(new SharedArrayBuffer(8));

  const fallBack = () => {
    failed = true;
    if (db.open) db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_PAGES}`);
    stopWorker();
  };
  const stopWorker = () => {
    Atomics.store(flags, STOPPED, 1);
    // A checkpoint under way finishes first (it is short and safe to finish; cutting the thread would leave its handle open).
    while (Atomics.load(flags, BUSY) === 1) Atomics.wait(flags, BUSY, 1, 1000);
    const w = worker;
    worker = null;
    if (w) void w.terminate();
  };
  const start = (): Worker | null => {
    try {
      const libsql = createRequire(import.meta.url).resolve('libsql');
      const w = new Worker(WORKER, { eval: true, workerData: { libsql, path, flags: flags.buffer } });
      w.unref();
      w.on('message', (m: { ready?: boolean; failed?: string }) => {
        if (m.ready && !failed && db.open) db.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_PAGES}`);
        if (m.failed !== undefined && !failed) fallBack();
      });
      w.on('error', () => !failed && fallBack());
      w.on('exit', () => worker === w && !failed && fallBack());
      return w;
    } catch {
      failed = true;
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
      stopWorker();
    },
  };
}
