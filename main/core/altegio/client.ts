/**
 * The Altegio client (ALTEGIO.md; DESIGN.md §5). ky for HTTP, lenient zod parsing (wire.ts →
 * mapping.ts), every attempt paced by the one shared RateLimiter, every failure a DeskFailure
 * (failures.ts holds the mapping table).
 *
 * Retry policy (attempts = total tries, default 4; backoff = full-jitter-ish exponential between
 * baseMs and maxMs, i.e. a random delay in [d/2, d] with d = min(maxMs, baseMs·2^(n-1))):
 * - reads (GET, clients/search): retry on 429, 5xx, unreadable answers and network errors/timeouts;
 * - writes (freeze, unfreeze, set_balance) and POST /auth: retried only on 429 (the request was not
 *   processed). Any other failure is thrown as it is: whether a write landed is never judged here —
 *   the runner (main/core/jobs/) re-reads the membership and its op kind (main/core/ops/) decides.
 * On 429 the limiter is penalized (pausing every caller, honouring Retry-After) and the retry
 * simply waits in the limiter's queue. No Authorization header, token or password ever reaches an
 * error message or a log line.
 */
import ky from 'ky';
import type { ClientSummary, Membership } from '../../../preload/contract';
import { DeskFailure, isDeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import { phoneOrRefuse } from '../phone';
import { silentLogger, type Logger } from '../log';
import type { ConnectivityReport } from '../connectivity';
import { IDS_PAGE_SIZE, type AltegioApi, type AuthResult, type Credentials, type ReadOptions, type SetPeriodBody, type WriteOptions } from './api';
import { AUTH_FIELDS, balanceFields, FREEZE_FIELDS, PERIOD_FIELDS, type FieldKeyMap } from './field-keys';
import { answered, failureCode, failureFromHttp, notConfigured, offlineFailure, parseRetryAfter } from './failures';
import { chainsFromWire, decodeAuth, decodeClient, decodeClientSearch, decodeCompanies, decodeGroups, decodeMemberships, decodeMembershipsPaced, needsCompanyTimezones } from './mapping';
import type { Lane, RateLimiter } from './rate-limiter';
import { dataList, parseEnvelope, unreadable } from './wire';

export const ACCEPT = 'application/vnd.api.v2+json';
/** Per-attempt timeout for a call that starts while the app already knows it is offline. */
export const OFFLINE_TIMEOUT_MS = 5000;
/** How many id pages may be in flight at once (the limiter paces them anyway). */
const IDS_CONCURRENCY = 4;
/** Items decoded between two turns of the event loop for a background page (see membershipsCreated). */
const DECODE_SLICE = 25;

export interface RetryPolicy {
  /** Total attempts including the first. Default 4. */
  attempts: number;
  /** Default 500 ms. */
  baseMs: number;
  /** Default 8000 ms. */
  maxMs: number;
}

export interface AltegioClientDeps {
  credentials: () => Credentials;
  limiter: RateLimiter;
  log?: Logger;
  /** Per attempt, including reading the body. Default 15000 ms. */
  timeoutMs?: number;
  /**
   * The app's one Connectivity (connectivity.ts): every attempt reports whether the server was
   * reached, and a call that starts while it says offline fails fast — one attempt, a short
   * timeout — so the front desk is not left waiting a minute behind a dead router (the
   * Connectivity's probe notices the network's return). Without one the client keeps its own view.
   */
  connectivity?: ConnectivityReport;
  retry?: Partial<RetryPolicy>;
}

/** 'read': retried on 429 and transient failures; 'once': retried on 429 only (writes, /auth). */
type Policy = 'read' | 'once';

interface Call {
  op: string;
  method: 'GET' | 'POST';
  /** Relative to `<baseUrl>/v1/`. */
  path: string;
  search?: URLSearchParams;
  json?: unknown;
  policy: Policy;
  /** POST /auth: the partner token alone, and a 401 means wrong credentials. */
  auth?: boolean;
  /** A 2xx with no body is this call's normal success (set_balance); elsewhere it is unreadable. */
  emptyBodyOk?: boolean;
  /** Extra strings that must never appear in a message (the password on /auth). */
  secrets?: string[];
  /** Stops waiting for the rate limiter (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** The rate limiter's lane (default interactive). */
  lane?: Lane;
  /** Altegio's field keys of this request → the contract's (field-keys.ts); none: field errors are general. */
  fieldKeys?: FieldKeyMap;
}

type Attempt =
  | { ok: true; status: number; body: unknown }
  | { ok: false; failure: DeskFailure; retry: 'rate' | 'transient' | null; status: number | null; grantedAt?: number };

/** The limiter-facing part of a caller's options, without undefined keys (exactOptionalPropertyTypes). */
function waitOptions(options: ReadOptions | undefined): Pick<Call, 'signal' | 'lane'> {
  return { ...(options?.signal && { signal: options.signal }), ...(options?.lane && { lane: options.lane }) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function joinUrl(baseUrl: string, path: string, search?: URLSearchParams): string {
  const base = baseUrl.trim().replace(/\/+$/, '');
  const q = search && [...search.keys()].length > 0 ? `?${search.toString()}` : '';
  return `${base}/v1/${path.replace(/^\/+/, '')}${q}`;
}

function transportCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return e instanceof Error ? e.name : 'unknown';
}

/** How many items a list answer holds (throws the unreadable failure when `data` is no list). */
function guardedLength(env: ReturnType<typeof parseEnvelope>): number {
  return dataList(env).length;
}

export function createAltegioClient(deps: AltegioClientDeps): AltegioApi {
  const log = deps.log ?? silentLogger;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const retry: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 8000, ...deps.retry };
  const attempts = Math.max(1, Math.floor(retry.attempts));
  let ownView = true;
  const connectivity: ConnectivityReport = deps.connectivity ?? { online: () => ownView, report: (reached) => (ownView = reached) };
  const setOnline = (reached: boolean) => {
    try {
      connectivity.report(reached);
    } catch {
      /* a listener's problem is not the request's */
    }
  };

  const backoff = (attempt: number) => {
    const d = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
    return d / 2 + Math.random() * (d / 2);
  };

  async function attemptOnce(call: Call, attemptTimeoutMs: number): Promise<Attempt> {
    const creds = deps.credentials();
    if (!creds.partnerToken) throw notConfigured('PARTNER_TOKEN_MISSING');
    if (call.auth !== true && !creds.userToken) throw notConfigured('NOT_SIGNED_IN');
    const secrets = [creds.partnerToken, creds.userToken, ...(call.secrets ?? [])];
    const authorization = call.auth === true || !creds.userToken ? `Bearer ${creds.partnerToken}` : `Bearer ${creds.partnerToken}, User ${creds.userToken}`;
    const url = joinUrl(creds.baseUrl, call.path, call.search);

    const grantedAt = await deps.limiter.acquire({ lane: call.lane ?? 'interactive', ...(call.signal && { signal: call.signal }) });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), attemptTimeoutMs);
    let status: number;
    let retryAfterHeader: string | null;
    let serverDate = Number.NaN;
    let text: string;
    let contentType: string;
    try {
      const response = await ky(url, {
        method: call.method,
        headers: { Accept: ACCEPT, 'Content-Type': 'application/json', Authorization: authorization },
        ...(call.json === undefined ? {} : { body: JSON.stringify(call.json) }),
        retry: { limit: 0 },
        timeout: false,
        throwHttpErrors: false,
        signal: controller.signal,
      });
      status = response.status;
      retryAfterHeader = response.headers.get('retry-after');
      serverDate = Date.parse(response.headers.get('date') ?? '');
      contentType = response.headers.get('content-type') ?? '';
      text = await response.text();
    } catch (e) {
      setOnline(false);
      log.warn('altegio: network failure', { op: call.op, code: controller.signal.aborted ? 'timeout' : transportCode(e) });
      return { ok: false, failure: offlineFailure(), retry: 'transient', status: null };
    } finally {
      clearTimeout(timer);
    }
    setOnline(true);

    if (status === 429) {
      // A Retry-After date is the server's time: measured from its Date header, a PC clock that is
      // hours off does not turn a few seconds into a ten-minute stop.
      const retryAfterMs = parseRetryAfter(retryAfterHeader, Number.isFinite(serverDate) ? serverDate : undefined);
      log.warn('altegio: rate limited', { op: call.op, retryAfterMs });
      return { ok: false, failure: failureFromHttp(429, undefined, { isAuth: call.auth === true, retryAfterMs, secrets }), retry: 'rate', status, grantedAt };
    }
    deps.limiter.reward();

    let body: unknown;
    let parsed = true;
    if (text.trim() === '') body = undefined;
    else {
      try {
        body = JSON.parse(text);
      } catch {
        parsed = false;
      }
    }

    if (status >= 200 && status < 300) {
      // Only set_balance answers with no body; anywhere else an empty 2xx is a proxy/transport glitch
      // (for freeze/unfreeze: not proof the write happened, so the runner re-reads and decides, as after a 5xx).
      if (!parsed || (body === undefined && !call.emptyBodyOk)) {
        log.warn('altegio: unreadable answer', { op: call.op, status, contentType: contentType.slice(0, 60) });
        return { ok: false, failure: unreadable(), retry: 'transient', status };
      }
      if (body !== undefined && parseEnvelope(body).success === false) {
        const failure = failureFromHttp(status, body, { isAuth: call.auth === true, secrets, fieldKeys: call.fieldKeys });
        log.warn('altegio: refused', { op: call.op, status, kind: failure.kind });
        return { ok: false, failure, retry: null, status };
      }
      return { ok: true, status, body };
    }

    const failure = failureFromHttp(status, parsed ? body : undefined, { isAuth: call.auth === true, secrets, fieldKeys: call.fieldKeys });
    log.warn('altegio: request failed', { op: call.op, status, kind: failure.kind });
    const transient = status >= 500 || status === 408;
    return { ok: false, failure, retry: transient ? 'transient' : null, status };
  }

  async function send(call: Call): Promise<{ status: number; body: unknown }> {
    let last: DeskFailure | undefined;
    const startedOffline = !connectivity.online();
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const r = await attemptOnce(call, startedOffline ? OFFLINE_TIMEOUT_MS : timeoutMs);
      if (r.ok) return r;
      last = r.failure;
      if (r.retry === null) break;
      if (startedOffline && r.failure.kind === 'offline') break;
      if (r.retry === 'rate') {
        // Not processed: pause everyone (other callers too); the next acquire waits out the pause.
        deps.limiter.penalize(r.failure.retryAfterMs, r.grantedAt);
        if (attempt === attempts) break;
        continue;
      }
      if (call.policy === 'once' || attempt === attempts) break;
      await sleep(backoff(attempt));
      log.info('altegio: retrying', { op: call.op, attempt: attempt + 1, after: r.failure.kind });
    }
    if (last?.kind === 'rate_limited' && last.retryAfterMs === undefined) {
      const pause = deps.limiter.stats().pausedForMs;
      throw answered('rate_limited', 'RATE_LIMITED', undefined, { retryAfterMs: Math.max(1000, Math.round(pause)), serverMessage: last.serverMessage });
    }
    throw last ?? answered('server', 'SERVER', undefined);
  }

  const validId = (n: number) => Number.isSafeInteger(n) && n > 0;
  const requireId = (n: number, what: 'chain' | 'location' | 'client' | 'membership') => {
    if (!validId(n)) throw new DeskFailure('bad_input', msg('error.app.badValue', { what }));
  };

  async function membershipsByIds(chainId: number, ids: readonly number[], options: ReadOptions & { onPage?: (done: number, pages: number) => void } = {}): Promise<Membership[]> {
    requireId(chainId, 'chain');
    const unique = [...new Set(ids.filter(validId))];
    if (unique.length === 0) return [];
    const pages: number[][] = [];
    for (let i = 0; i < unique.length; i += IDS_PAGE_SIZE) pages.push(unique.slice(i, i + IDS_PAGE_SIZE));
    const found = new Map<number, Membership>();
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < pages.length) {
        const page = pages[next++] as number[];
        const search = new URLSearchParams();
        for (const id of page) search.append('abonements_ids[]', String(id));
        search.set('page', '1');
        search.set('count', String(page.length));
        const { body } = await send({ op: 'memberships.byIds', method: 'GET', path: `chain/${chainId}/loyalty/abonements`, search, policy: 'read', ...waitOptions(options) });
        const wanted = new Set(page);
        for (const m of decodeMemberships(body, chainId)) if (wanted.has(m.id)) found.set(m.id, m);
        options.onPage?.(++done, pages.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IDS_CONCURRENCY, pages.length) }, worker));
    return unique.flatMap((id) => {
      const m = found.get(id);
      return m ? [m] : [];
    });
  }

  return {
    async membershipsCreated(chainId, window, page, count, options = {}) {
      requireId(chainId, 'chain');
      const day = /^\d{4}-\d{2}-\d{2}$/;
      if (!day.test(window.after) || !day.test(window.before)) throw new DeskFailure('bad_input', msg('error.app.badValue', { what: 'dates' }));
      if (!Number.isSafeInteger(page) || page < 1 || !Number.isSafeInteger(count) || count < 1) throw new DeskFailure('bad_input', msg('error.app.badValue', { what: 'page' }));
      const search = new URLSearchParams({ created_after: window.after, created_before: window.before, page: String(page), count: String(count) });
      const { body } = await send({ op: 'memberships.created', method: 'GET', path: `chain/${chainId}/loyalty/abonements`, search, policy: 'read', ...waitOptions(options) });
      const env = parseEnvelope(body);
      const received = guardedLength(env);
      const metaCount = env.meta.count;
      // Background pages (an index sync) are decoded a slice at a time: a person's answer arriving meanwhile goes first.
      const memberships = options.lane === 'background' ? await decodeMembershipsPaced(body, chainId, DECODE_SLICE) : decodeMemberships(body, chainId);
      return { memberships, received, count: typeof metaCount === 'number' && Number.isFinite(metaCount) ? metaCount : null };
    },

    async auth(login: string, password: string): Promise<AuthResult> {
      const { body } = await send({
        op: 'auth',
        method: 'POST',
        path: 'auth',
        json: { login, password },
        policy: 'once',
        auth: true,
        secrets: [password],
        fieldKeys: AUTH_FIELDS,
      });
      return decodeAuth(body, login);
    },

    async chains() {
      const { body } = await send({ op: 'groups', method: 'GET', path: 'groups', policy: 'read' });
      const groups = decodeGroups(body);
      if (!needsCompanyTimezones(groups)) return chainsFromWire(groups);
      try {
        const res = await send({ op: 'companies', method: 'GET', path: 'companies', search: new URLSearchParams({ my: '1' }), policy: 'read' });
        return chainsFromWire(groups, decodeCompanies(res.body));
      } catch (e) {
        // Some credentials may not list companies: fall back to UTC rather than failing sign-in.
        if (isDeskFailure(e) && (e.kind === 'forbidden' || e.kind === 'not_found' || e.code === failureCode('UNREADABLE'))) {
          log.warn('altegio: companies unavailable, time zones default to UTC', { kind: e.kind });
          return chainsFromWire(groups);
        }
        throw e;
      }
    },

    async searchClients(locationId, query, options = {}) {
      requireId(locationId, 'location');
      const pageSize = Math.min(200, Math.max(1, Math.floor(options.pageSize ?? 20)));
      const page = Math.max(1, Math.floor(options.page ?? 1));
      const { body } = await send({
        op: 'clients.search',
        method: 'POST',
        path: `company/${locationId}/clients/search`,
        json: {
          page,
          page_size: pageSize,
          fields: ['id', 'name', 'phone', 'card'],
          order_by: 'name',
          order_by_direction: 'ASC',
          operation: 'AND',
          filters: [
            ...(query.trim() || !options.sale ? [{ type: 'quick_search', state: { value: query.trim() } }] : []),
            ...(options.sale ? [{ type: 'sale', state: { abonement_types: [...options.sale.typeIds], ...(options.sale.expire && { abonement_expire_date: options.sale.expire }) } }] : []),
          ],
        },
        policy: 'read',
        ...waitOptions(options),
      });
      return decodeClientSearch(body);
    },

    async client(locationId, clientId, options): Promise<ClientSummary> {
      requireId(locationId, 'location');
      requireId(clientId, 'client');
      const { body } = await send({ op: 'client', method: 'GET', path: `client/${locationId}/${clientId}`, policy: 'read', ...waitOptions(options) });
      return decodeClient(body);
    },

    async membershipsByPhone(locationId, phone, options = {}) {
      requireId(locationId, 'location');
      // Digits as written (no domestic reading here: the callers read the phone at their location).
      const digits = phoneOrRefuse(phone, null);
      try {
        const { body } = await send({
          op: 'memberships.byPhone',
          method: 'GET',
          path: 'loyalty/abonements',
          search: new URLSearchParams({ company_id: String(locationId), phone: digits }),
          policy: 'read',
          ...waitOptions(options),
        });
        return decodeMemberships(body);
      } catch (e) {
        // "Client not found" for that phone: simply no memberships.
        if (isDeskFailure(e) && e.kind === 'not_found') return [];
        throw e;
      }
    },

    membershipsByIds,

    async freeze(chainId, membershipId, freezeTill, options?: WriteOptions) {
      requireId(chainId, 'chain');
      requireId(membershipId, 'membership');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(freezeTill)) throw new DeskFailure('bad_input', msg('error.app.pickFreezeEnd'), { fields: { freezeTill: msg('error.app.dateShape', { example: '2026-05-20' }) } });
      await send({
        op: 'memberships.freeze',
        method: 'POST',
        path: `chain/${chainId}/loyalty/abonements/${membershipId}/freeze`,
        json: { freeze_till: freezeTill },
        fieldKeys: FREEZE_FIELDS,
        policy: 'once',
        ...waitOptions(options),
      });
    },

    async unfreeze(chainId, membershipId, options?: WriteOptions) {
      requireId(chainId, 'chain');
      requireId(membershipId, 'membership');
      await send({
        op: 'memberships.unfreeze',
        method: 'POST',
        path: `chain/${chainId}/loyalty/abonements/${membershipId}/unfreeze`,
        json: {},
        policy: 'once',
        ...waitOptions(options),
      });
    },

    async setBalance(chainId, membershipId, body, options?: WriteOptions) {
      requireId(chainId, 'chain');
      requireId(membershipId, 'membership');
      const json: Record<string, unknown> =
        'united' in body
          ? { united_balance_services_count: body.united }
          : { services_balance_count: body.services.map((s) => ({ service_id: s.serviceId, balance: s.balance })) };
      if ('services' in body && body.services.length === 0) throw new DeskFailure('bad_input', msg('error.app.giveBalance'));
      await send({
        op: 'memberships.setBalance',
        method: 'POST',
        path: `chain/${chainId}/loyalty/abonements/${membershipId}/set_balance`,
        json,
        fieldKeys: balanceFields(body),
        emptyBodyOk: true,
        policy: 'once',
        ...waitOptions(options),
      });
    },

    async setPeriod(chainId, membershipId, body: SetPeriodBody, options?: WriteOptions) {
      requireId(chainId, 'chain');
      requireId(membershipId, 'membership');
      if (!Number.isInteger(body.period) || body.period < 1) throw new DeskFailure('bad_input', msg('error.app.periodMin'));
      await send({
        op: 'memberships.setPeriod',
        method: 'POST',
        path: `chain/${chainId}/loyalty/abonements/${membershipId}/set_period`,
        json: { period: body.period, period_unit_id: PERIOD_UNIT_IDS[body.unit] },
        fieldKeys: PERIOD_FIELDS,
        emptyBodyOk: true,
        policy: 'once',
        ...waitOptions(options),
      });
    },
  };
}

/** Altegio's unit ids (ALTEGIO.md §4.6). */
const PERIOD_UNIT_IDS = { day: 1, week: 2, month: 3, year: 4 } as const;

