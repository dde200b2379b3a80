/**
 * Child process for the crash-resume test: opens the journal on the given SQLite file (start-up
 * recovery turns an interrupted job into 'paused'), signs in to the sandbox the parent runs, and
 * applies or resumes the batch until it is done. The parent SIGKILLs it at random points.
 *
 *   tsx test/support/batch-child.ts '<json: {conn, dbPath, batchId, limiter?}>'
 *
 * stdout, one line each: "ready <state>", "started", "state <final state>".
 */
import type { RateLimiterOptions } from '../../main/core/altegio/rate-limiter';
import { createHarness, type Connection } from './batch-harness';

interface ChildArgs {
  conn: Connection;
  dbPath: string;
  batchId: string;
  limiter?: RateLimiterOptions;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const h = await createHarness(args.conn, { dbPath: args.dbPath, ...(args.limiter && { limiter: args.limiter }) });
  const job = h.svc.journal.job(args.batchId);
  if (!job) throw new Error(`no batch ${args.batchId}`);
  process.stdout.write(`ready ${job.state}\n`);
  if (job.state === 'planned') await h.svc.apply({ batchId: args.batchId });
  else if (job.state === 'paused') await h.svc.resume({ batchId: args.batchId });
  process.stdout.write('started\n');
  const state = await h.svc.settled(args.batchId);
  process.stdout.write(`state ${state}\n`);
  await h.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`batch child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
