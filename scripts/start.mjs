#!/usr/bin/env node
// `npm start`: build (skipped when no build input changed since the last one), then run the Electron app. Where Electron's runtime cannot be obtained (it is
// downloaded from GitHub on first run), say so in one line and open the web shell instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputsHash, needsBuild, writeStamp } from './build-stamp.mjs';

const root = join(import.meta.dirname, '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

const hash = inputsHash(root);
if (needsBuild(root, hash)) {
  console.log('Building the app (about 10 seconds; the next start skips this while nothing changed)…');
  const build = run('npx', ['electron-vite', 'build', '--logLevel', 'warn']);
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeStamp(root, hash);
}

function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist'), readFileSync(pathFile, 'utf8'));
  return existsSync(bin) ? bin : null;
}

let bin = electronBinary();
if (!bin) {
  // Try the normal download once (quietly); on machines without GitHub access it fails fast.
  run(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  bin = electronBinary();
}

if (bin) {
  const child = spawn(bin, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log("Electron's runtime could not be downloaded on this machine, so the app runs as the web shell instead (demo mode unless signed in): open the url below in your browser.");
  const child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'main', 'web', 'cli.ts'), '--demo', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
