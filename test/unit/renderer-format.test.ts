import { describe, expect, it } from 'vitest';
import type { AuditEntry, Balance, Rights } from '../../preload/contract';
import { cardActions, undoState } from '../../renderer/src/lib/actions';
import { actionLabel, changeLines, outcomeLabel } from '../../common/audit-words';
import { buildAuditFilter } from '../../renderer/src/lib/audit-filter';
import { assumedZoneNote, balanceSummary, formatDate, formatDay, formatDayLong, formatMoment, freezeRuleWords, frozenWords, statusLabel, statusWord } from '../../renderer/src/lib/format';
import { exampleMembership as membership } from '../support/memberships';
import { snap } from '../support/audit-snapshots';

const CHICAGO = 'America/Chicago';

const ALL: Rights = { loyalty: true, periodEdit: true, balanceEdit: true, history: true };

describe('formatting', () => {
  it('shows dates as calendar days in the location zone', () => {
    expect(formatDate('2026-06-05T23:59:59-05:00', CHICAGO)).toBe('5 June 2026');
    // 03:00 UTC on 6 June is still 5 June in Chicago, already 6 June in Berlin.
    expect(formatDate('2026-06-06T03:00:00Z', CHICAGO)).toBe('5 June 2026');
    expect(formatDate('2026-06-06T03:00:00Z', 'Europe/Berlin')).toBe('6 June 2026');
    expect(formatDate('2026-05-20', CHICAGO)).toBe('20 May 2026');
    expect(formatDate(null, CHICAGO)).toBe('—');
    expect(formatDay('2026-05-20')).toBe('20 May 2026');
    expect(formatDayLong('2026-05-20')).toBe('Wednesday, 20 May 2026');
    expect(formatMoment('2026-05-20T19:05:00Z', CHICAGO)).toBe('20 May 2026, 14:05');
  });

  it('names statuses as the desk says them', () => {
    expect(statusLabel({ id: 1, slug: 'created', title: 'Released' })).toBe('Issued');
    expect(statusLabel({ id: 2, slug: 'active', title: 'x' })).toBe('Active');
    expect(statusLabel({ id: 3, slug: 'expired', title: 'Overdue' })).toBe('Expired');
    expect(statusLabel({ id: 4, slug: 'wasted', title: '' })).toBe('Used up');
    expect(statusLabel({ id: 9, slug: 'unknown', title: 'Archived' })).toBe('Archived');
    // A slug an old audit snapshot holds that the app does not know: as given (never a prototype's member).
    expect(statusWord('paused')).toBe('paused');
    expect(statusWord('constructor')).toBe('constructor');
    expect(statusWord('wasted')).toBe('Used up');
  });

  it('describes freeze rules and balances', () => {
    expect(freezeRuleWords(membership().type)).toBe('Freezing allowed, up to 14 days in total');
    expect(freezeRuleWords({ ...membership().type, freezeLimit: 1, freezeLimitUnit: 'month' })).toBe('Freezing allowed, up to 1 month in total');
    expect(freezeRuleWords({ ...membership().type, allowFreeze: false })).toBe('Freezing not allowed');
    const united: Balance = { kind: 'united', count: 1, unlimited: false, lines: [] };
    expect(balanceSummary(united)).toBe('1 visit left (shared)');
    expect(balanceSummary({ ...united, unlimited: true })).toBe('Unlimited visits (shared)');
    expect(
      balanceSummary({
        kind: 'per_service',
        lines: [
          { serviceId: 1, title: 'Yoga', isCategory: true, count: 3, unlimited: false },
          { serviceId: 2, title: 'Sauna', isCategory: false, count: 0, unlimited: true },
        ],
      }),
    ).toBe('Yoga: 3 · Sauna: Unlimited');
  });
});

describe('card actions', () => {
  const now = new Date('2026-05-10T15:00:00Z');

  it('enables what the rules and rights allow', () => {
    const a = cardActions(membership(), ALL, now, CHICAGO);
    expect(a.freeze.enabled).toBe(true);
    expect(a.unfreeze).toEqual({ enabled: false, reason: 'Not frozen.' });
    expect(a.editBalance.enabled).toBe(true);
  });

  it('says why freezing is off', () => {
    const a = cardActions(membership({ type: { ...membership().type, allowFreeze: false } }), ALL, now, CHICAGO);
    expect(a.freeze.enabled).toBe(false);
    expect(a.freeze.reason).toBe('This membership type cannot be frozen.');
    const frozen = cardActions(membership({ isFrozen: true, freezeTill: '2026-05-20' }), ALL, now, CHICAGO);
    expect(frozen.freeze.reason).toContain('Already frozen until 20 May 2026');
    expect(frozen.unfreeze.enabled).toBe(true);
    expect(frozen.primary).toBe('unfreeze');
    expect(cardActions(membership(), ALL, now, CHICAGO).primary).toBe('freeze');
    const noRight = cardActions(membership({ isFrozen: true }), { ...ALL, periodEdit: false, balanceEdit: false }, now, CHICAGO);
    expect(noRight.unfreeze.enabled).toBe(false);
    expect(noRight.editBalance.reason).toContain('does not allow changing');
  });

  it('knows which audit entries can be undone', () => {
    const entry: AuditEntry = {
      id: 5,
      at: '2026-05-10T15:00:00Z',
      userName: 'Dana Whitfield',
      userId: 1,
      profileId: 'p',
      chainId: 70114,
      locationId: 1,
      membershipId: 4471902,
      membershipNumber: '500731',
      action: 'set_balance',
      before: snap({ services: { '12840551': 7 } }),
      after: snap({ services: { '12840551': 5 } }),
      reason: 'dispute',
      outcome: 'ok',
      message: null,
      batchId: null,
      undoOf: null,
      undoneBy: null,
    };
    expect(undoState(entry, ALL).enabled).toBe(true);
    expect(undoState({ ...entry, undoneBy: 9 }, ALL)).toEqual({ enabled: false, reason: 'Already undone.' });
    expect(undoState({ ...entry, outcome: 'failed' }, ALL).enabled).toBe(false);
    expect(undoState({ ...entry, action: 'undo' }, ALL).enabled).toBe(false);
    expect(undoState(entry, { ...ALL, balanceEdit: false }).enabled).toBe(false);
    expect(changeLines(entry, CHICAGO, new Map([['12840551', 'Pilates group']]))).toEqual(['Pilates group: 7 → 5']);
    expect(changeLines(entry, CHICAGO)).toEqual(['Service 12840551: 7 → 5']);
    // The audit screen has no card: the titles the snapshot carries name the service.
    const titled = { ...entry, before: snap({ services: { '12840551': 7 }, serviceTitles: { '12840551': 'Pilates group' } }) };
    expect(changeLines(titled, CHICAGO)).toEqual(['Pilates group: 7 → 5']);
    // An old row that fits no known shape: its values listed as they are (services also as a list).
    const old = { before: { shape: 'unknown' as const, values: { services: [{ serviceId: 12840551, balance: 7 }], is_frozen: false } }, after: { shape: 'unknown' as const, values: { services: [{ serviceId: 12840551, balance: 5 }], is_frozen: true } } };
    expect(changeLines(old, CHICAGO, new Map([['12840551', 'Pilates group']]))).toEqual(['Pilates group: 7 → 5', 'Frozen: no → yes']);
    expect(changeLines({ before: snap({ isFrozen: false, freezeTill: null }), after: snap({ isFrozen: true, freezeTill: '2026-05-20' }) }, CHICAGO)).toEqual([
      'Frozen: no → yes',
      'Frozen until: — → 20 May 2026',
    ]);
    expect(changeLines({ before: snap({ united: 3 }), after: snap({ united: 4 }) }, CHICAGO)).toEqual(['Shared balance: 3 → 4']);
    // The core's snapshot shape: services keyed by id, the request kept in `before`.
    const titles = new Map([['12840551', 'Pilates group']]);
    const core = {
      before: snap({ services: { '12840551': 7, '99': 2 }, request: { services: { '12840551': 8 } } }),
      after: snap({ services: { '12840551': 8, '99': 2 } }),
    };
    expect(changeLines(core, CHICAGO, titles)).toEqual(['Pilates group: 7 → 8']);
    expect(changeLines({ ...core, after: null }, CHICAGO, titles)).toEqual(['Asked: Pilates group: 7 → 8']);
    expect(changeLines({ before: snap({ request: { freezeTill: '2026-12-05' } }), after: null }, CHICAGO)).toEqual(['Asked: frozen until 5 December 2026']);
    expect(changeLines({ before: snap({ statusSlug: 'wasted' }), after: snap({ statusSlug: 'active' }) }, CHICAGO)).toEqual(['Status: Used up → Active']);
    // Entry numbers are never shown: an undo and an undone change are told in words.
    const undo = { ...entry, id: 6, action: 'undo' as const, undoOf: 5, userName: 'Alex Morgan', at: '2026-05-10T19:02:00Z' };
    expect(actionLabel(undo, [entry, undo], CHICAGO)).toBe('Undo of the balance change made 10 May 2026, 10:00');
    expect(actionLabel(undo)).toBe('Undo of an earlier change');
    expect(outcomeLabel({ ...entry, undoneBy: 6 }, [entry, undo], CHICAGO)).toBe('Done; undone by Alex Morgan, 10 May 2026, 14:02');
    expect(outcomeLabel({ ...entry, undoneBy: 6 })).toBe('Done; undone later');
    // A later change of the same kind replaces an earlier one: its undo is no longer offered.
    const freeze = { ...entry, id: 10, action: 'freeze' as const };
    const unfreeze = { ...entry, id: 11, action: 'unfreeze' as const };
    expect(undoState(freeze, ALL, [freeze, unfreeze])).toEqual({ enabled: false, reason: 'A later change replaced this one, so undoing it no longer makes sense.' });
    expect(undoState(entry, ALL, [entry, unfreeze]).enabled).toBe(true);
    expect(undoState(entry, ALL, [entry, { ...entry, id: 12 }]).enabled).toBe(false);
    expect(undoState(entry, ALL, [entry, { ...entry, id: 12, membershipId: 1 }]).enabled).toBe(true);
  });
});

describe('audit filter form', () => {
  it('builds the filter (days in the location zone) and reports bad fields', () => {
    const empty = { membership: '', userName: '', locationId: '', from: '', to: '' };
    expect(buildAuditFilter({ membership: ' № 270709 ', userName: ' Dana ', locationId: '512330', from: '2026-05-01', to: '2026-05-31' }, CHICAGO)).toEqual({
      filter: { membership: '270709', userName: 'Dana', locationId: 512330, from: '2026-05-01', to: '2026-05-31', timezone: CHICAGO },
      errors: {},
    });
    expect(buildAuditFilter(empty, CHICAGO)).toEqual({ filter: {}, errors: {} });
    const bad = buildAuditFilter({ ...empty, membership: 'x'.repeat(41), from: '2026-05-31', to: '2026-05-01' }, CHICAGO);
    expect(bad.filter).toBeNull();
    expect(Object.keys(bad.errors).sort()).toEqual(['membership', 'to']);
    expect(bad.errors).toEqual({
      membership: 'Enter the membership number from its card (e.g. 270709) or its id (e.g. 4471900).',
      to: 'The end date is before the start date.',
    });
  });
});

describe('assumedZoneNote', () => {
  it('speaks only when the location\'s zone is an assumption, naming UTC and what to do', () => {
    expect(assumedZoneNote({ timezone: 'UTC', timezoneAssumed: true })).toMatch(/did not give the app this location’s time zone.*UTC.*set the location’s time zone, then sign in again/);
    expect(assumedZoneNote({ timezone: 'Europe/Berlin', timezoneAssumed: false })).toBeNull();
    expect(assumedZoneNote({ timezone: 'Europe/Berlin' })).toBeNull();
    // Cached by an earlier version, which fell back to UTC without saying so.
    expect(assumedZoneNote({ timezone: 'UTC' })).not.toBeNull();
    expect(assumedZoneNote(null)).toBeNull();
  });
});

describe('frozenWords', () => {
  it('marks a date the app sent itself (the read said frozen without freeze_till)', () => {
    const z = 'America/Chicago';
    expect(frozenWords({ isFrozen: false, freezeTill: null }, z)).toBe('No');
    expect(frozenWords({ isFrozen: true, freezeTill: null }, z)).toBe('Yes, until unfrozen');
    expect(frozenWords({ isFrozen: true, freezeTill: '2026-05-20' }, z)).toBe(`Yes, until ${formatDate('2026-05-20', z)}`);
    expect(frozenWords({ isFrozen: true, freezeTill: '2026-05-20', freezeTillSource: 'app' }, z)).toBe(`Yes, until ${formatDate('2026-05-20', z)} (as sent by this app)`);
  });
});
