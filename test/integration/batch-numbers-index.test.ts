/**
 * Issue 13 item 2: a batch file that names memberships by their NUMBER only (what the card shows,
 * no client phone). Once the chain's membership index has been read on this computer, each number
 * resolves through it and the membership is read by its id (pages of ids, no lookup per phone);
 * before the index is read the file is refused as before (the phone column is needed), and a
 * number the index does not know is a problem of its row. Sandbox over real HTTP, the real store on
 * a SQLite file, the app's index service doing a real first read of the chain.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Membership, SessionState } from '../../preload/contract';
import { createIndexService, type IndexService } from '../../main/core/index/service';
import { silentLogger } from '../../main/core/log';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { applyCheck, checkText, createHarness, type Harness } from '../support/batch-harness';
import { settledBatch, settledIndex } from '../support/settled';

let sandbox: Sandbox;
let h: Harness;
let index: IndexService | null = null;

beforeEach(async () => {
  sandbox = await startSandbox({ rate: null });
  // The batch asks the index only when a file is checked (as the app wires it).
  h = await createHarness(sandbox, { numberIndex: (chainId) => index?.numberIndex(chainId) ?? null });
  const state: SessionState = {
    status: 'signed_in',
    profile: { id: 'p1', name: h.userName, login: sandbox.login, userId: 1, serverUrl: sandbox.url, demo: true, lastChainId: null, lastLocationId: null },
    profiles: [],
    chains: h.chains,
    selection: null,
  };
  index = createIndexService({
    db: h.store.db,
    transaction: h.store.transaction,
    session: { snapshot: () => state, api: () => h.api },
    limiter: h.limiter,
    emit: (status) => h.events.emit('index.progress', status),
    timezone: () => 'America/Chicago',
    log: silentLogger,
  });
});
afterEach(async () => {
  await index?.close();
  index = null;
  await h?.close();
  await sandbox?.close();
});

describe('a batch file with membership numbers and no phone', () => {
  it('is refused before the index is read; once read, numbers resolve through it without phone lookups', async () => {
    const known = sandbox.control.knownIds;
    const chainId = known.chains.northside;
    const place = { chainId, locationId: known.dana.locationId };
    const [weeks, drop] = (await h.api.membershipsByIds(chainId, [known.memberships.danaUnitedWeeks, known.memberships.perCategory])) as [Membership, Membership];
    const csv = `membership number;change;reason\r\n№ ${weeks.number};+2;fix\r\n${drop.number};+1;fix\r\n99999999;+1;fix\r\n`;

    // Not read yet: today's rule (a number needs the phone).
    const before = await checkText(h.svc, place, csv);
    expect(before.checkId).toBeNull();
    expect(before.problems.map((p) => p.message)).toEqual(['To find memberships by number, the client phone column is needed too.']);

    index?.sync(chainId);
    expect(await settledIndex({ index: index!, events: h.events }, chainId)).toMatchObject({ state: 'ready' });

    const check = await checkText(h.svc, place, csv);
    expect(check.lookups).toMatchObject({ phones: 0 });
    expect(check.totals).toMatchObject({ rows: 3, toChange: 2, invalid: 1 });
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatchObject({ line: 4 });
    expect(check.problems[0]?.message).toContain('99999999');
    const preview = await h.svc.rows({ checkId: check.checkId as string, offset: 0, limit: 10 });
    expect(preview.rows.map((r) => [r.membership, r.membershipId, r.status])).toEqual([
      [weeks.number, weeks.id, 'change'],
      [drop.number, drop.id, 'change'],
      ['99999999', null, 'invalid'],
    ]);

    const { batchId } = await applyCheck(h.svc, check);
    await expect(settledBatch(h, batchId)).resolves.toBe('done');
    const after = await h.api.membershipsByIds(chainId, [weeks.id, drop.id]);
    const united = (m: Membership | undefined) => (m?.balance.kind === 'united' ? m.balance.count : null);
    expect(united(after.find((m) => m.id === weeks.id))).toBe(united(weeks) === null ? null : (united(weeks) as number) + 2);
  });
});
