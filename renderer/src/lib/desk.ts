/**
 * The transport: how the renderer reaches the core. In Electron the preload exposes `window.desk`;
 * in the web shell there is none, so the same `DeskApi` is built over same-origin HTTP
 * (`POST /rpc/<channel>` and a server-sent event stream at `/events`). The rest of the renderer
 * cannot tell which one it uses.
 */
import type { ChannelArgs, ChannelName, ChannelResult, DeskApi, EventName, EventPayload, Reply } from '../../../preload/contract';

declare global {
  interface Window {
    desk?: DeskApi;
  }
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
type EventSourceFactory = (url: string) => Pick<EventSource, 'addEventListener' | 'removeEventListener' | 'close'>;

const OFFLINE_MESSAGE = 'The app could not reach its own service. Check that Membership Desk is still running.';

export function createHttpDesk(options: { fetch?: FetchLike; eventSource?: EventSourceFactory; base?: string } = {}): DeskApi {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.base ?? '';
  const makeSource: EventSourceFactory = options.eventSource ?? ((url) => new EventSource(url, { withCredentials: true }));
  let source: ReturnType<EventSourceFactory> | null = null;
  let listeners = 0;

  async function invoke<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<Reply<ChannelResult<C>>> {
    let response: Response;
    try {
      response = await doFetch(`${base}/rpc/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args ?? {}),
        credentials: 'same-origin',
      });
    } catch {
      return { ok: false, error: { kind: 'offline', message: OFFLINE_MESSAGE } };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, error: { kind: 'server', message: `The app's service answered in a way we did not understand (HTTP ${response.status}).` } };
    }
    if (isReply(body)) return body as Reply<ChannelResult<C>>;
    return { ok: false, error: { kind: 'server', message: `The app's service answered in a way we did not understand (HTTP ${response.status}).` } };
  }

  function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!source) source = makeSource(`${base}/events`);
    listeners += 1;
    const handler = (e: Event) => {
      const data = (e as MessageEvent).data;
      try {
        listener(JSON.parse(typeof data === 'string' ? data : String(data)) as EventPayload<E>);
      } catch {
        /* a malformed event is ignored: the next one carries the full state again */
      }
    };
    source.addEventListener(event, handler);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      source?.removeEventListener(event, handler);
      listeners -= 1;
      if (listeners === 0) {
        source?.close();
        source = null;
      }
    };
  }

  return { invoke, on };
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
  if (!instance) instance = typeof window !== 'undefined' && window.desk ? window.desk : createHttpDesk();
  return instance;
}
