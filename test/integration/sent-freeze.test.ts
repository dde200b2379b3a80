/**
 * The app's freeze date on the card (memberships/sent-freeze.ts) over a real SQLite file: an audit
 * log written before migration 13 (no `lifted_at`) keeps working after it; a read that saw the
 * membership not frozen ends our freeze's date for good, also after the app is restarted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSentFreezeDates } from '../../main/core/memberships/sent-freeze';
import { migrate, migrations } from '../../main/core/store/migrations';
import { openStore, type Store } from '../../main/core/store/store';
import { snap } from '../support/audit-snapshots';
import { exampleMembership } from '../support/memberships';

const CHAIN = 70114;
const LOC = 512330;
const ID = 9001;
// 10:00 in Chicago on 6 May; the freeze the app sent runs until 8 May.
const NOW = new Date('2026-05-06T15:00:00Z');
const SENT = '2026-05-08';

let dir: string;
let file: string;
const open: Store[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-sent-freeze-'));
  file = join(dir, 'desk.db');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const reopen = (): Store => {
  const s = openStore(file);
  open.push(s);
  return s;
};
const datesAt = (s: Store, now: Date) => createSentFreezeDates({ audit: s.audit, transaction: (fn) => s.transaction(fn), zoneOf: () => 'America/Chicago', now: () => now });
const frozenNoDate = exampleMembership({ id: ID, chainId: CHAIN, isFrozen: true, freezeTill: null });

/** The app's freeze as a version from before migration 13 wrote it (its columns then, no `lifted_at`). */
function oldFreezeRow(db: Database.Database): void {
  db.prepare(
    `INSERT INTO audit (at, user_name, user_id, profile_id, chain_id, location_id, membership_id, membership_number, action, before_json, after_json, reason, outcome)
     VALUES ('2026-05-06T14:00:00.000Z', 'Dana', 1, 'p1', ?, ?, ?, '100-200', 'freeze', ?, ?, '', 'ok')`,
  ).run(CHAIN, LOC, ID, JSON.stringify({ ...snap(), request: { freezeTill: SENT } }), JSON.stringify(snap({ isFrozen: true })));
}

describe('sent freeze dates on a store migrated from before migration 13', () => {
  it("an older freeze keeps its date while not past; once a read saw the membership not frozen, never again (across a restart)", () => {
    const db = new Database(join(dir, 'desk.db'));
    migrate(db, migrations.slice(0, 12));
    oldFreezeRow(db);
    db.close();

    const s = reopen();
    expect(datesAt(s, NOW).shown(frozenNoDate)).toMatchObject({ freezeTill: SENT, freezeTillSource: 'app' });
    // Past its day in the location's zone (9 May in Chicago): that freeze has ended.
    expect(datesAt(s, new Date('2026-05-09T06:00:00Z')).shown(frozenNoDate)).toMatchObject({ freezeTill: null });
    // On its last day, still shown.
    expect(datesAt(s, new Date('2026-05-09T04:00:00Z')).shown(frozenNoDate)).toMatchObject({ freezeTill: SENT });

    // A read begun before that freeze was written does not end it; one begun after it does.
    const dates = datesAt(s, NOW);
    dates.saw([{ ...frozenNoDate, isFrozen: false }], 0);
    expect(dates.shown(frozenNoDate)).toMatchObject({ freezeTill: SENT });
    dates.saw([{ ...frozenNoDate, isFrozen: true }], dates.mark());
    expect(dates.shown(frozenNoDate)).toMatchObject({ freezeTill: SENT });
    dates.saw([{ ...frozenNoDate, isFrozen: false }], dates.mark());
    expect(dates.shown(frozenNoDate).freezeTill).toBeNull();
    s.close();
    open.splice(0);

    const again = reopen();
    const shown = datesAt(again, NOW).shown(frozenNoDate);
    expect(shown.freezeTill).toBeNull();
    expect(shown.freezeTillSource).toBeUndefined();
  });
});
