/**
 * Index sync bench (issue 11): the first sync of a chain of N memberships (default 20,000) against
 * the sandbox limited to R requests/s (default 20; the sandbox in a process of its own, as Altegio
 * runs on its own servers: remote-sandbox.ts), through the shared limiter at the same R, the real
 * client and the index on a SQLite file. Then a person's look-ups (one membership by id,
 * interactive lane) are timed in rounds: a block with the limiter otherwise idle, then a block while
 * a sync runs (a fresh first sync of the same chain, started again if it ends before the block does),
 * and again. Alternating keeps both sides under the same machine load (other processes come and go);
 * 40 look-ups a side made one p95 out of the 2-3 slowest answers, which moved 2.6x-8x run to run.
 *
 *   npx tsx test/bench/index-sync.ts [--memberships 20000] [--rate 20] [--searches 40] [--rounds 4] [--in-flight 3] [--search-server shared|own]
 *
 * `--search-server own` sends the look-ups to a second sandbox process with the same data (rate
 * limit off there; the client and its limiter are the same): Altegio serves many requests at once,
 * while the one sandbox process builds a 100-row page for ~6 ms (~9 ms with its reading) at a time,
 * and a look-up arriving meanwhile waits for it — the server's queue, not the core's. The sync's
 * sandbox then no longer counts the look-ups in its rate window (the limiter still does). Default
 * `shared` (the figure as it always was measured).
 *
 * Prints ONE JSON line:
 *   requests / minimum       requests the sync made; ⌈N / page size⌉ + windows (the minimum)
 *   achieved_rate, ratio     requests / second of the sync, and that / R (target ≥ 0.95)
 *   searches                 look-ups per side (searches × rounds)
 *   search_p50/p95_ms_idle   a look-up with nothing else running (all rounds)
 *   search_p50/p95_ms_during the same look-up while a sync runs (all rounds)
 *   search_ratio             p95 during / p95 idle (the target ≤ 1.5)
 *   search_ratio_rounds      the same per round (its spread: how far one round's figure can be trusted)
 *   loop_delay_p99_ms        this process's event-loop delay p99 {idle, during}: high on both sides =
 *                            the machine's load, high during only = the sync holding the event loop
 *   self_429                 429s the sandbox answered
 *   search_server            where the look-ups went (see above)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAltegioClient } from '../../main/core/altegio/client';
import type { AltegioApi } from '../../main/core/altegio/api';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createIndexRepo } from '../../main/core/index/repo';
import { IN_FLIGHT, PAGE_SIZE, firstSync } from '../../main/core/index/sync';
import { openStore } from '../../main/core/store';
import { remoteSandbox } from './remote-sandbox';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const N = Number(opt('memberships', '20000'));
const R = Number(opt('rate', '20'));
const SEARCHES = Number(opt('searches', '40'));
const ROUNDS = Math.max(1, Number(opt('rounds', '4')));
const IN_FLIGHT_PAGES = Number(opt('in-flight', String(IN_FLIGHT)));
const SEARCH_SERVER = opt('search-server', 'shared');
if (SEARCH_SERVER !== 'shared' && SEARCH_SERVER !== 'own') throw new Error('--search-server is shared or own');

const sandbox = await remoteSandbox(0, N);
await sandbox.setRate({ perSecond: R, perMinute: R * 60 });
const searchSandbox = SEARCH_SERVER === 'own' ? await remoteSandbox(0, N) : sandbox;
const limiter = createRateLimiter({ perSecond: R, perMinute: R * 60 });

async function clientOf(s: typeof sandbox) {
  const auth = await fetch(`${s.url}/v1/auth`, {
    method: 'POST',
    headers: { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: `Bearer ${s.partnerToken}` },
    body: JSON.stringify({ login: s.login, password: s.password }),
  });
  const userToken = ((await auth.json()) as { data: { user_token: string } }).data.user_token;
  return createAltegioClient({ credentials: () => ({ baseUrl: s.url, partnerToken: s.partnerToken, userToken }), limiter });
}
const client = await clientOf(sandbox);
const searchClient = searchSandbox === sandbox ? client : await clientOf(searchSandbox);
// The same seed, the same chain: each look-up finds its membership on either server (checked below).
if (JSON.stringify(searchSandbox.knownIds) !== JSON.stringify(sandbox.knownIds)) throw new Error('the search sandbox holds other data');
const north = sandbox.knownIds.chains.northside;
const dir = mkdtempSync(join(tmpdir(), 'bench-index-'));

/** The client, counting the creation windows the sync asks for. */
function counting(api: AltegioApi, windows: Set<string>): AltegioApi {
  return { ...api, membershipsCreated: (chainId, window, page, count, options) => {
    windows.add(`${window.after}/${window.before}`);
    return api.membershipsCreated(chainId, window, page, count, options);
  } };
}

async function sync(dbName: string, windows: Set<string>, signal = new AbortController().signal): Promise<{ ms: number; total: number }> {
  const file = join(dir, dbName);
  const store = openStore(file);
  const repo = createIndexRepo(store.db, store.transaction);
  const key = { server: sandbox.url, chainId: north };
  const t0 = performance.now();
  await firstSync(key, { api: counting(client, windows), repo, limiter, now: () => new Date(), onProgress: () => undefined, inFlight: IN_FLIGHT_PAGES }, signal).catch((e: unknown) => {
    if (!signal.aborted) throw e;
  });
  const ms = performance.now() - t0;
  const total = repo.count(key);
  store.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  return { ms, total };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? 0;
const p95 = (xs: number[]) => quantile(xs, 0.95);
const ms = (x: number) => Number(x.toFixed(1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = sandbox.knownIds.largeChain;

async function searches(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    // A person: a look-up now and then, never two at once.
    await sleep(100 + ((i * 37) % 150));
    const t0 = performance.now();
    const found = await searchClient.membershipsByIds(north, [ids[(i * 7919) % ids.length] as number]);
    if (found.length !== 1) throw new Error('a look-up found nothing');
    out.push(performance.now() - t0);
  }
  return out;
}

await sandbox.resetStats();
const windows = new Set<string>();
const first = await sync('first.db', windows);
const stats = await sandbox.stats();
const requests = stats.requests;
const minimum = Math.ceil(first.total / PAGE_SIZE) + windows.size;

const idle: number[] = [];
const during: number[] = [];
const roundRatios: number[] = [];
const lag = { idle: monitorEventLoopDelay({ resolution: 1 }), during: monitorEventLoopDelay({ resolution: 1 }) };
for (let round = 0; round < ROUNDS; round++) {
  lag.idle.enable();
  const idleRound = await searches();
  lag.idle.disable();
  // The same look-ups while a sync keeps the limiter busy (started again if it ends first; stopped once they are done).
  const stop = new AbortController();
  const syncing = (async () => {
    for (let k = 0; !stop.signal.aborted; k++) await sync(`during-${round}-${k}.db`, new Set(), stop.signal);
  })();
  lag.during.enable();
  const duringRound = await searches();
  lag.during.disable();
  stop.abort();
  await syncing;
  idle.push(...idleRound);
  during.push(...duringRound);
  roundRatios.push(Number((p95(duringRound) / p95(idleRound)).toFixed(2)));
}
const selfLimited = (await sandbox.stats()).rejected429;

const achieved = requests / (first.ms / 1000);
process.stdout.write(
  `${JSON.stringify({
    bench: 'index-sync',
    memberships: first.total,
    rate_limit: R,
    in_flight: IN_FLIGHT_PAGES,
    requests,
    minimum,
    windows: windows.size,
    seconds: Number((first.ms / 1000).toFixed(2)),
    achieved_rate: Number(achieved.toFixed(2)),
    ratio: Number((achieved / R).toFixed(3)),
    searches: idle.length,
    search_p50_ms_idle: ms(quantile(idle, 0.5)),
    search_p50_ms_during: ms(quantile(during, 0.5)),
    search_p95_ms_idle: ms(p95(idle)),
    search_p95_ms_during: ms(p95(during)),
    search_ratio: Number((p95(during) / p95(idle)).toFixed(2)),
    search_ratio_rounds: roundRatios,
    loop_delay_p99_ms: { idle: ms(lag.idle.percentile(99) / 1e6), during: ms(lag.during.percentile(99) / 1e6) },
    self_429: selfLimited,
    search_server: SEARCH_SERVER,
  })}\n`,
);
await sandbox.close();
if (searchSandbox !== sandbox) await searchSandbox.close();
rmSync(dir, { recursive: true, force: true });
