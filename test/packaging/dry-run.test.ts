/**
 * Packaging dry-run: electron-builder `--linux dir` with a placeholder Electron dist (the real one
 * is downloaded from GitHub, impossible here). Checks what a real build would ship: the asar holds
 * main, preload and renderer; native modules are unpacked; the security fuses are configured.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractAll, extractFile, listPackage } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import fuses from '@electron/fuses';

// CommonJS package: take the named exports from its default export.
const { FuseV1Options, getCurrentFuseWire } = fuses;
// The package does not export its FuseState enum: a fuse byte is ASCII '1' (on) or '0' (off).
const FuseState = { ENABLE: 49, DISABLE: 48 } as const;
import { parse as parseYaml } from 'yaml';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'desk-pack-'));
const dist = join(work, 'electron-dist');
const output = join(work, 'out');
let resources = '';

beforeAll(() => {
  expect(existsSync(join(root, 'out/main/index.js')), 'run `npm run build` first').toBe(true);
  mkdirSync(join(dist, 'locales'), { recursive: true });
  // A real Electron binary carries a "fuse wire" after a sentinel; the placeholder carries one too
  // (version 1, 8 fuses, all at Electron's defaults), so electron-builder flips it exactly as it
  // would the real binary and the test can read the result back.
  const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  const defaults = [FuseState.ENABLE, FuseState.DISABLE, FuseState.ENABLE, FuseState.ENABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.ENABLE];
  writeFileSync(
    join(dist, 'electron'),
    Buffer.concat([Buffer.from('#!/bin/sh\necho placeholder\nexit 0\n'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, defaults.length, ...defaults])]),
  );
  chmodSync(join(dist, 'electron'), 0o755);
  writeFileSync(join(dist, 'version'), '45.5.0');
  writeFileSync(join(dist, 'LICENSE'), 'placeholder');
  writeFileSync(join(dist, 'LICENSES.chromium.html'), '<p>placeholder</p>');
  writeFileSync(join(dist, 'locales/en-US.pak'), '');
  execFileSync(
    'npx',
    [
      'electron-builder',
      '--linux',
      'dir',
      '--config.npmRebuild=false',
      `--config.electronDist=${dist}`,
      `--config.directories.output=${output}`,
    ],
    { cwd: root, stdio: 'pipe', timeout: 120_000 },
  );
  resources = join(output, 'linux-unpacked', 'resources');
}, 150_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packaging dry-run (electron-builder --linux dir)', () => {
  it('puts main, preload and renderer into app.asar', () => {
    const files = listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
    expect(files).toContain('/out/main/index.js');
    expect(files).toContain('/out/preload/index.cjs');
    expect(files).toContain('/out/renderer/index.html');
    expect(files).toContain('/package.json');
    // Sources, tests and dev tooling stay out.
    expect(files.some((f) => f.startsWith('/test/') || f.startsWith('/main/') || f.startsWith('/renderer/src'))).toBe(false);
    expect(files.some((f) => f.includes('/node_modules/electron/') || f.includes('/node_modules/vitest/'))).toBe(false);
  });

  it('builds a preload that requires nothing but electron (a sandboxed preload can load no package)', () => {
    const preload = readFileSync(join(root, 'out/preload/index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
  });

  it('unpacks the native modules next to the asar', () => {
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules');
    expect(existsSync(join(unpacked, 'keytar', 'build', 'Release', 'keytar.node'))).toBe(true);
    expect(existsSync(join(unpacked, '@libsql', 'linux-x64-gnu', 'index.node'))).toBe(true);
  });

  it("ships what the WAL checkpoint worker loads: its source in the main bundle, libsql's JS with its dependencies in the asar (required from there), the binary unpacked", () => {
    const asar = join(resources, 'app.asar');
    const files = listPackage(asar, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
    const bundle = files.filter((f) => f.startsWith('/out/main/') && f.endsWith('.js')).map((f) => extractFile(asar, f.slice(1)).toString('utf8'));
    expect(bundle.some((code) => code.includes('PRAGMA wal_checkpoint(PASSIVE)'))).toBe(true);
    // The worker requires libsql by its resolved path inside app.asar: the JS it requires is only there, not in app.asar.unpacked.
    for (const f of ['/node_modules/libsql/index.js', '/node_modules/@neon-rs/load/package.json', '/node_modules/detect-libc/package.json']) expect(files).toContain(f);
    expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', '@libsql', 'linux-x64-gnu', 'index.node'))).toBe(true);
  });

  it('flips the Electron security fuses in the packaged binary', async () => {
    const wire = await getCurrentFuseWire(join(output, 'linux-unpacked', 'membership-desk'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
  });

  it('configures asar, the fuses and a per-user installer', () => {
    const config = parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.nsis).toMatchObject({ perMachine: false, allowElevation: false, createDesktopShortcut: true });
  });

  it('builds in the update feed: resources/app-update.yml with the generic provider and the publish URL', () => {
    const config = parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as { publish: { provider: string; url: string } };
    expect(config.publish.provider).toBe('generic');
    expect(config.publish.url).toMatch(/^https:\/\//);
    const feed = parseYaml(readFileSync(join(resources, 'app-update.yml'), 'utf8')) as Record<string, unknown>;
    expect(feed).toMatchObject({ provider: 'generic', url: config.publish.url });
  });

  /**
   * The packaged main process itself, run under plain Node from the extracted app.asar with a
   * recording stand-in for `electron` (the runtime cannot run here): as a packaged build
   * (app.isPackaged true) it ignores MEMBERSHIP_DESK_DATA_DIR and opens its window without
   * DevTools; as a development run (false) it honours both — the control that the probe can see it.
   */
  it('a packaged build ignores MEMBERSHIP_DESK_DATA_DIR, has no DevTools and starts the updater on the built-in or IT feed (the same bundle in development: none of that)', () => {
    const app = join(work, 'app');
    extractAll(join(resources, 'app.asar'), app);
    mkdirSync(join(app, 'node_modules/electron'), { recursive: true });
    writeFileSync(join(app, 'node_modules/electron/package.json'), JSON.stringify({ name: 'electron', main: 'index.js' }));
    writeFileSync(join(app, 'node_modules/electron/index.js'), ELECTRON_PROBE);
    const run = (packaged: boolean, updateJson?: string) => {
      const userData = mkdtempSync(join(work, 'user-data-'));
      if (updateJson !== undefined) writeFileSync(join(userData, 'update.json'), updateJson);
      const override = join(work, `override-${packaged}`);
      const report = join(work, `report-${packaged}.json`);
      const r = spawnSync(process.execPath, [join(app, 'out/main/index.js')], {
        env: { ...process.env, MEMBERSHIP_DESK_DATA_DIR: override, PROBE_PACKAGED: String(packaged), PROBE_USER_DATA: userData, PROBE_REPORT: report, PROBE_RESOURCES: resources, PROBE_APP: app },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(existsSync(report), `${r.stdout}\n${r.stderr}`).toBe(true);
      return { ...(JSON.parse(readFileSync(report, 'utf8')) as { setPath: string[][]; webPreferences: Record<string, unknown>; dialogs: string[][] }), userData, override, log: r.stderr };
    };
    const packaged = run(true);
    expect(packaged.dialogs).toEqual([]);
    expect(packaged.setPath).toEqual([]);
    expect(packaged.webPreferences.devTools).toBe(false);
    expect(existsSync(join(packaged.userData, 'membership-desk.db'))).toBe(true);
    expect(existsSync(packaged.override)).toBe(false);
    // electron-updater loaded from the asar and found the built-in feed (resources/app-update.yml).
    expect(packaged.log).toContain('"msg":"updates: on","details":{"feed":"app-update.yml"}');

    // The chain's IT points the PCs at their own server.
    const it = run(true, JSON.stringify({ url: 'https://updates.chain.example/desk/' }));
    expect(it.log).toContain('"msg":"updates: on","details":{"feed":"update.json"}');
    // A bad one is ignored with a reason; the built-in feed stays.
    const bad = run(true, JSON.stringify({ url: 'http://updates.chain.example/desk/' }));
    expect(bad.log).toContain('update.json: The update address must start with https://');
    expect(bad.log).toContain('"feed":"app-update.yml"');

    const development = run(false);
    expect(development.setPath).toEqual([['userData', development.override]]);
    expect(development.webPreferences.devTools).toBe(true);
    expect(existsSync(join(development.override, 'membership-desk.db'))).toBe(true);
    expect(development.log).not.toContain('updates: on'); // no updater outside a packaged build
  }, 120_000);
});

/** A stand-in for `electron` (CommonJS: electron-updater requires it) that records what the main process asks of it and ends once the window exists. */
const ELECTRON_PROBE = `
const { writeFileSync } = require('node:fs');
const { EventEmitter } = require('node:events');
const seen = { setPath: [], webPreferences: null, dialogs: [] };
let userData = process.env.PROBE_USER_DATA;
process.resourcesPath = process.env.PROBE_RESOURCES;
const done = (code) => { writeFileSync(process.env.PROBE_REPORT, JSON.stringify(seen)); process.exit(code); };
const noop = () => undefined;
const app = Object.assign(new EventEmitter(), {
  isPackaged: process.env.PROBE_PACKAGED === 'true',
  setPath: (name, value) => { seen.setPath.push([name, value]); if (name === 'userData') userData = value; },
  getPath: () => userData,
  getVersion: () => '0.0.1',
  getName: () => 'Membership Desk',
  getAppPath: () => process.env.PROBE_APP,
  isReady: () => true,
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit: noop,
  exit: (code) => done(code),
});
exports.app = app;
exports.dialog = { showErrorBox: (title, content) => seen.dialogs.push([title, content]) };
exports.protocol = { registerSchemesAsPrivileged: noop, handle: noop };
exports.session = { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop } };
exports.ipcMain = { handle: noop, on: noop };
exports.net = { fetch: noop };
exports.shell = { openExternal: noop };
exports.powerMonitor = { getSystemIdleTime: () => 0 };
exports.BrowserWindow = class {
  constructor(options) {
    seen.webPreferences = options.webPreferences;
    this.webContents = { on: noop, setWindowOpenHandler: noop, send: noop };
    setImmediate(() => done(0));
  }
  on() {} once() {} loadURL() { return Promise.resolve(); }
};
`;
