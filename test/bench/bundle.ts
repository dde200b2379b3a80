/**
 * Renderer bundle size (DESIGN §10: "the renderer bundle stays small; report its gzip size"):
 * builds the app and prints one JSON line with raw and gzip KB of
 *  - first_js / first_css: what the first screen loads (index.html's module script, its
 *    modulepreload links and stylesheets) — the budget (issue 12: ≤ +15 % of 299 KB raw / 95 KB gzip);
 *  - js / css: every chunk, including the parts loaded on demand (screens, dialogs, languages);
 *  - catalog_<lang>: what each language's messages cost (English: inside the first screen; the
 *    others: their own chunk, loaded when chosen).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LANGUAGES } from '../../common/i18n/languages';

const root = join(import.meta.dirname, '../..');
execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'ignore' });
const out = join(root, 'out/renderer');
const assets = join(out, 'assets');
const size = (bytes: Buffer) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
const kb = (n: number) => Math.round(n / 102.4) / 10;

const html = readFileSync(join(out, 'index.html'), 'utf8');
const first = new Set([...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+)"/g)].map((m) => m[1]));

const sum = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 }, first_js: { raw: 0, gzip: 0 }, first_css: { raw: 0, gzip: 0 } };
const catalogs: Record<string, { raw: number; gzip: number }> = {};
for (const name of readdirSync(assets)) {
  const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null;
  if (!kind) continue;
  const s = size(readFileSync(join(assets, name)));
  sum[kind].raw += s.raw;
  sum[kind].gzip += s.gzip;
  if (first.has(name)) {
    sum[`first_${kind}`].raw += s.raw;
    sum[`first_${kind}`].gzip += s.gzip;
  }
  const lang = LANGUAGES.find((l) => l !== 'en' && name.startsWith(`${l}-`) && kind === 'js');
  if (lang) catalogs[lang] = s;
}
// English is bundled into the first screen: its minified JSON is what it costs there.
catalogs.en = size(Buffer.from(JSON.stringify(JSON.parse(readFileSync(join(root, 'common/i18n/catalogs/en.json'), 'utf8')))));

const line: Record<string, unknown> = { bench: 'renderer-bundle' };
for (const [k, v] of Object.entries(sum)) {
  line[`${k}_kb`] = kb(v.raw);
  line[`${k}_gzip_kb`] = kb(v.gzip);
}
for (const lang of LANGUAGES) {
  const c = catalogs[lang];
  if (c) line[`catalog_${lang}_kb`] = [kb(c.raw), kb(c.gzip)];
}
console.log(JSON.stringify(line));
