/**
 * The audit log's filter form → the `audit.list` / `audit.exportCsv` filter, with field errors in
 * words. Days are days in the chosen location's zone (the zone every time on the screen is shown in).
 */
import type { AuditFilter } from '../../../preload/contract';
import { formatDayNumeric, parseDayInput } from './format';
import { t } from './i18n';

/** The example a date field shows and its error repeats: a day written as the language writes it. */
export const dayExample = (): string => formatDayNumeric('2026-12-31');

export interface AuditFilterForm {
  /** A membership's number (as on its card) or its id. */
  membership: string;
  userName: string;
  /** '' = every location. */
  locationId: string;
  /** Days as typed, in the language's format ("31.12.2026"); `YYYY-MM-DD` also accepted. */
  from: string;
  to: string;
}

/** What the form can say of the contract's audit filter. */
export type AuditFilterValue = Pick<AuditFilter, 'membership' | 'userName' | 'locationId' | 'from' | 'to' | 'timezone'>;

export function buildAuditFilter(form: AuditFilterForm, timezone: string): { filter: AuditFilterValue | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const filter: AuditFilterValue = {};
  const m = form.membership.trim().replace(/^(#|№)\s*/, '');
  if (m) {
    if (m.length > 40) errors.membership = t('audit.filter.badMembership');
    else filter.membership = m;
  }
  const user = form.userName.trim();
  if (user) filter.userName = user.slice(0, 200);
  if (form.locationId && Number(form.locationId) > 0) filter.locationId = Number(form.locationId);
  const from = form.from.trim();
  const to = form.to.trim();
  for (const [field, text] of [['from', from], ['to', to]] as const) {
    if (!text) continue;
    const day = parseDayInput(text);
    if (day === null) errors[field] = t('audit.filter.badDay', { example: dayExample() });
    else filter[field] = day;
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.to = t('audit.filter.toBeforeFrom');
  if (filter.from || filter.to) filter.timezone = timezone;
  return { filter: Object.keys(errors).length ? null : filter, errors };
}
