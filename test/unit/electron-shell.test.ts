/**
 * The Electron shell cannot run here (no runtime binary), so its security settings are asserted by
 * loading the shell modules with a stubbed `electron` and driving the handlers they register.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const opened: string[] = [];
const exposed: Record<string, unknown> = {};
const invoked: unknown[][] = [];

vi.mock('electron', () => {
  class FakeWebContents {
    handlers: Record<string, (...args: unknown[]) => void> = {};
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    on(name: string, fn: (...args: unknown[]) => void) {
      this.handlers[name] = fn;
      return this;
    }
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      this.openHandler = fn;
    }
  }
  class BrowserWindow {
    static last: BrowserWindow | null = null;
    webContents = new FakeWebContents();
    loaded = '';
    constructor(public options: Record<string, unknown>) {
      BrowserWindow.last = this;
    }
    once() {}
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
  }
  return {
    BrowserWindow,
    shell: { openExternal: async (url: string) => void opened.push(url) },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: { invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, value: null }), on() {}, removeListener() {} },
  };
});

const { createMainWindow, hardenWebContents, secureWebPreferences, APP_ORIGIN } = await import('../../main/electron/window');
const { bindContract, isTrustedSender } = await import('../../main/electron/ipc');
const { IPC_INVOKE } = await import('../../preload/contract');

type Contents = Parameters<typeof hardenWebContents>[0];
function fakeContents() {
  const handlers: Record<string, (...args: unknown[]) => void> = {};
  let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' });
  const contents = {
    on: (name: string, fn: (...args: unknown[]) => void) => (handlers[name] = fn),
    setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn),
  };
  return { contents: contents as unknown as Contents, handlers, open: (url: string) => openHandler({ url }) };
}

beforeEach(() => {
  opened.length = 0;
  invoked.length = 0;
});

describe('secure window', () => {
  it('switches off everything a page could use to escape', () => {
    const prefs = secureWebPreferences('/x/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    expect(secureWebPreferences('/x/preload.cjs', { devTools: true }).devTools).toBe(true);
  });

  it('loads the app from its own protocol with those preferences', () => {
    const window = createMainWindow('/x/preload.cjs') as unknown as { options: { webPreferences: unknown }; loaded: string };
    expect(window.options.webPreferences).toEqual(secureWebPreferences('/x/preload.cjs'));
    expect(window.loaded.startsWith(APP_ORIGIN + '/')).toBe(true);
  });

  it('denies navigation away from the app', () => {
    const { contents, handlers } = fakeContents();
    hardenWebContents(contents);
    const away = { preventDefault: vi.fn() };
    handlers['will-navigate']?.(away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    handlers['will-navigate']?.(inside, `${APP_ORIGIN}/index.html#/audit`);
    expect(inside.preventDefault).not.toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    handlers['will-attach-webview']?.(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('denies new windows and opens only allow-listed https pages externally', async () => {
    const { contents, open } = fakeContents();
    hardenWebContents(contents);
    expect(open('https://evil.example/phish')).toEqual({ action: 'deny' });
    expect(open('http://alteg.io/')).toEqual({ action: 'deny' });
    expect(open('https://developer.alteg.io/en/get-api-key')).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(opened).toEqual(['https://developer.alteg.io/en/get-api-key']);
  });
});

describe('IPC binding', () => {
  const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } }) as unknown as Parameters<typeof isTrustedSender>[0];

  it('trusts only the app top-level frame', () => {
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`))).toBe(true);
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`, {}))).toBe(false);
    expect(isTrustedSender(frame('https://evil.example/'))).toBe(false);
    expect(isTrustedSender(frame('file:///etc/passwd'))).toBe(false);
    expect(isTrustedSender({ senderFrame: null } as unknown as Parameters<typeof isTrustedSender>[0])).toBe(false);
  });

  it('refuses untrusted senders and validates every argument', async () => {
    let registered: ((event: unknown, channel: unknown, args: unknown) => Promise<unknown>) | null = null;
    const calls: unknown[] = [];
    const handlers = { 'memberships.get': async (a: unknown) => (calls.push(a), Promise.reject(new Error('boom'))) } as never;
    bindContract({ handle: (name: string, fn: never) => (expect(name).toBe(IPC_INVOKE), (registered = fn)) } as never, handlers);
    expect(registered).not.toBeNull();
    const call = registered as unknown as (event: unknown, channel: unknown, args: unknown) => Promise<{ ok: boolean; error?: { kind: string } }>;
    const refused = await call(frame('https://evil.example/'), 'memberships.get', { chainId: 1, membershipId: 1 });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    const invalid = await call(frame(`${APP_ORIGIN}/index.html`), 'memberships.get', { chainId: '1; drop table' });
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'bad_input' } });
    expect(calls).toHaveLength(0);
    const crashed = await call(frame(`${APP_ORIGIN}/index.html`), 'memberships.get', { chainId: 1, membershipId: 1 });
    expect(crashed).toMatchObject({ ok: false, error: { kind: 'server' } });
    expect(calls).toHaveLength(1);
  });
});

describe('preload', () => {
  it('exposes only window.desk, which refuses unknown channels without touching IPC', async () => {
    await import('../../preload/index');
    expect(Object.keys(exposed)).toEqual(['desk']);
    const desk = exposed.desk as { invoke: (c: string, a: unknown) => Promise<{ ok: boolean }> };
    expect(await desk.invoke('fs.readFile', {})).toMatchObject({ ok: false });
    expect(invoked).toHaveLength(0);
    await desk.invoke('session.get', {});
    expect(invoked).toEqual([[IPC_INVOKE, 'session.get', {}]]);
  });
});
