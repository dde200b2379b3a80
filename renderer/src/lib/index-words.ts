/**
 * The membership index in words (all its user-visible text in one place, for the message
 * catalogs). Pure functions, unit-tested.
 */
import type { IndexStatus } from '../../../preload/contract';
import { plural } from './format';

/** "14:05" on this computer's clock (the index is this PC's copy). */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** "about 3 min left", "less than a minute left". */
export function timeLeft(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 60_000) return 'less than a minute left';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `about ${plural(minutes, 'minute', 'minutes')} left`;
  return `about ${plural(Math.round(minutes / 60), 'hour', 'hours')} left`;
}

export function asOfText(status: IndexStatus): string {
  if (!status.asOf) return '';
  const sameDay = new Date(status.asOf).toDateString() === new Date().toDateString();
  const when = sameDay ? clockTime(status.asOf) : new Date(status.asOf).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return `as of ${when}`;
}

/** The index bar's one line. */
export function indexLine(status: IndexStatus): string {
  const p = status.progress;
  switch (status.state) {
    case 'empty':
      return 'Membership numbers are not searchable yet: the app first reads all of this chain’s memberships from Altegio (once; later only what changed).';
    case 'syncing': {
      const percent = p?.fraction !== null && p?.fraction !== undefined ? `${Math.round(p.fraction * 100)}% · ` : '';
      const left = timeLeft(p?.etaMs ?? null);
      return `Reading the chain’s memberships… ${percent}${plural(p?.rowsRead ?? 0, 'membership', 'memberships')} read${left ? `, ${left}` : ''}. Searching stays fast meanwhile.`;
    }
    case 'refreshing':
      return `Refreshing the memberships${p?.etaMs ? ` (${timeLeft(p.etaMs)})` : ''}… ${plural(status.rows, 'membership', 'memberships')}, ${asOfText(status)}.`;
    case 'paused':
      return `Reading stopped part-way: ${plural(status.rows, 'membership', 'memberships')} so far. Continue where it stopped.`;
    case 'ready':
      return `${plural(status.rows, 'membership', 'memberships')} of this chain, ${asOfText(status)}.`;
  }
}

export const WORKLIST_WORDS = {
  title: 'Worklists',
  kinds: {
    expiring: 'Expiring soon',
    frozen: 'Frozen now',
    low_balance: 'Low balance',
    not_activated: 'Issued, not activated',
    all: 'All memberships',
  },
  withinDays: 'Within days',
  visitsAtMost: 'At most visits left',
  type: 'Type',
  anyType: 'Any type',
  soldAt: 'Types sold at',
  anyLocation: 'Any location',
  filter: 'Filter (number, type, client)',
  export: 'Export CSV',
  more: 'Show more',
  table: 'Memberships in this list',
  columns: { number: 'Number', type: 'Type', status: 'Status', expiry: 'Expires', frozen_till: 'Frozen until', balance: 'Visits left', client: 'Client' },
  shown: (shown: number, total: number) => (shown < total ? `${shown} of ${total} shown` : `${total} in this list`),
  needIndex: 'Worklists work on this PC’s copy of the chain’s memberships. Read them first (above).',
  empty: 'No memberships in this list.',
  open: (n: string) => `Open membership № ${n}`,
} as const;

export const INDEX_WORDS = {
  region: 'Membership numbers',
  build: 'Read memberships',
  continue: 'Continue reading',
  refresh: 'Refresh',
  stop: 'Stop',
  forget: 'Forget this chain’s data',
  forgetConfirm: 'Forget this chain’s memberships and the clients remembered with them on this PC? Nothing changes in Altegio; reading them again takes a while.',
  stoppedBecause: 'Reading stopped:',
  progress: 'Reading memberships',
  numberKind: 'Membership',
  clientKind: 'Client',
  clientUnknown: 'client unknown',
  clientUnknownHint: 'Altegio does not say whose membership this is. Search the client’s name or phone to see it with its client.',
  foundAt: (title: string) => `found at ${title}`,
  switchTo: (title: string) => `Switch to ${title}`,
  seenAt: (title: string) => `This membership was seen at ${title}.`,
  indexHint: 'Numbers are found once the chain’s memberships are read (below).',
} as const;
