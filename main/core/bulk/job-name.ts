/**
 * A bulk action's job: its name (the batch list's "file" and its report's file name, the same in
 * every language) and, read back from that name, the title the batch screens word in the language
 * in use ("Bulk freeze until 20.05.2026").
 */
import type { BulkAction } from '../../../preload/contract';
import { msg, type Msg } from '../../../common/i18n/translate';

/** The job's name: the action and its parameter. */
export function bulkJobName(action: BulkAction): string {
  switch (action.kind) {
    case 'freeze':
      return `bulk-freeze-until-${action.freezeTill}`;
    case 'unfreeze':
      return 'bulk-unfreeze';
    case 'visits':
      return `bulk-visits-${action.delta > 0 ? `plus-${action.delta}` : `minus-${-action.delta}`}`;
    case 'extend':
      return `bulk-extend-${action.days}-days`;
  }
}

const NAMES = /^bulk-(?:freeze-until-(\d{4}-\d{2}-\d{2})|(unfreeze)|visits-(plus|minus)-(\d+)|extend-(\d+)-days)$/;

/** The title of a job named by bulkJobName; null for any other name (a file's: it ends with its extension). */
export function bulkJobTitle(name: string): Msg | null {
  const m = NAMES.exec(name);
  if (!m) return null;
  const [, date, unfreeze, sign, visits, days] = m;
  if (date !== undefined) return msg('bulk.jobName.freeze', { date });
  if (unfreeze !== undefined) return msg('bulk.jobName.unfreeze');
  if (visits !== undefined) return msg('bulk.jobName.visits', { delta: `${sign === 'plus' ? '+' : '−'}${visits}` });
  return msg('bulk.jobName.extend', { days: Number(days) });
}
