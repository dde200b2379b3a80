// Whether `npm start` must build: a hash of every build input (sources, configs, the lockfile) is
// kept beside the build (out/.inputs-hash); the same hash and the built files present = skip.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** What the build reads, relative to the project root. */
export const BUILD_INPUTS = ['main', 'preload', 'common', 'renderer', 'electron.vite.config.ts', 'svelte.config.js', 'tsconfig.json', 'package.json', 'package-lock.json'];
/** What the build writes and the app needs. */
export const BUILD_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
export const STAMP_FILE = join('out', '.inputs-hash');

function* files(path) {
  if (!existsSync(path)) return;
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    yield path; // a file
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const full = join(path, e.name);
    if (e.isDirectory()) yield* files(full);
    else if (e.isFile()) yield full;
  }
}

/** sha256 over every input file's path and bytes, in a fixed order. */
export function inputsHash(root, inputs = BUILD_INPUTS) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    for (const file of files(join(root, input))) {
      hash.update(relative(root, file).split(sep).join('/'));
      hash.update('\0');
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

/** True when the last build's stamp is missing or differs, or a built file is missing. */
export function needsBuild(root, hash = inputsHash(root)) {
  const stamp = join(root, STAMP_FILE);
  if (!existsSync(stamp)) return true;
  if (BUILD_OUTPUTS.some((f) => !existsSync(join(root, f)))) return true;
  return readFileSync(stamp, 'utf8').trim() !== hash;
}

export function writeStamp(root, hash) {
  writeFileSync(join(root, STAMP_FILE), hash + '\n');
}
