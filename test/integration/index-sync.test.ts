/**
 * The membership index against the sandbox over real HTTP, on a real SQLite file: the first sync
 * reads every membership of a large chain exactly as often as the windows require, progress and
 * time left are reported, numbers are found exact and by prefix, a refresh picks up changes made
 * elsewhere, a crash (SIGKILL of a child process mid-sync) resumes at the next page, and
 * "Forget this chain's data" leaves nothing behind.
 */
import { csvSeparator } from '../../common/i18n/languages';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexStatus, SessionState } from '../../preload/contract';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createIndexService, type IndexService } from '../../main/core/index/service';
import { createIndexRepo } from '../../main/core/index/repo';
import { IN_FLIGHT, firstSync } from '../../main/core/index/sync';
import { silentLogger } from '../../main/core/log';
import { openStore, type Store } from '../../main/core/store';
import { createEventHub, type EventHub } from '../../main/core/events';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { todayIn, addDays, localDateOf } from '../../common/dates';
import { settledIndex } from '../support/settled';

const CHILD = join(import.meta.dirname, '../support/index-child.ts');

let sb: Sandbox;
let dir: string;
let store: Store;
let userToken: string;
let events: IndexStatus[];
/** What the index service emits, as the shell receives it. */
let hub: EventHub;
let svc: IndexService;

async function signIn(s: Sandbox): Promise<string> {
  const r = await fetch(`${s.url}/v1/auth`, {
    method: 'POST',
    headers: { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: `Bearer ${s.partnerToken}` },
    body: JSON.stringify({ login: s.login, password: s.password }),
  });
  return ((await r.json()) as { data: { user_token: string } }).data.user_token;
}

async function chainTotal(s: Sandbox, token: string, chainId: number): Promise<number> {
  const r = await fetch(`${s.url}/v1/chain/${chainId}/loyalty/abonements?count=1`, {
    headers: { Accept: 'application/vnd.api.v2+json', Authorization: `Bearer ${s.partnerToken}, User ${token}` },
  });
  return ((await r.json()) as { meta: { count: number } }).meta.count;
}

function service(perSecond: number | null = null, zone = 'America/Chicago'): IndexService {
  const limiter = createRateLimiter(perSecond === null ? { perSecond: 1000, perMinute: 60_000 } : { perSecond, perMinute: perSecond * 60 });
  const api = createAltegioClient({ credentials: () => ({ baseUrl: sb.url, partnerToken: sb.partnerToken, userToken }), limiter });
  const north = sb.control.knownIds.chains.northside;
  const state: SessionState = {
    status: 'signed_in',
    profile: { id: 'p1', name: 'Alex Morgan', login: sb.login, userId: 884213, serverUrl: sb.url, demo: false, lastChainId: north, lastLocationId: null },
    profiles: [],
    chains: [{ id: north, title: 'Northside', locations: [], rights: { loyalty: true, periodEdit: true, balanceEdit: true, history: true } }],
    selection: null,
  };
  return createIndexService({
    db: store.db,
    transaction: store.transaction,
    session: { snapshot: () => state, api: () => api },
    limiter,
    emit: (s) => hub.emit('index.progress', s),
    timezone: () => zone,
    log: silentLogger,
  });
}

beforeEach(async () => {
  sb = await startSandbox({ rate: null, chainMemberships: 1200 });
  userToken = await signIn(sb);
  dir = mkdtempSync(join(tmpdir(), 'desk-index-'));
  store = openStore(join(dir, 'desk.db'));
  events = [];
  hub = createEventHub();
  hub.subscribe((event, payload) => event === 'index.progress' && events.push(payload as IndexStatus));
  svc = service();
});

afterEach(async () => {
  await svc.close();
  store.close();
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('first sync', () => {
  it('reads every membership of the chain once per window, with progress, and finds numbers exact and by prefix', async () => {
    const north = sb.control.knownIds.chains.northside;
    const total = await chainTotal(sb, userToken, north);
    sb.control.resetStats();
    expect(svc.sync(north).state).toBe('syncing');
    await settledIndex({ index: svc, events: hub }, north);
    const status = svc.status(north);
    expect(status).toMatchObject({ state: 'ready', rows: total, error: null });
    expect(status.asOf).not.toBeNull();
    for (const id of sb.control.knownIds.largeChain) expect(svc.repo.get(svc.keyFor(north), id)).not.toBeNull();
    // One probe, then ⌈N/100⌉ pages plus one more per window (empty early windows, partial last pages).
    const requests = sb.control.stats().requests;
    expect(requests).toBeGreaterThanOrEqual(Math.ceil(total / 100));
    expect(requests).toBeLessThanOrEqual(Math.ceil(total / 100) + 8);
    const withTime = events.filter((e) => e.progress?.phase === 'first' && e.progress.fraction !== null && e.progress.etaMs !== null);
    expect(withTime.length).toBeGreaterThan(5);
    expect(withTime.some((e) => (e.progress?.fraction ?? 0) > 0 && (e.progress?.fraction ?? 1) < 1)).toBe(true);

    const id = sb.control.knownIds.largeChain[700]!;
    const number = String(sb.control.getMembership(id).number);
    const exact = svc.find(north, `№ ${number}`, 10).matches;
    expect(exact[0]?.membership.id).toBe(id);
    const prefix = number.slice(0, 3);
    const byPrefix = svc.find(north, prefix, 50).matches;
    expect(byPrefix.length).toBeGreaterThan(0);
    expect(byPrefix.every((m) => m.membership.number.startsWith(prefix))).toBe(true);
    expect(svc.find(north, '0000000', 10).matches).toEqual([]);
  });

  it('is shown only to a user whose chains include it', async () => {
    expect(() => svc.status(sb.control.knownIds.chains.lotus)).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('resumes after the process is killed mid-sync at the next page not committed: nothing lost, no committed page read again', async () => {
    const north = sb.control.knownIds.chains.northside;
    const total = await chainTotal(sb, userToken, north);
    const dbPath = join(dir, 'child.db');
    sb.control.resetStats();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ url: sb.url, partnerToken: sb.partnerToken, userToken, dbPath, chainId: north, perSecond: 20 })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Kill once it has committed a few pages of real rows (observed, not timed).
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const [word, , rows] = line.split(' ');
        if (word === 'page' && Number(rows) >= 500) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`child ended before the kill: ${stderr}`)));
    });
    await exited;
    const before = sb.control.stats().requests;
    const logBefore = sb.control.stats().requestLog.length;
    const killed = openStore(dbPath);
    const repo = createIndexRepo(killed.db, killed.transaction);
    const key = { server: sb.url, chainId: north };
    const stopped = repo.sync(key);
    expect(stopped?.firstDone).toBe(false);
    expect(stopped?.rowsRead).toBeGreaterThanOrEqual(500);
    const limiter = createRateLimiter({ perSecond: 1000, perMinute: 60_000 });
    const api = createAltegioClient({ credentials: () => ({ baseUrl: sb.url, partnerToken: sb.partnerToken, userToken }), limiter });
    await firstSync(key, { api, repo, limiter, now: () => new Date(), onProgress: () => undefined }, new AbortController().signal);
    expect(repo.count(key)).toBe(total);
    const after = repo.sync(key);
    expect(after?.firstDone).toBe(true);
    // The journal counts each committed request once; the server saw at most the pages in flight at the kill (and the one being written) more.
    const served = sb.control.stats().requests;
    expect(served).toBeLessThanOrEqual((after?.requests ?? 0) + IN_FLIGHT + 1);
    expect(served - before).toBe((after?.requests ?? 0) - (stopped?.requests ?? 0));
    // The resumed run asked no page the killed one had committed: it starts at the committed position.
    const resumed = sb.control
      .stats()
      .requestLog.slice(logBefore)
      .map((line) => new URL(line.split(' ')[1] ?? '', 'http://x').searchParams)
      .map((q) => ({ after: q.get('created_after') ?? '', page: Number(q.get('page')) }));
    expect(resumed.length).toBe(served - before);
    expect(resumed[0]).toEqual({ after: stopped?.windowFrom, page: (stopped?.pageDone ?? 0) + 1 });
    for (const r of resumed) expect(r.after > stopped!.windowFrom || (r.after === stopped!.windowFrom && r.page > stopped!.pageDone)).toBe(true);
    killed.close();
  });
});

describe('refresh, updates and forgetting', () => {
  it('a refresh re-reads open memberships by ids in pages of 50 and picks up a change made elsewhere', async () => {
    const north = sb.control.knownIds.chains.northside;
    svc.sync(north);
    await settledIndex({ index: svc, events: hub }, north);
    const key = svc.keyFor(north);
    // An active, united membership sold before the refresh's windows, changed in Altegio by someone else.
    const cutoff = Date.now() - 5 * 86_400_000;
    const target = sb.control.knownIds.largeChain.find((id) => {
      const m = svc.repo.get(key, id)?.membership;
      return m?.status.slug === 'active' && m.balance.kind === 'united' && !m.balance.unlimited && m.createdDate !== null && Date.parse(m.createdDate) < cutoff;
    });
    expect(target).toBeDefined();
    const before = svc.repo.get(key, target!)!.unitedLeft!;
    sb.control.setBalanceDirect(target!, { united: before + 5 });
    const open = svc.repo.openIds(key).length;
    sb.control.resetStats();
    expect(svc.sync(north).state).toBe('refreshing');
    await settledIndex({ index: svc, events: hub }, north);
    expect(svc.status(north).state).toBe('ready');
    expect(svc.repo.get(key, target!)?.unitedLeft).toBe(before + 5);
    // Recent windows (a page or two) + the open ones not in them, 50 ids a request.
    expect(sb.control.stats().requests).toBeLessThanOrEqual(Math.ceil(open / 50) + 3);
  });

  it('a membership the app reads updates the index at once; remembered clients go with "Forget this chain\'s data"', async () => {
    const north = sb.control.knownIds.chains.northside;
    svc.sync(north);
    await settledIndex({ index: svc, events: hub }, north);
    const key = svc.keyFor(north);
    const id = sb.control.knownIds.memberships.danaUnitedWeeks;
    const m = svc.repo.get(key, id)!.membership;
    svc.noteMemberships([{ ...m, isFrozen: true }]);
    expect(svc.repo.get(key, id)?.membership.isFrozen).toBe(true);
    const dana = sb.control.knownIds.dana;
    svc.rememberClient({ id: dana.clientId, name: dana.name, phone: dana.phone, card: null }, dana.locationId, [m]);
    expect(svc.find(north, m.number, 5).matches[0]).toMatchObject({ client: { name: dana.name, phone: dana.phone }, locationId: dana.locationId });
    const forgotten = await svc.forget(north);
    expect(forgotten).toMatchObject({ state: 'empty', rows: 0, asOf: null });
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM index_clients').all()).toEqual([{ n: 0 }]);
  });
});

describe('worklists', () => {
  it('expiring within 14 days, frozen now and not activated are exactly what the sandbox holds; CSV for Excel has them all', async () => {
    const north = sb.control.knownIds.chains.northside;
    svc.sync(north);
    await settledIndex({ index: svc, events: hub }, north);
    // The sandbox's own list, page by page.
    type Wire = { id: number; status: { slug: string }; expiration_date: string | null; is_frozen: boolean };
    const all: Wire[] = [];
    for (let page = 1; ; page++) {
      const r = await fetch(`${sb.url}/v1/chain/${north}/loyalty/abonements?count=200&page=${page}`, {
        headers: { Accept: 'application/vnd.api.v2+json', Authorization: `Bearer ${sb.partnerToken}, User ${userToken}` },
      });
      const data = ((await r.json()) as { data: Wire[] }).data;
      all.push(...data);
      if (data.length < 200) break;
    }
    const today = todayIn(new Date(), 'America/Chicago');
    const until = addDays(today, 14);
    const expected = all
      .filter((m) => m.status.slug === 'active' && (localDateOf(m.expiration_date, 'America/Chicago') ?? '') >= today && (localDateOf(m.expiration_date, 'America/Chicago') ?? '9') <= until)
      .map((m) => m.id)
      .sort((a, b) => a - b);
    expect(expected.length).toBeGreaterThan(5);
    const chicago = sb.control.knownIds.locations.chicago;
    const page = svc.worklist(north, chicago, { kind: 'expiring', days: 14, visits: 1, sort: 'expiry', descending: false }, { offset: 0, limit: 500 });
    expect(page.today).toBe(today);
    expect(page.rows.map((r) => r.membership.id).sort((a, b) => a - b)).toEqual(expected);
    expect(page.total).toBe(expected.length);
    // Sorted by expiry, soonest first.
    const days = page.rows.map((r) => r.membership.expirationDate!.slice(0, 10));
    expect([...days].sort()).toEqual(days);
    expect(page.counts.frozen).toBe(all.filter((m) => m.is_frozen).length);
    expect(page.counts.not_activated).toBe(all.filter((m) => m.status.slug === 'created').length);

    // Narrowed to the types sold at Berlin (the corporate type is sold at Downtown only).
    const berlin = svc.worklist(north, chicago, { kind: 'all', days: 14, visits: 1, atLocationId: sb.control.knownIds.locations.berlin, sort: 'number', descending: false }, { offset: 0, limit: 500 });
    expect(berlin.total).toBeGreaterThan(0);
    expect(berlin.rows.every((r) => r.membership.type.id !== sb.control.knownIds.types.corporateNoBalanceEdit)).toBe(true);
    const corporate = svc.worklist(north, chicago, { kind: 'all', days: 14, visits: 1, typeIds: [sb.control.knownIds.types.corporateNoBalanceEdit], sort: 'number', descending: false }, { offset: 0, limit: 5 });
    expect(corporate.total).toBeGreaterThan(0);
    expect(corporate.rows[0]?.locationId).toBe(chicago);

    const csv = svc.worklistCsv(north, chicago, { kind: 'expiring', days: 14, visits: 1, sort: 'expiry', descending: false });
    expect(csv.csv.startsWith('\uFEFFMembership №,Membership id,Type,Status')).toBe(true);
    expect(csv.csv.trimEnd().split('\r\n')).toHaveLength(expected.length + 1);
    expect(csv.fileName).toMatch(/^memberships-expiring-\d{4}-\d{2}-\d{2}\.csv$/);
    // In Russian (Spanish, Portuguese) Excel splits on ';', and the file is worded in the language (issue 12).
    const ru = svc.worklistCsv(north, chicago, { kind: 'expiring', days: 14, visits: 1, sort: 'expiry', descending: false }, csvSeparator('ru'), 'ru');
    expect(ru.csv.startsWith('\uFEFF№ абонемента;id абонемента;Тип;Статус')).toBe(true);
    expect(ru.csv.trimEnd().split('\r\n')).toHaveLength(expected.length + 1);
  });
});

describe("'expiring' with expiries sent in UTC (sandbox shape utc-expiration-date)", () => {
  it("counts each membership's day in the desk's zone (Tokyo), as the screen shows it", async () => {
    const north = sb.control.knownIds.chains.northside;
    sb.control.setRealShapes(['utc-expiration-date']);
    const tokyo = sb.control.knownIds.locations.tokyo;
    const s = service(null, 'Asia/Tokyo');
    s.sync(north);
    await settledIndex({ index: s, events: hub }, north);
    const rows = s.worklist(north, tokyo, { kind: 'all', days: 0, visits: 0, sort: 'number', descending: false }, { offset: 0, limit: 5000 }).rows;
    const active = rows.map((r) => r.membership).filter((m) => m.status.slug === 'active' && m.expirationDate !== null);
    expect(active.every((m) => m.expirationDate!.endsWith('Z'))).toBe(true);
    const today = todayIn(new Date(), 'Asia/Tokyo');
    let differs = 0;
    for (let days = 0; days <= 60; days += 3) {
      const until = addDays(today, days);
      const inWindow = (day: string | null) => day !== null && day >= today && day <= until;
      const expected = active.filter((m) => inWindow(localDateOf(m.expirationDate, 'Asia/Tokyo'))).map((m) => m.id).sort((a, b) => a - b);
      if (active.filter((m) => inWindow(m.expirationDate!.slice(0, 10))).length !== expected.length) differs++;
      const page = s.worklist(north, tokyo, { kind: 'expiring', days, visits: 1, sort: 'number', descending: false }, { offset: 0, limit: 5000 });
      expect(page.rows.map((r) => r.membership.id).sort((a, b) => a - b)).toEqual(expected);
    }
    // The UTC date part would have judged some window differently (the test can fail).
    expect(differs).toBeGreaterThan(0);
    await s.close();
  });
});

