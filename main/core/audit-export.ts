/**
 * The audit log as a CSV file for Excel, written with the app's one CSV cell writer (csv.ts).
 */
import type { AuditEntry } from '../../preload/contract';
import { csvText, EXCEL_BOM } from './csv';

const COLUMNS = ['id', 'when', 'user', 'chain', 'location', 'membership_id', 'membership_number', 'action', 'before', 'after', 'reason', 'outcome', 'message', 'batch', 'undo_of', 'undone_by'];

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));
const text = (v: string | number | null) => (v === null ? '' : String(v));

export function auditCsv(entries: readonly AuditEntry[], now = new Date()): { fileName: string; csv: string } {
  const rows = entries.map((e) => [
    String(e.id), e.at, e.userName, String(e.chainId), text(e.locationId), String(e.membershipId), e.membershipNumber,
    e.action, json(e.before), json(e.after), e.reason, e.outcome, text(e.message), text(e.batchId), text(e.undoOf), text(e.undoneBy),
  ]);
  return { fileName: `audit-log-${now.toISOString().slice(0, 10)}.csv`, csv: EXCEL_BOM + csvText(COLUMNS, rows) };
}
