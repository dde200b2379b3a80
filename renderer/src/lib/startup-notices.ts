/**
 * What the app says about something that happened while it started (a damaged database kept
 * aside and replaced). All the words for it live here, so they move to the message catalogs in
 * one piece.
 */
import type { StartupNotice, UnfinishedBatch } from '../../../preload/contract';

export interface NoticeText {
  heading: string;
  paragraphs: string[];
  /** Membership numbers to look at in Altegio, per unfinished batch. */
  checks: Array<{ batch: string; numbers: string[]; more: number }>;
}

const rows = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function batchSentences(b: UnfinishedBatch): string[] {
  const out = [
    `“${b.fileName}” (started by ${b.userName}) had not finished: ${rows(b.applied, 'membership was', 'memberships were')} changed, ${rows(b.notSent, 'was', 'were')} not sent yet. Do not apply the same file again as it is (rows with + or − changes would count twice): check its memberships in Altegio first.`,
  ];
  if (b.uncertainCount > 0) {
    out.push(`For ${rows(b.uncertainCount, 'membership', 'memberships')} the change was sent but the answer was not recorded: ${b.uncertainCount === 1 ? 'it may or may not have' : 'they may or may not have'} changed. Look at ${b.uncertainCount === 1 ? 'it' : 'them'} in Altegio (numbers below).`);
  }
  return out;
}

export function startupNoticeText(n: StartupNotice): NoticeText {
  const paragraphs = [
    `The app's database on this computer was damaged, so the app started with a new, empty one. The damaged file was kept as ${n.keptAs} — keep it and send it to support with “Save diagnostics…” in Settings if they ask.`,
    'Sign in again. The audit log and the batch history from before are in the kept file, not in the app. Nothing in Altegio was changed by this.',
  ];
  const checks: NoticeText['checks'] = [];
  if (n.unfinished === null) {
    paragraphs.push('The kept file could not be read to see whether a batch was running. If one was, check its memberships in Altegio before applying that file again.');
  } else {
    for (const b of n.unfinished) {
      paragraphs.push(...batchSentences(b));
      if (b.uncertain.length > 0) checks.push({ batch: b.fileName, numbers: b.uncertain, more: Math.max(0, b.uncertainCount - b.uncertain.length) });
    }
  }
  return { heading: 'The app recovered from a damaged database', paragraphs, checks };
}
