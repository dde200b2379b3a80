/**
 * The sandbox in a process of its own (as Altegio runs on its own servers), controlled over IPC:
 * the benches start it with `remoteSandbox({ extraMemberships })`. Run as a script it serves.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSandbox, type KnownIds, type RateLimit, type SandboxStats } from '../../main/sandbox/server';

export interface RemoteSandbox {
  url: string;
  partnerToken: string;
  login: string;
  password: string;
  knownIds: KnownIds;
  stats(): Promise<SandboxStats>;
  resetStats(): Promise<void>;
  setRate(rate: RateLimit | null): Promise<void>;
  close(): Promise<void>;
}

type Command = { id: number; cmd: 'stats' | 'resetStats' | 'setRate' | 'close'; rate?: RateLimit | null };
type Ready = Pick<RemoteSandbox, 'url' | 'partnerToken' | 'login' | 'password' | 'knownIds'>;

async function serve(extraMemberships: number): Promise<void> {
  const sandbox = await startSandbox({ rate: null, extraMemberships });
  const send = (m: unknown) => process.send?.(m);
  process.on('message', (raw) => {
    const m = raw as Command;
    if (m.cmd === 'stats') send({ id: m.id, result: sandbox.control.stats() });
    else if (m.cmd === 'resetStats') send({ id: m.id, result: sandbox.control.resetStats() ?? null });
    else if (m.cmd === 'setRate') send({ id: m.id, result: sandbox.control.setRate(m.rate ?? null) ?? null });
    else if (m.cmd === 'close') void sandbox.close().then(() => send({ id: m.id, result: null }));
  });
  const ready: Ready = { url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password, knownIds: sandbox.control.knownIds };
  send({ ready });
}

export async function remoteSandbox(options: { extraMemberships: number }): Promise<RemoteSandbox> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(options.extraMemberships)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sandbox process exited (${code})`)));
    child.on('message', (raw) => {
      const m = raw as { ready?: Ready; id?: number; result?: unknown };
      if (m.ready) resolve(m.ready);
      else if (m.id !== undefined) waiting.get(m.id)?.(m.result);
    });
  });
  const call = <T>(cmd: Command['cmd'], extra: Partial<Command> = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, (v) => resolve(v as T));
      child.send({ id, cmd, ...extra });
    });
  return {
    ...ready,
    stats: () => call<SandboxStats>('stats'),
    resetStats: () => call<void>('resetStats'),
    setRate: (r) => call<void>('setRate', { rate: r }),
    close: async () => {
      await call('close');
      child.kill();
    },
  };
}

if (process.argv[2] === '--serve') {
  serve(Number(process.argv[3] ?? '0')).catch((e: unknown) => {
    process.stderr.write(`sandbox process failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
