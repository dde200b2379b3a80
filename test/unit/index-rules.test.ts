import { describe, expect, it } from 'vitest';
import { numberKey } from '../../main/core/index/repo';
import { nextWindowDays } from '../../main/core/index/sync';

describe('index sync windows', () => {
  it('grows fourfold after an empty window, up to ten years', () => {
    expect(nextWindowDays(90, 0)).toBe(360);
    expect(nextWindowDays(3000, 0)).toBe(3650);
  });

  it('shrinks towards the target rows after a full window and never grows more than fourfold', () => {
    expect(nextWindowDays(100, 4000, 2000)).toBe(50);
    expect(nextWindowDays(100, 10, 2000)).toBe(400);
    expect(nextWindowDays(1, 100_000, 2000)).toBe(1);
  });
});

describe('membership number keys', () => {
  it('ignores case, spaces and the "№", "#" or "No." staff type before a number', () => {
    expect(numberKey(' № 500731 ')).toBe('500731');
    expect(numberKey('#AB-12')).toBe('ab-12');
    expect(numberKey('No. 77')).toBe('77');
    expect(numberKey('no77')).toBe('77');
    expect(numberKey('nova-1')).toBe('nova-1');
  });
});
