/**
 * Child process for the start-up tests: starts the core on a data folder exactly as the shells do
 * (createCore; an in-memory keychain stands in for the OS one), then prints one JSON line:
 *   {"ok": true, "info": <app.info>, "audit": <audit.list ok?>}   and exits 0, or
 *   {"ok": false, "name", "code", "message"}                         and exits 2 (as start:web does).
 *
 *   tsx test/support/core-start-child.ts <dataDir>
 */
import { createCore } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';

async function main(): Promise<void> {
  const dataDir = process.argv[2] ?? '';
  let core;
  try {
    core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore() });
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    process.stdout.write(`${JSON.stringify({ ok: false, name: err.name, code: err.code, message: err.message })}\n`);
    process.exit(2);
  }
  const info = await dispatch(core.handlers, 'app.info', {});
  const audit = await dispatch(core.handlers, 'audit.list', {});
  process.stdout.write(`${JSON.stringify({ ok: true, info: info.ok ? info.value : info.error, audit: audit.ok })}\n`);
  await core.close();
}

void main();
