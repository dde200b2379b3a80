/**
 * Storage faults: the local database could not be written (full disk, I/O error, locked or
 * read-only file, damaged file). Thrown by the store as a typed `StorageFault` with a stable code,
 * so whatever was writing (a batch, a desk action) can pause with a clear message instead of the
 * SQLite error escaping and taking the process down. Reads usually keep working meanwhile.
 */
import { DeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';

export const STORAGE_FAULT_CODES = ['disk_full', 'io_error', 'locked', 'read_only', 'corrupt'] as const;
export type StorageFaultCode = (typeof STORAGE_FAULT_CODES)[number];

export class StorageFault extends DeskFailure {
  declare readonly code: StorageFaultCode;
  constructor(code: StorageFaultCode, options: { cause?: unknown } = {}) {
    super('storage', msg('error.app.storageFault', { code }), { ...options, code });
    this.name = 'StorageFault';
  }
}

export function isStorageFault(e: unknown): e is StorageFault {
  return e instanceof StorageFault;
}

/** The stable code of a SQLite/file-system error, or null when `e` is not a storage fault. */
export function storageFaultCode(e: unknown): StorageFaultCode | null {
  if (isStorageFault(e)) return e.code;
  if (typeof e !== 'object' || e === null) return null;
  const code = String((e as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'disk_full';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'io_error';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'read_only';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'io_error';
  return null;
}

/** `e` as a StorageFault when it is one (SQLite or file-system error), else `e` unchanged. */
export function asStorageFault(e: unknown): unknown {
  if (isStorageFault(e)) return e;
  const code = storageFaultCode(e);
  return code === null ? e : new StorageFault(code, { cause: e });
}
