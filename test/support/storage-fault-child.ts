/**
 * Child process for the storage-fault test (a crash here exits this process, not the test run):
 * checks a file and applies it (the batch job is created then), and as soon as the job is written
 * the database can no longer grow — either a real full file system (this process fills the small
 * tmpfs the parent mounted; `filler` is the file that fills it) or SQLite's own size limit
 * (`PRAGMA max_page_count`, `extraPages` above the current size). Then it proves reads are still
 * served, frees the space, resumes, and waits for the batch to finish.
 *
 *   tsx test/support/storage-fault-child.ts '<json: {conn, dbPath, file: {csv, chainId, locationId}, filler?, extraPages?}>'
 *
 * stdout, one JSON line per step: {"step":"paused",…}, {"step":"reads",…}, {"step":"done",…}.
 */
import { statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pragmaValue } from '../../main/core/store';
import { applyCheck, checkText, createHarness, type Connection } from './batch-harness';
import { settledBatch } from './settled';

interface ChildArgs {
  conn: Connection;
  dbPath: string;
  file: { csv: string; chainId: number; locationId: number };
  filler?: string;
  extraPages?: number;
}

const say = (step: string, data: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ step, ...data })}\n`);

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const h = await createHarness(args.conn, { dbPath: args.dbPath, limiter: { perSecond: 100, perMinute: 6000 } });
  const { csv, ...place } = args.file;
  const check = await checkText(h.svc, place, csv, { fileName: 'disk.csv', lookups: true });
  const { batchId } = await applyCheck(h.svc, check);
  // The job is written; its runner's first write comes after a network read: no more room from now on.
  if (args.extraPages !== undefined) {
    const pages = Number(pragmaValue(h.store.db, 'page_count'));
    h.store.db.exec(`PRAGMA max_page_count = ${pages + args.extraPages}`);
  }
  if (args.filler) {
    // Fill the file system, leaving 64 KB: the journal's first writes fit, the WAL soon does not.
    const fs = statfsSync(dirname(args.filler));
    writeFileSync(args.filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 64 * 1024)));
  }
  say('applied', { batchId });
  const first = await settledBatch(h, batchId);
  const paused = (await h.svc.list()).batches.find((b) => b.batchId === batchId);
  const lastEvent = h.progress.at(-1);
  say('paused', { state: first, summary: paused, lastEvent });

  // Reads keep being served while the disk is full.
  const batches = (await h.svc.list()).batches.length;
  const audit = h.store.audit.list({ limit: 5000 }).length;
  const rows = (await h.svc.rows({ batchId: batchId, offset: 0, limit: 10 })).rows.length;
  const reportLines = (await h.svc.report({ batchId: batchId })).csv.split('\n').length;
  say('reads', { batches, audit, rows, reportLines });

  // Space is freed: resume continues exactly where it stopped.
  if (args.filler) unlinkSync(args.filler);
  if (args.extraPages !== undefined) h.store.db.exec('PRAGMA max_page_count = 1073741823');
  await h.svc.resume({ batchId: batchId });
  const final = await settledBatch(h, batchId);
  say('done', { state: final });
  await h.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`storage-fault child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
