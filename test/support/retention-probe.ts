/**
 * Child process for the "a plan does not keep the file alive" test: reads and plans a file whose
 * kept cells are all 13+ characters (the length from which V8 makes a substring a view that keeps
 * its parent string alive), next to a wide unmapped column, and prints as JSON how much memory
 * the result retains after a full GC. Its own process: a clean heap, and `--expose-gc`.
 *
 *   node --expose-gc --import tsx test/support/retention-probe.ts <columnWidth>
 */
import { planBatch, readBatch } from '../../main/core/batch/pipeline';
import { createLookups } from '../../main/core/batch/plan-resolve';
import { makeMembership } from '../../scripts/gen-csv-fixture';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const width = Number(process.argv[2] ?? '2000');

function file(rows: number): Uint8Array {
  const wide = 'n'.repeat(width);
  const lines = ['membership_id;number;phone;service;balance;reason;notes'];
  for (let i = 0; i < rows; i++) {
    if (i % 3 === 0) lines.push(`1;;;;${i % 50};reason number ${i} for the log;${wide}`);
    else if (i % 3 === 1) lines.push(`;0000000000000${i};+7 912 000-00-01;Pilates group;${i % 50};another reason ${i};${wide}`);
    else lines.push(`not-an-id-${i}-xxxxxxxx;;;unknown service ${i};x;reason ${i} of an invalid row;${wide}`);
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

const lookups = createLookups([{ membership: makeMembership(1, { united: true, lines: [], unitedCount: 10 }), phones: ['79120000001'] }], () => true);
planBatch(readBatch(file(300)), lookups); // compile everything first: code is not what is measured
const bytes = file(20_000);
const used = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
gc();
gc();
const before = used();
const prepared = planBatch(readBatch(bytes), lookups);
gc();
gc();
const retainedMb = (used() - before) / (1024 * 1024);
console.log(JSON.stringify({ retainedMb, textMb: bytes.length / (1024 * 1024), rows: prepared.plan?.totals.rows, label: prepared.plan?.rows.get(2).membershipLabel }));
