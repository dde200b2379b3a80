/**
 * The benches' sandbox in a process of its own (apply.ts, bulk-freeze.ts, index-sync.ts), controlled
 * over IPC. Run as a script with `--serve-sandbox N [M]` it is that process (M: chainMemberships).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSandbox, type KnownIds, type RateLimit, type Sandbox, type SandboxStats } from '../../main/sandbox/server';

/**
 * The sandbox runs in its own process, as Altegio runs on its own servers: in-process, building a
 * 50-membership answer would stall our event loop between a request's grant and its arrival, and the
 * measured jitter would be the bench's artefact, not the engine's. Controlled over IPC.
 */
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

async function serveSandbox(extraMemberships: number, chainMemberships: number): Promise<void> {
  const sandbox: Sandbox = await startSandbox({ rate: null, extraMemberships, chainMemberships });
  if (process.env['BENCH_LAG']) {
    const { monitorEventLoopDelay } = await import('node:perf_hooks');
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    setInterval(() => {
      process.stderr.write(`server lag max ${(h.max / 1e6).toFixed(1)}ms p99 ${(h.percentile(99) / 1e6).toFixed(1)}ms\n`);
      h.reset();
    }, 5000).unref();
  }
  const send = (m: unknown) => process.send?.(m);
  process.on('message', (raw) => {
    const m = raw as Command;
    if (m.cmd === 'stats') send({ id: m.id, result: sandbox.control.stats() });
    else if (m.cmd === 'resetStats') send({ id: m.id, result: sandbox.control.resetStats() ?? null });
    else if (m.cmd === 'setRate') send({ id: m.id, result: sandbox.control.setRate(m.rate ?? null) ?? null });
    else if (m.cmd === 'close') void sandbox.close().then(() => send({ id: m.id, result: null }));
  });
  send({ ready: { url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password, knownIds: sandbox.control.knownIds } });
}

/**
 * Starts the sandbox in a process of its own with `extraMemberships` bench memberships (knownIds.extra)
 * and `chainMemberships` in the large chain (knownIds.largeChain).
 */
export async function remoteSandbox(extraMemberships: number, chainMemberships = 0): Promise<RemoteSandbox> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve-sandbox', String(extraMemberships), String(chainMemberships)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  const ready = await new Promise<Omit<RemoteSandbox, 'stats' | 'resetStats' | 'setRate' | 'close'>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sandbox process exited (${code})`)));
    child.on('message', (raw) => {
      const m = raw as { ready?: Omit<RemoteSandbox, 'stats' | 'resetStats' | 'setRate' | 'close'>; id?: number; result?: unknown };
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

const serveAt = process.argv.indexOf('--serve-sandbox');
if (serveAt >= 0) {
  serveSandbox(Number(process.argv[serveAt + 1] ?? '0'), Number(process.argv[serveAt + 2] ?? '0')).catch((e: unknown) => {
    process.stderr.write(`bench sandbox failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
