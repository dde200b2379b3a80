/**
 * A person's write at the desk (freeze, unfreeze, balance edit, undo) as a one-op job: journaled
 * like a batch op (scope 'desk', not listed on the batch screen) and run now by the runner in the
 * interactive lane, stopping at the first outage instead of waiting (the person is waiting). A
 * failed send is not repeated: the membership is re-read and the op kind decides what happened.
 * A desk job the app stopped during (crash) is resolved at the next start by reading, never resent.
 */
import { randomUUID } from 'node:crypto';
import type { Membership } from '../../../preload/contract';
import type { AltegioApi } from '../altegio/api';
import { DeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import { storedMessage } from '../../../common/i18n/stored';
import type { ErrorKind } from '../../../preload/contract';
import { createJournal, type Journal } from '../batch/journal';
import { silentLogger, type Logger } from '../log';
import { opKind } from '../ops';
import type { Store } from '../store';
import { createMembershipClaims, type MembershipClaims } from './claims';
import { startRunner, type OpOutcome } from './runner';

export interface DeskUser {
  profileId: string;
  userId: number;
  name: string;
}

export interface DeskWrite {
  kind: string;
  payload: unknown;
  chainId: number;
  locationId: number | null;
  /** The membership as read just now, and the claims' generation taken before that read. */
  membership: Membership;
  generation: number;
  reason: string;
  user: DeskUser;
  /** For an undo: the audit entry undone. */
  undoOf?: number;
}

export interface DeskResult {
  outcome: OpOutcome;
  auditId: number | null;
  /** What stopped the job, if something was thrown (a StorageFault from a full disk…). */
  fault: unknown;
}

export interface DeskJobs {
  readonly claims: MembershipClaims;
  /** The journal desk jobs are written to (an undo starts from the op its audit entry records). */
  readonly journal: Journal;
  /** Runs the write now; resolves with its outcome (never throws for an Altegio failure). */
  run(w: DeskWrite): Promise<DeskResult>;
  /** Start-up: decide desk writes the app stopped during, by reading (no request is repeated). */
  resolveLeftovers(): Promise<void>;
}

export interface DeskJobsDeps {
  store: Store;
  api: () => AltegioApi;
  currentProfileId: () => string | null;
  claims?: MembershipClaims;
  log?: Logger;
}

/** Sends of one desk write at most (each after a read showed it had not landed). */
const DESK_ATTEMPTS = 3;

const KNOWN: ReadonlySet<string> = new Set(['validation', 'forbidden', 'not_found', 'licence_expired', 'bad_input', 'conflict', 'offline', 'server', 'rate_limited', 'auth_expired', 'storage']);

/** The failure a desk write's outcome stands for (null when it was applied). */
export function deskFailure(outcome: OpOutcome): DeskFailure | null {
  if (outcome.state === 'applied') return null;
  // A refusal, or the failure a read showed did not land: re-thrown as the client threw it.
  if (outcome.error instanceof DeskFailure && (outcome.state === 'failed' || outcome.state === 'intent') && outcome.error.kind === outcome.failure) return outcome.error;
  const kind = (outcome.failure !== null && KNOWN.has(outcome.failure) ? outcome.failure : 'server') as ErrorKind;
  // A row's text is Altegio's own words (jobs/decide.ts RowMessage); the app's are by reference.
  return typeof outcome.message === 'string' ? DeskFailure.fromServer(kind, outcome.message) : new DeskFailure(kind, outcome.message ?? msg('error.app.changeFailed'));
}

export function createDeskJobs(deps: DeskJobsDeps): DeskJobs {
  const journal: Journal = createJournal(deps.store.db);
  const claims = deps.claims ?? createMembershipClaims();
  const log = deps.log ?? silentLogger;

  const runnerDeps = () => ({
    store: deps.store,
    journal,
    api: deps.api,
    waitForSignedIn: () => Promise.reject(new DeskFailure('auth_expired', msg('error.app.signInAgain'))),
    currentProfileId: deps.currentProfileId,
    onProgress: () => undefined,
    lane: 'interactive' as const,
    outage: 'stop' as const,
    claims,
    log,
    options: { concurrency: 1, chunkSize: 1, flushMs: 0, flushSize: 1, patient: false, confirm: true, maxAttempts: DESK_ATTEMPTS },
  });

  // One resolution at a time (start-up and a person's first write may both ask for it).
  let resolving: Promise<void> | null = null;
  const resolveLeftovers = (): Promise<void> =>
    (resolving ??= (async () => {
      try {
        for (const job of journal.openDeskJobs()) {
          const state = await startRunner(runnerDeps(), job.id, 'cancel').finished;
          log.info('desk: a write interrupted by the app stopping was resolved by reading', { jobId: job.id, state });
        }
      } finally {
        resolving = null;
      }
    })());

  return {
    claims,
    journal,
    async run(w) {
      const kind = opKind(w.kind);
      if (journal.openDeskJobs().length > 0) await resolveLeftovers();
      const id = randomUUID();
      const m = w.membership;
      deps.store.transaction(() =>
        journal.createJob(
          {
            id,
            kind: w.undoOf === undefined ? 'apply' : 'undo',
            scope: 'desk',
            opKind: kind.name,
            fileName: '',
            createdAt: new Date().toISOString(),
            profileId: w.user.profileId,
            userId: w.user.userId,
            userName: w.user.name,
            chainId: w.chainId,
            locationId: w.locationId,
            state: 'planned',
            delimiter: ',',
            totals: { rows: 1, toChange: 1, unchanged: 0, invalid: 0, memberships: 1 },
            undoOf: null,
          },
          [],
          [
            {
              seq: 0,
              kind: kind.name,
              membershipId: m.id,
              membershipNumber: m.number,
              chainId: w.chainId,
              ...kind.encode(w.payload),
              rowLines: [],
              rowCount: 1,
              reason: w.reason,
              sourceAuditId: w.undoOf ?? null,
            },
          ],
        ),
      );
      const runner = startRunner(
        { ...runnerDeps(), freshlyRead: { memberships: new Map([[m.id, m]]), generations: new Map([[m.id, w.generation]]) } },
        id,
      );
      await runner.finished;
      const op = journal.op(id, 0);
      const outcome = runner.outcome(0) ?? { state: op?.state ?? 'pending', message: storedMessage(runner.message()), failure: 'server', membership: null };
      if (op?.state === 'pending') {
        // Never sent (the read before it failed): nothing to resolve later.
        await startRunner(runnerDeps(), id, 'cancel').finished;
      }
      return { outcome, auditId: op?.auditId ?? null, fault: runner.fault() };
    },

    resolveLeftovers,
  };
}
