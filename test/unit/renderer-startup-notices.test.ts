import { describe, expect, it } from 'vitest';
import { startupNoticeText } from '../../renderer/src/lib/startup-notices';

describe('start-up notice: a damaged database kept aside', () => {
  it('says where the file was kept, and for an unfinished batch what to check in Altegio', () => {
    const t = startupNoticeText({
      code: 'database_recovered',
      keptAs: '/home/desk/.config/Membership Desk/membership-desk.damaged-2026-05-06T10-00-00Z.db',
      unfinished: [{ fileName: 'march.csv', userName: 'Dana', applied: 2, notSent: 1, uncertainCount: 3, uncertain: ['M-1', 'M-2'] }],
    });
    const text = t.paragraphs.join('\n');
    expect(text).toContain('membership-desk.damaged-2026-05-06T10-00-00Z.db');
    expect(text).toMatch(/“march\.csv” \(started by Dana\) had not finished: 2 memberships were changed, 1 was not sent yet\. Do not apply the same file again as it is/);
    expect(text).toMatch(/For 3 memberships the change was sent but the answer was not recorded/);
    expect(t.checks).toEqual([{ batch: 'march.csv', numbers: ['M-1', 'M-2'], more: 1 }]);
  });

  it('says so when the kept file could not be read', () => {
    const t = startupNoticeText({ code: 'database_recovered', keptAs: 'x.db', unfinished: null });
    expect(t.paragraphs.at(-1)).toMatch(/could not be read to see whether a batch was running/);
    expect(t.checks).toEqual([]);
  });
});
