/**
 * Notices connectivity coming back without a restart or a user action: while the session is
 * offline, knock on the server every few seconds (any HTTP answer at all means the network is
 * back). Online, it does nothing — real calls keep the state current.
 */
export interface ConnectivityWatcherDeps {
  isOnline: () => boolean;
  setOnline: (online: boolean) => void;
  /** Resolves true if the server answered anything, false on a network failure. */
  probe: () => Promise<boolean>;
  intervalMs?: number;
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
}

export interface ConnectivityWatcher {
  stop(): void;
}

export function watchConnectivity(deps: ConnectivityWatcherDeps): ConnectivityWatcher {
  const timers = deps.timers ?? { setInterval, clearInterval };
  let probing = false;
  const handle = timers.setInterval(() => {
    if (deps.isOnline() || probing) return;
    probing = true;
    deps
      .probe()
      .then((ok) => {
        if (ok) deps.setOnline(true);
      })
      .catch(() => undefined)
      .finally(() => (probing = false));
  }, deps.intervalMs ?? 5000);
  (handle as { unref?: () => void }).unref?.();
  return { stop: () => timers.clearInterval(handle) };
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
