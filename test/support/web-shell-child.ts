/**
 * Child process for the web shell's limit tests (run under a small `ulimit -n`, so exhausting its
 * file descriptors does not touch the test runner): the web shell with one handler (`app.info`)
 * and a one-file renderer; prints `{"url": …}` and serves until killed.
 *
 *   tsx test/support/web-shell-child.ts '<json: {maxConnections?, headersTimeoutMs?}>'
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../../main/core/dispatch';
import { createEventHub } from '../../main/core/events';
import { startWebShell } from '../../main/web/server';

const options = JSON.parse(process.argv[2] ?? '{}') as { maxConnections?: number; headersTimeoutMs?: number };
const rendererDir = mkdtempSync(join(tmpdir(), 'desk-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
const handlers = { 'app.info': async () => ({ version: 'test', shell: 'web', demoAvailable: false }) } as unknown as Handlers;
const shell = await startWebShell({ handlers, events: createEventHub(), rendererDir, ...options });
process.stdout.write(`${JSON.stringify({ url: shell.url })}\n`);
