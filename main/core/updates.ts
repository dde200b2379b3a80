/**
 * When the app updates itself. The Electron shell adapts electron-updater to `UpdaterPort`; the
 * decisions live here, in plain Node, so they are tested without Electron:
 *  - nothing happens without an update server (build-time `publish` URL, or IT's `update.json`);
 *  - a check shortly after start and then every few hours; a newer version downloads in the
 *    background (the port's job) and errors are only logged — the desk never sees them;
 *  - a downloaded update installs when the app quits (the port arranges that), or earlier only
 *    while the app is idle: nobody has touched the PC for a while and no batch, bulk action or
 *    dialog is open — never in the middle of someone's work.
 * Installs are per-user (NSIS perMachine: false), so an update never asks for an administrator.
 * All times are monotonic (timers), so a clock change neither delays nor hurries an install.
 */
import { z } from 'zod';
import type { Logger } from './log';

export interface UpdaterPort {
  /** Asks the update server; a newer version is downloaded in the background. */
  checkAndDownload(): Promise<void>;
  /** Quits, installs silently and starts the new version. */
  installNow(): void;
}

/** What the policy must know about the people using the app. */
export interface ActivityProbe {
  /** Why not now ('batch', 'bulk', 'dialog'…), or null when nothing is under way. */
  busy(): string | null;
  /** Time since the last keyboard or mouse input on this PC. */
  idleMs(): number;
}

export interface UpdatePolicyOptions {
  port: UpdaterPort;
  activity: ActivityProbe;
  log: Logger;
  /** First check this long after start. Default 1 minute. */
  firstCheckMs?: number;
  /** Then every … Default 4 hours. */
  checkEveryMs?: number;
  /** Install early only after this long without input. Default 15 minutes. */
  idleBeforeInstallMs?: number;
  /** How often a downloaded update looks for an idle moment. Default 1 minute. */
  pollMs?: number;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout; setInterval: typeof setInterval; clearInterval: typeof clearInterval };
}

export interface UpdatePolicy {
  /** The port reports a downloaded version. */
  downloaded(version: string): void;
  /** The version waiting to be installed (at quit or when idle), if any. */
  pending(): string | null;
  /** One look for an idle moment (also run every `pollMs`). Returns whether it installed. */
  tryInstall(): boolean;
  stop(): void;
}

export function createUpdatePolicy(o: UpdatePolicyOptions): UpdatePolicy {
  const timers = o.timers ?? { setTimeout, clearTimeout, setInterval, clearInterval };
  const idleBefore = o.idleBeforeInstallMs ?? 15 * 60_000;
  let pending: string | null = null;
  let installing = false;
  let checking = false;
  let stopped = false;

  const check = () => {
    if (stopped || checking || installing) return;
    checking = true;
    o.port
      .checkAndDownload()
      .catch((e: unknown) => o.log.warn('updates: check failed', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => (checking = false));
  };

  const tryInstall = (): boolean => {
    if (stopped || installing || pending === null) return false;
    const busy = o.activity.busy();
    if (busy !== null || o.activity.idleMs() < idleBefore) return false;
    installing = true;
    o.log.info('updates: installing while idle', { version: pending });
    try {
      o.port.installNow();
    } catch (e) {
      installing = false;
      o.log.warn('updates: install failed', { error: e instanceof Error ? e.message : String(e) });
      return false;
    }
    return true;
  };

  const first = timers.setTimeout(check, o.firstCheckMs ?? 60_000);
  const every = timers.setInterval(check, o.checkEveryMs ?? 4 * 3_600_000);
  const poll = timers.setInterval(tryInstall, o.pollMs ?? 60_000);
  for (const t of [first, every, poll]) (t as { unref?: () => void }).unref?.();

  return {
    downloaded(version) {
      pending = version;
      o.log.info('updates: downloaded; installs at quit or when the app is idle', { version });
    },
    pending: () => pending,
    tryInstall,
    stop() {
      stopped = true;
      timers.clearTimeout(first);
      timers.clearInterval(every);
      timers.clearInterval(poll);
    },
  };
}

/**
 * IT's own update server for a chain's PCs: `update.json` in the data folder, `{"url": "https://…"}`
 * (a generic electron-updater feed: latest.yml and the installers). https only, except loopback.
 */
export const UpdateConfig = z
  .object({
    url: z
      .string()
      .trim()
      .url()
      .max(500)
      .refine((u) => {
        const p = new URL(u);
        return p.protocol === 'https:' || (p.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(p.hostname));
      }, 'The update address must start with https://')
      .refine((u) => {
        const p = new URL(u);
        return p.username === '' && p.password === '';
      }, 'The update address must not contain a user name or password'),
  })
  .strict();
export type UpdateConfig = z.infer<typeof UpdateConfig>;

export const UPDATE_CONFIG_FILE = 'update.json';

/**
 * Reads IT's update.json: null when there is none; a clear error (logged by the caller; the app
 * still starts, with the build's server) when it is not valid.
 */
export function parseUpdateConfig(text: string | null): { config: UpdateConfig | null; problem: string | null } {
  if (text === null) return { config: null, problem: null };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { config: null, problem: `${UPDATE_CONFIG_FILE} is not valid JSON` };
  }
  const parsed = UpdateConfig.safeParse(raw);
  if (!parsed.success) return { config: null, problem: `${UPDATE_CONFIG_FILE}: ${parsed.error.issues[0]?.message ?? 'not valid'}` };
  return { config: parsed.data, problem: null };
}
