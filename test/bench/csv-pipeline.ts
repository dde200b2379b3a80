/**
 * CSV pipeline bench (DESIGN §10): decode + parse + map + validate + plan of a 100,000-row file,
 * memberships served in memory, against a bare papaparse parse of the same text. The pipeline is
 * timed as the app runs it (batch/service.ts): readBatch, then planBatch (the app fetches the
 * memberships in between; here they are at hand).
 *
 *   npx tsx test/bench/csv-pipeline.ts [--rows 100000] [--encoding windows-1251|utf-8]
 *
 * Prints ONE JSON line (times: median of --runs interleaved runs, default 9; also best-of-N).
 * `extra_heap_mb` is the memory retained by the pipeline's result (after GC): V8's heap plus
 * memory outside it (typed arrays' buffers, large strings held outside the heap);
 * `peak_heap_mb` the growth seen right after a run, before GC (garbage included).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { createLookups } from '../../main/core/batch/plan-resolve';
import { planBatch, readBatch } from '../../main/core/batch/pipeline';
import { generateBatch } from '../../scripts/gen-csv-fixture';

function getGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const rows = Number(opt('rows', '100000'));
const encoding = opt('encoding', 'windows-1251');
const runs = Number(opt('runs', '9'));

const gc = getGc();
const collect = () => {
  if (gc) {
    gc();
    gc();
  }
};

const { text, memberships } = generateBatch(rows, 1);
const bytes = new Uint8Array(iconv.encode(text, encoding));
const lookups = createLookups(memberships, () => true);
const pipeline = () => planBatch(readBatch(bytes), lookups);

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const time = (fn: () => unknown): number => {
  collect();
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

// Warm-up (JIT) for both.
for (let i = 0; i < 2; i++) {
  Papa.parse(text);
  pipeline();
}

const papa: number[] = [];
const pipe: number[] = [];
for (let i = 0; i < runs; i++) {
  papa.push(time(() => Papa.parse(text)));
  pipe.push(time(() => pipeline()));
}

// Heap: retained by one result, and growth right after the run (before GC).
collect();
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const h0 = used();
let result: ReturnType<typeof pipeline> | null = pipeline();
const hPeak = used();
collect();
const h1 = used();
const sanity = result.plan?.totals;
if (!sanity || sanity.rows !== rows) throw new Error(`pipeline read ${sanity?.rows} rows, expected ${rows}`);
result = null;

const pipelineMs = median(pipe);
const papaMs = median(papa);
const mb = (b: number) => Math.round((b / (1024 * 1024)) * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'csv-pipeline',
    rows,
    pipeline_ms: Math.round(pipelineMs * 10) / 10,
    papaparse_ms: Math.round(papaMs * 10) / 10,
    ratio: Math.round((pipelineMs / papaMs) * 100) / 100,
    // Best-of-N figures: less sensitive to other processes on a busy machine.
    pipeline_min_ms: Math.round(min(pipe) * 10) / 10,
    papaparse_min_ms: Math.round(min(papa) * 10) / 10,
    ratio_min: Math.round((min(pipe) / min(papa)) * 100) / 100,
    extra_heap_mb: mb(h1 - h0),
    peak_heap_mb: mb(hPeak - h0),
    gc: gc !== null,
    encoding,
    file_mb: mb(bytes.length),
    totals: sanity,
  }),
);
