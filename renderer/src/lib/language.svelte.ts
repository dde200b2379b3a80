/**
 * The interface language, reactive: every `t()` reads it, so switching re-renders every text at
 * once (no restart). At start: the language chosen on this PC (the core remembers it), else the
 * system's (Electron: app.getLocale(), through the contract; the web shell: navigator.languages),
 * mapped to one the app speaks (English when none).
 */
import { LANGUAGES, pickLanguage, PSEUDO_LANGUAGE, type UiLanguage } from '../../../common/i18n/languages';
import type { LanguageState } from '../../../preload/contract';
import { desk } from './desk';
import { bindLanguage, loadLanguage, locale } from './i18n';

class LanguageStore {
  current = $state<UiLanguage>('en');
  /** Follows the system (nothing chosen on this PC). */
  followsSystem = $state(true);

  /** The languages the switch offers (the pseudo-language only while a test runs in it). */
  get choices(): readonly UiLanguage[] {
    return this.current === PSEUDO_LANGUAGE ? [...LANGUAGES, PSEUDO_LANGUAGE] : LANGUAGES;
  }

  /** Reads the choice and loads its catalog; the page mounts after this (never a flash of English). */
  async start(): Promise<void> {
    bindLanguage(() => this.current);
    let state: LanguageState | null = null;
    try {
      const reply = await desk().invoke('language.get', {});
      if (reply.ok) state = reply.value;
    } catch {
      // No core answer: the browser's languages still count.
    }
    const browser = typeof navigator === 'undefined' ? [] : navigator.languages;
    this.followsSystem = state?.chosen == null;
    await this.show(state?.chosen ?? pickLanguage([...(state?.system ?? []), ...browser]));
  }

  /** Switches at once and remembers the choice on this PC. */
  async choose(language: UiLanguage): Promise<void> {
    await this.show(language);
    this.followsSystem = false;
    await desk().invoke('language.set', { language });
  }

  private async show(language: UiLanguage): Promise<void> {
    try {
      await loadLanguage(language);
    } catch {
      return; // The catalog did not load (should not happen: it ships with the app); stay as we are.
    }
    this.current = language;
    if (typeof document !== 'undefined') document.documentElement.lang = locale();
  }
}

export const language = new LanguageStore();
