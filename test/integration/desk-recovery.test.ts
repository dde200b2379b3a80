/**
 * A desk write the app stopped during is decided at the next start by reading, never sent again
 * (issue 10: DeskJobs.resolveLeftovers at start-up). The core runs in a CHILD process (the sandbox
 * stays here): it freezes a membership; the sandbox processes the freeze and holds its answer back;
 * once the sandbox has taken the write (observed), the child is SIGKILLed. The journal then holds
 * the freeze as an intent. A new core on the same data folder, asked nothing, must settle it as
 * applied from a read — and the sandbox must see no second freeze.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const CHILD = join(import.meta.dirname, '../support/desk-child.ts');

function runChild(args: unknown) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { lines, exit, err: () => err, kill: () => child.kill('SIGKILL') };
}

it('a freeze SIGKILLed after the server took it is settled at the next start by reading, and not sent again', { timeout: 180_000 }, async () => {
  sandbox = await startSandbox({ rate: null });
  const k = sandbox.control.knownIds;
  const id = k.memberships.danaPerServiceFreezable;
  const dir = mkdtempSync(join(tmpdir(), 'desk-crash-'));
  const base = { apiBase: sandbox.url, dataDir: join(dir, 'data'), keychainFile: join(dir, 'keychain.json'), chainId: k.dana.chainId, locationId: k.dana.locationId, membershipId: id };
  // The freeze is processed, then its answer is held back: the app is killed while waiting for it.
  sandbox.control.setFaults([{ route: /\/freeze$/, probability: 1, kind: 'latency', latencyMs: 120_000, when: 'after' }]);

  const first = runChild({ ...base, mode: 'freeze', partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password });
  const box = sandbox;
  let exited = false;
  void first.exit.then(() => (exited = true));
  while (box.control.stats().writesByAction.freeze < 1) {
    if (exited) throw new Error(`the child stopped before sending: ${first.err()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  first.kill();
  expect((await first.exit).signal).toBe('SIGKILL');
  expect(first.lines.map((l) => l['step'])).toEqual(['signed-in', 'sending']);
  expect(sandbox.control.getMembership(id)['is_frozen']).toBeTruthy();
  sandbox.control.clearFaults();

  const second = runChild({ ...base, mode: 'restart' });
  const exit = await second.exit;
  expect(exit.code, second.err()).toBe(0);
  const resolved = second.lines.find((l) => l['step'] === 'resolved');
  expect(resolved).toMatchObject({ jobs: 1, op: { state: 'applied', attempts: 1 }, audit: [{ action: 'freeze', outcome: 'ok' }] });
  // Read, not resent.
  expect(sandbox.control.stats().writesByAction.freeze).toBe(1);
});
