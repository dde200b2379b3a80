/**
 * The audit log's filter form → the `audit.list` / `audit.exportCsv` filter, with field errors in
 * words. Days are days in the chosen location's zone (the zone every time on the screen is shown in).
 */
import { isCalendarDate } from '../../../common/dates';
import { t } from './i18n';

export interface AuditFilterForm {
  /** A membership's number (as on its card) or its id. */
  membership: string;
  userName: string;
  /** '' = every location. */
  locationId: string;
  from: string;
  to: string;
}

export interface AuditFilterValue {
  membership?: string;
  userName?: string;
  locationId?: number;
  from?: string;
  to?: string;
  timezone?: string;
}

export function buildAuditFilter(form: AuditFilterForm, timezone: string): { filter: AuditFilterValue | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const filter: AuditFilterValue = {};
  const m = form.membership.trim().replace(/^(#|№)\s*/, '');
  if (m) {
    if (m.length > 40) errors.membership = 'Enter the membership number from its card (e.g. 270709) or its id (e.g. 4471900).';
    else filter.membership = m;
  }
  const user = form.userName.trim();
  if (user) filter.userName = user.slice(0, 200);
  if (form.locationId && Number(form.locationId) > 0) filter.locationId = Number(form.locationId);
  const from = form.from.trim();
  const to = form.to.trim();
  if (from) {
    if (!isCalendarDate(from)) errors.from = t('audit.filter.badDate');
    else filter.from = from;
  }
  if (to) {
    if (!isCalendarDate(to)) errors.to = t('audit.filter.badDate');
    else filter.to = to;
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.to = 'The end date is before the start date.';
  if (filter.from || filter.to) filter.timezone = timezone;
  return { filter: Object.keys(errors).length ? null : filter, errors };
}

/** The delimiter Excel splits a CSV on here: ';' where the decimal separator is a comma (ru, es, pt-BR, de…). */
export function excelDelimiter(locale?: string): ',' | ';' {
  return new Intl.NumberFormat(locale).format(1.5).includes(',') ? ';' : ',';
}
