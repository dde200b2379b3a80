/**
 * Child processes for the crash-resume tests (batch and bulk): run, read their stdout lines, wait
 * for an observed state, SIGKILL.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildRun {
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  started: Promise<void>;
  kill(): void;
}

/** Runs a tsx script as a child process with one JSON argument; its stdout lines are collected. */
export function runTsChild(script: string, args: unknown): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => (onStarted = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (line === 'started') onStarted();
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) lines.push(`stderr: ${err.slice(-2000)}`);
      onStarted();
      resolve({ code, signal });
    }),
  );
  return { lines, exit, started, kill: () => child.kill('SIGKILL') };
}

/** Resolves once `done()` holds (polled; the test's own time limit bounds the wait). */
export async function until(done: () => boolean, context: () => string): Promise<void> {
  while (!done()) {
    await new Promise((r) => setTimeout(r, 5));
    if (context().includes('stderr:')) throw new Error(context());
  }
}

