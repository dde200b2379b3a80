/**
 * What a batch or bulk job changed, the index shows once the job stops ("every write the app makes
 * updates the index"): the memberships of its applied operations are read again (pages of 50, the
 * background lane: after everything a person waits for) and noted, and the chain's index status is
 * sent again so open worklists reload. Desk reads and writes are noted by the memberships service.
 */
import type { EventPayload, IndexStatus, Membership } from '../../../preload/contract';
import { IDS_PAGE_SIZE, type AltegioApi } from '../altegio/api';
import type { Journal } from '../batch/journal';
import type { EventHub } from '../events';
import type { Logger } from '../log';

const STOPPED: ReadonlySet<string> = new Set(['done', 'cancelled', 'paused']);

export interface AfterJobsDeps {
  events: EventHub;
  journal: Pick<Journal, 'job' | 'ops'>;
  api: () => AltegioApi;
  index: { noteMemberships(list: readonly Membership[]): void; status(chainId: number): IndexStatus };
  log: Logger;
}

/** Starts listening; returns the unsubscribe. */
export function refreshIndexAfterJobs(deps: AfterJobsDeps): { stop: () => void } {
  const done = new Set<string>();
  let running: Promise<void> = Promise.resolve();

  async function refresh(batchId: string): Promise<void> {
    const job = deps.journal.job(batchId);
    if (!job || job.scope !== 'batch') return;
    const ids = [...new Set(deps.journal.ops(batchId, ['applied']).map((op) => op.membershipId))];
    for (let i = 0; i < ids.length; i += IDS_PAGE_SIZE) {
      deps.index.noteMemberships(await deps.api().membershipsByIds(job.chainId, ids.slice(i, i + IDS_PAGE_SIZE), { lane: 'background' }));
    }
    if (ids.length > 0) deps.events.emit('index.progress', deps.index.status(job.chainId));
  }

  const stop = deps.events.subscribe((event, payload) => {
    if (event !== 'batch.progress') return;
    const p = payload as EventPayload<'batch.progress'>;
    if (!STOPPED.has(p.state)) return;
    // A stopped job says so more than once; each stop (and each later resume's) refreshes once.
    const key = `${p.batchId}:${p.state}:${p.done}`;
    if (done.has(key)) return;
    done.add(key);
    running = running.then(() =>
      refresh(p.batchId).catch((e: unknown) => deps.log.info('index: refresh after a job failed', { error: e instanceof Error ? e.message : String(e) })),
    );
  });
  return { stop };
}
