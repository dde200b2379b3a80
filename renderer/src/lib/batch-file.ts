/**
 * Getting a chosen or dropped file to the core: checks a person understands before the bytes are
 * sent (`batch.open` takes them as they are).
 */
import { MAX_BATCH_FILE_BYTES } from '../../../preload/contract';
import { t } from './i18n';

/** The contract's limit for `batch.open`. */
export const MAX_FILE_BYTES = MAX_BATCH_FILE_BYTES;
export const ACCEPT = '.csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values';
const EXTENSIONS = ['.csv', '.txt', '.tsv'];

/** Why this file cannot be used, in words, or null when it can. */
export function fileProblem(file: { name: string; size: number }): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx') || name.endsWith('.xls') || name.endsWith('.ods')) {
    return t('batch.file.workbook');
  }
  if (!EXTENSIONS.some((e) => name.endsWith(e))) return t('batch.file.notCsv');
  if (file.size === 0) return t('batch.file.empty');
  if (file.size > MAX_FILE_BYTES) return t('batch.file.tooLarge');
  return null;
}
