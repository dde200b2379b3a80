import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `code` (CommonJS, evaluated: nothing for the build to bundle) with
 * `workerData` plus `libsql`, the path of the SQLite package the store itself uses, to require.
 * Throws when the thread cannot be started.
 */
export function sqliteWorker(code: string, workerData: Record<string, unknown>): Worker {
  // Inside a packaged app this path is in app.asar: Electron gives worker threads the main
  // thread's asar support, and libsql's own JS dependencies (@neon-rs/load, detect-libc) are
  // only in the asar (only native binaries are unpacked), so the path stays as resolved.
  const libsql = createRequire(import.meta.url).resolve('libsql');
  return new Worker(code, { eval: true, workerData: { ...workerData, libsql } });
}
