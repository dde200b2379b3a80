/**
 * Child process for the crash-resume tests (CSV batch and bulk action): opens the journal on the
 * given SQLite file (start-up recovery turns an interrupted job into 'paused'), signs in to the
 * sandbox the parent runs, and either starts a job — checks a file and applies it (`file`), or
 * previews and applies a bulk action (`bulk`) — or resumes the job (`batchId`) until it is done.
 * The parent SIGKILLs it once the journal shows enough applied.
 *
 *   tsx test/support/batch-child.ts '<json: {conn, dbPath, file?: {csv, chainId, locationId},
 *                                     bulk?: {chainId, locationId, ids, action}, batchId?, limiter?}>'
 *
 * stdout, one line each: "ready <state>", "batch <id>", "started", "state <final state>".
 */
import type { BulkAction } from '../../preload/contract';
import type { RateLimiterOptions } from '../../main/core/altegio/rate-limiter';
import { applyCheck, checkText, createHarness, type Connection, type Harness } from './batch-harness';
import { settledBatch } from './settled';
import { createBulkHarness } from './bulk-harness';

interface ChildArgs {
  conn: Connection;
  dbPath: string;
  file?: { csv: string; chainId: number; locationId: number };
  bulk?: { chainId: number; locationId: number; ids: number[]; action: BulkAction };
  batchId?: string;
  limiter?: RateLimiterOptions;
}

/** Starts the job the arguments describe; null when the child resumes one instead. */
async function startJob(h: Harness, args: ChildArgs): Promise<string | null> {
  if (args.file) {
    const { csv, ...place } = args.file;
    return (await applyCheck(h.svc, await checkText(h.svc, place, csv, { lookups: true }))).batchId;
  }
  if (args.bulk) {
    const { bulk } = createBulkHarness(h);
    const preview = await bulk.preview({ ...args.bulk, reason: 'closure' });
    return (await bulk.apply({ previewId: preview.previewId })).batchId;
  }
  return null;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const h = await createHarness(args.conn, { dbPath: args.dbPath, ...(args.limiter && { limiter: args.limiter }) });
  let batchId: string;
  if (args.file || args.bulk) {
    process.stdout.write('ready new\n');
    batchId = (await startJob(h, args)) ?? '';
  } else {
    batchId = args.batchId ?? '';
    const job = h.svc.journal.job(batchId);
    if (!job) throw new Error(`no batch ${batchId}`);
    process.stdout.write(`ready ${job.state}\n`);
    if (job.state === 'paused' || job.state === 'planned') await h.svc.resume({ batchId });
  }
  process.stdout.write(`batch ${batchId}\n`);
  process.stdout.write('started\n');
  // The parent test's own limits (up to 300 s) end a stuck run first; this ends an orphaned child.
  const state = await settledBatch(h, batchId, 300_000);
  process.stdout.write(`state ${state}\n`);
  await h.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`batch child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
