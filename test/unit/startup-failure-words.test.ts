/**
 * The start-up failure dialog speaks the system's language (issue 12): the core's StartupFailure
 * carries its words by reference, the Electron shell words title and text in the language it
 * picked from the system; the Error's message stays English, for the log.
 */
import { expect, it } from 'vitest';
import { folderFailure, StartupFailure } from '../../main/core/startup';
import { startupFailureText } from '../../main/electron/startup-failure';

const folder = '/home/desk/.config/Membership Desk';

it('a read-only data folder, in Russian: the title, the folder named, what to do — and English for the log', () => {
  const e = folderFailure(folder, Object.assign(new Error('EROFS'), { code: 'EROFS' }));
  expect(e).toBeInstanceOf(StartupFailure);
  const { title, content } = startupFailureText(e, 'ru');
  expect(title).toBe('Не удалось запустить Membership Desk');
  expect(content).toContain(folder);
  expect(content).toMatch(/Попросите IT-специалиста дать этому пользователю право записи/);
  expect(e?.message).toMatch(/Ask IT to give this user write access/);
  expect(e?.message).toContain(folder);
});

it('in English: the same failure in English words', () => {
  const e = new StartupFailure('disk_full', folder);
  const { title, content } = startupFailureText(e, 'en');
  expect(title).toBe('Membership Desk could not start');
  expect(content).toBe(e.message);
  expect(content).toMatch(/is full\. Free some space/);
});

it('every code has words in every language, naming the folder', () => {
  for (const code of ['data_folder_unwritable', 'data_folder_missing', 'disk_full', 'database_unusable'] as const) {
    for (const language of ['en', 'ru', 'es', 'pt-BR'] as const) {
      const { content } = startupFailureText(new StartupFailure(code, folder), language);
      expect(content, `${code} ${language}`).toContain(folder);
      expect(content, `${code} ${language}`).not.toMatch(/startup\./);
    }
  }
});

it('an unexpected failure: the generic words in the language, never its raw text', () => {
  const { title, content } = startupFailureText(new Error('SQLITE_IOERR: internal detail'), 'ru');
  expect(title).toBe('Не удалось запустить Membership Desk');
  expect(content).not.toContain('SQLITE');
  expect(content).toMatch(/обратитесь в поддержку/);
});
