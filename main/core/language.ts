/**
 * The interface language of this PC: the one chosen in Settings or on the sign-in screen
 * (remembered in the local database), else whatever the system prefers (the shell says which:
 * Electron's app.getLocale(); the web shell leaves it to the browser). The renderer picks the
 * language it speaks from `system` when nothing is chosen (common/i18n/languages.ts pickLanguage).
 */
import type { LanguageState } from '../../preload/contract';
import { isUiLanguage, PSEUDO_LANGUAGE, type UiLanguage } from '../../common/i18n/languages';
import { DeskFailure } from './errors';
import { msg } from '../../common/i18n/translate';
import type { SettingsRepo } from './store/types';

export const SETTINGS_LANGUAGE = 'ui.language';

export interface LanguageSetting {
  get(): LanguageState;
  set(language: UiLanguage | null): LanguageState;
}

export interface LanguageOptions {
  settings: SettingsRepo;
  /** The system's preferred languages, most preferred first (BCP 47 tags); none in the web shell. */
  systemLocales?: () => readonly string[];
  /**
   * Tests and development only: the pseudo-language for this run (never stored, so a PC never
   * keeps it). Without it `en-XA` is refused.
   */
  pseudo?: boolean;
}

const TAG = /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/;

export function createLanguageSetting({ settings, systemLocales = () => [], pseudo = false }: LanguageOptions): LanguageSetting {
  let pseudoOn = pseudo;
  const system = (): string[] => {
    const seen = new Set<string>();
    for (const tag of systemLocales()) if (typeof tag === 'string' && TAG.test(tag) && tag.length <= 35) seen.add(tag);
    return [...seen].slice(0, 20);
  };
  const chosen = (): UiLanguage | null => {
    if (pseudoOn) return PSEUDO_LANGUAGE;
    const stored = settings.get(SETTINGS_LANGUAGE);
    // A value written by a later version (a language this one does not speak) reads as "not chosen".
    return isUiLanguage(stored) && stored !== PSEUDO_LANGUAGE ? stored : null;
  };
  const state = (): LanguageState => ({ chosen: chosen(), system: system() });
  return {
    get: state,
    set(language) {
      if (language === PSEUDO_LANGUAGE) {
        if (!pseudo) throw new DeskFailure('bad_input', msg('error.app.pseudoOnly'), { fields: { language: msg('error.app.pseudoOnly') } });
        pseudoOn = true;
        return state();
      }
      pseudoOn = false;
      if (language === null) settings.delete(SETTINGS_LANGUAGE);
      else settings.set(SETTINGS_LANGUAGE, language);
      return state();
    },
  };
}
