/**
 * The Electron entry: app lifecycle only. The core is created exactly as the web shell creates
 * it; this file adds the app protocol, the secure window and the IPC binding.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore } from '../core/app';
import { pickLanguage } from '../../common/i18n/languages';
import { CONTENT_SECURITY_POLICY } from '../core/csp';
import { createLogger } from '../core/log';
import { bindContract, forwardEvents } from './ipc';
import { showStartupFailure } from './startup-failure';
import { startUpdates } from './updates';
import { APP_SCHEME, createMainWindow, hardenWebContents } from './window';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// Development and tests can point the app at another data folder; a packaged (release) build
// ignores it, so nothing in the environment can move a PC's logins and audit log elsewhere.
if (!app.isPackaged && process.env.MEMBERSHIP_DESK_DATA_DIR) app.setPath('userData', process.env.MEMBERSHIP_DESK_DATA_DIR);

if (!app.requestSingleInstanceLock()) app.quit();

const log = createLogger();
const systemLocales = (): string[] => [app.getLocale(), ...app.getPreferredSystemLanguages()];
let mainWindow: BrowserWindow | null = null;

async function start(): Promise<void> {
  const rendererDir = join(import.meta.dirname, '../renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const file = join(rendererDir, decodeURIComponent(pathname));
    // With the separator: "out/renderer-x" must not pass as inside "out/renderer".
    if (!file.startsWith(rendererDir + sep)) return new Response('Forbidden', { status: 403 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const core = await createCore({
    dataDir: app.getPath('userData'),
    shell: 'electron',
    log,
    systemLocales,
  });
  bindContract(ipcMain, core.handlers, log);
  // Updates must never keep the app from starting.
  let updates: ReturnType<typeof startUpdates> = null;
  try {
    updates = startUpdates({ dataDir: app.getPath('userData'), log, busy: () => core.activity.busy() });
  } catch (e) {
    log.warn('updates: not started', { error: e instanceof Error ? e.message : String(e) });
  }
  forwardEvents(core.events, () => mainWindow?.webContents ?? null);

  // DevTools only in development: a release build has none for anyone at the desk to open.
  mainWindow = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'), { devTools: !app.isPackaged });
  mainWindow.on('closed', () => (mainWindow = null));
  // Quit only once the core has closed: a running batch stops at an operation boundary, the
  // database closes and the data-folder lock is released.
  let closing = false;
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    updates?.stop();
    core
      .close()
      .catch((e: unknown) => log.error('close failed', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});
app.on('window-all-closed', () => app.quit());
app.whenReady().then(start).catch((e: unknown) => {
  log.error('start-up failed', { error: e instanceof Error ? e.message : String(e) });
  // The system's language: the one chosen in the app is in the database, which may not open.
  let language: ReturnType<typeof pickLanguage> = 'en';
  try {
    language = pickLanguage(systemLocales());
  } catch {
    /* English, then */
  }
  showStartupFailure(dialog, e, language);
  app.exit(1);
});
