/**
 * "Find the client" of a membership the chain list names no client for (issue 11 item 1), against
 * the sandbox over real sockets: the client search filtered by the membership's type and expiry
 * (the `sale` filter, which the sandbox serves), then the candidates' memberships by phone until one
 * holds it; the client is remembered in the index. A server that refuses the filter, and a client
 * without a phone, end in "not found" without guessing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Membership } from '../../preload/contract';
import { findClientOf, LOOKUP_CANDIDATES, type ClientLookupDeps } from '../../main/core/index/phone-clients';
import { createIndexRepo, type IndexKey } from '../../main/core/index/repo';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { createHarness, type Harness } from '../support/batch-harness';

let sandbox: Sandbox | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

async function setUp() {
  sandbox = await startSandbox({ rate: null, extraMemberships: 30 });
  h = await createHarness(sandbox);
  const harness = h;
  const repo = createIndexRepo(harness.store.db, harness.store.transaction);
  const key = (chainId: number): IndexKey => ({ server: 'lookup-it', chainId });
  const deps: ClientLookupDeps = {
    api: () => harness.api,
    remember: (client, locationId, held: readonly Membership[]) => {
      for (const m of held) repo.rememberClient(key(m.chainId), m.id, client, locationId);
    },
    timezone: (locationId) => harness.chains.flatMap((c) => c.locations).find((l) => l.id === locationId)?.timezone ?? null,
  };
  const index = async (chainId: number, ids: number[]) => repo.upsert(key(chainId), await harness.api.membershipsByIds(chainId, ids));
  return { sandbox, h: harness, repo, key, deps, index };
}

const searches = (s: Sandbox) => s.control.stats().requestLog.filter((l) => l.includes('/clients/search')).length;
const byPhone = (s: Sandbox) => s.control.stats().requestLog.filter((l) => l.includes('loyalty/abonements?') && l.includes('phone=')).length;

describe('find the client of a membership', () => {
  it('filters clients by the membership type and expiry, reads their memberships by phone, and remembers the one holding it', async () => {
    const { sandbox, repo, key, deps, index } = await setUp();
    const k = sandbox.control.knownIds;
    const id = k.memberships.danaUnitedWeeks;
    await index(k.chains.northside, [id]);
    expect(repo.get(key(k.chains.northside), id)?.client).toBeNull();

    const found = await findClientOf(deps, { chainId: k.chains.northside, locationId: k.locations.chicago, membershipId: id });
    expect(found).toMatchObject({ client: { id: k.dana.clientId, name: k.dana.name }, refused: false });
    expect(found.checked).toBeGreaterThanOrEqual(1);
    expect(found.checked).toBeLessThanOrEqual(LOOKUP_CANDIDATES);
    // One filtered search, one memberships-by-phone read per candidate checked: never a scan.
    expect(searches(sandbox)).toBe(1);
    expect(byPhone(sandbox)).toBe(found.checked);
    expect(repo.get(key(k.chains.northside), id)?.client).toMatchObject({ id: k.dana.clientId, name: k.dana.name });
  }, 60_000);

  it('the sandbox\'s sale filter keeps only the clients holding such a membership', async () => {
    const { sandbox, h } = await setUp();
    const k = sandbox.control.knownIds;
    const m = (await h.api.membershipsByIds(k.chains.northside, [k.memberships.tokyoFreezable]))[0] as Membership;
    const all = await h.api.searchClients(k.locations.tokyo, '', { sale: { typeIds: [m.type.id] }, pageSize: 200 });
    expect(all.clients.map((c) => c.id)).toContain(k.haruto.clientId);
    const day = (m.expirationDate ?? '').slice(0, 10);
    const none = await h.api.searchClients(k.locations.tokyo, '', { sale: { typeIds: [m.type.id], expire: { from: '2001-01-01', to: '2001-01-02' } } });
    expect(none.total).toBe(0);
    const exact = await h.api.searchClients(k.locations.tokyo, '', { sale: { typeIds: [m.type.id], expire: { from: day, to: day } } });
    expect(exact.clients.map((c) => c.id)).toEqual([k.haruto.clientId]);
  }, 60_000);

  it('a server refusing the membership filter: falls back to the type alone, then says so; nothing is guessed', async () => {
    const { sandbox, repo, key, deps, index } = await setUp();
    const k = sandbox.control.knownIds;
    const id = k.memberships.tokyoFreezable;
    await index(k.chains.northside, [id]);
    sandbox.control.rejectSaleFilter(true);
    const found = await findClientOf(deps, { chainId: k.chains.northside, locationId: k.locations.tokyo, membershipId: id });
    expect(found).toEqual({ client: null, checked: 0, more: false, refused: true });
    // Both forms were tried (type and expiry, then the type alone); no phone was read.
    expect(searches(sandbox)).toBe(2);
    expect(byPhone(sandbox)).toBe(0);
    expect(repo.get(key(k.chains.northside), id)?.client).toBeNull();

    sandbox.control.rejectSaleFilter(false);
    expect((await findClientOf(deps, { chainId: k.chains.northside, locationId: k.locations.tokyo, membershipId: id })).client?.id).toBe(k.haruto.clientId);
  }, 60_000);

  it('a client without a phone cannot be confirmed: not found, no membership read by phone for it', async () => {
    const { sandbox, deps } = await setUp();
    const k = sandbox.control.knownIds;
    const found = await findClientOf(deps, { chainId: k.chains.northside, locationId: k.locations.chicago, membershipId: k.memberships.noPhoneClient });
    expect(found.client).toBeNull();
    expect(found.refused).toBe(false);
  }, 60_000);
});
