/**
 * The secure window factory. Everything a page could use to escape is switched off here, in one
 * place, and asserted by tests that load this module with a stubbed `electron`.
 */
import { BrowserWindow, shell, type WebContents, type WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://desk`;

/** https URLs the app may open in the user's browser (help pages); nothing else leaves the app. */
const EXTERNAL_ALLOW_LIST = [/^https:\/\/(www\.)?alteg\.io\//, /^https:\/\/developer\.alteg\.io\//];

/** `devTools`: only in development; a packaged build has none (off unless asked for). */
export function secureWebPreferences(preloadPath: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    devTools: options.devTools ?? false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export function isAppUrl(url: string): boolean {
  try {
    // Node's URL gives origin "null" for custom schemes, so compare scheme and host instead.
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'desk' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

export function isAllowedExternal(url: string): boolean {
  return EXTERNAL_ALLOW_LIST.some((re) => re.test(url));
}

/** Denies navigation away from the app, new windows (allow-listed https goes to the browser) and webviews. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function createMainWindow(preloadPath: string, options: { devTools?: boolean } = {}): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Membership Desk',
    webPreferences: secureWebPreferences(preloadPath, options),
  });
  hardenWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
