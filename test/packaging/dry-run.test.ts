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
import { listPackage } from '@electron/asar';
import { parse as parseYaml } from 'yaml';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'desk-pack-'));
const dist = join(work, 'electron-dist');
const output = join(work, 'out');
let resources = '';

beforeAll(() => {
  expect(existsSync(join(root, 'out/main/index.js')), 'run `npm run build` first').toBe(true);
  mkdirSync(join(dist, 'locales'), { recursive: true });
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho placeholder\n');
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
      // Fuses are flipped inside the real Electron binary; the placeholder has none to flip.
      '--config.electronFuses=null',
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

  it('unpacks the native modules next to the asar', () => {
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules');
    expect(existsSync(join(unpacked, 'keytar', 'build', 'Release', 'keytar.node'))).toBe(true);
    expect(existsSync(join(unpacked, '@libsql', 'linux-x64-gnu', 'index.node'))).toBe(true);
  });

  it('configures asar and the Electron security fuses', () => {
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
});
