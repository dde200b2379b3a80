/**
 * The worklist export says days in the desk location's zone, as the screen does, whatever offset
 * Altegio sent (issue 10: a freeze_till in another offset is judged the same by every path). It
 * used to cut the date part of the text: a UTC freeze_till gave the next day.
 */
import { describe, expect, it } from 'vitest';
import type { IndexStatus } from '../../preload/contract';
import { createIndexRepo } from '../../main/core/index/repo';
import { worklistCsv } from '../../main/core/index/worklists';
import { openStore } from '../../main/core/store';
import { exampleMembership } from '../support/memberships';

const key = { server: 'https://api.example', chainId: 70114 };
const status: IndexStatus = { chainId: 70114, state: 'ready', rows: 1, asOf: null, progress: null, error: null };

describe('worklist CSV', () => {
  it("days are the location's, whatever offset Altegio sent", () => {
    const store = openStore(':memory:');
    const repo = createIndexRepo(store.db, store.transaction);
    // Chicago's 16 May 23:59:59 (frozen until) and 5 June 23:59:59 (expires), both sent in UTC.
    repo.upsert(key, [exampleMembership({ isFrozen: true, freezeTill: '2026-05-17T04:59:59Z', expirationDate: '2026-06-06T04:59:59Z' })]);
    const q = { kind: 'all', today: '2026-05-10', days: 14, visits: 1, sort: 'number', descending: false } as const;
    const [header, row] = worklistCsv(repo, key, q, status, 'America/Chicago').csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    expect(cells).toMatchObject({ frozen: 'yes', frozen_till: '2026-05-16', expires: '2026-06-05' });
    store.close();
  });
});
