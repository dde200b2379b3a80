/** The runner's options, dependencies and handle (runner.ts). */
import type { BatchState, Membership } from '../../../preload/contract';
import type { AltegioApi } from '../altegio/api';
import type { Lane } from '../altegio/rate-limiter';
import type { Journal, OpRecord } from '../batch/journal';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { MembershipClaims } from './claims';
import type { RowMessage } from './decide';
import type { JobProgress } from './progress';

export interface RunnerOptions {
  /** Ops per membership re-read (the API's page of ids). Default 50. */
  chunkSize: number;
  /** Writes in flight. Default 8. */
  concurrency: number;
  /**
   * Sends per op after which a 5xx/unreadable answer (with the membership still at its before value)
   * marks it failed. 429, network loss, 401 and crashes never count towards failing an op. Default 5.
   */
  maxAttempts: number;
  /** Poll interval while offline. Default 3000 ms. */
  offlinePollMs: number;
  /** Backoff of a failing read (429/5xx): base and cap. Default 1000 / 30000 ms. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Progress events at most this often. Default 200 ms (5 per second). */
  progressIntervalMs: number;
  /**
   * Which failed sends count towards `maxAttempts`: only 5xx/unreadable answers (true, a batch: it
   * waits out outages and 429s) or every one (false, a desk write: a person is waiting).
   */
  patient: boolean;
  /**
   * Settle a 2xx only after reading the membership (true, a desk write: the read is its result
   * anyway, and set_balance's success — an empty 200 — is what a proxy glitch looks like too), or
   * at once (false, a batch: one read per 50 ops).
   */
  confirm: boolean;
  /** Outcome commits are grouped: at most this long … Default 50 ms. */
  flushMs: number;
  /** … or this many outcomes. Default 32. */
  flushSize: number;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  chunkSize: 50,
  concurrency: 8,
  maxAttempts: 5,
  patient: true,
  confirm: false,
  offlinePollMs: 3000,
  retryBaseMs: 1000,
  retryMaxMs: 30_000,
  progressIntervalMs: 200,
  flushMs: 50,
  flushSize: 32,
};

export interface RunnerDeps {
  store: Store;
  journal: Journal;
  api: () => AltegioApi;
  /** Resolves when the session is signed in (again); rejects when the signal aborts. */
  waitForSignedIn(signal: AbortSignal): Promise<void>;
  /** The signed-in profile, or null when nobody is signed in. */
  currentProfileId(): string | null;
  onProgress(p: JobProgress): void;
  /** The rate limiter's lane for this job's requests. Default 'batch'. */
  lane?: Lane;
  /** 'wait' (default) out outages, or 'stop' at the first failed read (see the header). */
  outage?: 'wait' | 'stop';
  /** Shared by every runner of the app (claims.ts). */
  claims?: MembershipClaims;
  /**
   * Memberships the caller read just now (a desk write), with the claims' generations taken before
   * that read: the first decision uses them instead of reading again.
   */
  freshlyRead?: { memberships: ReadonlyMap<number, Membership>; generations: ReadonlyMap<number, number> };
  log?: Logger;
  options?: Partial<RunnerOptions>;
  /** For tests. */
  now?: () => number;
}

/** What became of one op, with the kind of failure that decided it (for the desk's answer). */
export interface OpOutcome {
  state: OpRecord['state'];
  /** By reference, or Altegio's own words (jobs/decide.ts RowMessage). */
  message: RowMessage | null;
  failure: string | null;
  /** The membership as last read, when the op was decided by a read. */
  membership: Membership | null;
  /** The failure of its last send, as thrown by the client (with its fields and Altegio's words). */
  error?: unknown;
}

export interface Runner {
  readonly jobId: string;
  /** Resolves with the state the job stopped in (done, cancelled, paused). Never rejects. */
  readonly finished: Promise<BatchState>;
  state(): BatchState;
  /** Why it stopped or waits, as recorded with its state (kept here too when the disk refused it). */
  message(): string | null;
  /** What stopped it when something was thrown (a StorageFault from a full disk…), else null. */
  fault(): unknown;
  /** The last outcome of an op of this run (undefined when it was not touched). */
  outcome(seq: number): OpOutcome | undefined;
  pause(): void;
  cancel(): void;
}

