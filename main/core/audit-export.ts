/**
 * The audit log as a CSV file for Excel, written with the app's one CSV writer (csv.ts) and the
 * same BOM as the batch report: the delimiter Excel splits on in the person's locale, times in the
 * location's zone, locations and clients by name, and each change as "before → after" words (the
 * same as on screen, common/audit-words.ts) instead of raw JSON.
 */
import type { AuditEntry } from '../../preload/contract';
import { actionLabel, changeLines, outcomeLabel } from '../../common/audit-words';
import { DateTime } from 'luxon';
import { csvText, EXCEL_BOM, type CsvDelimiter } from './csv';
import type { Language } from '../../common/i18n/languages';
import { wordsIn } from './words';

const COLUMNS = ['when', 'location', 'number', 'id', 'client', 'user', 'what', 'change', 'reason', 'result', 'message', 'batch'] as const;

export interface AuditCsvOptions {
  /** The zone times are written in (the location's, as on screen); UTC when absent. */
  timezone?: string;
  /** Location id → its name. */
  locationTitle?: (id: number) => string | undefined;
  delimiter?: CsvDelimiter;
  /** The language of the column names and the words (English when absent). */
  language?: Language;
  now?: Date;
}

export function auditCsv(entries: readonly AuditEntry[], options: AuditCsvOptions = {}): { fileName: string; csv: string } {
  const zone = options.timezone ?? 'UTC';
  const words = wordsIn(options.language);
  const when = (at: string) => DateTime.fromISO(at, { zone }).toFormat('yyyy-MM-dd HH:mm');
  const rows = entries.map((e) => [
    when(e.at),
    e.locationId === null ? '' : (options.locationTitle?.(e.locationId) ?? String(e.locationId)),
    e.membershipNumber,
    String(e.membershipId),
    e.clientName ?? '',
    e.userName,
    actionLabel(e, entries, zone, words.audit),
    changeLines(e, zone, undefined, words.audit).join('; '),
    e.reason,
    outcomeLabel(e, entries, zone, words.audit),
    e.outcome === 'ok' ? '' : e.msg ? words.say(e.msg) : (e.message ?? ''),
    e.batchId ? words.t('common.yes') : '',
  ]);
  const now = options.now ?? new Date();
  return { fileName: `audit-log-${now.toISOString().slice(0, 10)}.csv`, csv: EXCEL_BOM + csvText(
      COLUMNS.map((c) => words.t(`audit.csv.${c}`)),
      rows, options.delimiter ?? ',') };
}
