/**
 * A batch's states and what a person may do in each: one table for the batch screen and the core
 * (which refuses the same actions on its own, main/core/batch/service.ts). Codes, not words.
 */
import type { BatchState, BatchSummary } from '../preload/contract';

/** A runner is (or was, before a crash) working on it. */
export function isActive(state: BatchState): boolean {
  return state === 'running' || state === 'offline' || state === 'waiting_auth';
}

/** Stopped for good: nothing more is sent. */
export function isFinished(state: BatchState): boolean {
  return state === 'done' || state === 'cancelled';
}

/** Started and not finished: something to resume (after a crash, `running` is what the journal says). */
export function isUnfinished(state: BatchState): boolean {
  return isActive(state) || state === 'paused';
}

/** Sent anything yet (a draft or a planned batch has not). */
export function wasStarted(s: Pick<BatchSummary, 'state'>): boolean {
  return s.state !== 'draft' && s.state !== 'planned';
}

export const canPause = (state: BatchState): boolean => isActive(state);
export const canResume = (state: BatchState): boolean => state === 'paused';
export const canCancel = (state: BatchState): boolean => isUnfinished(state);

/** An applied (not an undo) batch that changed something and has not been undone yet. */
export function canUndo(s: Pick<BatchSummary, 'kind' | 'state' | 'done' | 'undoneBy'>): boolean {
  return s.kind === 'apply' && isFinished(s.state) && s.done > 0 && !s.undoneBy;
}
