import { expect } from 'vitest';
import { DeskFailure } from '../../main/core/errors';

/** The DeskFailure a promise rejects with; fails the test on any other outcome. */
export async function failure(p: Promise<unknown>): Promise<DeskFailure> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DeskFailure);
    return e as DeskFailure;
  }
  throw new Error('expected a failure');
}

/** The DeskFailure `fn` throws; anything else thrown is rethrown, and not throwing fails the test. */
export function failureOf(fn: () => unknown): DeskFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof DeskFailure) return e;
    throw e;
  }
  throw new Error('expected a DeskFailure, nothing was thrown');
}
