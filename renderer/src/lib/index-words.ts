/**
 * The membership index in words (all its user-visible text in one place, for the message
 * catalogs). Pure functions, unit-tested.
 */
import type { IndexStatus } from '../../../preload/contract';
import { locale, t } from './i18n';

/** "14:05" on this computer's clock (the index is this PC's copy). */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** "about 3 min left", "less than a minute left". */
export function timeLeft(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 60_000) return t('index.left.underMinute');
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return t('index.left.minutes', { count: minutes });
  return t('index.left.hours', { count: Math.round(minutes / 60) });
}

export function asOfText(status: IndexStatus): string {
  if (!status.asOf) return '';
  const sameDay = new Date(status.asOf).toDateString() === new Date().toDateString();
  const when = sameDay ? clockTime(status.asOf) : new Date(status.asOf).toLocaleString(locale(), { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return t('index.asOf', { when });
}

/** The index bar's one line. */
export function indexLine(status: IndexStatus): string {
  const p = status.progress;
  switch (status.state) {
    case 'empty':
      return t('index.line.empty');
    case 'syncing': {
      const percent = p?.fraction !== null && p?.fraction !== undefined ? `${Math.round(p.fraction * 100)}% · ` : '';
      const left = timeLeft(p?.etaMs ?? null);
      return t('index.line.syncing', { percent, count: p?.rowsRead ?? 0, left: left ? `, ${left}` : '' });
    }
    case 'refreshing':
      return p?.etaMs
        ? t('index.line.refreshingLeft', { left: timeLeft(p.etaMs), count: status.rows, asOf: asOfText(status) })
        : t('index.line.refreshing', { count: status.rows, asOf: asOfText(status) });
    case 'paused':
      return t('index.line.paused', { count: status.rows });
    case 'ready':
      return t('index.line.ready', { count: status.rows, asOf: asOfText(status) });
  }
}

/** The worklists' words, read when shown (so a language switch renames them at once). */
export const WORKLIST_WORDS = {
  get title() { return t('worklist.title'); },
  get chooseLocation() { return t('worklist.chooseLocation'); },
  kinds: {
    get expiring() { return t('worklist.kind.expiring'); },
    get frozen() { return t('worklist.kind.frozen'); },
    get low_balance() { return t('worklist.kind.low_balance'); },
    get not_activated() { return t('worklist.kind.not_activated'); },
    get all() { return t('worklist.kind.all'); },
  },
  get withinDays() { return t('worklist.withinDays'); },
  get visitsAtMost() { return t('worklist.visitsAtMost'); },
  get type() { return t('worklist.type'); },
  get anyType() { return t('worklist.anyType'); },
  get soldAt() { return t('worklist.soldAt'); },
  get anyLocation() { return t('worklist.anyLocation'); },
  get filter() { return t('worklist.filter'); },
  get export() { return t('worklist.export'); },
  get more() { return t('worklist.more'); },
  get table() { return t('worklist.table'); },
  columns: {
    get number() { return t('worklist.col.number'); },
    get type() { return t('worklist.col.type'); },
    get status() { return t('worklist.col.status'); },
    get expiry() { return t('worklist.col.expiry'); },
    get frozen_till() { return t('worklist.col.frozen_till'); },
    get balance() { return t('worklist.col.balance'); },
    get client() { return t('worklist.col.client'); },
  },
  shown: (shown: number, total: number) => (shown < total ? t('worklist.shown', { shown, total }) : t('worklist.total', { total })),
  get needIndex() { return t('worklist.needIndex'); },
  get empty() { return t('worklist.empty'); },
  open: (number: string) => t('worklist.open', { number }),
};

/** The index's fixed words, read when shown (so a language switch renames them at once). */
export const INDEX_WORDS = {
  get region() { return t('index.region'); },
  get build() { return t('index.build'); },
  get continue() { return t('index.continue'); },
  get refresh() { return t('index.refresh'); },
  get stop() { return t('index.stop'); },
  get forget() { return t('index.forget'); },
  get forgetConfirm() { return t('index.forgetConfirm'); },
  get forgetTitle() { return t('index.forgetDialog.title'); },
  get forgetYes() { return t('index.forgetDialog.confirm'); },
  get forgetBusy() { return t('index.forgetDialog.busy'); },
  get forgetKeep() { return t('index.forgetDialog.keep'); },
  get stoppedBecause() { return t('index.stoppedBecause'); },
  get progress() { return t('index.progress'); },
  get numberKind() { return t('index.numberKind'); },
  get clientKind() { return t('index.clientKind'); },
  get clientUnknown() { return t('index.clientUnknown'); },
  get clientUnknownHint() { return t('index.clientUnknownHint'); },
  get findClient() { return t('index.findClient'); },
  findClientOf: (number: string) => t('index.findClientOf', { number }),
  get findingClient() { return t('index.findingClient'); },
  clientFound: (name: string) => t('index.clientFound', { name }),
  clientNotFound: (checked: number) => t('index.clientNotFound', { checked }),
  clientNotFoundMore: (checked: number) => t('index.clientNotFoundMore', { checked }),
  get clientFilterRefused() { return t('index.clientFilterRefused'); },
  foundAt: (title: string) => t('index.foundAt', { title }),
  switchTo: (title: string) => t('index.switchTo', { title }),
  seenAt: (title: string) => t('index.seenAt', { title }),
  get indexHint() { return t('index.indexHint'); },
};
