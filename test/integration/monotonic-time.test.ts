/**
 * Cache ages are measured on a monotonic clock: setting the PC's clock back must not make old
 * reads look fresh (with `now - at < limit`, a negative difference passed for hours).
 * Only the wall clock (Date) is moved here, as a person changing the system time would move it.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { checkText, createHarness, type Harness } from '../support/batch-harness';

let sandbox: Sandbox | undefined;
let h: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  await sandbox?.close();
});

it('a batch check after the clock was set back reads the memberships again (the read cache is not "fresh")', async () => {
  sandbox = await startSandbox({ rate: null, extraMemberships: 40 });
  const k = sandbox.control.knownIds;
  // No reuse at all: any check must read, however the wall clock moves.
  h = await createHarness(sandbox, { readCacheMs: 0 });
  const csv = `membership_id;delta;reason\r\n${k.extra.slice(0, 40).map((id) => `${id};+1;r`).join('\r\n')}\r\n`;
  const prepare = () => checkText((h as Harness).svc, { chainId: k.chains.northside, locationId: k.locations.chicago }, csv, { fileName: 'c.csv', lookups: true });
  sandbox.control.resetStats();
  await prepare();
  const first = sandbox.control.stats().requests;
  expect(first).toBeGreaterThan(0);

  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() - 60 * 60_000); // the clock goes back an hour
  await prepare();
  expect(sandbox.control.stats().requests).toBe(2 * first);
});
