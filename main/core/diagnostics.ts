/**
 * "Save diagnostics…": one JSON file a receptionist can send to support — app and OS versions,
 * settings without secrets, the database's health, the last batches' summaries and the end of the
 * (already redacted) log. Before it leaves the core, every token this PC knows (the partner token
 * of each server, each profile's user token, read from the keychain) is replaced wherever it
 * appears, and so is anything shaped like an Authorization value: a line logged by an older
 * version, or a server's error text quoting a token, cannot carry one out.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import type { BatchSummary } from '../../preload/contract';
import { redact } from './log';
import { partnerAccount, userAccount, type SecretStore } from './session/secret-store';
import { pragmaValue, type Store } from './store';

export interface DiagnosticsDeps {
  version: string;
  shell: 'electron' | 'web';
  store: Store;
  secrets: SecretStore;
  /** The server the app signs in to (its partner token is looked up for scrubbing). */
  serverUrl: () => Promise<string>;
  batches: () => Promise<BatchSummary[]>;
  /** The log file and its older sibling (`.1`). */
  logPath: string;
  now?: () => Date;
}

const LOG_TAIL_LINES = 3000;
const LAST_BATCHES = 10;

function tail(path: string, lines: number): string[] {
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter((l) => l.length > 0) : []);
  return [...read(`${path}.1`), ...read(path)].slice(-lines);
}

/** Every secret this PC keeps for the app (from the keychain), longest first. */
async function knownSecrets(deps: DiagnosticsDeps, serverUrl: string): Promise<string[]> {
  const servers = new Set([serverUrl, ...deps.store.profiles.list().map((p) => p.serverUrl)]);
  const accounts = [...[...servers].map(partnerAccount), ...deps.store.profiles.list().map((p) => userAccount(p.id))];
  const found: string[] = [];
  for (const account of accounts) {
    try {
      const secret = await deps.secrets.get(account);
      if (secret && secret.length >= 4) found.push(secret);
    } catch {
      /* keychain unavailable: the pattern scrub still runs */
    }
  }
  return found.sort((a, b) => b.length - a.length);
}

/** Replaces each known secret and anything shaped like an Authorization value. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out.replace(/(Bearer|User)(\s|\\u0020)+[^\s,"\\]+/g, '$1 [redacted]');
}

export async function buildDiagnostics(deps: DiagnosticsDeps): Promise<{ fileName: string; text: string }> {
  const now = (deps.now ?? (() => new Date()))();
  const serverUrl = await deps.serverUrl();
  const db = deps.store.db;
  const dbSize = deps.store.path !== ':memory:' && existsSync(deps.store.path) ? statSync(deps.store.path).size : null;
  let batches: unknown[] = [];
  try {
    batches = (await deps.batches()).slice(0, LAST_BATCHES).map((b) => ({
      createdAt: b.createdAt,
      kind: b.kind,
      fileName: b.fileName,
      state: b.state,
      message: b.message ?? null,
      totals: b.totals,
      done: b.done,
      failed: b.failed,
      conflicts: b.conflicts,
    }));
  } catch (e) {
    batches = [{ unreadable: e instanceof Error ? e.message : String(e) }];
  }
  const report = {
    format: 'membership-desk-diagnostics/1',
    createdAt: now.toISOString(),
    app: { version: deps.version, shell: deps.shell, electron: process.versions.electron ?? null, node: process.versions.node },
    os: { platform: platform(), release: release(), arch: arch() },
    // Without secrets: which server, and whether a partner token is set — never any part of it.
    settings: { serverUrl, profiles: deps.store.profiles.list().map((p) => ({ serverUrl: p.serverUrl, demo: p.demo })) },
    database: { bytes: dbSize, journalMode: pragmaValue(db, 'journal_mode'), schemaVersion: pragmaValue(db, 'user_version') },
    batches,
    log: tail(deps.logPath, LOG_TAIL_LINES),
  };
  const text = scrub(JSON.stringify(redact(report), null, 2), await knownSecrets(deps, serverUrl));
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return { fileName: `membership-desk-diagnostics-${stamp}.json`, text };
}
