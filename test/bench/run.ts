/**
 * `npm run bench`: every bench, one after the other, each in its own process (a clean heap and
 * event loop), printing their JSON lines on stdout. Exit code 1 if any bench failed or took
 * longer than its share of the 5-minute budget.
 *
 *   csv-pipeline.ts  run with --expose-gc (it measures retained heap)
 *   apply.ts         2,000 rows at R = 50 (its sandbox runs in a process of its own)
 *   bulk-freeze.ts   a bulk freeze of 2,000 memberships at R = 50 (its sandbox in a process of its own)
 *   bundle.ts        the renderer's JS/CSS size, raw and gzip
 *   index-sync.ts    first sync of a 20,000-membership chain at R = 20, and a person's look-ups meanwhile
 *   number-search.ts number / prefix look-ups over a 100,000-membership index
 *   shared-ip.ts     three desks (processes) doing a batch each against one sandbox limit shared per IP, a
 *                    person searching at each: combined rate vs the limit, search p95 per desk, lost, duplicated
 *   recovery.ts      seconds after a burst of 429s until the desk is back at ≥ 0.9× its rate (< 30),
 *                    with Retry-After: 1 (12 in a row) and without (5 in a row)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const here = import.meta.dirname;
const benches: Array<{ name: string; file: string; node: string[]; args: string[]; timeoutMs: number }> = [
  { name: 'csv-pipeline', file: join(here, 'csv-pipeline.ts'), node: ['--expose-gc'], args: [], timeoutMs: 150_000 },
  { name: 'apply', file: join(here, 'apply.ts'), node: [], args: [], timeoutMs: 140_000 },
  { name: 'bulk-freeze', file: join(here, 'bulk-freeze.ts'), node: [], args: [], timeoutMs: 150_000 },
  { name: 'bundle', file: join(here, 'bundle.ts'), node: [], args: [], timeoutMs: 60_000 },
  { name: 'index-sync', file: join(here, 'index-sync.ts'), node: [], args: [], timeoutMs: 240_000 },
  { name: 'number-search', file: join(here, 'number-search.ts'), node: [], args: [], timeoutMs: 120_000 },
  { name: 'shared-ip', file: join(here, 'shared-ip.ts'), node: [], args: [], timeoutMs: 150_000 },
  { name: 'recovery', file: join(here, 'recovery.ts'), node: [], args: ['--retry-after', '1', '--burst', '12'], timeoutMs: 90_000 },
  { name: 'recovery-no-retry-after', file: join(here, 'recovery.ts'), node: [], args: ['--retry-after', '0', '--burst', '5'], timeoutMs: 120_000 },
];

function run(b: (typeof benches)[number]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...b.node, '--import', 'tsx', b.file, ...b.args], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => {
      process.stderr.write(`bench ${b.name}: over ${b.timeoutMs / 1000} s, stopped\n`);
      child.kill('SIGKILL');
    }, b.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) process.stderr.write(`bench ${b.name}: failed (exit ${code})\n`);
      resolve(code === 0);
    });
  });
}

let ok = true;
for (const b of benches) ok = (await run(b)) && ok;
process.exit(ok ? 0 : 1);
