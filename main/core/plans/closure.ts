/**
 * A closure for a selection (issue 11 item 5: "we are closed 10–20 March"): ONE plan holds the set
 * of memberships (worklist ids, or pasted numbers/ids resolved through the local index). On its day
 * it becomes one bulk freeze job until the end date — the bulk service's preview and apply, so the
 * same checks per membership, the same runner, journal, report and undo as a bulk freeze started by
 * hand. Nothing here writes to Altegio by itself.
 */
import { MAX_BULK, type IndexedMembership } from '../../../preload/contract';
import { msg } from '../../../common/i18n/translate';
import type { BulkService } from '../bulk/service';
import { splitRefs } from '../bulk/plan';
import { asDeskFailure, DeskFailure, storedOf } from '../errors';
import type { PlanRecord } from './store';

export interface ClosureDeps {
  bulk: Pick<BulkService, 'preview' | 'apply'>;
  index: { lookup(chainId: number, ref: string | number): IndexedMembership | null };
}

/** How many numbers a closure's name shows ("500731, 500732, 500733 +47"). */
const NAMED = 3;
/** How many unknown references a refusal names. */
const NAME_UNKNOWN = 10;

/** The selection as membership ids (each once) and their numbers; unknown references are refused, named. */
export function resolveSelection(index: ClosureDeps['index'], chainId: number, args: { ids?: readonly number[] | undefined; text?: string | undefined }): { ids: number[]; numbers: string[] } {
  const refs: Array<string | number> = args.ids ? [...args.ids] : splitRefs(args.text ?? '');
  const ids: number[] = [];
  const numbers: string[] = [];
  const unknown: string[] = [];
  for (const ref of refs) {
    const indexed = index.lookup(chainId, ref);
    const id = indexed?.membership.id ?? (typeof ref === 'number' ? ref : null);
    if (id === null) unknown.push(String(ref));
    else if (!ids.includes(id)) {
      ids.push(id);
      numbers.push(indexed?.membership.number ?? String(id));
    }
  }
  if (unknown.length > 0) {
    const words = msg('plan.closure.unknownRefs', { count: unknown.length, refs: unknown.slice(0, NAME_UNKNOWN).join(', ') });
    throw new DeskFailure('validation', words, { fields: { text: words } });
  }
  if (ids.length === 0) throw new DeskFailure('validation', msg('plan.closure.empty'));
  if (ids.length > MAX_BULK) throw new DeskFailure('validation', msg('plan.closure.tooMany', { max: MAX_BULK }));
  return { ids, numbers };
}

/** The closure's name where a plan names its membership: its first numbers and how many more. */
export function closureName(numbers: readonly string[]): string {
  const shown = numbers.slice(0, NAMED).join(', ');
  return numbers.length > NAMED ? `${shown} +${numbers.length - NAMED}` : shown;
}

/** Starts the closure's bulk freeze until `freezeTill`: the job's id, or why it could not start (as stored: common/i18n/stored.ts). */
export async function startClosure(deps: ClosureDeps, r: PlanRecord, freezeTill: string): Promise<{ ok: true; batchId: string } | { ok: false; message: string }> {
  try {
    const preview = await deps.bulk.preview({ chainId: r.chainId, locationId: r.locationId, action: { kind: 'freeze', freezeTill }, ids: r.membershipIds ?? [], reason: r.reason });
    const job = await deps.bulk.apply({ previewId: preview.previewId });
    return { ok: true, batchId: job.batchId };
  } catch (e) {
    return { ok: false, message: storedOf(asDeskFailure(e)) };
  }
}
