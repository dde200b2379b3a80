/**
 * The shared-ip bench on a fake clock (test/support/shared-ip-sim.ts), for tuning the limiter's rate
 * control in seconds rather than minutes: runs the scenarios below over several seeds and prints one
 * JSON line per scenario (mean and worst of ratio, refused share, search p95, finish spread, and
 * fairness: the smallest desk's share / the mean share, worst and mean over the seeds).
 *
 *   npx tsx test/bench/shared-ip-sim.ts [--seeds 5] [--trace] [--limiter '{"...": ...}']
 */
import { simulate, type SimOptions } from '../support/shared-ip-sim';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const seeds = Number(opt('seeds', '5'));
const limiter = JSON.parse(opt('limiter', '{}')) as SimOptions['limiter'];
const only = opt('only', '');
const deskRate = opt('desk-rate', '') === '' ? undefined : Number(opt('desk-rate', ''));

const scenarios: Record<string, Omit<SimOptions, 'seed'>> = {
  // The bench: 3 desks × 150 rows (~170 requests each) at 20/s.
  'bench-3x170': { desks: 3, limit: 20, seconds: 120, work: 170 },
  'bench-3x170-slow': { desks: 3, limit: 20, seconds: 120, work: 170, upMs: [2, 15], downMs: [5, 40], spike: 0.08, spikeMs: 120 },
  'steady-3': { desks: 3, limit: 20, seconds: 60 },
  'steady-2': { desks: 2, limit: 20, seconds: 60 },
  'steady-5': { desks: 5, limit: 20, seconds: 60 },
  'altegio-3': { desks: 3, limit: 5, perMinute: 200, seconds: 120 },
  'altegio-3-second': { desks: 3, limit: 5, perMinute: 100_000, seconds: 60 },
  // Two of three desks leave after ~4 minutes: the learned part of the minute comes back slowly (ratio over the whole run).
  'altegio-3-leave': { desks: 3, limit: 5, perMinute: 200, seconds: 480, work: [150, 150, 1200] },
  // Two desks leave early: how fast does the third take the whole limit?
  'leave-3': { desks: 3, limit: 20, seconds: 60, work: [100, 100, 1000] },
  'alone': { desks: 1, limit: 20, seconds: 30 },
};

process.stdout.on("error", () => process.exit(0));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
for (const [name, s] of Object.entries(scenarios)) {
  if (only && !name.includes(only)) continue;
  const runs = [];
  for (let seed = 1; seed <= seeds; seed++) runs.push(await simulate({ ...s, seed, limiter, ...(deskRate === undefined ? {} : { deskRate }) }));
  const spread = runs.map((r) => Math.max(...r.finished) - Math.min(...r.finished));
  process.stdout.write(
    `${JSON.stringify({
      scenario: name,
      ratio: Number(mean(runs.map((r) => r.ratio)).toFixed(3)),
      ratio_min: Number(Math.min(...runs.map((r) => r.ratio)).toFixed(3)),
      refused: Number(mean(runs.map((r) => r.refusedShare)).toFixed(3)),
      p95_max: Math.round(Math.max(...runs.flatMap((r) => r.searchP95))),
      shares: runs[0]?.shares.map((x) => Number(x.toFixed(2))),
      fair_min: Number(Math.min(...runs.map((r) => Math.min(...r.shares) / mean(r.shares))).toFixed(2)),
      fair_mean: Number(mean(runs.map((r) => Math.min(...r.shares) / mean(r.shares))).toFixed(2)),
      spread_s: Number(mean(spread).toFixed(1)),
      seconds: Number(mean(runs.map((r) => r.seconds)).toFixed(1)),
    })}\n`,
  );
  if (args.includes('--trace') && runs[0]) {
    const r = runs[0];
    process.stdout.write(`  finished ${r.finished.map((x) => x.toFixed(1)).join(' ')}\n`);
    r.trace.forEach((t, i) => process.stdout.write(`  ${String(i + 1).padStart(3)} ${String(t.accepted).padStart(3)} ${String(t.refused).padStart(3)}  ${t.rates.map((x) => x.toFixed(2).padStart(6)).join(' ')}\n`));
  }
}
