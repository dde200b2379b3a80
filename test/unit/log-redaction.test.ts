import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../main/core/log';

describe('log redaction', () => {
  it('masks Authorization headers, tokens and passwords by key and by value', () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l));
    log.error('request failed: Authorization: Bearer p4rtn3rT0k3n, User us3rT0k3n', {
      headers: { Authorization: 'Bearer p4rtn3rT0k3n, User us3rT0k3n', Accept: 'application/vnd.api.v2+json' },
      password: 'hunter2-secret',
      nested: { userToken: 'us3rT0k3n', partner_token: 'p4rtn3rT0k3n', list: ['Bearer p4rtn3rT0k3n'] },
      membershipId: 4471900,
    });
    const text = lines.join('\n');
    for (const secret of ['p4rtn3rT0k3n', 'us3rT0k3n', 'hunter2-secret']) expect(text).not.toContain(secret);
    expect(text).toContain('4471900');
    expect(text).toContain('application/vnd.api.v2+json');
  });

  it('never lets a Bearer/User token through, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[A-Za-z0-9]{8,40}$/), fc.string(), (before, token, after) => {
        const out = JSON.stringify(redact({ message: `${before} Bearer ${token}, User ${token} ${after}` }));
        expect(out).not.toContain(`Bearer ${token}`);
        expect(out).not.toContain(`User ${token}`);
      }),
    );
  });
});
