/**
 * Shared-IP bench (issue 10): several desks behind one office connection share Altegio's per-IP
 * limit. THREE app cores (each a process of its own with its own client, rate limiter, SQLite
 * store and batch runner, each believing it may use the whole limit) run a batch each against ONE
 * sandbox whose limit every request shares (the sandbox keeps one window for all requests: its
 * clients are all on one loopback address, i.e. per IP), while a person at each desk searches
 * clients every `--search-every` ms (interactive lane).
 *
 *   npx tsx test/bench/shared-ip.ts [--desks 3] [--rows 150] [--rate 20] [--search-every 1500]
 *
 * Options reach the desks too (each desk process parses the same arguments).
 *
 * Prints ONE JSON line:
 *   combined_rate  requests the sandbox accepted per second from 'go' until the last batch settled
 *                  (all desks; a person's pause after their desk's batch is not counted)
 *   ratio          combined_rate / limit (target ≥ 0.9)
 *   search_p95_ms  per desk, the p95 of a person's search (target < 2000)
 *   lost           memberships not at their planned balance afterwards (target 0)
 *   duplicated     memberships written more than once (target 0)
 *   rejected_429   429s the sandbox answered (the desks finding the shared limit)
 *   refused_share  rejected_429 / all requests the sandbox received
 *
 * With SHARED_IP_TRACE=1 each desk samples its limiter every second and the bench prints, on
 * stderr (not in the JSON line), one row per second: per desk the requests it was granted, the 429s
 * it got and its adaptive rate at the end of that second, and the accepted total.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Membership } from '../../preload/contract';
import { applyCheck, balancesOf, checkText, createHarness, csvOf, tempDbPath, type Connection, type CsvRow } from '../support/batch-harness';
import { settledBatch } from '../support/settled';
import { remoteSandbox } from './remote-sandbox';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const desks = Number(opt('desks', '3'));
const rowsPerDesk = Number(opt('rows', '150'));
const rate = Number(opt('rate', '20'));
const searchEvery = Number(opt('search-every', '1500'));

interface DeskArgs {
  conn: Connection;
  chainId: number;
  locationId: number;
  ids: number[];
  sauna: number;
  query: string;
}

/** One second of one desk's limiter (SHARED_IP_TRACE). */
interface TraceRow {
  granted: number;
  refused: number;
  rate: number;
  queued: number;
}
interface DeskDone {
  state: string;
  seconds: number;
  searches: number;
  search_p95_ms: number;
  search_max_ms: number;
  trace: TraceRow[];
}

/** The per-second table on stderr: one column group per desk, then what all desks got accepted. */
function printTrace(results: readonly DeskDone[]): void {
  const n = Math.max(0, ...results.map((r) => r.trace.length));
  const out = ['  s  ' + results.map((_, i) => `desk${i}: ok/429 rate q`.padEnd(26)).join('') + 'accepted'];
  for (let s = 0; s < n; s++) {
    let accepted = 0;
    const cols = results.map((r) => {
      const t = r.trace[s];
      if (!t) return ''.padEnd(26);
      accepted += t.granted - t.refused;
      return `${String(t.granted - t.refused).padStart(6)}/${String(t.refused).padEnd(3)} ${t.rate.toFixed(2).padStart(5)} ${String(t.queued).padStart(3)}`.padEnd(26);
    });
    out.push(`${String(s + 1).padStart(3)}  ${cols.join('')}${accepted}`);
  }
  process.stderr.write(`${out.join('\n')}\n`);
}

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] ?? 0);
};

/** One desk: check its file, say ready, apply on 'go' while a person searches; report. */
async function desk(a: DeskArgs): Promise<void> {
  const send = (m: unknown) => process.send?.(m);
  const h = await createHarness(a.conn, { dbPath: tempDbPath('bench-shared-ip-'), limiter: { perSecond: rate, perMinute: rate * 60 }, engine: { offlinePollMs: 1000, retryBaseMs: 500, retryMaxMs: 5000 } });
  const current = await h.api.membershipsByIds(a.chainId, a.ids);
  const expected: Array<[number, number]> = [];
  const rows: CsvRow[] = current.map((m: Membership) => {
    const b = balancesOf(m);
    if (b.united !== undefined) {
      expected.push([m.id, b.united + 3]);
      return { membershipId: m.id, balance: b.united + 3, reason: 'shared-ip bench' };
    }
    expected.push([m.id, (b.services[a.sauna] ?? 0) + 2]);
    return { membershipId: m.id, serviceId: a.sauna, delta: 2, reason: 'shared-ip bench' };
  });
  const prep = await checkText(h.svc, { chainId: a.chainId, locationId: a.locationId }, csvOf(rows), { fileName: 'shared-ip.csv', lookups: true });
  send({ ready: true, expected });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  const t0 = performance.now();
  const trace: TraceRow[] = [];
  let last = h.limiter.stats();
  const sampler = process.env['SHARED_IP_TRACE']
    ? setInterval(() => {
        const s = h.limiter.stats();
        trace.push({ granted: s.sent - last.sent, refused: s.penalties - last.penalties, rate: Number(s.effectivePerSecond.toFixed(2)), queued: s.queued });
        last = s;
      }, 1000)
    : undefined;
  const { batchId } = await applyCheck(h.svc, prep);
  const searches: number[] = [];
  let running = true;
  const person = (async () => {
    while (running) {
      const s = performance.now();
      await h.api.searchClients(a.locationId, a.query, { pageSize: 20 });
      searches.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, searchEvery));
    }
  })();
  // Ten times all desks' rows at the shared limit: a stuck run fails with its last state instead of hanging.
  const state = await settledBatch(h, batchId, Math.max(60_000, ((desks * a.ids.length) / rate) * 10_000));
  const seconds = (performance.now() - t0) / 1000;
  // Now, not after the person's pause below: the run's time ends when the last batch settles.
  send({ settled: true });
  running = false;
  await person;
  if (sampler) clearInterval(sampler);
  send({ done: { state, seconds, searches: searches.length, search_p95_ms: Math.round(p95(searches)), search_max_ms: Math.round(Math.max(0, ...searches)), trace } });
  await h.close();
}

async function main(): Promise<void> {
  const sandbox = await remoteSandbox(desks * rowsPerDesk);
  const k = sandbox.knownIds;
  const conn: Connection = { url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password };
  const queries = ['Whitfield', 'Marcus', 'Dana', 'Jordan'];
  try {
    const children = Array.from({ length: desks }, (_, i) => {
      const deskArgs: DeskArgs = { conn, chainId: k.chains.northside, locationId: k.locations.chicago, ids: k.extra.slice(i * rowsPerDesk, (i + 1) * rowsPerDesk), sauna: k.services.sauna, query: queries[i % queries.length] as string };
      const child = fork(fileURLToPath(import.meta.url), [...args, '--desk', JSON.stringify(deskArgs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const ready = new Promise<Array<[number, number]>>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`desk ${i} exited (${code}) before it was ready`)));
        child.on('message', (m: { ready?: boolean; expected?: Array<[number, number]> }) => m.ready && resolve(m.expected ?? []));
      });
      const settled = new Promise<number>((resolve) => child.on('message', (m: { settled?: boolean }) => m.settled && resolve(performance.now())));
      const done = new Promise<DeskDone>((resolve) => child.on('message', (m: { done?: DeskDone }) => m.done && resolve(m.done)));
      return { child, ready, settled, done };
    });
    const expected = new Map((await Promise.all(children.map((c) => c.ready))).flat());
    // From here the sandbox enforces the limit for everyone, its counters from zero.
    await new Promise((r) => setTimeout(r, 1100));
    await sandbox.setRate({ perSecond: rate, perMinute: rate * 60 });
    await sandbox.resetStats();
    const t0 = performance.now();
    for (const c of children) c.child.send('go');
    const results = await Promise.all(children.map((c) => c.done));
    const seconds = (Math.max(...(await Promise.all(children.map((c) => c.settled)))) - t0) / 1000;
    const stats = await sandbox.stats();
    await sandbox.setRate(null);
    if (process.env['SHARED_IP_TRACE']) printTrace(results);

    const verify = await createHarness(conn);
    const ids = [...expected.keys()];
    const after = await verify.api.membershipsByIds(k.chains.northside, ids);
    await verify.close();
    let lost = ids.length - after.length;
    for (const m of after) {
      const b = balancesOf(m);
      const got = b.united !== undefined ? b.united : b.services[k.services.sauna];
      if (got !== expected.get(m.id)) lost++;
    }
    const accepted = stats.requests - stats.rejected429;
    const combined = accepted / seconds;
    const line = {
      bench: 'shared-ip',
      desks,
      rows: ids.length,
      rate_limit: rate,
      combined_rate: Number(combined.toFixed(2)),
      ratio: Number((combined / rate).toFixed(3)),
      search_p95_ms: results.map((r) => r.search_p95_ms),
      search_max_ms: results.map((r) => r.search_max_ms),
      searches: results.map((r) => r.searches),
      states: results.map((r) => r.state),
      lost,
      duplicated: Object.values(stats.writes).filter((n) => n > 1).length,
      rejected_429: stats.rejected429,
      refused_share: Number((stats.rejected429 / Math.max(1, stats.requests)).toFixed(3)),
      writes: stats.writesByAction.set_balance,
      seconds: Number(seconds.toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await sandbox.close();
  }
}

const deskAt = args.indexOf('--desk');
(deskAt >= 0 ? desk(JSON.parse(args[deskAt + 1] ?? '{}') as DeskArgs) : main()).then(
  () => {
    if (deskAt >= 0) process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`shared-ip bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
