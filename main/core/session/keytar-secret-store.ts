/**
 * SecretStore on the OS keychain through keytar: Windows Credential Manager, macOS Keychain,
 * the Secret Service (GNOME Keyring, KWallet) on Linux.
 *
 * Failure detection: keytar is loaded with a dynamic `import()` (a missing or unbuildable native
 * module fails there), and every keytar call rejects with a plain `Error` when the platform store
 * cannot be reached ("Cannot autolaunch D-Bus without X11 $DISPLAY", "Could not connect: No such
 * file or directory", "Cannot create an item in a locked collection", Windows/macOS status
 * errors). Any such rejection, and a call that does not answer within `timeoutMs`, becomes
 * `DeskFailure('keychain_unavailable')` with a plain message saying what to do on this platform.
 * The secret is never part of a message or of the attached cause.
 */
import { DeskFailure } from '../errors';
import { msg, type Msg } from '../../../common/i18n/translate';
import { KEYCHAIN_SERVICE, type SecretStore } from './secret-store';

export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarSecretStoreOptions {
  /** Keychain service name; tests use their own so they never touch a real user's entries. */
  service?: string;
  /** A keychain that never answers is treated as unavailable after this long (a macOS or
   *  GNOME unlock prompt waits for the user, so keep it generous). Default 60 s. */
  timeoutMs?: number;
  /** Loads keytar; injectable for tests. */
  load?: () => Promise<KeytarModule>;
  platform?: NodeJS.Platform;
}

const defaultLoad = async (): Promise<KeytarModule> => {
  const mod = (await import('keytar')) as KeytarModule & { default?: KeytarModule };
  return mod.default ?? mod;
};

/**
 * What to do about the keychain on this platform, by reference (error.app.keychain), by what went
 * wrong. The renderer's heading already says the keychain is not available
 * (error.keychain_unavailable): this adds the remedy without saying it again.
 */
export function keychainMsg(platform: NodeJS.Platform, detail: string): Msg {
  const locked = /locked|unlock|user canceled|cancelled|denied|interaction is not allowed/i.test(detail);
  const where = platform === 'win32' ? 'win32' : platform === 'darwin' ? (locked ? 'darwinLocked' : 'darwin') : locked ? 'linuxLocked' : 'other';
  return msg('error.app.keychain', { where });
}

export function createKeytarSecretStore(options: KeytarSecretStoreOptions = {}): SecretStore {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const load = options.load ?? defaultLoad;
  const platform = options.platform ?? process.platform;
  let loaded: Promise<KeytarModule> | null = null;

  const fail = (detail: string, secret?: string): DeskFailure => {
    const safe = secret ? detail.split(secret).join('[secret]') : detail;
    return new DeskFailure('keychain_unavailable', keychainMsg(platform, safe), { cause: new Error(`keytar: ${safe}`) });
  };

  const run = async <T>(op: (k: KeytarModule) => Promise<T>, secret?: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fail(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref?.();
    });
    try {
      const work = (async () => {
        if (!loaded) {
          loaded = load();
          loaded.catch(() => {
            loaded = null; // allow a later retry (e.g. after installing the keyring)
          });
        }
        let keytar: KeytarModule;
        try {
          keytar = await loaded;
        } catch (e) {
          throw fail(`keytar could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
        }
        try {
          return await op(keytar);
        } catch (e) {
          throw fail(e instanceof Error ? e.message : String(e), secret);
        }
      })();
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const checkAccount = (account: string) => {
    if (!account) throw new DeskFailure('bad_input', msg('error.app.keychainAccount'));
  };

  return {
    get: async (account) => {
      checkAccount(account);
      return run((k) => k.getPassword(service, account));
    },
    set: async (account, secret) => {
      checkAccount(account);
      if (!secret) throw new DeskFailure('bad_input', msg('error.app.nothingToStore'));
      await run((k) => k.setPassword(service, account, secret), secret);
    },
    delete: async (account) => {
      checkAccount(account);
      return run((k) => k.deletePassword(service, account));
    },
  };
}
