/**
 * Issue 13 item 3: a batch names the client in its audit entries where the app knows it. Rows by
 * number + phone against the sandbox over real HTTP, the real store on a SQLite file: the index has
 * seen Dana (with her phone) with one of her memberships only; a batch row names another of hers by
 * number + phone. Before, that entry had no client (the phone list does not name clients and the
 * index did not know that membership); a phone nobody was seen with stays without a name.
 */
import Papa from 'papaparse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { createIndexRepo } from '../../main/core/index/repo';
import type { Membership } from '../../preload/contract';
import { applyCheck, checkText, createHarness, type Harness } from '../support/batch-harness';
import { settledBatch } from '../support/settled';

let sandbox: Sandbox;
let h: Harness;

beforeEach(async () => {
  sandbox = await startSandbox({ rate: null });
  h = await createHarness(sandbox);
});
afterEach(async () => {
  await h?.close();
  await sandbox?.close();
});

describe('batch preview rows and audit entries name the client', () => {
  it('a phone row of a client the index saw with that phone carries her name (preview and audit); an unknown phone none', async () => {
    const known = sandbox.control.knownIds;
    const { dana, marcus, memberships: M } = known;
    const chainId = known.chains.northside;
    const read = async (id: number) => (await h.api.membershipsByIds(chainId, [id]))[0] as Membership;
    const weeks = await read(M.danaUnitedWeeks);
    const category = await read(M.perCategory);

    // What the desk's search left: Dana seen (her phone written with marks) with another membership.
    // The harness's profile is not a saved one: its index server is the demo's.
    expect(dana.phoneDigits).toBe('15125550142');
    const repo = createIndexRepo(h.store.db, h.store.transaction);
    repo.rememberClient({ server: 'demo', chainId }, M.danaPerServiceFreezable, { id: dana.clientId, name: dana.name, phone: '+1 (512) 555-0142' }, dana.locationId);

    // The file writes Dana's phone in digits only (the index has it as Altegio writes it).
    const csv = `number;phone;delta;reason\r\n${weeks.number};${dana.phoneDigits};+1;fix\r\n${category.number};${marcus.phone};+1;fix\r\n`;
    const check = await checkText(h.svc, { chainId, locationId: dana.locationId }, csv, { lookups: true });
    expect(check.problems).toEqual([]);
    expect(check.totals).toMatchObject({ toChange: 2, invalid: 0 });
    // The preview names her beside the number; the unknown phone's row names nobody.
    const preview = await h.svc.rows({ checkId: check.checkId as string, offset: 0, limit: 10 });
    expect(preview.rows.map((r) => [r.membership, r.client])).toEqual([
      [weeks.number, dana.name],
      [category.number, null],
    ]);
    const { batchId } = await applyCheck(h.svc, check);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');

    const audit = h.store.audit.list({ limit: 100 }).filter((e) => e.batchId === batchId);
    expect(audit).toHaveLength(2);
    const byId = new Map(audit.map((e) => [e.membershipId, e]));
    expect(byId.get(M.danaUnitedWeeks)).toMatchObject({ outcome: 'ok', clientName: dana.name });
    expect(byId.get(M.perCategory)).toMatchObject({ outcome: 'ok', clientName: null });
  });
  it('an audit entry and a batch row written before the client was known name her once the app has seen her with it (a read-time join)', async () => {
    const known = sandbox.control.knownIds;
    const { dana } = known;
    const chainId = known.chains.northside;
    const M = known.memberships;
    const weeks = (await h.api.membershipsByIds(chainId, [M.danaUnitedWeeks]))[0] as Membership;

    // A row by id: the app has never seen this membership with a client.
    const csv = `membership_id;delta;reason\r\n${weeks.id};+1;fix\r\n`;
    const check = await checkText(h.svc, { chainId, locationId: dana.locationId }, csv);
    expect(check.problems).toEqual([]);
    const { batchId } = await applyCheck(h.svc, check);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');
    const entry = () => h.store.audit.list({ limit: 100 }).find((e) => e.batchId === batchId);
    const rows = async () => (await h.svc.rows({ batchId, offset: 0, limit: 10 })).rows.map((r) => [r.membership, r.client]);
    expect(entry()).toMatchObject({ membershipId: weeks.id, clientName: null });
    expect(await rows()).toEqual([[weeks.number, null]]);

    // Later the desk finds Dana with that membership (what a search or her card leaves in the index).
    createIndexRepo(h.store.db, h.store.transaction).rememberClient({ server: 'demo', chainId }, weeks.id, { id: dana.clientId, name: dana.name, phone: dana.phone }, dana.locationId);
    expect(entry()).toMatchObject({ membershipId: weeks.id, clientName: dana.name });
    expect(h.store.audit.get(entry()?.id as number)?.clientName).toBe(dana.name);
    expect(await rows()).toEqual([[weeks.number, dana.name]]);
    // The report too, in its client column.
    const report = Papa.parse<string[]>((await h.svc.report({ batchId, delimiter: ';' })).csv.slice(1), { delimiter: ';', skipEmptyLines: true }).data;
    expect(report[0]?.at(-1)).toBe('client');
    expect(report[1]?.at(-1)).toBe(dana.name);
    // A join, not a copy: the stored entry still has no name of its own.
    const stored = h.store.db.prepare('SELECT client_name FROM audit WHERE id = ?').get(entry()?.id) as { client_name: string | null };
    expect(stored.client_name).toBeNull();
  });
});
