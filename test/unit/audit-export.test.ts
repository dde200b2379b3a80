import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../preload/contract';
import { auditCsv } from '../../main/core/audit-export';

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
  action: 'set_balance',
  before: { united: 3 },
  after: { united: 5 },
  reason: 'Client complaint, two visits',
  outcome: 'ok',
  message: null,
  batchId: null,
  undoOf: null,
  undoneBy: null,
  ...over,
});

describe('auditCsv', () => {
  it('writes a BOM, the header and one CRLF line per entry, quoting and neutralising cells', () => {
    const { fileName, csv } = auditCsv([entry({}), entry({ id: 2, locationId: null, reason: '=HYPERLINK("x")', outcome: 'failed', message: 'Refused', undoOf: 1 })], new Date('2026-05-21T10:00:00Z'));
    expect(fileName).toBe('audit-log-2026-05-21.csv');
    expect(csv).toBe(
      '\uFEFFid,when,user,chain,location,membership_id,membership_number,action,before,after,reason,outcome,message,batch,undo_of,undone_by\r\n' +
        '1,2026-05-20T14:05:00.000Z,Alex Morgan,70114,512330,4471900,500001,set_balance,"{""united"":3}","{""united"":5}","Client complaint, two visits",ok,,,,\r\n' +
        '2,2026-05-20T14:05:00.000Z,Alex Morgan,70114,,4471900,500001,set_balance,"{""united"":3}","{""united"":5}","\'=HYPERLINK(""x"")",failed,Refused,,1,\r\n',
    );
  });
});
