/**
 * Shared set-up for the batch integration tests, the crash-resume child and the apply bench: the
 * sandbox (real HTTP on loopback) or its address, the real Altegio client and rate limiter, the
 * real store on a SQLite file, and the batch service with a small fake session (one signed-in
 * profile; rights from /groups).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchCheck, BatchSummary, Chain, ColumnMapping, EventPayload, Membership } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient, type RetryPolicy } from '../../main/core/altegio/client';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from '../../main/core/altegio/rate-limiter';
import type { RunnerOptions as EngineOptions } from '../../main/core/jobs/runner';
import { createBatchService, type BatchService, type BatchServiceDeps } from '../../main/core/batch/service';
import { openStore, type Store } from '../../main/core/store';
import { createEventHub, type EventHub } from '../../main/core/events';
import type { Language } from '../../common/i18n/languages';

export const PROFILE_ID = 'batch-it-profile';

export interface Connection {
  url: string;
  partnerToken: string;
  login: string;
  password: string;
}

export interface Harness {
  api: AltegioApi;
  limiter: RateLimiter;
  store: Store;
  svc: BatchService;
  chains: Chain[];
  creds: Credentials;
  /** What the service emits, as the shell receives it (test/support/settled.ts waits on it). */
  events: EventHub;
  progress: Array<EventPayload<'batch.progress'>>;
  checkProgress: Array<EventPayload<'batch.checkProgress'>>;
  userName: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  dbPath?: string;
  limiter?: RateLimiterOptions;
  retry?: Partial<RetryPolicy>;
  engine?: Partial<EngineOptions>;
  timeoutMs?: number;
  /** Reads of one check serving the next (the service's default when absent). */
  readCacheMs?: number;
  /** More reads than this before planning: the check asks first (the service's default when absent). */
  askAboveRequests?: number;
  /** The chain's index of membership numbers (the app's index service); none by default. */
  numberIndex?: BatchServiceDeps['numberIndex'];
  /** What the service gets as its API (e.g. a recording wrapper); the client itself by default. */
  wrapApi?: (api: AltegioApi) => AltegioApi;
}

export function tempDbPath(prefix = 'batch-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'desk.db');
}

export async function createHarness(conn: Connection, options: HarnessOptions = {}): Promise<Harness> {
  const creds: Credentials = { baseUrl: conn.url, partnerToken: conn.partnerToken, userToken: null };
  const limiter = createRateLimiter(options.limiter ?? { perSecond: 200, perMinute: 12_000 });
  const api = createAltegioClient({
    credentials: () => creds,
    limiter,
    retry: options.retry ?? { attempts: 4, baseMs: 20, maxMs: 200 },
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  const auth = await api.auth(conn.login, conn.password);
  creds.userToken = auth.userToken;
  const chains = await api.chains();
  const store = openStore(options.dbPath ?? tempDbPath());
  const progress: Array<EventPayload<'batch.progress'>> = [];
  const checkProgress: Array<EventPayload<'batch.checkProgress'>> = [];
  const events = createEventHub();
  events.subscribe((event, payload) => {
    if (event === 'batch.progress') progress.push(payload as EventPayload<'batch.progress'>);
    if (event === 'batch.checkProgress') checkProgress.push(payload as EventPayload<'batch.checkProgress'>);
  });
  const svc = createBatchService({
    store,
    api: (() => {
      const wrapped = options.wrapApi ? options.wrapApi(api) : api;
      return () => wrapped;
    })(),
    session: {
      currentUser: () => ({ profileId: PROFILE_ID, userId: auth.userId, name: auth.name }),
      rightsFor: (chainId) => chains.find((c) => c.id === chainId)?.rights ?? null,
      waitForSignedIn: async () => undefined,
    },
    events,
    limiter,
    engine: { offlinePollMs: 50, retryBaseMs: 20, retryMaxMs: 200, ...options.engine },
    ...(options.readCacheMs !== undefined && { readCacheMs: options.readCacheMs }),
    ...(options.askAboveRequests !== undefined && { askAboveRequests: options.askAboveRequests }),
    ...(options.numberIndex && { numberIndex: options.numberIndex }),
  });
  return {
    api,
    limiter,
    store,
    svc,
    chains,
    creds,
    events,
    progress,
    checkProgress,
    userName: auth.name,
    async close() {
      await svc.close();
      store.close();
    },
  };
}

/** The balance values of a membership as the batch CSV speaks of them. */
export function balancesOf(m: Membership): { united?: number; services: Record<number, number> } {
  if (m.balance.kind === 'united') return { united: m.balance.count, services: {} };
  return { services: Object.fromEntries(m.balance.lines.map((l) => [l.serviceId, l.count])) };
}

export interface CsvRow {
  membershipId: number;
  serviceId?: number;
  balance?: number;
  delta?: number;
  reason?: string;
}

export function csvOf(rows: readonly CsvRow[]): string {
  const lines = ['membership_id;service_id;balance;delta;reason'];
  for (const r of rows) {
    const delta = r.delta === undefined ? '' : r.delta >= 0 ? `+${r.delta}` : String(r.delta);
    lines.push([r.membershipId, r.serviceId ?? '', r.balance ?? '', delta, r.reason ?? 'it'].join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface CheckOptions {
  fileName?: string;
  encoding?: string;
  delimiter?: ',' | ';' | '\t';
  mapping?: ColumnMapping;
  lookups?: boolean;
  language?: Language;
}

/** The production path for a file: `open` (its bytes, once), then `check` it at a place. */
export async function checkText(svc: BatchService, place: { chainId: number; locationId: number }, csv: string, options: CheckOptions = {}): Promise<BatchCheck> {
  const { fileName = 'corrections.csv', ...rest } = options;
  const { fileId } = await svc.open({ fileName, bytes: new TextEncoder().encode(csv) });
  return svc.check({ fileId, ...place, ...rest });
}

/** Applies a check that planned (fails the test when it did not). */
export async function applyCheck(svc: BatchService, check: Pick<BatchCheck, 'checkId'>): Promise<BatchSummary> {
  if (check.checkId === null) throw new Error('this check has no plan to apply');
  return svc.apply({ checkId: check.checkId });
}

/**
 * Rows for the sandbox's extra memberships (alternating united / pool+sauna): united ones get a
 * delta or an absolute value, per-service ones two rows (pool delta, sauna absolute) → ONE operation.
 * Returns the rows and the expected final balances per membership.
 */
export function correctionsFor(
  memberships: readonly Membership[],
  serviceIds: { pool: number; sauna: number },
): { rows: CsvRow[]; expected: Map<number, { united?: number; services: Record<number, number> }> } {
  const rows: CsvRow[] = [];
  const expected = new Map<number, { united?: number; services: Record<number, number> }>();
  memberships.forEach((m, i) => {
    const b = balancesOf(m);
    if (b.united !== undefined) {
      if (i % 4 === 0) {
        rows.push({ membershipId: m.id, delta: 2, reason: `top-up ${i}` });
        expected.set(m.id, { united: b.united + 2, services: {} });
      } else {
        const target = b.united === 7 ? 8 : 7;
        rows.push({ membershipId: m.id, balance: target, reason: `set ${i}` });
        expected.set(m.id, { united: target, services: {} });
      }
    } else {
      const pool = b.services[serviceIds.pool] ?? 0;
      const sauna = b.services[serviceIds.sauna] ?? 0;
      const saunaTarget = sauna === 9 ? 10 : 9;
      rows.push({ membershipId: m.id, serviceId: serviceIds.pool, delta: 1, reason: `pool ${i}` });
      rows.push({ membershipId: m.id, serviceId: serviceIds.sauna, balance: saunaTarget, reason: `sauna ${i}` });
      expected.set(m.id, { services: { ...b.services, [serviceIds.pool]: pool + 1, [serviceIds.sauna]: saunaTarget } });
    }
  });
  return { rows, expected };
}

export function sameBalances(m: Membership, e: { united?: number; services: Record<number, number> }): boolean {
  const b = balancesOf(m);
  if (e.united !== undefined) return b.united === e.united;
  return Object.entries(e.services).every(([id, v]) => b.services[Number(id)] === v);
}
