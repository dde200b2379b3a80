import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, fileProblem } from '../../renderer/src/lib/batch-file';

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
