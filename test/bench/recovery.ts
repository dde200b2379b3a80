/**
 * Recovery bench (issue 10 item 3): a desk reading steadily at Altegio's 5 requests/s meets a burst
 * of 429s (the first `--burst` requests after the warm-up; with `Retry-After: 1` on half the runs'
 * worth: `--retry-after`), and we measure how many seconds after the LAST 429 the desk is back at
 * ≥ 0.9× its rate (successful answers per second over a trailing 2 s window). Target < 30 s.
 *
 *   npx tsx test/bench/recovery.ts [--burst 12] [--retry-after 1|0]
 *
 * Prints ONE JSON line: { bench, rate, burst, retry_after, seconds_to_90pct, penalties, min_rate }.
 * The real client and limiter against the real sandbox (loopback HTTP; 5/s is far below what an
 * in-process sandbox can serve, so it shares the process).
 */
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { startSandbox } from '../../main/sandbox/server';
import { FirstRequests } from '../support/first-requests';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const burst = Number(opt('burst', '12'));
const retryAfter = opt('retry-after', '1') === '1';
const RATE = 5;
const WARM_MS = 4000;
const LIMIT_MS = 60_000;

const sandbox = await startSandbox({ rate: { perSecond: RATE, perMinute: 100_000 }, retryAfterHeader: retryAfter });
const creds = { baseUrl: sandbox.url, partnerToken: sandbox.partnerToken, userToken: null as string | null };
const limiter = createRateLimiter({ perSecond: RATE, perMinute: 100_000 });
const api = createAltegioClient({ credentials: () => creds, limiter, retry: { attempts: 6, baseMs: 200, maxMs: 2000 } });
creds.userToken = (await api.auth(sandbox.login, sandbox.password)).userToken;
const { chains, memberships } = sandbox.control.knownIds;

const ok: number[] = [];
let stop = false;
const worker = async () => {
  while (!stop) {
    try {
      await api.membershipsByIds(chains.northside, [memberships.danaFrozen], { lane: 'batch' });
      ok.push(performance.now());
    } catch {
      /* a 429 the client gave up on: the load goes on */
    }
  }
};
const workers = Array.from({ length: 4 }, worker);
const rateAt = (t: number) => ok.filter((x) => x > t - 2000 && x <= t).length / 2;

await new Promise((r) => setTimeout(r, WARM_MS));
sandbox.control.resetStats();
sandbox.control.setFaults([{ route: new FirstRequests(/GET /, burst), probability: 1, kind: '429', when: 'before' }]);
// The burst ends when the sandbox has answered `burst` 429s.
const started = performance.now();
while (sandbox.control.stats().faultsInjected < burst && performance.now() - started < LIMIT_MS) await new Promise((r) => setTimeout(r, 5));
const burstEnd = performance.now();
let back: number | null = null;
let minRate = Number.POSITIVE_INFINITY;
while (back === null && performance.now() - burstEnd < LIMIT_MS) {
  await new Promise((r) => setTimeout(r, 100));
  const t = performance.now();
  if (t - burstEnd >= 2000) {
    const r = rateAt(t);
    minRate = Math.min(minRate, r);
    if (r >= 0.9 * RATE) back = t;
  }
}
stop = true;
await Promise.all(workers);
sandbox.control.clearFaults();
await sandbox.close();
const seconds = back === null ? null : Math.round((back - burstEnd) / 100) / 10;
process.stdout.write(
  `${JSON.stringify({ bench: 'recovery', rate: RATE, burst, retry_after: retryAfter, seconds_to_90pct: seconds, penalties: limiter.stats().penalties, min_rate: Number.isFinite(minRate) ? minRate : null, ok: seconds !== null && seconds < 30 })}\n`,
);
process.exit(seconds !== null && seconds < 30 ? 0 : 1);
