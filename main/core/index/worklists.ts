/**
 * Worklists over the local index: expiring within N days, frozen now, low balance (≤ N visits,
 * united or any one service), issued but not activated — narrowed by type, by the types sold at a
 * location, or by text (number, type, client) — sorted, paged, counted, and exported as CSV for
 * Excel. Everything is a query on the index: nothing is asked of Altegio.
 */
import type { IndexStatus, WorklistRow } from '../../../preload/contract';
import { addDays, dayStartIn, localDateOf } from '../../../common/dates';
import { csvText, EXCEL_BOM, type CsvDelimiter } from '../csv';
import type { Language } from '../../../common/i18n/languages';
import { wordsIn } from '../words';
import { allRows, getRow } from '../store/rows';
import { ROW_COLUMNS, ROW_FROM, toIndexedRow, type IndexKey, type IndexRepo } from './repo';

export const WORKLIST_KINDS = ['expiring', 'frozen', 'low_balance', 'not_activated', 'all'] as const;
export type WorklistKind = (typeof WORKLIST_KINDS)[number];
export const WORKLIST_SORTS = ['number', 'expiry', 'type', 'status', 'balance', 'client', 'frozen_till'] as const;
export type WorklistSort = (typeof WORKLIST_SORTS)[number];

export interface WorklistQuery {
  kind: WorklistKind;
  /** Today in the desk's location (YYYY-MM-DD): "expiring within N days" counts from it. */
  today: string;
  /** The desk location's zone: an expiry with an offset is counted by its day there (as shown). */
  timezone: string;
  days: number;
  visits: number;
  typeIds?: readonly number[] | undefined;
  /** Only types sold at this location. */
  atLocationId?: number | undefined;
  text?: string | undefined;
  sort: WorklistSort;
  descending: boolean;
}

export interface WorklistPage {
  rows: WorklistRow[];
  total: number;
  counts: Record<Exclude<WorklistKind, 'all'>, number>;
  types: Array<{ id: number; title: string; count: number }>;
}

interface Sql {
  where: string[];
  params: unknown[];
}

/**
 * A day-valued API date/time of a row (the expiry, "frozen until") as every part of a worklist
 * judges it: the filter, the sort, and the day shown and exported (`localDateOf` of this in the
 * desk's zone). An instant in UTC (sortable text) whose day in the desk's zone is the value's day
 * there, i.e. `localDateOf(value, zone)`; null when it has none (sorted last).
 * - A value with an offset (what Altegio sends): its instant, the column `at` (instantOf at upsert;
 *   migrations 10 and 11 filled it in for rows indexed before the column was added).
 * - A bare day, or a time without an offset (`localDateOf` takes both as written): midday of that day
 *   (`writtenDay`) in the desk's zone, at the zone's offset today: a DST change moves midday by an
 *   hour or two, never into another day.
 * - A row indexed before the column whose offset SQLite could not read (`+0300`, `+03`): midday of
 *   the day as written, until it is read again.
 * An SQL expression over `index_memberships m`; the only value interpolated is a whole number.
 */
function dayKey(at: string, writtenDay: string, q: Pick<WorklistQuery, 'today' | 'timezone'>): string {
  const offsetMinutes = Math.round((Date.parse(`${q.today}T00:00:00Z`) - Date.parse(dayStartIn(q.today, q.timezone))) / 60_000);
  return `COALESCE(${at}, strftime('%Y-%m-%dT%H:%M:%SZ', ${writtenDay}, '${720 - offsetMinutes} minutes'))`;
}

/** The expiry (dayKey): "expiring within N days", the sort by expiry, `expiryDay`. */
const expiryKey = (q: Pick<WorklistQuery, 'today' | 'timezone'>) => dayKey('m.expiration_at', 'm.expiration_day', q);

/**
 * "Frozen until" (dayKey): the sort by it and `frozenTillDay`. Null when the membership is not frozen
 * (the screen shows no day; a stale freeze_till does not count) or frozen with no end date.
 */
const frozenTillKey = (q: Pick<WorklistQuery, 'today' | 'timezone'>) =>
  `CASE WHEN m.is_frozen = 1 THEN ${dayKey('m.freeze_till_at', "CASE WHEN m.freeze_till GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(m.freeze_till, 1, 10) END", q)} END`;

function kindWhere(kind: WorklistKind, q: WorklistQuery): Sql {
  switch (kind) {
    case 'expiring': {
      // Its day in the desk's zone (expiryKey) from today to today + N: between the instants those days begin there.
      const at = expiryKey(q);
      return {
        where: ["m.status_slug = 'active'", `${at} >= ?`, `${at} < ?`],
        params: [dayStartIn(q.today, q.timezone), dayStartIn(addDays(q.today, q.days + 1), q.timezone)],
      };
    }
    case 'frozen':
      return { where: ['m.is_frozen = 1'], params: [] };
    case 'low_balance':
      return { where: ["m.status_slug = 'active'", 'm.unlimited = 0', '(m.united_left <= ? OR m.min_service_left <= ?)'], params: [q.visits, q.visits] };
    case 'not_activated':
      return { where: ["m.status_slug = 'created'"], params: [] };
    case 'all':
      return { where: [], params: [] };
  }
}

/** LIKE pattern for "contains", with the user's % and _ taken literally. */
const contains = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterWhere(key: IndexKey, q: WorklistQuery): Sql {
  const where = ['m.server = ?', 'm.chain_id = ?'];
  const params: unknown[] = [key.server, key.chainId];
  if (q.typeIds && q.typeIds.length > 0) {
    where.push(`m.type_id IN (${q.typeIds.map(() => '?').join(', ')})`);
    params.push(...q.typeIds);
  }
  if (q.atLocationId !== undefined) {
    where.push("EXISTS (SELECT 1 FROM json_each(m.membership_json, '$.type.attachedLocationIds') WHERE value = ?)");
    params.push(q.atLocationId);
  }
  const text = q.text?.trim();
  if (text) {
    where.push("(m.number_key LIKE ? ESCAPE '\\' OR lower(m.type_title) LIKE ? ESCAPE '\\' OR lower(COALESCE(c.client_name, '')) LIKE ? ESCAPE '\\' OR COALESCE(c.client_phone, '') LIKE ? ESCAPE '\\')");
    params.push(contains(text), contains(text), contains(text), contains(text));
  }
  return { where, params };
}

const ORDER: Record<Exclude<WorklistSort, 'expiry' | 'frozen_till'>, string> = {
  number: 'm.number_key',
  type: 'm.type_title',
  status: 'm.status_slug',
  balance: 'COALESCE(m.united_left, m.min_service_left)',
  client: 'c.client_name',
};

function select(repo: IndexRepo, key: IndexKey, q: WorklistQuery, page: { offset: number; limit: number } | null): { rows: WorklistRow[]; total: number } {
  const filter = filterWhere(key, q);
  const kind = kindWhere(q.kind, q);
  const where = `WHERE ${[...filter.where, ...kind.where].join(' AND ')}`;
  const params = [...filter.params, ...kind.params];
  const total = Number(getRow<{ n: number }>(repo.db.prepare(`SELECT COUNT(*) AS n FROM ${ROW_FROM} ${where}`), ...params)?.n ?? 0);
  const at = expiryKey(q);
  const frozenAt = frozenTillKey(q);
  const column = q.sort === 'expiry' ? at : q.sort === 'frozen_till' ? frozenAt : ORDER[q.sort];
  const dir = q.descending ? 'DESC' : 'ASC';
  // Blanks (no expiry, client unknown) go last either way.
  const order = `ORDER BY ${column} IS NULL, ${column} ${dir}, m.id ${dir}`;
  const limit = page ? `LIMIT ${Math.floor(page.limit)} OFFSET ${Math.floor(page.offset)}` : '';
  type Selected = Parameters<typeof toIndexedRow>[0] & { expiry_at: string | null; frozen_till_at: string | null };
  const sql = `SELECT ${ROW_COLUMNS}, ${at} AS expiry_at, ${frozenAt} AS frozen_till_at FROM ${ROW_FROM} ${where} ${order} ${limit}`;
  const rows = allRows<Selected>(repo.db.prepare(sql), ...params).map((s) => {
    const r = toIndexedRow(s);
    const days = { expiryDay: localDateOf(s.expiry_at, q.timezone), frozenTillDay: localDateOf(s.frozen_till_at, q.timezone) };
    return { membership: r.membership, client: r.client, locationId: r.locationId, readAt: r.readAt, ...days };
  });
  return { rows, total };
}

export function worklist(repo: IndexRepo, key: IndexKey, q: WorklistQuery, page: { offset: number; limit: number }): WorklistPage {
  const { rows, total } = select(repo, key, q, page);
  const count = (kind: Exclude<WorklistKind, 'all'>) => select(repo, key, { ...q, kind }, { offset: 0, limit: 0 }).total;
  const types = allRows<{ id: number; title: string; n: number }>(
    repo.db.prepare('SELECT type_id AS id, type_title AS title, COUNT(*) AS n FROM index_memberships WHERE server = ? AND chain_id = ? GROUP BY type_id ORDER BY type_title'),
    key.server,
    key.chainId,
  ).map((t) => ({ id: Number(t.id), title: String(t.title), count: Number(t.n) }));
  return {
    rows,
    total,
    counts: { expiring: count('expiring'), frozen: count('frozen'), low_balance: count('low_balance'), not_activated: count('not_activated') },
    types,
  };
}

const CSV_COLUMNS = ['number', 'membership_id', 'type', 'status', 'frozen', 'frozen_till', 'expires', 'visits_left', 'client', 'phone', 'location_id', 'as_of'] as const;

function visitsLeft(m: WorklistRow['membership'], unlimited: string): string {
  if (m.balance.kind === 'united') return m.balance.unlimited ? unlimited : String(m.balance.count);
  return m.balance.lines.map((l) => `${l.title}: ${l.unlimited ? unlimited : l.count}`).join('; ');
}

/**
 * The whole list (every page) as a CSV file for Excel: UTF-8 with BOM, formula-safe cells, column
 * names, yes/no, statuses and days in `language` (as the audit export words them; English when
 * absent). Days are the rows' days in `q.timezone` (the desk location's, as the screen shows and the
 * list sorts them), whatever offset Altegio sent.
 */
export function worklistCsv(repo: IndexRepo, key: IndexKey, q: WorklistQuery, status: IndexStatus, now = new Date(), delimiter: CsvDelimiter = ',', language?: Language): { fileName: string; csv: string } {
  const { rows } = select(repo, key, q, null);
  const words = wordsIn(language);
  const day = (local: string | null) => (local ? words.audit.day(local) : '');
  const unlimited = words.t('balance.unlimited');
  const lines = rows.map((r) => {
    const m = r.membership;
    return [
      m.number, String(m.id), m.type.title, words.audit.status(m.status.slug), words.t(m.isFrozen ? 'common.yes' : 'common.no'), day(r.frozenTillDay), day(r.expiryDay),
      visitsLeft(m, unlimited), r.client?.name ?? '', r.client?.phone ?? '', r.locationId === null ? '' : String(r.locationId), status.asOf ?? '',
    ];
  });
  return {
    fileName: `memberships-${q.kind.replace('_', '-')}-${now.toISOString().slice(0, 10)}.csv`,
    csv: EXCEL_BOM + csvText(CSV_COLUMNS.map((c) => words.t(`worklist.csv.${c}`)), lines, delimiter),
  };
}
