import { describe, expect, it } from 'vitest';
import { DeskFailure } from '../../main/core/errors';
import { createKeytarSecretStore, keychainMsg, type KeytarModule } from '../../main/core/session/keytar-secret-store';
import { inEnglish } from '../../common/i18n/words';

const keychainMessage = (platform: NodeJS.Platform, detail: string) => inEnglish(keychainMsg(platform, detail));

const SECRET = 'super-secret-user-token-123456';

const failing = (message: string): KeytarModule => ({
  getPassword: async () => {
    throw new Error(message);
  },
  setPassword: async (_s, _a, password) => {
    throw new Error(`${message} (while storing ${password})`);
  },
  deletePassword: async () => {
    throw new Error(message);
  },
});

const caught = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DeskFailure);
  return e as DeskFailure;
};

describe('keytar adapter error mapping (injected keytar)', () => {
  it('maps every keytar failure to keychain_unavailable with a plain message and no secret', async () => {
    const store = createKeytarSecretStore({ load: async () => failing('Cannot autolaunch D-Bus without X11 $DISPLAY'), platform: 'linux' });
    for (const p of [store.get('user:a'), store.set('user:a', SECRET), store.delete('user:a')]) {
      const e = await caught(p);
      expect(e.kind).toBe('keychain_unavailable');
      expect(e.message).toMatch(/gnome-keyring/i);
      expect(e.message).not.toContain(SECRET);
      expect(String((e.cause as Error | undefined)?.message)).not.toContain(SECRET);
      expect(JSON.stringify(e.toData())).not.toContain(SECRET);
    }
  });

  it('says "locked" when the keyring is locked', async () => {
    const store = createKeytarSecretStore({ load: async () => failing('Cannot create an item in a locked collection'), platform: 'linux' });
    const e = await caught(store.set('user:a', SECRET));
    expect(e.kind).toBe('keychain_unavailable');
    expect(e.message).toMatch(/locked/i);
  });

  it('a keytar that cannot be loaded is keychain_unavailable, and loading is retried later', async () => {
    let attempts = 0;
    const ok: KeytarModule = { getPassword: async () => 'v', setPassword: async () => undefined, deletePassword: async () => true };
    const store = createKeytarSecretStore({
      load: async () => {
        attempts++;
        if (attempts === 1) throw new Error('Cannot find module keytar.node');
        return ok;
      },
    });
    expect((await caught(store.get('user:a'))).kind).toBe('keychain_unavailable');
    expect(await store.get('user:a')).toBe('v');
  });

  it('a keychain that never answers times out as keychain_unavailable', async () => {
    const hang: KeytarModule = { getPassword: () => new Promise(() => {}), setPassword: () => new Promise(() => {}), deletePassword: () => new Promise(() => {}) };
    const store = createKeytarSecretStore({ load: async () => hang, timeoutMs: 50 });
    const t0 = Date.now();
    expect((await caught(store.get('user:a'))).kind).toBe('keychain_unavailable');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('passes service and account through', async () => {
    const seen: string[] = [];
    const rec: KeytarModule = {
      getPassword: async (s, a) => (seen.push(`get ${s} ${a}`), null),
      setPassword: async (s, a) => void seen.push(`set ${s} ${a}`),
      deletePassword: async (s, a) => (seen.push(`del ${s} ${a}`), false),
    };
    const store = createKeytarSecretStore({ load: async () => rec });
    expect(await store.get('user:x')).toBeNull();
    await store.set('user:x', SECRET);
    expect(await store.delete('user:x')).toBe(false);
    expect(seen).toEqual(['get Membership Desk user:x', 'set Membership Desk user:x', 'del Membership Desk user:x']);
    await expect(store.set('', SECRET)).rejects.toMatchObject({ kind: 'bad_input' });
  });

  it('tells Windows and macOS users what to do on their system', () => {
    expect(keychainMessage('win32', 'x')).toMatch(/Credential Manager/);
    expect(keychainMessage('darwin', 'User canceled the operation')).toMatch(/Keychain.*(locked|refused)/);
    expect(keychainMessage('darwin', 'x')).toMatch(/Keychain Access/);
  });

  it('adds the remedy only: the heading already says the keychain is not available (said once, issue 13 item 8)', () => {
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      expect(keychainMessage(platform, 'x')).not.toMatch(/not available|cannot keep your sign-in/);
    }
  });
});
