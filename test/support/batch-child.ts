/**
 * Child process for the crash-resume test: opens the journal on the given SQLite file (start-up
 * recovery turns an interrupted job into 'paused'), signs in to the sandbox the parent runs, and
 * either checks a file and applies it (`file`: the batch is created then) or resumes the batch
 * (`batchId`) until it is done. The parent SIGKILLs it at random points.
 *
 *   tsx test/support/batch-child.ts '<json: {conn, dbPath, file?: {csv, chainId, locationId}, batchId?, limiter?}>'
 *
 * stdout, one line each: "ready <state>", "batch <id>", "started", "state <final state>".
 */
import type { RateLimiterOptions } from '../../main/core/altegio/rate-limiter';
import { applyCheck, checkText, createHarness, type Connection } from './batch-harness';

interface ChildArgs {
  conn: Connection;
  dbPath: string;
  file?: { csv: string; chainId: number; locationId: number };
  batchId?: string;
  limiter?: RateLimiterOptions;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const h = await createHarness(args.conn, { dbPath: args.dbPath, ...(args.limiter && { limiter: args.limiter }) });
  let batchId: string;
  if (args.file) {
    const { csv, ...place } = args.file;
    process.stdout.write('ready new\n');
    batchId = (await applyCheck(h.svc, await checkText(h.svc, place, csv, { lookups: true }))).batchId;
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
  process.stderr.write(`batch child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
