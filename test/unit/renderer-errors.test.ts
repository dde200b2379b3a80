import { describe, expect, it } from 'vitest';
import { errorKinds, type DeskError } from '../../preload/contract';
import { describeError, errorHeading, errorLine, fieldError, retryInWords, unplacedError } from '../../renderer/src/lib/errors';

describe('renderer error words', () => {
  it('has plain words for every error kind', () => {
    for (const kind of errorKinds) {
      const h = errorHeading(kind);
      expect(h.length).toBeGreaterThan(10);
      expect(h).not.toMatch(/_/); // no raw kind names
    }
  });

  it("Altegio's refusal in its words; the app's own refusal is not called Altegio's", () => {
    const altegio: DeskError = { kind: 'validation', code: 'altegio.validation', origin: 'altegio', message: 'Freeze period exceeds limit', messageIsServers: true, serverMessage: 'Freeze period exceeds limit' };
    expect(describeError(altegio)).toEqual({ heading: 'Altegio did not accept this.', detail: 'Freeze period exceeds limit', serverWords: null, fields: {} });
    expect(errorLine(altegio)).toBe('Altegio did not accept this. Freeze period exceeds limit');
    const own: DeskError = { kind: 'validation', code: 'validation', origin: 'app', message: 'The freeze would end after the allowance.' };
    expect(describeError(own).heading).toBe('The app cannot do this as entered.');
    expect(describeError(own).detail).toBe('The freeze would end after the allowance.');
  });

  it('words a failure by its code from the catalog, with Altegio’s words beside it', () => {
    const e: DeskError = { kind: 'validation', code: 'altegio.wrong_credentials', origin: 'altegio', message: 'core English', serverMessage: 'Неверный пароль' };
    expect(describeError(e)).toMatchObject({ detail: 'Wrong login or password. Check them and try again.', serverWords: 'Altegio said: "Неверный пароль"' });
    const offline: DeskError = { kind: 'offline', code: 'network.offline', origin: 'network', message: 'core English' };
    expect(describeError(offline)).toMatchObject({ heading: errorHeading('offline'), detail: null });
  });

  it('words the core’s message by reference before the English message, after the code’s words (which complete the heading)', () => {
    const e: DeskError = { kind: 'server', code: 'app.internal', origin: 'app', message: 'core English', msg: { key: 'error.app.internal' }, fieldMsgs: { reason: { key: 'error.app.internal' } }, fields: { reason: 'core English' } };
    expect(describeError(e)).toMatchObject({ heading: 'Something went wrong inside the app.', detail: 'Try again; if it keeps happening, restart the app.' });
    expect(fieldError(e, 'reason')).toBe('Try again; if it keeps happening, restart the app.');
    const coded: DeskError = { kind: 'validation', code: 'altegio.validation', origin: 'app', message: 'core English', msg: { key: 'error.app.internal' } };
    expect(describeError(coded).detail).toBe('Check the values and try again.');
    // The whole sentence by reference (for reports and the audit) does not repeat the heading on screen.
    const busy: DeskError = { kind: 'rate_limited', code: 'altegio.rate_limited', origin: 'altegio', message: 'core English', msg: { key: 'error.code.rateLimited' }, retryAfterMs: 30_000 };
    expect(describeError(busy)).toMatchObject({ heading: 'Altegio is busy with too many requests right now. Try again in about 30 seconds.', detail: null });
  });

  it('the window losing the app is not "no internet"', () => {
    const e: DeskError = { kind: 'server', code: 'shell.unreachable', origin: 'shell', message: 'The app could not reach its own service.' };
    expect(describeError(e).heading).toBe('This window lost contact with the app.');
    expect(describeError(e).heading).not.toBe(errorHeading('offline'));
  });

  it('says when to retry after a rate limit', () => {
    expect(describeError({ kind: 'rate_limited', code: 'altegio.rate_limited', origin: 'altegio', message: '', retryAfterMs: 30_000 }).heading).toContain('in about 30 seconds');
    expect(retryInWords(500)).toBe('in a second');
    expect(retryInWords(60_000)).toBe('in about a minute');
    expect(retryInWords(150_000)).toBe('in about 3 minutes');
  });

  it('finds a field message by exact key or prefix', () => {
    const e: DeskError = { kind: 'bad_input', code: 'app.bad_arguments', origin: 'app', message: 'x', fields: { login: 'Enter your login', 'services.12840551': 'Too big' } };
    expect(fieldError(e, 'login')).toBe('Enter your login');
    expect(fieldError(e, 'services.12840551')).toBe('Too big');
    expect(fieldError(e, 'password')).toBeNull();
    expect(fieldError(null, 'login')).toBeNull();
  });

  it("a dialog's general box shows an error unless every field message has its place in the dialog", () => {
    const refusal = (fields?: Record<string, string>): DeskError => ({ kind: 'validation', code: 'altegio.validation', origin: 'altegio', message: 'Altegio', messageIsServers: true, ...(fields && { fields }) });
    const dialog = ['reason', 'services.12840551'];
    // [fields of the error, shown in the general box]
    const cases: Array<[Record<string, string> | undefined, boolean]> = [
      [undefined, true],
      [{ 'services.12840551': 'Must be at least 0.' }, false],
      [{ 'services.12840551.balance': 'Must be at least 0.' }, false],
      [{ reason: 'Say why.', 'services.12840551': 'Must be at least 0.' }, false],
      [{ 'services.9911201': 'Not a line of this dialog' }, true],
      [{ 'services.12840551': 'Must be at least 0.', _: 'The membership is archived.' }, true],
      [{ _: 'The membership is archived.' }, true],
      [{ 'services.128405510': 'A longer id is another service' }, true],
    ];
    for (const [fields, shown] of cases) expect(unplacedError(refusal(fields), dialog) !== null, JSON.stringify(fields)).toBe(shown);
    expect(unplacedError(null, dialog)).toBeNull();
    expect(unplacedError({ ...refusal(), fieldIssues: { reason: { code: 'required' } } }, dialog)).toBeNull();
  });
});
