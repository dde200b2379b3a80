/**
 * The journal decodes its JSON columns by schema (issue 10: "journal rows are decoded, never cast"):
 * a stored value that does not fit fails with the column's name instead of travelling on as a
 * number[] or JobTotals that is not one. The payload columns are the op kind's to decode.
 */
import { describe, expect, it } from 'vitest';
import { createJournal, type NewOp } from '../../main/core/batch/journal';
import { decodePayload, isUnreadableStoredOp, opKind, UNREADABLE_STORED_OP } from '../../main/core/ops';
import { openStore } from '../../main/core/store';

const op: NewOp = {
  seq: 0,
  kind: 'set_balance',
  membershipId: 1,
  membershipNumber: '500001',
  chainId: 70114,
  body: { united: 6 },
  expect: { united: 5 },
  target: { united: 6 },
  rowLines: [2, 3],
  rowCount: 2,
  reason: 'r',
  sourceAuditId: null,
};

function setup() {
  const store = openStore(':memory:');
  const journal = createJournal(store.db);
  journal.createJob(
    {
      id: 'job-1',
      kind: 'apply',
      opKind: 'set_balance',
      fileName: 'f.csv',
      createdAt: new Date().toISOString(),
      profileId: 'p1',
      userId: 7,
      userName: 'Ann',
      chainId: 70114,
      locationId: 1,
      state: 'planned',
      delimiter: ';',
      totals: { rows: 2, toChange: 2, unchanged: 0, invalid: 0, memberships: 1 },
      undoOf: null,
    },
    [],
    [op],
  );
  return { store, journal };
}

describe('batch journal columns are decoded, never cast', () => {
  it('reads back what it stored', () => {
    const { journal } = setup();
    expect(journal.op('job-1', 0)).toMatchObject({ rowLines: [2, 3], state: 'pending' });
    expect(journal.job('job-1')).toMatchObject({ kind: 'apply', state: 'planned', totals: { rows: 2, memberships: 1 } });
  });

  it("an operation's row lines that are not line numbers fail, naming the column", () => {
    const { store, journal } = setup();
    store.db.prepare(`UPDATE batch_ops SET row_lines_json = '["two"]'`).run();
    expect(() => journal.op('job-1', 0)).toThrow(/row lines/);
  });

  it("a payload column that is no JSON reads as absent: the kind's codec refuses it by code, the rest of the op is read", () => {
    const { store, journal } = setup();
    store.db.prepare(`UPDATE batch_ops SET expect_json = '{"united":'`).run();
    const damaged = journal.op('job-1', 0)!;
    expect(damaged).toMatchObject({ kind: 'set_balance', membershipId: 1, expect: undefined, target: { united: 6 } });
    let thrown: unknown;
    try {
      decodePayload(opKind('set_balance'), damaged);
    } catch (e) {
      thrown = e;
    }
    expect(isUnreadableStoredOp(thrown)).toBe(true);
    expect(thrown).toMatchObject({ kind: 'server', code: UNREADABLE_STORED_OP });
  });

  it("a job's totals that are not counts fail, naming the column", () => {
    const { store, journal } = setup();
    store.db.prepare(`UPDATE batch_jobs SET totals_json = '{"rows":"many"}'`).run();
    expect(() => journal.job('job-1')).toThrow(/totals/);
  });
});
