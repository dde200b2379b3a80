import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, MAX_FILE_BYTES, bytesToBase64, bytesToBase64Async, fileProblem } from '../../renderer/src/lib/batch-file';

const reference = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('bytesToBase64', () => {
  it('matches Node for any bytes and any chunk size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (bytes, chunk) => {
        expect(bytesToBase64(bytes, chunk)).toBe(reference(bytes));
      }),
    );
  });

  it('handles empty input and chunk boundaries', () => {
    expect(bytesToBase64(new Uint8Array())).toBe('');
    for (const n of [CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 2]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
      expect(bytesToBase64(bytes)).toBe(reference(bytes));
    }
  });

  it('does not blow the stack on a large file (8 MB)', () => {
    const bytes = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 0xff;
    expect(bytesToBase64(bytes)).toBe(reference(bytes));
  });

  it('the async version gives the page a chance to paint and gives the same answer', async () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 13) & 0xff);
    let pauses = 0;
    const out = await bytesToBase64Async(bytes, { chunkBytes: 3000, yieldEveryBytes: 10_000, pause: async () => void (pauses += 1) });
    expect(out).toBe(reference(bytes));
    expect(pauses).toBe(8); // every 4 chunks of 3,000 bytes, none after the last
    expect(await bytesToBase64Async(new Uint8Array())).toBe('');
  });
});

describe('fileProblem', () => {
  it('accepts csv, txt and tsv', () => {
    expect(fileProblem({ name: 'Balances.CSV', size: 10 })).toBeNull();
    expect(fileProblem({ name: 'export.txt', size: 10 })).toBeNull();
    expect(fileProblem({ name: 'export.tsv', size: 10 })).toBeNull();
  });

  it('explains what to do otherwise', () => {
    expect(fileProblem({ name: 'book.xlsx', size: 10 })).toMatch(/Save As/);
    expect(fileProblem({ name: 'photo.jpg', size: 10 })).toMatch(/CSV/);
    expect(fileProblem({ name: 'a.csv', size: 0 })).toMatch(/empty/);
    expect(fileProblem({ name: 'a.csv', size: MAX_FILE_BYTES + 1 })).toMatch(/50 MB/);
    expect(fileProblem({ name: 'a.csv', size: MAX_FILE_BYTES })).toBeNull();
  });
});
