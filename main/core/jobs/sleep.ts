/** A wait that ends early (rejecting with `Stopped`) when the signal aborts. */
export class Stopped extends Error {}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
