/**
 * The audit log's filter form → the `audit.list` / `audit.exportCsv` filter, with field errors in
 * words. Plus the browser download of a text file (a Blob link; no navigation, CSP-safe).
 */
import { isCalendarDate } from '../../../common/dates';

export interface AuditFilterForm {
  membershipId: string;
  userName: string;
  from: string;
  to: string;
}

export interface AuditFilterValue {
  membershipId?: number;
  userName?: string;
  from?: string;
  to?: string;
}

export function buildAuditFilter(form: AuditFilterForm): { filter: AuditFilterValue | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const filter: AuditFilterValue = {};
  const m = form.membershipId.trim().replace(/^#|^№\s*/, '');
  if (m) {
    if (!/^\d{1,15}$/.test(m) || Number(m) <= 0) errors.membershipId = 'Enter the membership id as a number, e.g. 4471902.';
    else filter.membershipId = Number(m);
  }
  const user = form.userName.trim();
  if (user) filter.userName = user.slice(0, 200);
  const from = form.from.trim();
  const to = form.to.trim();
  if (from) {
    if (!isCalendarDate(from)) errors.from = 'Enter a date like 2026-05-20.';
    else filter.from = from;
  }
  if (to) {
    if (!isCalendarDate(to)) errors.to = 'Enter a date like 2026-05-20.';
    else filter.to = to;
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.to = 'The end date is before the start date.';
  return { filter: Object.keys(errors).length ? null : filter, errors };
}
