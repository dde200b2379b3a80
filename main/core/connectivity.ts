/**
 * The one owner of online/offline (issue 10 item 4). The transport reports to it — any HTTP answer
 * means the server was reached, a network failure means it was not — and it tells its listeners
 * once per change (the app forwards that as the `network.status` event). While offline it knocks on
 * the server every few seconds (any HTTP answer at all means the network is back), so coming back
 * is noticed without a restart or a user action; online, it does nothing: real calls keep it current.
 */

/** What the transport needs: read the state, report each attempt's outcome. */
export interface ConnectivityReport {
  online(): boolean;
  /** true: the server answered (any status); false: it could not be reached. */
  report(reached: boolean): void;
}

export interface Connectivity extends ConnectivityReport {
  /** Called once per change of state; returns the unsubscribe function. */
  onChange(listener: (online: boolean) => void): () => void;
  stop(): void;
}

export interface ConnectivityDeps {
  /** Resolves true if the server answered anything, false on a network failure. */
  probe: () => Promise<boolean>;
  intervalMs?: number;
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
  onListenerError?: (error: unknown) => void;
}

export function createConnectivity(deps: ConnectivityDeps): Connectivity {
  const timers = deps.timers ?? { setInterval, clearInterval };
  let online = true;
  let probing = false;
  const listeners = new Set<(online: boolean) => void>();

  const report = (reached: boolean) => {
    if (online === reached) return;
    online = reached;
    for (const listener of [...listeners]) {
      try {
        listener(reached);
      } catch (e) {
        deps.onListenerError?.(e);
      }
    }
  };

  const handle = timers.setInterval(() => {
    if (online || probing) return;
    probing = true;
    deps
      .probe()
      .then((ok) => {
        if (ok) report(true);
      })
      .catch(() => undefined)
      .finally(() => (probing = false));
  }, deps.intervalMs ?? 5000);
  (handle as { unref?: () => void }).unref?.();

  return {
    online: () => online,
    report,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => timers.clearInterval(handle),
  };
}

/** A probe for an Altegio base URL: a HEAD request with a short timeout; any status counts. */
export function httpProbe(baseUrl: () => string | null, timeoutMs = 4000): () => Promise<boolean> {
  return async () => {
    const url = baseUrl();
    if (!url) return false;
    try {
      await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      return true;
    } catch {
      return false;
    }
  };
}
