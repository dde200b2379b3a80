import { describe, expect, it } from 'vitest';
import { membershipIdIn } from '../../common/search';

describe('membershipIdIn: only a text that can be a membership id is looked up by id', () => {
  it.each([
    ['4471902', 4471902],
    ['#4471902', 4471902],
    [' 500731 ', 500731],
    ['#12', 12],
    ['1234', 1234],
  ])('%s → %s', (text, id) => expect(membershipIdIn(text)).toBe(id));

  it.each(['79991234567', '15125550142', '+79991234567', '+1 512 555 0142', '512-555-0142', '123', 'Dana', '#', '#12a', '0000', ''])('%s → not an id', (text) => {
    expect(membershipIdIn(text)).toBeNull();
  });
});
