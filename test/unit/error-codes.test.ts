/**
 * Issue 10 point 6: every failure carries a stable, specific `code`. A failure that names none gets
 * its message's catalog key (Altegio's own words: `<origin>.<kind>`), so two failures that say
 * different things never share a code, and no code is a bare kind (`validation`, `conflict`…) that
 * says nothing the kind does not. The core's failures are built here as the core builds them.
 */
import { describe, expect, it } from 'vitest';
import { msg } from '../../common/i18n/translate';
import { failureFromHttp, notConfigured, offlineFailure } from '../../main/core/altegio/failures';
import { unreadable } from '../../main/core/altegio/wire';
import { DeskFailure, toDeskError } from '../../main/core/errors';
import { deskFailure } from '../../main/core/jobs/desk';
import { notAPhone } from '../../main/core/phone';
import { StorageFault } from '../../main/core/store/fault';
import { ErrorKind } from '../../preload/contract';

const KINDS: readonly string[] = ErrorKind.options;

describe('failure codes', () => {
  it('the app’s own refusals of one kind carry different codes: their messages’ catalog keys', () => {
    const finished = new DeskFailure('validation', msg('error.app.batchFinished'));
    const sayWhy = new DeskFailure('validation', msg('error.app.sayWhy'), { fields: { reason: msg('error.app.sayWhy') } });
    const gone = new DeskFailure('conflict', msg('error.app.alreadyUndone', { entry: 4 }));
    const gone2 = new DeskFailure('conflict', msg('error.app.alreadyUndone', { entry: 5 }));
    expect([finished.code, sayWhy.code, gone.code]).toEqual(['error.app.batchFinished', 'error.app.sayWhy', 'error.app.alreadyUndone']);
    // The same failure about another entry is the same failure: its parameters are not in the code.
    expect(gone2.code).toBe(gone.code);
    expect(finished.toData()).toMatchObject({ kind: 'validation', origin: 'app', code: 'error.app.batchFinished' });
  });

  it('Altegio’s own words name the answer as failureFromHttp does; a code given is kept', () => {
    expect(DeskFailure.fromServer('validation', 'Абонемент уже заморожен').code).toBe('altegio.validation');
    expect(DeskFailure.fromServer('not_found', 'Нет', { origin: 'network' }).code).toBe('network.not_found');
    expect(new DeskFailure('bad_input', msg('error.app.unknownRequest'), { code: 'app.unknown_channel' }).code).toBe('app.unknown_channel');
  });

  it('no failure the core builds has a bare kind for a code, and different ones never share one', () => {
    const built: DeskFailure[] = [
      new DeskFailure('validation', msg('error.app.batchFinished')),
      new DeskFailure('validation', msg('error.app.balanceUnchanged')),
      new DeskFailure('conflict', msg('error.app.dataLocked', { pid: 1 })),
      new DeskFailure('conflict', msg('batch.otherRunning')),
      new DeskFailure('not_found', msg('error.app.batchGone')),
      new DeskFailure('bad_input', msg('batch.file.noRows')),
      new DeskFailure('auth_expired', msg('error.app.sessionExpired')),
      new DeskFailure('keychain_unavailable', msg('error.app.keychainRetry')),
      notAPhone(),
      notConfigured('NOT_SIGNED_IN'),
      notConfigured('PARTNER_TOKEN_MISSING'),
      offlineFailure(),
      unreadable(),
      new StorageFault('disk_full'),
      failureFromHttp(409, {}, { isAuth: false, secrets: [] }),
      failureFromHttp(422, { meta: { message: 'Нельзя' } }, { isAuth: false, secrets: [] }),
      deskFailure({ state: 'failed', message: null, failure: 'validation', membership: null })!,
    ];
    const codes = built.map((f) => f.code);
    for (const code of codes) expect(KINDS, code).not.toContain(code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(toDeskError(new Error('boom')).code).toBe('app.internal');
  });
});
