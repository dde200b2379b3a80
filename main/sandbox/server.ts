/**
 * An Altegio-compatible HTTP server (the subset in shared/api/ALTEGIO.md) over seeded data: the
 * backend of integration/e2e tests, the app's demo mode and the benchmark target. Plain node:http,
 * bound to 127.0.0.1 only. The rules live in rules.ts, the wire shapes in wire.ts, the data in seed.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DateTime } from 'luxon';
import { saleFilter } from './client-filters';
import { FaultInjector, type FaultDecision, type FaultRule } from './faults';
import { hasRight, phoneDigits, type MembershipRec, type SandboxState, type UserRec } from './model';
import { createRng } from './prng';
import { SlidingWindowLimiter, type RateLimit } from './rate-limit';
import { refusalOf, type FieldRefusal } from './refusals';
import * as rules from './rules';
import { reshape, type RealShape, type ShapedRoute } from './real-shapes';
import { buildState, type KnownIds } from './seed';
import { clientToWire, formatFreezeTill, locationToWire, membershipToWire, pickClientFields, typeToWire } from './wire';

export type { FaultRule, FaultKind } from './faults';
export type { FieldRefusal } from './refusals';
export type { KnownIds } from './seed';
export type { RateLimit } from './rate-limit';
export { REAL_SHAPES, type RealShape } from './real-shapes';

export interface SandboxOptions {
  /** 0 / undefined = random; always binds 127.0.0.1. */
  port?: number;
  /**
   * Default {5, 200} (the documented per-IP limit); null = no limit. One window shared by every
   * request whatever its tokens: the sandbox's clients are all on one loopback address, so this is
   * the per-IP limit several desks behind one office connection share (test/bench/shared-ip.ts).
   */
  rate?: RateLimit | null;
  /** Data seed, default 1. */
  seed?: number;
  /** Clock for rules and seeded dates (default real time). */
  now?: () => Date;
  /** N additional plain memberships for batch benchmarks (ids in knownIds.extra). */
  extraMemberships?: number;
  /** N memberships sold over three years at chain Northside (ids in knownIds.largeChain): the large chain. */
  chainMemberships?: number;
  /** Send Retry-After on 429 (real Altegio documents none). */
  retryAfterHeader?: boolean;
  /** Answer in these documented shapes (real-shapes.ts); none by default. */
  realShapes?: readonly RealShape[];
}

export type WriteAction = 'freeze' | 'unfreeze' | 'set_balance' | 'set_period';

export interface SandboxStats {
  requests: number;
  rejected429: number;
  faultsInjected: number;
  /** Successful writes per membership id (freeze + unfreeze + set_balance). */
  writes: Record<number, number>;
  writesByAction: Record<WriteAction, number>;
  /** Every successful write in order, with the body as received. */
  writeLog: Array<{ action: WriteAction; membershipId: number; body: unknown }>;
  /** The last REQUEST_LOG_SIZE requests as they arrived (429s included), e.g. "GET /api/loyalty/abonements?…". */
  requestLog: string[];
}

const REQUEST_LOG_SIZE = 10_000;

export interface SandboxControl {
  /** Simulates a password change elsewhere: the user's (or every user's) old token gets 401. */
  invalidateUserTokens(login?: string): void;
  /** Replaces the fault rules (faults.ts); requests a 'hold' kept waiting go on. */
  setFaults(rules: FaultRule[], seed?: number): void;
  /** Ends every fault; requests a 'hold' kept waiting go on. */
  clearFaults(): void;
  /** Lets the requests a 'hold' fault keeps waiting go on (the rule stays: later ones wait again); answers how many. */
  release(): number;
  /** How many requests a 'hold' fault keeps waiting now (a test waits for one to arrive). */
  held(): number;
  setRate(rate: RateLimit | null): void;
  stats(): SandboxStats;
  resetStats(): void;
  /** The membership as GET /chain/{id}/loyalty/abonements returns it. Throws for an unknown id. */
  getMembership(id: number): Record<string, unknown>;
  /**
   * Changes a balance out of band (someone else's edit), bypassing rights, the type's edit ban and
   * stats. Takes the wire body or the domain shape ({united} / {services: [{serviceId, balance}]}).
   * Throws if refused.
   */
  setBalanceDirect(id: number, body: DirectBalanceBody): void;
  /** Switches the documented answer shapes (real-shapes.ts); replaces the set in force. */
  setRealShapes(shapes: readonly RealShape[]): void;
  /**
   * The location's licence has run out (null: none has): its client and membership reads answer
   * 402 "Renew the licence…", or 403 "Необходимо продлить лицензию" with the `licence-403` shape.
   */
  expireLicence(locationId: number | null): void;
  /** A server that does not take the client search's `sale` filter: it answers 400 (the app falls back). */
  rejectSaleFilter(reject: boolean): void;
  /** Writes these rules refuse answer 422 with a field error keyed as Altegio keys it (refusals.ts); replaces the set, [] ends them. */
  refuseWrites(rules: readonly FieldRefusal[]): void;
  readonly knownIds: KnownIds;
}

export type DirectBalanceBody =
  | { united_balance_services_count?: number; services_balance_count?: Array<{ service_id: number; balance: number }> }
  | { united?: number; services?: Array<{ serviceId: number; balance: number }> };

export interface SandboxUser {
  id: number;
  login: string;
  email: string;
  password: string;
  name: string;
}

export interface Sandbox {
  /** Base URL including /api, e.g. http://127.0.0.1:41234/api (clients append /v1/...). */
  url: string;
  partnerToken: string;
  /** Main user (full rights on both chains). */
  login: string;
  password: string;
  /** [0] owner (full rights), [1] front desk (no balance edits at Northside), [2] trainee (no freeze, no balance edits). */
  users: SandboxUser[];
  control: SandboxControl;
  close(): Promise<void>;
}

const ACCEPT = 'application/vnd.api.v2+json';
const MAX_BODY_BYTES = 1_000_000;

type Json = Record<string, unknown> | unknown[] | null;

interface Reply {
  status: number;
  /** undefined = no body at all (the set_balance quirk). */
  body?: Json;
  headers?: Record<string, string>;
}

interface RequestContext {
  user: UserRec | null;
  query: URLSearchParams;
  body: Record<string, unknown>;
  params: string[];
}

type AuthLevel = 'partner' | 'user' | 'partner_or_user';

interface Route {
  /** Which answers the documented shapes change (real-shapes.ts). */
  name?: ShapedRoute;
  method: 'GET' | 'POST';
  pattern: RegExp;
  auth: AuthLevel;
  handle(ctx: RequestContext): Reply;
}

const ok = (data: unknown, meta: unknown = [], status = 200): Reply => ({ status, body: { success: true, data, meta } });
const fail = (status: number, message: string, errors?: Record<string, string[]>): Reply => ({
  status,
  body: { success: false, data: null, meta: errors ? { message, errors } : { message } },
});

function intParam(value: string | null | undefined): number | null {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return null;
  return Number(value);
}

/** `abonements_ids[]=1&abonements_ids[]=2`, `abonements_ids[0]=1`, `abonements_ids=1,2` all work. */
function idList(query: URLSearchParams, name: string): number[] | null {
  const ids: number[] = [];
  let present = false;
  for (const [key, value] of query) {
    if (key === name || key === `${name}[]` || new RegExp(`^${name}\\[\\d+\\]$`).test(key)) {
      present = true;
      for (const part of value.split(',')) {
        const id = intParam(part);
        if (id !== null) ids.push(id);
      }
    }
  }
  return present ? ids : null;
}

function parseFilterDate(value: string | null, zone: string, endOfDay: boolean): DateTime | null | 'invalid' {
  if (!value) return null;
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }) : DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid) return 'invalid';
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && endOfDay ? parsed.endOf('day') : parsed;
}

function pageParams(query: URLSearchParams, sizeName: string, defaultSize: number, maxSize: number): { page: number; size: number } | Reply {
  const page = query.has('page') ? intParam(query.get('page')) : 1;
  const size = query.has(sizeName) ? intParam(query.get(sizeName)) : defaultSize;
  if (page === null || page < 1) return fail(400, 'An error occurred', { '[page]': ['The page must be an integer of at least 1.'] });
  if (size === null || size < 1 || size > maxSize) return fail(400, 'An error occurred', { [`[${sizeName}]`]: [`The ${sizeName} must be between 1 and ${maxSize}.`] });
  return { page, size };
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

class SandboxApp {
  readonly limiter: SlidingWindowLimiter;
  readonly faults = new FaultInjector();
  private readonly tokenRng;
  readonly state: SandboxState;
  readonly knownIds: KnownIds;
  statsData: SandboxStats = SandboxApp.emptyStats();
  realShapes = new Set<RealShape>();
  /** Locations whose licence has run out. */
  readonly expiredLicences = new Set<number>();
  /** The client search refuses the `sale` filter (control.rejectSaleFilter). */
  rejectSale = false;
  /** Field-level refusals for reasons the rules do not model (control.refuseWrites). */
  refusals: readonly FieldRefusal[] = [];
  /**
   * A chain's memberships by id with their creation instants (ms), for the chain list: built once
   * (memberships are only added while seeding; a size change rebuilds it). Filtering 20,000 luxon
   * DateTimes per page was most of the sandbox's time per page of the large chain.
   */
  private chainRows = new Map<number, { size: number; recs: MembershipRec[]; created: Float64Array }>();

  private chainIndex(chainId: number): { recs: MembershipRec[]; created: Float64Array } {
    const size = this.state.memberships.size;
    const cached = this.chainRows.get(chainId);
    if (cached?.size === size) return cached;
    const recs = [...this.state.memberships.values()].filter((m) => m.chainId === chainId).sort((a, b) => a.id - b.id);
    const built = { size, recs, created: Float64Array.from(recs, (m) => m.created.toMillis()) };
    this.chainRows.set(chainId, built);
    return built;
  }

  constructor(
    readonly options: { seed: number; now: () => Date; rate: RateLimit | null; extraMemberships: number; chainMemberships: number; retryAfterHeader: boolean },
  ) {
    this.tokenRng = createRng(options.seed * 104_729 + 3);
    const built = buildState({ seed: options.seed, now: options.now(), extraMemberships: options.extraMemberships, chainMemberships: options.chainMemberships, newToken: () => this.newToken() });
    this.state = built.state;
    this.knownIds = built.knownIds;
    this.limiter = new SlidingWindowLimiter(options.rate);
  }

  static emptyStats(): SandboxStats {
    return { requests: 0, rejected429: 0, faultsInjected: 0, writes: {}, writesByAction: { freeze: 0, unfreeze: 0, set_balance: 0, set_period: 0 }, writeLog: [], requestLog: [] };
  }

  newToken(): string {
    return this.tokenRng.hex(32);
  }

  now(): Date {
    return this.options.now();
  }

  recordWrite(action: WriteAction, membershipId: number, body: unknown): void {
    this.statsData.writes[membershipId] = (this.statsData.writes[membershipId] ?? 0) + 1;
    this.statsData.writesByAction[action] += 1;
    this.statsData.writeLog.push({ action, membershipId, body });
  }

  // -----------------------------------------------------------------------------------------------
  // Routes

  readonly routes: Route[] = [
    { name: 'auth', method: 'POST', pattern: /^\/auth$/, auth: 'partner', handle: (ctx) => this.auth(ctx) },
    { name: 'groups', method: 'GET', pattern: /^\/groups$/, auth: 'user', handle: (ctx) => this.groups(ctx) },
    { name: 'companies', method: 'GET', pattern: /^\/companies$/, auth: 'partner_or_user', handle: (ctx) => this.companies(ctx) },
    { name: 'company', method: 'GET', pattern: /^\/company\/(\d+)$/, auth: 'partner', handle: (ctx) => this.company(ctx) },
    { method: 'POST', pattern: /^\/company\/(\d+)\/clients\/search$/, auth: 'user', handle: (ctx) => this.searchClients(ctx) },
    { method: 'GET', pattern: /^\/client\/(\d+)\/(\d+)$/, auth: 'user', handle: (ctx) => this.client(ctx) },
    { name: 'byPhone', method: 'GET', pattern: /^\/loyalty\/abonements$/, auth: 'user', handle: (ctx) => this.membershipsByPhone(ctx) },
    { name: 'chainList', method: 'GET', pattern: /^\/chains?\/(\d+)\/loyalty\/abonements$/, auth: 'user', handle: (ctx) => this.chainMemberships(ctx) },
    { method: 'GET', pattern: /^\/chains?\/(\d+)\/loyalty\/abonement_types$/, auth: 'user', handle: (ctx) => this.types(ctx) },
    { method: 'GET', pattern: /^\/chains?\/(\d+)\/loyalty\/abonement_types\/(\d+)$/, auth: 'user', handle: (ctx) => this.type(ctx) },
    { name: 'freeze', method: 'POST', pattern: /^\/chains?\/(\d+)\/loyalty\/abonements\/(\d+)\/freeze$/, auth: 'user', handle: (ctx) => this.freeze(ctx) },
    { name: 'unfreeze', method: 'POST', pattern: /^\/chains?\/(\d+)\/loyalty\/abonements\/(\d+)\/unfreeze$/, auth: 'user', handle: (ctx) => this.unfreeze(ctx) },
    { name: 'setBalance', method: 'POST', pattern: /^\/chains?\/(\d+)\/loyalty\/abonements\/(\d+)\/set_balance$/, auth: 'user', handle: (ctx) => this.setBalance(ctx) },
    { method: 'POST', pattern: /^\/chains?\/(\d+)\/loyalty\/abonements\/(\d+)\/set_period$/, auth: 'user', handle: (ctx) => this.setPeriod(ctx) },
  ];

  private auth(ctx: RequestContext): Reply {
    const login = typeof ctx.body.login === 'string' ? ctx.body.login.trim() : '';
    const password = typeof ctx.body.password === 'string' ? ctx.body.password : '';
    const errors: Record<string, string[]> = {};
    if (!login) errors['[login]'] = ['The login field is required.'];
    if (!password) errors['[password]'] = ['The password field is required.'];
    if (Object.keys(errors).length > 0) return fail(422, 'An error occurred', errors);
    const user = this.findUser(login);
    if (!user || user.password !== password) return fail(401, 'Incorrect login or password');
    return ok(
      {
        id: user.id,
        user_token: user.token,
        name: user.name,
        phone: user.login,
        login: user.email.split('@')[0],
        email: user.email,
        avatar: `https://assets.alteg.io/general/0/01/avatar_${user.id}.png`,
        is_approved: true,
        is_email_confirmed: true,
      },
      [],
      201,
    );
  }

  findUser(login: string): UserRec | undefined {
    if (login.includes('@')) return this.state.users.find((u) => u.email.toLowerCase() === login.toLowerCase());
    const digits = phoneDigits(login);
    return digits.length > 0 ? this.state.users.find((u) => phoneDigits(u.login) === digits) : undefined;
  }

  private offsetHours(zone: string): number {
    return DateTime.fromJSDate(this.now()).setZone(zone).offset / 60;
  }

  private groups(ctx: RequestContext): Reply {
    const user = ctx.user as UserRec;
    const data = this.state.chains
      .filter((chain) => user.access.has(chain.id))
      .map((chain) => ({
        id: chain.id,
        title: chain.title,
        companies: chain.locationIds.map((id) => {
          const location = this.state.locations.get(id);
          // The second chain sends its location ids as strings (doc samples are loose).
          const wireId = chain.id === this.knownIds.chains.lotus ? String(id) : id;
          return location?.timezoneInGroups
            ? { id: wireId, title: location.title, timezone_name: location.timezoneName }
            : { id: wireId, title: location?.title ?? '' };
        }),
        access: user.access.get(chain.id),
      }));
    return ok(data);
  }

  private companies(ctx: RequestContext): Reply {
    const my = ctx.query.get('my') === '1';
    if (my && !ctx.user) return fail(401, 'Authentication needed.');
    const groupId = intParam(ctx.query.get('group_id'));
    const id = intParam(ctx.query.get('id'));
    const data = [...this.state.locations.values()]
      .filter((l) => !my || (ctx.user?.access.has(l.chainId) ?? false))
      .filter((l) => groupId === null || l.chainId === groupId)
      .filter((l) => id === null || l.id === id)
      .map((l) => locationToWire(l, this.offsetHours(l.timezoneName)));
    return ok(data);
  }

  private company(ctx: RequestContext): Reply {
    const location = this.state.locations.get(Number(ctx.params[0]));
    if (!location) return fail(404, 'Location not found');
    return ok(locationToWire(location, this.offsetHours(location.timezoneName)));
  }

  /** The location, if it exists and the user works in its chain. */
  private userLocation(user: UserRec, locationId: number | null): { chainId: number; id: number; zone: string } | Reply {
    if (locationId === null) return fail(404, 'Location not specified.');
    const location = this.state.locations.get(locationId);
    if (!location) return fail(404, 'Location not found');
    if (!user.access.has(location.chainId)) return fail(403, 'Access denied.');
    if (this.expiredLicences.has(location.id)) {
      return this.realShapes.has('licence-403') ? fail(403, 'Необходимо продлить лицензию') : fail(402, `Renew the licence for branch ${location.id}`);
    }
    return { chainId: location.chainId, id: location.id, zone: location.timezoneName };
  }

  private searchClients(ctx: RequestContext): Reply {
    const location = this.userLocation(ctx.user as UserRec, Number(ctx.params[0]));
    if (isReply(location)) return location;
    const body = ctx.body;
    const page = body.page === undefined ? 1 : Number(body.page);
    const pageSize = body.page_size === undefined ? 25 : Number(body.page_size);
    if (!Number.isInteger(page) || page < 1) return fail(400, 'An error occurred', { '[page]': ['The page must be an integer of at least 1.'] });
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) return fail(400, 'An error occurred', { '[page_size]': ['The page size must be between 1 and 200.'] });
    const fields = Array.isArray(body.fields) ? body.fields.filter((f): f is string => typeof f === 'string') : null;
    const filters = body.filters === undefined ? [] : body.filters;
    if (!Array.isArray(filters)) return fail(400, 'An error occurred', { filters: ['The filters must be an array.'] });

    let clients = [...this.state.clients.values()].filter((c) => c.locationId === location.id);
    for (const raw of filters) {
      const filter = (typeof raw === 'object' && raw !== null ? raw : {}) as { type?: unknown; state?: { value?: unknown } };
      if (filter.type === 'quick_search') {
        const value = typeof filter.state?.value === 'string' ? filter.state.value.trim().toLowerCase() : '';
        if (!value) continue;
        const digits = phoneDigits(value);
        // A query made of phone characters matches on digits, whatever the stored formatting.
        const phoneLike = /^[\d\s()+-]+$/.test(value) && digits.length >= 3;
        clients = clients.filter(
          (c) =>
            c.name.toLowerCase().includes(value) ||
            (c.card ?? '').toLowerCase().includes(value) ||
            (phoneLike && c.phone !== null && phoneDigits(c.phone).includes(digits)),
        );
      } else if (filter.type === 'id') {
        const ids = Array.isArray(filter.state?.value) ? filter.state.value.map(Number) : [];
        clients = clients.filter((c) => ids.includes(c.id));
      } else if (filter.type === 'sale' && !this.rejectSale) {
        const kept = saleFilter(this.state, clients, filter.state);
        if (typeof kept === 'string') return fail(400, 'An error occurred', { filters: [kept] });
        clients = kept;
      } else {
        return fail(400, 'An error occurred', { filters: [`Filter type ${JSON.stringify(filter.type)} is not supported by the sandbox.`] });
      }
    }
    const direction = String(body.order_by_direction ?? 'ASC').toUpperCase() === 'DESC' ? -1 : 1;
    if (body.order_by === 'name') clients.sort((a, b) => direction * a.name.localeCompare(b.name) || a.id - b.id);
    else clients.sort((a, b) => direction * (a.id - b.id));
    const total = clients.length;
    const pageItems = clients.slice((page - 1) * pageSize, page * pageSize).map((c) => pickClientFields(c, fields));
    return ok(pageItems, { total_count: total });
  }

  private client(ctx: RequestContext): Reply {
    const location = this.userLocation(ctx.user as UserRec, Number(ctx.params[0]));
    if (isReply(location)) return location;
    const client = this.state.clients.get(Number(ctx.params[1]));
    if (!client || client.locationId !== location.id) return fail(404, 'Client not found');
    return ok(clientToWire(client));
  }

  private membershipsByPhone(ctx: RequestContext): Reply {
    const rawLocation = ctx.query.get('company_id') ?? ctx.query.get('location_id') ?? ctx.query.get('salon_id');
    const rawPhone = ctx.query.get('phone');
    const errors: Record<string, string[]> = {};
    if (!rawLocation) errors.company_id = ['The company id field is required.'];
    if (!rawPhone || phoneDigits(rawPhone).length === 0) errors.phone = ['The phone field is required.'];
    if (Object.keys(errors).length > 0) return fail(400, 'An error occurred', errors);
    const location = this.userLocation(ctx.user as UserRec, intParam(rawLocation));
    if (isReply(location)) return location;
    // Digits only on the wire; a leading "+" (or spaces) is tolerated.
    const digits = phoneDigits(rawPhone ?? '');
    const data = [...this.state.memberships.values()]
      .filter((m) => m.chainId === location.chainId && (m.statusId === 1 || m.statusId === 2))
      .filter((m) => {
        const phone = this.state.clients.get(m.clientId)?.phone;
        return phone !== null && phone !== undefined && phoneDigits(phone) === digits;
      })
      .sort((a, b) => a.id - b.id)
      .map((m) => membershipToWire(this.state, m, this.now(), 'phone'));
    return ok(data, { count: data.length });
  }

  /** The chain, if it exists and the user belongs to it. */
  private userChain(user: UserRec, chainId: number): { id: number; zone: string } | Reply {
    const chain = this.state.chains.find((c) => c.id === chainId);
    if (!chain) return fail(404, 'Chain not found');
    if (!user.access.has(chain.id)) return fail(403, 'Access denied.');
    const first = this.state.locations.get(chain.locationIds[0] ?? 0);
    return { id: chain.id, zone: first?.timezoneName ?? 'UTC' };
  }

  private chainMemberships(ctx: RequestContext): Reply {
    const chain = this.userChain(ctx.user as UserRec, Number(ctx.params[0]));
    if (isReply(chain)) return chain;
    const paging = pageParams(ctx.query, 'count', 25, 200);
    if (isReply(paging)) return paging;
    const ids = idList(ctx.query, 'abonements_ids');
    const after = parseFilterDate(ctx.query.get('created_after'), chain.zone, false);
    const before = parseFilterDate(ctx.query.get('created_before'), chain.zone, true);
    if (after === 'invalid' || before === 'invalid') return fail(400, 'An error occurred', { '[created_after]': ['Dates must be YYYY-MM-DD or ISO 8601.'] });
    const from = after ? after.toMillis() : Number.NEGATIVE_INFINITY;
    const to = before ? before.toMillis() : Number.POSITIVE_INFINITY;
    let list: MembershipRec[];
    if (ids !== null) {
      const wanted = new Set(ids);
      list = [...wanted]
        .map((id) => this.state.memberships.get(id))
        .filter((m): m is MembershipRec => m !== undefined && m.chainId === chain.id && m.created.toMillis() >= from && m.created.toMillis() <= to)
        .sort((a, b) => a.id - b.id);
    } else {
      const { recs, created } = this.chainIndex(chain.id);
      list = [];
      for (let i = 0; i < recs.length; i++) {
        const at = created[i] as number;
        if (at >= from && at <= to) list.push(recs[i] as MembershipRec);
      }
    }
    const { page, size } = paging;
    const data = list.slice((page - 1) * size, page * size).map((m) => membershipToWire(this.state, m, this.now(), 'chain'));
    return ok(data, { count: list.length });
  }

  private types(ctx: RequestContext): Reply {
    const chain = this.userChain(ctx.user as UserRec, Number(ctx.params[0]));
    if (isReply(chain)) return chain;
    const paging = pageParams(ctx.query, 'limit', 25, 100);
    if (isReply(paging)) return paging;
    const title = (ctx.query.get('title') ?? '').trim().toLowerCase();
    const archived = ctx.query.get('is_archived');
    const list = [...this.state.types.values()]
      .filter((t) => t.chainId === chain.id)
      .filter((t) => !title || t.title.toLowerCase().includes(title))
      .filter((t) => archived === null || archived === '' || t.isArchived === (archived === '1'));
    const { page, size } = paging;
    return ok(list.slice((page - 1) * size, page * size).map((t) => typeToWire(this.state, t)), { total_count: list.length });
  }

  private type(ctx: RequestContext): Reply {
    const chain = this.userChain(ctx.user as UserRec, Number(ctx.params[0]));
    if (isReply(chain)) return chain;
    const type = this.state.types.get(Number(ctx.params[1]));
    if (!type || type.chainId !== chain.id) return fail(404, 'Subscription type not found');
    return ok(typeToWire(this.state, type));
  }

  /** Common checks of the three write actions: chain, right, membership. */
  private writeTarget(ctx: RequestContext, right: string): MembershipRec | Reply {
    const user = ctx.user as UserRec;
    const chain = this.userChain(user, Number(ctx.params[0]));
    if (isReply(chain)) return chain;
    if (!hasRight(user.access.get(chain.id), right)) return fail(403, 'Access denied.');
    const membership = this.state.memberships.get(Number(ctx.params[1]));
    if (!membership || membership.chainId !== chain.id) return fail(404, 'Subscription not found');
    return membership;
  }

  /** A refusal control.refuseWrites asked for, as Altegio words it; null to go on. */
  private refused(action: WriteAction, m: MembershipRec, ctx: RequestContext): Reply | null {
    const r = refusalOf(this.refusals, action, m.id, ctx.body);
    return r === null ? null : fail(r.status, r.message, r.errors);
  }

  private freeze(ctx: RequestContext): Reply {
    const m = this.writeTarget(ctx, 'loyalty_abonement_period_edit_access');
    if (isReply(m)) return m;
    const refused = this.refused('freeze', m, ctx);
    if (refused) return refused;
    const outcome = rules.freeze(this.state, m, ctx.body, this.now());
    if (!outcome.ok) return fail(outcome.status, outcome.message, outcome.errors);
    this.recordWrite('freeze', m.id, ctx.body);
    const zone = rules.zoneOf(this.state, m);
    return ok({ id: m.id, number: m.number, is_frozen: true, freeze_period: m.freezePeriod, freeze_till: formatFreezeTill(m.freezeTill, zone) });
  }

  private unfreeze(ctx: RequestContext): Reply {
    const m = this.writeTarget(ctx, 'loyalty_abonement_period_edit_access');
    if (isReply(m)) return m;
    const refused = this.refused('unfreeze', m, ctx);
    if (refused) return refused;
    const outcome = rules.unfreeze(this.state, m, this.now());
    if (!outcome.ok) return fail(outcome.status, outcome.message, outcome.errors);
    this.recordWrite('unfreeze', m.id, ctx.body);
    return ok({ id: m.id, number: m.number, is_frozen: false, freeze_period: m.freezePeriod });
  }

  private setBalance(ctx: RequestContext): Reply {
    const m = this.writeTarget(ctx, 'loyalty_abonement_balance_edit_access');
    if (isReply(m)) return m;
    const refused = this.refused('set_balance', m, ctx);
    if (refused) return refused;
    rules.refresh(this.state, m, this.now());
    const outcome = rules.setBalance(this.state, m, ctx.body);
    if (!outcome.ok) return fail(outcome.status, outcome.message, outcome.errors);
    this.recordWrite('set_balance', m.id, ctx.body);
    // ALTEGIO.md §4.6: the call answers 200 with no body; clients must re-read.
    return { status: 200 };
  }

  private setPeriod(ctx: RequestContext): Reply {
    const m = this.writeTarget(ctx, 'loyalty_abonement_period_edit_access');
    if (isReply(m)) return m;
    const refused = this.refused('set_period', m, ctx);
    if (refused) return refused;
    const outcome = rules.setPeriod(this.state, m, ctx.body, this.now());
    if (!outcome.ok) return fail(outcome.status, outcome.message, outcome.errors);
    this.recordWrite('set_period', m.id, ctx.body);
    const wire = membershipToWire(this.state, m, this.now(), 'chain');
    return ok({ id: m.id, period: wire.period, period_unit_id: wire.period_unit_id, expiration_date: wire.expiration_date });
  }

  // -----------------------------------------------------------------------------------------------
  // Request pipeline: count → rate limit → faults (before) → headers/auth → route → faults (after)

  private authenticate(header: string | undefined, level: AuthLevel): UserRec | null | Reply {
    const match = /^\s*Bearer\s+([^,\s]+)\s*(?:,\s*User\s+([^,\s]+)\s*)?$/i.exec(header ?? '');
    if (!match) return fail(401, 'Authentication needed.');
    if (match[1] !== this.state.partnerToken) return fail(401, 'Partner token is invalid.');
    const userToken = match[2];
    if (level === 'partner') return null;
    if (!userToken) return level === 'partner_or_user' ? null : fail(401, 'Authentication needed.');
    const user = this.state.users.find((u) => u.token === userToken);
    // A stale user token must not break partner-level calls such as plain /companies.
    if (!user) return level === 'partner_or_user' ? null : fail(401, 'Authentication needed.');
    return user;
  }

  process(method: string, pathname: string, query: URLSearchParams, headers: IncomingMessage['headers'], rawBody: string): Reply {
    const accept = String(headers.accept ?? '').toLowerCase();
    if (!accept.includes(ACCEPT)) return fail(400, `Unsupported Accept header: send "Accept: ${ACCEPT}".`);
    const path = pathname.replace(/\/+$/, '').replace(/^\/api\/v1/, '');
    if (!pathname.startsWith('/api/v1/')) return fail(404, 'Route not found');
    const candidates = this.routes.filter((r) => r.pattern.test(path));
    const route = candidates.find((r) => r.method === method);
    if (!route) return candidates.length > 0 ? fail(405, 'Method not allowed') : fail(404, 'Route not found');
    const user = this.authenticate(headers.authorization, route.auth);
    if (isReply(user)) return user;
    let body: Record<string, unknown> = {};
    if (method === 'POST' && rawBody.trim() !== '') {
      const type = String(headers['content-type'] ?? '');
      if (type.includes('application/x-www-form-urlencoded')) {
        body = Object.fromEntries(new URLSearchParams(rawBody));
      } else {
        try {
          const parsed: unknown = JSON.parse(rawBody);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(400, 'The request body must be a JSON object.');
          body = parsed as Record<string, unknown>;
        } catch {
          return fail(400, 'The request body is not valid JSON.');
        }
      }
    }
    const params = (route.pattern.exec(path) ?? []).slice(1);
    const reply = route.handle({ user, query, body, params });
    if (this.realShapes.size === 0 || !route.name) return reply;
    return { ...reply, ...(reshape(this.realShapes, route.name, reply) as { status: number; body?: Json }) };
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '0', ...reply.headers });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...reply.headers,
  });
  res.end(text);
}

function sendRaw(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

const PROXY_PAGE = (status: number, title: string): string =>
  `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

function tooManyRequests(retryAfterMs: number | null): Reply {
  const reply = fail(429, 'Too many requests');
  if (retryAfterMs !== null) reply.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  return reply;
}

/** Answers with the injected fault instead of the real reply. */
function sendFault(res: ServerResponse, kind: NonNullable<FaultDecision['fault']>['kind'], retryAfter: boolean): void {
  switch (kind) {
    case 'drop':
      res.socket?.destroy();
      return;
    case 'http500':
      send(res, fail(500, 'Internal server error'));
      return;
    case 'http502':
      sendRaw(res, 502, 'text/html', PROXY_PAGE(502, 'Bad Gateway'));
      return;
    case 'http503':
      sendRaw(res, 503, 'text/html', PROXY_PAGE(503, 'Service Temporarily Unavailable'));
      return;
    case 'malformed':
      sendRaw(res, 200, 'application/json; charset=utf-8', '{"success":true,"data":{"id":');
      return;
    case 'html':
      // A captive portal or proxy answering 200 with a web page.
      sendRaw(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>Sign in to Wi-Fi</title></head><body><h1>Please sign in</h1></body></html>');
      return;
    case 'empty':
      sendRaw(res, 200, 'application/json; charset=utf-8', '');
      return;
    case '429':
      send(res, tooManyRequests(retryAfter ? 1000 : null));
      return;
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const extra = options.extraMemberships ?? 0;
  if (!Number.isInteger(extra) || extra < 0) throw new Error('extraMemberships must be a non-negative integer');
  const large = options.chainMemberships ?? 0;
  if (!Number.isInteger(large) || large < 0) throw new Error('chainMemberships must be a non-negative integer');
  const rate = options.rate === undefined ? { perSecond: 5, perMinute: 200 } : options.rate;
  const app = new SandboxApp({
    seed: options.seed ?? 1,
    now: options.now ?? (() => new Date()),
    rate,
    extraMemberships: extra,
    chainMemberships: large,
    retryAfterHeader: options.retryAfterHeader ?? false,
  });
  app.realShapes = new Set(options.realShapes ?? []);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    app.statsData.requests += 1;
    const log = app.statsData.requestLog;
    log.push(`${(req.method ?? 'GET').toUpperCase()} ${req.url ?? '/'}`);
    if (log.length > REQUEST_LOG_SIZE) log.splice(0, log.length - REQUEST_LOG_SIZE);
    const rawBody = await readBody(req);
    const decision = app.limiter.tryAcquire();
    if (!decision.ok) {
      app.statsData.rejected429 += 1;
      send(res, tooManyRequests(app.options.retryAfterHeader ? decision.retryAfterMs : null));
      return;
    }
    if (rawBody === null) {
      send(res, fail(413, 'The request body is too large.'));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const faults = app.faults.decide(`${method} ${url.pathname}`);
    if (!(await app.faults.wait(faults.before))) {
      res.destroy();
      return;
    }
    if (faults.fault?.when === 'before') {
      app.statsData.faultsInjected += 1;
      sendFault(res, faults.fault.kind, app.options.retryAfterHeader);
      return;
    }
    const reply = app.process(method, url.pathname, url.searchParams, req.headers, rawBody);
    if (!(await app.faults.wait(faults.after))) {
      res.destroy();
      return;
    }
    if (faults.fault?.when === 'after') {
      app.statsData.faultsInjected += 1;
      sendFault(res, faults.fault.kind, app.options.retryAfterHeader);
      return;
    }
    send(res, reply);
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, fail(500, 'Internal server error'));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const owner = app.state.users[0];
  if (!owner) throw new Error('sandbox has no users');

  const control: SandboxControl = {
    invalidateUserTokens(login?: string) {
      const targets = login === undefined ? app.state.users : app.state.users.filter((u) => u === app.findUser(login) || u.login === login);
      if (targets.length === 0) throw new Error(`No sandbox user with login ${login}`);
      for (const user of targets) user.token = app.newToken();
    },
    setFaults(faultRules, seed) {
      app.faults.set(faultRules, seed);
    },
    clearFaults() {
      app.faults.clear();
    },
    release: () => app.faults.release(),
    held: () => app.faults.held(),
    setRate(next) {
      app.limiter.setLimit(next);
    },
    stats() {
      const s = app.statsData;
      return { ...s, writes: { ...s.writes }, writesByAction: { ...s.writesByAction }, writeLog: [...s.writeLog], requestLog: [...s.requestLog] };
    },
    resetStats() {
      app.statsData = SandboxApp.emptyStats();
    },
    getMembership(id) {
      const m = app.state.memberships.get(id);
      if (!m) throw new Error(`No sandbox membership ${id}`);
      return membershipToWire(app.state, m, app.now(), 'chain');
    },
    setBalanceDirect(id, body) {
      const m = app.state.memberships.get(id);
      if (!m) throw new Error(`No sandbox membership ${id}`);
      const wire: Record<string, unknown> =
        'united' in body || 'services' in body
          ? {
              united_balance_services_count: body.united,
              services_balance_count: body.services?.map((s) => ({ service_id: s.serviceId, balance: s.balance })),
            }
          : body;
      const outcome = rules.setBalance(app.state, m, wire, false);
      if (!outcome.ok) throw new Error(`setBalanceDirect refused: ${outcome.message}`);
    },
    setRealShapes(shapes) {
      app.realShapes = new Set(shapes);
    },
    expireLicence(locationId) {
      app.expiredLicences.clear();
      if (locationId !== null) {
        if (!app.state.locations.has(locationId)) throw new Error(`No sandbox location ${locationId}`);
        app.expiredLicences.add(locationId);
      }
    },
    rejectSaleFilter(reject) {
      app.rejectSale = reject;
    },
    refuseWrites(next) {
      app.refusals = [...next];
    },
    knownIds: app.knownIds,
  };

  return {
    url: `http://127.0.0.1:${port}/api`,
    partnerToken: app.state.partnerToken,
    login: owner.login,
    password: owner.password,
    users: app.state.users.map((u) => ({ id: u.id, login: u.login, email: u.email, password: u.password, name: u.name })),
    control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Held requests end unanswered: a close never waits on a hold nobody releases.
        app.faults.close();
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
