/**
 * Every failure the core can show a person carries its message by reference (a catalog key and
 * parameters, worded in each language), or is Altegio's own words (DeskFailure.fromServer). The
 * type refuses a sentence (the @ts-expect-error lines below fail `tsc` the day it accepts one), the
 * constructor refuses one slipped in through a cast, and only the places that pass Altegio's words
 * on may call fromServer. Then: a few converted failures as the renderer words them in Russian.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { UiLanguage } from '../../common/i18n/languages';
import { fromStored } from '../../common/i18n/stored';
import { msg, type Msg } from '../../common/i18n/translate';
import { failureFromHttp, offlineFailure } from '../../main/core/altegio/failures';
import { unreadable } from '../../main/core/altegio/wire';
import { dispatch, type Handlers } from '../../main/core/dispatch';
import { DeskFailure, storedOf } from '../../main/core/errors';
import { deskFailure } from '../../main/core/jobs/desk';
import { opKind } from '../../main/core/ops';
import { describeError } from '../../renderer/src/lib/errors';
import { says } from '../../renderer/src/lib/format';
import { bindLanguage, loadLanguage } from '../../renderer/src/lib/i18n';

let current: UiLanguage = 'en';
bindLanguage(() => current);
afterAll(() => bindLanguage(() => 'en'));

async function use(lang: UiLanguage): Promise<void> {
  await loadLanguage(lang);
  current = lang;
}

const CORE = join(import.meta.dirname, '../../main/core');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });

/** The files that pass Altegio's own words on as a failure's message. */
const SERVER_WORDS_FROM = ['altegio/failures.ts', 'jobs/desk.ts'];

const ctx = { isAuth: false, secrets: [] };

describe('a failure is worded by reference, never in English', () => {
  it('the type refuses a sentence; the constructor refuses one slipped in through a cast', () => {
    // @ts-expect-error a sentence is not a message by reference
    expect(() => new DeskFailure('validation', 'This batch is already finished.')).toThrow(TypeError);
    // @ts-expect-error field words are by reference too (Altegio's go in serverFields)
    expect(() => new DeskFailure('validation', msg('error.app.sayWhy'), { fields: { reason: 'Say why.' } })).toThrow(TypeError);
    expect(() => new DeskFailure('server', 'Closures are not available here.' as unknown as Msg)).toThrow(/messages by reference/);
    const f = new DeskFailure('validation', msg('error.app.batchFinished'));
    expect(f).toMatchObject({ message: 'This batch is already finished.', msg: { key: 'error.app.batchFinished' }, messageIsServers: false });
  });

  it('only the places that pass Altegio’s words on call fromServer', () => {
    const callers = sources(CORE)
      .filter((path) => /DeskFailure\.fromServer\(/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(CORE, path).split('\\').join('/'));
    expect(callers.sort()).toEqual(SERVER_WORDS_FROM);
  });

  it('Altegio’s own words stay as they came, with their origin', () => {
    const f = failureFromHttp(422, { success: false, meta: { message: 'Абонемент уже заморожен' } }, ctx);
    expect(f).toMatchObject({ message: 'Абонемент уже заморожен', messageIsServers: true, msg: undefined, origin: 'altegio', code: 'altegio.validation' });
    expect(DeskFailure.fromServer('not_found', 'Запись не найдена').origin).toBe('altegio');
    // A desk write's row text is Altegio's words; the app's are by reference.
    expect(deskFailure({ state: 'failed', message: 'Нельзя', failure: 'validation', membership: null })).toMatchObject({ message: 'Нельзя', messageIsServers: true });
    expect(deskFailure({ state: 'failed', message: null, failure: 'validation', membership: null })?.msg).toEqual({ key: 'error.app.changeFailed' });
  });

  it('every answer the app explains itself carries its words by reference (the English for logs unchanged)', () => {
    const answers: Array<[number, unknown]> = [
      [401, {}],
      [402, {}],
      [403, {}],
      [403, { meta: { message: 'Bad partner token' } }],
      [404, {}],
      [409, {}],
      [422, {}],
      [429, {}],
      [500, {}],
    ];
    for (const [status, body] of answers) {
      const f = failureFromHttp(status, body, ctx);
      expect(f.msg, `HTTP ${status}`).toBeDefined();
      expect(f.messageIsServers).toBe(false);
    }
    expect(failureFromHttp(401, {}, ctx).message).toBe('Your sign-in has expired. Enter your password again.');
    expect(failureFromHttp(500, {}, ctx).message).toBe('Altegio is having trouble answering right now. Try again in a minute.');
    expect(offlineFailure().msg).toEqual({ key: 'error.code.offline' });
  });
});

describe('converted failures in Russian', () => {
  it('Altegio’s failures: the detail under the heading, and the whole sentence in a report or the audit', async () => {
    await use('ru');
    const busy = failureFromHttp(500, {}, ctx);
    expect(describeError(busy.toData())).toMatchObject({ heading: 'У Altegio возникла проблема с ответом. Повторите через минуту.', detail: null });
    // A batch row keeps the failure by reference: the report in Russian says it in Russian.
    expect(says(fromStored(storedOf(busy)).msg!)).toBe('У Altegio сейчас проблемы с ответом. Попробуйте снова через минуту.');
    const refused = failureFromHttp(403, {}, ctx);
    expect(describeError(refused.toData()).detail).toBe('Попросите владельца аккаунта Altegio выдать это право.');
    expect(says(refused.msg!)).toBe('У вашей учётной записи Altegio нет права на это. Попросите владельца аккаунта выдать его.');
    expect(describeError(unreadable().toData()).detail).toBe('Altegio прислал ответ, который приложение не смогло прочитать.');
    await use('en');
  });

  it('the app’s own refusals', async () => {
    await use('ru');
    const other = new DeskFailure('forbidden', msg('error.app.batchOtherUser', { user: 'Алекс' })).toData();
    expect(describeError(other).detail).toBe('Этот пакет принадлежит пользователю Алекс. Чтобы запустить его, войдите как Алекс: так его изменения останутся записаны на этого пользователя.');
    expect(says(msg('error.app.badValue', { what: 'membership' }))).toBe('Абонемент указан неверно.');
    expect(() => opKind('set_period_nope')).toThrow(expect.objectContaining({ msg: { key: 'error.app.unknownOpKind', params: { name: 'set_period_nope' } } }));
    const unknown = await dispatch({} as Handlers, 'fs.readFile', {});
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(describeError(unknown.error).detail).toBe('Приложение не знает такого запроса. Перезапустите приложение; если ошибка повторяется, обновите его.');
    await use('es');
    expect(describeError(new DeskFailure('not_found', msg('error.app.membershipNotListed')).toData()).detail).toBe('Altegio ya no muestra este abono.');
    await use('en');
  });
});
