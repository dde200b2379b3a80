/**
 * The transport: how the renderer reaches the core. In Electron the preload exposes `window.desk`;
 * in the web shell there is none, so the same `DeskApi` is built over same-origin HTTP
 * (`POST /rpc/<channel>` and a server-sent event stream at `/events`), each request carrying the
 * tab's key (`takeWebKey`). The rest of the renderer cannot tell which one it uses.
 */
import type { ChannelArgs, ChannelName, ChannelResult, DeskApi, EventName, EventPayload, Reply } from '../../../preload/contract';
import { t } from './i18n';

declare global {
  interface Window {
    desk?: DeskApi;
  }
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;



/** Same names as the web shell's `KEY_HEADER`, `ARGS_HEADER`, `BYTES_FIELD_HEADER` (the renderer cannot import the shell). */
const KEY_HEADER = 'x-desk-key';
const ARGS_HEADER = 'x-desk-args';
const BYTES_FIELD_HEADER = 'x-desk-bytes';
const KEY_STORAGE = 'desk.key';
/** Like EventSource: after a dropped stream, try again this much later. */
const RECONNECT_MS = 3000;

/**
 * The web shell's per-tab key. The start URL brings it in its fragment (`#t=`), which no server
 * sees; it is kept in sessionStorage (this tab and this origin, port included, only: no other
 * server on 127.0.0.1 can read it) so a reload still works, and taken out of the address bar. A tab
 * opened on the bare address has none, and the shell refuses its calls.
 */
export function takeWebKey(win: Pick<Window, 'location' | 'history' | 'sessionStorage'>): string {
  const fromUrl = new URLSearchParams(win.location.hash.slice(1)).get('t');
  if (fromUrl) {
    win.sessionStorage.setItem(KEY_STORAGE, fromUrl);
    win.history.replaceState(win.history.state, '', win.location.pathname + win.location.search);
    return fromUrl;
  }
  return win.sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function createHttpDesk(options: { fetch?: FetchLike; base?: string; key?: string } = {}): DeskApi {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.base ?? '';
  const keyHeader: Record<string, string> = options.key ? { [KEY_HEADER]: options.key } : {};
  const listeners = new Map<string, Set<(data: string) => void>>();
  let stream: AbortController | null = null;

  async function invoke<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<Reply<ChannelResult<C>>> {
    let response: Response;
    try {
      response = await doFetch(`${base}/rpc/${channel}`, { method: 'POST', ...requestOf(args), credentials: 'same-origin' });
    } catch {
      return { ok: false, error: { kind: 'server', code: 'shell.unreachable', origin: 'shell', message: t('shell.unreachable') } };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (isReply(body)) return body as Reply<ChannelResult<C>>;
    if (response.status === 403) return { ok: false, error: { kind: 'forbidden', code: 'shell.not_this_tab', origin: 'shell', message: t('shell.notThisTab') } };
    return { ok: false, error: { kind: 'server', code: 'shell.bad_answer', origin: 'shell', message: t('shell.badAnswer', { status: String(response.status) }) } };
  }

  /** JSON, or for an argument holding bytes (a file), the bytes as the raw body and the rest in a header. */
  function requestOf(args: unknown): { headers: Record<string, string>; body: BodyInit } {
    const all = (args ?? {}) as Record<string, unknown>;
    const field = Object.keys(all).find((k) => all[k] instanceof Uint8Array);
    if (field === undefined) return { headers: { 'content-type': 'application/json', ...keyHeader }, body: JSON.stringify(all) };
    const { [field]: bytes, ...rest } = all;
    return {
      headers: { 'content-type': 'application/octet-stream', [ARGS_HEADER]: encodeURIComponent(JSON.stringify(rest)), [BYTES_FIELD_HEADER]: field, ...keyHeader },
      body: bytes as Uint8Array<ArrayBuffer>,
    };
  }

  function deliver(event: string, data: string): void {
    for (const handler of listeners.get(event) ?? []) handler(data);
  }

  /**
   * The server-sent event stream, read through fetch rather than EventSource, which cannot send
   * the key header. Reconnects after a dropped stream, and gives up on a refusal, as EventSource does.
   */
  async function runStream(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const response = await doFetch(`${base}/events`, { headers: keyHeader, credentials: 'same-origin', cache: 'no-store', signal });
        if (!response.ok || !response.body) return;
        await readServerSentEvents(response.body, deliver, signal);
      } catch {
        /* dropped or aborted: decided below */
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!stream) {
      stream = new AbortController();
      void runStream(stream.signal);
    }
    const handler = (data: string) => {
      try {
        listener(JSON.parse(data) as EventPayload<E>);
      } catch {
        /* a malformed event is ignored: the next one carries the full state again */
      }
    };
    const set = listeners.get(event) ?? new Set();
    set.add(handler);
    listeners.set(event, set);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(handler);
      if (set.size === 0) listeners.delete(event);
      if (listeners.size === 0) {
        stream?.abort();
        stream = null;
      }
    };
  }

  return { invoke, on };
}

/**
 * Reads a `text/event-stream` body, calling `onEvent(name, data)` per complete event, until it
 * ends or `signal` aborts. Only LF line ends: the web shell writes nothing else.
 */
export async function readServerSentEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void, signal?: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop);
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length > 0) onEvent(event, data.join('\n'));
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

function isReply(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  const b = body as { ok: unknown; value?: unknown; error?: unknown };
  if (b.ok === true) return 'value' in b;
  if (b.ok === false) return typeof b.error === 'object' && b.error !== null && typeof (b.error as { kind?: unknown }).kind === 'string';
  return false;
}

let instance: DeskApi | null = null;

/** The one DeskApi of this window: the preload's in Electron, HTTP in the web shell. */
export function desk(): DeskApi {
  if (!instance) instance = typeof window !== 'undefined' && window.desk ? window.desk : createHttpDesk({ key: takeWebKey(window) });
  return instance;
}
