/**
 * electron-updater behind the core's `UpdaterPort` (main/core/updates.ts decides when). Only in a
 * packaged build, and only with an update server: the build's `publish` URL (app-update.yml) or
 * IT's `update.json` in the data folder. Downloads in the background; installs silently at quit,
 * or earlier when the core's policy finds the app idle. Per-user NSIS: never an admin prompt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, powerMonitor } from 'electron';
import electronUpdater from 'electron-updater';
import type { Logger } from '../core/log';
import { createUpdatePolicy, parseUpdateConfig, UPDATE_CONFIG_FILE, type UpdatePolicy } from '../core/updates';

export function startUpdates(options: { dataDir: string; log: Logger; busy(): string | null }): UpdatePolicy | null {
  const { log } = options;
  if (!app.isPackaged) return null;
  const { autoUpdater } = electronUpdater;
  const configPath = join(options.dataDir, UPDATE_CONFIG_FILE);
  const { config, problem } = parseUpdateConfig(existsSync(configPath) ? readFileSync(configPath, 'utf8') : null);
  if (problem) log.warn('updates: IT update config ignored', { problem });
  const builtIn = existsSync(join(process.resourcesPath ?? '', 'app-update.yml'));
  if (!config && !builtIn) {
    log.info('updates: no update server configured');
    return null;
  }
  if (config) autoUpdater.setFeedURL({ provider: 'generic', url: config.url });
  log.info('updates: on', { feed: config ? UPDATE_CONFIG_FILE : 'app-update.yml' });
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  autoUpdater.logger = {
    info: (m?: unknown) => log.info('updater', { message: String(m) }),
    warn: (m?: unknown) => log.warn('updater', { message: String(m) }),
    error: (m?: unknown) => log.warn('updater', { message: String(m) }),
    debug: () => undefined,
  };
  const policy = createUpdatePolicy({
    port: {
      checkAndDownload: async () => void (await autoUpdater.checkForUpdates()),
      // Silent (no installer pages), then the new version starts by itself.
      installNow: () => autoUpdater.quitAndInstall(true, true),
    },
    activity: { busy: options.busy, idleMs: () => powerMonitor.getSystemIdleTime() * 1000 },
    log,
  });
  autoUpdater.on('update-downloaded', (info) => policy.downloaded(info.version));
  autoUpdater.on('error', (e) => log.warn('updates: failed', { error: e instanceof Error ? e.message : String(e) }));
  return policy;
}
