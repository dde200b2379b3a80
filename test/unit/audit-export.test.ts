import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../preload/contract';
import { auditCsv } from '../../main/core/audit-export';
import { snap } from '../support/audit-snapshots';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: '2026-05-20T14:05:00.000Z',
  userName: 'Alex Morgan',
  userId: 7,
  profileId: 'p',
  chainId: 70114,
  locationId: 512330,
  membershipId: 4471900,
  membershipNumber: '500001',
  clientName: 'Dana Whitfield',
  action: 'set_balance',
  before: snap({ united: 3 }),
  after: snap({ united: 5 }),
  reason: 'Client complaint, two visits',
  outcome: 'ok',
  message: null,
  batchId: null,
  undoOf: null,
  undoneBy: null,
  ...over,
});

describe('auditCsv', () => {
  it('is Excel-friendly: BOM, the locale delimiter, local times, names, before → after in words; cells quoted and neutralised', () => {
    const { fileName, csv } = auditCsv(
      [
        entry({ id: 3, action: 'undo', undoOf: 1, before: snap({ united: 5 }), after: snap({ united: 3 }), reason: '', at: '2026-05-20T15:00:00.000Z' }),
        entry({ id: 2, locationId: null, clientName: null, reason: '=HYPERLINK("x")', outcome: 'failed', message: 'Refused; sorry', after: null }),
        entry({ undoneBy: 3 }),
      ],
      { timezone: 'America/Chicago', delimiter: ';', locationTitle: (id) => (id === 512330 ? 'Northside Fitness — Downtown' : undefined), now: new Date('2026-05-21T10:00:00Z') },
    );
    expect(fileName).toBe('audit-log-2026-05-21.csv');
    expect(csv).toBe(
      '\uFEFFWhen;Location;Membership №;Membership id;Client;User;What;Change;Reason;Result;Message;Batch\r\n' +
        '2026-05-20 10:00;Northside Fitness — Downtown;500001;4471900;Dana Whitfield;Alex Morgan;Undo of the balance change made 20 May 2026, 09:05;Shared balance: 5 → 3;;Done;;\r\n' +
        '2026-05-20 09:05;;500001;4471900;;Alex Morgan;Balance change;;"\'=HYPERLINK(""x"")";Failed;"Refused; sorry";\r\n' +
        '2026-05-20 09:05;Northside Fitness — Downtown;500001;4471900;Dana Whitfield;Alex Morgan;Balance change;Shared balance: 3 → 5;Client complaint, two visits;"Done; undone by Alex Morgan, 20 May 2026, 10:00";;\r\n',
    );
  });
});
