/**
 * The core's clock: every "what day is it at the location?" of a scheduled plan asks it. The
 * system clock in use; tests (and the web shell's `--test-clock FILE`) read "now" from a file a test
 * writes (an ISO instant), so the app and the sandbox it talks to agree on the day without waiting.
 */
import { readFileSync } from 'node:fs';

export interface Clock {
  now(): Date;
  /** How often the scheduler looks at the plans (ms): short under a test clock. */
  readonly tickMs: number;
}

export const systemClock: Clock = { now: () => new Date(), tickMs: 60_000 };

/** "Now" is the instant written in `path` (re-read on each call); the system clock while it is unreadable. */
export function fileClock(path: string): Clock {
  return {
    now() {
      try {
        const d = new Date(readFileSync(path, 'utf8').trim());
        return Number.isNaN(d.getTime()) ? new Date() : d;
      } catch {
        return new Date();
      }
    },
    tickMs: 300,
  };
}

/**
 * One turn of the event loop: I/O that arrived meanwhile (a person's answer) is handled before the
 * caller goes on. Long background work (an index sync's pages) calls it between slices.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
