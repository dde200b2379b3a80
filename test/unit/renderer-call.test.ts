import { describe, expect, it, vi } from 'vitest';
import type { DeskApi, Reply } from '../../preload/contract';
import { createCaller, createLatest, optionalReason } from '../../renderer/src/lib/call';
import { createHttpDesk, takeWebKey } from '../../renderer/src/lib/desk';

const expired = { ok: false, error: { kind: 'auth_expired', code: 'altegio.auth_expired', origin: 'altegio', message: 'expired' } } as const;

function fakeApi(replies: Array<Reply<unknown>>) {
  const invoke = vi.fn(async () => replies.shift() ?? { ok: true, value: 'default' });
  return { invoke: invoke as unknown as DeskApi['invoke'], calls: invoke };
}

describe('call wrapper', () => {
  it('passes replies through untouched', async () => {
    const api = fakeApi([{ ok: true, value: 1 }]);
    const call = createCaller(api, async () => true);
    expect(await call('app.info', {})).toEqual({ ok: true, value: 1 });
  });

  it('asks for the password on auth_expired and retries the same call', async () => {
    const api = fakeApi([expired, { ok: true, value: 'after' }]);
    const prompt = vi.fn(async () => true);
    const call = createCaller(api, prompt);
    const reply = await call('memberships.get', { chainId: 1, membershipId: 2 });
    expect(reply).toEqual({ ok: true, value: 'after' });
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(api.calls).toHaveBeenCalledTimes(2);
    expect(api.calls.mock.calls[1]).toEqual(['memberships.get', { chainId: 1, membershipId: 2 }]);
  });

  it('returns the auth_expired reply when the person cancels', async () => {
    const api = fakeApi([expired]);
    const call = createCaller(api, async () => false);
    expect(await call('memberships.get', { chainId: 1, membershipId: 2 })).toEqual(expired);
  });

  it('shares one prompt between calls interrupted at the same time', async () => {
    const api = fakeApi([expired, expired, { ok: true, value: 'a' }, { ok: true, value: 'b' }]);
    let release!: (ok: boolean) => void;
    const prompt = vi.fn(() => new Promise<boolean>((r) => (release = r)));
    const call = createCaller(api, prompt);
    const p1 = call('clients.search', { locationId: 1, query: 'a' });
    const p2 = call('clients.search', { locationId: 1, query: 'b' });
    await new Promise((r) => setTimeout(r, 0));
    release(true);
    const results = await Promise.all([p1, p2]);
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('never retries sign-in channels, and stops after a few prompts', async () => {
    const api = fakeApi([expired]);
    const prompt = vi.fn(async () => true);
    const call = createCaller(api, prompt);
    expect(await call('session.reauthenticate', { password: 'x' })).toEqual(expired);
    expect(prompt).not.toHaveBeenCalled();

    const always = { invoke: vi.fn(async () => expired) as unknown as DeskApi['invoke'] };
    const call2 = createCaller(always, prompt, 2);
    expect(await call2('memberships.get', { chainId: 1, membershipId: 2 })).toEqual(expired);
    expect(prompt).toHaveBeenCalledTimes(2);
  });

  it('latest(): only the newest ticket is current', () => {
    const latest = createLatest();
    const a = latest.next();
    const b = latest.next();
    expect(latest.isCurrent(a)).toBe(false);
    expect(latest.isCurrent(b)).toBe(true);
  });
});

describe('HTTP transport', () => {
  it('posts JSON to /rpc/<channel> and returns the reply', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: true, value: { version: '1', shell: 'web', demoAvailable: true } })));
    const api = createHttpDesk({ fetch });
    const reply = await api.invoke('app.info', {});
    expect(reply).toEqual({ ok: true, value: { version: '1', shell: 'web', demoAvailable: true } });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/rpc/app.info');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.body).toBe('{}');
  });

  it('the app\'s service unreachable is the shell, not "offline" (Altegio); garbage is the shell too', async () => {
    const down = createHttpDesk({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    const r1 = await down.invoke('app.info', {});
    expect(r1.ok === false && r1.error).toMatchObject({ kind: 'server', code: 'shell.unreachable', origin: 'shell' });
    const garbage = createHttpDesk({ fetch: async () => new Response('<html>', { status: 502 }) });
    const r2 = await garbage.invoke('app.info', {});
    expect(r2.ok === false && r2.error.kind).toBe('server');
    const refused = { ok: false, error: { kind: 'forbidden', code: 'altegio.forbidden', origin: 'altegio', message: 'no' } };
    const passthrough = createHttpDesk({ fetch: async () => new Response(JSON.stringify(refused), { status: 403 }) });
    const r3 = await passthrough.invoke('app.info', {});
    expect(r3).toEqual(refused);
  });

  it('sends the tab key as a header on every request, and none when there is no key', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: true, value: 1 })));
    await createHttpDesk({ fetch, key: 'k3y' }).invoke('app.info', {});
    await createHttpDesk({ fetch }).invoke('app.info', {});
    const headersOf = (i: number) => (fetch.mock.calls[i] as unknown as [string, RequestInit])[1].headers as Record<string, string>;
    expect(headersOf(0)['x-desk-key']).toBe('k3y');
    expect(headersOf(1)).not.toHaveProperty('x-desk-key');
  });

  it('says a refused tab is not connected, rather than "not understood"', async () => {
    const refused = createHttpDesk({ fetch: async () => new Response('Forbidden', { status: 403 }) });
    const reply = await refused.invoke('app.info', {});
    expect(reply.ok === false && reply.error.message).toMatch(/not connected/);
  });

  it('reads named server-sent events over fetch, with the key, and aborts the stream with the last listener', async () => {
    const encoder = new TextEncoder();
    let push!: (text: string) => void;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = (t) => c.enqueue(encoder.encode(t))) });
    let signal: AbortSignal | undefined;
    const fetch = vi.fn(async (_url: string, init: RequestInit) => {
      signal = init.signal ?? undefined;
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const api = createHttpDesk({ fetch, key: 'k3y' });
    const seen: unknown[] = [];
    const off = api.on('network.status', (p) => seen.push(p));
    const offOther = api.on('batch.progress', () => seen.push('other'));
    // A frame split across chunks, a comment, a malformed payload, then a good one.
    push(': connected\n\nevent: network.st');
    push('atus\ndata: {"online":false}\n\nevent: network.status\ndata: not json\n\n');
    push('event: network.status\ndata: {"online":true}\n\n');
    await vi.waitFor(() => expect(seen).toEqual([{ online: false }, { online: true }]));
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/events');
    expect((init.headers as Record<string, string>)['x-desk-key']).toBe('k3y');
    off();
    expect(signal?.aborted).toBe(false);
    offOther();
    expect(signal?.aborted).toBe(true);
  });
});

describe('web shell tab key', () => {
  function fakeWindow(href: string, stored: Record<string, string> = {}) {
    const location = new URL(href);
    const storage = new Map(Object.entries(stored));
    return {
      location,
      history: { state: null, replaceState: (_s: unknown, _t: string, to: string) => (location.href = new URL(to, location).href) },
      sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
      storage,
    };
  }
  const take = (w: ReturnType<typeof fakeWindow>) => takeWebKey(w as unknown as Window);

  it('takes the key from the fragment, keeps it for this tab and clears the address bar', () => {
    const w = fakeWindow('http://127.0.0.1:5000/#t=abc_-1');
    expect(take(w)).toBe('abc_-1');
    expect(w.location.href).toBe('http://127.0.0.1:5000/');
    expect([...w.storage.values()]).toEqual(['abc_-1']);
    // A reload: no fragment any more, the tab's storage still has it.
    expect(take(w)).toBe('abc_-1');
  });

  it('prefers a new start URL over an older key, and has none in a fresh tab on the bare address', () => {
    const w = fakeWindow('http://127.0.0.1:5000/#t=new', { 'desk.key': 'old' });
    expect(take(w)).toBe('new');
    expect(take(fakeWindow('http://127.0.0.1:5000/'))).toBe('');
  });
});

describe('optionalReason', () => {
  it('trims, and leaves an empty reason out', () => {
    expect(optionalReason('  late client  ')).toEqual({ reason: 'late client' });
    expect(optionalReason('   ')).toEqual({});
  });
});
