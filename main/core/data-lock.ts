/**
 * One running core per data folder. Two processes on one folder (the Electron app and a web shell,
 * or two web shells) would both resume the same interrupted batch and write its rows twice, so the
 * second one is refused. A lock left by a process that died (crash, kill) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DeskFailure } from './errors';
import { msg } from '../../common/i18n/translate';

export interface DataLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string): DataLock {
  const path = join(dataDir, 'membership-desk.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new DeskFailure('conflict', msg('error.app.dataLocked', { pid: owner }));
      }
      unlinkSync(path); // left by a process that is gone
    }
  }
  throw new DeskFailure('conflict', msg('error.app.lockFailed'));
}
