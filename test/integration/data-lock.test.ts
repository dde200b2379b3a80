/** One core per data folder: a second one would resume the same batch and write rows twice. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../main/core/app';
import { lockDataDir } from '../../main/core/data-lock';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'desk-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('data folder lock', () => {
  it('refuses a second core on the same folder until the first closes', async () => {
    const dataDir = fresh();
    const first = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore() });
    await expect(createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore() })).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('already running'),
    });
    await first.close();
    const second = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore() });
    await second.close();
  });

  it('stores --api-base in the canonical form the session looks server URLs up by, and refuses a bad one before locking', async () => {
    const dataDir = fresh();
    const core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore(), apiBase: 'HTTP://127.0.0.1:8787/api/' });
    expect(core.store.settings.get('server.url')).toBe('http://127.0.0.1:8787/api');
    await core.close();
    await expect(createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore(), apiBase: 'ftp://x' })).rejects.toMatchObject({ kind: 'bad_input' });
    // Nothing was left locked.
    const again = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore() });
    await again.close();
  });

  it('takes over a lock left by a process that died', () => {
    const dataDir = fresh();
    // A pid that certainly is not running: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dataDir, 'membership-desk.lock'), String(dead));
    const lock = lockDataDir(dataDir);
    expect(() => lockDataDir(dataDir)).toThrow(/already running/);
    lock.release();
    lockDataDir(dataDir).release();
  });
});
