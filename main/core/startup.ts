/**
 * Start-up that explains itself. The data folder is created private (0700 on POSIX) and checked;
 * a folder that cannot be used is a `StartupFailure` naming it and saying what to do (never a raw
 * EROFS). A damaged database is moved aside — kept, timestamped, with its WAL — and a fresh one
 * is opened; what the kept file held that matters at the desk (a batch that had not finished,
 * and which of its memberships may or may not have been changed in Altegio) is read from it, as
 * far as it can be read, and reported as a start-up notice.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'libsql';
import type { StartupNotice, UnfinishedBatch } from '../../preload/contract';
import { allRows, cleanRow, getRow, openStore, pragmaValue, storageFaultCode, type Store } from './store';
import type { Logger } from './log';
import { msg, type Msg } from '../../common/i18n/translate';
import { inEnglish } from '../../common/i18n/words';

export const DATABASE_FILE = 'membership-desk.db';

export type StartupFailureCode = 'data_folder_unwritable' | 'data_folder_missing' | 'disk_full' | 'database_unusable';

const FAILURE_WORDS: Readonly<Record<StartupFailureCode, (folder: string) => Msg>> = {
  data_folder_missing: (folder) => msg('startup.dataFolderMissing', { folder }),
  data_folder_unwritable: (folder) => msg('startup.dataFolderUnwritable', { folder }),
  disk_full: (folder) => msg('startup.diskFull', { folder }),
  database_unusable: (folder) => msg('startup.databaseUnusable', { folder }),
};

/**
 * Why the app cannot start, with a code: `msg` says it for the person at the PC (the folder
 * named, what to do) by reference — the shell words it in the system's language, as the saved
 * one lives in the database that may be unreadable; `message` is its English, for logs.
 */
export class StartupFailure extends Error {
  readonly code: StartupFailureCode;
  readonly folder: string;
  readonly msg: Msg;
  constructor(code: StartupFailureCode, folder: string, options: { cause?: unknown } = {}) {
    const words = FAILURE_WORDS[code](folder);
    super(inEnglish(words), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StartupFailure';
    this.code = code;
    this.folder = folder;
    this.msg = words;
  }
}

const errno = (e: unknown): string => String((e as { code?: unknown } | null)?.code ?? '');

/** A file-system error met while preparing or locking `folder`, as a StartupFailure. */
export function folderFailure(folder: string, e: unknown): StartupFailure | null {
  const code = errno(e);
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new StartupFailure('data_folder_missing', folder, { cause: e });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || storageFaultCode(e) === 'read_only') {
    return new StartupFailure('data_folder_unwritable', folder, { cause: e });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT' || storageFaultCode(e) === 'disk_full') {
    return new StartupFailure('disk_full', folder, { cause: e });
  }
  return null;
}

/** Creates the data folder (private: 0700) or checks the existing one; makes it private if it was not. */
export function prepareDataFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    // Folders made by earlier versions (0755): logins, the audit log and membership data are
    // nobody else's business on a shared PC. (Windows: the per-user profile folder is private.)
    if (process.platform !== 'win32' && (statSync(folder).mode & 0o077) !== 0) chmodSync(folder, 0o700);
  } catch (e) {
    throw folderFailure(folder, e) ?? e;
  }
}

/** Makes the database files readable by their owner only (POSIX; created by earlier versions as 0644). */
export function makeFilesPrivate(path: string): void {
  if (process.platform === 'win32') return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch {
      /* not ours to change: the folder (0700) keeps others out anyway */
    }
  }
}

/** `membership-desk.damaged-2026-05-06T15-04-05Z.db` next to the original. */
function keptName(path: string, at: Date): string {
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const base = basename(path).replace(/\.db$/, '');
  return join(dirname(path), `${base}.damaged-${stamp}.db`);
}

function moveAside(path: string, at: Date): string {
  const kept = keptName(path, at);
  renameSync(path, kept);
  // The WAL may hold the last committed changes: it goes with the file it belongs to. The -shm
  // index is rebuilt from it, so it is not kept.
  if (existsSync(`${path}-wal`)) renameSync(`${path}-wal`, `${kept}-wal`);
  rmSync(`${path}-shm`, { force: true });
  return kept;
}

const MAX_NUMBERS = 50;

/**
 * Batches the kept file shows as not finished, with the memberships whose change may or may not
 * have reached Altegio (intent) — null when the file cannot be read that far.
 */
export function readUnfinishedBatches(path: string): UnfinishedBatch[] | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const jobs = allRows<{ id: string; file_name: string; user_name: string; state: string }>(
      db.prepare(`SELECT id, file_name, user_name, state FROM batch_jobs WHERE state IN ('running', 'paused', 'offline', 'waiting_auth') ORDER BY created_at`),
    );
    const count = db.prepare('SELECT COUNT(*) AS n FROM batch_ops WHERE batch_id = ? AND state = ?');
    const uncertain = db.prepare(`SELECT membership_number FROM batch_ops WHERE batch_id = ? AND state = 'intent' ORDER BY seq LIMIT ${MAX_NUMBERS}`);
    return jobs.map((j) => {
      const n = (state: string) => Number(getRow<{ n: number }>(count, j.id, state)?.n ?? 0);
      return {
        fileName: String(j.file_name),
        userName: String(j.user_name),
        applied: n('applied'),
        notSent: n('pending'),
        uncertainCount: n('intent'),
        uncertain: allRows<{ membership_number: string }>(uncertain, j.id).map((r) => String(cleanRow(r)?.membership_number ?? '')),
      };
    });
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Opens the store; a damaged database is kept aside and replaced by a fresh one (with a notice). */
export function openOrRecoverStore(path: string, log?: Logger, at: () => Date = () => new Date()): { store: Store; notices: StartupNotice[] } {
  let store: Store | null = null;
  try {
    store = openStore(path, { log });
    // A damaged page may sit where opening never looks: check now, not in the middle of a batch.
    const check = pragmaValue(store.db, 'quick_check');
    if (check !== 'ok') throw Object.assign(new Error(`quick_check: ${String(check).slice(0, 200)}`), { code: 'SQLITE_CORRUPT' });
    makeFilesPrivate(path);
    return { store, notices: [] };
  } catch (e) {
    store?.close();
    const fault = storageFaultCode(e);
    if (fault !== 'corrupt') throw folderFailure(dirname(path), e) ?? e;
    let keptAs: string;
    try {
      keptAs = moveAside(path, at());
    } catch (m) {
      throw folderFailure(dirname(path), m) ?? m;
    }
    const unfinished = readUnfinishedBatches(keptAs);
    try {
      store = openStore(path, { log });
    } catch (again) {
      throw (
        folderFailure(dirname(path), again) ??
        new StartupFailure('database_unusable', dirname(path), { cause: again })
      );
    }
    makeFilesPrivate(path);
    return { store, notices: [{ code: 'database_recovered', keptAs, unfinished }] };
  }
}
