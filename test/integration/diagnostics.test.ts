/**
 * "Save diagnostics…" (app.saveDiagnostics) through the real core, signed in to the sandbox over
 * HTTP with a partner token and a user token in the (in-memory) keychain: the file has the
 * versions, settings, the last batches and the log — and no partner token, user token or password,
 * even when an older version's log line leaked the tokens (planted here). Positive control: the
 * same scan finds all three where they are.
 */
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';
import { userAccount } from '../../main/core/session/secret-store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';

let sandbox: Sandbox | undefined;
let core: Core | undefined;
afterEach(async () => {
  await core?.close();
  await sandbox?.close();
  core = undefined;
  sandbox = undefined;
});

/** The secrets found in `text`, by name. */
const leaks = (text: string, secrets: Record<string, string>) => Object.entries(secrets).filter(([, s]) => text.includes(s)).map(([name]) => name);

it('one JSON file with versions, settings, batches and the log, and none of the secrets', async () => {
  sandbox = await startSandbox({ rate: null });
  const dataDir = mkdtempSync(join(tmpdir(), 'desk-diag-'));
  const secrets = new MemorySecretStore();
  core = await createCore({ dataDir, shell: 'web', secrets, apiBase: sandbox.url });
  const set = await dispatch(core.handlers, 'settings.setPartnerToken', { token: sandbox.partnerToken, serverUrl: sandbox.url });
  expect(set.ok).toBe(true);
  const signedIn = await dispatch(core.handlers, 'session.signIn', { login: sandbox.login, password: sandbox.password, serverUrl: sandbox.url });
  expect(signedIn.ok).toBe(true);
  const profileId = core.session.snapshot().profile?.id ?? '';
  const userToken = (await secrets.get(userAccount(profileId))) ?? '';
  expect(userToken.length).toBeGreaterThan(8);
  const secret = { partnerToken: sandbox.partnerToken, userToken, password: sandbox.password };

  const logPath = join(dataDir, 'membership-desk.log');
  if (process.platform !== 'win32') expect(statSync(logPath).mode & 0o077).toBe(0); // private, like the database
  // An older version's log line that leaked both tokens (as a server's error text might).
  appendFileSync(logPath, `${JSON.stringify({ level: 'warn', msg: `answer: partner ${secret.partnerToken}, user ${secret.userToken}` })}\n`);
  // Positive control: the scan sees secrets where they are.
  expect(leaks(readFileSync(logPath, 'utf8'), secret)).toEqual(['partnerToken', 'userToken']);
  expect(leaks(`login with ${secret.password}`, secret)).toEqual(['password']);

  const r = await dispatch(core.handlers, 'app.saveDiagnostics', {});
  if (!r.ok) throw new Error(r.error.message);
  const file = r.value as { fileName: string; text: string };
  expect(file.fileName).toMatch(/^membership-desk-diagnostics-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
  const text = file.text;
  expect(leaks(text, secret)).toEqual([]);
  const report = JSON.parse(text) as { app: { version: string; node: string }; os: { platform: string }; settings: { serverUrl: string }; log: string[]; batches: unknown[] };
  expect(report.app.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(report.os.platform).toBe(process.platform);
  expect(report.settings.serverUrl).toBe(sandbox.url.replace(/\/+$/, ''));
  expect(Array.isArray(report.batches)).toBe(true);
  expect(report.log.length).toBeGreaterThan(1);
  expect(report.log.some((l) => l.includes('answer: partner [redacted], user [redacted]'))).toBe(true);
});

it('works when the keychain is not available (when support needs it most)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'desk-diag-'));
  core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore({ unavailable: true }) });
  const r = await dispatch(core.handlers, 'app.saveDiagnostics', {});
  expect(r.ok ? null : r.error).toBeNull();
  if (!r.ok) return;
  const report = JSON.parse((r.value as { text: string }).text) as { log: string[] };
  expect(report.log.some((l) => l.includes('core starting'))).toBe(true);
});
