/**
 * The first sync's pages are written by a worker thread with a connection of its own to the store's
 * file (index/page-writer.ts), so the core's event loop (a person's search answers) does not wait
 * for SQLite while a sync runs (bench index-sync, issue 11); where the worker cannot write, the
 * pages are written on the event loop and the sync still completes. Real sandbox over HTTP, real
 * SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createIndexRepo, type IndexRepo } from '../../main/core/index/repo';
import { firstSync } from '../../main/core/index/sync';
import { openStore, type Store } from '../../main/core/store';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';

let sb: Sandbox;
let dir: string;
let store: Store;

beforeEach(async () => {
  sb = await startSandbox({ rate: null, chainMemberships: 600 });
  dir = mkdtempSync(join(tmpdir(), 'desk-page-writer-'));
  store = openStore(join(dir, 'desk.db'));
});

afterEach(async () => {
  store.close();
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The repo, counting the membership rows written through the core's own connection. */
function counting(repo: IndexRepo): { repo: IndexRepo; rowsHere: () => number } {
  let rows = 0;
  return {
    repo: { ...repo, upsert: (key, ms, readAt) => ((rows += ms.length), repo.upsert(key, ms, readAt)) },
    rowsHere: () => rows,
  };
}

async function sync(target: Parameters<typeof firstSync>[1]['store']): Promise<{ repo: IndexRepo; rowsHere: number; key: { server: string; chainId: number } }> {
  const r = await fetch(`${sb.url}/v1/auth`, {
    method: 'POST',
    headers: { Accept: 'application/vnd.api.v2+json', 'Content-Type': 'application/json', Authorization: `Bearer ${sb.partnerToken}` },
    body: JSON.stringify({ login: sb.login, password: sb.password }),
  });
  const userToken = ((await r.json()) as { data: { user_token: string } }).data.user_token;
  const limiter = createRateLimiter({ perSecond: 1000, perMinute: 60_000 });
  const api = createAltegioClient({ credentials: () => ({ baseUrl: sb.url, partnerToken: sb.partnerToken, userToken }), limiter });
  const { repo, rowsHere } = counting(createIndexRepo(store.db, store.transaction));
  const key = { server: sb.url, chainId: sb.control.knownIds.chains.northside };
  await firstSync(key, { api, repo, limiter, now: () => new Date(), onProgress: () => undefined, ...(target && { store: target }) }, new AbortController().signal);
  return { repo, rowsHere: rowsHere(), key };
}

describe('first sync page writes', () => {
  it('go through a worker thread on a store file: the core writes none of the rows, and every membership is indexed', async () => {
    const { repo, rowsHere, key } = await sync(store);
    expect(rowsHere).toBe(0);
    for (const id of sb.control.knownIds.largeChain) expect(repo.get(key, id)).not.toBeNull();
    expect(repo.sync(key)).toMatchObject({ firstDone: true, rowsRead: expect.any(Number) as number });
  });

  it('fall back to the event loop when the worker cannot write (here: no such file), and the sync completes', async () => {
    let committed = 0;
    const { repo, rowsHere, key } = await sync({ path: join(dir, 'missing', 'desk.db'), committed: () => void committed++ });
    expect(rowsHere).toBeGreaterThanOrEqual(sb.control.knownIds.largeChain.length);
    expect(committed).toBe(0);
    for (const id of sb.control.knownIds.largeChain) expect(repo.get(key, id)).not.toBeNull();
    expect(repo.sync(key)?.firstDone).toBe(true);
  });

  it('are written on the event loop for a store in memory', async () => {
    store.close();
    store = openStore(':memory:');
    const { repo, rowsHere, key } = await sync(store);
    expect(rowsHere).toBeGreaterThanOrEqual(sb.control.knownIds.largeChain.length);
    expect(repo.count(key)).toBeGreaterThanOrEqual(sb.control.knownIds.largeChain.length);
    expect(repo.sync(key)?.firstDone).toBe(true);
  });
});
