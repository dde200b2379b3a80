/**
 * Child process for the bulk crash-resume test: opens the journal on the given SQLite file (start-up
 * recovery turns an interrupted job into 'paused'), signs in to the sandbox the parent runs, and
 * either previews and applies a bulk action (`bulk`: the job is created then) or resumes the job
 * (`batchId`) until it is done. The parent SIGKILLs it once the journal shows enough applied.
 *
 *   tsx test/support/bulk-child.ts '<json: {conn, dbPath, bulk?: {chainId, locationId, ids, action}, batchId?, limiter?}>'
 *
 * stdout, one line each: "ready <state>", "batch <id>", "started", "state <final state>".
 */
import type { BulkAction } from '../../preload/contract';
import type { RateLimiterOptions } from '../../main/core/altegio/rate-limiter';
import { createHarness, type Connection } from './batch-harness';
import { createBulkHarness } from './bulk-harness';

interface ChildArgs {
  conn: Connection;
  dbPath: string;
  bulk?: { chainId: number; locationId: number; ids: number[]; action: BulkAction };
  batchId?: string;
  limiter?: RateLimiterOptions;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const h = await createHarness(args.conn, { dbPath: args.dbPath, ...(args.limiter && { limiter: args.limiter }) });
  let batchId: string;
  if (args.bulk) {
    process.stdout.write('ready new\n');
    const { bulk } = createBulkHarness(h);
    const preview = await bulk.preview({ ...args.bulk, reason: 'closure' });
    batchId = (await bulk.apply({ previewId: preview.previewId })).batchId;
  } else {
    batchId = args.batchId ?? '';
    const job = h.svc.journal.job(batchId);
    if (!job) throw new Error(`no batch ${batchId}`);
    process.stdout.write(`ready ${job.state}\n`);
    if (job.state === 'paused' || job.state === 'planned') await h.svc.resume({ batchId });
  }
  process.stdout.write(`batch ${batchId}\n`);
  process.stdout.write('started\n');
  const state = await h.svc.settled(batchId);
  process.stdout.write(`state ${state}\n`);
  await h.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`bulk child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
