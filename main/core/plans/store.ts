/** The plans table (migration 6): scheduled freezes and unfreezes kept on this PC. */
import type Database from 'libsql';
import type { Plan } from '../../../preload/contract';
import { allRows, getRow, nowIso, strOrNull, type Row } from '../store/rows';
import { fromStored } from '../../../common/i18n/stored';

export type PlanRecord = Omit<Plan, 'missed' | 'remaining' | 'closure'> & {
  auditId: number | null;
  /** A closure: the selection's membership ids (null: a plan for one membership). */
  membershipIds: number[] | null;
  /** A closure that ran: its bulk freeze job. */
  batchId: string | null;
};
export type NewPlan = Omit<PlanRecord, 'id' | 'state' | 'message' | 'msg' | 'auditId' | 'createdAt' | 'batchId' | 'membershipIds'> & { membershipIds?: number[] | null };

export interface PlansRepo {
  add(p: NewPlan): number;
  get(id: number): PlanRecord | null;
  /** Newest first; open ones (planned, running) and the last `closed` finished ones. */
  list(closed?: number): PlanRecord[];
  /** Plans still to run (state 'planned'). */
  open(): PlanRecord[];
  setDates(id: number, p: Pick<PlanRecord, 'kind' | 'startDate' | 'endDate' | 'reason'>): void;
  /** Moves a plan on only from the state it is expected in; false when it was not (raced). `message`: as stored (common/i18n/stored.ts). */
  move(id: number, from: PlanRecord['state'], to: PlanRecord['state'], message?: string | null, auditId?: number | null): boolean;
  /** A closure's bulk job, once started. */
  setBatch(id: number, batchId: string): void;
}

const COLUMNS = 'id, kind, chain_id, location_id, timezone, membership_id, membership_number, start_date, end_date, reason, state, message, audit_id, created_at, created_by, membership_ids, batch_id';

function idsOf(v: unknown): number[] | null {
  if (typeof v !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isSafeInteger(n) && (n as number) > 0) : null;
  } catch {
    return null;
  }
}

function fromRow(r: Row): PlanRecord {
  const message = strOrNull(r.message);
  const stored = message === null ? null : fromStored(message);
  return {
    id: Number(r.id),
    kind: r.kind === 'unfreeze' ? 'unfreeze' : 'freeze',
    chainId: Number(r.chain_id),
    locationId: Number(r.location_id),
    timezone: String(r.timezone),
    membershipId: Number(r.membership_id),
    membershipNumber: String(r.membership_number),
    startDate: String(r.start_date),
    endDate: strOrNull(r.end_date),
    reason: String(r.reason),
    state: String(r.state) as PlanRecord['state'],
    message: stored?.text ?? null,
    msg: stored?.msg ?? null,
    auditId: r.audit_id === null || r.audit_id === undefined ? null : Number(r.audit_id),
    createdAt: String(r.created_at),
    createdBy: String(r.created_by),
    membershipIds: idsOf(r.membership_ids),
    batchId: strOrNull(r.batch_id),
  };
}

export function plansRepo(db: Database.Database): PlansRepo {
  return {
    add(p) {
      const at = nowIso();
      const r = db
        .prepare(
          `INSERT INTO plans (kind, chain_id, location_id, timezone, membership_id, membership_number, start_date, end_date, reason, state, created_at, created_by, updated_at, membership_ids)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?)`,
        )
        .run(p.kind, p.chainId, p.locationId, p.timezone, p.membershipId, p.membershipNumber, p.startDate, p.endDate, p.reason, at, p.createdBy, at, p.membershipIds ? JSON.stringify(p.membershipIds) : null);
      return Number(r.lastInsertRowid);
    },
    get(id) {
      const r = getRow(db.prepare(`SELECT ${COLUMNS} FROM plans WHERE id = ?`), id);
      return r ? fromRow(r) : null;
    },
    list(closed = 50) {
      const open = allRows(db.prepare(`SELECT ${COLUMNS} FROM plans WHERE state IN ('planned', 'running') ORDER BY start_date, id`));
      const done = allRows(db.prepare(`SELECT ${COLUMNS} FROM plans WHERE state NOT IN ('planned', 'running') ORDER BY updated_at DESC, id DESC LIMIT ?`), closed);
      return [...open, ...done].map(fromRow);
    },
    open() {
      return allRows(db.prepare(`SELECT ${COLUMNS} FROM plans WHERE state = 'planned' ORDER BY start_date, id`)).map(fromRow);
    },
    setDates(id, p) {
      db.prepare(`UPDATE plans SET kind = ?, start_date = ?, end_date = ?, reason = ?, updated_at = ? WHERE id = ? AND state = 'planned'`).run(p.kind, p.startDate, p.endDate, p.reason, nowIso(), id);
    },
    move(id, from, to, message = null, auditId = null) {
      const r = db
        .prepare(`UPDATE plans SET state = ?, message = ?, audit_id = COALESCE(?, audit_id), updated_at = ? WHERE id = ? AND state = ?`)
        .run(to, message, auditId, nowIso(), id, from);
      return Number(r.changes) === 1;
    },
    setBatch(id, batchId) {
      db.prepare(`UPDATE plans SET batch_id = ?, updated_at = ? WHERE id = ?`).run(batchId, nowIso(), id);
    },
  };
}
