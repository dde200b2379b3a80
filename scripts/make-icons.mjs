#!/usr/bin/env node
// Draws the app icon (a calm teal card with a white "pause" mark: a membership you can freeze)
// and writes assets/icon.png (512), assets/icons/<size>x<size>.png, assets/icon.ico and
// assets/icon.icns. Deterministic, no image tools needed: PNG via zlib, ICO and ICNS embed PNGs.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

function draw(size) {
  const px = Buffer.alloc(size * (size * 4 + 1));
  const r = size * 0.2; // corner radius
  for (let y = 0; y < size; y++) {
    px[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      // rounded square mask
      const dx = Math.max(r - x - 0.5, 0, x + 0.5 - (size - r));
      const dy = Math.max(r - y - 0.5, 0, y + 0.5 - (size - r));
      const inside = Math.hypot(dx, dy) <= r;
      let rgba = [0, 0, 0, 0];
      if (inside) {
        const shade = Math.round(20 * v);
        rgba = [15 + shade, 118 - shade, 110 - shade, 255];
        const bar = (u > 0.34 && u < 0.44) || (u > 0.56 && u < 0.66);
        if (bar && v > 0.3 && v < 0.7) rgba = [255, 255, 255, 255];
      }
      px.set(rgba, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(px, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

mkdirSync(join(root, 'assets', 'icons'), { recursive: true });
const sizes = [16, 32, 48, 64, 128, 256, 512];
const pngs = Object.fromEntries(sizes.map((s) => [s, draw(s)]));
for (const s of sizes) writeFileSync(join(root, 'assets', 'icons', `${s}x${s}.png`), pngs[s]);
writeFileSync(join(root, 'assets', 'icon.png'), pngs[512]);

// ICO: directory of PNG images (Vista+ format).
const icoSizes = [16, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((s, i) => {
  const e = 6 + i * 16;
  header[e] = s === 256 ? 0 : s;
  header[e + 1] = s === 256 ? 0 : s;
  header.writeUInt16LE(1, e + 4);
  header.writeUInt16LE(32, e + 6);
  header.writeUInt32LE(pngs[s].length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += pngs[s].length;
});
writeFileSync(join(root, 'assets', 'icon.ico'), Buffer.concat([header, ...icoSizes.map((s) => pngs[s])]));

// ICNS: PNG-typed entries (ic07 128, ic08 256, ic09 512).
const entries = [['ic07', 128], ['ic08', 256], ['ic09', 512]].map(([type, s]) => {
  const h = Buffer.alloc(8);
  h.write(type, 0, 'ascii');
  h.writeUInt32BE(8 + pngs[s].length, 4);
  return Buffer.concat([h, pngs[s]]);
});
const body = Buffer.concat(entries);
const icnsHeader = Buffer.alloc(8);
icnsHeader.write('icns', 0, 'ascii');
icnsHeader.writeUInt32BE(8 + body.length, 4);
writeFileSync(join(root, 'assets', 'icon.icns'), Buffer.concat([icnsHeader, body]));
console.log('icons written to assets/');
