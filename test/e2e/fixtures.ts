/**
 * E2E fixtures: each test file gets its own web shell process (real core, fresh data folder) —
 * started exactly as a person starts it (`main/web/cli.ts`), reading the one JSON line it prints.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '../..');

export interface WebShellProcess {
  url: string;
  origin: string;
  dataDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startWebShellProcess(extraArgs: string[] = [], dataDir = mkdtempSync(join(tmpdir(), 'desk-e2e-'))): Promise<WebShellProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'main/web/cli.ts'), '--data-dir', dataDir, ...extraArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stderr?.on('data', (c) => logs.push(String(c)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web shell did not start: ${logs.join('')}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`unexpected first line: ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`web shell exited (${code}): ${logs.join('')}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

// Test-scoped: every test starts from a fresh app and a fresh demo sandbox.
export const test = base.extend<{ app: Page; shell: WebShellProcess }>({
  shell: async ({}, use) => {
    const shell = await startWebShellProcess(['--demo']);
    await use(shell);
    await shell.stop();
  },
  app: async ({ page, shell }, use) => {
    await page.goto(shell.url);
    await use(page);
  },
});

export { expect };
