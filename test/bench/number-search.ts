/**
 * Number look-up bench (issue 11): p95 of a number / prefix look-up over an index of N memberships
 * (default 100,000) on a SQLite file, as the search box asks it (exact, then prefix, 10 results).
 *
 *   npx tsx test/bench/number-search.ts [--memberships 100000] [--lookups 2000]
 *
 * Prints ONE JSON line: p50/p95/max in ms for exact numbers, and for 3-digit prefixes (target p95 < 5 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Membership } from '../../preload/contract';
import { createIndexRepo } from '../../main/core/index/repo';
import { openStore } from '../../main/core/store';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const N = Number(opt('memberships', '100000'));
const LOOKUPS = Number(opt('lookups', '2000'));

const dir = mkdtempSync(join(tmpdir(), 'bench-number-'));
const store = openStore(join(dir, 'index.db'));
const repo = createIndexRepo(store.db, store.transaction);
const key = { server: 'https://api.example/api', chainId: 70114 };

const numberOf = (i: number) => String(100000 + ((i * 7919) % 900000));
const make = (i: number): Membership => ({
  id: 5_000_000 + i,
  number: numberOf(i),
  chainId: key.chainId,
  balanceString: '',
  status: { id: 2, slug: 'active', title: 'Active' },
  isFrozen: false,
  freezePeriodDays: 0,
  freezeTill: null,
  createdDate: '2025-01-01T10:00:00+00:00',
  activatedDate: '2025-01-02T10:00:00+00:00',
  expirationDate: '2026-01-02T23:59:59+00:00',
  type: { id: 30219, title: 'Gym monthly — 12 visits', allowFreeze: true, freezeLimit: 2, freezeLimitUnit: 'week', balanceEditType: 1, period: 1, periodUnit: 'month' },
  balance: { kind: 'united', count: 5, unlimited: false, lines: [] },
});
for (let i = 0; i < N; i += 1000) repo.upsert(key, Array.from({ length: Math.min(1000, N - i) }, (_, k) => make(i + k)));

function time(queries: string[]): { p50: number; p95: number; max: number } {
  const t: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    repo.findByNumber(key, q, 10);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  const at = (f: number) => Number((t[Math.min(t.length - 1, Math.floor(t.length * f))] ?? 0).toFixed(3));
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}

const exact = time(Array.from({ length: LOOKUPS }, (_, i) => numberOf((i * 104729) % N)));
const prefix = time(Array.from({ length: LOOKUPS }, (_, i) => numberOf((i * 104729) % N).slice(0, 3)));
process.stdout.write(`${JSON.stringify({ bench: 'number-search', memberships: repo.count(key), lookups: LOOKUPS, exact_ms: exact, prefix_ms: prefix, target_p95_ms: 5 })}\n`);
store.close();
rmSync(dir, { recursive: true, force: true });
