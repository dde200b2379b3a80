import { describe, expect, it } from 'vitest';
import { errorKinds, type DeskError } from '../../preload/contract';
import { describeError, errorHeading, errorLine, fieldError, retryInWords } from '../../renderer/src/lib/errors';

describe('renderer error words', () => {
  it('has plain words for every error kind', () => {
    for (const kind of errorKinds) {
      const h = errorHeading(kind);
      expect(h.length).toBeGreaterThan(10);
      expect(h).not.toMatch(/_/); // no raw kind names
    }
  });

  it('keeps the core message as the detail, not repeated', () => {
    const e: DeskError = { kind: 'validation', message: 'Freeze period exceeds limit' };
    expect(describeError(e)).toEqual({ heading: 'Altegio did not accept this.', detail: 'Freeze period exceeds limit', serverWords: null, fields: {} });
    expect(errorLine(e)).toBe('Altegio did not accept this. Freeze period exceeds limit');
    const same: DeskError = { kind: 'offline', message: errorHeading('offline') };
    expect(describeError(same).detail).toBeNull();
  });

  it('says when to retry after a rate limit', () => {
    expect(describeError({ kind: 'rate_limited', message: '', retryAfterMs: 30_000 }).heading).toContain('in about 30 seconds');
    expect(retryInWords(500)).toBe('in a second');
    expect(retryInWords(60_000)).toBe('in about a minute');
    expect(retryInWords(150_000)).toBe('in about 3 minutes');
  });

  it('finds a field message by exact key or prefix', () => {
    const e: DeskError = { kind: 'bad_input', message: 'x', fields: { login: 'Enter your login', 'services.1.balance': 'Too big' } };
    expect(fieldError(e, 'login')).toBe('Enter your login');
    expect(fieldError(e, 'services.1')).toBe('Too big');
    expect(fieldError(e, 'password')).toBeNull();
    expect(fieldError(null, 'login')).toBeNull();
  });
});
