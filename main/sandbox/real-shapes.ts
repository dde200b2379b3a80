/**
 * Answers in the shapes the official documents print (issue 15), each behind its own switch, all
 * off by default. The sandbox's own answers follow ALTEGIO.md's fullest reading; these switches
 * make it answer the way the YCLIENTS API Blueprint's and Altegio's examples actually look, so the
 * app is tested against what a real server may send:
 *
 * - `bare-auth`         POST /auth answers only `{"user_token": "…"}` (the Blueprint: no envelope,
 *                       no id, no name);
 * - `no-loyalty-flags`  /groups `access` lacks the three `loyalty_abonement_*` flags (both docs'
 *                       examples), so the server alone decides (a 403 when the right is missing);
 * - `array-envelope`    the chain membership list, freeze, unfreeze and a set_balance refusal come
 *                       as a one-element array holding the envelope (Altegio's docs);
 * - `timezone-name`     /companies sends `"timezone": "Europe/Moscow"` and no `timezone_name`
 *                       (the Blueprint), /groups locations no `timezone_name` (no example has it);
 * - `licence-403`       a location whose licence ran out answers 403 "Необходимо продлить
 *                       лицензию" instead of 402 (see `SandboxControl.expireLicence`);
 * - `sparse-fields`     memberships without `type.freeze_limit_unit_id`, `type.balance_edit_type_id`,
 *                       `status.slug`, `expiration_date`, and by phone without `created_date` /
 *                       `activated_date` (fields no real example carries);
 * - `no-freeze-till`    membership reads without `freeze_till` (Altegio documents it only in the
 *                       freeze answer): a frozen membership says frozen, not until when;
 * - `utc-freeze-till`   `freeze_till` in UTC (`2026-05-17T04:59:59Z`) in membership reads and the
 *                       freeze answer: no document prints it, but nothing promises the location's
 *                       offset either, and west of Greenwich the last frozen day's 23:59:59 is the
 *                       next calendar day in UTC (issue 10: every path must judge it the same);
 * - `utc-expiration-date` `expiration_date` in UTC in membership reads: east of Greenwich a morning
 *                       expiry is the previous calendar day in UTC (the index's "expiring" filter).
 */
export const REAL_SHAPES = ['bare-auth', 'no-loyalty-flags', 'array-envelope', 'timezone-name', 'licence-403', 'sparse-fields', 'no-freeze-till', 'utc-freeze-till', 'utc-expiration-date'] as const;
export type RealShape = (typeof REAL_SHAPES)[number];

export function isRealShape(value: string): value is RealShape {
  return (REAL_SHAPES as readonly string[]).includes(value);
}

/** "a,b,c" or "all" → the shapes; throws on an unknown name. */
export function parseRealShapes(text: string): RealShape[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 1 && names[0] === 'all') return [...REAL_SHAPES];
  for (const name of names) {
    if (!isRealShape(name)) throw new Error(`Unknown shape ${JSON.stringify(name)}; known: ${REAL_SHAPES.join(', ')}, all`);
  }
  return [...new Set(names as RealShape[])];
}

/** The routes whose answers a shape changes (names given in server.ts's route table). */
export type ShapedRoute = 'auth' | 'groups' | 'companies' | 'company' | 'byPhone' | 'chainList' | 'freeze' | 'unfreeze' | 'setBalance' | 'other';

export interface ShapedReply {
  status: number;
  body?: unknown;
}

const LOYALTY_FLAGS = ['loyalty_abonement_period_edit_access', 'loyalty_abonement_balance_edit_access', 'loyalty_abonement_history_access'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function dataOf(body: unknown): unknown {
  return isRecord(body) ? body['data'] : undefined;
}

function eachItem(body: unknown, fn: (item: Record<string, unknown>) => void): void {
  const data = dataOf(body);
  const items = Array.isArray(data) ? data : isRecord(data) ? [data] : [];
  for (const item of items) if (isRecord(item)) fn(item);
}

function sparseMembership(m: Record<string, unknown>, byPhone: boolean): void {
  delete m['expiration_date'];
  if (byPhone) {
    delete m['created_date'];
    delete m['activated_date'];
  }
  if (isRecord(m['status'])) delete m['status']['slug'];
  if (isRecord(m['type'])) {
    delete m['type']['freeze_limit_unit_id'];
    delete m['type']['balance_edit_type_id'];
  }
}

/** The reply as the switched-on shapes have it (the argument is not changed). */
export function reshape(shapes: ReadonlySet<RealShape>, route: ShapedRoute, reply: ShapedReply): ShapedReply {
  if (shapes.size === 0 || reply.body === undefined) return reply;
  const body: unknown = structuredClone(reply.body);
  const ok = reply.status >= 200 && reply.status < 300;

  if (shapes.has('bare-auth') && route === 'auth' && ok) {
    const token = (dataOf(body) as { user_token?: unknown } | undefined)?.user_token;
    return { ...reply, body: { user_token: token } };
  }
  if (shapes.has('no-loyalty-flags') && route === 'groups' && ok) {
    eachItem(body, (group) => {
      if (isRecord(group['access'])) for (const flag of LOYALTY_FLAGS) delete group['access'][flag];
    });
  }
  if (shapes.has('timezone-name') && ok) {
    if (route === 'groups') {
      eachItem(body, (group) => {
        if (Array.isArray(group['companies'])) for (const c of group['companies']) if (isRecord(c)) delete c['timezone_name'];
      });
    }
    if (route === 'companies' || route === 'company') {
      eachItem(body, (c) => {
        c['timezone'] = c['timezone_name'];
        delete c['timezone_name'];
      });
    }
  }
  if (shapes.has('sparse-fields') && ok && (route === 'chainList' || route === 'byPhone')) {
    eachItem(body, (m) => sparseMembership(m, route === 'byPhone'));
  }
  if (shapes.has('no-freeze-till') && ok && (route === 'chainList' || route === 'byPhone')) {
    eachItem(body, (m) => delete m['freeze_till']);
  }
  if (shapes.has('utc-freeze-till') && ok && (route === 'chainList' || route === 'byPhone' || route === 'freeze')) {
    eachItem(body, (m) => {
      const till = m['freeze_till'];
      if (typeof till === 'string' && !Number.isNaN(Date.parse(till))) m['freeze_till'] = new Date(till).toISOString().replace(/\.\d{3}Z$/, 'Z');
    });
  }
  if (shapes.has('utc-expiration-date') && ok && (route === 'chainList' || route === 'byPhone')) {
    eachItem(body, (m) => {
      const at = m['expiration_date'];
      if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) m['expiration_date'] = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
    });
  }
  if (shapes.has('array-envelope')) {
    const wrapped = route === 'chainList' || route === 'freeze' || route === 'unfreeze' || (route === 'setBalance' && !ok);
    if (wrapped) return { ...reply, body: [body] };
  }
  return { ...reply, body };
}
