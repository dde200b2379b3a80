/**
 * The web shell under a flood: anyone on the PC can open sockets to it without a secret. Before
 * the limits, every half-open socket was kept (no cap, requestTimeout 0) until the process ran out
 * of file descriptors and the real tab could not connect. The shell runs in a child process with
 * 1024 file descriptors; the flood is 1500 half-open sockets held open.
 * Also: several `desk_key` cookies (another server on 127.0.0.1 set one) are all tried.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, '../support/web-shell-child.ts');
const posix = process.platform !== 'win32';

let child: ChildProcess | null = null;
const flood: Socket[] = [];
afterEach(() => {
  for (const s of flood.splice(0)) s.destroy();
  child?.kill('SIGKILL');
  child = null;
});

interface Shell {
  port: number;
  secret: string;
  key: string;
}

async function startChild(options: Record<string, unknown>, fdLimit: number | null): Promise<Shell> {
  const node = [process.execPath, '--import', 'tsx', CHILD, JSON.stringify(options)];
  const proc =
    fdLimit === null
      ? spawn(node[0] as string, node.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
      : // `ulimit -n` sets the hard limit too, so Node cannot raise it again.
        spawn('sh', ['-c', `ulimit -n ${fdLimit} && exec "$@"`, 'sh', ...node], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = proc;
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`web shell child exited ${code}`)));
  });
  const url = new URL((JSON.parse(line) as { url: string }).url);
  return { port: Number(url.port), secret: url.searchParams.get('k') ?? '', key: new URLSearchParams(url.hash.slice(1)).get('t') ?? '' };
}

function call(shell: Shell, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: shell.port,
        path: '/rpc/app.info',
        method: 'POST',
        agent: false,
        headers: { host: `127.0.0.1:${shell.port}`, cookie, 'x-desk-key': shell.key, 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

/** Opens `n` sockets that send half a request line and then nothing; resolves once all connected or failed. */
async function openFlood(port: number, n: number): Promise<number> {
  let connected = 0;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            connected++;
            s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
            resolve();
          });
          s.on('error', () => resolve());
          flood.push(s);
        }),
    ),
  );
  return connected;
}

describe('web shell limits', () => {
  it.skipIf(!posix)('a flood of 1500 half-open connections does not stop the real tab (the shell has 1024 file descriptors)', async () => {
    const shell = await startChild({}, 1024);
    const connected = await openFlood(shell.port, 1500);
    expect(connected).toBeGreaterThan(1024); // the flood really went past the descriptor limit
    const r = await call(shell, `desk_key=${shell.secret}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { version: 'test' } });
  });

  it('a half-open request is closed once its headers are late', async () => {
    const shell = await startChild({ headersTimeoutMs: 300 }, null);
    const s = connect(shell.port, '127.0.0.1');
    flood.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write('GET / HTTP/1.1\r\n');
    let answer = '';
    s.on('data', (d: Buffer) => (answer += d.toString()));
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('several desk_key cookies: the right one is found wherever it is', async () => {
    const shell = await startChild({}, null);
    expect((await call(shell, `desk_key=planted-by-another-server; desk_key=${shell.secret}`)).status).toBe(200);
    expect((await call(shell, `desk_key=${shell.secret}; desk_key=planted`)).status).toBe(200);
    expect((await call(shell, 'desk_key=planted; desk_key=also-wrong')).status).toBe(403);
  });
});
