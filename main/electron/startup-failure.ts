/**
 * Any failure while the Electron app starts is shown in a native dialog before it exits: without
 * a window, a logged error is a silent exit for the person at the desk. It is worded in the
 * system's language: the language chosen in the app lives in the database, which may be the very
 * thing that cannot be read.
 */
import type { Dialog } from 'electron';
import type { Language } from '../../common/i18n/languages';
import { isMsg } from '../../common/i18n/translate';
import { wordsIn } from '../core/words';

/** The dialog's title and text for a start-up failure in `language` (the core's words when it has them). */
export function startupFailureText(e: unknown, language: Language = 'en'): { title: string; content: string } {
  const words = wordsIn(language);
  const named = e instanceof Error && (e.name === 'StartupFailure' || e.name === 'DeskFailure');
  const ref = named ? (e as { msg?: unknown }).msg : undefined;
  // A DeskFailure carrying Altegio's own words has no reference: those words are shown as they are.
  const content = isMsg(ref) ? words.say(ref) : named ? e.message : words.t('startup.failed');
  return { title: words.t('startup.title'), content };
}

export function showStartupFailure(dialog: Pick<Dialog, 'showErrorBox'>, e: unknown, language: Language = 'en'): void {
  const { title, content } = startupFailureText(e, language);
  try {
    dialog.showErrorBox(title, content);
  } catch {
    /* no display at all: the log has it */
  }
}
