/**
 * The Electron entry (main/electron/index.ts) loaded with a stubbed `electron` (the runtime cannot
 * run here): a start-up failure shows a native error dialog naming the problem, then exits — it
 * used to log and exit silently, so the app simply never opened.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ dialogs: [] as Array<[string, string]>, exits: [] as number[], exited: null as null | (() => void), userData: '' }));

vi.mock('electron', () => {
  const noop = () => undefined;
  return {
    app: {
      isPackaged: false,
      whenReady: () => Promise.resolve(),
      requestSingleInstanceLock: () => true,
      quit: noop,
      exit: (code: number) => {
        calls.exits.push(code);
        calls.exited?.();
      },
      on: noop,
      getPath: () => calls.userData,
      setPath: noop,
      getVersion: () => '0.0.0-test',
      getLocale: () => 'en-US',
      getPreferredSystemLanguages: () => ['en-US'],
    },
    dialog: { showErrorBox: (title: string, content: string) => void calls.dialogs.push([title, content]) },
    protocol: { registerSchemesAsPrivileged: noop, handle: noop },
    session: { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop } },
    ipcMain: { handle: noop },
    net: { fetch: noop },
    BrowserWindow: class {},
  };
});

it('a data folder that cannot be used: a native dialog names it and says what to do, then the app exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'desk-electron-'));
  writeFileSync(join(dir, 'blocked'), 'a file, not a folder');
  calls.userData = join(dir, 'blocked', 'Membership Desk');
  const exited = new Promise<void>((r) => (calls.exited = r));
  await import('../../main/electron/index');
  await exited;
  expect(calls.exits).toEqual([1]);
  expect(calls.dialogs).toHaveLength(1);
  const [title, content] = calls.dialogs[0] ?? ['', ''];
  expect(title).toBe('Membership Desk could not start');
  expect(content).toContain(calls.userData);
  expect(content).toMatch(/Reconnect the drive or remove that file/);
}, 30_000);
