/**
 * E2E fixtures: each test gets its own web shell process (real core, fresh data folder) — started
 * exactly as a person starts it (`main/web/cli.ts`), reading the one JSON line it prints.
 *
 * Options (per file or per describe, with `test.use({...})`):
 *  - `shellMode`:
 *      'demo'    (default) `--demo`: the app opens signed in to the built-in demo;
 *      'plain'   no extra arguments: the sign-in screen, where "Try the demo" starts the demo;
 *      'sandbox' a sandbox is started in the test process and the web shell gets
 *                `--api-base <sandbox url>` (no demo): real sign-in with login and password.
 *  - `shellArgs`: further arguments for `main/web/cli.ts`.
 * The `sandbox` fixture gives the test that sandbox (only in 'sandbox' mode) with its `control`.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';

const root = join(import.meta.dirname, '../..');

export interface WebShellProcess {
  url: string;
  origin: string;
  dataDir: string;
  /** stderr (the log) and stdout after the URL line, as text. */
  logs: string[];
  /** Everything the process wrote to stdout and stderr, as raw bytes. */
  output(): Buffer;
  stop(): Promise<void>;
}

/** `env`: the process's environment (this process's by default), e.g. one without a keyring. */
export async function startWebShellProcess(extraArgs: string[] = [], dataDir = mkdtempSync(join(tmpdir(), 'desk-e2e-')), env: NodeJS.ProcessEnv = process.env): Promise<WebShellProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'main/web/cli.ts'), '--data-dir', dataDir, ...extraArgs], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const raw: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => raw.push(Buffer.from(c)));
  child.stderr?.on('data', (c: Buffer) => {
    raw.push(Buffer.from(c));
    logs.push(String(c));
  });
  const lines = createInterface({ input: child.stdout! });
  let first = true;
  // No start deadline of our own: on a loaded machine the start can take long; the test's timeout
  // bounds it, and a shell that dies says so at once (exit).
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (!first) {
        logs.push(line + '\n');
        return;
      }
      first = false;
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
    output: () => Buffer.concat(raw),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // The shell is this one process (no tsx wrapper), so the fallback kill ends the lock's
        // owner too and the next start takes the stale lock over: a wrapper killed alone left the
        // real shell holding it ("already running with this data folder").
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export type ShellMode = 'demo' | 'plain' | 'sandbox';

interface Options {
  shellMode: ShellMode;
  shellArgs: string[];
  /** A test clock the app (`--test-clock FILE`) and the sandbox share; the `clock` fixture moves it. */
  testClock: boolean;
}

/** The shared test clock: "now" for the app's scheduler and the sandbox's rules. */
export interface TestClock {
  set(now: Date): void;
  now(): Date;
}

interface Fixtures {
  shell: WebShellProcess & { sandbox: Sandbox | null };
  sandbox: Sandbox;
  app: Page;
  clock: TestClock;
}

// Test-scoped: every test starts from a fresh app (and a fresh sandbox when it uses one).
export const test = base.extend<Options & Fixtures>({
  shellMode: ['demo', { option: true }],
  shellArgs: [[], { option: true }],
  testClock: [false, { option: true }],
  // Always a file (cheap); the app and the sandbox read it only with test.use({ testClock: true }).
  clock: async ({}, use) => {
    const file = join(mkdtempSync(join(tmpdir(), 'desk-clock-')), 'now');
    writeFileSync(file, new Date().toISOString());
    await use({
      set: (now) => writeFileSync(file, now.toISOString()),
      now: () => new Date(readFileSync(file, 'utf8')),
      file,
    } as TestClock);
  },
  shell: async ({ shellMode, shellArgs, testClock, clock }, use) => {
    const clockFile = testClock ? (clock as TestClock & { file: string }).file : null;
    const sandbox = shellMode === 'sandbox' ? await startSandbox(clockFile ? { now: () => new Date(readFileSync(clockFile, 'utf8')) } : {}) : null;
    const modeArgs = shellMode === 'demo' ? ['--demo'] : sandbox ? ['--api-base', sandbox.url] : [];
    try {
      const shell = await startWebShellProcess([...modeArgs, ...shellArgs, ...(clockFile ? ['--test-clock', clockFile] : [])]);
      await use(Object.assign(shell, { sandbox }));
      await shell.stop();
      rmSync(shell.dataDir, { recursive: true, force: true });
    } finally {
      await sandbox?.close();
    }
  },
  sandbox: async ({ shell }, use) => {
    if (!shell.sandbox) throw new Error("the sandbox fixture needs test.use({ shellMode: 'sandbox' })");
    await use(shell.sandbox);
  },
  app: async ({ page, shell }, use) => {
    await page.goto(shell.url);
    await use(page);
  },
});

export { expect };
