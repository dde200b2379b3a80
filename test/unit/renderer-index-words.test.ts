import { describe, expect, it } from 'vitest';
import type { IndexStatus } from '../../preload/contract';
import { WORKLIST_WORDS, indexLine, timeLeft } from '../../renderer/src/lib/index-words';

const base: IndexStatus = { chainId: 1, state: 'empty', rows: 0, asOf: null, progress: null, error: null };

describe('the index in words', () => {
  it('says the time left in minutes or hours', () => {
    expect(timeLeft(null)).toBe('');
    expect(timeLeft(20_000)).toBe('less than a minute left');
    expect(timeLeft(3 * 60_000)).toBe('about 3 minutes left');
    expect(timeLeft(60_000)).toBe('about 1 minute left');
    expect(timeLeft(3 * 3_600_000)).toBe('about 3 hours left');
  });

  it('describes each state: progress with percentage and time left, a ready index with its count and time', () => {
    expect(indexLine(base)).toMatch(/not searchable yet/);
    const syncing: IndexStatus = { ...base, state: 'syncing', progress: { phase: 'first', fraction: 0.42, rowsRead: 8400, requests: 85, etaMs: 240_000 } };
    expect(indexLine(syncing)).toBe('Reading the chain’s memberships… 42% · 8,400 memberships read, about 4 minutes left. Searching stays fast meanwhile.');
    const at = new Date();
    at.setHours(9, 5, 0, 0);
    expect(indexLine({ ...base, state: 'ready', rows: 1, asOf: at.toISOString() })).toBe('1 membership of this chain, as of 09:05.');
    expect(indexLine({ ...base, state: 'paused', rows: 300 })).toMatch(/^Reading stopped part-way: 300 memberships so far/);
  });
});

describe('the worklists in words (from the catalog)', () => {
  it('counts what is shown, and names a row to open', () => {
    expect(WORKLIST_WORDS.shown(100, 2345)).toBe('100 of 2,345 shown');
    expect(WORKLIST_WORDS.shown(12, 12)).toBe('12 in this list');
    expect(WORKLIST_WORDS.open('270709')).toBe('Open membership № 270709');
    expect(WORKLIST_WORDS.kinds.low_balance).toBe('Low balance');
    expect(WORKLIST_WORDS.columns.frozen_till).toBe('Frozen until');
  });
});
