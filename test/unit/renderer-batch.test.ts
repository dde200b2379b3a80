import { describe, expect, it } from 'vitest';
import { bindLanguage, loadLanguage } from '../../renderer/src/lib/i18n';
import type { BatchSummary, MsgData } from '../../preload/contract';
import { bulkJobName, bulkJobTitle } from '../../main/core/bulk/job-name';
import {
  FIELDS,
  STEPS,
  sizeWords,
  applyLabel,
  beforeAfter,
  canCancel,
  canPause,
  canResume,
  canUndo,
  columnOptions,
  countsWords,
  durationWords,
  encodingOptions,
  estimateWords,
  historyStateWords,
  interruptedSentence,
  isFinished,
  isUnfinished,
  jobName,
  mappingSourceWords,
  mappingValue,
  mappingWith,
  membershipTitle,
  mergeSummary,
  outcomeSentence,
  parseMappingValue,
  percent,
  problemWords,
  problemsCapNote,
  problemsHeading,
  processed,
  progressFromSummary,
  progressLabel,
  rateWords,
  rowStatusWords,
  stateHeading,
  summaryWithProgress,
  timeLeftWords,
  checkingWords,
  totalsSentence,
  needsMapping,
  wasStarted,
  type BatchProgress,
} from '../../renderer/src/lib/batch';

const MIN = 60_000;

function summary(over: Partial<BatchSummary> = {}): BatchSummary {
  return {
    batchId: 'b_123456',
    kind: 'apply',
    fileName: 'balances.csv',
    createdAt: '2026-05-20T10:00:00Z',
    userName: 'Anna',
    chainId: 70114,
    state: 'paused',
    totals: { rows: 2100, toChange: 2000, unchanged: 60, invalid: 40, memberships: 1500 },
    done: 640,
    failed: 0,
    conflicts: 0,
    undoOf: null,
    undoneBy: null,
    ...over,
  };
}

function progress(over: Partial<BatchProgress> = {}): BatchProgress {
  return { batchId: 'b_123456', state: 'running', total: 2000, done: 1000, failed: 10, conflicts: 5, requestsPerMinute: 187.6, etaMs: 3 * MIN, ...over };
}

describe('durationWords', () => {
  it.each([
    [0, 'less than a minute'],
    [44_000, 'less than a minute'],
    [45_000, 'about a minute'],
    [89_000, 'about a minute'],
    [3 * MIN, 'about 3 minutes'],
    [7 * MIN + 10_000, 'about 7 minutes'],
    [59 * MIN, 'about 59 minutes'],
    [60 * MIN, 'about an hour'],
    [80 * MIN, 'about 1 hour 20 minutes'],
    [127 * MIN, 'about 2 hours 10 minutes'],
    [180 * MIN, 'about 3 hours'],
  ])('%d ms -> %s', (ms, words) => {
    expect(durationWords(ms)).toBe(words);
  });

  it('never says something silly for odd input', () => {
    expect(durationWords(Number.NaN)).toBe('less than a minute');
    expect(durationWords(-5)).toBe('less than a minute');
    expect(durationWords(Number.POSITIVE_INFINITY)).toBe('less than a minute');
  });

  it('time left and estimates', () => {
    expect(timeLeftWords(3 * MIN)).toBe('about 3 minutes left');
    expect(timeLeftWords(null)).toBe('working out the time left…');
    expect(timeLeftWords(0)).toBe('almost done');
    expect(estimateWords(7 * MIN, 10)).toBe('Estimated time at Altegio’s request limit: about 7 minutes.');
    expect(estimateWords(0, 0)).toBe('Nothing to send.');
  });

  it('checking a file: memberships looked up of those needed and the time left', () => {
    expect(checkingWords(null)).toBeNull();
    expect(checkingWords({ done: 0, total: 0, etaMs: null })).toBeNull();
    expect(checkingWords({ done: 120, total: 1200, etaMs: 4 * MIN })).toBe('Looking up memberships in Altegio: 120 of 1,200 done, about 4 minutes left.');
    expect(checkingWords({ done: 3, total: 1, etaMs: 0 })).toBe('Looking up memberships in Altegio: 1 of 1 done.');
    expect(checkingWords({ done: 0, total: 3, etaMs: null })).toBe('Looking up memberships in Altegio: 0 of 3 done, working out the time left…');
  });
});

describe('states in words', () => {
  it('says every state the way a salon owner would', () => {
    expect(stateHeading('running')).toBe('Running');
    expect(stateHeading('paused')).toBe('Paused');
    expect(stateHeading('offline')).toBe('Offline — will continue when the connection is back');
    expect(stateHeading('cancelled')).toBe('Cancelled');
    expect(stateHeading('done')).toBe('Done');
    expect(stateHeading('waiting_auth')).toBe('Waiting for you to sign in again');
    expect(stateHeading('planned')).toBe('Ready to apply');
  });

  it('in the list of previous batches', () => {
    expect(historyStateWords('running', true)).toBe('Running (shown above)');
    expect(historyStateWords('running', false)).toBe('Interrupted');
    expect(historyStateWords('paused', false)).toBe('Paused');
  });

  it('knows which buttons apply', () => {
    expect(isUnfinished('running') && isUnfinished('paused') && isUnfinished('offline') && isUnfinished('waiting_auth')).toBe(true);
    expect(isUnfinished('done') || isUnfinished('cancelled') || isUnfinished('planned') || isUnfinished('draft')).toBe(false);
    expect(isFinished('done') && isFinished('cancelled')).toBe(true);
    expect(canPause('running') && canPause('offline')).toBe(true);
    expect(canPause('paused')).toBe(false);
    expect(canResume('paused')).toBe(true);
    expect(canResume('running')).toBe(false);
    expect(canCancel('paused') && canCancel('running')).toBe(true);
    expect(canCancel('done')).toBe(false);
  });

  it('offers undo only for a finished apply that changed something and was not undone', () => {
    expect(canUndo(summary({ state: 'done' }))).toBe(true);
    expect(canUndo(summary({ state: 'cancelled' }))).toBe(true);
    expect(canUndo(summary({ state: 'running' }))).toBe(false);
    expect(canUndo(summary({ state: 'done', done: 0 }))).toBe(false);
    expect(canUndo(summary({ state: 'done', undoneBy: 'b_999999' }))).toBe(false);
    expect(canUndo(summary({ state: 'done', kind: 'undo' }))).toBe(false);
  });
});

describe('totals and progress', () => {
  it('needs mapping: no rows read because of a mapping problem (not an empty file)', () => {
    const none = { rows: 0, toChange: 0, unchanged: 0, invalid: 0, memberships: 0 };
    const mappingProblem = { line: 0, column: null, field: 'balance', msg: { key: 'batch.mapping.needOperation' }, message: 'Choose the column with the new balance or the change (+/−).' };
    expect(needsMapping({ totals: none, problems: [mappingProblem] })).toBe(true);
    expect(needsMapping({ totals: none, problems: [] })).toBe(false);
    expect(needsMapping({ totals: { ...none, rows: 1, invalid: 1 }, problems: [{ ...mappingProblem, line: 2 }] })).toBe(false);
  });

  it('totals sentence', () => {
    expect(totalsSentence({ rows: 2100, toChange: 2000, unchanged: 60, invalid: 40, memberships: 1500 })).toBe(
      '2,000 rows to change, 60 unchanged, 40 with problems, across 1,500 memberships',
    );
    expect(totalsSentence({ rows: 1, toChange: 1, unchanged: 0, invalid: 0, memberships: 1 })).toBe('1 row to change, 0 unchanged, 0 with problems, across 1 membership');
    expect(applyLabel(1)).toBe('Apply 1 change');
    expect(applyLabel(1234)).toBe('Apply 1,234 changes');
  });

  it('progress counts done, failed and conflicts as processed, clamped to the total', () => {
    expect(processed(progress())).toBe(1015);
    expect(processed(progress({ done: 1990, failed: 20 }))).toBe(2000);
    expect(percent(progress())).toBe(50);
    expect(percent(progress({ total: 0 }))).toBe(0);
    expect(percent(progress({ state: 'done', done: 1 }))).toBe(100);
    expect(progressLabel(progress())).toBe('1,015 of 2,000 rows (50%)');
    expect(rateWords(187.6)).toBe('188 requests per minute');
    expect(rateWords(0)).toBe('—');
  });

  it('builds progress from a summary and merges events into it', () => {
    const s = summary();
    expect(progressFromSummary(s)).toEqual({ batchId: 'b_123456', state: 'paused', total: 2000, done: 640, failed: 0, conflicts: 0, requestsPerMinute: 0, etaMs: null });
    const merged = summaryWithProgress(s, progress({ state: 'running', done: 700, failed: 1, conflicts: 2 }));
    expect(merged).toMatchObject({ state: 'running', done: 700, failed: 1, conflicts: 2, fileName: 'balances.csv' });
    expect(summaryWithProgress(s, progress({ batchId: 'other_1' }))).toBe(s);
  });

  it('a reply decides the state, but counts never go back', () => {
    const before = summary({ state: 'running', done: 900, failed: 3 });
    const reply = summary({ state: 'paused', done: 880, failed: 3, conflicts: 1 });
    expect(mergeSummary(before, reply)).toMatchObject({ state: 'paused', done: 900, failed: 3, conflicts: 1 });
    expect(mergeSummary(null, reply)).toBe(reply);
    expect(mergeSummary(summary({ batchId: 'other_1' }), reply)).toBe(reply);
  });

  it('lists only batches that were started', () => {
    expect(wasStarted({ state: 'planned' }) || wasStarted({ state: 'draft' })).toBe(false);
    expect(wasStarted({ state: 'cancelled' }) && wasStarted({ state: 'running' })).toBe(true);
  });

  it('the interrupted-batch banner', () => {
    expect(interruptedSentence(summary())).toBe('A batch was interrupted: 640 of 2,000 rows done. Resume?');
    expect(interruptedSentence(summary({ kind: 'undo' }))).toBe('An undo of a batch was interrupted: 640 of 2,000 rows done. Resume?');
  });

  it('outcome and counts', () => {
    expect(outcomeSentence({ kind: 'apply', state: 'done', done: 1990, failed: 0, conflicts: 0 })).toBe('Finished: 1,990 rows changed.');
    expect(outcomeSentence({ kind: 'apply', state: 'done', done: 1, failed: 2, conflicts: 3 })).toBe(
      'Finished: 1 row changed, 2 failed, 3 not touched because someone changed them in the meantime.',
    );
    expect(outcomeSentence({ kind: 'undo', state: 'cancelled', done: 5, failed: 0, conflicts: 0 })).toBe('Cancelled: 5 rows restored.');
    expect(countsWords(summary({ failed: 3, conflicts: 1 }))).toBe('640 done · 3 failed · 1 conflict · of 2,000');
  });
});

describe('problems', () => {
  it('says line and column', () => {
    // Worded from the message by reference (`msg`), never from the core's English `message`.
    const notANumber = { key: 'batch.problem.notANumber', params: { value: 'ten' } };
    expect(problemWords({ line: 12, column: 'balance', field: 'balance', msg: notANumber, message: 'ignored' })).toBe('Line 12, column balance: “ten” is not a number of visits.');
    expect(problemWords({ line: 7, column: null, field: null, msg: { key: 'batch.problem.duplicate', params: { line: 3 } }, message: 'ignored' })).toBe('Line 7: Same as line 3; counted once.');
    expect(problemWords({ line: 7, column: null, field: 'delta', msg: { key: 'batch.problem.both' }, message: 'ignored' })).toBe('Line 7, column Change (+/−): Both a new balance and a change are given; keep only one.');
    expect(problemWords({ line: 7, column: null, columnNumber: 3, field: 'delta', msg: notANumber, message: 'ignored' })).toBe('Line 7, column Column 3: “ten” is not a number of visits.');
    expect(problemWords({ line: 0, column: null, field: null, msg: { key: 'batch.mapping.needMembership' }, message: 'ignored' })).toBe('The file: Choose the column with the membership ID (or the membership number and client phone).');
  });

  it('headings and the cap note', () => {
    expect(problemsHeading(0)).toBe('No problems');
    expect(problemsHeading(1)).toBe('1 problem');
    expect(problemsHeading(1234)).toBe('1,234 problems');
    expect(problemsCapNote(200, 200)).toBeNull();
    expect(problemsCapNote(200, 1234)).toMatch(/^Showing the first 200 of 1,234 problems\./);
  });
});

describe('mapping', () => {
  it('lists every field with its fixed label', () => {
    expect(FIELDS.map((f) => f.label())).toEqual(['Membership ID', 'Membership number', 'Phone', 'Service ID', 'Service', 'New balance', 'Change (+/−)', 'Reason']);
  });

  it('offers the file’s columns by header, or by number without one', () => {
    expect(columnOptions(['id', '', 'Остаток'], [['1', '2', '3', '4']])).toEqual([
      { index: 0, label: 'Column 1: id' },
      { index: 1, label: 'Column 2' },
      { index: 2, label: 'Column 3: Остаток' },
      { index: 3, label: 'Column 4' },
    ]);
    expect(columnOptions([])).toEqual([]);
  });

  it('changes one field and sends every field', () => {
    const next = mappingWith({ membership_id: 0, balance: 2 }, 'balance', null);
    expect(next).toEqual({ membership_id: 0, number: null, phone: null, service_id: null, service: null, balance: null, delta: null, reason: null });
    expect(mappingWith({ membership_id: 0 }, 'delta', 3).delta).toBe(3);
    expect(mappingValue({ balance: 0 }, 'balance')).toBe('0');
    expect(mappingValue({ balance: null }, 'balance')).toBe('');
    expect(mappingValue({}, 'reason')).toBe('');
    expect(parseMappingValue('')).toBeNull();
    expect(parseMappingValue('4')).toBe(4);
    expect(parseMappingValue('x')).toBeNull();
  });

  it('says where the mapping came from', () => {
    expect(mappingSourceWords('auto')).toMatch(/Guessed/);
    expect(mappingSourceWords('remembered')).toMatch(/Remembered/);
    expect(mappingSourceWords('manual')).toMatch(/you chose/);
  });

  it('always offers the detected encoding', () => {
    expect(encodingOptions('windows-1251')[0]?.value).toBe('utf-8');
    expect(encodingOptions('MACCYRILLIC')[0]).toEqual({ value: 'maccyrillic', label: 'MACCYRILLIC' });
    const values = encodingOptions(null).map((e) => e.value);
    for (const e of ['utf-8', 'utf-16le', 'utf-16be', 'windows-1251', 'windows-1252', 'koi8-r', 'iso-8859-1']) expect(values).toContain(e);
  });

  it('words each encoding in the language in use, its name as it is (issue 12)', async () => {
    await loadLanguage('ru');
    bindLanguage(() => 'ru');
    try {
      const byValue = new Map(encodingOptions(null).map((e) => [e.value, e.label]));
      expect(byValue.get('utf-8')).toBe('UTF-8 (большинство файлов)');
      expect(byValue.get('windows-1251')).toBe('Windows-1251 (Excel на русском)');
      expect(byValue.get('utf-16be')).toBe('UTF-16 BE');
    } finally {
      bindLanguage(() => 'en');
    }
    expect(encodingOptions(null)[0]).toEqual({ value: 'utf-8', label: 'UTF-8 (most files)' });
  });
});

describe('a batch’s name (issue 12)', () => {
  it('a bulk action’s job is named by what it does, in the language in use; a file’s batch by its file', async () => {
    const names = ['bulk-freeze-until-2026-12-31', 'bulk-unfreeze', 'bulk-visits-minus-2', 'bulk-extend-21-days', 'bulk-freeze.csv'];
    const named = () => names.map((fileName) => jobName({ fileName, title: bulkJobTitle(fileName) as MsgData | null }));
    expect(named()).toEqual(['Bulk freeze until 31 December 2026', 'Bulk unfreeze', 'Bulk visit change (−2)', 'Bulk extension by 21 days', 'bulk-freeze.csv']);
    await loadLanguage('ru');
    bindLanguage(() => 'ru');
    try {
      expect(named()).toEqual(['Массовая заморозка до 31.12.2026', 'Массовая разморозка', 'Массовое изменение визитов (−2)', 'Массовое продление на 21 день', 'bulk-freeze.csv']);
    } finally {
      bindLanguage(() => 'en');
    }
    // Every name the core gives a bulk job reads back as a title.
    for (const action of [{ kind: 'freeze', freezeTill: '2026-05-20' }, { kind: 'unfreeze' }, { kind: 'visits', delta: 3 }, { kind: 'extend', days: 1 }] as const) {
      expect(bulkJobTitle(bulkJobName(action))).not.toBeNull();
    }
  });
});

describe('plan rows', () => {
  it('before → after and status', () => {
    expect(beforeAfter({ before: 7, after: 10, status: 'change' })).toBe('7 → 10');
    expect(beforeAfter({ before: null, after: null, status: 'invalid' })).toBe('— → —');
    expect(beforeAfter({ before: 5, after: 5, status: 'unchanged' })).toBe('5');
    expect(rowStatusWords({ status: 'conflict', message: 'Now 4' })).toBe('Changed by someone else: Now 4');
    expect(rowStatusWords({ status: 'applied', message: null })).toBe('Applied');
  });
});

describe('file size and steps in words (from the catalog)', () => {
  it('says a file size in bytes, KB or MB', () => {
    expect(sizeWords(1)).toBe('1 byte');
    expect(sizeWords(900)).toBe('900 bytes');
    expect(sizeWords(12 * 1024)).toBe('12 KB');
    expect(sizeWords(3.44 * 1024 * 1024)).toBe('3.4 MB');
    expect(sizeWords(5 * 1024 * 1024)).toBe('5 MB');
  });

  it('names each step of a batch', () => {
    expect(STEPS.map((s) => s.label())).toEqual(['File', 'Columns', 'Problems', 'Preview']);
  });
});

describe('membershipTitle', () => {
  it('the number, the id labelled once resolved, the client when known', () => {
    expect(membershipTitle({ membership: '270709', membershipId: 4471900, client: 'Dana Whitfield' })).toBe('270709 · id 4471900 · Dana Whitfield');
    expect(membershipTitle({ membership: '270709', membershipId: 4471900, client: null })).toBe('270709 · id 4471900');
    expect(membershipTitle({ membership: '99999999', membershipId: null })).toBe('99999999');
  });
});
