/**
 * What the app says about something that happened while it started (a damaged database kept
 * aside and replaced). All the words for it live here, so they move to the message catalogs in
 * one piece.
 */
import type { StartupNotice, UnfinishedBatch } from '../../../preload/contract';
import { t } from './i18n';

export interface NoticeText {
  heading: string;
  paragraphs: string[];
  /** Membership numbers to look at in Altegio, per unfinished batch. */
  checks: Array<{ batch: string; numbers: string[]; more: number }>;
}

function batchSentences(b: UnfinishedBatch): string[] {
  const out = [t('notice.db.unfinished', { file: b.fileName, user: b.userName, applied: b.applied, notSent: b.notSent })];
  if (b.uncertainCount > 0) out.push(t('notice.db.uncertain', { count: b.uncertainCount }));
  return out;
}

export function startupNoticeText(n: StartupNotice): NoticeText {
  const paragraphs = [
    t('notice.db.kept', { file: n.keptAs }),
    t('notice.db.signIn'),
  ];
  const checks: NoticeText['checks'] = [];
  if (n.unfinished === null) {
    paragraphs.push(t('notice.db.unreadable'));
  } else {
    for (const b of n.unfinished) {
      paragraphs.push(...batchSentences(b));
      if (b.uncertain.length > 0) checks.push({ batch: b.fileName, numbers: b.uncertain, more: Math.max(0, b.uncertainCount - b.uncertain.length) });
    }
  }
  return { heading: t('notice.db.heading'), paragraphs, checks };
}
