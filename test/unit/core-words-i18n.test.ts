/**
 * The core's own messages reach the renderer by reference (key + parameters) and are worded in the
 * language in use: a failure (DeskFailure.msg, DeskError.msg), a job row's decision (stored in the
 * journal as a message, read back beside its English) and a plan's or period rule's words. The
 * English (`message`) stays for logs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { UiLanguage } from '../../common/i18n/languages';
import { fromStored, storedText } from '../../common/i18n/stored';
import { msg } from '../../common/i18n/translate';
import { inEnglish, momentParam } from '../../common/i18n/words';
import { wordsIn } from '../../main/core/words';
import { periodAvailability } from '../../common/period-rules';
import { DeskFailure, toDeskError } from '../../main/core/errors';
import { decide } from '../../main/core/jobs/decide';
import { setBalanceOp, unfreezeOp } from '../../main/core/ops';
import { StorageFault } from '../../main/core/store/fault';
import type { BatchPlanRow, Rights } from '../../preload/contract';
import { rowStatusWords } from '../../renderer/src/lib/batch';
import { describeError, fieldError } from '../../renderer/src/lib/errors';
import { says } from '../../renderer/src/lib/format';
import { bindLanguage, loadLanguage } from '../../renderer/src/lib/i18n';
import { exampleMembership } from '../support/memberships';

let current: UiLanguage = 'en';
bindLanguage(() => current);
afterAll(() => bindLanguage(() => 'en'));

async function use(lang: UiLanguage): Promise<void> {
  await loadLanguage(lang);
  current = lang;
}

const ALL: Rights = { periodEdit: true, balanceEdit: true } as Rights;
const ctx = { cancelling: false, maxAttempts: 3, patient: false };

/** A row as the batch screen gets it: the decision stored in the journal and read back. */
function rowOf(status: BatchPlanRow['status'], message: ReturnType<typeof storedText>): Pick<BatchPlanRow, 'status' | 'message' | 'msg'> {
  const back = fromStored(message);
  return { status, message: back.text, msg: back.msg };
}

describe('the core’s messages in the language in use', () => {
  it('a failure: English for logs, the renderer’s words in Russian', async () => {
    const f = new DeskFailure('conflict', msg('error.app.alreadyUndone', { entry: 42 }), { fields: { reason: msg('error.app.sayWhy') } });
    expect(f.message).toBe('This change was already undone (entry 42).');
    const data = f.toData();
    expect(data.msg).toEqual({ key: 'error.app.alreadyUndone', params: { entry: 42 } });
    await use('ru');
    expect(describeError(data).detail).toBe('Это изменение уже отменено (запись 42).');
    expect(fieldError(data, 'reason')).toBe('Укажите, почему меняется остаток.');
    // A storage fault and the app's internal failure are worded too.
    expect(describeError(new StorageFault('disk_full').toData()).detail).toMatch(/^Диск компьютера заполнен/);
    expect(describeError(toDeskError(new Error('boom'))).detail).toBe('Попробуйте ещё раз; если ошибка повторяется, перезапустите приложение.');
  });

  it('a message inside a message (a done write that could not be recorded), with the day the reader’s way', async () => {
    const f = new DeskFailure('server', msg('error.app.doneNotReadBack', { done: msg('error.app.done', { what: 'freeze', date: '2026-05-20' }) }));
    expect(f.message).toBe('Frozen until 20 May 2026, but the membership could not be read back. Refresh to see the current values.');
    await use('es');
    expect(describeError(f.toData()).detail).toBe('Congelado hasta el 20/05/2026, pero no se pudo volver a leer el abono. Actualice para ver los valores actuales.');
  });

  it('a moment in a message (an undo refused: changed since that change) is worded in the language and the location’s zone', async () => {
    // Made 31 Dec 2026 at 11:05 UTC: 14:05 in Moscow, 05:05 in Chicago.
    const since = momentParam('2026-12-31T11:05:00.000Z', 'Europe/Moscow');
    const f = new DeskFailure('conflict', msg('error.app.undoFreezeChanged', { since, till: '2027-01-10', requested: '2027-01-05' }));
    expect(f.message).toBe('The freeze has changed since 31 Dec 2026, 14:05: it now ends on 10 January 2027, not 5 January 2027. Unfreeze it from the membership card if that is what you want.');
    await use('ru');
    expect(describeError(f.toData()).detail).toBe(
      'Заморозка изменилась после 31.12.2026, 14:05: теперь она заканчивается 10.01.2027, а не 05.01.2027. Если нужно, разморозьте абонемент в его карточке.',
    );
    await use('es');
    const chicago = msg('error.app.undoBalanceChanged', { since: momentParam('2026-12-31T11:05:00.000Z', 'America/Chicago'), changes: 'Pilates' });
    expect(says(chicago)).toMatch(/^El saldo cambió desde el 31\/12\/2026, 05:05: Pilates\./);
    // The core's files (report, audit export) word it the same way.
    expect(wordsIn('ru').say(chicago)).toMatch(/^Остаток изменился после 31\.12\.2026, 05:05: Pilates\./);
  });

  it('a job row’s decision: a conflict worded in Russian, its English in the journal’s text', async () => {
    const m = exampleMembership();
    // The plan expected 5 visits and set 3; someone made it 4 meanwhile.
    const payload = { expect: { services: [{ serviceId: 12840551, balance: 5 }] }, target: { services: [{ serviceId: 12840551, balance: 3 }] } };
    const d = decide(setBalanceOp as never, { state: 'pending', attempts: 0 }, payload, m, undefined, ctx);
    if (d.kind !== 'final' || d.message === null || typeof d.message === 'string') throw new Error('expected a conflict by reference');
    const row = rowOf('conflict', storedText(d.message));
    expect(row.message).toBe('Changed since the plan: now Pilates group 7, the plan expected Pilates group 5. Not overwritten.');
    await use('ru');
    expect(rowStatusWords(row)).toBe('Изменено кем-то другим: Изменился после планирования: сейчас Pilates group 7, план ожидал Pilates group 5. Не перезаписано.');
    // A row whose membership is gone, and a cancelled one.
    const gone = decide(unfreezeOp as never, { state: 'pending', attempts: 0 }, {}, null, undefined, ctx);
    if (gone.kind !== 'final' || gone.message === null) throw new Error('expected a final decision');
    expect(says(fromStored(storedText(gone.message)).msg!)).toBe('Абонемент больше не найден (удалён или перенесён в другую сеть); ничего не изменено.');
  });

  it('Altegio’s own words in a row stay as they came', async () => {
    await use('ru');
    const row = rowOf('failed', storedText('Freeze period exceeds limit'));
    expect(row.msg).toBeNull();
    expect(rowStatusWords(row)).toContain('Freeze period exceeds limit');
  });

  it('the period rules say why by reference', async () => {
    const a = periodAvailability(exampleMembership({ status: { id: 1, slug: 'created', title: 'Issued' }, activatedDate: null }), ALL, new Date('2026-05-01T12:00:00Z'), 'America/Chicago');
    if (a.allowed) throw new Error('expected a block');
    expect(a.reason).toBe(inEnglish(a.why));
    await use('pt-BR');
    expect(says(a.why)).toBe('Ainda não ativada: o Altegio define a validade quando a assinatura é usada pela primeira vez.');
  });
});
