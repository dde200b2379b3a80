/**
 * Which membership and which balance line a row means (the first step of planning): lookups over
 * the memberships the check read (by id, or by number among a phone's memberships), whether the
 * membership may be changed at all (its type, the user's right), and the balance line a row names
 * (by service id or title, blank = the shared balance).
 */
import type { BalanceLine, Membership } from '../../../preload/contract';
import { NO_LINE, UNITED } from './plan-storage';
import type { ProblemCode, RowProblem } from './problems';
import { msg, type Msg } from '../../../common/i18n/translate';
import { RowKind, type ServiceRef, type ValidatedRows } from './validate';

// Lookups

export interface PlanLookups {
  /** The memberships held, one per id; the lookups name a membership by its slot (index here). */
  readonly memberships: readonly Membership[];
  /** Slot of the membership with this id, or -1. */
  slotById(id: number): number;
  /** Slots of every membership with this number among those of the phone's client(s). */
  slotsByNumberPhone(number: string, phone: string): readonly number[];
  /** The signed-in user's balance-edit right on a chain. */
  canEditBalance(chainId: number): boolean;
}

export interface MembershipEntry {
  membership: Membership;
  /** Phones (digits only) under which this membership was found, if looked up by phone. */
  phones?: readonly string[];
}

const stripZeros = (s: string) => s.replace(/^0+(?=.)/, '');

/** In-memory lookups over memberships the caller fetched (a membership read twice: the later read wins). */
export function createLookups(entries: Iterable<MembershipEntry>, canEditBalance: (chainId: number) => boolean): PlanLookups {
  const slots = new Map<number, number>();
  const memberships: Membership[] = [];
  const byPhone = new Map<string, number[]>();
  for (const { membership, phones } of entries) {
    let slot = slots.get(membership.id);
    if (slot === undefined) {
      slot = memberships.push(membership) - 1;
      slots.set(membership.id, slot);
    } else memberships[slot] = membership;
    for (const p of phones ?? []) {
      const list = byPhone.get(p);
      if (list === undefined) byPhone.set(p, [slot]);
      else if (!list.includes(slot)) list.push(slot);
    }
  }
  const numbers = memberships.map((m) => m.number.trim());
  const singles: (readonly number[] | undefined)[] = [];
  const none: readonly number[] = [];
  return {
    memberships,
    slotById: (id) => slots.get(id) ?? -1,
    slotsByNumberPhone(number, phone) {
      const list = byPhone.get(phone);
      if (list === undefined) return none;
      const n = number.trim();
      let found = -1;
      let count = 0;
      for (const s of list) {
        if (numbers[s] === n) {
          found = s;
          count++;
        }
      }
      if (count === 1) return list.length === 1 ? list : (singles[found] ??= [found]);
      if (count > 1) return list.filter((s) => numbers[s] === n);
      // Excel drops leading zeros from numbers it takes for figures.
      const z = stripZeros(n).toLowerCase();
      return list.filter((s) => stripZeros(numbers[s] as string).toLowerCase() === z);
    },
    canEditBalance,
  };
}

/** normalizeTitle with a small cache (row titles repeat a lot). */
const titleCache = new Map<string, string>();
function titleKey(s: string): string {
  let k = titleCache.get(s);
  if (k === undefined) {
    k = normalizeTitle(s);
    if (titleCache.size > 10_000) titleCache.clear();
    titleCache.set(s, k);
  }
  return k;
}

/** Normalised title for case-insensitive comparison. */
export function normalizeTitle(s: string): string {
  let t = s.trim().toLowerCase();
  if (t.includes('ё')) t = t.replace(/ё/g, 'е');
  if (MULTI_SPACE.test(t)) t = t.replace(/\s+/g, ' ');
  return t;
}
const MULTI_SPACE = /\s\s|[\t\n\r\u00a0\u2000-\u200a\u202f\u3000]/;

export type Forbidden = 'forbidden_by_type' | 'forbidden_by_right';

/** Records a problem of row i (and marks it invalid). */
export type AddProblem = (i: number, field: RowProblem['field'], code: ProblemCode, m: Msg) => void;

/**
 * How a problem of row i names membership m: by its number, as the card shows it ("№ 804772"), and
 * with its id labelled when the row named it by id ("№ 804772 (id 4471902)"), so the message
 * meets what the file says. `id: 'none'`: the row named it by number and phone.
 */
export function membershipParams(v: ValidatedRows, i: number, m: Membership): { number: string; id: string } {
  return { number: m.number, id: v.kinds[i] === RowKind.ById ? String(m.id) : 'none' };
}

/** Why no row may change membership m (its type, or the user's right in its chain), or null. */
export function forbiddenReason(m: Membership, lookups: PlanLookups, rightCache: Map<number, boolean>): Forbidden | null {
  if (m.type.balanceEditType === 0) return 'forbidden_by_type';
  let right = rightCache.get(m.chainId);
  if (right === undefined) rightCache.set(m.chainId, (right = lookups.canEditBalance(m.chainId)));
  return right ? null : 'forbidden_by_right';
}

/** The problem of row i when membership m may not be changed (`why`). */
export function forbiddenMsg(why: Forbidden, v: ValidatedRows, i: number, m: Membership): Msg {
  const who = membershipParams(v, i, m);
  return why === 'forbidden_by_type' ? msg('batch.problem.typeForbids', { ...who, type: m.type.title }) : msg('batch.problem.noRight', who);
}

/** A membership's balance lines, listed in a problem ("—" when it has none). */
const lineTitles = (lines: readonly BalanceLine[]): string => lines.map((l) => l.title).join(', ') || '—';

/** The balance line row i targets: its index in the membership's lines, UNITED, or NO_LINE with a problem added. */
export function resolveLine(v: ValidatedRows, i: number, m: Membership, titles: Map<number, Map<string, number[]>>, k: number, addProblem: AddProblem): number {
  const bal = m.balance;
  const who = membershipParams(v, i, m);
  const si = v.serviceIdx[i] as number;
  const service = si < 0 ? null : (v.services[si] as Exclude<ServiceRef, null>);
  if (bal.kind === 'united') {
    if (service !== null) {
      addProblem(i, 'id' in service ? 'service_id' : 'service', 'service_on_united', msg('batch.problem.serviceOnShared', who));
      return NO_LINE;
    }
    if (bal.unlimited) {
      addProblem(i, null, 'unlimited', msg('batch.problem.unlimited', who));
      return NO_LINE;
    }
    return UNITED;
  }
  let li = -1;
  if (service === null) {
    if (bal.lines.length !== 1) {
      addProblem(i, 'service', 'service_required', msg('batch.problem.serviceRequired', { ...who, services: lineTitles(bal.lines) }));
      return NO_LINE;
    }
    li = 0;
  } else if ('id' in service) {
    const sid = service.id;
    for (let j = 0; j < bal.lines.length; j++) if ((bal.lines[j] as BalanceLine).serviceId === sid) li = j;
    if (li === -1) {
      addProblem(i, 'service_id', 'unknown_service', msg('batch.problem.serviceIdNotOn', { ...who, service: String(sid) }));
      return NO_LINE;
    }
    const given = v.serviceTitles.get(i);
    const title = (bal.lines[li] as BalanceLine).title;
    if (given !== undefined && normalizeTitle(given) !== normalizeTitle(title)) {
      addProblem(i, 'service', 'service_title_mismatch', msg('batch.problem.serviceTitleMismatch', { ...who, service: String(sid), title, given }));
      return NO_LINE;
    }
  } else {
    let byTitle = titles.get(k);
    if (byTitle === undefined) {
      byTitle = new Map();
      for (let j = 0; j < bal.lines.length; j++) {
        const key = titleKey((bal.lines[j] as BalanceLine).title);
        const list = byTitle.get(key);
        if (list) list.push(j);
        else byTitle.set(key, [j]);
      }
      titles.set(k, byTitle);
    }
    const matches = byTitle.get(titleKey(service.title));
    if (matches === undefined) {
      addProblem(i, 'service', 'unknown_service', msg('batch.problem.serviceNotOn', { ...who, title: service.title, services: lineTitles(bal.lines) }));
      return NO_LINE;
    }
    if (matches.length > 1) {
      addProblem(i, 'service', 'ambiguous_service', msg('batch.problem.serviceTitleTwice', { ...who, title: service.title }));
      return NO_LINE;
    }
    li = matches[0] as number;
  }
  const line = bal.lines[li] as BalanceLine;
  // set_balance names lines by service id: two lines with one id (a service and a category
  // sharing a number) cannot be told apart in a request.
  for (let j = 0; j < bal.lines.length; j++) {
    const other = bal.lines[j] as BalanceLine;
    if (j !== li && other.serviceId === line.serviceId) {
      addProblem(i, service !== null && 'id' in service ? 'service_id' : 'service', 'ambiguous_service', msg('batch.problem.serviceIdTwice', { ...who, service: String(line.serviceId), title: line.title, other: other.title }));
      return NO_LINE;
    }
  }
  if (line.unlimited) {
    addProblem(i, null, 'unlimited', msg('batch.problem.lineUnlimited', { ...who, title: line.title }));
    return NO_LINE;
  }
  return li;
}
