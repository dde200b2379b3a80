/**
 * Apply bench (DESIGN §10, issue 5): 2,000 rows (one per membership) against the sandbox with its
 * limit at R requests/s, the shared limiter at the same R, the real client, store (SQLite file,
 * WAL + synchronous FULL) and batch engine.
 *
 *   npx tsx test/bench/apply.ts [--rows 2000] [--rate 50]
 *
 * Prints ONE JSON line:
 *   achieved_rate           set_balance writes / seconds from apply to done
 *   ratio                   achieved_rate / R (target ≥ 0.95)
 *   requests_per_membership every request the sandbox saw during the apply / memberships changed (≤ 1.05)
 *   lost                    memberships not at their planned balance afterwards
 *   duplicated              memberships written more than once
 *   self_429                429s the sandbox's own rate limit answered (our pacing's fault)
 * BENCH_LAG=1 also prints event-loop stalls and GC pauses of both processes on stderr (a stall
 * longer than the limiter's 20 ms second-window margin between a grant and the request's arrival
 * is what turns into a 429).
 */
import { remoteSandbox } from './remote-sandbox';
import { applyCheck, balancesOf, checkText, createHarness, csvOf, tempDbPath, type CsvRow } from '../support/batch-harness';
import { settledBatch } from '../support/settled';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const rowsWanted = Number(opt('rows', '2000'));
const rate = Number(opt('rate', '50'));

async function main(): Promise<void> {
  const limits = { perSecond: rate, perMinute: rate * 60 };
  const sandbox = await remoteSandbox(rowsWanted);
  const h = await createHarness(sandbox, { dbPath: tempDbPath('bench-apply-'), limiter: limits, engine: { offlinePollMs: 1000, retryBaseMs: 500, retryMaxMs: 5000 } });
  try {
    const ids = sandbox.knownIds.extra.slice(0, rowsWanted);
    const chainId = sandbox.knownIds.chains.northside;
    const current = await h.api.membershipsByIds(chainId, ids);
    // One row per membership: united ones get an absolute value, per-service ones a sauna delta.
    const expected = new Map<number, number>();
    const rows: CsvRow[] = current.map((m) => {
      const b = balancesOf(m);
      if (b.united !== undefined) {
        const target = b.united + 3;
        expected.set(m.id, target);
        return { membershipId: m.id, balance: target, reason: 'bench' };
      }
      const sauna = sandbox.knownIds.services.sauna;
      expected.set(m.id, (b.services[sauna] ?? 0) + 2);
      return { membershipId: m.id, serviceId: sauna, delta: 2, reason: 'bench' };
    });
    const prep = await checkText(h.svc, { chainId, locationId: sandbox.knownIds.locations.chicago }, csvOf(rows), { fileName: 'bench.csv', lookups: true });
    if (prep.totals.memberships !== rowsWanted) throw new Error(`planned ${prep.totals.memberships} memberships, expected ${rowsWanted}`);

    // From here on the sandbox enforces R, and its counters start from zero. Wait out the windows.
    await new Promise((r) => setTimeout(r, 1100));
    await sandbox.setRate(limits);
    await sandbox.resetStats();
    if (process.env['BENCH_LAG']) {
      const { monitorEventLoopDelay } = await import('node:perf_hooks');
      const lag = monitorEventLoopDelay({ resolution: 1 });
      lag.enable();
      const { PerformanceObserver } = await import('node:perf_hooks');
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.duration > 8) process.stderr.write(`gc ${e.duration.toFixed(1)}ms kind ${String((e as unknown as { detail?: { kind?: number } }).detail?.kind)}\n`);
      }).observe({ entryTypes: ['gc'] });
      setInterval(() => {
        process.stderr.write(`client lag max ${(lag.max / 1e6).toFixed(1)}ms p99 ${(lag.percentile(99) / 1e6).toFixed(1)}ms\n`);
        lag.reset();
      }, 5000).unref();
    }
    const t0 = performance.now();
    const { batchId } = await applyCheck(h.svc, prep);
    // Ten times the run at the limit: a stuck run fails with its last state instead of hanging.
    const state = await settledBatch(h, batchId, Math.max(60_000, (rowsWanted / rate) * 10_000));
    const seconds = (performance.now() - t0) / 1000;
    const stats = await sandbox.stats();
    await sandbox.setRate(null);
    if (state !== 'done') throw new Error(`the batch ended ${state}`);

    const after = await h.api.membershipsByIds(chainId, ids);
    let lost = 0;
    for (const m of after) {
      const b = balancesOf(m);
      const want = expected.get(m.id);
      const got = b.united !== undefined ? b.united : b.services[sandbox.knownIds.services.sauna];
      if (got !== want) lost++;
    }
    lost += ids.length - after.length;
    const writes = stats.writesByAction.set_balance;
    const duplicated = Object.values(stats.writes).filter((n) => n > 1).length;
    const achieved = writes / seconds;
    const line = {
      bench: 'apply',
      rows: rows.length,
      rate_limit: rate,
      achieved_rate: Number(achieved.toFixed(2)),
      ratio: Number((achieved / rate).toFixed(3)),
      requests_per_membership: Number((stats.requests / Math.max(1, writes)).toFixed(3)),
      lost,
      duplicated,
      self_429: stats.rejected429,
      seconds: Number(seconds.toFixed(2)),
      requests: stats.requests,
      writes,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await h.close();
    await sandbox.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`apply bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
