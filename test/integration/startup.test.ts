/**
 * Start-up that explains itself, each case in a child process that starts the core as the shells
 * do: a damaged database is kept aside (timestamped, with what it showed of an unfinished batch)
 * and a fresh one opened; a data folder that cannot be used is named with what to do; the data
 * folder and its files are private (0700 / 0600) on POSIX.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../main/core/batch/journal';
import { createJournal } from '../../main/core/batch/journal';
import { openStore, pragmaValue } from '../../main/core/store';
import { snap } from '../support/audit-snapshots';

const CHILD = join(import.meta.dirname, '../support/core-start-child.ts');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const posix = process.platform !== 'win32';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

interface Started {
  code: number | null;
  out: { ok: boolean; code?: string; message?: string; info?: { notices?: Array<{ code: string; keptAs: string; unfinished: unknown }> }; audit?: boolean };
  stderr: string;
}

function start(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}';
      resolve({ code, out: JSON.parse(line) as Started['out'], stderr: stderr.slice(-3000) });
    }),
  );
}

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

const JOB: NewJob = {
  id: 'b-unfinished',
  kind: 'apply',
  opKind: 'set_balance',
  fileName: 'march-top-ups.csv',
  createdAt: '2026-05-06T10:00:00.000Z',
  profileId: 'p1',
  userId: 7,
  userName: 'Dana Admin',
  chainId: 1,
  locationId: 2,
  state: 'running',
  delimiter: ';',
  totals: { rows: 6, toChange: 6, unchanged: 0, invalid: 0, memberships: 6 },
  undoOf: null,
};

/** A database with a running batch (2 applied, 2 sent without an answer, 2 not sent) and a big audit log. */
function databaseWithUnfinishedBatch(path: string): void {
  const store = openStore(path);
  const journal = createJournal(store.db);
  const ops = Array.from({ length: 6 }, (_, i) => ({
    seq: i + 1,
    kind: 'set_balance',
    membershipId: 1000 + i,
    membershipNumber: `M-${1000 + i}`,
    chainId: 1,
    body: { united: 5 },
    expect: { united: 3 },
    target: { united: 5 },
    rowLines: [i + 2],
    rowCount: 1,
    reason: 'top-up',
    sourceAuditId: null,
  }));
  store.transaction(() => journal.createJob(JOB, [], ops));
  for (const seq of [1, 2, 3, 4]) journal.markIntent(JOB.id, seq, null);
  for (const seq of [1, 2]) journal.setOutcome(JOB.id, { seq, state: 'applied', message: null });
  // Audit pages come after the journal's: damaging the file's tail leaves the journal readable.
  store.transaction(() => {
    for (let i = 0; i < 3000; i++) {
      store.audit.add({ userName: 'Dana Admin', userId: 7, profileId: 'p1', chainId: 1, locationId: 2, membershipId: 1, membershipNumber: 'x', action: 'set_balance', before: snap({ united: i }), after: null, reason: 'r'.repeat(80), outcome: 'ok', message: null, batchId: null, undoOf: null });
    }
  });
  store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  expect(pragmaValue(store.db, 'quick_check')).toBe('ok');
  store.close();
  // Overwrite a page near the end of the file (an audit page) with garbage.
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, size - 3 * 4096);
  closeSync(fd);
}

describe('start-up', () => {
  it('a file that is not a database: kept aside (timestamped), a fresh one opened, the app says so', async () => {
    const dir = tempDir('desk-startup-');
    const garbage = Buffer.from('this is not a database '.repeat(500));
    writeFileSync(join(dir, 'membership-desk.db'), garbage);
    const r = await start(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.ok).toBe(true);
    expect(r.out.audit).toBe(true);
    const notices = r.out.info?.notices ?? [];
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ code: 'database_recovered', unfinished: null });
    const kept = notices[0]?.keptAs ?? '';
    expect(kept).toMatch(/membership-desk\.damaged-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db$/);
    expect(readFileSync(kept)).toEqual(garbage);
    // The next start finds a healthy database: nothing more to say.
    const again = await start(dir);
    expect(again.out.info?.notices).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes('damaged'))).toHaveLength(1);
  });

  it('a damaged database with an unfinished batch: kept, and the notice says what to check in Altegio', async () => {
    const dir = tempDir('desk-startup-');
    databaseWithUnfinishedBatch(join(dir, 'membership-desk.db'));
    const r = await start(dir);
    expect(r.code, r.stderr).toBe(0);
    const notice = r.out.info?.notices?.[0];
    expect(notice?.code).toBe('database_recovered');
    expect(notice?.unfinished).toEqual([
      { fileName: 'march-top-ups.csv', userName: 'Dana Admin', applied: 2, notSent: 2, uncertainCount: 2, uncertain: ['M-1002', 'M-1003'] },
    ]);
    expect(existsSync(notice?.keptAs ?? '')).toBe(true);
    expect(r.out.audit).toBe(true);
  });

  it('a data folder that cannot be created (a file in the way): named, with what to do', async () => {
    const dir = tempDir('desk-startup-');
    writeFileSync(join(dir, 'blocked'), 'a file, not a folder');
    const target = join(dir, 'blocked', 'Membership Desk');
    const r = await start(target);
    expect(r.code).toBe(2);
    expect(r.out).toMatchObject({ ok: false, code: 'data_folder_missing' });
    expect(r.out.message).toContain(target);
    expect(r.out.message).toMatch(/Reconnect the drive or remove that file/);
  });

  it(`a read-only data folder: named, with what to do (${isRoot ? 'a read-only tmpfs' : 'a 0500 folder'})`, async () => {
    const dir = tempDir('desk-startup-ro-');
    if (isRoot) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]);
      cleanups.push(() => execFileSync('umount', ['-l', dir]));
    } else {
      chmodSync(dir, 0o500);
      cleanups.push(() => chmodSync(dir, 0o700));
    }
    const r = await start(dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatchObject({ ok: false, code: 'data_folder_unwritable' });
    expect(r.out.message).toContain(dir);
    expect(r.out.message).toMatch(/Ask IT to give this user write access/);
  });

  it.skipIf(!posix)('the data folder is private: 0700, and the database, its WAL and the lock are 0600 (also fixed for folders made by earlier versions)', async () => {
    const parent = tempDir('desk-private-');
    const dir = join(parent, 'Membership Desk');
    const r = await start(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o077, f).toBe(0);

    // An earlier version's folder: 0755 with a 0644 database.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'membership-desk.db'), 0o644);
    await start(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'membership-desk.db')).mode & 0o777).toBe(0o600);
    rmSync(parent, { recursive: true, force: true });
  });
});

