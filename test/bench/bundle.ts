/**
 * Renderer bundle size (DESIGN §10: "the renderer bundle stays small; report its gzip size"):
 * builds the app and prints one JSON line with raw and gzip bytes of the renderer's JS and CSS.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = join(import.meta.dirname, '../..');
execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'ignore' });
const assets = join(root, 'out/renderer/assets');
const sizes = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
for (const name of readdirSync(assets)) {
  const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null;
  if (!kind) continue;
  const bytes = readFileSync(join(assets, name));
  sizes[kind].raw += bytes.length;
  sizes[kind].gzip += gzipSync(bytes, { level: 9 }).length;
}
const kb = (n: number) => Math.round(n / 102.4) / 10;
console.log(
  JSON.stringify({ bench: 'renderer-bundle', js_kb: kb(sizes.js.raw), js_gzip_kb: kb(sizes.js.gzip), css_kb: kb(sizes.css.raw), css_gzip_kb: kb(sizes.css.gzip) }),
);
