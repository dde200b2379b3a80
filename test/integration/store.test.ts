import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, Chain, Profile } from '../../preload/contract';
import { changeLines } from '../../common/audit-words';
import { migrations, migrate, schemaVersion, type Migration } from '../../main/core/store/migrations';
import { offThreadCheckpoints } from '../../main/core/store/checkpoints';
import { openStore, pragmaValue, type Store } from '../../main/core/store/store';
import type { NewAuditEntry } from '../../main/core/store/types';
import { snap } from '../support/audit-snapshots';

let dir: string;
let file: string;
const open: Store[] = [];
const openAt = (path = file) => {
  const s = openStore(path);
  open.push(s);
  return s;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-store-'));
  file = join(dir, 'nested', 'desk.db');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  at: '2026-03-10T12:00:00.000Z',
  userName: 'Dana Whitfield',
  userId: 884213,
  profileId: 'u884213-abc',
  chainId: 70114,
  locationId: 512330,
  membershipId: 9001,
  membershipNumber: '100-200',
  action: 'set_balance',
  before: snap({ united: 5 }),
  after: snap({ united: 7 }),
  reason: 'dispute',
  outcome: 'ok',
  message: null,
  batchId: null,
  undoOf: null,
  ...over,
});

const profile: Profile = {
  id: 'u884213-abc',
  name: 'Dana Whitfield',
  login: '+15125550142',
  userId: 884213,
  serverUrl: 'https://api.alteg.io/api',
  demo: false,
  lastChainId: null,
  lastLocationId: null,
};

const chains: Chain[] = [
  {
    id: 70114,
    title: 'Northside Fitness',
    locations: [{ id: 512330, title: 'Downtown', timezone: 'America/Chicago' }],
    rights: { loyalty: true, periodEdit: true, balanceEdit: false, history: true },
  },
];

describe('store on a real SQLite file', () => {
  it('creates the folder, applies the migrations and turns on WAL, synchronous FULL and foreign keys', () => {
    const s = openAt();
    expect(schemaVersion(s.db)).toBe(migrations.length);
    expect(String(pragmaValue(s.db, 'journal_mode')).toLowerCase()).toBe('wal');
    expect(Number(pragmaValue(s.db, 'synchronous'))).toBe(2); // FULL
    expect(Number(pragmaValue(s.db, 'foreign_keys'))).toBe(1);
    const tables = s.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['audit', 'mapping_memory', 'profiles', 'settings']));
  });

  it('reopening is idempotent and keeps the data', () => {
    const a = openAt();
    a.settings.set('server.url', 'https://x.example/api');
    a.close();
    const b = openAt();
    expect(schemaVersion(b.db)).toBe(migrations.length);
    expect(migrate(b.db)).toEqual({ from: migrations.length, to: migrations.length });
    expect(b.settings.get('server.url')).toBe('https://x.example/api');
  });

  it('appends a later migration on reopen, and refuses a database from a newer version', () => {
    openAt().close();
    const next: Migration[] = [...migrations, { version: migrations.length + 1, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' }];
    const s = openAt();
    expect(migrate(s.db, next)).toEqual({ from: migrations.length, to: migrations.length + 1 });
    s.db.prepare('INSERT INTO extra (x) VALUES (1)').run();
    s.close();
    expect(() => openStore(file)).toThrow(/newer version/);
  });

  it('a migration that fails leaves the database at the previous version', () => {
    const s = openAt();
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(s.db, broken)).toThrow(/migration/i);
    expect(schemaVersion(s.db)).toBe(migrations.length);
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
  });

  it('rejects a migration list with gaps', () => {
    const s = openAt();
    expect(() => migrate(s.db, [...migrations, { version: migrations.length + 2, name: 'gap', sql: '' }])).toThrow(/expected/);
  });

  it('round-trips settings, profiles with their chains cache, and mapping memory', () => {
    const s = openAt();
    s.settings.set('k', 'v1');
    s.settings.set('k', 'v2');
    expect(s.settings.get('k')).toBe('v2');
    s.settings.delete('k');
    expect(s.settings.get('k')).toBeNull();

    s.profiles.upsert(profile);
    s.profiles.setChains(profile.id, chains);
    s.profiles.setSelection(profile.id, 70114, 512330);
    s.profiles.upsert({ ...profile, name: 'Dana W.' }); // keeps chains cache and... overwrites selection with the given values
    expect(s.profiles.chains(profile.id)).toEqual(chains);
    expect(s.profiles.get(profile.id)).toEqual({ ...profile, name: 'Dana W.' });
    s.profiles.setSelection(profile.id, 70114, 512330);
    s.close();

    const r = openAt();
    expect(r.profiles.list()).toEqual([{ ...profile, name: 'Dana W.', lastChainId: 70114, lastLocationId: 512330 }]);
    expect(r.profiles.chains(profile.id)).toEqual(chains);
    expect(r.profiles.chains('nobody')).toEqual([]);
    r.profiles.remove(profile.id);
    expect(r.profiles.get(profile.id)).toBeNull();
    expect(r.db.prepare('SELECT count(*) AS n FROM profiles').all()).toEqual([{ n: 0 }]);

    r.mappings.set('membership_id|balance', { membership_id: 'membershipId', balance: 'balance' });
    expect(r.mappings.get('membership_id|balance')).toEqual({ membership_id: 'membershipId', balance: 'balance' });
    r.mappings.set('membership_id|balance', { membership_id: 'membershipId' });
    expect(r.mappings.get('membership_id|balance')).toEqual({ membership_id: 'membershipId' });
    expect(r.mappings.get('other')).toBeNull();
  });

  it('audit date filters are days on this computer’s calendar (an evening in Chicago is still that day)', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/Chicago';
    try {
      const s = openAt();
      // 21:30 on 6 March in Chicago = 03:30 UTC on 7 March.
      const evening = s.audit.add(entry({ at: '2026-03-07T03:30:00.000Z' }));
      const nextMorning = s.audit.add(entry({ at: '2026-03-07T15:00:00.000Z' }));
      expect(s.audit.list({ from: '2026-03-06', to: '2026-03-06' }).map((e) => e.id)).toEqual([evening]);
      expect(s.audit.list({ from: '2026-03-07', to: '2026-03-07' }).map((e) => e.id)).toEqual([nextMorning]);
      // The day Chicago moves its clocks (8 March 2026) is 23 hours long and still one day.
      const dstEvening = s.audit.add(entry({ at: '2026-03-09T04:30:00.000Z' })); // 23:30 CDT on 8 March
      expect(s.audit.list({ from: '2026-03-08', to: '2026-03-08' }).map((e) => e.id)).toEqual([dstEvening]);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("audit snapshots: written in the contract's shape (a wrong one is refused, nothing written); old rows decode, those that fit nothing as unknown", () => {
    const s = openAt();
    const id = s.audit.add(entry({ before: snap({ united: 5, request: { united: 7 } }), after: snap({ united: 7 }) }));
    expect(s.audit.get(id)?.before).toEqual(snap({ united: 5, request: { united: 7 } }));
    expect(() => s.audit.add(entry({ before: { shape: 'membership', united: 5 } as unknown as NewAuditEntry['before'] }))).toThrow();
    expect(() => s.audit.finish(id, 'ok', { united: 7 } as unknown as NewAuditEntry['after'], null)).toThrow();
    expect(s.audit.list({}).map((e) => e.id)).toEqual([id]);
    expect(s.audit.get(id)?.after).toEqual(snap({ united: 7 }));

    // Rows as earlier versions (or a damaged file) left them, straight into the table.
    const raw = s.db.prepare(
      `INSERT INTO audit (at, user_name, user_id, profile_id, chain_id, location_id, membership_id, membership_number, action, before_json, after_json, reason, outcome)
       VALUES ('2026-03-09T10:00:00.000Z', 'Old', 1, 'p', 70114, NULL, 9001, '100-200', ?, ?, ?, '', 'ok')`,
    );
    const untagged = Number(raw.run('set_balance', '{"isFrozen":false,"freezeTill":null,"expirationDate":"2026-09-01","freezePeriodDays":0,"statusSlug":"active","united":3,"request":{"united":4}}', '{"isFrozen":false,"freezeTill":null,"expirationDate":"2026-09-01","freezePeriodDays":0,"statusSlug":"active","united":4}').lastInsertRowid);
    const plan = Number(raw.run('plan_create', null, '{"planKind":"freeze","planStart":"2026-04-01","planEnd":"2026-04-10","planState":"planned"}').lastInsertRowid);
    const odd = Number(raw.run('freeze', '{"is_frozen":false,"lines":[1,2]}', '[1,2]').lastInsertRowid);
    const broken = Number(raw.run('unfreeze', '"just text"', '{"isFrozen": tru').lastInsertRowid);
    expect(s.audit.get(untagged)?.before).toMatchObject({ shape: 'membership', united: 3, request: { united: 4 } });
    expect(s.audit.get(plan)).toMatchObject({ before: null, after: { shape: 'plan', planKind: 'freeze', planEnd: '2026-04-10' } });
    expect(s.audit.get(odd)).toMatchObject({ before: { shape: 'unknown', values: { is_frozen: false, lines: [1, 2] } }, after: { shape: 'unknown', values: { value: [1, 2] } } });
    expect(s.audit.get(broken)).toMatchObject({ before: { shape: 'unknown', values: { value: 'just text' } }, after: { shape: 'unknown', values: { text: '{"isFrozen": tru' } } });
    // Every reader copes: the list, and the words the screens and the export use.
    const all = s.audit.list({});
    expect(all).toHaveLength(5);
    for (const e of all) expect(() => changeLines(e, 'America/Chicago')).not.toThrow();
    expect(changeLines(all.find((e) => e.id === untagged) as AuditEntry, 'America/Chicago')).toEqual(['Shared balance: 3 → 4']);
    expect(changeLines(all.find((e) => e.id === odd) as AuditEntry, 'America/Chicago')).toEqual(['Frozen: no → —', 'value: — → [1,2]']);
  });

  it('audit: add, finish, undo link, get, and list filters newest first', () => {
    const s = openAt();
    const a = s.audit.add(entry({ at: '2026-03-10T12:00:00.000Z', outcome: 'unknown', after: null }));
    s.audit.finish(a, 'ok', snap({ united: 7 }), null);
    const b = s.audit.add(entry({ at: '2026-03-11T08:00:00+02:00', membershipId: 9002, userName: 'Sam Ortiz', action: 'freeze' }));
    const c = s.audit.add(entry({ at: '2026-03-12T23:59:59.999Z', action: 'undo', undoOf: a, batchId: 'batch-1' }));
    s.audit.markUndone(a, c);

    const got = s.audit.get(a);
    expect(got).toMatchObject({ id: a, outcome: 'ok', after: { united: 7 }, before: { united: 5 }, undoneBy: c, undoOf: null });
    expect(Object.keys(got ?? {})).not.toContain('_metadata');
    expect(s.audit.get(b)?.at).toBe('2026-03-11T06:00:00.000Z'); // stored in UTC
    expect(s.audit.get(c)).toMatchObject({ undoOf: a, batchId: 'batch-1', action: 'undo' });
    expect(s.audit.get(99999)).toBeNull();

    expect(s.audit.list({}).map((e) => e.id)).toEqual([c, b, a]);
    expect(s.audit.list({ membershipId: 9001 }).map((e) => e.id)).toEqual([c, a]);
    expect(s.audit.list({ userName: 'sam ortiz' }).map((e) => e.id)).toEqual([b]);
    expect(s.audit.list({ from: '2026-03-11' }).map((e) => e.id)).toEqual([c, b]);
    expect(s.audit.list({ to: '2026-03-11' }).map((e) => e.id)).toEqual([b, a]);
    expect(s.audit.list({ from: '2026-03-12', to: '2026-03-12' }).map((e) => e.id)).toEqual([c]);
    expect(s.audit.list({ limit: 1 }).map((e) => e.id)).toEqual([c]);
    expect(() => s.audit.finish(424242, 'ok', null, null)).toThrow();
    expect(() => s.audit.add(entry({ at: 'yesterday' }))).toThrow(/timestamp/);
  });

  it('audit filter: a membership by number or id, part of a user name in any case and alphabet, a location, days in a given zone', () => {
    const s = openAt();
    const a = s.audit.add(entry({ membershipId: 4471900, membershipNumber: '270709', userName: 'Alex Morgan (demo)', locationId: 1 }));
    const b = s.audit.add(entry({ membershipId: 4471901, membershipNumber: '386008', userName: 'Алексей Петров', locationId: 2 }));
    // 23:30 in Chicago on 6 March is 05:30 UTC on 7 March.
    const late = s.audit.add(entry({ at: '2026-03-07T05:30:00.000Z', membershipId: 4471902, membershipNumber: '804772', userName: 'Sam_Ortiz%', locationId: 1 }));
    expect(s.audit.list({ membership: '270709' }).map((e) => e.id)).toEqual([a]);
    expect(s.audit.list({ membership: '4471900' }).map((e) => e.id)).toEqual([a]);
    expect(s.audit.list({ membership: '№ 386008' }).map((e) => e.id)).toEqual([b]);
    expect(s.audit.list({ membership: '999' })).toEqual([]);
    expect(s.audit.list({ userName: 'alex' }).map((e) => e.id)).toEqual([a]);
    expect(s.audit.list({ userName: 'АЛЕКС' }).map((e) => e.id)).toEqual([b]);
    expect(s.audit.list({ userName: '_ortiz%' }).map((e) => e.id)).toEqual([late]);
    expect(s.audit.list({ userName: '%' }).map((e) => e.id)).toEqual([late]);
    expect(s.audit.list({ userName: 'nobody' })).toEqual([]);
    expect(s.audit.list({ locationId: 1 }).map((e) => e.id).sort()).toEqual([a, late].sort());
    expect(s.audit.list({ from: '2026-03-06', to: '2026-03-06', timezone: 'America/Chicago' }).map((e) => e.id)).toEqual([late]);
    expect(s.audit.list({ from: '2026-03-07', to: '2026-03-07', timezone: 'UTC' }).map((e) => e.id)).toEqual([late]);
    expect(s.audit.list({ from: '2026-03-07', to: '2026-03-07', timezone: 'America/Chicago' })).toEqual([]);
    expect(() => s.audit.list({ from: '2026-03-07', timezone: 'Mars/Olympus' })).toThrow(/time zone/);
  });

  it('audit entries keep the client the app last saw the membership with (or the one the writer gives)', () => {
    const s = openAt();
    s.profiles.upsert(profile);
    s.db
      .prepare("INSERT INTO index_clients (server, chain_id, membership_id, client_id, client_name, client_phone, location_id, seen_at) VALUES (?, ?, ?, 1, ?, NULL, NULL, ?)")
      .run(profile.demo ? 'demo' : profile.serverUrl, 70114, 9001, 'Dana Whitfield', '2026-03-01T00:00:00.000Z');
    const seen = s.audit.add(entry({ profileId: profile.id, chainId: 70114, membershipId: 9001 }));
    const unknown = s.audit.add(entry({ profileId: profile.id, chainId: 70114, membershipId: 9002 }));
    const given = s.audit.add(entry({ profileId: profile.id, chainId: 70114, membershipId: 9002, clientName: 'Sam Ortiz' }));
    expect(s.audit.get(seen)?.clientName).toBe('Dana Whitfield');
    expect(s.audit.get(unknown)?.clientName).toBeNull();
    expect(s.audit.get(given)?.clientName).toBe('Sam Ortiz');
    // A demo profile is not stored; its index is kept under 'demo'.
    s.db
      .prepare("INSERT INTO index_clients (server, chain_id, membership_id, client_id, client_name, client_phone, location_id, seen_at) VALUES ('demo', 70114, 9003, 2, 'Demo Client', NULL, NULL, ?)")
      .run('2026-03-01T00:00:00.000Z');
    expect(s.audit.get(s.audit.add(entry({ profileId: 'demo-xyz', chainId: 70114, membershipId: 9003 })))?.clientName).toBe('Demo Client');
    expect(s.audit.get(s.audit.add(entry({ profileId: profile.id, chainId: 70114, membershipId: 9003 })))?.clientName).toBeNull();
    // The name stays with the entry when the index forgets the chain.
    s.db.prepare('DELETE FROM index_clients').run();
    expect(s.audit.get(seen)?.clientName).toBe('Dana Whitfield');
  });

  it('a failed transaction leaves nothing behind, also after reopening', () => {
    const s = openAt();
    expect(() =>
      s.transaction(() => {
        s.settings.set('half', 'done');
        s.audit.add(entry());
        s.profiles.upsert(profile);
        s.transaction(() => s.mappings.set('sig', { a: 1 }));
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(s.db.inTransaction).toBe(false);
    s.close();
    const r = openAt();
    expect(r.settings.get('half')).toBeNull();
    expect(r.audit.list({})).toEqual([]);
    expect(r.profiles.list()).toEqual([]);
    expect(r.mappings.get('sig')).toBeNull();
  });

  it('a failed inner transaction rolls back only its own part', () => {
    const s = openAt();
    s.transaction(() => {
      s.settings.set('outer', '1');
      expect(() =>
        s.transaction(() => {
          s.settings.set('inner', '1');
          throw new Error('inner fails');
        }),
      ).toThrow('inner fails');
    });
    expect(s.settings.get('outer')).toBe('1');
    expect(s.settings.get('inner')).toBeNull();
  });

  it('refuses an async transaction body (it would commit before the work)', () => {
    const s = openAt();
    expect(() => s.transaction(() => Promise.resolve(1))).toThrow(/synchronous/);
    expect(s.db.inTransaction).toBe(false);
  });

  it('a committed write is visible to a second connection (WAL)', () => {
    const a = openAt();
    const b = openAt();
    a.audit.add(entry());
    expect(b.audit.list({})).toHaveLength(1);
  });

  it('checkpoints a grown WAL from a worker thread, not inside the commits of the main connection', async () => {
    const s = openAt();
    s.db.exec('CREATE TABLE scratch (v TEXT)');
    const put = s.db.prepare('INSERT INTO scratch (v) VALUES (?)');
    const size = () => statSync(file).size;
    const before = size();
    // ~2 MB through the store's transactions: past the 1 MB at which checkpoints leave the event loop.
    for (let t = 0; t < 40; t++) s.transaction(() => { for (let i = 0; i < 10; i++) put.run('x'.repeat(5000)); });
    // The worker is up: the main connection's own checkpoint moved out to its safety net...
    await expect.poll(() => pragmaValue(s.db, 'wal_autocheckpoint'), { timeout: 15_000 }).toBe(10_000);
    s.transaction(() => put.run('y'));
    // ...and the database file received the WAL's pages though the main connection never checkpointed (< 10,000 pages).
    await expect.poll(size, { timeout: 15_000 }).toBeGreaterThan(before + 1_500_000);
  });

  it("stop() has the worker close its connection: the main connection's close is then the last, and SQLite removes the WAL", async () => {
    // A bare connection (exec only): libsql's close() leaves one with prepared statements open until GC, as the store's are.
    const path = join(dir, 'bare.db');
    const db = new Database(path);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE scratch (v BLOB)');
    db.exec('INSERT INTO scratch SELECT zeroblob(5000) FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 400) SELECT n FROM c)');
    const checkpoints = offThreadCheckpoints(db, path);
    checkpoints.committed();
    // The worker has checkpointed (~2 MB copied into the database file): its connection is open.
    await expect.poll(() => statSync(path).size, { timeout: 15_000 }).toBeGreaterThan(1_500_000);
    checkpoints.stop();
    db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('falls back to the main connection\'s checkpoints, with a logged reason, when the database file is missing (never creating it)', async () => {
    const s = openAt();
    const warned: Array<Record<string, unknown> | undefined> = [];
    const log = { info() {}, error() {}, warn: (_m: string, d?: Record<string, unknown>) => void warned.push(d) };
    // The worker starts once the -wal file is past 1 MB; the database it names is gone.
    const gone = join(dir, 'gone.db');
    writeFileSync(`${gone}-wal`, Buffer.alloc(1_100_000));
    const checkpoints = offThreadCheckpoints(s.db, gone, log);
    checkpoints.committed();
    await expect.poll(() => warned, { timeout: 15_000 }).toEqual([{ reason: 'missing' }]);
    expect(pragmaValue(s.db, 'wal_autocheckpoint')).toBe(1_000);
    expect(existsSync(gone)).toBe(false);
    checkpoints.stop();
  });

  it('works in memory too', () => {
    const s = openAt(':memory:');
    s.settings.set('a', 'b');
    expect(s.settings.get('a')).toBe('b');
    expect(schemaVersion(s.db)).toBe(migrations.length);
  });
});
